import type { Filter } from "./filter/ast";
import type { MemberOp } from "./patch/members";
import type { ResolvedPath, ResourceTypeDef } from "./schema/types";

/**
 * The port between the SCIM protocol layer and the records layer: one implementation per resource
 * type (src/directory), one generic router for all (src/scim/resource-router.ts). Attributes cross
 * it in the stored shape: canonical attribute names, extensions under their URN, no id/meta/password.
 */

export type Attributes = Record<string, unknown>;

export interface ResourceRecord {
  id: string;
  attributes: Attributes;
  /** Incremented on every change; `meta.version` and the ETag are derived from it. */
  version: number;
  created: Date;
  lastModified: Date;
}

export interface ListQuery {
  filter: Filter | undefined;
  /** RFC 7644 §3.4.2.4: 1-based. */
  startIndex: number;
  /** Already capped at maxResults; 0 asks for totalResults only. */
  count: number;
  sortBy: ResolvedPath | undefined;
  sortOrder: "ascending" | "descending";
  /** False when the response will not show members (lets Groups skip loading them). */
  withMembers: boolean;
}

export interface ListResult {
  total: number;
  records: ResourceRecord[];
}

/** Who is writing, and the `If-Match` precondition if any (RFC 7644 §3.14). */
export interface WriteContext {
  actor: string;
  ifMatch: string | undefined;
}

/**
 * A pure change computed from the current attributes (a parsed PatchOp, bound to its operations).
 * `detached` carries set operations on attributes stored apart (a Group's members).
 */
export type AttributeChange = (current: Attributes) => { next: Attributes; changed: boolean; detached: MemberOp[] };

export interface ResourceService {
  readonly resourceType: ResourceTypeDef;
  list(query: ListQuery): Promise<ListResult>;
  get(id: string, opts: { withMembers: boolean }): Promise<ResourceRecord | undefined>;
  /** Resources by id (the page of a root query), in no particular order; ids naming none are left out. */
  getMany(ids: readonly string[], opts: { withMembers: boolean }): Promise<ResourceRecord[]>;
  create(attributes: Attributes, ctx: WriteContext): Promise<ResourceRecord>;
  replace(id: string, attributes: Attributes, ctx: WriteContext): Promise<ResourceRecord>;
  /** Applies `change` to the current attributes under a row lock; writes nothing when unchanged. */
  patch(id: string, change: AttributeChange, ctx: WriteContext): Promise<ResourceRecord>;
  remove(id: string, ctx: WriteContext): Promise<void>;
}

/** `W/"<version>"`: weak, since the representation varies with projection. */
export function etagOf(version: number): string {
  return `W/"${version}"`;
}

/**
 * RFC 7232 §3.1 If-Match against the current version: `*` matches any existing resource; weak and
 * strong forms of our tag both match (clients echo what they were given, sometimes stripped).
 */
export function ifMatchSatisfied(header: string | undefined, version: number): boolean {
  if (header === undefined) return true;
  const tags = header.split(",").map((t) => t.trim());
  return tags.some((t) => t === "*" || t.replace(/^W\//, "") === `"${version}"`);
}
