import type { PrismaClient } from "../generated/prisma/client";

/**
 * A run's blast radius in a few lines: its sync changes (a resync's lines, an import's consequences)
 * counted per organization, group or role and direction, most users first ("12 users lose
 * organization-auditor in acme"). One aggregate over the report lines, read with the run.
 */

export interface Consequence {
  dimension: "organization" | "group" | "role";
  action: "add" | "remove";
  organization_id: string | null;
  organization: string | null;
  group?: string;
  role?: string;
  users: number;
  text: string;
}

/** [one user, several users]. */
const VERBS = {
  organization: { add: ["joins", "join"], remove: ["leaves", "leave"] },
  group: { add: ["joins group", "join group"], remove: ["leaves group", "leave group"] },
  role: { add: ["gains", "gain"], remove: ["loses", "lose"] },
} as const;

/** The sentence: "12 users lose organization-auditor in acme", "1 user joins acme". */
export function consequenceText(c: Omit<Consequence, "text">): string {
  const who = c.users === 1 ? "1 user" : `${c.users} users`;
  const v = VERBS[c.dimension][c.action][c.users === 1 ? 0 : 1];
  const org = c.organization ?? c.organization_id ?? "an unknown organization";
  if (c.dimension === "organization") return `${who} ${v} ${org}`;
  return `${who} ${v} ${c.dimension === "group" ? c.group : c.role} in ${org}`;
}

export async function runConsequences(prisma: Pick<PrismaClient, "$queryRaw">, runId: string, limit = 100): Promise<Consequence[]> {
  const rows = await prisma.$queryRaw<{ dimension: Consequence["dimension"]; action: Consequence["action"]; organization_id: string | null; organization: string | null; target: string | null; users: number }[]>`
    SELECT i.dimension, i.action, i.organization_id::text AS organization_id, o.name AS organization,
           coalesce(i.role, i.group_name) AS target,
           count(DISTINCT coalesce(i.user_id::text, i.details->>'user_name'))::int AS users
      FROM reconciliation_items i LEFT JOIN organizations o ON o.id = i.organization_id
     WHERE i.run_id = ${runId}::uuid AND i.kind = 'change' AND i.dimension IN ('organization', 'group', 'role')
     GROUP BY 1, 2, 3, 4, 5
     ORDER BY users DESC, 1, 2, 4, 5
     LIMIT ${limit}`;
  return rows.map((r) => {
    const c = {
      dimension: r.dimension,
      action: r.action,
      organization_id: r.organization_id,
      organization: r.organization,
      ...(r.dimension === "group" ? { group: r.target ?? "" } : {}),
      ...(r.dimension === "role" ? { role: r.target ?? "" } : {}),
      users: r.users,
    };
    return { ...c, text: consequenceText(c) };
  });
}
