import { createHash, type Hash } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client";
import { DirectoryError } from "../directory/errors";
import { isUuid } from "../directory/prisma-errors";
import { parseFilter } from "../scim/filter/parse";
import { toSql } from "../scim/filter/sql";
import { ScimError } from "../scim/errors";
import { userResourceType } from "../scim/schema/registry";
import { userStorage } from "../directory/scim-storage";
import { applyPlans, loadSyncContext, planUsers } from "../sync/apply";
import { reportingSync } from "../sync/observer";
import { overridesOf, resolveCandidate, type SettingsOverrides } from "../sync/candidate";
import { describeReason, type Change, type UserPlan } from "../sync/plan";
import { RunStopped, recordBatch, zeroCounters, type ItemInput, type RunEnv } from "./store";
import type { ResyncRequest } from "./request";

/**
 * A resync: every user (or those a SCIM filter selects) planned again from stored claims and current
 * settings, in batches walked in id order. A dry run writes only the report; an apply writes each
 * batch's changes, report lines and counters in one transaction, with the batch's user rows locked,
 * so an interrupted apply leaves every user fully old or fully new, and running it again changes only
 * what is still different (nothing twice).
 */

export interface ResyncScope {
  organizationId: string | undefined;
  where: { text: string; values: unknown[] };
  /** Candidate settings previewed instead of the saved ones. */
  overrides?: SettingsOverrides;
}

/** Validates the request's organization, filter and candidate settings (a bad one is a 400 before anything starts). */
export async function resolveResyncScope(prisma: PrismaClient, req: ResyncRequest): Promise<ResyncScope> {
  let overrides: SettingsOverrides | undefined;
  if (req.settings !== undefined) {
    // Applying goes through the reviewed plan, so that what is applied is what is saved.
    if (!req.dry_run) throw new DirectoryError("invalid", "settings: candidate settings can only be previewed (dry_run: true); save them, then apply the preview run (POST /api/v2/reconciliations/{id}/apply)");
    overrides = overridesOf(await resolveCandidate(prisma, req.settings));
  }
  let organizationId: string | undefined;
  if (req.organization !== undefined) {
    const org = await prisma.organization.findFirst({ where: isUuid(req.organization) ? { id: req.organization } : { name: req.organization }, select: { id: true } });
    if (!org) throw new DirectoryError("invalid", `organization ${JSON.stringify(req.organization)} does not exist`);
    organizationId = org.id;
  }
  let where = { text: "TRUE", values: [] as unknown[] };
  if (req.filter !== undefined) {
    try {
      where = toSql(parseFilter(userResourceType, req.filter), userStorage, "u");
    } catch (err) {
      if (err instanceof ScimError) throw new DirectoryError("invalid", `filter: ${err.message}`);
      throw err;
    }
  }
  return { organizationId, where, ...(overrides ? { overrides } : {}) };
}

/** Keeps only what concerns one organization (an organization-scoped resync). */
function scoped(plan: UserPlan, organizationId: string | undefined): UserPlan {
  if (!organizationId) return plan;
  return {
    userId: plan.userId,
    changes: plan.changes.filter((c) => c.organizationId === organizationId),
    problems: plan.problems.filter((p) => p.organizationId === organizationId || (p.dimension === "organization" && !p.organizationId)),
  };
}

function digestLine(userId: string, c: Change): string {
  const target = c.dimension === "group" ? (c.groupId ?? `new:${c.groupName}`) : c.dimension === "role" ? c.role : "";
  return `${JSON.stringify([userId, c.dimension, c.action, c.organizationId, target])}\n`;
}

function itemsOf(plans: readonly UserPlan[], usernames: ReadonlyMap<string, string>): ItemInput[] {
  const items: ItemInput[] = [];
  for (const p of plans) {
    const who = { userId: p.userId, username: usernames.get(p.userId) ?? null };
    for (const c of p.changes) {
      items.push({
        kind: "change",
        ...who,
        dimension: c.dimension,
        action: c.action,
        organizationId: c.organizationId,
        ...(c.dimension === "group" ? { groupId: c.groupId, groupName: c.groupName } : {}),
        ...(c.dimension === "role" ? { role: c.role } : {}),
        details: describeReason(c.reason),
      });
    }
    for (const problem of p.problems) {
      items.push({ kind: "problem", ...who, dimension: problem.dimension, action: "problem", organizationId: problem.organizationId ?? null, details: { message: problem.message } });
    }
  }
  return items;
}

/** Runs the resync and returns its plan digest (sha256 over the changes in order). */
export async function runResync(env: RunEnv, req: ResyncRequest, scope: ResyncScope): Promise<string> {
  const { prisma } = env;
  const n = scope.where.values.length;
  const [{ total }] = await prisma.$queryRawUnsafe<[{ total: number }]>(`SELECT count(*)::int AS total FROM users u WHERE ${scope.where.text}`, ...scope.where.values);
  if (env.record) await prisma.reconciliationRun.update({ where: { id: env.runId }, data: { usersTotal: total } });
  env.onProgress?.(0, total);
  const digest: Hash = createHash("sha256");
  let cursor = "00000000-0000-0000-0000-000000000000";
  let scanned = 0;
  for (;;) {
    // Between batches, let waiting requests in first: the embedded database is one connection, and a
    // run that took the next batch at once would hold the whole API until it finished.
    await new Promise((r) => setImmediate(r));
    if (env.shouldStop()) throw new RunStopped();
    const last = await reportingSync(env.observeSync, (synced) =>
      prisma.$transaction(async (tx) => {
        const rows = await tx.$queryRawUnsafe<{ id: string }[]>(
          `SELECT u.id::text AS id FROM users u WHERE u.id > $${n + 1}::uuid AND (${scope.where.text}) ORDER BY u.id LIMIT $${n + 2}`,
          ...scope.where.values,
          cursor,
          req.batch_size,
        );
        if (rows.length === 0) return undefined;
        const ids = rows.map((r) => r.id);
        const ctx = await loadSyncContext(tx, scope.overrides);
        const plans = (await planUsers(tx, ctx, ids, { lock: !env.dryRun })).map((p) => scoped(p, scope.organizationId));
        // Before applying: the digest names groups auto-create will make as a dry run saw them.
        for (const p of plans) for (const c of p.changes) digest.update(digestLine(p.userId, c));
        if (!env.dryRun) {
          await applyPlans(tx, plans, env.auditActor);
          synced.push(...plans);
        }
        const touched = plans.filter((p) => p.changes.length > 0 || p.problems.length > 0).map((p) => p.userId);
        const names = touched.length > 0 ? await tx.user.findMany({ where: { id: { in: touched } }, select: { id: true, username: true } }) : [];
        const items = itemsOf(plans, new Map(names.map((u) => [u.id, u.username])));
        const counters = zeroCounters();
        counters.usersScanned = ids.length;
        for (const p of plans) {
          if (p.changes.length > 0) counters.usersChanged++;
          counters.changes += p.changes.length;
          counters.problems += p.problems.length;
        }
        if (env.record) await recordBatch(tx, env.runId, items, counters);
        return { id: ids[ids.length - 1]!, count: ids.length };
      }),
    );
    if (!last) break;
    cursor = last.id;
    scanned += last.count;
    env.onProgress?.(scanned, Math.max(total, scanned));
  }
  return digest.digest("hex");
}
