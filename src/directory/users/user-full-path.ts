import { Prisma, type PrismaClient } from "../../generated/prisma/client";
import { ifMatchSatisfied, type Attributes, type AttributeChange, type ResourceRecord, type WriteContext } from "../../scim/resource-service";
import { emit } from "../../events/outbox";
import { organizationMemberEvent } from "../../events/membership-events";
import { refreshUserEvents, userChangeEvents } from "../../events/records";
import { syncUsers } from "../../sync/apply";
import { reportingSync, type SyncObserver } from "../../sync/observer";
import type { UserPlan } from "../../sync/plan";
import { readOrganizationSyncSettings } from "../../sync/organization-settings";
import { recordAudit } from "../audit";
import { deriveClaims } from "../claims";
import { groupNamesOf } from "../claims-store";
import { DirectoryError, notFound } from "../errors";
import { isUniqueViolation, isUuid } from "../prisma-errors";
import { baseUsername, firstFreeUsername } from "../username";
import { keyOnWrite } from "../name-key";
import { checkUserName, nextStatus, userColumns, type UserStatus } from "./user-columns";

/**
 * SCIM user writes through Prisma, with IdP sync in the same transaction: the general path. The SCIM
 * requests take the SQL fast path (user-service.ts) and come here only when it can't serve them:
 * sync settings that map claims, or a user DELETEd earlier coming back.
 * Every write is one transaction: the user row (with its derived columns and version), the audit
 * row, the outbox events, the default-organization join and the sync's grants.
 */

type Tx = Prisma.TransactionClient;

export interface UserRow {
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

export const PRECONDITION = "the resource was modified since you read it (If-Match does not match meta.version)";

export function toRecord(row: UserRow): ResourceRecord {
  const attributes = { ...(row.resource as Attributes) };
  // The record's status is the truth (an admin may have suspended the user since the IdP wrote).
  attributes.active = row.status !== "suspended";
  return { id: row.id, attributes, version: row.version, created: row.createdAt, lastModified: row.updatedAt };
}

/** Without `active`: that attribute is derived from the status when read. */
export function storedResource(attrs: Attributes): Prisma.InputJsonObject {
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
    await emit(tx, [organizationMemberEvent("add", org.id, { user_id: userId, username: user.username }, { source: "sync" })]);
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
async function joinAndSync(tx: Tx, user: { id: string; username: string }, seqs: readonly bigint[], actor: string, join: boolean, synced: UserPlan[]): Promise<void> {
  const joined = join && (await joinDefaultOrganization(tx, user, actor));
  const plans = await syncUsers(tx, [user.id], actor);
  synced.push(...plans);
  if (joined || plans.some((p) => p.changes.some((c) => c.dimension === "organization"))) await refreshUserEvents(tx, user.id, seqs);
}

async function lockedUser(tx: Tx, id: string): Promise<LockedUserRow> {
  if (!isUuid(id)) throw notFound(`User ${id}`);
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM users WHERE id = ${id}::uuid AND resource IS NOT NULL FOR UPDATE`;
  if (locked.length === 0) throw notFound(`User ${id}`);
  return tx.user.findUniqueOrThrow({ where: { id } });
}

export interface FullPath {
  create(attrs: Attributes, ctx: WriteContext): Promise<UserRow>;
  replace(id: string, attrs: Attributes, ctx: WriteContext): Promise<UserRow>;
  patch(id: string, change: AttributeChange, ctx: WriteContext): Promise<UserRow>;
  remove(id: string, ctx: WriteContext): Promise<void>;
}

/** `observe` is told what sync applied, once each transaction has committed (metrics). */
export function createFullPath(prisma: PrismaClient, observe?: SyncObserver): FullPath {
  /** A transaction whose sync plans are reported after it committed. */
  const transaction = <T>(fn: (tx: Tx, synced: UserPlan[]) => Promise<T>): Promise<T> => reportingSync(observe, (synced) => prisma.$transaction((tx) => fn(tx, synced)));

  async function write(tx: Tx, id: string, current: LockedUserRow, attrs: Attributes, ctx: WriteContext, action: string, synced: UserPlan[]): Promise<UserRow> {
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
    await joinAndSync(tx, row, seqs, ctx.actor, false, synced);
    return row;
  }

  async function create(attrs: Attributes, ctx: WriteContext): Promise<UserRow> {
    const cols = userColumns(attrs);
    const { active, ...columns } = cols;
    for (let attempt = 0; ; attempt++) {
      try {
        const row = await transaction(async (tx, synced) => {
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
            await joinAndSync(tx, revived, seqs, ctx.actor, true, synced);
            return revived;
          }
          const username = await chooseUsername(tx, [cols.userName, cols.email ?? undefined]);
          const created = await tx.user.create({
            data: { ...columns, username, claims: deriveClaims(attrs, []) as Prisma.InputJsonObject, resource: storedResource(attrs), status: nextStatus(undefined, active) },
          });
          await recordAudit(tx, { actor: ctx.actor, action: "user.created", resourceType: "user", resourceId: created.id, userId: created.id });
          const seqs = await emit(tx, await userChangeEvents(tx, created.id, undefined, "user.created"));
          await joinAndSync(tx, created, seqs, ctx.actor, true, synced);
          return created;
        });
        return row;
      } catch (err) {
        // Two creates raced: on userName it is a conflict; on the handle, pick the next one.
        if (isUniqueViolation(err, "user_name_key")) throw new DirectoryError("conflict", `userName "${cols.userName}" is already taken`);
        if (isUniqueViolation(err, "username") && attempt < 5) continue;
        throw err;
      }
    }
  }

  return {
    create,

    replace(id, attrs, ctx) {
      return transaction(async (tx, synced) => write(tx, id, await lockedUser(tx, id), attrs, ctx, "user.replaced", synced)).catch(translateUnique(attrs));
    },

    patch(id, change: AttributeChange, ctx) {
      return transaction(async (tx, synced) => {
        const current = await lockedUser(tx, id);
        if (!ifMatchSatisfied(ctx.ifMatch, current.version)) throw new DirectoryError("preconditionFailed", PRECONDITION);
        const { next, changed } = change(toRecord(current).attributes);
        // A PATCH that changes nothing writes nothing and keeps the version (Entra re-sends active=true).
        if (!changed) return current;
        return write(tx, id, current, next, ctx, "user.patched", synced);
      }).catch(translateUnique({}));
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

export function translateUnique(attrs: Attributes): (err: unknown) => never {
  return (err) => {
    if (isUniqueViolation(err, "user_name_key")) {
      throw new DirectoryError("conflict", `userName "${String(attrs.userName ?? "")}" is already taken`);
    }
    throw err;
  };
}
