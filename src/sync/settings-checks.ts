import type { Prisma } from "../generated/prisma/client";
import { isUuid } from "../directory/prisma-errors";
import type { GroupSyncSettings, RoleSyncSettings } from "./expected";
import { patternProblem } from "./pattern";
import { ORGANIZATION_ROLES, SITE_ROLES } from "./rules";

/**
 * What saving IdP sync settings checks beyond their JSON shape (mapping targets exist, `regex_filter`
 * compiles in RE2), as lists of problems: saving joins them into one 400, a preview of candidate
 * settings names each field. One implementation for both.
 */

type Tx = Prisma.TransactionClient;

export interface SettingsProblem {
  /** The settings field at fault (`mapping`, `regex_filter`). */
  field: string;
  /** The message, as saving has always worded it. */
  message: string;
}

export async function organizationMappingProblems(tx: Tx, mapping: Record<string, string[]>): Promise<SettingsProblem[]> {
  const ids = [...new Set(Object.values(mapping).flat())];
  const found = new Set((await tx.organization.findMany({ where: { id: { in: ids.filter(isUuid) } }, select: { id: true } })).map((o) => o.id));
  return Object.entries(mapping).flatMap(([given, targets]) => targets.filter((t) => !found.has(t)).map((t) => ({ field: "mapping", message: `"${given}" → ${t} is not an organization` })));
}

export async function groupSettingsProblems(tx: Tx, orgId: string, s: GroupSyncSettings): Promise<SettingsProblem[]> {
  const problems: SettingsProblem[] = [];
  if (s.regex_filter) {
    const p = patternProblem(s.regex_filter);
    if (p) problems.push({ field: "regex_filter", message: `regex_filter ${p}` });
  }
  const ids = [...new Set(Object.values(s.mapping ?? {}).flat())];
  const found = new Set((await tx.group.findMany({ where: { organizationId: orgId, id: { in: ids.filter(isUuid) } }, select: { id: true } })).map((g) => g.id));
  for (const [given, targets] of Object.entries(s.mapping ?? {})) {
    for (const t of targets) if (!found.has(t)) problems.push({ field: "mapping", message: `"${given}" → ${t} is not a group of this organization` });
  }
  return problems;
}

export function roleSettingsProblems(s: RoleSyncSettings): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  for (const [given, targets] of Object.entries(s.mapping ?? {})) {
    for (const role of targets) {
      if ((SITE_ROLES as readonly string[]).includes(role)) problems.push({ field: "mapping", message: `"${given}" → ${role} is a site role; sync never grants site roles` });
      else if (!(ORGANIZATION_ROLES as readonly string[]).includes(role)) problems.push({ field: "mapping", message: `"${given}" → ${role} is not an organization role` });
    }
  }
  return problems;
}
