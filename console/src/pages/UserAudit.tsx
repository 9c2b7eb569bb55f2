import { useState } from "preact/hooks";
import { ErrorNote, Loading, Pager, Time } from "../ui/components";
import { useApi, useLoad } from "../ui/context";

interface AuditPage {
  count: number;
  audit_logs: { id: string; time: string; actor: string; action: string; resource_type: string; details: unknown }[];
}

const LIMIT = 20;

/** A short, readable line of an audit row's details (sync rows: dimension, rule, claim and value). */
function detailsText(d: unknown): string {
  if (d === null || typeof d !== "object") return "";
  return Object.entries(d as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined && typeof v !== "object")
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(", ");
}

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
          <table aria-busy={page.loading}>
            <caption class="sr-only">Audit trail</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {page.data.audit_logs.map((a) => (
                <tr key={a.id}>
                  <td>
                    <Time at={a.time} />
                  </td>
                  <td>{a.actor}</td>
                  <td>
                    <code>{a.action}</code>
                  </td>
                  <td>{detailsText(a.details)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager label="Audit trail" offset={offset} limit={LIMIT} count={page.data.count} onPage={setOffset} />
        </>
      )}
    </>
  );
}
