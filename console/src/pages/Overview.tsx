import { href } from "../router";
import { Badge, ErrorNote, Loading, Page, Time } from "../ui/components";
import { useApi, useInterval, useLoad } from "../ui/context";
import { StatusBadge } from "./Reconciliations";
import { LastFailureText, WebhookState } from "./WebhookHealth";
import type { Webhook } from "./webhook-types";

/** The answer of GET /api/v2/overview (src/admin/openapi/overview-responses.ts). */
interface Overview {
  generated_at: string;
  since: string;
  users: { total: number; active: number; dormant: number; suspended: number };
  groups: number;
  idp_groups: number;
  organizations: number;
  scim_tokens: { id: string; name: string; last_used_at: string | null; revoked_at: string | null; writes_24h: number }[];
  sync_problems: {
    count_24h: number;
    recent: { id: string; time: string; user_id: string | null; username: string | null; dimension: string | null; problem: string }[];
  };
  /** Each endpoint's health, as `GET /webhooks` gives it. */
  webhooks: Array<Pick<Webhook, "id" | "url" | "description" | "enabled" | "disabled_reason" | "pending_deliveries" | "failed_deliveries" | "last_failure">>;
  last_reconciliation: {
    id: string;
    kind: string;
    status: "running" | "completed" | "failed";
    dry_run: boolean;
    started_by: string;
    summary: { users_total: number; users_scanned: number; changes: number; problems: number; errors: number };
    created_at: string;
    finished_at: string | null;
    error: string | null;
  } | null;
}

function Count({ label, value, to }: { label: string; value: number; to?: string }) {
  return (
    <div class="card">
      <div class="muted">{label}</div>
      <div class="big">{to ? <a href={href(to)}>{value.toLocaleString()}</a> : value.toLocaleString()}</div>
    </div>
  );
}

/** The first page: the directory's size and what the IdPs, sync, webhooks and reconciliation did lately. One request, refreshed every 30 s. */
export function OverviewPage() {
  const api = useApi();
  const o = useLoad((ctx) => api.get<Overview>("/overview", undefined, ctx), []);
  // It keeps polling after an error: the next answer replaces the error (a restarted bridge, a network blip).
  useInterval(o.poll, 30_000, true);
  const d = o.data;
  return (
    <Page title="Overview">
      <ErrorNote error={o.error} />
      {d === undefined ? (
        o.error ? null : <Loading what="the overview" />
      ) : (
        <>
          <div class="cards" role="group" aria-label="Counts">
            <Count label="Users" value={d.users.total} to="/users" />
            <Count label="Active users" value={d.users.active} to="/users?q=status:active" />
            <Count label="Suspended users" value={d.users.suspended} to="/users?q=status:suspended" />
            <Count label="Dormant users" value={d.users.dormant} to="/users?q=status:dormant" />
            <Count label="Organizations" value={d.organizations} to="/organizations" />
            <Count label="Groups" value={d.groups} />
            <Count label="IdP groups" value={d.idp_groups} />
          </div>

          <h2>Identity providers</h2>
          <p class="muted">
            SCIM writes counted from the audit log since <Time at={d.since} />.
          </p>
          {d.scim_tokens.length === 0 ? (
            <p>
              No SCIM token yet: <a href={href("/tokens")}>create one</a> for your IdP.
            </p>
          ) : (
            <table>
              <caption class="sr-only">SCIM tokens' activity</caption>
              <thead>
                <tr>
                  <th scope="col">SCIM token</th>
                  <th scope="col">Last request</th>
                  <th scope="col" class="num">
                    Writes in 24 h
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.scim_tokens.map((t) => (
                  <tr key={t.id}>
                    <td>
                      {t.name} {t.revoked_at ? <Badge kind="muted">revoked</Badge> : null}
                    </td>
                    <td>
                      <Time at={t.last_used_at} />
                    </td>
                    <td class="num">{t.writes_24h.toLocaleString()}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}

          <h2>Sync problems in the last 24 hours</h2>
          {d.sync_problems.count_24h === 0 ? (
            <p class="success">None.</p>
          ) : (
            <>
              <p>
                <Badge kind="warn">{d.sync_problems.count_24h.toLocaleString()}</Badge> problems; the latest:{" "}
                <a href={href("/audit?action=sync.problem")}>all in the audit log</a>
              </p>
              <ul>
                {d.sync_problems.recent.map((p) => (
                  <li key={p.id}>
                    <Time at={p.time} /> {p.user_id ? <a href={href(`/users/${p.user_id}`)}>{p.username ?? p.user_id}</a> : null} {p.dimension ? <Badge>{p.dimension}</Badge> : null} {p.problem}
                  </li>
                ))}
              </ul>
            </>
          )}

          <h2>Webhooks</h2>
          {d.webhooks.length === 0 ? (
            <p class="muted">No webhook endpoints.</p>
          ) : (
            <table>
              <caption class="sr-only">Webhook endpoints</caption>
              <thead>
                <tr>
                  <th scope="col">Endpoint</th>
                  <th scope="col">State</th>
                  <th scope="col" class="num">
                    Queued
                  </th>
                  <th scope="col">Last failure</th>
                </tr>
              </thead>
              <tbody>
                {d.webhooks.map((w) => (
                  <tr key={w.id}>
                    <td>
                      <span class="mono">{w.url}</span>
                      {w.description ? <div class="muted">{w.description}</div> : null}
                    </td>
                    <td>
                      <WebhookState webhook={w} reason />
                    </td>
                    <td class="num">{w.pending_deliveries.toLocaleString()}</td>
                    <td>
                      <LastFailureText failure={w.last_failure} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}

          <h2>Last reconciliation</h2>
          {d.last_reconciliation === null ? (
            <p class="muted">No reconciliation has run.</p>
          ) : (
            <dl class="facts">
              <dt>Run</dt>
              <dd>
                {d.last_reconciliation.kind}
                {d.last_reconciliation.dry_run ? " (dry run)" : ""} by {d.last_reconciliation.started_by}
              </dd>
              <dt>Status</dt>
              <dd>
                <StatusBadge run={d.last_reconciliation} />
                {d.last_reconciliation.error ? ` ${d.last_reconciliation.error}` : ""}
              </dd>
              <dt>Started</dt>
              <dd>
                <Time at={d.last_reconciliation.created_at} />
              </dd>
              <dt>Finished</dt>
              <dd>
                <Time at={d.last_reconciliation.finished_at} empty="not yet" />
              </dd>
              <dt>Result</dt>
              <dd>
                {d.last_reconciliation.summary.users_scanned.toLocaleString()} of {d.last_reconciliation.summary.users_total.toLocaleString()} users scanned,{" "}
                {d.last_reconciliation.summary.changes.toLocaleString()} changes, {d.last_reconciliation.summary.problems.toLocaleString()} problems,{" "}
                {d.last_reconciliation.summary.errors.toLocaleString()} errors
              </dd>
            </dl>
          )}
        </>
      )}
    </Page>
  );
}
