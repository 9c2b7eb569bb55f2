import { deriveClaims } from "./claims";

const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const CORE = "urn:ietf:params:scim:schemas:core:2.0:User";

describe("deriveClaims", () => {
  it("derives groups, roles, entitlements and every simple attribute by short name and URN path", () => {
    const claims = deriveClaims(
      {
        userName: "ann",
        active: true,
        name: { givenName: "Ann" },
        roles: [{ value: "admin" }, { value: "dev", primary: true }],
        entitlements: [{ value: "e1" }],
        emails: [{ value: "a@x" }],
        [ENT]: { department: "Sales", manager: { value: "m1", displayName: "Boss" } },
      },
      ["Zeta", "Alpha"],
    );
    expect(claims).toEqual({
      groups: ["Alpha", "Zeta"],
      roles: ["admin", "dev"],
      entitlements: ["e1"],
      userName: "ann",
      [`${CORE}:userName`]: "ann",
      active: true,
      [`${CORE}:active`]: true,
      "name.givenName": "Ann",
      [`${CORE}:name.givenName`]: "Ann",
      department: "Sales",
      [`${ENT}:department`]: "Sales",
      manager: "m1",
      [`${ENT}:manager`]: "m1",
    });
  });

  it("gives empty lists when the user has no groups, roles or entitlements", () => {
    expect(deriveClaims({ userName: "u" }, [])).toMatchObject({ groups: [], roles: [], entitlements: [] });
  });
});
