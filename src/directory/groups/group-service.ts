import { randomUUID } from "node:crypto";
import type { Database, SqlRunner } from "../../db/database";
import { ifMatchSatisfied, type Attributes, type ResourceRecord, type ResourceService, type WriteContext } from "../../scim/resource-service";
import type { MemberOp } from "../../scim/patch/members";
import { readSyncGate, syncIsOff } from "../../sync/gate";
import type { SyncObserver } from "../../sync/observer";
import type { AuditEntry } from "../audit";
import { DirectoryError, notFound } from "../errors";
import { isUniqueViolation, isUuid } from "../prisma-errors";
import { conflict, groupColumns, memberIdsOf, PRECONDITION, stored } from "./group-columns";
import { createGroupFullPath } from "./group-full-path";
import { applyMemberOp, finishCreate, insertGroup, keyHolder, lockGroup, readMembers, updateGroup, type GroupRow, type GroupValues, type LockedGroup } from "./group-sql";
import { notUserIds, opIds, unknownMembers, type MemberView } from "./members";

/**
 * SCIM Groups. The writes IdPs send (create, replace, patch: mostly member changes) run as a few
 * parameterised statements through the driver (group-sql.ts), the same number for one member or
 * thousands, when IdP sync maps no claim field (the default): a membership change then only rewrites
 * the members' `groups` claim. Otherwise the transaction is rolled back before it wrote anything and
 * the write runs on the general path (group-full-path.ts, Prisma), which also syncs the users whose
 * groups changed. Reads, lists and DELETE always take the general path.
 */

/** Thrown inside a fast-path transaction (before any write) to hand the request to the general path. */
class NeedsFullPath extends Error {}

function toRecord(row: GroupRow, members: MemberView[]): ResourceRecord {
  return { id: row.id, attributes: { ...(row.resource as Attributes), members }, version: row.version, created: row.createdAt, lastModified: row.updatedAt };
}

/** Applies the operations in order, each one statement; returns the users whose membership changed. */
async function applyMemberOps(tx: SqlRunner, groupId: string, ops: readonly MemberOp[]): Promise<string[]> {
  const touched = new Set<string>();
  for (const op of ops) {
    let ids = "values" in op ? opIds(op.values) : [];
    if (op.kind === "add" || op.kind === "replace") {
      const invalid = notUserIds(ids);
      if (invalid) throw invalid;
      // Adding nobody writes nothing.
      if (op.kind === "add" && ids.length === 0) continue;
    } else if (op.kind === "remove") {
      // Removing someone who is not a member (or no user at all) is not an error: the end state holds.
      ids = ids.filter(isUuid);
      if (ids.length === 0) continue;
    }
    const change = await applyMemberOp(tx, groupId, op, ids);
    const missing = new Set(change.missing);
    const unknown = unknownMembers(ids.filter((id) => missing.has(id)));
    if (unknown) throw unknown;
    change.touched.forEach((id) => touched.add(id));
  }
  return [...touched];
}

/** A member-only PATCH: the group's columns as they are. */
const unchanged = (g: LockedGroup): GroupValues => ({ displayName: g.displayName, displayNameKey: g.displayNameKey, externalId: g.externalId, resource: null });

const audited = (ctx: WriteContext, action: string, id: string): AuditEntry[] => [{ actor: ctx.actor, action, resourceType: "idp_group", resourceId: id }];

/** `observeSync` is told what IdP sync applied (the fast path applies none). */
export function createGroupService(db: Database, observeSync?: SyncObserver): ResourceService {
  const full = createGroupFullPath(db.prisma, observeSync);
  const sql = db.sql;

  /**
   * Runs `fast` on the locked group in one transaction; the general path when sync has work to do.
   * A taken displayName (the unique index) is a 409 on either path.
   */
  async function locked(
    id: string,
    fast: (tx: SqlRunner, current: LockedGroup) => Promise<ResourceRecord>,
    general: () => Promise<ResourceRecord>,
    attrsOfConflict: () => Attributes,
  ): Promise<ResourceRecord> {
    if (!isUuid(id)) throw notFound(`Group ${id}`);
    try {
      return await sql.transaction(async (tx) => {
        const current = await lockGroup(tx, id);
        if (!current) throw notFound(`Group ${id}`);
        if (!syncIsOff(current.gate)) throw new NeedsFullPath();
        return fast(tx, current);
      });
    } catch (err) {
      if (err instanceof NeedsFullPath) return general();
      throw isUniqueViolation(err, "display_name_key") ? conflict(attrsOfConflict()) : err;
    }
  }

  const columns = (tx: SqlRunner, attrs: Attributes, current?: LockedGroup) => groupColumns(attrs, current, (key) => keyHolder(tx, key));

  return {
    ...full,

    async create(attrs, ctx) {
      try {
        return await sql.transaction(async (tx) => {
          if (!syncIsOff(await readSyncGate(tx))) throw new NeedsFullPath();
          const values = { ...(await columns(tx, attrs)), resource: stored(attrs) };
          const ids = opIds(memberIdsOf(attrs));
          const invalid = notUserIds(ids);
          // A taken name (409) is reported before bad members (400), as on the general path.
          const row = await insertGroup(tx, randomUUID(), values, new Date(), invalid ? [] : ids);
          if (invalid) throw invalid;
          const missing = new Set(row.missing);
          const unknown = unknownMembers(ids.filter((m) => missing.has(m)));
          if (unknown) throw unknown;
          return toRecord(row, await finishCreate(tx, row.id, row.touched, audited(ctx, "idp_group.created", row.id)));
        });
      } catch (err) {
        if (err instanceof NeedsFullPath) return full.create(attrs, ctx);
        throw isUniqueViolation(err, "display_name_key") ? conflict(attrs) : err;
      }
    },

    replace(id, attrs, ctx) {
      return locked(
        id,
        async (tx, current) => {
          if (!ifMatchSatisfied(ctx.ifMatch, current.version)) throw new DirectoryError("preconditionFailed", PRECONDITION);
          const ids = opIds(memberIdsOf(attrs));
          const touched = await applyMemberOps(tx, id, [{ kind: "replace", values: ids }]);
          const values = { ...(await columns(tx, attrs, current)), resource: stored(attrs) };
          // The name may have changed too: every member, old (the removed, the kept) and new, gets its groups claim again.
          const row = await updateGroup(tx, id, values, new Date(), { touched: [...new Set([...touched, ...ids])], allMembers: false }, audited(ctx, "idp_group.replaced", id));
          return toRecord(row, row.members);
        },
        () => full.replace(id, attrs, ctx),
        () => attrs,
      );
    },

    patch(id, change, ctx) {
      let next: Attributes = {};
      return locked(
        id,
        async (tx, current) => {
          if (!ifMatchSatisfied(ctx.ifMatch, current.version)) throw new DirectoryError("preconditionFailed", PRECONDITION);
          const result = change(current.resource as Attributes);
          next = result.next;
          const touched = await applyMemberOps(tx, id, result.detached);
          // Idempotent: re-adding present members or re-sending the same name writes nothing.
          if (!result.changed && touched.length === 0) return toRecord(current, await readMembers(tx, id));
          const values = result.changed ? { ...(await columns(tx, next, current)), resource: stored(next) } : unchanged(current);
          const renamed = values.displayName !== current.displayName;
          const row = await updateGroup(tx, id, values, new Date(), { touched, allMembers: renamed }, audited(ctx, "idp_group.patched", id));
          return toRecord(row, row.members);
        },
        () => full.patch(id, change, ctx),
        () => next,
      );
    },
  };
}
