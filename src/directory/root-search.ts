import type { SqlRunner } from "../db/database";
import { sortDirection, sortSql, toSql } from "../scim/filter/sql";
import type { RootPage, RootQuery, RootSearch } from "../scim/root-search";
import { groupTable, userTable, type ResourceTable } from "./scim-storage";

/**
 * The page of a query at the service root (RFC 7644 §3.4.2.1), over users and IdP groups, in one
 * statement. Each type's part is the same SQL as its own list (the filter through src/scim/filter/sql.ts
 * over its storage, the same sort key, ties broken by creation then id), so the root's order is the
 * merge of the types' orders. The database merges them: each type contributes its first
 * startIndex - 1 + count matches in order (ids and sort keys only, never documents: a top-N sort, or
 * an index), the union is ordered and the page cut from it; only the page's ids come back. So the
 * work is that of the same page of each type's own list, whatever the tables hold; the total is the
 * sum of each type's count. A type without the sortBy attribute sorts as unassigned: last when
 * ascending, first when descending (RFC 7644 §3.4.2.3).
 */

const TABLES: Readonly<Record<string, ResourceTable>> = { User: userTable, Group: groupTable };

/** One type's share of the statement. */
interface Part {
  /** Its number of matches, as a scalar subquery. */
  count: string;
  /** Its first `limit` matches in order: the type's branch of the union. */
  branch: (limit: string) => string;
}

export function createRootSearch(sql: SqlRunner): RootSearch {
  return {
    async search(q: RootQuery): Promise<RootPage> {
      if (q.branches.length === 0) return { total: 0, entries: [] };
      const values: unknown[] = [];
      const dir = sortDirection(q.sortOrder);
      const parts = q.branches.map((b, i): Part => {
        const table = TABLES[b.resourceType.name];
        if (!table) throw new Error(`no table serves the resource type ${b.resourceType.name}`);
        const alias = `t${i}`;
        const filter = b.filter ? toSql(b.filter, table.storage, alias, values.length + 1) : { text: "TRUE", values: [] };
        values.push(...filter.values);
        const from = `FROM ${table.table} ${alias} WHERE ${table.where(alias)} AND (${filter.text})`;
        // Unassigned for a type that lacks the attribute: an untyped NULL takes the other branch's type.
        const key = q.sorted && b.sortBy ? sortSql(b.sortBy, table.storage, alias) : "NULL";
        const order = `${key === "NULL" ? "" : `${key} ${dir}, `}${alias}.created_at, ${alias}.id`;
        return {
          count: `(SELECT count(*)::int ${from})`,
          branch: (limit) => `(SELECT ${i} AS t, ${alias}.id, ${key} AS k, ${alias}.created_at AS c ${from} ORDER BY ${order} LIMIT ${limit})`,
        };
      });
      const total = parts.map((p) => p.count).join(" + ");
      if (q.count === 0) {
        const [row] = await sql.query<{ total: number }>(`SELECT ${total} AS total`, values);
        return { total: row!.total, entries: [] };
      }
      const n = values.length;
      const [limit, count, offset] = [`$${n + 1}::bigint`, `$${n + 2}::bigint`, `$${n + 3}::bigint`];
      const order = `${q.sorted ? `x.k ${dir}, ` : ""}x.c, x.id, x.t`;
      const [row] = await sql.query<{ total: number; page: { t: number; id: string }[] }>(
        `SELECT ${total} AS total,
                COALESCE((SELECT json_agg(json_build_object('t', p.t, 'id', p.id::text) ORDER BY p.n)
                            FROM (SELECT x.t, x.id, row_number() OVER (ORDER BY ${order}) AS n
                                    FROM (${parts.map((p) => p.branch(limit)).join(" UNION ALL ")}) x) p
                           WHERE p.n > ${offset} AND p.n <= ${offset} + ${count}), '[]'::json) AS page`,
        [...values, q.startIndex - 1 + q.count, q.count, q.startIndex - 1],
      );
      const r = row!;
      return { total: r.total, entries: r.page.map((e) => ({ resourceType: q.branches[e.t]!.resourceType.name, id: e.id })) };
    },
  };
}
