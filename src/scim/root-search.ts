import type { Filter } from "./filter/ast";
import type { ResolvedPath, ResourceTypeDef } from "./schema/types";

/**
 * The port for a query at the service root (RFC 7644 §3.4.2.1: "all resources within the server
 * SHALL be included, subject to filtering"), across every served resource type. The protocol layer
 * resolves the filter and sortBy per type (src/scim/filter/across.ts) and renders the page through
 * each type's ResourceService; the records layer (src/directory/root-search.ts) picks the page.
 */

/** One resource type's part of a root query: only types the filter can match take part. */
export interface RootBranch {
  resourceType: ResourceTypeDef;
  /** Undefined: every resource of the type. */
  filter: Filter | undefined;
  /** sortBy on this type; undefined when the type doesn't define it (its resources sort as unassigned). */
  sortBy: ResolvedPath | undefined;
}

export interface RootQuery {
  branches: RootBranch[];
  /** Whether the request had a sortBy (else: oldest first, as a resource type's list). */
  sorted: boolean;
  sortOrder: "ascending" | "descending";
  /** RFC 7644 §3.4.2.4: 1-based. */
  startIndex: number;
  /** Already capped at maxResults; 0 asks for totalResults only. */
  count: number;
}

export interface RootPage {
  /** The matches of every branch together. */
  total: number;
  /** The page in order: each entry's type (its name) and id. */
  entries: { resourceType: string; id: string }[];
}

export interface RootSearch {
  search(query: RootQuery): Promise<RootPage>;
}
