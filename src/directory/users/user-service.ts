import { randomUUID } from "node:crypto";
import type { Database } from "../../db/database";
import { userResourceType } from "../../scim/schema/registry";
import { sortSql, toSql } from "../../scim/filter/sql";
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
import type { DomainEvent } from "../../events/outbox";
import { changeEventsOf } from "../../events/records";
import { parseOrganizationSyncSettings } from "../../sync/organization-settings";
import { toAdminUser } from "../admin-users";
import type { AuditEntry } from "../audit";
import { deriveClaims } from "../claims";
import { DirectoryError, notFound } from "../errors";
import { isUniqueViolation, isUuid } from "../prisma-errors";
import { userStorage } from "../scim-storage";
import { baseUsername, firstFreeUsername, withSuffix } from "../username";
import { keyOnWrite } from "../name-key";
import { checkUserName, nextStatus, userColumns } from "./user-columns";
import { createFullPath, PRECONDITION, storedResource, translateUnique } from "./user-full-path";
import { syncIsOff } from "../../sync/gate";
import { countUsers, handlesStartingWith, insertUser, keyHolder, listUserPage, lockForWrite, readForCreate, readUsers, updateUser, type LockedUser, type UserRow } from "./user-sql";

/**
 * SCIM Users over the `users` table. DELETE keeps the user record (suspended) and drops only the SCIM
 * resource, so records that reference the user survive; a later POST of the same userName provisions
 * the same user again.
 *
 * The requests IdPs send most (one per user change: create, replace, patch, read, filter) run as a
 * few parameterised statements through the driver (user-sql.ts), not Prisma model queries: a create
 * is BEGIN, one read, one write, COMMIT, with its audit rows and outbox events in that write. They
 * take this fast path when IdP sync has nothing to compute (no claim field mapped anywhere: the
 * default); otherwise the same transaction is rolled back before it wrote anything and the write runs
 * on the general path (user-full-path.ts), which plans and applies sync in its transaction.
 */

/** How many handles (`alice`, `alice-2`, …) a create checks in its one read before the general path. */
const HANDLE_CANDIDATES = 20;

/** Thrown inside a fast-path transaction (before any write) to hand the request to the general path. */
class NeedsFullPath extends Error {}

function toRecord(row: UserRow): ResourceRecord {
  const attributes: Attributes = { ...(row.resource as Attributes) };
  // The record's status is the truth (an admin may have suspended the user since the IdP wrote).
  attributes.active = row.status !== "suspended";
  // The read-only `groups` attribute (RFC 7643 §4.1.2), present when the user is in a group.
  if (row.groups.length > 0) attributes.groups = row.groups;
  return { id: row.id, attributes, version: row.version, created: row.createdAt, lastModified: row.updatedAt };
}

const conflict = (userName: string) => new DirectoryError("conflict", `userName "${userName}" is already taken`);

export function createUserService(db: Database): ResourceService {
  const full = createFullPath(db.prisma);
  const sql = db.sql;

  /** A general-path write, read back with its groups. */
  async function reread(id: string): Promise<ResourceRecord> {
    const [row] = await readUsers(sql, [id]);
    if (!row) throw notFound(`User ${id}`);
    return toRecord(row);
  }

  async function create(attrs: Attributes, ctx: WriteContext): Promise<ResourceRecord> {
    const cols = userColumns(attrs);
    const base = baseUsername([cols.userName, cols.email ?? undefined]);
    const handles = Array.from({ length: HANDLE_CANDIDATES }, (_, i) => withSuffix(base, i + 1));
    for (let attempt = 0; ; attempt++) {
      try {
        return toRecord(
          await sql.transaction(async (tx) => {
            const found = await readForCreate(tx, cols.userNameKey, handles);
            // A name stored before the naming rules may come back as it was (a user DELETEd and POSTed again).
            checkUserName(cols.userName, found.existing?.userName);
            if (found.existing?.hasResource) throw conflict(cols.userName);
            // Brought back after a DELETE (same id and handle), or sync to compute.
            if (found.existing || !syncIsOff(found.gate)) throw new NeedsFullPath();
            const taken = new Set(found.taken);
            // A crowded base (every candidate taken) costs one more statement: all handles sharing it.
            const username = handles.find((h) => !taken.has(h)) ?? firstFreeUsername(base, new Set(await handlesStartingWith(tx, base.slice(0, 28))));
            const joins = parseOrganizationSyncSettings(found.gate.organizationSettings).organization_assign_default;
            const organizationId = joins ? found.gate.defaultOrganizationId : null;
            const id = randomUUID();
            const at = new Date();
            const status = nextStatus(undefined, cols.active);
            const resource = storedResource(attrs);
            const record = toAdminUser({ ...cols, id, username, status, loginType: "oidc", createdAt: at, updatedAt: at, memberships: organizationId ? [{ organizationId }] : [] });
            const audit: AuditEntry[] = [{ actor: ctx.actor, action: "user.created", resourceType: "user", resourceId: id, userId: id }];
            const events: DomainEvent[] = changeEventsOf(record, undefined, "user.created");
            if (organizationId) {
              // The default organization (organization_assign_default); sync manages the membership.
              audit.push({
                actor: ctx.actor,
                action: "organization_member.added",
                resourceType: "organization_member",
                resourceId: organizationId,
                userId: id,
                details: { dimension: "organization", rule: "default", organization_id: organizationId },
              });
              events.push({ type: "organization_member.added", data: { organization_id: organizationId, user_id: id, username, source: "sync" } });
            }
            await insertUser(tx, { ...cols, id, username, at, status, claims: deriveClaims(attrs, []), resource }, organizationId, audit, events);
            return { id, resource, status, version: 1, createdAt: at, updatedAt: at, groups: [] };
          }),
        );
      } catch (err) {
        if (err instanceof NeedsFullPath) return reread((await full.create(attrs, ctx)).id);
        // Two creates raced: on userName it is a conflict; on the handle, pick the next one.
        if (isUniqueViolation(err, "user_name_key")) throw conflict(cols.userName);
        if (isUniqueViolation(err, "username") && attempt < 5) continue;
        throw err;
      }
    }
  }

  /** The write of a replace or a changing patch, on the locked row `current`. */
  async function write(tx: Parameters<Parameters<typeof sql.transaction>[0]>[0], current: LockedUser, attrs: Attributes, ctx: WriteContext, action: string): Promise<UserRow> {
    const id = current.id;
    if (!ifMatchSatisfied(ctx.ifMatch, current.version)) throw new DirectoryError("preconditionFailed", PRECONDITION);
    const cols = userColumns(attrs);
    checkUserName(cols.userName, current.userName);
    // The key is looked up only when it changes (a rename): otherwise the holder is this user.
    const holder = cols.userNameKey === current.userNameKey ? id : await keyHolder(tx, cols.userNameKey);
    const heldByAnother = holder !== undefined && holder !== id;
    const userNameKey = keyOnWrite({ id, key: current.userNameKey, name: current.userName }, cols.userNameKey, heldByAnother);
    if (heldByAnother && userNameKey === cols.userNameKey) throw conflict(cols.userName);
    const at = new Date();
    const status = nextStatus(current.status, cols.active);
    const resource = storedResource(attrs);
    const claims = deriveClaims(attrs, current.groups.map((g) => g.display));
    const record = toAdminUser({
      ...cols,
      id,
      username: current.username,
      status,
      loginType: current.loginType,
      createdAt: current.createdAt,
      updatedAt: at,
      memberships: current.organizationIds.map((organizationId) => ({ organizationId })),
    });
    const audit: AuditEntry[] = [{ actor: ctx.actor, action, resourceType: "user", resourceId: id, userId: id }];
    await updateUser(tx, id, { ...cols, userNameKey, status, claims, resource, at }, audit, changeEventsOf(record, current.status, "user.updated"));
    return { id, resource, status, version: current.version + 1, createdAt: current.createdAt, updatedAt: at, groups: current.groups };
  }

  /** Runs a write on the fast path, or on the general path when sync has work to do. */
  async function locked(id: string, fast: (tx: Parameters<typeof write>[0], current: LockedUser) => Promise<UserRow>, general: () => Promise<{ id: string }>, attrs: Attributes): Promise<ResourceRecord> {
    if (!isUuid(id)) throw notFound(`User ${id}`);
    try {
      return toRecord(
        await sql.transaction(async (tx) => {
          const current = await lockForWrite(tx, id);
          if (!current) throw notFound(`User ${id}`);
          if (!syncIsOff(current.gate)) throw new NeedsFullPath();
          return fast(tx, current);
        }),
      );
    } catch (err) {
      if (err instanceof NeedsFullPath) return reread((await general()).id);
      return translateUnique(attrs)(err);
    }
  }

  return {
    resourceType: userResourceType,

    async list(query: ListQuery): Promise<ListResult> {
      const filter = query.filter ? toSql(query.filter, userStorage, "u") : { text: "TRUE", values: [] };
      const where = `u.resource IS NOT NULL AND (${filter.text})`;
      if (query.count === 0) return { total: await countUsers(sql, where, filter.values), records: [] };
      // Stable paging: by the sort key, then creation, then id (startIndex never skips or repeats).
      const dir = query.sortOrder === "descending" ? "DESC" : "ASC";
      const order = `${query.sortBy ? `${sortSql(query.sortBy, userStorage, "u")} ${dir} NULLS LAST, ` : ""}u.created_at, u.id`;
      const page = await listUserPage(sql, where, filter.values, order, query.count, query.startIndex - 1);
      // A page past the end has no row to carry the total: count it then (and only then).
      const total = page.total ?? (query.startIndex > 1 ? await countUsers(sql, where, filter.values) : 0);
      return { total, records: page.rows.map(toRecord) };
    },

    async get(id) {
      if (!isUuid(id)) return undefined;
      const [row] = await readUsers(sql, [id]);
      return row ? toRecord(row) : undefined;
    },

    create,

    replace(id, attrs, ctx) {
      return locked(id, (tx, current) => write(tx, current, attrs, ctx, "user.replaced"), () => full.replace(id, attrs, ctx), attrs);
    },

    patch(id, change: AttributeChange, ctx) {
      return locked(
        id,
        async (tx, current) => {
          if (!ifMatchSatisfied(ctx.ifMatch, current.version)) throw new DirectoryError("preconditionFailed", PRECONDITION);
          const { next, changed } = change(toRecord({ ...current, groups: [] }).attributes);
          // A PATCH that changes nothing writes nothing and keeps the version (Entra re-sends active=true).
          return changed ? write(tx, current, next, ctx, "user.patched") : current;
        },
        () => full.patch(id, change, ctx),
        {},
      );
    },

    remove: (id, ctx) => full.remove(id, ctx),
  };
}
