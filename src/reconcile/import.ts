import { createHash } from "node:crypto";
import type { Logger } from "winston";
import { Prisma, type PrismaClient } from "../generated/prisma/client";
import { DirectoryError } from "../directory/errors";
import { nameKey, nameProblem } from "../directory/name-key";
import { ScimError } from "../scim/errors";
import { groupResourceType, userResourceType } from "../scim/schema/registry";
import type { Attributes, ResourceService, WriteContext } from "../scim/resource-service";
import type { ExportGroup, ExportUser, ParsedExport } from "./export-format";
import { attributeChanges, clearedAttributes, mergeResource, mergeUser, type AttributeChange, type ImportMode } from "./import-merge";
import { createImportSync, type ImportSync } from "./import-sync";
import { chunks, matchGroups, matchUsers, type BridgeUser } from "./import-match";
import type { ImportRequest } from "./request";
import { RunStopped, recordBatch, zeroCounters, type ItemInput, type RunEnv } from "./store";

/**
 * An import: the bridge reconciled with an IdP export. Users and groups are created or updated
 * through the same SCIM services an IdP's requests go through (same validation, same IdP sync, same
 * audit), so each user is written in its own transaction and is either fully old or fully new; a
 * rerun finds what was done unchanged and writes nothing twice. Users absent from the export are
 * reported, or suspended when asked (within the configured share). Groups absent from it are reported,
 * never deleted.
 */

export interface ImportEnv extends RunEnv {
  users: ResourceService;
  groups: ResourceService;
  /** Gets the real error behind a record's generic error line. */
  logger: Logger;
}

/**
 * A record's error line: a refusal meant for the admin (DirectoryError, ScimError) keeps its message;
 * anything else (a database or driver failure) becomes a pointer to the server log, which gets the
 * real error: raw driver messages can carry SQL, values and internals. The rest of the import goes on
 * (if the database is gone, the next batch's write fails the run).
 */
function describeError(env: ImportEnv, ref: string, err: unknown): string {
  if (err instanceof DirectoryError || err instanceof ScimError) return err.message;
  env.logger.error("reconciliation: importing a record failed", { run: env.runId, ref, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  return `internal error importing this record (reconciliation ${env.runId}); see the server log`;
}

/**
 * A dry run writes nothing, so the services never see its names: it refuses here the names they
 * would refuse (nameProblem; a name equal to the stored one passes, as in the services), so that the
 * preview shows the error line the apply will meet instead of a create or an update.
 */
function refuseName(name: string, attribute: string, stored?: unknown): void {
  if (name === stored) return;
  const problem = nameProblem(name, attribute);
  if (problem !== undefined) throw new DirectoryError("invalid", problem);
}

/**
 * refuseName for a user the dry run would create: the apply's create finds a SCIM-deleted user by the
 * name's key and brings it back, and a name equal to that user's stored one passes there (a name
 * stored before the rules), so a refused name is checked against that stored name too. The lookup
 * happens only for a name nameProblem refuses: one query, in that rare case.
 */
async function refuseNewUserName(prisma: PrismaClient, userName: string): Promise<void> {
  if (nameProblem(userName, "userName") === undefined) return;
  const holder = await prisma.user.findUnique({ where: { userNameKey: nameKey(userName) }, select: { userName: true } });
  refuseName(userName, "userName", holder?.userName);
}

/** Users deleted over SCIM whose name an unmatched exported user has: the create brings them back. */
async function deletedHolders(prisma: PrismaClient, unmatched: readonly ExportUser[]): Promise<Map<string, { id: string; username: string }>> {
  if (unmatched.length === 0) return new Map();
  const rows = await prisma.user.findMany({
    where: { resource: { equals: Prisma.DbNull }, userNameKey: { in: unmatched.map((u) => nameKey(String(u.attributes.userName))) } },
    select: { id: true, userNameKey: true, username: true },
  });
  return new Map(rows.map((r) => [r.userNameKey, { id: r.id, username: r.username }]));
}

/** Provisioned users the export does not contain (and how many are active), walked in id order. */
async function* absentees(prisma: PrismaClient, present: ReadonlySet<string>, batch: number): AsyncGenerator<Pick<BridgeUser, "id" | "username" | "status">[]> {
  let cursor = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    const rows = await prisma.user.findMany({
      where: { id: { gt: cursor }, resource: { not: Prisma.DbNull } },
      orderBy: { id: "asc" },
      take: batch,
      select: { id: true, username: true, status: true },
    });
    if (rows.length === 0) return;
    cursor = rows[rows.length - 1]!.id;
    yield rows.filter((r) => !present.has(r.id));
  }
}

/** How many active provisioned users an import would suspend, out of how many (the safety check). */
export async function countSuspensions(prisma: PrismaClient, parsed: ParsedExport): Promise<{ suspend: number; active: number }> {
  const present = new Set<string>();
  for (const chunk of chunks(parsed.users, 500)) for (const m of await matchUsers(prisma, chunk)) if (m) present.add(m.id);
  let suspend = 0;
  for await (const rows of absentees(prisma, present, 1000)) suspend += rows.filter((r) => r.status !== "suspended").length;
  const active = await prisma.user.count({ where: { status: { not: "suspended" }, resource: { not: Prisma.DbNull } } });
  return { suspend, active };
}

export async function runImport(env: ImportEnv, req: ImportRequest, parsed: ParsedExport): Promise<string> {
  const ctx: WriteContext = { actor: env.auditActor, ifMatch: undefined };
  const digest = createHash("sha256");
  const total = parsed.users.length + parsed.groups.length;
  let scanned = 0;
  if (env.record) await env.prisma.reconciliationRun.update({ where: { id: env.runId }, data: { usersTotal: parsed.users.length } });
  env.onProgress?.(0, total);

  const flush = async (items: ItemInput[], users: number, usersChanged: number) => {
    const c = zeroCounters();
    c.usersScanned = users;
    c.usersChanged = usersChanged;
    for (const i of items) {
      if (i.kind === "change") c.changes++;
      else if (i.kind === "error") c.errors++;
      else c.problems++;
      if (i.kind === "change") digest.update(`${JSON.stringify([i.dimension, i.action, i.userId ?? i.groupId ?? null, i.username ?? i.groupName ?? null, i.details ?? {}])}\n`);
    }
    if (env.record) await recordBatch(env.prisma, env.runId, items, c);
    if (env.shouldStop()) throw new RunStopped();
  };

  // Export errors (records that did not validate) come first in the report.
  if (parsed.errors.length > 0) {
    await flush(parsed.errors.map((e) => ({ kind: "error", dimension: "export", action: "invalid", details: { ref: e.ref, message: e.message } })), 0, 0);
  }

  // Sync consequences are planned before each write, over the state the import has reached by then.
  const sync = await createImportSync(env.prisma);
  const mode = req.mode;

  // Users. sourceIds maps the export's ids to the bridge's (for group members).
  const sourceIds = new Map<string, string>();
  const present = new Set<string>();
  for (const chunk of chunks(parsed.users, req.batch_size)) {
    const matches = await matchUsers(env.prisma, chunk);
    const holders = await deletedHolders(env.prisma, chunk.filter((_u, i) => !matches[i]));
    await sync.prefetch(matches.filter((m): m is BridgeUser => m !== undefined).map((m) => m.id));
    const items: ItemInput[] = [];
    let changed = 0;
    for (const [i, u] of chunk.entries()) {
      const holder = matches[i] ? undefined : holders.get(nameKey(String(u.attributes.userName)));
      const outcome = await importUser(env, ctx, sync, mode, u, matches[i], holder, present);
      if (outcome.bridgeId && u.sourceId) sourceIds.set(u.sourceId, outcome.bridgeId);
      items.push(...outcome.items);
      if (outcome.items[0]?.kind === "change") changed++;
    }
    await flush(items, chunk.length, changed);
    scanned += chunk.length;
    env.onProgress?.(scanned, total);
  }

  // Groups, with members translated to the bridge's user ids.
  const presentGroups = new Set<string>();
  for (const chunk of chunks(parsed.groups, req.batch_size)) {
    const matches = await matchGroups(env.prisma, chunk);
    const items: ItemInput[] = [];
    for (const [i, g] of chunk.entries()) {
      items.push(...(await importGroup(env, ctx, sync, mode, g, matches[i]?.id, sourceIds, presentGroups)));
    }
    await flush(items, 0, 0);
    scanned += chunk.length;
    env.onProgress?.(scanned, total);
  }
  // Groups the export does not have (only when it has groups at all: a users-only export says nothing
  // about groups). Reported, never deleted.
  if (parsed.groups.length > 0) {
    const groups = await env.prisma.idpGroup.findMany({ select: { id: true, displayName: true }, orderBy: { displayNameKey: "asc" } });
    const absent = groups.filter((g) => !presentGroups.has(g.id));
    await flush(
      absent.map((g) => ({ kind: "problem", groupId: g.id, groupName: g.displayName, dimension: "idp_group", action: "absent", details: { message: "not in the export (an import never deletes groups)" } })),
      0,
      0,
    );
  }

  // Users the export does not have.
  for await (const rows of absentees(env.prisma, present, req.batch_size)) {
    const items: ItemInput[] = [];
    let changed = 0;
    for (const r of rows) {
      const who = { userId: r.id, username: r.username, dimension: "user" };
      if (!req.suspend_missing || r.status === "suspended") {
        if (r.status !== "suspended") items.push({ kind: "problem", ...who, action: "absent", details: { message: "not in the export (pass suspend_missing to suspend)" } });
        continue;
      }
      try {
        if (!env.dryRun) await env.users.patch(r.id, (cur) => ({ next: { ...cur, active: false }, changed: cur.active !== false, detached: [] }), ctx);
        items.push({ kind: "change", ...who, action: "suspend", details: { reason: "not in the export" } });
        changed++;
      } catch (err) {
        items.push({ kind: "error", ...who, action: "suspend", details: { message: describeError(env, r.id, err) } });
      }
    }
    await flush(items, rows.length, changed);
  }
  return digest.digest("hex");
}

async function importUser(
  env: ImportEnv,
  ctx: WriteContext,
  sync: ImportSync,
  mode: ImportMode,
  u: ExportUser,
  match: BridgeUser | undefined,
  holder: { id: string; username: string } | undefined,
  present: Set<string>,
): Promise<{ bridgeId?: string; items: ItemInput[] }> {
  const userName = String(u.attributes.userName);
  if (match && present.has(match.id)) {
    return { items: [{ kind: "error", userId: match.id, username: match.username, dimension: "user", action: "duplicate", details: { ref: u.ref, message: `the export has this user twice (userName ${JSON.stringify(userName)})` } }] };
  }
  try {
    if (!match) {
      // A user deleted over SCIM under this name comes back (same id, its groups and grants).
      const key = holder?.id ?? `new:${u.ref}`;
      const attributes = { ...u.attributes, active: u.attributes.active ?? true };
      const planned = holder ? await sync.userRevive(holder.id, holder.username, attributes, u.ref) : sync.userCreate(key, attributes, u.ref);
      const line = (userId: string | null, username: string | null): ItemInput => ({ kind: "change", userId, username, dimension: "user", action: "create", details: { ref: u.ref, user_name: userName } });
      if (env.dryRun) {
        await refuseNewUserName(env.prisma, userName);
        planned.commit();
        return { bridgeId: key, items: [line(holder?.id ?? null, holder?.username ?? null), ...planned.items] };
      }
      const created = await env.users.create(u.attributes, ctx);
      present.add(created.id);
      planned.commit(created.id);
      const username = (await env.prisma.user.findUnique({ where: { id: created.id }, select: { username: true } }))?.username ?? null;
      return { bridgeId: created.id, items: [line(created.id, username), ...planned.items.map((i) => ({ ...i, userId: created.id, username }))] };
    }
    present.add(match.id);
    const stored: Attributes = { ...((match.resource ?? {}) as Attributes), active: match.status !== "suspended" };
    // `active` is the status: kept unless the export states it.
    const written = (cur: Attributes): Attributes => ({ ...mergeUser(cur, u.attributes, mode), active: typeof u.attributes.active === "boolean" ? u.attributes.active : cur.active });
    const next = written(stored);
    const changes = attributeChanges(stored, next);
    if (changes.length === 0) return { bridgeId: match.id, items: [] };
    const planned = await sync.userWrite(match.id, match.username, next, u.ref);
    if (env.dryRun) refuseName(userName, "userName", stored.userName);
    // Merged on the row as it is when written (locked), not as the chunk read it: an IdP write in
    // between is kept where the export says nothing.
    else await env.users.patch(match.id, (cur) => {
      const merged = written(cur);
      return { next: merged, changed: attributeChanges(cur, merged).length > 0, detached: [] };
    }, ctx);
    planned.commit();
    const cleared = clearedAttributes(changes);
    const details = { ref: u.ref, mode, changed: topLevel(changes), changes, ...(cleared.length > 0 ? { cleared } : {}) } as unknown as Prisma.InputJsonObject;
    return { bridgeId: match.id, items: [{ kind: "change", userId: match.id, username: match.username, dimension: "user", action: "update", details }, ...planned.items] };
  } catch (err) {
    const message = describeError(env, u.ref, err);
    // A matched user whose write failed is still that user: the export's groups keep naming it.
    return { ...(match ? { bridgeId: match.id } : {}), items: [{ kind: "error", userId: match?.id ?? null, username: match?.username ?? null, dimension: "user", action: match ? "update" : "create", details: { ref: u.ref, message } }] };
  }
}

const EXTENSION_PREFIXES = userResourceType.extensions.map((e) => e.schema.id);

/** The top-level attributes (an extension counts as one) a change list touches, sorted. */
function topLevel(changes: readonly AttributeChange[]): string[] {
  const names = changes.map((c) => {
    const ext = EXTENSION_PREFIXES.find((p) => c.attribute.startsWith(`${p}:`));
    return ext ?? c.attribute.split(".")[0]!;
  });
  return [...new Set(names)].sort();
}

/** Imports one group; adds its bridge id (matched or created) to `present`. */
async function importGroup(
  env: ImportEnv,
  ctx: WriteContext,
  sync: ImportSync,
  mode: ImportMode,
  g: ExportGroup,
  matchId: string | undefined,
  sourceIds: ReadonlyMap<string, string>,
  present: Set<string>,
): Promise<ItemInput[]> {
  if (matchId) present.add(matchId);
  const items: ItemInput[] = [];
  const name = String(g.attributes.displayName);
  const who = { groupId: matchId ?? null, groupName: name, dimension: "idp_group" };
  const unknown = g.members.filter((m) => !sourceIds.has(m));
  const known = unknown.length > 0 ? new Set((await env.prisma.user.findMany({ where: { id: { in: unknown.filter((m) => /^[0-9a-f-]{36}$/i.test(m)) } }, select: { id: true } })).map((u) => u.id)) : new Set<string>();
  const listed: string[] = [];
  for (const m of g.members) {
    const id = sourceIds.get(m) ?? (known.has(m) ? m : undefined);
    if (id) listed.push(id);
    else {
      // Merging, a member the export can't name (a record that failed) might be one of the group's
      // current members: none of them is removed then.
      const kept = mode === "merge" && matchId ? "; the group's current members are all kept (merge)" : "";
      items.push({ kind: "error", ...who, action: "member", details: { ref: g.ref, message: `member ${JSON.stringify(m)} is not a user of the export or of the bridge; left out${kept}` } });
    }
  }
  const unresolved = g.members.length > listed.length;
  try {
    if (!matchId) {
      const members = [...new Set(listed)];
      const planned = await sync.groupWrite({ before: [], after: members }, { before: undefined, after: name }, g.ref);
      if (env.dryRun) refuseName(name, "displayName");
      else {
        who.groupId = (await env.groups.create({ ...g.attributes, members: members.map((value) => ({ value })) }, ctx)).id;
        present.add(who.groupId);
      }
      planned.commit();
      items.push({ kind: "change", ...who, action: "create", details: { ref: g.ref, members: members.length } }, ...planned.items);
      return items;
    }
    const current = await env.prisma.idpGroup.findUniqueOrThrow({ where: { id: matchId }, select: { resource: true, members: { select: { userId: true } } } });
    const before = current.members.map((m) => m.userId);
    const members = [...new Set(mode === "merge" && unresolved ? [...before, ...listed] : groupMembers(mode, g, before, listed, sourceIds))];
    const after = new Set(members);
    const added = members.filter((m) => !before.includes(m)).length;
    const removed = before.filter((m) => !after.has(m)).length;
    const stored = current.resource as Attributes;
    const next = mergeResource(groupResourceType, stored, g.attributes, mode);
    const changes = attributeChanges(stored, next);
    if (changes.length === 0 && added === 0 && removed === 0) return items;
    const planned = await sync.groupWrite({ before, after: members }, { before: String(stored.displayName), after: String(next.displayName ?? name) }, g.ref);
    if (env.dryRun) refuseName(name, "displayName", stored.displayName);
    else await env.groups.replace(matchId, { ...next, members: members.map((value) => ({ value })) }, ctx);
    planned.commit();
    const cleared = clearedAttributes(changes);
    const details = { ref: g.ref, mode, changed: [...new Set(changes.map((c) => c.attribute))], changes, ...(cleared.length > 0 ? { cleared } : {}), members_added: added, members_removed: removed } as unknown as Prisma.InputJsonObject;
    items.push({ kind: "change", ...who, action: "update", details }, ...planned.items);
  } catch (err) {
    items.push({ kind: "error", ...who, action: matchId ? "update" : "create", details: { ref: g.ref, message: describeError(env, g.ref, err) } });
  }
  return items;
}

/**
 * The members a group gets. Replace: exactly the export's. Merge: a JSON group without `members`
 * keeps its members; a CSV's group keeps the members whose rows said nothing about groups (an
 * empty cell) or who are not in the CSV at all, and takes the rows that list it.
 */
function groupMembers(mode: ImportMode, g: ExportGroup, before: readonly string[], listed: readonly string[], sourceIds: ReadonlyMap<string, string>): string[] {
  if (mode === "replace") return [...listed];
  if (!g.membersGiven) return [...before];
  if (!g.decidedBy) return [...listed];
  const decided = new Set(g.decidedBy.map((id) => sourceIds.get(id)).filter((id): id is string => id !== undefined));
  return [...before.filter((m) => !decided.has(m)), ...listed];
}
