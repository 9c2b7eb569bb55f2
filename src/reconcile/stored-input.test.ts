import fc from "fast-check";
import { findUnstorable } from "../text/storable";
import { fromStoredInput, toStoredInput } from "./stored-input";

const unit = fc.oneof(
  { weight: 5, arbitrary: fc.string({ unit: "binary", maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom("\u0000", "\ue000", "\ue000e", "\\", "\\u0000", "\\\\u0000", "\ud800", "\udfff", "\ud83d\ude00") },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => String.fromCharCode(u)) },
);
const anyString = fc.array(unit, { maxLength: 8 }).map((p) => p.join(""));
const anyJson = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    anyString,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("v"), { maxLength: 4 }),
    fc.dictionary(anyString, tie("v"), { maxKeys: 4 }),
  ),
})).v;

describe("the stored copy of an import's export", () => {
  it("escapes NUL and lone surrogates, keys included, and reads them back", () => {
    const doc = { Users: [{ userName: "a\u0000b", "k\ud800": "\\u0000 is text", esc: "\ue000" }], csv: "x\udc00" };
    const stored = toStoredInput(doc);
    expect(findUnstorable(stored)).toBeUndefined();
    expect(fromStoredInput(JSON.parse(JSON.stringify(stored)))).toEqual(doc);
  });

  it("keeps a CSV text", () => {
    expect(fromStoredInput(toStoredInput("userName\nalice\u0000\n"))).toBe("userName\nalice\u0000\n");
  });

  it("keeps nesting deeper than the database could store as JSON", () => {
    let doc: unknown = "\u0000";
    for (let i = 0; i < 1000; i++) doc = [doc];
    const stored = toStoredInput(doc);
    expect(findUnstorable(stored)).toBeUndefined();
    expect(fromStoredInput(stored)).toEqual(doc);
  });

  it("reads a document stored by an earlier version as is", () => {
    const doc = { Users: [{ userName: "a" }] };
    expect(fromStoredInput(doc)).toBe(doc);
  });

  it("round-trips any JSON, and what it stores is always storable", () => {
    fc.assert(
      fc.property(anyJson, (doc) => {
        const stored = toStoredInput(doc);
        expect(findUnstorable(stored)).toBeUndefined();
        expect(fromStoredInput(JSON.parse(JSON.stringify(stored)))).toEqual(doc);
      }),
      { numRuns: 1000 },
    );
  });
});
