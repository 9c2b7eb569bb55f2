import { useState } from "preact/hooks";
import { href, navigate } from "../router";
import { ConfirmButton, ErrorNote, Field, Loading, Page, Pager, Progress, Time } from "../ui/components";
import { useApi, useDebounced, useInterval, useLoad } from "../ui/context";
import { Consequences, RunLines } from "./RunLines";
import { StatusBadge } from "./Reconciliations";
import { count, isSettingsPreview, runPath, type Report, type Run } from "./runs";

const PAGE = 100;
const KINDS = ["change", "problem", "error"] as const;
const DIMENSIONS = ["organization", "group", "role", "user", "idp_group", "export"] as const;

/**
 * One run: its summary and live progress while it works, its consequences, its report lines grouped
 * by user and filtered by kind, dimension and user (server-side: a report may have 100,000 lines),
 * paged; and, for a completed dry run, applying exactly the reviewed plan.
 */
export function ReconciliationPage({ params }: { params: Record<string, string> }) {
  const api = useApi();
  const id = params.id ?? "";
  const [kind, setKind] = useState("");
  const [dimension, setDimension] = useState("");
  const [userText, setUserText] = useState("");
  const user = useDebounced(userText.trim());
  const [offset, setOffset] = useState(0);
  const head = useLoad(() => api.get<Report>(runPath(id), { limit: 1, consequences: false }), [id]);
  const running = head.data?.status === "running";
  useInterval(head.reload, 1000, running);
  const finished = head.data !== undefined && !running;
  // The whole report's consequences, once the run has ended (an aggregate: not on every poll).
  const consequences = useLoad(() => (finished ? api.get<Report>(runPath(id), { limit: 1, consequences: true }) : Promise.resolve(undefined)), [id, finished]);
  const lines = useLoad(
    () => api.get<Report>(runPath(id), { kind, dimension, user, limit: PAGE, offset, consequences: false }),
    [id, kind, dimension, user, offset, running ? (head.data?.summary.users_scanned ?? 0) : -1],
  );
  const setFilter = (f: () => void) => {
    f();
    setOffset(0);
  };

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
          <select id="diff-kind" value={kind} onChange={(e) => setFilter(() => setKind(e.currentTarget.value))}>
            <option value="">All kinds</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Change type" id="diff-dimension">
          <select id="diff-dimension" value={dimension} onChange={(e) => setFilter(() => setDimension(e.currentTarget.value))}>
            <option value="">All types</option>
            {DIMENSIONS.map((d) => (
              <option key={d} value={d}>
                {d.replace("_", " ")}
              </option>
            ))}
          </select>
        </Field>
        <Field label="User" id="diff-user" hint="A username (or part of one) or a user id.">
          <input id="diff-user" type="search" value={userText} aria-describedby="diff-user-hint" onInput={(e) => setFilter(() => setUserText(e.currentTarget.value))} />
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
          <Pager offset={offset} limit={PAGE} count={lines.data.items_count} onPage={setOffset} label="Report" />
        </>
      )}
    </Page>
  );
}
