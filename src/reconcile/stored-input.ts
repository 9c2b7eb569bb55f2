/**
 * A dry run keeps its export (`reconciliation_runs.input`, jsonb) so that the reviewed plan can be
 * applied as it was. An export may hold records the database can't store as JSON (U+0000, lone
 * surrogates, absurd nesting): those records are error lines of the report, but the document must
 * still be kept whole, or the apply would see a different export. So it is kept as its JSON text,
 * `{"$scim-bridge:export": "<JSON text>"}`: JSON.stringify writes U+0000 and lone surrogates as
 * `\u` escapes (plain ASCII), and a string has no depth. Reading it back gives exactly the document
 * (key order included). Runs stored before this kept the document itself, which is read as is.
 */

const WRAPPER = "$scim-bridge:export";

export function toStoredInput(data: unknown): unknown {
  return { [WRAPPER]: JSON.stringify(data) };
}

/** The document as it was given to `toStoredInput` (or as an older run stored it). */
export function fromStoredInput(stored: unknown): unknown {
  if (stored === null || typeof stored !== "object" || Array.isArray(stored)) return stored;
  const text = (stored as Record<string, unknown>)[WRAPPER];
  if (Object.keys(stored).length !== 1 || typeof text !== "string") return stored;
  return JSON.parse(text) as unknown;
}
