import { claimValues } from "./claim-values";
import { diffGrants } from "./diff";

describe("claim values", () => {
  it.each([
    [{}, { ok: true, values: [] }],
    [{ g: null }, { ok: true, values: [] }],
    [{ g: "" }, { ok: true, values: [] }],
    [{ g: "eng" }, { ok: true, values: ["eng"] }],
    [{ g: ["a", "b", "a"] }, { ok: true, values: ["a", "b"] }],
    [{ g: [] }, { ok: true, values: [] }],
    [{ g: ["a", 1] }, { ok: false, problem: 'claim "g": element 1 is a number, expected a string' }],
    [{ g: 3 }, { ok: false, problem: 'claim "g" is a number, expected a string or an array of strings' }],
    [{ g: { a: 1 } }, { ok: false, problem: 'claim "g" is an object, expected a string or an array of strings' }],
    [{ g: true }, { ok: false, problem: 'claim "g" is a boolean, expected a string or an array of strings' }],
  ])("reads %j", (claims, expected) => {
    expect(claimValues(claims, "g")).toEqual(expected);
  });
});

describe("diffGrants", () => {
  it.each([
    ["adds what is missing", ["a", "b"], [], { add: ["a", "b"], remove: [] }],
    ["removes only what sync granted", [], [{ key: "a", source: "sync" }, { key: "b", source: "manual" }], { add: [], remove: ["a"] }],
    ["leaves a manual grant that is also expected", ["b"], [{ key: "b", source: "manual" }], { add: [], remove: [] }],
    ["changes nothing when equal", ["a"], [{ key: "a", source: "sync" }], { add: [], remove: [] }],
  ] as const)("%s", (_name, expected, existing, result) => {
    expect(diffGrants(expected, existing)).toEqual(result);
  });
});
