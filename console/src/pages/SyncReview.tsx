import { useState } from "preact/hooks";
import { href } from "../router";
import { ErrorNote, Loading, Pager } from "../ui/components";
import { useApi, useLoad } from "../ui/context";
import { Consequences, RunLines } from "./RunLines";
import { count, runPath, type Report, type Run } from "./runs";

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
