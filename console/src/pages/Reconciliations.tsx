import { queryString } from "../api";
import { href, navigate } from "../router";
import { Badge, ErrorNote, Loading, Page, Pager, Time } from "../ui/components";
import { useApi, useInterval, useLoad } from "../ui/context";
import { StartRun } from "./ReconcileStart";
import { runPath, type Run } from "./runs";
import type { Organization } from "./types";

const PAGE = 25;

export function StatusBadge({ run }: { run: Pick<Run, "status"> }) {
  return <Badge kind={run.status === "completed" ? "ok" : run.status === "failed" ? "bad" : "info"}>{run.status}</Badge>;
}

/** Reconciliation runs: start a dry run (resync or import), and every run, newest first, paged. */
export function ReconciliationsPage({ query }: { query: URLSearchParams }) {
  const api = useApi();
  // The page lives in the address (a reload, a copied link, back/forward).
  const offset = Math.max(0, Number(query.get("offset") ?? "0") || 0);
  const setOffset = (o: number) => navigate(`/reconciliations${queryString({ offset: o === 0 ? undefined : o })}`);
  const list = useLoad((ctx) => api.get<{ runs: Run[]; count: number }>("/reconciliations", { limit: PAGE, offset }, ctx), [offset]);
  const orgs = useLoad(() => api.get<Organization[]>("/organizations"), []);
  // A running run's counters move: the list follows them while one runs.
  useInterval(list.poll, 2000, list.data?.runs.some((r) => r.status === "running") ?? false);
  return (
    <Page title="Reconciliations">
      <p class="lead">Resyncs apply the IdP sync settings to users already provisioned; imports reconcile the bridge with an IdP export.</p>
      <StartRun orgs={orgs.data ?? []} />
      <h2>Runs</h2>
      <ErrorNote error={list.error} />
      {list.data === undefined ? (
        list.error ? null : <Loading what="runs" />
      ) : list.data.count === 0 ? (
        <p class="muted">No runs yet.</p>
      ) : (
        <>
          <table>
            <caption class="sr-only">Reconciliation runs</caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Kind</th>
                <th scope="col">Mode</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Users changed
                </th>
                <th scope="col" class="num">
                  Changes
                </th>
                <th scope="col" class="num">
                  Problems
                </th>
                <th scope="col" class="num">
                  Errors
                </th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {list.data.runs.map((r) => (
                <tr key={r.id}>
                  <td>
                    <a href={href(runPath(r.id))} aria-label={`${r.kind} ${r.dry_run ? "dry run" : "apply"} of ${new Date(r.created_at).toLocaleString()}`}>
                      <Time at={r.created_at} />
                    </a>
                  </td>
                  <td>{r.kind}</td>
                  <td>{r.dry_run ? "dry run" : "apply"}</td>
                  <td>
                    <StatusBadge run={r} />
                  </td>
                  <td class="num">
                    {r.summary.users_changed.toLocaleString()} of {r.summary.users_total.toLocaleString()}
                  </td>
                  <td class="num">{r.summary.changes.toLocaleString()}</td>
                  <td class="num">{r.summary.problems.toLocaleString()}</td>
                  <td class="num">{r.summary.errors.toLocaleString()}</td>
                  <td>{r.started_by}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager offset={offset} limit={PAGE} count={list.data.count} onPage={setOffset} label="Runs" />
        </>
      )}
    </Page>
  );
}
