import { useState } from "preact/hooks";
import { href } from "../router";
import { ErrorNote, Loading, Pager } from "../ui/components";
import { useApi, useLoad } from "../ui/context";
import { Consequences, RunLines } from "./RunLines";
import { count, runPath, type Consequence, type Report, type Run } from "./runs";

const PAGE = 50;

/** A dry run's summary, its consequences and its change lines (paged), with a link to the full report. */
export function PlanView({ run, title }: { run: Run; title: string }) {
  const api = useApi();
  const [offset, setOffset] = useState(0);
  const report = useLoad(() => api.get<Report>(runPath(run.id), { kind: "change", limit: PAGE, offset, consequences: true }), [run.id, offset]);
  const s = run.summary;
  return (
    <section class="plan" aria-labelledby={`plan-${run.id}`}>
      <h2 id={`plan-${run.id}`}>{title}</h2>
      <p>
        {count(s.users_scanned, "user")} checked: {s.users_changed.toLocaleString()} would change ({count(s.changes, "change")}, {count(s.problems, "problem")}, {count(s.errors, "error")}).{" "}
        <a href={href(runPath(run.id))}>Open the full report</a>
      </p>
      <ErrorNote error={report.error} />
      {report.data === undefined ? (
        report.error ? null : <Loading what="the plan" />
      ) : (
        <>
          <Consequences list={report.data.consequences} title="What it changes" />
          <h3>Changes by user</h3>
          <RunLines items={report.data.items} caption={`${title}: changes by user`} />
          <Pager offset={offset} limit={PAGE} count={report.data.items_count} onPage={setOffset} label="Plan changes" />
        </>
      )}
    </section>
  );
}

const keyOf = (c: Consequence) => [c.dimension, c.action, c.organization_id ?? "", c.group ?? "", c.role ?? ""].join("\u0000");

/**
 * What changed between the reviewed plan and the plan now, consequence by consequence ("1 user joins
 * group engineers in default: reviewed, no longer"), so the admin sees why the apply was refused.
 */
export function PlanDifference({ reviewed, now }: { reviewed: Run; now: Run }) {
  const api = useApi();
  const both = useLoad(
    () => Promise.all([reviewed, now].map((r) => api.get<Report>(runPath(r.id), { limit: 1, consequences: true }).then((x) => x.consequences ?? []))),
    [reviewed.id, now.id],
  );
  if (both.data === undefined) return both.error ? <ErrorNote error={both.error} /> : <Loading what="the difference" />;
  const [before, after] = both.data as [Consequence[], Consequence[]];
  const was = new Map(before.map((c) => [keyOf(c), c]));
  const is = new Map(after.map((c) => [keyOf(c), c]));
  const rows: { key: string; then: string; now: string }[] = [];
  for (const [k, c] of was) if (is.get(k)?.users !== c.users) rows.push({ key: k, then: c.text, now: is.get(k)?.text ?? "no longer" });
  for (const [k, c] of is) if (!was.has(k)) rows.push({ key: k, then: "not in the reviewed plan", now: c.text });
  const s = (r: Run) => `${count(r.summary.changes, "change")} to ${count(r.summary.users_changed, "user")}`;
  return (
    <table class="plan-difference">
      <caption>
        What changed since the review (reviewed: {s(reviewed)}; now: {s(now)})
      </caption>
      <thead>
        <tr>
          <th scope="col">In the reviewed plan</th>
          <th scope="col">In the plan now</th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 ? (
          <tr>
            <td colSpan={2}>The same consequences, but users or their memberships differ: compare the two reports.</td>
          </tr>
        ) : (
          rows.map((r) => (
            <tr key={r.key}>
              <td>{r.then}</td>
              <td>{r.now}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}
