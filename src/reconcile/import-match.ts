import { Prisma, type PrismaClient, type UserStatus } from "../generated/prisma/client";
import { nameKey } from "../directory/name-key";
import { isUuid } from "../directory/prisma-errors";
import type { ExportGroup, ExportUser } from "./export-format";

/**
 * Finding the bridge's record for each exported resource: the same id (an export of this bridge),
 * else the same externalId, else the same userName / displayName (the same identity: nameKey, as
 * uniqueness and filters have it).
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

/**
 * Picks each exported record's row: by the export's id, then externalId, then the name's key.
 * `key` is the row's stored key column; `name` the record's name attribute.
 */
function pick<R extends { id: string; externalId: string | null }>(
  rows: R[],
  key: (r: R) => string,
  records: readonly { sourceId: string | undefined; attributes: Record<string, unknown> }[],
  name: string,
): (R | undefined)[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const byExternal = new Map(rows.filter((r) => r.externalId).map((r) => [r.externalId!, r]));
  const byKey = new Map(rows.map((r) => [key(r), r]));
  return records.map((x) => {
    const ext = str(x.attributes.externalId);
    return (x.sourceId ? byId.get(x.sourceId) : undefined) ?? (ext ? byExternal.get(ext) : undefined) ?? byKey.get(nameKey(String(x.attributes[name])));
  });
}

/** The lookup values of a chunk: uuid source ids, externalIds, name keys. */
function lookups(records: readonly { sourceId: string | undefined; attributes: Record<string, unknown> }[], name: string) {
  return {
    ids: records.map((r) => r.sourceId).filter((id): id is string => id !== undefined && isUuid(id)),
    externalIds: records.map((r) => str(r.attributes.externalId)).filter((v): v is string => v !== undefined),
    keys: records.map((r) => nameKey(String(r.attributes[name]))),
  };
}

export async function matchUsers(prisma: PrismaClient, chunk: readonly ExportUser[]): Promise<(BridgeUser | undefined)[]> {
  const { ids, externalIds, keys } = lookups(chunk, "userName");
  const rows = await prisma.user.findMany({
    where: { resource: { not: Prisma.DbNull }, OR: [{ id: { in: ids } }, { externalId: { in: externalIds } }, { userNameKey: { in: keys } }] },
    select: { id: true, userNameKey: true, externalId: true, username: true, resource: true, status: true },
  });
  return pick(rows, (r) => r.userNameKey, chunk, "userName");
}

export async function matchGroups(prisma: PrismaClient, chunk: readonly ExportGroup[]): Promise<(BridgeGroup | undefined)[]> {
  const { ids, externalIds, keys } = lookups(chunk, "displayName");
  const rows = await prisma.idpGroup.findMany({
    where: { OR: [{ id: { in: ids } }, { externalId: { in: externalIds } }, { displayNameKey: { in: keys } }] },
    select: { id: true, displayNameKey: true, externalId: true, resource: true },
  });
  return pick(rows, (r) => r.displayNameKey, chunk, "displayName");
}

export function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
