import { randomUUID } from "node:crypto";
import type { Database, SqlRunner } from "../../db/database";
import { userResourceType } from "../../scim/schema/registry";
import { sortDirection, sortSql, toSql } from "../../scim/filter/sql";
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
import { parseOrganizationSyncSettings } from "../../sync/organization-settings";
import { readSyncGate, syncIsOff, type SyncGate } from "../../sync/gate";
import type { SyncObserver } from "../../sync/observer";
import { DirectoryError, notFound } from "../errors";
import { isUniqueViolation, isUuid } from "../prisma-errors";
import { userStorage, userTable } from "../scim-storage";
import { baseUsername, firstFreeUsername, withSuffix } from "../username";
import { keyOnWrite, nameProblem } from "../name-key";
import { checkUserName, userColumns, type UserColumns } from "./user-columns";
import { createFullPath, PRECONDITION, translateUnique } from "./user-full-path";
import { newUserWrite, updateUserWrite } from "./user-writes";
import {
  countUsers,
  createUser,
  handlesStartingWith,
  insertUser,
  keyHolder,
  listUserPage,
  lockForWrite,
  readForCreate,
  readForWrite,
  readUsers,
  statementNames,
  updateUser,
  type CreateOutcome,
  type LockedUser,
  type UserRow,
} from "./user-sql";

/**
 * SCIM Users over the `users` table. DELETE keeps the user record (suspended) and drops only the SCIM
 * resource, so records that reference the user survive; a later POST of the same userName provisions
 * the same user again.
 *
 * The requests IdPs send most (one per user change: create, replace, patch, read, filter) run as one
 * or two parameterised statements through the driver (user-sql.ts), not Prisma model queries: a
 * create is one statement writing the user, its default membership, audit rows and outbox events; a
 * patch is a read and one such write guarded by the version read. They take this fast path when IdP
 * sync has nothing to compute (no claim field mapped anywhere: the default); otherwise nothing is
 * written and the request runs on the general path (user-full-path.ts), which plans and applies sync
 * in its transaction.
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

/** `observeSync` is told what IdP sync applied (the fast path applies none). */
export function createUserService(db: Database, observeSync?: SyncObserver): ResourceService {
  const full = createFullPath(db.prisma, observeSync);
  const sql = db.sql;
  /**
   * The sync gate as last read. Never trusted: a single-statement write checks it in the statement
   * (gateUnchanged) and is re-read when it changed; every locked read refreshes it.
   */
  let gate: SyncGate | undefined;
  // A list's plan depends on its filter and on the table's size: prepared lists are re-planned when the
  // table is analysed (autovacuum on PostgreSQL, src/db/embedded-upkeep.ts embedded) as it grows.
  const listNames = statementNames("users.list", 64);

  /** A general-path write, read back with its groups. */
  async function reread(id: string): Promise<ResourceRecord> {
    const [row] = await readUsers(sql, [id]);
    if (!row) throw notFound(`User ${id}`);
    return toRecord(row);
  }

  const joinsDefault = (g: SyncGate) => (parseOrganizationSyncSettings(g.organizationSettings).organization_assign_default ? g.defaultOrganizationId : null);

  /**
   * A create as one statement (createUser). Undefined when it needs the transaction: a userName
   * outside the naming rules (it may match a record stored before them), a user DELETEd earlier
   * coming back, sync to compute, or every candidate handle taken.
   */
  async function createAtOnce(attrs: Attributes, cols: UserColumns, handles: string[], ctx: WriteContext): Promise<ResourceRecord | undefined> {
    if (nameProblem(cols.userName, "userName") !== undefined) return undefined;
    for (let attempt = 0; attempt < 5; attempt++) {
      const g = gate ?? (gate = await readSyncGate(sql));
      if (!syncIsOff(g)) return undefined;
      const organizationId = joinsDefault(g);
      const w = newUserWrite(attrs, cols, ctx, randomUUID(), new Date(), handles[0]!, organizationId);
      let out: CreateOutcome;
      try {
        out = await createUser(sql, { ...w.values, id: w.row.id }, handles, g, organizationId, w.audit, w.events);
      } catch (err) {
        // Two creates raced: on userName it is a conflict; on the handle, pick the next one.
        if (isUniqueViolation(err, "user_name_key")) throw conflict(cols.userName);
        if (isUniqueViolation(err, "username")) continue;
        throw err;
      }
      if (out.kind === "created") return toRecord(w.row);
      if (out.kind === "exists" && out.existing.hasResource) throw conflict(cols.userName);
      if (out.kind !== "gateChanged") return undefined;
      gate = undefined;
    }
    return undefined;
  }

  /** A create in a transaction: BEGIN, readForCreate, the write, COMMIT; the general path when sync has work. */
  async function createLocked(attrs: Attributes, cols: UserColumns, handles: string[], ctx: WriteContext): Promise<ResourceRecord> {
    const base = handles[0]!;
    for (let attempt = 0; ; attempt++) {
      try {
        return toRecord(
          await sql.transaction(async (tx) => {
            const found = await readForCreate(tx, cols.userNameKey, handles);
            gate = found.gate;
            // A name stored before the naming rules may come back as it was (a user DELETEd and POSTed again).
            checkUserName(cols.userName, found.existing?.userName);
            if (found.existing?.hasResource) throw conflict(cols.userName);
            // Brought back after a DELETE (same id and handle), or sync to compute.
            if (found.existing || !syncIsOff(found.gate)) throw new NeedsFullPath();
            const taken = new Set(found.taken);
            // A crowded base (every candidate taken) costs one more statement: all handles sharing it.
            const username = handles.find((h) => !taken.has(h)) ?? firstFreeUsername(base, new Set(await handlesStartingWith(tx, base.slice(0, 28))));
            const organizationId = joinsDefault(found.gate);
            const w = newUserWrite(attrs, cols, ctx, randomUUID(), new Date(), username, organizationId);
            await insertUser(tx, { ...w.values, id: w.row.id, username }, organizationId, w.audit, w.events);
            return w.row;
          }),
        );
      } catch (err) {
        if (err instanceof NeedsFullPath) return reread((await full.create(attrs, ctx)).id);
        if (isUniqueViolation(err, "user_name_key")) throw conflict(cols.userName);
        if (isUniqueViolation(err, "username") && attempt < 5) continue;
        throw err;
      }
    }
  }

  async function create(attrs: Attributes, ctx: WriteContext): Promise<ResourceRecord> {
    const cols = userColumns(attrs);
    const base = baseUsername([cols.userName, cols.email ?? undefined]);
    const handles = Array.from({ length: HANDLE_CANDIDATES }, (_, i) => withSuffix(base, i + 1));
    return (await createAtOnce(attrs, cols, handles, ctx)) ?? createLocked(attrs, cols, handles, ctx);
  }

  /** The columns of a write of `current` with `attrs`, and the userName key it keeps or takes. */
  async function keyFor(tx: SqlRunner, current: LockedUser, cols: UserColumns): Promise<string> {
    checkUserName(cols.userName, current.userName);
    // The key is looked up only when it changes (a rename): otherwise the holder is this user.
    const holder = cols.userNameKey === current.userNameKey ? current.id : await keyHolder(tx, cols.userNameKey);
    const heldByAnother = holder !== undefined && holder !== current.id;
    const userNameKey = keyOnWrite({ id: current.id, key: current.userNameKey, name: current.userName }, cols.userNameKey, heldByAnother);
    if (heldByAnother && userNameKey === cols.userNameKey) throw conflict(cols.userName);
    return userNameKey;
  }

  /**
   * A replace or patch: `next` gives the new attributes from the current ones (undefined: unchanged,
   * nothing is written). First as a read and one write guarded by the version read (no lock held
   * between them; a concurrent write makes it read again), then, for a rename (its key check) or
   * under contention, in a locking transaction; on the general path when sync has work to do.
   */
  async function update(id: string, ctx: WriteContext, action: string, next: (current: LockedUser) => Attributes | undefined, general: () => Promise<{ id: string }>, attrs: Attributes): Promise<ResourceRecord> {
    if (!isUuid(id)) throw notFound(`User ${id}`);
    const translate = translateUnique(attrs);
    const prepare = (current: LockedUser): Attributes | undefined => {
      gate = current.gate;
      if (!syncIsOff(current.gate)) throw new NeedsFullPath();
      if (!ifMatchSatisfied(ctx.ifMatch, current.version)) throw new DirectoryError("preconditionFailed", PRECONDITION);
      return next(current);
    };
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const current = await readForWrite(sql, id, false);
        if (!current) throw notFound(`User ${id}`);
        const attributes = prepare(current);
        if (!attributes) return toRecord(current);
        const cols = userColumns(attributes);
        checkUserName(cols.userName, current.userName);
        if (cols.userNameKey !== current.userNameKey) break;
        const w = updateUserWrite(current, attributes, cols, current.userNameKey, ctx, action);
        if (await updateUser(sql, id, w.values, w.audit, w.events, { version: current.version, gate: current.gate })) return toRecord(w.row);
      }
      return toRecord(
        await sql.transaction(async (tx) => {
          const current = await lockForWrite(tx, id);
          if (!current) throw notFound(`User ${id}`);
          const attributes = prepare(current);
          if (!attributes) return current;
          const cols = userColumns(attributes);
          const w = updateUserWrite(current, attributes, cols, await keyFor(tx, current, cols), ctx, action);
          await updateUser(tx, id, w.values, w.audit, w.events);
          return w.row;
        }),
      );
    } catch (err) {
      if (err instanceof NeedsFullPath) return reread((await general()).id);
      return translate(err);
    }
  }

  return {
    resourceType: userResourceType,

    async list(query: ListQuery): Promise<ListResult> {
      const filter = query.filter ? toSql(query.filter, userStorage, "u") : { text: "TRUE", values: [] };
      const where = `${userTable.where("u")} AND (${filter.text})`;
      if (query.count === 0) return { total: await countUsers(sql, where, filter.values), records: [] };
      // Stable paging: by the sort key, then creation, then id (startIndex never skips or repeats).
      const order = `${query.sortBy ? `${sortSql(query.sortBy, userStorage, "u")} ${sortDirection(query.sortOrder)}, ` : ""}u.created_at, u.id`;
      const page = await listUserPage(sql, where, filter.values, order, query.count, query.startIndex - 1, listNames);
      // A page past the end has no row to carry the total: count it then (and only then).
      const total = page.total ?? (query.startIndex > 1 ? await countUsers(sql, where, filter.values) : 0);
      return { total, records: page.rows.map(toRecord) };
    },

    async get(id) {
      if (!isUuid(id)) return undefined;
      const [row] = await readUsers(sql, [id]);
      return row ? toRecord(row) : undefined;
    },

    async getMany(ids) {
      return (await readUsers(sql, ids.filter(isUuid))).map(toRecord);
    },

    create,

    replace(id, attrs, ctx) {
      return update(id, ctx, "user.replaced", () => attrs, () => full.replace(id, attrs, ctx), attrs);
    },

    patch(id, change: AttributeChange, ctx) {
      return update(
        id,
        ctx,
        "user.patched",
        (current) => {
          const { next, changed } = change(toRecord({ ...current, groups: [] }).attributes);
          // A PATCH that changes nothing writes nothing and keeps the version (Entra re-sends active=true).
          return changed ? next : undefined;
        },
        () => full.patch(id, change, ctx),
        {},
      );
    },

    remove: (id, ctx) => full.remove(id, ctx),
  };
}
