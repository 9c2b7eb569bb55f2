import { coerceBoolean, normalizeInput } from "./validate";
import { groupResourceType, userResourceType } from "./registry";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

describe("normalizeInput", () => {
  it("keeps Okta's create body, flags its placeholder password and drops the read-only groups", () => {
    const r = normalizeInput(
      userResourceType,
      {
        schemas: [USER],
        userName: "test.user@okta.local",
        name: { givenName: "Test", familyName: "User" },
        emails: [{ primary: true, value: "test.user@okta.local", type: "work" }],
        displayName: "Test User",
        locale: "en-US",
        externalId: "00ujl29u0le5T6Aj10h7",
        groups: [],
        password: "1mz050nq",
        active: true,
      },
      "create",
    );
    expect(r).toEqual({
      attributes: {
        userName: "test.user@okta.local",
        name: { givenName: "Test", familyName: "User" },
        emails: [{ primary: true, value: "test.user@okta.local", type: "work" }],
        displayName: "Test User",
        locale: "en-US",
        externalId: "00ujl29u0le5T6Aj10h7",
        active: true,
      },
      passwordProvided: true,
      ignored: [],
    });
  });

  it("reads Entra's capitalised attribute names, string booleans, nulls and extension attributes", () => {
    const r = normalizeInput(
      userResourceType,
      {
        schemas: [USER, ENT, "urn:ietf:params:scim:schemas:extension:enterprise:2.0User"],
        UserName: "Test_User@testuser.com",
        Active: "False",
        addresses: null,
        Emails: [{ Primary: "true", Type: "work", Value: "a@b.c" }],
        meta: { resourceType: "User" },
        id: "ignored",
        roles: [],
        [ENT]: { Department: "Engineering", manager: "abc-123" },
        [`${ENT}:employeeNumber`]: 701984,
      },
      "create",
    );
    expect(r.attributes).toEqual({
      userName: "Test_User@testuser.com",
      active: false,
      emails: [{ primary: true, type: "work", value: "a@b.c" }],
      roles: [],
      [ENT]: { department: "Engineering", manager: { value: "abc-123" }, employeeNumber: "701984" },
    });
    expect(r.passwordProvided).toBe(false);
  });

  it("drops the manager's read-only displayName and reports unknown attributes instead of failing", () => {
    const r = normalizeInput(
      userResourceType,
      { schemas: [USER, ENT], userName: "u", shoeSize: 44, name: { nick: "x" }, [ENT]: { manager: { value: "m", displayName: "Boss" }, badge: 1 } },
      "create",
    );
    expect(r.attributes).toEqual({ userName: "u", name: {}, [ENT]: { manager: { value: "m" } } });
    expect(r.ignored).toEqual(["shoeSize", "name.nick", `${ENT}:badge`]);
  });

  it("keeps a custom extension the client declared, as sent", () => {
    const custom = "urn:okta:scim:schemas:extension:custom:1.0:User";
    const r = normalizeInput(userResourceType, { schemas: [USER, custom], userName: "u", [custom]: { costCode: "X1" } }, "create");
    expect(r.attributes[custom]).toEqual({ costCode: "X1" });
  });

  it.each([
    [{ schemas: [USER] }, "invalidValue", "userName is required"],
    [{ schemas: [USER], userName: "" }, "invalidValue", "userName is required"],
    [{ userName: "u" }, "invalidSyntax", `schemas must be an array naming ${USER}`],
    [{ schemas: ["urn:scim:schemas:core:1.0"], userName: "u" }, "invalidSyntax", `schemas must include ${USER}`],
    [{ schemas: [USER], userName: "u", active: "yes" }, "invalidValue", "active must be a boolean"],
    [{ schemas: [USER], userName: "u", emails: { value: "a@b" } }, "invalidValue", "emails is multi-valued and must be an array"],
    [{ schemas: [USER], userName: ["u"] }, "invalidValue", "userName must be a single string value"],
    [{ schemas: [USER], userName: "u", name: "x" }, "invalidValue", "name must be an object"],
    [{ schemas: [USER], userName: "u", emails: [{ primary: "maybe" }] }, "invalidValue", "emails[0].primary must be a boolean"],
  ])("refuses %j with %s", (body, scimType, detail) => {
    expect(() => normalizeInput(userResourceType, body, "create")).toThrow(expect.objectContaining({ status: 400, scimType, detail }));
  });

  it("refuses a body that is not an object", () => {
    expect(() => normalizeInput(userResourceType, [1], "create")).toThrow(expect.objectContaining({ scimType: "invalidSyntax" }));
  });

  it("normalises a Group with its members and requires a displayName", () => {
    const r = normalizeInput(
      groupResourceType,
      { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], DisplayName: "Eng", members: [{ value: "u1", display: "a@x" }] },
      "create",
    );
    expect(r.attributes).toEqual({ displayName: "Eng", members: [{ value: "u1", display: "a@x" }] });
    expect(() => normalizeInput(groupResourceType, { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"] }, "create")).toThrow(/displayName is required/);
  });

  it.each([
    [true, true], ["True", true], ["FALSE", false], [" false ", false], ["yes", undefined], [1, undefined],
  ])("coerces %j to %j", (input, expected) => {
    expect(coerceBoolean(input)).toBe(expected);
  });
});
