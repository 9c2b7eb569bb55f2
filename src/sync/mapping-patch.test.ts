import { patchMapping } from "./mapping-patch";

describe("mapping PATCH", () => {
  it.each([
    ["adds to an empty mapping", null, { add: [{ given: "a", gets: "x" }] }, { a: ["x"] }],
    ["appends without duplicates", { a: ["x"] }, { add: [{ given: "a", gets: "x" }, { given: "a", gets: "y" }] }, { a: ["x", "y"] }],
    ["removes one target and drops an emptied value", { a: ["x", "y"], b: ["z"] }, { remove: [{ given: "a", gets: "x" }, { given: "b", gets: "z" }] }, { a: ["y"] }],
    ["remove wins over add", { a: ["x"] }, { add: [{ given: "b", gets: "y" }], remove: [{ given: "b", gets: "y" }] }, { a: ["x"] }],
    ["removing what is absent is a no-op", { a: ["x"] }, { remove: [{ given: "q", gets: "x" }] }, { a: ["x"] }],
  ])("%s", (_n, mapping, change, expected) => {
    expect(patchMapping(mapping, change)).toEqual(expected);
  });
});
