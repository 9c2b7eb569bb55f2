import { likeLiteral } from "../../text/like";
import type { ResolvedPath } from "../schema/types";
import type { CompareOp, Filter, FilterValue } from "./ast";

/**
 * Typed filter → parameterised PostgreSQL (one dialect for both databases). Where each attribute
 * lives is the caller's (the records layer's) knowledge, given as a Storage function; this module
 * knows SQL and SCIM semantics only. Values are always parameters, never spliced into the text.
 */

/**
 * A column beside a text column that holds a canonical key of its value (a userName's identity),
 * under a unique index. `eq` and `ne` compare the key column with `of(value)`, computed by the caller's
 * function rather than by SQL (whose lower() and normalize() follow the database's locale), so the
 * index applies and a filter matches exactly what uniqueness means. Every other operator, and sorting,
 * reads the text column itself, case-insensitively.
 */
export interface KeyColumn {
  column: string;
  of: (value: string) => string;
}

/** Where an attribute's value lives for a row aliased `alias`. */
export type Location =
  /** A real column; `key`: its canonical key column, for `eq`/`ne`. */
  | { kind: "column"; column: string; type: "text" | "uuid" | "timestamptz" | "boolean"; key?: KeyColumn }
  /** A text[] column with every value of a multi-valued attribute (lower-cased when `lowered`). */
  | { kind: "textArray"; column: string; lowered?: boolean }
  /** Inside the JSONB document column under the attribute's canonical name. */
  | { kind: "json"; column: string }
  /** A boolean SQL expression over the row (e.g. `active` derived from a status column). */
  | { kind: "booleanExpr"; sql: (alias: string) => string }
  /** Group members kept in a membership table: `members.value` is the member's id. */
  | { kind: "memberTable"; table: string; groupColumn: string; memberColumn: string }
  /** The same value for every row of the table (a resource's `meta.resourceType`); null: never assigned. */
  | { kind: "literal"; value: string | null }
  /**
   * A multi-valued complex attribute whose elements are rows of other tables, not part of the document
   * (a user's `groups`, from its IdP group memberships). `rows` is a parenthesised SELECT of every
   * row's elements, one row each, with no reference to the outer row (so that the planner flattens it
   * and can turn EXISTS into a semi-join driven by an index); `owner` is its column holding the
   * owning row's id; `sub` says where each sub-attribute lives in it (a column of it, or a literal);
   * `order` names the columns that order a row's elements as they are shown (for sorting).
   */
  | { kind: "related"; rows: string; owner: string; sub: Readonly<Record<string, Location>>; order: readonly string[] };

export type Storage = (path: ResolvedPath) => Location;

export interface SqlFragment {
  text: string;
  values: unknown[];
}

/** The derived table of a `related` attribute's elements, as SQL sees it. */
const ELEMENT = "r";
const UNASSIGNED: Location = { kind: "literal", value: null };

/** The elements of a `related` attribute that belong to the row aliased `alias`, as FROM … WHERE. */
function elementsOf(loc: Extract<Location, { kind: "related" }>, alias: string): string {
  return `${loc.rows} AS ${ELEMENT} WHERE ${ELEMENT}.${loc.owner} = ${alias}.id`;
}

/** Where a sub-attribute of a `related` attribute lives; one it doesn't store reads as unassigned. */
function subOf(loc: Extract<Location, { kind: "related" }>, path: ResolvedPath): Location {
  const name = (path.subAttribute ?? path.attribute).name;
  return loc.sub[name] ?? UNASSIGNED;
}

const sqlText = (value: string) => `'${value.replace(/'/g, "''")}'::text`;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function likePattern(op: "co" | "sw" | "ew", value: string): string {
  const esc = likeLiteral(value);
  return op === "co" ? `%${esc}%` : op === "sw" ? `${esc}%` : `%${esc}`;
}

const SQL_OP: Record<"eq" | "ne" | "gt" | "ge" | "lt" | "le", string> = { eq: "=", ne: "<>", gt: ">", ge: ">=", lt: "<", le: "<=" };

class Builder {
  readonly values: unknown[] = [];
  constructor(private readonly start: number) {}
  param(v: unknown): string {
    this.values.push(v);
    return `$${this.start + this.values.length - 1}`;
  }
}

function jsonRef(column: string, path: readonly string[], asText: boolean): string {
  const parts = path.map((p) => `'${p.replace(/'/g, "''")}'`);
  if (parts.length === 0) return column;
  const last = parts.pop()!;
  return `${[column, ...parts].join("->")}${asText ? "->>" : "->"}${last}`;
}

/** Compares a text SQL expression with a typed value, honouring caseExact and the type. */
function compareScalar(b: Builder, expr: string, leafType: string, caseExact: boolean, op: CompareOp, value: FilterValue): string {
  if (value === null) return op === "eq" ? `(${expr}) IS NULL` : `(${expr}) IS NOT NULL`;
  if (leafType === "boolean") {
    const c = `(${expr})::boolean ${op === "eq" ? "=" : "<>"} ${b.param(value)}::boolean`;
    return op === "ne" ? `((${expr}) IS NULL OR ${c})` : c;
  }
  if (leafType === "dateTime" || leafType === "integer" || leafType === "decimal") {
    const cast = leafType === "dateTime" ? "timestamptz" : "numeric";
    const c = `(${expr})::${cast} ${SQL_OP[op as keyof typeof SQL_OP]} ${b.param(value)}::${cast}`;
    return op === "ne" ? `((${expr}) IS NULL OR ${c})` : c;
  }
  const fold = (s: string) => (caseExact ? s : `lower(${s})`);
  if (op === "co" || op === "sw" || op === "ew") {
    return `${fold(expr)} LIKE ${fold(b.param(likePattern(op, String(value))))} ESCAPE '\\'`;
  }
  const c = `${fold(expr)} ${SQL_OP[op]} ${fold(b.param(String(value)))}`;
  return op === "ne" ? `((${expr}) IS NULL OR ${c})` : c;
}

/** `pr` on a JSON value: present and not null, "", [] or {}. */
function presentJson(ref: string): string {
  return `(${ref} IS NOT NULL AND ${ref} NOT IN ('null'::jsonb, '""'::jsonb, '[]'::jsonb, '{}'::jsonb))`;
}

function elements(column: string, path: ResolvedPath, alias: string): string {
  const ref = jsonRef(`${alias}.${column}`, jsonPathOf(path), false);
  return `jsonb_array_elements(CASE WHEN jsonb_typeof(${ref}) = 'array' THEN ${ref} ELSE '[]'::jsonb END)`;
}

/** Keys into the JSON document: extension attributes sit under their schema URN. */
function jsonPathOf(path: ResolvedPath): string[] {
  return path.extension ? [path.schema.id, path.attribute.name] : [path.attribute.name];
}

function compileLeaf(b: Builder, f: Extract<Filter, { kind: "compare" | "present" }>, storage: Storage, alias: string, element?: string): string {
  const path = f.path;
  const leaf = path.subAttribute ?? path.attribute;
  if (element) {
    // Inside attr[...]: the sub-attribute of one array element.
    const ref = `${element}->${`'${leaf.name.replace(/'/g, "''")}'`}`;
    return f.kind === "present" ? presentJson(ref) : compareScalar(b, `${element}->>'${leaf.name.replace(/'/g, "''")}'`, leaf.type, leaf.caseExact, f.op, f.value);
  }
  const loc = storage(path);
  switch (loc.kind) {
    case "booleanExpr": {
      if (f.kind === "present") return "TRUE";
      if (f.value === null) return f.op === "eq" ? "FALSE" : "TRUE";
      return `(${loc.sql(alias)}) ${f.op === "eq" ? "=" : "<>"} ${b.param(f.value)}::boolean`;
    }
    case "column": {
      const col = `${alias}.${loc.column}`;
      if (f.kind === "present") return `${col} IS NOT NULL`;
      if (loc.type === "uuid") {
        if (f.op === "eq" || f.op === "ne") {
          const isId = typeof f.value === "string" && UUID_RE.test(f.value);
          if (!isId) return f.op === "eq" ? "FALSE" : "TRUE";
          return `${col} ${f.op === "eq" ? "=" : "<>"} ${b.param(f.value)}::uuid`;
        }
        return compareScalar(b, `${col}::text`, "string", false, f.op, f.value);
      }
      if (loc.type === "timestamptz") return compareScalar(b, col, "dateTime", true, f.op, f.value);
      if (loc.key && f.value !== null && (f.op === "eq" || f.op === "ne")) {
        // Index-friendly: the key column holds of(value) for every row.
        const k = `${alias}.${loc.key.column}`;
        const c = `${k} ${f.op === "eq" ? "=" : "<>"} ${b.param(loc.key.of(String(f.value)))}`;
        return f.op === "ne" ? `(${k} IS NULL OR ${c})` : c;
      }
      return compareScalar(b, col, leaf.type === "boolean" ? "boolean" : "string", loc.key ? false : leaf.caseExact, f.op, f.value);
    }
    case "textArray": {
      const col = `${alias}.${loc.column}`;
      if (f.kind === "present") return `cardinality(${col}) > 0`;
      if (f.op === "eq" && f.value !== null) return `${col} @> ARRAY[${loc.lowered ? `lower(${b.param(String(f.value))})` : b.param(String(f.value))}]::text[]`;
      if (f.op === "ne") return `NOT (${compileLeaf(b, { ...f, op: "eq" }, storage, alias)})`;
      return `EXISTS (SELECT 1 FROM unnest(${col}) AS x(v) WHERE ${compareScalar(b, "x.v", "string", loc.lowered ? false : leaf.caseExact, f.op, f.value)})`;
    }
    case "literal": {
      if (f.kind === "present") return loc.value !== null && loc.value !== "" ? "TRUE" : "FALSE";
      return compareScalar(b, loc.value === null ? "NULL::text" : `${b.param(loc.value)}::text`, leaf.type, leaf.caseExact, f.op, f.value);
    }
    case "related": {
      // `groups pr`: any element at all; otherwise any element whose sub-attribute matches (RFC 7644 §3.4.2.2).
      if (f.kind === "present" && !path.subAttribute) return `EXISTS (SELECT 1 FROM ${elementsOf(loc, alias)})`;
      return `EXISTS (SELECT 1 FROM ${elementsOf(loc, alias)} AND ${compileLeaf(b, f, () => subOf(loc, path), ELEMENT)})`;
    }
    case "memberTable": {
      if (f.kind === "present") return `EXISTS (SELECT 1 FROM ${loc.table} m WHERE m.${loc.groupColumn} = ${alias}.id)`;
      if ((f.op === "eq" || f.op === "ne") && (path.subAttribute?.name ?? "value") === "value") {
        const isId = typeof f.value === "string" && UUID_RE.test(f.value);
        const has = isId ? `EXISTS (SELECT 1 FROM ${loc.table} m WHERE m.${loc.groupColumn} = ${alias}.id AND m.${loc.memberColumn} = ${b.param(f.value)}::uuid)` : "FALSE";
        return f.op === "eq" ? has : `NOT ${has}`;
      }
      return "FALSE";
    }
    case "json": {
      const column = `${alias}.${loc.column}`;
      if (path.attribute.multiValued) {
        if (!path.subAttribute) {
          const ref = jsonRef(column, jsonPathOf(path), false);
          return f.kind === "present" ? presentJson(ref) : "FALSE";
        }
        // Any element whose sub-attribute matches (RFC 7644 §3.4.2.2).
        const inner = compileLeaf(b, f, storage, alias, "e.v");
        return `EXISTS (SELECT 1 FROM ${elements(loc.column, path, alias)} AS e(v) WHERE ${inner})`;
      }
      const keys = [...jsonPathOf(path), ...(path.subAttribute ? [path.subAttribute.name] : [])];
      if (f.kind === "present") return presentJson(jsonRef(column, keys, false));
      return compareScalar(b, jsonRef(column, keys, true), leaf.type, leaf.caseExact, f.op, f.value);
    }
  }
}

/** The `value eq "x"` conditions that every match of the filter must meet (its top-level conjuncts). */
function requiredValues(f: Filter): string[] {
  if (f.kind === "and") return f.filters.flatMap(requiredValues);
  if (f.kind === "compare" && f.op === "eq" && f.path.subAttribute?.name === "value" && typeof f.value === "string") return [f.value];
  return [];
}

/**
 * `emails[type eq "work" and value eq "x"]` (Entra's matching) must look inside the JSON document,
 * which no index covers; when the attribute's values also sit in an indexed array column, the
 * necessary condition `column @> ARRAY[x]` is added first so the index finds the few candidates.
 */
function indexedNarrowing(b: Builder, f: Extract<Filter, { kind: "valuePath" }>, storage: Storage, alias: string): string | undefined {
  const valueSub = f.path.attribute.subAttributes?.find((s) => s.name === "value");
  if (!valueSub) return undefined;
  const loc = storage({ ...f.path, subAttribute: valueSub, canonical: `${f.path.canonical}.value` });
  const values = requiredValues(f.filter);
  if (loc.kind !== "textArray" || values.length === 0) return undefined;
  const items = values.map((v) => (loc.lowered ? `lower(${b.param(v)})` : b.param(v)));
  return `${alias}.${loc.column} @> ARRAY[${items.join(", ")}]::text[]`;
}

function compile(b: Builder, f: Filter, storage: Storage, alias: string, element?: string): string {
  switch (f.kind) {
    case "and":
    case "or":
      return `(${f.filters.map((x) => compile(b, x, storage, alias, element)).join(f.kind === "and" ? " AND " : " OR ")})`;
    case "not":
      return `NOT COALESCE((${compile(b, f.filter, storage, alias, element)}), FALSE)`;
    case "valuePath": {
      const loc = storage(f.path);
      if (loc.kind === "memberTable") return compile(b, f.filter, storage, alias);
      if (loc.kind === "related") {
        // Every condition inside the brackets on the same element (one row of the derived table).
        return `EXISTS (SELECT 1 FROM ${elementsOf(loc, alias)} AND ${compile(b, f.filter, (p) => subOf(loc, p), ELEMENT)})`;
      }
      if (loc.kind !== "json") return "FALSE";
      if (!f.path.attribute.multiValued) {
        // A single complex attribute (manager[value eq "x"]): its sub-attributes, directly.
        const ref = jsonRef(`${alias}.${loc.column}`, jsonPathOf(f.path), false);
        return `(${compile(b, f.filter, storage, alias, ref)})`;
      }
      const exists = `EXISTS (SELECT 1 FROM ${elements(loc.column, f.path, alias)} AS e(v) WHERE ${compile(b, f.filter, storage, alias, "e.v")})`;
      const narrowing = indexedNarrowing(b, f, storage, alias);
      return narrowing ? `(${narrowing} AND ${exists})` : exists;
    }
    default:
      return compileLeaf(b, f, storage, alias, element);
  }
}

/** `WHERE`-ready SQL for the filter over rows aliased `alias`; parameters numbered from `startParam`. */
export function toSql(filter: Filter, storage: Storage, alias: string, startParam = 1): SqlFragment {
  const b = new Builder(startParam);
  const text = compile(b, filter, storage, alias);
  return { text, values: b.values };
}

/**
 * The direction of a sort on sortBy, with unassigned values where RFC 7644 §3.4.2.3 puts them:
 * "ordered last if ascending and first if descending".
 */
export function sortDirection(order: "ascending" | "descending"): string {
  return order === "descending" ? "DESC NULLS FIRST" : "ASC NULLS LAST";
}

/** An `ORDER BY` expression for sortBy (RFC 7644 §3.4.2.3); multi-valued: the primary or first value. */
export function sortSql(path: ResolvedPath, storage: Storage, alias: string): string {
  const loc = storage(path);
  const leaf = path.subAttribute ?? path.attribute;
  switch (loc.kind) {
    case "column":
      return loc.key ? `lower(${alias}.${loc.column})` : `${alias}.${loc.column}`;
    case "booleanExpr":
      return `(${loc.sql(alias)})`;
    case "textArray":
      return `${alias}.${loc.column}[1]`;
    case "memberTable":
      return `${alias}.id`;
    case "literal":
      return loc.value === null ? "NULL::text" : `lower(${sqlText(loc.value)})`;
    case "related": {
      // The first element as shown (RFC 7644 §3.4.2.3: the primary value, else the first); `groups` alone means its value.
      const value = path.attribute.subAttributes?.find((a) => a.name === "value");
      const p = path.subAttribute || !value ? path : { ...path, subAttribute: value, canonical: `${path.canonical}.value` };
      const order = loc.order.map((c) => `${ELEMENT}.${c}`).join(", ");
      return `(SELECT ${sortSql(p, () => subOf(loc, p), ELEMENT)} FROM ${elementsOf(loc, alias)} ORDER BY ${order} LIMIT 1)`;
    }
    case "json": {
      const column = `${alias}.${loc.column}`;
      if (path.attribute.multiValued) {
        const sub = (path.subAttribute ?? leaf).name === path.attribute.name ? "value" : (path.subAttribute ?? leaf).name;
        return `(SELECT lower(e.v->>'${sub.replace(/'/g, "''")}') FROM ${elements(loc.column, path, alias)} AS e(v) ORDER BY (e.v->>'primary') = 'true' DESC LIMIT 1)`;
      }
      const keys = [...jsonPathOf(path), ...(path.subAttribute ? [path.subAttribute.name] : [])];
      const ref = jsonRef(column, keys, true);
      return leaf.caseExact ? ref : `lower(${ref})`;
    }
  }
}
