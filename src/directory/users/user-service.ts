import { Prisma, type PrismaClient } from "../../generated/prisma/client";
import { userResourceType } from "../../scim/schema/registry";
import {
  ifMatchSatisfied,
  type Attributes,
  type AttributeChange,
  type ListQuery,
  type ListResult,
  type ResourceRecord,
  type ResourceService,
  type WriteContext,
} from "../../scim/resource-service";
import { emit } from "../../events/outbox";
import { refreshUserEvents, userChangeEvents } from "../../events/records";
import { syncUsers } from "../../sync/apply";
import { readOrganizationSyncSettings } from "../../sync/organization-settings";
import { recordAudit } from "../audit";
import { deriveClaims } from "../claims";
import { groupNamesOf } from "../claims-store";
import { DirectoryError, notFound } from "../errors";
import { groupsOfUsers } from "../groups/members";
import { isUniqueViolation, isUuid } from "../prisma-errors";
import { listResources } from "../scim-list";
import { userStorage } from "../scim-storage";
import { baseUsername, firstFreeUsername } from "../username";
import { keyOnWrite } from "../name-key";
import { checkUserName, nextStatus, userColumns, type UserStatus } from "./user-columns";

/**
 * SCIM Users over the `users` table. Every write is one transaction: the user row (with its derived
 * columns and version) and the audit row. DELETE keeps the user record (suspended) and drops only
 * the SCIM resource, so records that reference the user survive; a later POST of the same userName
 * provisions the same user again.
 */

type Tx = Prisma.TransactionClient;

interface UserRow {
  id: string;
  resource: unknown;
  status: UserStatus;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A row read for a write: also its stored name and key (a name-collision mark is kept or cleared). */
interface LockedUserRow extends UserRow {
  userName: string;
  userNameKey: string;
}

const PRECONDITION = "the resource was modified since you read it (If-Match does not match meta.version)";

function toRecord(row: UserRow): ResourceRecord {
  const attributes = { ...(row.resource as Attributes) };
  // The record's status is the truth (an admin may have suspended the user since the IdP wrote).
  attributes.active = row.status !== "suspended";
  return { id: row.id, attributes, version: row.version, created: row.createdAt, lastModified: row.updatedAt };
}

/** Without `active`: that attribute is derived from the status when read. */
function storedResource(attrs: Attributes): Prisma.InputJsonObject {
  const { active: _active, ...rest } = attrs;
  return rest as Prisma.InputJsonObject;
}

async function chooseUsername(tx: Tx, candidates: (string | undefined)[]): Promise<string> {
  const base = baseUsername(candidates);
  const rows = await tx.user.findMany({
    where: { OR: [{ username: base }, { username: { startsWith: `${base.slice(0, 28)}` } }] },
    select: { username: true },
  });
  return firstFreeUsername(base, new Set(rows.map((r) => r.username)));
}

/**
 * A provisioned user joins the default organization while organization sync settings say
 * `organization_assign_default` (the default). The membership's source is `sync`: sync manages it.
 */
async function joinDefaultOrganization(tx: Tx, user: { id: string; username: string }, actor: string): Promise<boolean> {
  const userId = user.id;
  const settings = await readOrganizationSyncSettings(tx);
  if (!settings.organization_assign_default) return false;
  const org = await tx.organization.findFirst({ where: { isDefault: true }, select: { id: true } });
  if (!org) return false;
  const added = await tx.organizationMember.createMany({ data: [{ organizationId: org.id, userId, source: "sync" }], skipDuplicates: true });
  if (added.count > 0) {
    await emit(tx, [{ type: "organization_member.added", data: { organization_id: org.id, user_id: userId, username: user.username, source: "sync" } }]);
    await recordAudit(tx, {
      actor,
      action: "organization_member.added",
      resourceType: "organization_member",
      resourceId: org.id,
      userId,
      details: { dimension: "organization", rule: "default", organization_id: org.id },
    });
  }
  return added.count > 0;
}

/**
 * The tail of a SCIM write after its user events (`seqs`): the default-organization join (create only)
 * and IdP sync, then the user records in those events brought up to the memberships at the end, when
 * either changed them (the events stay first: user, then its memberships).
 */
async function joinAndSync(tx: Tx, user: { id: string; username: string }, seqs: readonly bigint[], actor: string, join: boolean): Promise<void> {
  const joined = join && (await joinDefaultOrganization(tx, user, actor));
  const plans = await syncUsers(tx, [user.id], actor);
  if (joined || plans.some((p) => p.changes.some((c) => c.dimension === "organization"))) await refreshUserEvents(tx, user.id, seqs);
}

async function lockedUser(tx: Tx, id: string): Promise<LockedUserRow> {
  if (!isUuid(id)) throw notFound(`User ${id}`);
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM users WHERE id = ${id}::uuid AND resource IS NOT NULL FOR UPDATE`;
  if (locked.length === 0) throw notFound(`User ${id}`);
  return tx.user.findUniqueOrThrow({ where: { id } });
}

/**
 * Reads users by id with one raw statement: reads are the hot path (every IdP lookup), and Prisma 6's
 * client compiles each model query on the event loop (~0.6 ms of CPU; see bench/).
 */
async function userRows(db: PrismaClient, ids: readonly string[]): Promise<UserRow[]> {
  if (ids.length === 0) return [];
  const rows = await db.$queryRaw<UserRow[]>`
    SELECT id::text AS id, resource, status::text AS status, version, created_at AS "createdAt", updated_at AS "updatedAt"
      FROM users WHERE id = ANY(${[...ids]}::uuid[]) AND resource IS NOT NULL`;
  return rows.map((r) => ({ ...r, createdAt: new Date(r.createdAt), updatedAt: new Date(r.updatedAt) }));
}

/** Adds the read-only `groups` attribute: the IdP groups each user is a member of. */
async function withGroups(db: PrismaClient, records: ResourceRecord[]): Promise<ResourceRecord[]> {
  const groups = await groupsOfUsers(db, records.map((r) => r.id));
  return records.map((r) => {
    const g = groups.get(r.id);
    return g ? { ...r, attributes: { ...r.attributes, groups: g } } : r;
  });
}

export function createUserService(prisma: PrismaClient): ResourceService {
  const enrich = async (record: ResourceRecord) => (await withGroups(prisma, [record]))[0]!;

  async function write(tx: Tx, id: string, current: LockedUserRow, attrs: Attributes, ctx: WriteContext, action: string): Promise<UserRow> {
    if (!ifMatchSatisfied(ctx.ifMatch, current.version)) throw new DirectoryError("preconditionFailed", PRECONDITION);
    const cols = userColumns(attrs);
    checkUserName(cols.userName, current.userName);
    const clash = await tx.user.findUnique({ where: { userNameKey: cols.userNameKey }, select: { id: true } });
    const heldByAnother = clash !== null && clash.id !== id;
    const userNameKey = keyOnWrite({ id, key: current.userNameKey, name: current.userName }, cols.userNameKey, heldByAnother);
    if (heldByAnother && userNameKey === cols.userNameKey) throw new DirectoryError("conflict", `userName "${cols.userName}" is already taken`);
    const { active, ...columns } = { ...cols, userNameKey };
    const claims = deriveClaims(attrs, await groupNamesOf(tx, id)) as Prisma.InputJsonObject;
    const row = await tx.user.update({
      where: { id },
      data: { ...columns, claims, resource: storedResource(attrs), status: nextStatus(current.status, active), version: { increment: 1 } },
    });
    await recordAudit(tx, { actor: ctx.actor, action, resourceType: "user", resourceId: id, userId: id });
    const seqs = await emit(tx, await userChangeEvents(tx, id, current.status, "user.updated"));
    // IdP sync at provisioning time, in the same transaction: claims just changed.
    await joinAndSync(tx, row, seqs, ctx.actor, false);
    return row;
  }

  async function create(attrs: Attributes, ctx: WriteContext): Promise<ResourceRecord> {
    const cols = userColumns(attrs);
    const { active, ...columns } = cols;
    for (let attempt = 0; ; attempt++) {
      try {
        const row = await prisma.$transaction(async (tx) => {
          const existing = await tx.user.findUnique({ where: { userNameKey: cols.userNameKey } });
          // A name stored before the naming rules may come back as it was (a user DELETEd and POSTed again).
          checkUserName(cols.userName, existing?.userName);
          if (existing?.resource != null) throw new DirectoryError("conflict", `userName "${cols.userName}" is already taken`);
          if (existing) {
            // Deleted from SCIM earlier: the same user comes back (same id, same username handle).
            const claims = deriveClaims(attrs, await groupNamesOf(tx, existing.id)) as Prisma.InputJsonObject;
            const revived = await tx.user.update({
              where: { id: existing.id },
              data: { ...columns, claims, resource: storedResource(attrs), status: nextStatus("suspended", active ?? true), version: { increment: 1 } },
            });
            await recordAudit(tx, { actor: ctx.actor, action: "user.reprovisioned", resourceType: "user", resourceId: revived.id, userId: revived.id });
            const seqs = await emit(tx, await userChangeEvents(tx, revived.id, existing.status, "user.updated"));
            await joinAndSync(tx, revived, seqs, ctx.actor, true);
            return revived;
          }
          const username = await chooseUsername(tx, [cols.userName, cols.email ?? undefined]);
          const created = await tx.user.create({
            data: { ...columns, username, claims: deriveClaims(attrs, []) as Prisma.InputJsonObject, resource: storedResource(attrs), status: nextStatus(undefined, active) },
          });
          await recordAudit(tx, { actor: ctx.actor, action: "user.created", resourceType: "user", resourceId: created.id, userId: created.id });
          const seqs = await emit(tx, await userChangeEvents(tx, created.id, undefined, "user.created"));
          await joinAndSync(tx, created, seqs, ctx.actor, true);
          return created;
        });
        return enrich(toRecord(row));
      } catch (err) {
        // Two creates raced: on userName it is a conflict; on the handle, pick the next one.
        if (isUniqueViolation(err, "user_name_key")) throw new DirectoryError("conflict", `userName "${cols.userName}" is already taken`);
        if (isUniqueViolation(err, "username") && attempt < 5) continue;
        throw err;
      }
    }
  }

  return {
    resourceType: userResourceType,

    list(query: ListQuery): Promise<ListResult> {
      return listResources(prisma, {
        table: "users",
        storage: userStorage,
        where: "u.resource IS NOT NULL",
        query,
        load: async (ids) => withGroups(prisma, (await userRows(prisma, ids)).map(toRecord)),
      });
    },

    async get(id) {
      if (!isUuid(id)) return undefined;
      const [row] = await userRows(prisma, [id]);
      return row ? enrich(toRecord(row)) : undefined;
    },

    create,

    async replace(id, attrs, ctx) {
      const row = await prisma
        .$transaction(async (tx) => write(tx, id, await lockedUser(tx, id), attrs, ctx, "user.replaced"))
        .catch(translateUnique(attrs));
      return enrich(toRecord(row));
    },

    async patch(id, change: AttributeChange, ctx) {
      const row = await prisma
        .$transaction(async (tx) => {
          const current = await lockedUser(tx, id);
          if (!ifMatchSatisfied(ctx.ifMatch, current.version)) throw new DirectoryError("preconditionFailed", PRECONDITION);
          const { next, changed } = change(toRecord(current).attributes);
          // A PATCH that changes nothing writes nothing and keeps the version (Entra re-sends active=true).
          if (!changed) return current;
          return write(tx, id, current, next, ctx, "user.patched");
        })
        .catch(translateUnique({}));
      return enrich(toRecord(row));
    },

    async remove(id, ctx) {
      await prisma.$transaction(async (tx) => {
        const current = await lockedUser(tx, id);
        if (!ifMatchSatisfied(ctx.ifMatch, current.version)) throw new DirectoryError("preconditionFailed", PRECONDITION);
        await tx.user.update({
          where: { id },
          data: { resource: Prisma.DbNull, status: "suspended", version: { increment: 1 } },
        });
        await recordAudit(tx, { actor: ctx.actor, action: "user.deleted", resourceType: "user", resourceId: id, userId: id });
        await emit(tx, await userChangeEvents(tx, id, undefined, "user.deleted"));
      });
    },
  };
}

function translateUnique(attrs: Attributes): (err: unknown) => never {
  return (err) => {
    if (isUniqueViolation(err, "user_name_key")) {
      throw new DirectoryError("conflict", `userName "${String(attrs.userName ?? "")}" is already taken`);
    }
    throw err;
  };
}
