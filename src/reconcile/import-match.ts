import { Prisma, type PrismaClient, type UserStatus } from "../generated/prisma/client";
import { isUuid } from "../directory/prisma-errors";
import type { ExportGroup, ExportUser } from "./export-format";

/**
 * Finding the bridge's record for each exported resource: the same id (an export of this bridge),
 * else the same externalId, else the same userName / displayName (case-insensitive, as SCIM says).
 * Looked up a chunk at a time, so an export of any size costs a few queries per chunk.
 */

export interface BridgeUser {
  id: string;
  userNameKey: string;
  externalId: string | null;
  username: string;
  resource: Prisma.JsonValue;
  status: UserStatus;
}

export interface BridgeGroup {
  id: string;
  displayNameKey: string;
  externalId: string | null;
  resource: Prisma.JsonValue;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

export async function matchUsers(prisma: PrismaClient, chunk: readonly ExportUser[]): Promise<(BridgeUser | undefined)[]> {
  const ids = chunk.map((u) => u.sourceId).filter((id): id is string => id !== undefined && isUuid(id));
  const externalIds = chunk.map((u) => str(u.attributes.externalId)).filter((v): v is string => v !== undefined);
  const keys = chunk.map((u) => String(u.attributes.userName).toLowerCase());
  const rows = await prisma.user.findMany({
    where: { resource: { not: Prisma.DbNull }, OR: [{ id: { in: ids } }, { externalId: { in: externalIds } }, { userNameKey: { in: keys } }] },
    select: { id: true, userNameKey: true, externalId: true, username: true, resource: true, status: true },
  });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const byExternal = new Map(rows.filter((r) => r.externalId).map((r) => [r.externalId!, r]));
  const byKey = new Map(rows.map((r) => [r.userNameKey, r]));
  return chunk.map((u) => {
    const ext = str(u.attributes.externalId);
    return (u.sourceId ? byId.get(u.sourceId) : undefined) ?? (ext ? byExternal.get(ext) : undefined) ?? byKey.get(String(u.attributes.userName).toLowerCase());
  });
}

export async function matchGroups(prisma: PrismaClient, chunk: readonly ExportGroup[]): Promise<(BridgeGroup | undefined)[]> {
  const ids = chunk.map((g) => g.sourceId).filter((id): id is string => id !== undefined && isUuid(id));
  const externalIds = chunk.map((g) => str(g.attributes.externalId)).filter((v): v is string => v !== undefined);
  const keys = chunk.map((g) => String(g.attributes.displayName).toLowerCase());
  const rows = await prisma.idpGroup.findMany({
    where: { OR: [{ id: { in: ids } }, { externalId: { in: externalIds } }, { displayNameKey: { in: keys } }] },
    select: { id: true, displayNameKey: true, externalId: true, resource: true },
  });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const byExternal = new Map(rows.filter((r) => r.externalId).map((r) => [r.externalId!, r]));
  const byKey = new Map(rows.map((r) => [r.displayNameKey, r]));
  return chunk.map((g) => {
    const ext = str(g.attributes.externalId);
    return (g.sourceId ? byId.get(g.sourceId) : undefined) ?? (ext ? byExternal.get(ext) : undefined) ?? byKey.get(String(g.attributes.displayName).toLowerCase());
  });
}

export function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
