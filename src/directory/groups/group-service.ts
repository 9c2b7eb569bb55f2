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
import { memberIdsOfGroup, refreshGroupClaims } from "../claims-store";

/** A membership change changes members' `groups` claim: refresh it, then sync those users. */
async function membersChanged(tx: Prisma.TransactionClient, userIds: readonly string[], actor: string): Promise<void> {
  await refreshGroupClaims(tx, userIds);
  await syncUsers(tx, userIds, actor);
}
import { DirectoryError, notFound } from "../errors";
import { isMarkedKey, keyOnWrite, nameKey, nameProblem } from "../name-key";
import { isUniqueViolation, isUuid } from "../prisma-errors";
import { listResources } from "../scim-list";
import { groupStorage } from "../scim-storage";
import { applyMemberOps, membersOf } from "./members";

/**
 * SCIM Groups over `idp_groups` and `idp_group_members`: the IdP's groups, kept as sent. Members are
 * never part of the JSON document; they are set operations on the membership table, in the same
 * transaction as the group row (locked, so concurrent PATCHes on one group serialise).
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

const PRECONDITION = "the resource was modified since you read it (If-Match does not match meta.version)";

function memberIdsOf(attrs: Attributes): string[] {
  const members = Array.isArray(attrs.members) ? (attrs.members as { value?: unknown }[]) : [];
  return members.map((m) => m.value).filter((v): v is string => typeof v === "string");
}

/** The document without members (they live in their own table). */
function stored(attrs: Attributes): Prisma.InputJsonObject {
  const { members: _members, ...rest } = attrs;
  return rest as Prisma.InputJsonObject;
}

/**
 * The columns derived from a group's attributes; the name is checked against the naming rules
 * (nameProblem: 400 invalidValue) unless it is the one `current` already has (a group written before
 * the rules keeps taking updates until renamed). A group whose key is marked (its name collided with
 * an older group's when keys were recomputed) keeps the mark while it keeps that name and another group
 * holds it; a rename to a name another group holds fails on the unique index (409) like any group's.
 */
async function columns(tx: Tx, attrs: Attributes, current?: GroupRow) {
  const displayName = String(attrs.displayName ?? "");
  if (displayName !== current?.displayName) {
    const problem = nameProblem(displayName, "displayName");
    if (problem !== undefined) throw new DirectoryError("invalid", problem);
  }
  let displayNameKey = nameKey(displayName);
  if (current && isMarkedKey(current.id, current.displayNameKey)) {
    // Only a marked group may keep a key other than its name's: one lookup, for those alone.
    const holder = await tx.idpGroup.findUnique({ where: { displayNameKey }, select: { id: true } });
    displayNameKey = keyOnWrite({ id: current.id, key: current.displayNameKey, name: current.displayName }, displayNameKey, holder !== null && holder.id !== current.id);
  }
  return { displayName, displayNameKey, externalId: typeof attrs.externalId === "string" ? attrs.externalId : null };
}

function conflict(attrs: Attributes): DirectoryError {
  return new DirectoryError("conflict", `displayName "${String(attrs.displayName ?? "")}" is already taken`);
}

async function lockedGroup(tx: Tx, id: string): Promise<GroupRow> {
  if (!isUuid(id)) throw notFound(`Group ${id}`);
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM idp_groups WHERE id = ${id}::uuid FOR UPDATE`;
  if (locked.length === 0) throw notFound(`Group ${id}`);
  return tx.idpGroup.findUniqueOrThrow({ where: { id } });
}

export function createGroupService(prisma: PrismaClient): ResourceService {
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
        table: "idp_groups",
        storage: groupStorage,
        where: "TRUE",
        query,
        load: async (ids) => load(prisma, await prisma.idpGroup.findMany({ where: { id: { in: ids } } }), query.withMembers),
      });
    },

    async get(id, opts) {
      if (!isUuid(id)) return undefined;
      const row = await prisma.idpGroup.findUnique({ where: { id } });
      return row ? one(prisma, row, opts.withMembers) : undefined;
    },

    async create(attrs, ctx) {
      return prisma
        .$transaction(async (tx) => {
          const row = await tx.idpGroup.create({ data: { ...(await columns(tx, attrs)), resource: stored(attrs) } });
          await membersChanged(tx, await applyMemberOps(tx, row.id, [{ kind: "add", values: memberIdsOf(attrs) }]), ctx.actor);
          await recordAudit(tx, { actor: ctx.actor, action: "idp_group.created", resourceType: "idp_group", resourceId: row.id });
          return one(tx, row);
        })
        .catch((err: unknown) => {
          throw isUniqueViolation(err, "display_name_key") ? conflict(attrs) : err;
        });
    },

    async replace(id, attrs, ctx: WriteContext) {
      return prisma
        .$transaction(async (tx) => {
          const current = await lockedGroup(tx, id);
          if (!ifMatchSatisfied(ctx.ifMatch, current.version)) throw new DirectoryError("preconditionFailed", PRECONDITION);
          const before = await memberIdsOfGroup(tx, id);
          await applyMemberOps(tx, id, [{ kind: "replace", values: memberIdsOf(attrs) }]);
          const row = await tx.idpGroup.update({ where: { id }, data: { ...(await columns(tx, attrs, current)), resource: stored(attrs), version: { increment: 1 } } });
          // The name may have changed too: every member, old and new, gets its groups claim again.
          await membersChanged(tx, [...new Set([...before, ...memberIdsOf(attrs).map((m) => m.toLowerCase())])], ctx.actor);
          await recordAudit(tx, { actor: ctx.actor, action: "idp_group.replaced", resourceType: "idp_group", resourceId: id });
          return one(tx, row);
        })
        .catch((err: unknown) => {
          throw isUniqueViolation(err, "display_name_key") ? conflict(attrs) : err;
        });
    },

    async patch(id, change, ctx) {
      let next: Attributes = {};
      return prisma
        .$transaction(async (tx) => {
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
          await membersChanged(tx, renamed ? await memberIdsOfGroup(tx, id).then((m) => [...new Set([...m, ...touched])]) : touched, ctx.actor);
          await recordAudit(tx, { actor: ctx.actor, action: "idp_group.patched", resourceType: "idp_group", resourceId: id });
          return one(tx, row);
        })
        .catch((err: unknown) => {
          throw isUniqueViolation(err, "display_name_key") ? conflict(next) : err;
        });
    },

    async remove(id, ctx) {
      await prisma.$transaction(async (tx) => {
        const current = await lockedGroup(tx, id);
        if (!ifMatchSatisfied(ctx.ifMatch, current.version)) throw new DirectoryError("preconditionFailed", PRECONDITION);
        // Memberships go with the group (ON DELETE CASCADE); its members lose it from their claims.
        const members = await memberIdsOfGroup(tx, id);
        await tx.idpGroup.delete({ where: { id } });
        await membersChanged(tx, members, ctx.actor);
        await recordAudit(tx, { actor: ctx.actor, action: "idp_group.deleted", resourceType: "idp_group", resourceId: id });
      });
    },
  };
}
