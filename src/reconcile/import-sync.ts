import type { PrismaClient } from "../generated/prisma/client";
import { deriveClaims } from "../directory/claims";
import type { Attributes } from "../scim/resource-service";
import { loadSyncContext, type SyncContext } from "../sync/context";
import { describeReason, planUser, type Change, type UserState } from "../sync/plan";
import { loadUserStates } from "../sync/state";
import type { ItemInput } from "./store";

/**
 * The sync consequences of an import, computed before each write exactly as the write's own sync
 * will compute them: a user write syncs that user; a group write syncs every member it had or gets
 * (src/directory/groups/group-service.ts). The planner (src/sync/plan.ts) runs over the claims the
 * write will store and the grants the user will have by then: each user's claims, IdP group names
 * and grants are followed in memory through the import, in the apply's order, so a dry run shows
 * what the apply does, including drift a write brings in (every write syncs the whole user).
 * Users the dry run would create are followed as `new:<ref>`.
 */

interface Followed {
  attributes: Attributes;
  groupNames: string[];
  state: UserState;
}

export interface Planned {
  items: ItemInput[];
  /**
   * Records the planned outcome as the user's state; call once the write succeeded (or in a dry run).
   * `as`: the id a created user got (it was planned as `new:<ref>`).
   */
  commit: (as?: string) => void;
}

const NONE: Planned = { items: [], commit: () => undefined };

function applyChanges(state: UserState, changes: readonly Change[]): UserState {
  const next: UserState = { ...state, organizations: [...state.organizations], groups: [...state.groups], roles: [...state.roles] };
  for (const c of changes) {
    if (c.dimension === "organization") {
      if (c.action === "add") next.organizations.push({ key: c.organizationId, source: "sync" });
      else {
        next.organizations = next.organizations.filter((o) => o.key !== c.organizationId);
        next.groups = next.groups.filter((g) => g.organizationId !== c.organizationId);
        next.roles = next.roles.filter((r) => r.organizationId !== c.organizationId);
      }
    } else if (c.dimension === "group") {
      const key = c.groupId ?? `new:${c.groupName}`;
      if (c.action === "add") next.groups.push({ key, source: "sync", organizationId: c.organizationId, name: c.groupName });
      else next.groups = next.groups.filter((g) => g.key !== key);
    } else if (c.action === "add") next.roles.push({ key: c.role, source: "sync", organizationId: c.organizationId });
    else next.roles = next.roles.filter((r) => !(r.key === c.role && r.organizationId === c.organizationId));
  }
  return next;
}

export interface ImportSync {
  /** Loads the state of many users at once (a chunk's), so planning them costs no query each. */
  prefetch(userIds: readonly string[]): Promise<void>;
  /**
   * A user deleted over SCIM that the import brings back (the create finds it by its name): it keeps
   * its IdP groups and grants, joins the default organization unless a member, then syncs.
   */
  userRevive(userId: string, username: string | null, attributes: Attributes, ref: string): Promise<Planned>;
  /** A matched user written with `attributes` (as the service will store them, `active` included). */
  userWrite(userId: string, username: string | null, attributes: Attributes, ref: string): Promise<Planned>;
  /** A user the import creates: joins the default organization (when settings say so), then syncs. */
  userCreate(key: string, attributes: Attributes, ref: string): Planned;
  /** A group written: its members before and after, its name before (undefined: new) and after. */
  groupWrite(members: { before: readonly string[]; after: readonly string[] }, names: { before: string | undefined; after: string }, ref: string): Promise<Planned>;
}

export async function createImportSync(prisma: PrismaClient): Promise<ImportSync> {
  const ctx: SyncContext = await loadSyncContext(prisma);
  const followed = new Map<string, Followed>();
  const usernames = new Map<string, string | null>();

  /** The users' current state, from the database unless already followed. */
  async function load(ids: readonly string[]): Promise<void> {
    const missing = ids.filter((id) => !followed.has(id) && !id.startsWith("new:"));
    if (missing.length === 0) return;
    const states = await loadUserStates(prisma, missing, { lock: false });
    const rows = await prisma.user.findMany({ where: { id: { in: missing } }, select: { id: true, username: true, resource: true, status: true, idpGroups: { select: { group: { select: { displayName: true } } } } } });
    const byId = new Map(states.map((s) => [s.userId, s]));
    for (const r of rows) {
      const attributes = { ...((r.resource ?? {}) as Attributes), active: r.status !== "suspended" };
      followed.set(r.id, { attributes, groupNames: r.idpGroups.map((g) => g.group.displayName), state: byId.get(r.id)! });
      usernames.set(r.id, r.username);
    }
  }

  function plan(key: string, next: Followed, ref: string, extra: Change[] = []): Planned {
    const state: UserState = { ...next.state, claims: deriveClaims(next.attributes, next.groupNames) };
    const { changes: planned, problems } = planUser(ctx, state);
    const changes = [...extra, ...planned];
    const isNew = key.startsWith("new:");
    const items: ItemInput[] = changes.map((c) => ({
      kind: "change",
      userId: isNew ? null : key,
      username: usernames.get(key) ?? null,
      dimension: c.dimension,
      action: c.action,
      organizationId: c.organizationId,
      ...(c.dimension === "group" ? { groupId: c.groupId, groupName: c.groupName } : {}),
      ...(c.dimension === "role" ? { role: c.role } : {}),
      details: { ...describeReason(c.reason), cause: "import", ref, ...(isNew ? { user_name: String(next.attributes.userName ?? "") } : {}) },
    }));
    // The write's sync records its problems too (an unmapped value, a missing organization).
    for (const problem of problems) {
      items.push({
        kind: "problem",
        userId: isNew ? null : key,
        username: usernames.get(key) ?? null,
        dimension: problem.dimension,
        action: "problem",
        organizationId: problem.organizationId ?? null,
        details: { message: problem.message, cause: "import", ref, ...(isNew ? { user_name: String(next.attributes.userName ?? "") } : {}) },
      });
    }
    return { items, commit: (as = key) => void followed.set(as, { ...next, state: { ...applyChanges(state, planned), userId: as } }) };
  }

  const defaultJoin = (state: UserState): Change[] =>
    ctx.organization.organization_assign_default && ctx.defaultOrganizationId !== "" && !state.organizations.some((o) => o.key === ctx.defaultOrganizationId)
      ? [{ dimension: "organization", action: "add", organizationId: ctx.defaultOrganizationId, reason: { kind: "default" } }]
      : [];

  return {
    async prefetch(userIds) {
      if (ctx.enabled) await load(userIds);
    },

    async userRevive(userId, username, attributes, ref) {
      await load([userId]);
      const current = followed.get(userId);
      if (!current) return NONE;
      if (username !== null) usernames.set(userId, username);
      const joins = defaultJoin(current.state);
      return plan(userId, { ...current, attributes, state: applyChanges(current.state, joins) }, ref, joins);
    },

    async userWrite(userId, username, attributes, ref) {
      if (!ctx.enabled) return NONE;
      await load([userId]);
      const current = followed.get(userId);
      if (!current) return NONE;
      if (username !== null) usernames.set(userId, username);
      return plan(userId, { ...current, attributes }, ref);
    },

    userCreate(key, attributes, ref) {
      const base: UserState = { userId: key, claims: {}, organizations: [], groups: [], roles: [] };
      const joins = defaultJoin(base);
      // The default join is the create's own step (not the planner's): shown first, then what sync adds.
      return plan(key, { attributes, groupNames: [], state: applyChanges(base, joins) }, ref, joins);
    },

    async groupWrite(members, names, ref) {
      const ids = [...new Set([...members.before, ...members.after])];
      if (!ctx.enabled || ids.length === 0) return NONE;
      await load(ids);
      const after = new Set(members.after);
      const plans: { key: string; p: Planned }[] = [];
      for (const id of ids) {
        const current = followed.get(id);
        if (!current) continue;
        let groupNames = names.before === undefined ? current.groupNames : dropOne(current.groupNames, names.before);
        if (after.has(id)) groupNames = [...groupNames, names.after];
        plans.push({ key: id, p: plan(id, { ...current, groupNames }, ref) });
      }
      return { items: plans.flatMap((x) => x.p.items), commit: () => plans.forEach((x) => x.p.commit()) };
    },
  };
}

/** Removes one occurrence (a user is in a group once; names are unique). */
function dropOne(list: readonly string[], name: string): string[] {
  const i = list.indexOf(name);
  return i === -1 ? [...list] : [...list.slice(0, i), ...list.slice(i + 1)];
}
