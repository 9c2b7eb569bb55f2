import type { Prisma, PrismaClient } from "../generated/prisma/client";
import { TRANSACTION_OPTIONS } from "../db/database";
import { loadSyncContext } from "../sync/context";
import { planUser, type Change } from "../sync/plan";
import { loadUserStates } from "../sync/state";
import { userWhere } from "./admin-users";
import { notFound } from "./errors";
import { explainGrants, type AuditRef, type UserGrants } from "./grant-explain";

/**
 * `GET /api/v2/users/{user}/grants` and `scim-bridge users grants`: every organization, group and
 * role a user holds, with its source, the sync rule behind it (recomputed by the planner from the
 * stored claims and the current settings), what a resync would change, and the audit row that made
 * it. A constant number of statements whatever the number of grants, in one repeatable-read
 * transaction so that grants, settings and audit are read from one snapshot.
 */

type Tx = Prisma.TransactionClient;

interface AuditRow {
  key: string;
  id: string;
  created_at: Date | string;
  actor: string;
  action: string;
}

/**
 * The latest audit row that made each of the user's grants, keyed as grant-explain's auditKey: what
 * src/sync/apply.ts writes for sync (user_id set; a group's id in `details.group_id`, a role in
 * `details.role`), what provisioning writes when it joins the default organization, and for manual
 * group members the `group.updated` row of `PATCH /groups/{id}` whose `details.added` names the user
 * (it has no user_id). The manual branch reads only rows written since the user's oldest manual group
 * membership was created (that row is written in the same transaction, after it; a minute of slack
 * for clocks), along the created_at index, rather than the whole log. Manual organization memberships
 * and roles are the `organization_member.added` (details `source: manual`) and
 * `organization_member.role_granted` rows of the admin API's member routes
 * (src/directory/organization-members.ts), which carry the user_id.
 */
async function auditRows(tx: Tx, userId: string): Promise<Map<string, AuditRef>> {
  const rows = await tx.$queryRaw<AuditRow[]>`
    SELECT DISTINCT ON (key) key, id, created_at, actor, action FROM (
      SELECT CASE
               WHEN a.action = 'sync.group.added' THEN 'sync|group|' || (a.details->>'group_id')
               WHEN a.action = 'sync.role.granted' THEN 'sync|role|' || a.resource_id || '|' || (a.details->>'role')
               WHEN a.action = 'organization_member.role_granted' THEN 'manual|role|' || a.resource_id || '|' || (a.details->>'role')
               WHEN a.details->>'source' = 'manual' THEN 'manual|organization|' || a.resource_id
               ELSE 'sync|organization|' || a.resource_id
             END AS key, a.id::text AS id, a.created_at, a.actor, a.action
        FROM audit_events a
       WHERE a.user_id = ${userId}::uuid
         AND a.action IN ('sync.organization.added', 'organization_member.added', 'sync.group.added', 'sync.role.granted', 'organization_member.role_granted')
      UNION ALL
      SELECT 'manual|group|' || a.resource_id, a.id::text, a.created_at, a.actor, a.action
        FROM audit_events a
       WHERE a.action = 'group.updated'
         AND a.created_at >= (SELECT min(m.created_at) - interval '1 minute' FROM group_members m WHERE m.user_id = ${userId}::uuid AND m.source = 'manual')
         AND a.resource_id IN (SELECT m.group_id::text FROM group_members m WHERE m.user_id = ${userId}::uuid AND m.source = 'manual')
         AND a.details->'added' @> jsonb_build_array(${userId}::text)
    ) x
    WHERE key IS NOT NULL
    ORDER BY key, created_at DESC, id DESC`;
  return new Map(rows.map((r) => [r.key, { id: r.id, time: new Date(r.created_at).toISOString(), actor: r.actor, action: r.action }]));
}

export function createUserGrants(prisma: PrismaClient) {
  return {
    async get(idOrUsername: string): Promise<UserGrants> {
      return prisma.$transaction(
        async (tx) => {
          const user = await tx.user.findFirst({ where: userWhere(idOrUsername), select: { id: true, username: true } });
          if (!user) throw notFound(`user ${idOrUsername}`);
          const ctx = await loadSyncContext(tx);
          const [state] = await loadUserStates(tx, [user.id], { lock: false });
          const expected: Change[] = [];
          const plan = planUser(ctx, state!, expected);
          const orgIds = new Set([...state!.organizations.map((o) => o.key), ...state!.groups.map((g) => g.organizationId), ...state!.roles.map((r) => r.organizationId), ...plan.changes.map((c) => c.organizationId)]);
          const orgs = await tx.organization.findMany({ where: { id: { in: [...orgIds] } }, select: { id: true, name: true } });
          const audit = await auditRows(tx, user.id);
          return explainGrants({ user, state: state!, plan, expected, ctx, organizationNames: new Map(orgs.map((o) => [o.id, o.name])), audit });
        },
        { ...TRANSACTION_OPTIONS, isolationLevel: "RepeatableRead" },
      );
    },
  };
}

export type UserGrantsService = ReturnType<typeof createUserGrants>;
