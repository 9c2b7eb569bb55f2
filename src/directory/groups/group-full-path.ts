import { Prisma, type PrismaClient } from "../../generated/prisma/client";
import { groupResourceType } from "../../scim/schema/registry";
import {
  ifMatchSatisfied,
  type Attributes,
  type ResourceRecord,
  type ResourceService,
  type WriteContext,
} from "../../scim/resource-service";
import { recordAudit } from "../audit";
import { syncUsers } from "../../sync/apply";
import { reportingSync, type SyncObserver } from "../../sync/observer";
import type { UserPlan } from "../../sync/plan";
import { memberIdsOfGroup, refreshGroupClaims } from "../claims-store";
import { DirectoryError, notFound } from "../errors";
import { isUniqueViolation, isUuid } from "../prisma-errors";
import { listResources } from "../scim-list";
import { groupTable } from "../scim-storage";
import { conflict, groupColumns, memberIdsOf, PRECONDITION, stored } from "./group-columns";
import { applyMemberOps, membersOf } from "./members";

/** A membership change changes members' `groups` claim: refresh it, then sync those users. */
async function membersChanged(tx: Prisma.TransactionClient, userIds: readonly string[], actor: string, synced: UserPlan[]): Promise<void> {
  await refreshGroupClaims(tx, userIds);
  synced.push(...(await syncUsers(tx, userIds, actor)));
}

/**
 * SCIM Groups over `idp_groups` and `idp_group_members` through Prisma: the IdP's groups, kept as
 * sent. Members are never part of the JSON document; they are set operations on the membership table,
 * in the same transaction as the group row (locked, so concurrent PATCHes on one group serialise).
 *
 * The general path: reads, lists and DELETE always; creates, replaces and patches when IdP sync maps a
 * claim field (it syncs the users whose groups changed). group-service.ts runs those writes on the
 * driver otherwise.
 */

type Tx = Prisma.TransactionClient;

interface GroupRow {
  id: string;
  displayName: string;
  displayNameKey: string;
  resource: unknown;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** The columns of a write, the marked-key lookup (group-columns.ts) through Prisma. */
function columns(tx: Tx, attrs: Attributes, current?: GroupRow) {
  return groupColumns(attrs, current, async (displayNameKey) => (await tx.idpGroup.findUnique({ where: { displayNameKey }, select: { id: true } }))?.id);
}

async function lockedGroup(tx: Tx, id: string): Promise<GroupRow> {
  if (!isUuid(id)) throw notFound(`Group ${id}`);
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM idp_groups WHERE id = ${id}::uuid FOR UPDATE`;
  if (locked.length === 0) throw notFound(`Group ${id}`);
  return tx.idpGroup.findUniqueOrThrow({ where: { id } });
}

/** `observe` is told what sync applied, once each transaction has committed (metrics). */
export function createGroupFullPath(prisma: PrismaClient, observe?: SyncObserver): ResourceService {
  /** A transaction whose sync plans are reported after it committed. */
  const transaction = <T>(fn: (tx: Tx, synced: UserPlan[]) => Promise<T>): Promise<T> => reportingSync(observe, (synced) => prisma.$transaction((tx) => fn(tx, synced)));

  async function load(db: Tx, rows: GroupRow[], withMembers: boolean): Promise<ResourceRecord[]> {
    const members = withMembers ? await membersOf(db, rows.map((r) => r.id)) : undefined;
    return rows.map((row) => ({
      id: row.id,
      attributes: { ...(row.resource as Attributes), ...(members ? { members: members.get(row.id) ?? [] } : {}) },
      version: row.version,
      created: row.createdAt,
      lastModified: row.updatedAt,
    }));
  }

  const one = async (db: Tx, row: GroupRow, withMembers = true) => (await load(db, [row], withMembers))[0]!;

  return {
    resourceType: groupResourceType,

    list(query) {
      return listResources(prisma, {
        table: groupTable.table,
        storage: groupTable.storage,
        where: groupTable.where("u"),
        query,
        load: async (ids) => load(prisma, await prisma.idpGroup.findMany({ where: { id: { in: ids } } }), query.withMembers),
      });
    },

    async get(id, opts) {
      if (!isUuid(id)) return undefined;
      const row = await prisma.idpGroup.findUnique({ where: { id } });
      return row ? one(prisma, row, opts.withMembers) : undefined;
    },

    async getMany(ids, opts) {
      const valid = ids.filter(isUuid);
      return valid.length === 0 ? [] : load(prisma, await prisma.idpGroup.findMany({ where: { id: { in: valid } } }), opts.withMembers);
    },

    async create(attrs, ctx) {
      return transaction(async (tx, synced) => {
        const row = await tx.idpGroup.create({ data: { ...(await columns(tx, attrs)), resource: stored(attrs) } });
        await membersChanged(tx, await applyMemberOps(tx, row.id, [{ kind: "add", values: memberIdsOf(attrs) }]), ctx.actor, synced);
        await recordAudit(tx, { actor: ctx.actor, action: "idp_group.created", resourceType: "idp_group", resourceId: row.id });
        return one(tx, row);
      }).catch((err: unknown) => {
        throw isUniqueViolation(err, "display_name_key") ? conflict(attrs) : err;
      });
    },

    async replace(id, attrs, ctx: WriteContext) {
      return transaction(async (tx, synced) => {
        const current = await lockedGroup(tx, id);
        if (!ifMatchSatisfied(ctx.ifMatch, current.version)) throw new DirectoryError("preconditionFailed", PRECONDITION);
        const before = await memberIdsOfGroup(tx, id);
        await applyMemberOps(tx, id, [{ kind: "replace", values: memberIdsOf(attrs) }]);
        const row = await tx.idpGroup.update({ where: { id }, data: { ...(await columns(tx, attrs, current)), resource: stored(attrs), version: { increment: 1 } } });
        // The name may have changed too: every member, old and new, gets its groups claim again.
        await membersChanged(tx, [...new Set([...before, ...memberIdsOf(attrs).map((m) => m.toLowerCase())])], ctx.actor, synced);
        await recordAudit(tx, { actor: ctx.actor, action: "idp_group.replaced", resourceType: "idp_group", resourceId: id });
        return one(tx, row);
      }).catch((err: unknown) => {
        throw isUniqueViolation(err, "display_name_key") ? conflict(attrs) : err;
      });
    },

    async patch(id, change, ctx) {
      let next: Attributes = {};
      return transaction(async (tx, synced) => {
        const current = await lockedGroup(tx, id);
        if (!ifMatchSatisfied(ctx.ifMatch, current.version)) throw new DirectoryError("preconditionFailed", PRECONDITION);
        const result = change(current.resource as Attributes);
        next = result.next;
        const touched = await applyMemberOps(tx, id, result.detached);
        // Idempotent: re-adding present members or re-sending the same name writes nothing.
        if (!result.changed && touched.length === 0) return one(tx, current);
        const row = await tx.idpGroup.update({
          where: { id },
          data: { ...(result.changed ? { ...(await columns(tx, next, current)), resource: stored(next) } : {}), version: { increment: 1 } },
        });
        const renamed = row.displayName !== current.displayName;
        await membersChanged(tx, renamed ? await memberIdsOfGroup(tx, id).then((m) => [...new Set([...m, ...touched])]) : touched, ctx.actor, synced);
        await recordAudit(tx, { actor: ctx.actor, action: "idp_group.patched", resourceType: "idp_group", resourceId: id });
        return one(tx, row);
      }).catch((err: unknown) => {
        throw isUniqueViolation(err, "display_name_key") ? conflict(next) : err;
      });
    },

    async remove(id, ctx) {
      await transaction(async (tx, synced) => {
        const current = await lockedGroup(tx, id);
        if (!ifMatchSatisfied(ctx.ifMatch, current.version)) throw new DirectoryError("preconditionFailed", PRECONDITION);
        // Memberships go with the group (ON DELETE CASCADE); its members lose it from their claims.
        const members = await memberIdsOfGroup(tx, id);
        await tx.idpGroup.delete({ where: { id } });
        await membersChanged(tx, members, ctx.actor, synced);
        await recordAudit(tx, { actor: ctx.actor, action: "idp_group.deleted", resourceType: "idp_group", resourceId: id });
      });
    },
  };
}
