import fc from "fast-check";
import { nastyString, nastyValue, Raw } from "./values";

/**
 * A request as data: route parameters, query parameters and JSON body. The fuzzer starts from a
 * valid one and applies mutations: at any path of it (any depth, a whole section, or the body
 * itself), replace the value, or add a new member (an unknown key, an extra array element).
 */

export interface RequestDoc {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  /** undefined: no body is sent. */
  body?: unknown;
}

export type Path = readonly (string | number)[];

export interface Mutation {
  /** Index into the document's paths (modulo their number). */
  at: number;
  op: "replace" | "add";
  key: string;
  value: unknown;
}

export const mutations: fc.Arbitrary<Mutation[]> = fc.array(
  fc.record({ at: fc.nat(), op: fc.constantFrom("replace", "replace", "add"), key: nastyString, value: nastyValue }),
  { minLength: 1, maxLength: 3 },
);

/** Every path of the document in a stable order: each section, and everything inside. */
export function pathsOf(doc: RequestDoc): Path[] {
  const out: Path[] = [];
  const walk = (v: unknown, path: Path) => {
    out.push(path);
    if (v instanceof Raw || v === null || typeof v !== "object") return;
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  for (const [k, v] of Object.entries(doc.params)) walk(v, ["params", k]);
  walk(doc.query, ["query"]);
  if ("body" in doc) walk(doc.body, ["body"]);
  return out;
}

function get(root: unknown, path: Path): unknown {
  let cur = root;
  for (const seg of path) cur = (cur as Record<string | number, unknown>)[seg];
  return cur;
}

/** A deep copy keeping Raw fragments (generated values must not be changed: fast-check replays them). */
function copy(v: unknown): unknown {
  if (v instanceof Raw || v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(copy);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: copy(x), enumerable: true, writable: true, configurable: true });
  return out;
}

/** The document with the mutations applied (a copy; mutations later in the list see earlier ones). */
export function mutate(doc: RequestDoc, list: readonly Mutation[]): RequestDoc {
  const next = copy(doc) as RequestDoc;
  for (const original of list) {
    const m = { ...original, value: copy(original.value) };
    const paths = pathsOf(next);
    const path = paths[m.at % paths.length]!;
    const target = get(next, path);
    if (m.op === "add" && target !== null && typeof target === "object" && !(target instanceof Raw)) {
      if (Array.isArray(target)) target.push(m.value);
      else Object.defineProperty(target, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
      continue;
    }
    const parent = get(next, path.slice(0, -1)) as Record<string | number, unknown>;
    const last = path[path.length - 1]!;
    Object.defineProperty(parent, last, { value: m.value, enumerable: true, writable: true, configurable: true });
  }
  return next;
}
