import type { Prisma, PrismaClient, ReconciliationItem, ReconciliationRun } from "../generated/prisma/client";
import { bulkInsert } from "../db/bulk";
import type { SyncObserver } from "../sync/observer";

/**
 * Stored runs and their report lines, and the JSON the admin API shows for them (snake_case, as the
 * rest of the Coder-shaped API).
 */

type Db = PrismaClient | Prisma.TransactionClient;

/** How long a `running` run may go without progress before it counts as interrupted. */
export const STALE_AFTER_MS = 120_000;

/** What both kinds of run work with. */
export interface RunEnv {
  prisma: PrismaClient;
  runId: string;
  dryRun: boolean;
  /** Written as the actor of every audit row an apply makes. */
  auditActor: string;
  onProgress?: (scanned: number, total: number) => void;
  /** False to compute the digest only (checking a reviewed dry run): nothing is written at all. */
  record: boolean;
  /** Asked between batches: true stops the run (the bridge is shutting down). */
  shouldStop: () => boolean;
  /** Told what sync applied, batch by batch once each has committed (metrics). */
  observeSync?: SyncObserver;
}

/** Thrown between batches when the bridge shuts down: the run ends `failed`, its batches stay. */
export class RunStopped extends Error {
  constructor() {
    super("stopped: the bridge shut down before the run finished (run it again: finished batches are not redone)");
  }
}

export interface ItemInput {
  kind: "change" | "problem" | "error";
  userId?: string | null;
  username?: string | null;
  dimension: string;
  action: string;
  organizationId?: string | null;
  groupId?: string | null;
  groupName?: string | null;
  role?: string | null;
  details?: Prisma.InputJsonObject;
}

export interface Counters {
  usersScanned: number;
  usersChanged: number;
  changes: number;
  problems: number;
  errors: number;
}

export const zeroCounters = (): Counters => ({ usersScanned: 0, usersChanged: 0, changes: 0, problems: 0, errors: 0 });

const ITEMS = {
  table: "reconciliation_items",
  columns: [
    ["run_id", "uuid"], ["kind", "text"], ["user_id", "uuid"], ["username", "text"], ["dimension", "text"], ["action", "text"],
    ["organization_id", "uuid"], ["group_id", "uuid"], ["group_name", "text"], ["role", "text"], ["details", "jsonb"],
  ],
} as const;

/** Appends report lines and adds to the counters, in the caller's transaction (the batch's). */
export async function recordBatch(tx: Db, runId: string, items: readonly ItemInput[], add: Counters): Promise<void> {
  await bulkInsert(
    tx,
    ITEMS,
    items.map((i) => ({
      run_id: runId,
      kind: i.kind,
      user_id: i.userId ?? null,
      username: i.username ?? null,
      dimension: i.dimension,
      action: i.action,
      organization_id: i.organizationId ?? null,
      group_id: i.groupId ?? null,
      group_name: i.groupName ?? null,
      role: i.role ?? null,
      details: i.details ?? {},
    })),
  );
  await tx.reconciliationRun.update({
    where: { id: runId },
    data: {
      usersScanned: { increment: add.usersScanned },
      usersChanged: { increment: add.usersChanged },
      changes: { increment: add.changes },
      problems: { increment: add.problems },
      errors: { increment: add.errors },
    },
  });
}

export type RunRow = Omit<ReconciliationRun, "input" | "consequences">;

/** Every column but the (possibly large) import document and the summed-up consequences. */
export const RUN_COLUMNS = {
  id: true,
  kind: true,
  dryRun: true,
  status: true,
  actor: true,
  parameters: true,
  usersTotal: true,
  usersScanned: true,
  usersChanged: true,
  changes: true,
  problems: true,
  errors: true,
  planDigest: true,
  sourceRunId: true,
  error: true,
  createdAt: true,
  updatedAt: true,
  finishedAt: true,
} as const satisfies Prisma.ReconciliationRunSelect;

export interface RunView {
  id: string;
  kind: string;
  status: "running" | "completed" | "failed";
  dry_run: boolean;
  started_by: string;
  parameters: unknown;
  summary: { users_total: number; users_scanned: number; users_changed: number; changes: number; problems: number; errors: number };
  plan_digest: string | null;
  source_run_id: string | null;
  error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export function runView(r: RunRow): RunView {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    dry_run: r.dryRun,
    started_by: r.actor,
    parameters: r.parameters,
    summary: {
      users_total: r.usersTotal,
      users_scanned: r.usersScanned,
      users_changed: r.usersChanged,
      changes: r.changes,
      problems: r.problems,
      errors: r.errors,
    },
    plan_digest: r.planDigest,
    source_run_id: r.sourceRunId,
    error: r.error,
    created_at: r.createdAt.toISOString(),
    updated_at: r.updatedAt.toISOString(),
    finished_at: r.finishedAt?.toISOString() ?? null,
  };
}

export function itemView(i: ReconciliationItem): Record<string, unknown> {
  const view: Record<string, unknown> = { kind: i.kind, dimension: i.dimension, action: i.action };
  if (i.userId) view.user_id = i.userId;
  if (i.username) view.username = i.username;
  if (i.organizationId) view.organization_id = i.organizationId;
  if (i.dimension === "group" && i.kind === "change") view.group_id = i.groupId;
  if (i.groupName) view.group_name = i.groupName;
  if (i.role) view.role = i.role;
  return { ...view, ...(i.details as Record<string, unknown>) };
}
