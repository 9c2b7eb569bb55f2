import { useEffect, useState } from "preact/hooks";
import { queryString } from "../api";
import { href, navigate } from "../router";
import { ConfirmButton, ErrorNote, Field, Loading, Page, Pager, Progress, Time } from "../ui/components";
import { useApi, useDebounced, useInterval, useLoad } from "../ui/context";
import { Consequences, RunLines } from "./RunLines";
import { StatusBadge } from "./Reconciliations";
import { count, isSettingsPreview, runParameter, runPath, type Report, type Run } from "./runs";

const PAGE = 100;
const KINDS = ["change", "problem", "error"] as const;
const DIMENSIONS = ["organization", "group", "role", "user", "idp_group", "export"] as const;

/**
 * One run: its summary and live progress while it works, its consequences, its report lines grouped
 * by user and filtered by kind, dimension and user (server-side: a report may have 100,000 lines),
 * paged; and, for a completed dry run, applying exactly the reviewed plan.
 */
export function ReconciliationPage({ params, query }: { params: Record<string, string>; query: URLSearchParams }) {
  const api = useApi();
  const id = params.id ?? "";
  // The filters and the page live in the address: a reload, a copied link and back/forward keep them.
  const kind = query.get("kind") ?? "";
  const dimension = query.get("dimension") ?? "";
  const user = query.get("user") ?? "";
  const offset = Math.max(0, Number(query.get("offset") ?? "0") || 0);
  const go = (f: { kind?: string; dimension?: string; user?: string; offset?: number }, replace = true) => {
    const next = { kind, dimension, user, offset: 0, ...f };
    navigate(`${runPath(id)}${queryString({ ...next, offset: next.offset > 0 ? next.offset : undefined })}`, { replace });
  };
  const [userText, setUserText] = useState(user);
  const typed = useDebounced(userText.trim());
  useEffect(() => {
    if (typed !== user) go({ user: typed });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [typed]);
  // Back/forward to other filters: the box follows the address.
  useEffect(() => setUserText((t) => (t.trim() === user ? t : user)), [user]);
  const head = useLoad((ctx) => api.get<Report>(runPath(id), { limit: 1, consequences: false }, ctx), [id]);
  const running = head.data?.status === "running";
  useInterval(head.poll, 1000, running);
  const finished = head.data !== undefined && !running;
  // The whole report's consequences, once the run has ended (an aggregate: not on every poll).
  const consequences = useLoad(() => (finished ? api.get<Report>(runPath(id), { limit: 1, consequences: true }) : Promise.resolve(undefined)), [id, finished]);
  const lines = useLoad(
    (ctx) => api.get<Report>(runPath(id), { kind, dimension, user, limit: PAGE, offset, consequences: false }, ctx),
    [id, kind, dimension, user, offset, running],
  );
  // While the run works its report grows: the lines follow every few seconds (not on every progress tick).
  useInterval(lines.poll, 5000, running);

  const run = head.data;
  if (run === undefined) {
    return (
      <Page title="Reconciliation run">
        <ErrorNote error={head.error} />
        {head.error ? null : <Loading what="the run" />}
      </Page>
    );
  }
  const title = `${run.kind === "import" ? "Import" : "Resync"} ${run.dry_run ? "dry run" : "apply"}`;
  const s = run.summary;
  return (
    <Page
      title={title}
      actions={
        run.dry_run && run.status === "completed" && run.plan_digest !== null ? (
          <ConfirmButton
            label="Apply this plan"
            danger={false}
            confirm="Apply"
            question={
              <>
                <p>
                  Apply exactly this plan: {count(s.changes, "change")} to {count(s.users_changed, "user")}. If anything it covers changed since this dry run, nothing is applied.
                </p>
                {runParameter(run, "suspend_missing") === true ? (
                  <p>
                    It suspends the users absent from the export
                    {runParameter(run, "allow_mass_suspend") === true ? ", even more than the configured share of active users (allow mass suspend was chosen)" : ""}.
                  </p>
                ) : null}
                {isSettingsPreview(run) ? <p>This dry run previewed unsaved sync settings: it applies only once those settings are saved.</p> : null}
              </>
            }
            onConfirm={async () => {
              const applied = await api.send<Run>("POST", `${runPath(run.id)}/apply?wait=0`);
              navigate(runPath(applied.id));
            }}
          />
        ) : null
      }
    >
      <p>
        <a href={href("/reconciliations")}>← All runs</a>
      </p>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge run={run} />
          {run.error ? <span class="detail"> {run.error}</span> : null}
        </dd>
        <dt>Started</dt>
        <dd>
          <Time at={run.created_at} /> by {run.started_by}
        </dd>
        <dt>Finished</dt>
        <dd>
          <Time at={run.finished_at} empty="not yet" />
        </dd>
        <dt>Users</dt>
        <dd>
          {s.users_changed.toLocaleString()} changed of {s.users_scanned.toLocaleString()} checked
        </dd>
        <dt>Report</dt>
        <dd>
          {count(s.changes, "change")}, {count(s.problems, "problem")}, {count(s.errors, "error")}
        </dd>
        {run.source_run_id ? (
          <>
            <dt>Applies</dt>
            <dd>
              <a href={href(runPath(run.source_run_id))}>the reviewed dry run</a>
            </dd>
          </>
        ) : null}
      </dl>
      {running ? <Progress value={s.users_scanned} max={s.users_total} label={run.dry_run ? "Users checked" : "Users applied"} /> : null}
      <ErrorNote error={head.error ?? consequences.error} />
      <Consequences list={consequences.data?.consequences} title={run.dry_run ? "What applying it changes" : "What it changed"} />

      <h2 id="diff-title">Report</h2>
      <div class="filters" role="search" aria-label="Filter the report">
        <Field label="Kind" id="diff-kind">
          <select id="diff-kind" value={kind} onChange={(e) => go({ kind: e.currentTarget.value })}>
            <option value="">All kinds</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Change type" id="diff-dimension">
          <select id="diff-dimension" value={dimension} onChange={(e) => go({ dimension: e.currentTarget.value })}>
            <option value="">All types</option>
            {DIMENSIONS.map((d) => (
              <option key={d} value={d}>
                {d.replace("_", " ")}
              </option>
            ))}
          </select>
        </Field>
        <Field label="User" id="diff-user" hint="A username (or part of one) or a user id.">
          <input id="diff-user" type="search" value={userText} aria-describedby="diff-user-hint" onInput={(e) => setUserText(e.currentTarget.value)} />
        </Field>
      </div>
      <ErrorNote error={lines.error} />
      {lines.data === undefined ? (
        lines.error ? null : <Loading what="the report" />
      ) : (
        <>
          <p class="muted" aria-live="polite">
            {lines.data.items_count.toLocaleString()} matching {lines.data.items_count === 1 ? "line" : "lines"}
          </p>
          <RunLines items={lines.data.items} caption="Report lines by user" />
          <Pager offset={offset} limit={PAGE} count={lines.data.items_count} onPage={(o) => go({ offset: o }, false)} label="Report" />
        </>
      )}
    </Page>
  );
}
