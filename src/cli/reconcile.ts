import fs from "node:fs";
import path from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import type { ReconciliationRequest } from "../reconcile/request";
import type { RunView } from "../reconcile/store";
import type { AdminBackend, RunPage } from "./backend";
import { withBackend, withClientOptions, type ClientOptions, type OpenBackend } from "./connect";
import { readSettingsFile } from "./settings-file";
import { table } from "./table";

/**
 * `scim-bridge reconcile`: a resync (default) or an import (`--import FILE`), a dry run unless
 * `--apply`. Directly in the database (a stopped bridge, or PostgreSQL), or through a running
 * bridge's `POST /api/v2/reconciliations` (client mode, `--url`): the same report either way. A
 * progress bar goes to stderr on a terminal only (in client mode from the run's counters, polled);
 * the report goes to stdout as a table, or as JSON with `--format json`.
 */

/** Bad options, or the run ended `failed` (its report was printed): the command exits 1. */
export class ReconcileFailed extends Error {}

export interface ReconcileIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Rewrites the current stderr line (progress); absent when stderr is not a terminal. */
  progress?: (text: string) => void;
}

interface Options extends ClientOptions {
  apply?: boolean;
  org?: string;
  filter?: string;
  import?: string;
  importFormat?: "json" | "csv";
  suspendMissing?: boolean;
  replace?: boolean;
  allowMassSuspend?: boolean;
  batchSize: number;
  format: "table" | "json";
  applyRun?: string;
  settings?: string;
}

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 5000) throw new InvalidArgumentError("must be a whole number from 1 to 5000");
  return n;
};

export function progressBar(scanned: number, total: number, width = 30): string {
  const share = total > 0 ? Math.min(1, scanned / total) : 1;
  const filled = Math.round(share * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%  ${scanned}/${total}`;
}

function requestOf(opts: Options): ReconciliationRequest {
  const common = { dry_run: !opts.apply, batch_size: opts.batchSize };
  if (!opts.import) {
    if (opts.suspendMissing || opts.allowMassSuspend || opts.importFormat || opts.replace) throw new ReconcileFailed("--suspend-missing, --allow-mass-suspend, --replace and --import-format go with --import");
    if (opts.settings && opts.apply) throw new ReconcileFailed("--settings only previews unsaved settings: save them (scim-bridge sync set FILE), then apply the preview with --apply-run <id>");
    const settings = opts.settings ? { settings: readSettingsFile(opts.settings) } : {};
    return { kind: "resync", ...common, ...(opts.org ? { organization: opts.org } : {}), ...(opts.filter ? { filter: opts.filter } : {}), ...settings };
  }
  if (opts.org || opts.filter || opts.settings) throw new ReconcileFailed("--org, --filter and --settings go with a resync, not with --import");
  let text: string;
  try {
    text = fs.readFileSync(opts.import, "utf8");
  } catch (err) {
    throw new ReconcileFailed(`cannot read ${opts.import}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const format = opts.importFormat ?? (path.extname(opts.import).toLowerCase() === ".csv" ? "csv" : "json");
  return { kind: "import", ...common, format, data: text, mode: opts.replace ? "replace" : "merge", suspend_missing: Boolean(opts.suspendMissing), allow_mass_suspend: Boolean(opts.allowMassSuspend) };
}

/** Every report line of a run, read 1,000 at a time. */
export async function allItems(backend: AdminBackend, id: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await backend.getRun(id, { limit: 1000, offset, consequences: false });
    items.push(...page.items);
    if (offset + 1000 >= page.items_count) return items;
  }
}

/** The run with every report line and its sync consequences: `--format json`. */
export async function runJson(backend: AdminBackend, run: RunView): Promise<string> {
  const { consequences = [] } = await backend.getRun(run.id, { limit: 1, offset: 0, consequences: true });
  return JSON.stringify({ ...run, consequences, items: await allItems(backend, run.id) }, null, 2);
}

const SHOWN = 50;

async function printTable(io: ReconcileIo, backend: AdminBackend, run: RunView): Promise<void> {
  const page = await backend.getRun(run.id, { limit: SHOWN, offset: 0 });
  printRunPage(io, page, `… and ${page.items_count - SHOWN} more: scim-bridge runs show ${run.id} --offset ${SHOWN}, or --format json`);
}

/** A run's header, counters, sync consequences and one page of its report (`reconcile`, `runs show`). */
export function printRunPage(io: { out: (line: string) => void }, page: RunPage, more: string): void {
  const run = page;
  const mode = run.dry_run ? "dry run: nothing was changed" : "applied";
  io.out(`reconciliation ${run.id} (${run.kind}, ${mode}): ${run.status}`);
  if (run.error) io.out(`error: ${run.error}`);
  const s = run.summary;
  io.out("");
  for (const l of table([["USERS", "SCANNED", "CHANGED", "CHANGES", "PROBLEMS", "ERRORS"], [String(s.users_total), String(s.users_scanned), String(s.users_changed), String(s.changes), String(s.problems), String(s.errors)]])) io.out(l);
  if (page.consequences && page.consequences.length > 0) {
    io.out("");
    io.out(run.dry_run ? "sync consequences (what applying does):" : "sync consequences:");
    for (const c of page.consequences) io.out(`  ${c.text}`);
  }
  if (page.items.length > 0) {
    io.out("");
    const rows = page.items.map((i) => {
      const str = (k: string) => (typeof i[k] === "string" ? (i[k] as string) : "");
      const target = str("group_name") || str("role") || str("organization_id");
      const changed = Array.isArray(i.changed) ? `changes ${i.changed.join(", ")}` : "";
      const cleared = Array.isArray(i.cleared) ? `; clears ${i.cleared.join(", ")}` : "";
      const why = i.kind === "change" ? [str("rule"), str("field") && `${str("field")}=${str("value")}`, changed + cleared].filter(Boolean).join(" ") : str("message");
      return [str("kind"), str("username") || str("user_name") || str("ref"), str("dimension"), str("action"), target, why];
    });
    for (const l of table([["KIND", "USER", "DIMENSION", "ACTION", "TARGET", "WHY"], ...rows])) io.out(l);
    if (page.items_count > page.offset + page.items.length) io.out(more);
  }
  if (run.dry_run && run.status === "completed" && s.changes > 0) {
    const preview = run.parameters !== null && typeof run.parameters === "object" && "settings" in run.parameters;
    io.out(preview ? `\nto apply exactly this plan: save these settings (scim-bridge sync set FILE), then: scim-bridge reconcile --apply-run ${run.id}` : `\nto apply exactly this plan: scim-bridge reconcile --apply-run ${run.id}`);
  }
}

export function reconcileCommand(io: ReconcileIo, open: OpenBackend): Command {
  const command = new Command("reconcile")
    .description(
      "preview (default) or --apply the IdP sync mappings over every user (a resync), or reconcile with an IdP " +
        "export (--import FILE: JSON as GET /Users and /Groups list them, or CSV with the README's columns)",
    )
    .option("--apply", "apply the changes (in batches, one transaction each) instead of only reporting them")
    .option("--org <id-or-name>", "resync only what concerns this organization")
    .option("--filter <scim-filter>", 'resync only users matching a SCIM filter, e.g. \'emails.value ew "@sales.example.com"\'')
    .option("--import <file>", "reconcile with an export file (.csv is read as CSV, anything else as JSON)")
    .addOption(new Option("--import-format <format>", "override the file's format").choices(["json", "csv"]))
    .option("--replace", "with --import: make each matched user and group exactly the exported one, clearing what the export lacks (default: merge, setting only what the export carries)")
    .option("--suspend-missing", "with --import: suspend provisioned users absent from the export (default: only report them)")
    .option("--allow-mass-suspend", "with --suspend-missing: allow suspending more than RECONCILE_MAX_SUSPEND_SHARE of active users")
    .addOption(new Option("--batch-size <n>", "users per batch").argParser(positiveInt).default(500))
    .option("--settings <file>", "preview unsaved IdP sync settings (a JSON file as `sync get` prints, - for stdin; parts left out are taken as saved): a dry run only")
    .option("--apply-run <id>", "apply a reviewed dry run exactly (refused if the plan has changed since; a --settings preview once those settings are saved)")
    .addOption(new Option("--format <format>", "report format").choices(["table", "json"]).default("table"));
  return withClientOptions(command).action(async (opts: Options) => {
      if (opts.applyRun) {
        // The run's own parameters are applied: any other request option would be silently ignored.
        const extra = (["apply", "org", "filter", "import", "importFormat", "suspendMissing", "replace", "allowMassSuspend", "settings"] as const).filter((k) => opts[k] !== undefined);
        if (extra.length > 0) throw new ReconcileFailed(`--apply-run applies the dry run as it was made; it takes no ${extra.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(", ")}`);
      }
      const request = opts.applyRun ? undefined : requestOf(opts);
      await withBackend(open, "reconcile", opts, async (backend) => {
        const onProgress = io.progress ? (scanned: number, total: number) => io.progress!(progressBar(scanned, total)) : undefined;
        const run = opts.applyRun ? await backend.applyReviewed(opts.applyRun, onProgress) : await backend.runReconciliation(request!, onProgress);
        if (io.progress) io.progress("");
        if (opts.format === "json") io.out(await runJson(backend, run));
        else await printTable(io, backend, run);
        if (run.status === "failed") throw new ReconcileFailed(`reconciliation ${run.id} failed: ${run.error ?? "unknown error"}`);
      });
    });
}
