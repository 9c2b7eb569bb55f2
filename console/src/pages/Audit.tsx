import { navigate } from "../router";
import { ErrorNote, Loading, Page, Pager, fieldProblem } from "../ui/components";
import { useApi, useLoad } from "../ui/context";
import { AuditTable, type AuditRow } from "./AuditTable";
import { AuditFilters, auditFilter, auditQuery, type AuditFilter } from "./AuditFilters";

const PAGE = 50;

/** The audit log (GET /audit): newest first, filtered and paged by the server, the filters in the URL. */
export function AuditPage({ query }: { query: URLSearchParams }) {
  const api = useApi();
  const filter = auditFilter(query);
  const rows = useLoad(
    () =>
      api.get<{ count: number; audit_logs: AuditRow[] }>("/audit", {
        user: filter.user || undefined,
        dimension: filter.dimension || undefined,
        action: filter.action || undefined,
        since: filter.since || undefined,
        until: filter.until || undefined,
        limit: PAGE,
        offset: filter.offset,
      }),
    [filter.user, filter.dimension, filter.action, filter.since, filter.until, filter.offset],
  );
  const go = (f: AuditFilter) => navigate(`/audit${auditQuery(f)}`, { replace: true });

  return (
    <Page title="Audit log">
      <p class="lead">Every change the bridge made, who made it (a token's name, or the sync engine) and why, newest first.</p>
      <AuditFilters filter={filter} onChange={go} problem={(field) => fieldProblem(rows.error, field)} />
      <ErrorNote error={rows.error} />
      {rows.data === undefined ? (
        rows.error ? null : <Loading what="the audit log" />
      ) : rows.data.count === 0 ? (
        <p class="muted">No audit entries match.</p>
      ) : (
        <>
          <AuditTable rows={rows.data.audit_logs} caption="Audit entries" busy={rows.loading} />
          <Pager label="Audit log" offset={filter.offset} limit={PAGE} count={rows.data.count} onPage={(offset) => go({ ...filter, offset })} />
        </>
      )}
    </Page>
  );
}
