import type { PrismaClient } from "../generated/prisma/client";
import { sortDirection, sortSql, toSql, type Storage } from "../scim/filter/sql";
import type { ListQuery, ListResult, ResourceRecord } from "../scim/resource-service";

/**
 * One SCIM list query for any table: the filter becomes SQL (indexes apply), the total is counted
 * with the same condition, and the page is ordered stably (by the sort key, then creation, then id)
 * so that paging with startIndex never skips or repeats a resource. Rows are then loaded by id.
 */
export async function listResources(
  prisma: PrismaClient,
  spec: {
    table: string;
    storage: Storage;
    /** A condition every listed row meets (e.g. the SCIM resource exists). */
    where: string;
    query: ListQuery;
    load: (ids: string[]) => Promise<ResourceRecord[]>;
  },
): Promise<ListResult> {
  const { query } = spec;
  const alias = "u";
  const filter = query.filter ? toSql(query.filter, spec.storage, alias) : { text: "TRUE", values: [] };
  const where = `${spec.where} AND (${filter.text})`;
  const [{ total }] = await prisma.$queryRawUnsafe<[{ total: number }]>(
    `SELECT count(*)::int AS total FROM ${spec.table} ${alias} WHERE ${where}`,
    ...filter.values,
  );
  if (query.count === 0 || total < query.startIndex) return { total, records: [] };
  const order = query.sortBy ? `${sortSql(query.sortBy, spec.storage, alias)} ${sortDirection(query.sortOrder)}, ` : "";
  const n = filter.values.length;
  const rows = await prisma.$queryRawUnsafe<{ id: string }[]>(
    `SELECT ${alias}.id::text AS id FROM ${spec.table} ${alias} WHERE ${where}
      ORDER BY ${order}${alias}.created_at, ${alias}.id LIMIT $${n + 1} OFFSET $${n + 2}`,
    ...filter.values,
    query.count,
    query.startIndex - 1,
  );
  const ids = rows.map((r) => r.id);
  const byId = new Map((await spec.load(ids)).map((r) => [r.id, r]));
  return { total, records: ids.map((id) => byId.get(id)).filter((r): r is ResourceRecord => r !== undefined) };
}
