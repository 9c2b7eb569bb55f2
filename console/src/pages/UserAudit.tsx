import { useState } from "preact/hooks";
import { ErrorNote, Loading, Pager } from "../ui/components";
import { useApi, useLoad } from "../ui/context";
import { AuditTable, type AuditRow } from "./AuditTable";

interface AuditPage {
  count: number;
  audit_logs: AuditRow[];
}

const LIMIT = 20;

/** The user's audit trail, newest first, paged on the server (GET /api/v2/audit?user=…); read again when `changed` changes (the page changed the user). */
export function UserAudit({ userId, changed }: { userId: string; changed: string }) {
  const api = useApi();
  const [offset, setOffset] = useState(0);
  const page = useLoad(() => api.get<AuditPage>("/audit", { user: userId, limit: LIMIT, offset }), [userId, offset, changed]);
  return (
    <>
      <ErrorNote error={page.error} />
      {page.data === undefined ? (
        page.error ? null : <Loading what="the audit trail" />
      ) : (
        <>
          <AuditTable rows={page.data.audit_logs} caption="Audit trail" target={false} busy={page.loading} />
          <Pager label="Audit trail" offset={offset} limit={LIMIT} count={page.data.count} onPage={setOffset} />
        </>
      )}
    </>
  );
}
