import type { Logger } from "winston";
import type { Database } from "../db/database";
import { DirectoryError } from "../directory/errors";
import { isUuid } from "../directory/prisma-errors";
import { emit } from "../events/outbox";
import type { Prisma } from "../generated/prisma/client";
import type { ResourceService } from "../scim/resource-service";
import { ExportFormatError, parseCsvExport, parseJsonExport, type ParsedExport } from "./export-format";
import { countSuspensions, runImport } from "./import";
import { reconciliationRequestSchema, storedParameters, type ReconciliationRequest } from "./request";
import { resolveResyncScope, runResync } from "./resync";
import { candidateDifferences } from "../sync/candidate";
import { candidateSettingsSchema } from "../sync/settings-bodies";
import { itemView, RUN_COLUMNS, RunStopped, runView, STALE_AFTER_MS, type RunView } from "./store";
import { runConsequences, type Consequence } from "./consequences";
import { fromStoredInput, toStoredInput } from "./stored-input";
import { ScimError } from "../scim/errors";
import type { SyncObserver } from "../sync/observer";
import type { RunObserver } from "./observer";
import { likeLiteral } from "../text/like";

/**
 * Starts, tracks and reports reconciliation runs. Applies are exclusive: with PostgreSQL a session
 * advisory lock (so several bridge instances and the CLI exclude each other, and a killed process
 * releases it), with the embedded database this process's own flag (the database lock file already
 * keeps other processes out). A run goes on in the background; `start` returns when it ends or when
 * `waitMs` is up, whichever is first.
 */

/** pg advisory lock key for applies ("RECO"). */
const APPLY_LOCK_KEY = 0x5245434f;

export interface ReconciliationDeps {
  db: Database;
  users: ResourceService;
  groups: ResourceService;
  /** Largest share of active users an import may suspend without `allow_mass_suspend` (0–1). */
  maxSuspendShare: number;
  logger: Logger;
  /** Finished runs older than this are deleted by `prune` (RUN_RETENTION). */
  runRetentionMs: number;
  /** Told about every run that ended, and what a resync's sync applied (metrics). */
  observe?: { runs?: RunObserver; sync?: SyncObserver };
}

export interface StartOptions {
  waitMs?: number;
  onProgress?: (scanned: number, total: number) => void;
}

export interface Started {
  run: RunView;
  /** Resolves with the run as it ended (completed or failed). */
  finished: Promise<RunView>;
}

export interface Page {
  limit: number;
  offset: number;
}

/** Which report lines to show: of one kind, of one dimension, of one user (id, or part of the username). */
export interface ReportFilter {
  kind?: string | undefined;
  dimension?: string | undefined;
  user?: string | undefined;
}

export interface ReconciliationService {
  start(request: ReconciliationRequest, actor: string, opts?: StartOptions): Promise<Started>;
  /** Applies a completed dry run, if a fresh plan is exactly the reviewed one (otherwise 409). */
  applyReviewed(id: string, actor: string, opts?: StartOptions): Promise<Started>;
  list(page: Page): Promise<{ runs: RunView[]; count: number }>;
  /** A run with a page of its report and its sync consequences summed up (`consequences`). */
  get(id: string, page: Page & ReportFilter & { consequences?: boolean }): Promise<RunView & { consequences?: Consequence[]; items: unknown[]; items_count: number; offset: number; limit: number }>;
  /**
   * Deletes finished runs (with their report lines) that finished more than `runRetentionMs` ago,
   * never a running one nor the newest run of each kind; returns how many. Run hourly by the server.
   */
  prune(): Promise<number>;
  /** Stops background runs between batches and waits for them. */
  close(): Promise<void>;
}

function parseExport(req: Extract<ReconciliationRequest, { kind: "import" }>): ParsedExport {
  try {
    if (req.format === "csv") {
      if (typeof req.data !== "string") throw new ExportFormatError("format csv needs `data` to be the CSV text");
      return parseCsvExport(req.data);
    }
    const doc = typeof req.data === "string" ? JSON.parse(req.data) : req.data;
    return parseJsonExport(doc);
  } catch (err) {
    if (err instanceof ExportFormatError) throw new DirectoryError("invalid", `import: ${err.message}`);
    if (err instanceof SyntaxError) throw new DirectoryError("invalid", `import: data is not valid JSON (${err.message})`);
    throw err;
  }
}

/**
 * What a failed run shows (`error`): the message of the errors that are meant for the admin (a
 * refusal, a shutdown); for anything else (a database or driver failure, a bug) a pointer to the
 * server log, which has the real error: raw driver messages can carry SQL, values and internals.
 */
export function runError(runId: string, err: unknown): string {
  if (err instanceof DirectoryError || err instanceof ScimError || err instanceof RunStopped) return err.message;
  return `reconciliation ${runId} failed on an internal error; see the server log`;
}

export function createReconciliationService(deps: ReconciliationDeps): ReconciliationService {
  const { db, logger } = deps;
  const prisma = db.prisma;
  const background = new Set<Promise<unknown>>();
  let stopping = false;
  let applying = false;

  const view = async (id: string) => runView(await prisma.reconciliationRun.findUniqueOrThrow({ where: { id }, select: RUN_COLUMNS }));

  /** Marks runs that stopped moving as failed: their process died (a kill, a crash, a power cut). */
  async function expireStale(): Promise<void> {
    await prisma.reconciliationRun.updateMany({
      where: { status: "running", updatedAt: { lt: new Date(Date.now() - STALE_AFTER_MS) } },
      data: { status: "failed", error: "interrupted: the process running it stopped (run it again: finished batches are not redone)", finishedAt: new Date() },
    });
  }

  async function conflict(): Promise<never> {
    const running = await prisma.reconciliationRun.findFirst({ where: { status: "running", dryRun: false }, orderBy: { createdAt: "desc" }, select: { id: true, actor: true, createdAt: true } });
    const who = running ? `run ${running.id} (started by ${running.actor} at ${running.createdAt.toISOString()})` : "another process";
    throw new DirectoryError("conflict", `an apply is already running: ${who}; wait for it to finish`);
  }

  /** Runs `fn` holding the apply lock; rejects with 409 at once when another apply holds it. */
  async function withApplyLock(fn: () => Promise<void>): Promise<Promise<void>> {
    if (applying) return conflict();
    applying = true;
    const release = () => {
      applying = false;
    };
    if (db.kind === "embedded") return fn().finally(release);
    let acquired!: (ok: boolean) => void;
    const gotLock = new Promise<boolean>((resolve) => (acquired = resolve));
    const done = db.withSession(async (s) => {
      const [row] = await s.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [APPLY_LOCK_KEY]);
      acquired(row?.ok === true);
      if (!row?.ok) return;
      try {
        await fn();
      } finally {
        await s.query("SELECT pg_advisory_unlock($1)", [APPLY_LOCK_KEY]);
      }
    });
    const settled = done.finally(release);
    const ok = await Promise.race([gotLock, settled.then(() => false)]);
    if (!ok) {
      await settled;
      return conflict();
    }
    return settled;
  }

  async function execute(runId: string, req: ReconciliationRequest, prepared: ParsedExport | Awaited<ReturnType<typeof resolveResyncScope>>, opts: StartOptions): Promise<void> {
    const env = {
      prisma,
      runId,
      dryRun: req.dry_run,
      auditActor: `reconciliation:${runId}`,
      record: true,
      shouldStop: () => stopping,
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(deps.observe?.sync ? { observeSync: deps.observe.sync } : {}),
    };
    const started = process.hrtime.bigint();
    const ended = (outcome: "completed" | "failed") =>
      deps.observe?.runs?.({ kind: req.kind, mode: req.dry_run ? "dry_run" : "apply", outcome, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
    try {
      const digest =
        req.kind === "resync"
          ? await runResync(env, req, prepared as Awaited<ReturnType<typeof resolveResyncScope>>)
          : await runImport({ ...env, users: deps.users, groups: deps.groups, logger }, req, prepared as ParsedExport);
      await prisma.$transaction(async (tx) => {
        const consequences = await runConsequences(tx, runId);
        const run = await tx.reconciliationRun.update({ where: { id: runId }, data: { status: "completed", planDigest: digest, finishedAt: new Date(), consequences: consequences as unknown as Prisma.InputJsonArray }, select: RUN_COLUMNS });
        await emit(tx, [{ type: "reconciliation.completed", data: runView(run) }]);
      });
      ended("completed");
    } catch (err) {
      logger.error("reconciliation failed", { run: runId, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      await prisma.reconciliationRun.update({ where: { id: runId }, data: { status: "failed", error: runError(runId, err), finishedAt: new Date() } }).catch(() => undefined);
      ended("failed");
    }
  }

  /**
   * A run's consequences: stored when it completed; summed now while it runs or failed (its report is
   * still moving, or was cut short). A run completed before they were stored gets them stored now, by
   * a statement that leaves `updated_at` as it was.
   */
  async function storedConsequences(run: { id: string; status: string; consequences: unknown }): Promise<Consequence[]> {
    if (run.status === "completed" && Array.isArray(run.consequences)) return run.consequences as Consequence[];
    const summed = await runConsequences(prisma, run.id);
    if (run.status === "completed") {
      await prisma.$executeRaw`UPDATE reconciliation_runs SET consequences = ${JSON.stringify(summed)}::jsonb WHERE id = ${run.id}::uuid AND consequences IS NULL`;
    }
    return summed;
  }

  async function prepare(req: ReconciliationRequest) {
    if (req.kind === "resync") return resolveResyncScope(prisma, req);
    const parsed = parseExport(req);
    if (parsed.users.length === 0 && parsed.groups.length === 0 && parsed.errors.length === 0) throw new DirectoryError("invalid", "import: the export holds no users and no groups");
    if (!req.dry_run && req.suspend_missing && !req.allow_mass_suspend) {
      const { suspend, active } = await countSuspensions(prisma, parsed);
      if (suspend > 0 && suspend > deps.maxSuspendShare * active) {
        const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
        throw new DirectoryError(
          "invalid",
          `import would suspend ${suspend} of ${active} active users (${pct(suspend / Math.max(active, 1))}), over the ${pct(deps.maxSuspendShare)} limit; check the export, then pass allow_mass_suspend to proceed`,
        );
      }
    }
    return parsed;
  }

  /**
   * 409 when dry run `id` has an apply that completed or (`includeRunning`) is running. Under the apply
   * lock a `running` apply is a dead one (its process is gone), so only completed ones count there.
   */
  async function refuseIfApplied(id: string, includeRunning: boolean): Promise<void> {
    const applied = await prisma.reconciliationRun.findFirst({
      where: { sourceRunId: id, status: { in: includeRunning ? ["completed", "running"] : ["completed"] } },
      orderBy: { createdAt: "desc" },
      select: { id: true, status: true, actor: true, createdAt: true, finishedAt: true },
    });
    if (!applied) return;
    if (applied.status === "running") throw new DirectoryError("conflict", `run ${id} is being applied by ${applied.actor} (apply run ${applied.id}, started at ${applied.createdAt.toISOString()})`);
    throw new DirectoryError("conflict", `run ${id} was applied at ${(applied.finishedAt ?? applied.createdAt).toISOString()} (apply run ${applied.id}); start a new dry run to see what is left to do`);
  }

  /** 409 naming what differs when a preview's candidate settings are not (or no longer) the saved ones. */
  async function refuseUnsavedSettings(id: string, stored: unknown): Promise<void> {
    const candidate = candidateSettingsSchema.safeParse(stored);
    const differs = candidate.success ? await candidateDifferences(prisma, candidate.data) : ["the stored candidate settings are unreadable"];
    if (differs.length > 0) {
      throw new DirectoryError("conflict", `dry run ${id} previewed settings that are not the saved ones (differs: ${differs.join(", ")}): save the previewed settings, then apply it again, or start a new dry run`);
    }
  }

  async function begin(req: ReconciliationRequest, actor: string, opts: StartOptions, extra: { sourceRunId?: string; check?: string; guard?: () => Promise<void> }): Promise<Started> {
    if (stopping) throw new DirectoryError("conflict", "the bridge is shutting down");
    const prepared = await prepare(req);
    let runId = "";
    const body = async () => {
      await extra.guard?.();
      if (extra.check !== undefined) {
        // The reviewed plan must still be the plan: same digest, computed without writing anything.
        const env = { prisma, runId: "", dryRun: true, auditActor: "", record: false, shouldStop: () => stopping };
        const digest = req.kind === "resync" ? await runResync(env, req, prepared as Awaited<ReturnType<typeof resolveResyncScope>>) : await runImport({ ...env, users: deps.users, groups: deps.groups, logger }, req, prepared as ParsedExport);
        if (digest !== extra.check) throw new DirectoryError("conflict", `the plan changed since dry run ${extra.sourceRunId} was made (users, groups or settings changed): start a new dry run and review it`);
      }
      if (!req.dry_run) {
        // We hold the apply lock: any apply still marked running was cut off.
        await prisma.reconciliationRun.updateMany({ where: { status: "running", dryRun: false }, data: { status: "failed", error: "interrupted: the process running it stopped (run it again: finished batches are not redone)", finishedAt: new Date() } });
      }
      // Kept whole for the apply, escaped where it holds strings the database can't store (their records are error lines).
      const input = req.kind === "import" && req.dry_run ? { input: toStoredInput(req.data) as Prisma.InputJsonValue } : {};
      const run = await prisma.reconciliationRun.create({
        data: { kind: req.kind, dryRun: req.dry_run, actor, parameters: storedParameters(req) as Prisma.InputJsonObject, sourceRunId: extra.sourceRunId ?? null, ...input },
        select: { id: true },
      });
      runId = run.id;
      created();
      await execute(runId, req, prepared, opts);
    };
    let created!: () => void;
    let failedEarly!: (err: unknown) => void;
    const ready = new Promise<void>((resolve, reject) => {
      created = resolve;
      failedEarly = reject;
    });
    const work = (req.dry_run ? body() : withApplyLock(body)).catch((err: unknown) => failedEarly(err));
    background.add(work);
    void work.finally(() => background.delete(work));
    await ready;
    const finished = work.then(() => view(runId));
    if (opts.waitMs !== undefined && opts.waitMs > 0) await Promise.race([finished, new Promise((r) => setTimeout(r, opts.waitMs).unref())]);
    return { run: await view(runId), finished };
  }

  return {
    start: (req, actor, opts = {}) => begin(req, actor, opts, {}),

    async applyReviewed(id, actor, opts = {}) {
      if (!isUuid(id)) throw new DirectoryError("notFound", `reconciliation ${id} not found`);
      const run = await prisma.reconciliationRun.findUnique({ where: { id } });
      if (!run) throw new DirectoryError("notFound", `reconciliation ${id} not found`);
      if (!run.dryRun) throw new DirectoryError("conflict", `reconciliation ${id} is not a dry run: it was applied as it ran`);
      await expireStale();
      await refuseIfApplied(id, true);
      if (run.status !== "completed" || run.planDigest === null) throw new DirectoryError("conflict", `reconciliation ${id} is ${run.status}: only a completed dry run can be applied`);
      // A preview of candidate settings applies with the saved settings, once they are the candidate.
      const { settings, ...stored } = run.parameters as Record<string, unknown>;
      const params = { ...stored, dry_run: false, ...(run.kind === "import" ? { data: fromStoredInput(run.input) } : {}) };
      const req = reconciliationRequestSchema.parse(params);
      const guard = async () => {
        await refuseIfApplied(id, false);
        if (settings !== undefined) await refuseUnsavedSettings(id, settings);
      };
      if (settings !== undefined) await refuseUnsavedSettings(id, settings);
      return begin(req, actor, opts, { sourceRunId: id, check: run.planDigest, guard });
    },

    async list(page) {
      await expireStale();
      const [runs, count] = await Promise.all([
        prisma.reconciliationRun.findMany({ select: RUN_COLUMNS, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: page.limit, skip: page.offset }),
        prisma.reconciliationRun.count(),
      ]);
      return { runs: runs.map(runView), count };
    },

    async get(id, page) {
      if (!isUuid(id)) throw new DirectoryError("notFound", `reconciliation ${id} not found`);
      await expireStale();
      const run = await prisma.reconciliationRun.findUnique({ where: { id }, select: { ...RUN_COLUMNS, consequences: true } });
      if (!run) throw new DirectoryError("notFound", `reconciliation ${id} not found`);
      // Over the run's lines only (the (run_id, seq) index narrows to them); fine for a 100k-line report.
      const user = page.user?.trim();
      const where: Prisma.ReconciliationItemWhereInput = {
        runId: id,
        ...(page.kind ? { kind: page.kind } : {}),
        ...(page.dimension ? { dimension: page.dimension } : {}),
        ...(user ? (isUuid(user) ? { userId: user } : { username: { contains: likeLiteral(user), mode: "insensitive" as const } }) : {}),
      };
      const [items, count, consequences] = await Promise.all([
        prisma.reconciliationItem.findMany({ where, orderBy: { seq: "asc" }, take: page.limit, skip: page.offset }),
        prisma.reconciliationItem.count({ where }),
        // An aggregate over the whole report: on the first page (or when asked), not on every page.
        (page.consequences ?? page.offset === 0) ? storedConsequences(run) : undefined,
      ]);
      return { ...runView(run), ...(consequences ? { consequences } : {}), items: items.map(itemView), items_count: count, offset: page.offset, limit: page.limit };
    },

    async prune() {
      // Items go with their runs (ON DELETE CASCADE). An apply's source_run_id may then name a deleted dry run.
      // Through the driver: it runs at every start and hourly, and Prisma would load its query compiler
      // (about 30 MiB) into an otherwise idle bridge (README, Performance).
      const [row] = await db.sql.query<{ n: number }>(
        `WITH d AS (
           DELETE FROM reconciliation_runs r
            WHERE r.status <> 'running' AND coalesce(r.finished_at, r.updated_at) < $1
              AND r.id <> (SELECT n.id FROM reconciliation_runs n WHERE n.kind = r.kind ORDER BY n.created_at DESC, n.id DESC LIMIT 1)
            RETURNING 1)
         SELECT count(*)::int AS n FROM d`,
        [new Date(Date.now() - deps.runRetentionMs)],
      );
      return row?.n ?? 0;
    },

    async close() {
      stopping = true;
      await Promise.allSettled([...background]);
    },
  };
}
