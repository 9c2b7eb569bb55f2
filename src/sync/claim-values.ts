/**
 * A claim as a list of values (DESIGN.md "Sync semantics", Coder's ParseStringSliceClaim): missing or
 * null → []; a string → [it] ("" → []); an array of strings → as is; anything else is a problem that
 * skips the dimension for this user, and is recorded, never silently dropped.
 */
export type ClaimValues = { ok: true; values: string[] } | { ok: false; problem: string };

export function claimValues(claims: Record<string, unknown>, field: string): ClaimValues {
  const v = claims[field];
  if (v === undefined || v === null) return { ok: true, values: [] };
  if (typeof v === "string") return { ok: true, values: v === "" ? [] : [v] };
  if (Array.isArray(v)) {
    const bad = v.findIndex((x) => typeof x !== "string");
    if (bad === -1) return { ok: true, values: [...new Set(v as string[])] };
    return { ok: false, problem: `claim "${field}": element ${bad} is ${describe(v[bad])}, expected a string` };
  }
  return { ok: false, problem: `claim "${field}" is ${describe(v)}, expected a string or an array of strings` };
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}
