import { parseFilterAcross, type TypeFilter } from "../../src/scim/filter/across";
import { ScimError } from "../../src/scim/errors";
import { groupResourceType, userResourceType } from "../../src/scim/schema/registry";

/**
 * A root filter resolved per resource type: an attribute one type lacks makes the filter match none
 * of that type's resources (negated or not), and only what is left is typed against the type.
 */

const TYPES = [userResourceType, groupResourceType];

/** "none": the type is not queried; "all": listed whole; otherwise the kind of the typed filter. */
const shape = (f: TypeFilter) => (f === false ? "none" : f === true ? "all" : f.kind);

describe("a filter at the service root, per resource type", () => {
  it.each([
    // [filter, Users, Groups]
    ['userName eq "a"', "compare", "none"],
    ['userName ne "a"', "compare", "none"],
    ['not (userName eq "a")', "not", "none"],
    ["userName pr", "present", "none"],
    ["members pr", "none", "present"],
    ['members[value eq "x"]', "none", "valuePath"],
    ['emails[type eq "work"]', "valuePath", "none"],
    ['emails[type eq "work"].value ew "@x.org"', "valuePath", "none"],
    ['groups.display eq "Eng"', "compare", "none"],
    ['displayName sw "A"', "compare", "compare"],
    ['meta.resourceType eq "Group"', "compare", "compare"],
    ['externalId eq "e1"', "compare", "compare"],
    ['userName eq "a" or displayName eq "G"', "or", "compare"],
    ['userName eq "a" and displayName eq "G"', "and", "none"],
    ['not (userName eq "a" or displayName eq "G")', "not", "none"],
    ['not (userName eq "a" and displayName eq "G")', "not", "not"],
    ['not (not (userName eq "a"))', "not", "none"],
    ['userName eq "a" or not (members pr)', "compare", "not"],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Sales"', "compare", "none"],
  ] as const)("%s → Users: %s, Groups: %s", (text, users, groups) => {
    expect(parseFilterAcross(TYPES, text).map(shape)).toEqual([users, groups]);
  });

  it("keeps the known half of a mixed and/or for the type that knows it", () => {
    const [, groups] = parseFilterAcross(TYPES, 'userName eq "a" or (displayName eq "G" and members pr)');
    expect(groups).toMatchObject({ kind: "and", filters: [{ kind: "compare", path: { canonical: "displayName" } }, { kind: "present" }] });
    const [, negated] = parseFilterAcross(TYPES, 'not (userName eq "a" and displayName eq "G")');
    // not (unknown and D) is true only where D is false: not (D).
    expect(negated).toMatchObject({ kind: "not", filter: { kind: "compare", path: { canonical: "displayName" } } });
  });

  it.each([
    ['nickName eq "x" or members pr', "compare"],
    ['not (members pr) or userName sw "a"', "compare"],
    ['not (members pr) and userName sw "a"', "none"],
  ] as const)("for Users, %s is %s", (text, users) => {
    expect(shape(parseFilterAcross(TYPES, text)[0]!)).toBe(users);
  });

  it.each([
    ['unknown attribute "foo" for User or Group', 'foo eq "x"'],
    ['unknown attribute "foo"', 'userName eq "a" or foo pr'],
    ['has no sub-attribute "foo"', 'emails[foo eq "x"]'],
    ["active is a boolean", 'active eq "maybe"'],
    ["meta.created is a date", 'meta.created gt "yesterday"'],
    ["not valid SCIM filter syntax", "userName eq"],
    ["not valid SCIM filter syntax", 'userName eq "a" and'],
    ["the filter is empty", ""],
    ["longer than 4096", `userName eq "${"x".repeat(5000)}"`],
    ["nested more than 16 levels", `${"not (".repeat(20)}userName pr${")".repeat(20)}`],
  ] as const)("refuses with 400 invalidFilter: %s", (detail, text) => {
    let caught: unknown;
    try {
      parseFilterAcross(TYPES, text);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ScimError);
    const e = caught as ScimError;
    expect([e.status, e.scimType]).toEqual([400, "invalidFilter"]);
    expect(e.detail).toContain(detail);
  });
});
