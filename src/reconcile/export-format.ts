import { ScimError } from "../scim/errors";
import type { Attributes } from "../scim/resource-service";
import { ENTERPRISE_USER_SCHEMA } from "../scim/schema/enterprise-user";
import { GROUP_SCHEMA } from "../scim/schema/group";
import { groupResourceType, userResourceType } from "../scim/schema/registry";
import { USER_SCHEMA } from "../scim/schema/user";
import { normalizeInput } from "../scim/schema/validate";
import { findUnstorable, firstUnstorable, formatPath, unstorableMessage } from "../text/storable";
import { CsvError, parseCsv } from "./csv";

/**
 * An IdP export read into SCIM attributes, validated the way a SCIM POST would be. Accepted shapes:
 * - JSON: `{"Users": …, "Groups": …}` where each is a ListResponse (as `GET /Users` and `GET /Groups`
 *   return them) or an array of resources; or one ListResponse, or an array of ListResponses or
 *   resources, with Users and Groups told apart by their `schemas`.
 * - CSV: one user per row under a header naming the columns (CSV_COLUMNS, any order, any case).
 * A record that does not validate becomes an error line of the report; the rest still import. That
 * includes a record holding a string the database can't store (U+0000, a lone surrogate; the same
 * rule as the APIs', src/text/storable.ts), anywhere in it, keys included: its error names the
 * attribute (or CSV column) and the character, never carrying the character itself.
 * A document that is not an export at all is refused whole (ExportFormatError → 400).
 */

export interface ExportUser {
  /** The user's id in the exporting system (members of exported groups refer to it). */
  sourceId: string | undefined;
  attributes: Attributes;
  ref: string;
}

export interface ExportGroup {
  sourceId: string | undefined;
  /** Without members. */
  attributes: Attributes;
  /** Members as the export names them: source ids of exported users (or ids of bridge users). */
  members: string[];
  /** False when the record has no `members` attribute: a merge import leaves the members as they are. */
  membersGiven: boolean;
  /**
   * A CSV's groups: the source ids of the rows that have a `groups` cell. A merge import decides the
   * membership of those users only (a row with an empty cell leaves its user's groups as they are).
   */
  decidedBy?: string[];
  ref: string;
}

export interface ParsedExport {
  users: ExportUser[];
  groups: ExportGroup[];
  errors: { ref: string; message: string }[];
}

export class ExportFormatError extends Error {}

export const CSV_COLUMNS = ["userName", "externalId", "givenName", "familyName", "displayName", "email", "active", "title", "department", "employeeNumber", "groups"] as const;

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

function key(obj: Record<string, unknown>, name: string): unknown {
  const k = Object.keys(obj).find((x) => x.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : obj[k];
}

function resourcesOf(value: unknown, ref: string): { resource: unknown; ref: string }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => (isObj(v) && key(v, "Resources") !== undefined ? resourcesOf(v, `${ref}[${i}]`) : [{ resource: v, ref: `${ref}[${i}]` }]));
  if (isObj(value)) {
    const resources = key(value, "Resources");
    if (resources !== undefined) {
      if (!Array.isArray(resources)) throw new ExportFormatError(`${ref}.Resources must be an array`);
      return resources.map((r, i) => ({ resource: r, ref: `${ref}.Resources[${i}]` }));
    }
  }
  throw new ExportFormatError(`${ref} must be a ListResponse or an array of SCIM resources`);
}

function schemasOf(resource: unknown): string[] {
  const s = isObj(resource) ? key(resource, "schemas") : undefined;
  return Array.isArray(s) ? s.filter((x): x is string => typeof x === "string").map((x) => x.toLowerCase()) : [];
}

/** Records the record as an error line when it holds a string the database can't store. */
function unstorable(resource: unknown, ref: string, out: ParsedExport): boolean {
  const found = findUnstorable(resource);
  if (found) out.errors.push({ ref, message: unstorableMessage(found) });
  return found !== undefined;
}

function readUser(resource: unknown, ref: string, out: ParsedExport): void {
  if (unstorable(resource, ref, out)) return;
  try {
    const { attributes } = normalizeInput(userResourceType, resource, "create");
    const id = isObj(resource) ? key(resource, "id") : undefined;
    out.users.push({ sourceId: typeof id === "string" ? id : undefined, attributes, ref });
  } catch (err) {
    if (err instanceof ScimError) out.errors.push({ ref, message: err.message });
    else throw err;
  }
}

function readGroup(resource: unknown, ref: string, out: ParsedExport): void {
  if (unstorable(resource, ref, out)) return;
  try {
    const { attributes } = normalizeInput(groupResourceType, resource, "create");
    const { members, ...rest } = attributes;
    const values = Array.isArray(members) ? members.map((m) => (isObj(m) ? m.value : undefined)).filter((v): v is string => typeof v === "string") : [];
    const id = isObj(resource) ? key(resource, "id") : undefined;
    out.groups.push({ sourceId: typeof id === "string" ? id : undefined, attributes: rest, members: values, membersGiven: members !== undefined, ref });
  } catch (err) {
    if (err instanceof ScimError) out.errors.push({ ref, message: err.message });
    else throw err;
  }
}

/**
 * Past this nesting the document is refused whole: its records (a few levels down) would be error
 * lines anyway (MAX_JSON_DEPTH), but a dry run keeps the whole document as JSON text, and
 * JSON.stringify overflows the stack a few thousand levels down.
 */
export const MAX_EXPORT_DEPTH = 1000;

export function parseJsonExport(doc: unknown): ParsedExport {
  const deep = findUnstorable(doc, { characters: false, maxDepth: MAX_EXPORT_DEPTH });
  if (deep) throw new ExportFormatError(`the export nests deeper than ${MAX_EXPORT_DEPTH} levels of objects and arrays (at ${formatPath(deep.path)}); no export does`);
  const out: ParsedExport = { users: [], groups: [], errors: [] };
  let entries: { resource: unknown; ref: string }[];
  if (isObj(doc) && (key(doc, "Users") !== undefined || key(doc, "Groups") !== undefined)) {
    entries = [...(key(doc, "Users") !== undefined ? resourcesOf(key(doc, "Users"), "Users") : []), ...(key(doc, "Groups") !== undefined ? resourcesOf(key(doc, "Groups"), "Groups") : [])];
  } else {
    entries = resourcesOf(doc, "$");
  }
  for (const { resource, ref } of entries) {
    const schemas = schemasOf(resource);
    if (schemas.includes(USER_SCHEMA.toLowerCase())) readUser(resource, ref, out);
    else if (schemas.includes(GROUP_SCHEMA.toLowerCase())) readGroup(resource, ref, out);
    else out.errors.push({ ref, message: `not a SCIM User or Group (schemas must name ${USER_SCHEMA} or ${GROUP_SCHEMA})` });
  }
  return out;
}

const TRUE = new Set(["true", "yes", "1", "y"]);
const FALSE = new Set(["false", "no", "0", "n"]);

export function parseCsvExport(text: string): ParsedExport {
  let rows;
  try {
    rows = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvError) throw new ExportFormatError(err.message);
    throw err;
  }
  const header = rows.shift();
  if (!header) throw new ExportFormatError("the CSV is empty: it needs a header row naming its columns");
  const columns = header.fields.map((h) => CSV_COLUMNS.find((c) => c.toLowerCase() === h.trim().toLowerCase()));
  const unknown = header.fields.filter((_h, i) => columns[i] === undefined);
  if (unknown.length > 0) throw new ExportFormatError(`unknown CSV columns: ${unknown.join(", ")} (known: ${CSV_COLUMNS.join(", ")})`);
  if (!columns.includes("userName")) throw new ExportFormatError("the CSV needs a userName column");
  const out: ParsedExport = { users: [], groups: [], errors: [] };
  const groups = new Map<string, string[]>();
  const decidedBy: string[] = [];
  for (const row of rows) {
    const ref = `line ${row.line}`;
    if (row.fields.length !== columns.length) {
      out.errors.push({ ref, message: `has ${row.fields.length} fields, the header has ${columns.length}` });
      continue;
    }
    const bad = row.fields.findIndex((f) => firstUnstorable(f) !== undefined);
    if (bad !== -1) {
      out.errors.push({ ref, message: unstorableMessage({ reason: "character", path: [columns[bad]!], inKey: false, codePoint: firstUnstorable(row.fields[bad]!)!.codePoint }) });
      continue;
    }
    const v: Partial<Record<(typeof CSV_COLUMNS)[number], string>> = {};
    columns.forEach((c, i) => {
      const value = row.fields[i]!.trim();
      if (c && value !== "") v[c] = value;
    });
    const active = v.active?.toLowerCase();
    if (active !== undefined && !TRUE.has(active) && !FALSE.has(active)) {
      out.errors.push({ ref, message: `active must be true or false, not ${JSON.stringify(v.active)}` });
      continue;
    }
    const enterprise = { ...(v.department ? { department: v.department } : {}), ...(v.employeeNumber ? { employeeNumber: v.employeeNumber } : {}) };
    const resource: Record<string, unknown> = {
      schemas: Object.keys(enterprise).length > 0 ? [USER_SCHEMA, ENTERPRISE_USER_SCHEMA] : [USER_SCHEMA],
      userName: v.userName,
      ...(v.externalId ? { externalId: v.externalId } : {}),
      ...(v.givenName || v.familyName ? { name: { ...(v.givenName ? { givenName: v.givenName } : {}), ...(v.familyName ? { familyName: v.familyName } : {}) } } : {}),
      ...(v.displayName ? { displayName: v.displayName } : {}),
      ...(v.email ? { emails: [{ value: v.email, type: "work", primary: true }] } : {}),
      // An empty cell says nothing: a merge import leaves the status, a create makes the user active.
      ...(active === undefined ? {} : { active: TRUE.has(active) }),
      ...(v.title ? { title: v.title } : {}),
      ...(Object.keys(enterprise).length > 0 ? { [ENTERPRISE_USER_SCHEMA]: enterprise } : {}),
    };
    const sourceId = `csv:${row.line}`;
    const before = out.users.length;
    readUser({ ...resource, id: sourceId }, ref, out);
    if (out.users.length === before) continue;
    if (v.groups !== undefined) decidedBy.push(sourceId);
    for (const name of (v.groups ?? "").split(";").map((g) => g.trim()).filter(Boolean)) {
      const list = groups.get(name);
      if (list) list.push(sourceId);
      else groups.set(name, [sourceId]);
    }
  }
  for (const [name, members] of groups) out.groups.push({ sourceId: undefined, attributes: { displayName: name }, members, membersGiven: true, decidedBy, ref: `group ${JSON.stringify(name)}` });
  return out;
}
