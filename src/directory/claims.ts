import type { Attributes } from "../scim/resource-service";
import { USER_SCHEMA } from "../scim/schema/user";

/**
 * The claims IdP sync reads for a provisioned user, as Coder reads OIDC claims (DESIGN.md "Claims"),
 * derived from the SCIM data on every write. Pure.
 * - `groups`: displayNames of the IdP groups the user belongs to (sorted);
 * - `roles`, `entitlements`: the `value`s of those multi-valued attributes;
 * - every simple attribute of the core schema and the extensions, by short name and by full URN path
 *   (`department` and `urn:…:enterprise:2.0:User:department`); sub-attributes of single complex
 *   attributes by dotted name (`name.givenName`); `manager` as its `value`.
 * A short name that core and an extension both define keeps the core value.
 */

export type Claims = Record<string, unknown>;

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const isSimple = (v: unknown) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";

function valuesOf(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((i) => (isObj(i) ? i.value : i)).filter((v): v is string => typeof v === "string");
}

function addAttributes(claims: Claims, source: Attributes, urn: string, short: boolean): void {
  for (const [name, value] of Object.entries(source)) {
    if (name.startsWith("urn:")) continue;
    const put = (key: string, v: unknown) => {
      if (short && !(key in claims)) claims[key] = v;
      claims[`${urn}:${key}`] = v;
    };
    if (isSimple(value)) put(name, value);
    else if (isObj(value)) {
      if (name === "manager" && typeof value.value === "string") put(name, value.value);
      else for (const [sub, v] of Object.entries(value)) if (isSimple(v)) put(`${name}.${sub}`, v);
    }
  }
}

export function deriveClaims(attrs: Attributes, groupNames: readonly string[]): Claims {
  const claims: Claims = {
    groups: [...groupNames].sort(),
    roles: valuesOf(attrs.roles),
    entitlements: valuesOf(attrs.entitlements),
  };
  addAttributes(claims, attrs, USER_SCHEMA, true);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith("urn:") && isObj(value)) addAttributes(claims, value, key, true);
  }
  return claims;
}
