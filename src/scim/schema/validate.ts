import { ScimError } from "../errors";
import { commonAttributes } from "./common";
import { resolvePath, schemaByUrn } from "./resolve";
import type { AttributeDef, ResourceTypeDef, SchemaDef } from "./types";

/**
 * Turns a POST/PUT body into the stored shape (RFC 7643 §2, RFC 7644 §3.3 and §3.5.1), purely:
 * canonical attribute names whatever case the client used (Entra sends `UserName`, `Primary`),
 * extension attributes under their URN (also when sent flattened as `urn:…:User:department`), typed
 * values (string booleans become booleans), read-only attributes dropped (Okta echoes `id`, `groups`,
 * `meta` in PUT), the password flagged and dropped (Okta always sends a placeholder), `null` read as
 * absent. Unknown attributes are dropped and reported rather than failing the provisioning; keys under
 * an unknown extension URN that `schemas` lists (an IdP's custom extension) are kept as sent.
 */

export type Attributes = Record<string, unknown>;

export interface NormalizedInput {
  attributes: Attributes;
  passwordProvided: boolean;
  /** Paths of attributes that were dropped because no schema defines them. */
  ignored: string[];
}

interface Walk {
  passwordProvided: boolean;
  ignored: string[];
}

const invalid = (detail: string) => ScimError.badRequest("invalidValue", detail);

/**
 * Longest accepted string values. Identifiers are stored in b-tree indexes (case-folded userName,
 * externalId, email, group name), whose entries PostgreSQL caps at about 2.7 kB; a longer value would
 * fail in the database as a 500. Other text is capped so that one attribute can't fill a row.
 */
export const MAX_IDENTIFIER_LENGTH = 1024;
/**
 * And at most this many bytes in UTF-8, as sent and lower-cased (the form emails are indexed in; a
 * few letters grow when lower-cased, İ from 2 bytes to 3): 1,024 CJK characters are 3,072 bytes, past
 * what an index entry holds. 2,048 takes 1,024 characters of any script whose letters are two bytes.
 */
export const MAX_IDENTIFIER_BYTES = 2048;
export const MAX_STRING_LENGTH = 8192;
export const MAX_BINARY_LENGTH = 65536;
/** Most values of one multi-valued attribute (emails, roles, …); a Group's members are bounded by the body size only. */
export const MAX_VALUES = 1000;

function maxLength(def: AttributeDef, path: string): number {
  if (def.type === "binary") return MAX_BINARY_LENGTH;
  if (def.name === "userName" || def.name === "externalId" || def.name === "displayName" || /^emails\[\d+\]\.value$/.test(path)) return MAX_IDENTIFIER_LENGTH;
  return MAX_STRING_LENGTH;
}

/** `true`/`false` in any case (Entra sends `"False"`), else undefined. */
export function coerceBoolean(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value === "string" && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === "true";
  return undefined;
}

function findAttr(list: readonly AttributeDef[] | undefined, name: string): AttributeDef | undefined {
  const lower = name.toLowerCase();
  return list?.find((a) => a.name.toLowerCase() === lower);
}

function simpleValue(def: AttributeDef, value: unknown, path: string): unknown {
  switch (def.type) {
    case "boolean": {
      const b = coerceBoolean(value);
      if (b === undefined) throw invalid(`${path} must be a boolean`);
      return b;
    }
    case "integer": {
      const n = typeof value === "string" && /^[+-]?\d+$/.test(value.trim()) ? Number(value) : value;
      if (typeof n !== "number" || !Number.isSafeInteger(n)) throw invalid(`${path} must be an integer`);
      return n;
    }
    case "decimal": {
      const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
      if (typeof n !== "number" || !Number.isFinite(n)) throw invalid(`${path} must be a number`);
      return n;
    }
    case "dateTime":
      if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value))) {
        throw invalid(`${path} must be an xsd:dateTime such as 2026-11-22T10:00:00Z`);
      }
      return value;
    default:
      // string, reference, binary. Numbers are read as their text (an employeeNumber sent as 1234).
      if (typeof value === "number" && Number.isFinite(value)) return String(value);
      if (typeof value !== "string") throw invalid(`${path} must be a string`);
      if (value.length > maxLength(def, path)) throw invalid(`${path} must be at most ${maxLength(def, path)} characters`);
      if (maxLength(def, path) === MAX_IDENTIFIER_LENGTH && Math.max(Buffer.byteLength(value), Buffer.byteLength(value.toLowerCase())) > MAX_IDENTIFIER_BYTES) {
        throw invalid(`${path} must be at most ${MAX_IDENTIFIER_BYTES} bytes in UTF-8 (it is stored in an index); this one is ${Buffer.byteLength(value)}`);
      }
      return value;
  }
}

/** Normalises one value of `def` (a whole multi-valued array when `def.multiValued`). */
export function normalizeValue(def: AttributeDef, value: unknown, path: string, walk: Walk = { passwordProvided: false, ignored: [] }): unknown {
  if (value === null || value === undefined) return undefined;
  if (def.multiValued) {
    if (!Array.isArray(value)) throw invalid(`${path} is multi-valued and must be an array`);
    if (value.length > MAX_VALUES && def.name !== "members") throw invalid(`${path} must have at most ${MAX_VALUES} values`);
    return value.map((item, i) => normalizeSingle(def, item, `${path}[${i}]`, walk)).filter((v) => v !== undefined);
  }
  return normalizeSingle(def, value, path, walk);
}

function normalizeSingle(def: AttributeDef, value: unknown, path: string, walk: Walk): unknown {
  if (value === null || value === undefined) return undefined;
  // A single value wrapped in a one-element array (Entra's manager: `[{"value": "<id>"}]`).
  if (Array.isArray(value) && value.length === 1 && !def.multiValued && def.type === "complex") return normalizeSingle(def, value[0], path, walk);
  if (def.type !== "complex") {
    if (Array.isArray(value) || typeof value === "object") throw invalid(`${path} must be a single ${def.type} value`);
    return simpleValue(def, value, path);
  }
  // A complex value given as a bare string is its `value` (Entra sends `"manager": "<id>"`).
  if ((typeof value === "string" || typeof value === "number") && findAttr(def.subAttributes, "value")) {
    return value === "" ? undefined : { value: String(value) };
  }
  if (typeof value !== "object" || Array.isArray(value)) throw invalid(`${path} must be an object`);
  const out: Attributes = {};
  for (const [key, sub] of Object.entries(value)) {
    const subDef = findAttr(def.subAttributes, key);
    if (!subDef) {
      walk.ignored.push(`${path}.${key}`);
      continue;
    }
    if (subDef.mutability === "readOnly") continue;
    const v = normalizeSingle(subDef, sub, `${path}.${subDef.name}`, walk);
    if (v !== undefined) out[subDef.name] = v;
  }
  return out;
}

function putAttribute(target: Attributes, def: AttributeDef, value: unknown, path: string, walk: Walk): void {
  if (def.mutability === "writeOnly") {
    // The password (the only writeOnly attribute): checked like any value, then never stored.
    if (value !== null && value !== undefined) {
      normalizeValue(def, value, path, walk);
      walk.passwordProvided = true;
    }
    return;
  }
  if (def.mutability === "readOnly") return;
  const v = normalizeValue(def, value, path, walk);
  if (v === undefined) return;
  const existing = target[def.name];
  // `name` and `name.givenName` may both arrive (flattened keys): merge sub-attributes.
  target[def.name] = existing && typeof existing === "object" && !Array.isArray(existing) && typeof v === "object" && !Array.isArray(v)
    ? { ...(existing as Attributes), ...(v as Attributes) }
    : v;
}

function normalizeSchemaObject(schema: SchemaDef, value: unknown, path: string, walk: Walk): Attributes {
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw invalid(`${path} must be an object`);
  const out: Attributes = {};
  for (const [key, v] of Object.entries(value)) {
    const def = findAttr(schema.attributes, key);
    if (!def) walk.ignored.push(`${path}:${key}`);
    else putAttribute(out, def, v, `${path}:${def.name}`, walk);
  }
  return out;
}

function listedSchemas(rt: ResourceTypeDef, body: Attributes): string[] {
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.every((s) => typeof s === "string")) {
    throw ScimError.badRequest("invalidSyntax", `schemas must be an array naming ${rt.schema.id}`);
  }
  if (!schemas.some((s) => s.toLowerCase() === rt.schema.id.toLowerCase())) {
    throw ScimError.badRequest("invalidSyntax", `schemas must include ${rt.schema.id}`);
  }
  return schemas;
}

/** Required attributes present and non-empty: after a POST/PUT body is read, and after a PATCH. */
export function requireAttributes(rt: ResourceTypeDef, attrs: Attributes): void {
  for (const def of rt.schema.attributes) {
    if (def.required && (attrs[def.name] === undefined || attrs[def.name] === null || attrs[def.name] === "")) {
      throw invalid(`${def.name} is required`);
    }
  }
}

export function normalizeInput(rt: ResourceTypeDef, body: unknown, _mode: "create" | "replace"): NormalizedInput {
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    throw ScimError.badRequest("invalidSyntax", "the request body must be a JSON object");
  }
  const input = body as Attributes;
  const schemas = listedSchemas(rt, input);
  const walk: Walk = { passwordProvided: false, ignored: [] };
  const out: Attributes = {};
  const extensionParts = new Map<string, Attributes>();

  for (const [key, value] of Object.entries(input)) {
    if (key.toLowerCase() === "schemas") continue;
    const ext = key.startsWith("urn:") || key.startsWith("URN:") ? schemaByUrn(rt, key) : undefined;
    if (ext?.extension) {
      const part = extensionParts.get(ext.schema.id) ?? {};
      extensionParts.set(ext.schema.id, { ...part, ...normalizeSchemaObject(ext.schema, value, ext.schema.id, walk) });
      continue;
    }
    const common = findAttr(commonAttributes, key);
    if (common) {
      // id and meta are the server's; externalId is the client's.
      if (common.name === "externalId") putAttribute(out, common, value, "externalId", walk);
      continue;
    }
    const resolved = resolvePath(rt, key);
    if (resolved && !resolved.subAttribute) {
      if (resolved.extension) {
        const part = extensionParts.get(resolved.schema.id) ?? {};
        putAttribute(part, resolved.attribute, value, resolved.canonical, walk);
        extensionParts.set(resolved.schema.id, part);
      } else {
        putAttribute(out, resolved.attribute, value, resolved.canonical, walk);
      }
      continue;
    }
    if (key.toLowerCase().startsWith("urn:") && value && typeof value === "object" && !Array.isArray(value)) {
      // An extension we don't define: kept as sent when the client declared it in `schemas`.
      const declared = schemas.find((s) => s.toLowerCase() === key.toLowerCase());
      if (declared) {
        out[declared] = value;
        continue;
      }
    }
    walk.ignored.push(key);
  }
  for (const [urn, part] of extensionParts) if (Object.keys(part).length > 0) out[urn] = part;

  requireAttributes(rt, out);
  return { attributes: out, passwordProvided: walk.passwordProvided, ignored: walk.ignored };
}
