/**
 * The shape of SCIM schema definitions (RFC 7643 §7). One registry entry per resource type is built
 * from these; `/Schemas`, `/ResourceTypes`, input validation, filterable attributes, PATCH
 * mutability checks and projection all derive from it, so they cannot drift apart.
 */

/** RFC 7643 §2.3 data types. */
export type AttributeType =
  | "string"
  | "boolean"
  | "decimal"
  | "integer"
  | "dateTime"
  | "reference"
  | "complex"
  | "binary";

/** RFC 7643 §7 `mutability`. */
export type Mutability = "readOnly" | "readWrite" | "immutable" | "writeOnly";

/** RFC 7643 §7 `returned`. */
export type Returned = "always" | "never" | "default" | "request";

/** RFC 7643 §7 `uniqueness`. */
export type Uniqueness = "none" | "server" | "global";

export interface AttributeDef {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly description: string;
  readonly required: boolean;
  /** RFC 7643 §2.2: string comparisons honour case only when true (userName, emails: false). */
  readonly caseExact: boolean;
  readonly mutability: Mutability;
  readonly returned: Returned;
  readonly uniqueness: Uniqueness;
  readonly canonicalValues?: readonly string[];
  readonly referenceTypes?: readonly string[];
  /** Present exactly when `type` is "complex". */
  readonly subAttributes?: readonly AttributeDef[];
}

export interface SchemaDef {
  /** The schema URN, e.g. `urn:ietf:params:scim:schemas:core:2.0:User`. */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeDef[];
}

export interface SchemaExtensionRef {
  readonly schema: SchemaDef;
  readonly required: boolean;
}

export interface ResourceTypeDef {
  /** `User` or `Group`: the `meta.resourceType` value. */
  readonly name: string;
  /** `/Users` or `/Groups`. */
  readonly endpoint: string;
  readonly description: string;
  readonly schema: SchemaDef;
  readonly extensions: readonly SchemaExtensionRef[];
}

/**
 * An attribute path resolved against a resource type: which schema it lives in, the top-level
 * attribute and (for `name.familyName`, `emails.value`, `meta.lastModified`) the sub-attribute.
 * Names are the canonical spellings from the schema, whatever case the client used.
 */
export interface ResolvedPath {
  readonly schema: SchemaDef;
  /** True when the attribute belongs to an extension schema (stored under its URN). */
  readonly extension: boolean;
  readonly attribute: AttributeDef;
  readonly subAttribute?: AttributeDef;
  /**
   * Canonical dotted path: `userName`, `name.familyName`, `meta.lastModified`, or for an extension
   * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`.
   */
  readonly canonical: string;
}

/** The attribute that is finally addressed: the sub-attribute when there is one. */
export function leafOf(path: ResolvedPath): AttributeDef {
  return path.subAttribute ?? path.attribute;
}
