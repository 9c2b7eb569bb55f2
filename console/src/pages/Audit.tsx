import { navigate } from "../router";
import { ErrorNote, Loading, Page, Pager, Time, fieldProblem } from "../ui/components";
import { useApi, useLoad } from "../ui/context";
import { AuditFilters, auditFilter, auditQuery, type AuditFilter } from "./AuditFilters";

interface AuditRow {
  id: string;
  time: string;
  actor: string;
  action: string;
  resource_type: string;
  resource_id: string | null;
  user_id: string | null;
  details: unknown;
}

const PAGE = 50;

const hasDetails = (d: unknown) => d !== null && d !== undefined && !(typeof d === "object" && Object.keys(d).length === 0);

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
          <table>
            <caption class="sr-only">Audit entries</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {rows.data.audit_logs.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Time at={r.time} />
                  </td>
                  <td>{r.actor}</td>
                  <td class="mono">{r.action}</td>
                  <td>
                    {r.resource_type}
                    {r.resource_id ? <div class="muted mono">{r.resource_id}</div> : null}
                  </td>
                  <td>
                    {hasDetails(r.details) ? (
                      <details>
                        <summary>Details of {r.action}</summary>
                        <pre>{JSON.stringify(r.details, null, 2)}</pre>
                      </details>
                    ) : (
                      <span class="muted">none</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager label="Audit log" offset={filter.offset} limit={PAGE} count={rows.data.count} onPage={(offset) => go({ ...filter, offset })} />
        </>
      )}
    </Page>
  );
}
