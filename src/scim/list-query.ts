import { ScimError } from "./errors";

/**
 * The query parameters of a SCIM list (RFC 7644 §3.4.2): from the URL of `GET /Users` or the body
 * of `POST /Users/.search` (§3.4.3). Pure: turns raw input into typed, bounded values.
 */

export interface RawListParams {
  filter?: string;
  startIndex?: number;
  count?: number;
  sortBy?: string;
  sortOrder?: "ascending" | "descending";
  attributes?: string;
  excludedAttributes?: string;
}

export interface ListParams {
  filter: string | undefined;
  startIndex: number;
  count: number;
  sortBy: string | undefined;
  sortOrder: "ascending" | "descending";
  attributes: string | undefined;
  excludedAttributes: string | undefined;
}

const KEYS = ["filter", "startIndex", "count", "sortBy", "sortOrder", "attributes", "excludedAttributes"] as const;

function single(name: string, v: unknown): unknown {
  // `?count=1&count=2`: the last one wins, as most servers do.
  return Array.isArray(v) ? v[v.length - 1] : v;
}

function integer(name: string, v: unknown): number | undefined {
  if (v === undefined || v === "") return undefined;
  const n = typeof v === "number" ? v : typeof v === "string" && /^\s*[+-]?\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw ScimError.badRequest("invalidValue", `${name} must be an integer`);
  return n;
}

function text(name: string, v: unknown): string | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string") throw ScimError.badRequest("invalidValue", `${name} must be a string`);
  return v;
}

/**
 * Reads list parameters from a URL query or a `.search` body. Parameter names are matched
 * case-insensitively (clients send `startindex`); attribute lists may be arrays in a `.search` body.
 */
export function readListParams(source: Record<string, unknown>): RawListParams {
  const byLower = new Map(Object.entries(source).map(([k, v]) => [k.toLowerCase(), v]));
  const get = (k: (typeof KEYS)[number]) => single(k, byLower.get(k.toLowerCase()));
  const list = (k: "attributes" | "excludedAttributes") => {
    const v = byLower.get(k.toLowerCase());
    return Array.isArray(v) && v.every((x) => typeof x === "string") ? v.join(",") : text(k, single(k, v));
  };
  const order = text("sortOrder", get("sortOrder"));
  if (order !== undefined && !/^(ascending|descending)$/i.test(order)) {
    throw ScimError.badRequest("invalidValue", 'sortOrder must be "ascending" or "descending"');
  }
  const raw: RawListParams = {};
  const filter = text("filter", get("filter"));
  if (filter !== undefined) raw.filter = filter;
  const startIndex = integer("startIndex", get("startIndex"));
  if (startIndex !== undefined) raw.startIndex = startIndex;
  const count = integer("count", get("count"));
  if (count !== undefined) raw.count = count;
  const sortBy = text("sortBy", get("sortBy"));
  if (sortBy !== undefined) raw.sortBy = sortBy;
  if (order !== undefined) raw.sortOrder = order.toLowerCase() as "ascending" | "descending";
  const attributes = list("attributes");
  if (attributes !== undefined) raw.attributes = attributes;
  const excluded = list("excludedAttributes");
  if (excluded !== undefined) raw.excludedAttributes = excluded;
  return raw;
}

/**
 * RFC 7644 §3.4.2.4: startIndex below 1 is read as 1; a negative count as 0; count above the
 * advertised maxResults is capped (the response's itemsPerPage tells the client); no count means
 * maxResults.
 */
export function boundListParams(raw: RawListParams, maxResults: number): ListParams {
  if (raw.attributes !== undefined && raw.excludedAttributes !== undefined) {
    throw ScimError.badRequest("invalidValue", "attributes and excludedAttributes cannot be used together");
  }
  return {
    filter: raw.filter,
    startIndex: Math.max(1, raw.startIndex ?? 1),
    count: Math.min(maxResults, Math.max(0, raw.count ?? maxResults)),
    sortBy: raw.sortBy,
    sortOrder: raw.sortOrder ?? "ascending",
    attributes: raw.attributes,
    excludedAttributes: raw.excludedAttributes,
  };
}
