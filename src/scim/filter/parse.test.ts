import { groupResourceType, userResourceType } from "../schema/registry";
import type { Filter } from "./ast";
import fixtures from "./fixtures/parse.json";
import { MAX_FILTER_LENGTH, parseFilter } from "./parse";

/** A compact rendering of the typed AST for table tests. */
function show(f: Filter): string {
  switch (f.kind) {
    case "and":
    case "or":
      return `${f.kind}(${f.filters.map(show).join(",")})`;
    case "not":
      return `not(${show(f.filter)})`;
    case "valuePath":
      return `vp(${f.path.canonical},${show(f.filter)})`;
    case "present":
      return `pr(${f.path.canonical})`;
    case "compare":
      return `${f.op}(${f.path.canonical},${JSON.stringify(f.value)})`;
  }
}

function attempt(rt: typeof userResourceType, text: string): string {
  try {
    return show(parseFilter(rt, text));
  } catch (err) {
    return "ERROR";
  }
}

describe("parseFilter", () => {
  it.each(fixtures.valid)("reads %s on Users", (text, expected) => {
    expect(attempt(userResourceType, text)).toBe(expected);
  });

  it.each(fixtures.groupsValid)("reads %s on Groups", (text, expected) => {
    expect(attempt(groupResourceType, text)).toBe(expected);
  });

  it.each(fixtures.invalid)("refuses %j with 400 invalidFilter", (text, detail) => {
    let err: unknown;
    try {
      parseFilter(userResourceType, text);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ status: 400, scimType: "invalidFilter" });
    expect((err as { detail: string }).detail).toContain(detail);
  });

  it("refuses filters longer than the limit and deeper than the nesting limit", () => {
    expect(() => parseFilter(userResourceType, `userName eq "${"x".repeat(MAX_FILTER_LENGTH)}"`)).toThrow(/longer than/);
    const deep = `${"not (".repeat(20)}userName eq "x"${")".repeat(20)}`;
    expect(() => parseFilter(userResourceType, deep)).toThrow(/nested more than/);
  });
});
