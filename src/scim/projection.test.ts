import { NO_PROJECTION, parseProjection, project, showsAttribute } from "./projection";
import { groupResourceType, userResourceType } from "./schema/registry";

const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const user = {
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ENT],
  id: "u1",
  userName: "ann",
  name: { givenName: "Ann", familyName: "Lee" },
  emails: [{ value: "a@x", type: "work", primary: true }, { value: "b@x", type: "home" }],
  active: true,
  password: "never-shown",
  [ENT]: { department: "Sales", manager: { value: "m1" } },
  meta: { resourceType: "User", version: 'W/"1"', location: "http://x/Users/u1" },
};

const run = (attributes: string | undefined, excludedAttributes: string | undefined) =>
  project(userResourceType, user, parseProjection(userResourceType, { attributes, excludedAttributes }));

describe("projection", () => {
  it("never returns the password, even without a projection", () => {
    expect(project(userResourceType, user, NO_PROJECTION)).not.toHaveProperty("password");
  });

  it.each([
    ["userName", { schemas: user.schemas, id: "u1", userName: "ann" }],
    ["USERNAME,name.familyName", { schemas: user.schemas, id: "u1", userName: "ann", name: { familyName: "Lee" } }],
    ["emails.value", { schemas: user.schemas, id: "u1", emails: [{ value: "a@x" }, { value: "b@x" }] }],
    [`${ENT}:department`, { schemas: user.schemas, id: "u1", [ENT]: { department: "Sales" } }],
    [ENT, { schemas: user.schemas, id: "u1", [ENT]: user[ENT] }],
    ["meta.version", { schemas: user.schemas, id: "u1", meta: { version: 'W/"1"' } }],
    ["password,id,nonsense", { schemas: user.schemas, id: "u1" }],
  ])("attributes=%s returns only those, with id and schemas", (attributes, expected) => {
    expect(run(attributes, undefined)).toEqual(expected);
  });

  it("excludes attributes, sub-attributes and extensions but never id", () => {
    const r = run(undefined, `emails,name.givenName,id,${ENT}`);
    expect(r).toEqual({ schemas: user.schemas, id: "u1", userName: "ann", name: { familyName: "Lee" }, active: true, meta: user.meta });
  });

  it("tells whether members will be shown", () => {
    const p = (a?: string, e?: string) => parseProjection(groupResourceType, { attributes: a, excludedAttributes: e });
    expect(showsAttribute(p(), "members")).toBe(true);
    expect(showsAttribute(p(undefined, "members"), "members")).toBe(false);
    expect(showsAttribute(p("displayName"), "members")).toBe(false);
    expect(showsAttribute(p("members.value"), "members")).toBe(true);
  });
});
