import { InvalidArgumentError, Option, type Command } from "commander";
import { withBackend, withClientOptions, type ClientOptions, type OpenBackend } from "./connect";
import { printRunPage, runJson } from "./reconcile";
import { table } from "./table";

/**
 * `scim-bridge runs list|show`: reconciliation runs and their reports, as `GET /api/v2/reconciliations`
 * and `/reconciliations/{id}` page them, directly in the database or through a running bridge
 * (client mode). `runs show` prints the report a page at a time (`--offset`, `--limit`), or the whole
 * run as JSON (`--format json`, the shape `reconcile --format json` prints).
 */

const range = (min: number, max: number) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
  return n;
};
const limit = range(1, 1000);
const offset = range(0, Number.MAX_SAFE_INTEGER);

export function addRunsCommands(program: Command, io: { out: (line: string) => void }, open: OpenBackend): void {
  const runs = program.command("runs").description("reconciliation runs (reconcile's dry runs and applies): list them, show one's report");

  withClientOptions(
    runs
      .command("list")
      .description("list runs, newest first")
      .addOption(new Option("--limit <n>", "runs per page (1 to 1000)").argParser(limit).default(20))
      .addOption(new Option("--offset <n>", "runs to skip").argParser(offset).default(0))
      .addOption(new Option("--format <format>", "table, or json (the API's page)").choices(["table", "json"]).default("table")),
  ).action(async (opts: ClientOptions & { limit: number; offset: number; format: "table" | "json" }) => {
    const page = await withBackend(open, "runs list", opts, (b) => b.listRuns({ limit: opts.limit, offset: opts.offset }));
    if (opts.format === "json") return io.out(JSON.stringify(page, null, 2));
    if (page.runs.length === 0) return io.out(page.count === 0 ? "no runs" : `no runs past ${opts.offset} (${page.count} in all)`);
    const rows = page.runs.map((r) => [
      r.id, r.kind, r.dry_run ? "dry run" : "apply", r.status, r.started_by, r.created_at,
      `${r.summary.users_scanned}/${r.summary.users_total}`, String(r.summary.changes), String(r.summary.problems), String(r.summary.errors),
    ]);
    table([["ID", "KIND", "MODE", "STATUS", "BY", "STARTED", "USERS", "CHANGES", "PROBLEMS", "ERRORS"], ...rows]).forEach((l) => io.out(l));
    if (page.count > opts.offset + page.runs.length) io.out(`… ${page.count - opts.offset - page.runs.length} older: --offset ${opts.offset + page.runs.length}`);
  });

  withClientOptions(
    runs
      .command("show")
      .description("a run's counters, sync consequences and report, a page at a time; --format json: the whole run with every report line")
      .argument("<id>", "the run's id (runs list, or what reconcile printed)")
      .addOption(new Option("--limit <n>", "report lines per page (1 to 1000)").argParser(limit).default(50))
      .addOption(new Option("--offset <n>", "report lines to skip").argParser(offset).default(0))
      .addOption(new Option("--kind <kind>", "only report lines of this kind").choices(["change", "problem", "error"]))
      .addOption(new Option("--format <format>", "table, or json (every report line: --limit, --offset and --kind don't apply)").choices(["table", "json"]).default("table")),
  ).action(async (id: string, opts: ClientOptions & { limit: number; offset: number; kind?: "change" | "problem" | "error"; format: "table" | "json" }) => {
    await withBackend(open, "runs show", opts, async (b) => {
      if (opts.format === "json") {
        const run = await b.getRun(id, { limit: 1, offset: 0, consequences: false });
        const { items: _items, items_count: _count, offset: _offset, limit: _limit, consequences: _consequences, ...view } = run;
        io.out(await runJson(b, view));
        return;
      }
      const page = await b.getRun(id, { limit: opts.limit, offset: opts.offset, kind: opts.kind, consequences: true });
      const next = opts.offset + page.items.length;
      printRunPage(io, page, `… ${page.items_count - next} more: scim-bridge runs show ${id} --offset ${next}${opts.kind ? ` --kind ${opts.kind}` : ""}`);
      if (page.items.length === 0 && page.items_count > 0) io.out(`\nno report lines past ${opts.offset} (${page.items_count} in all)`);
    });
  });
}
