import { renderResource } from "./render";
import { groupResourceType, userResourceType } from "./schema/registry";

const BASE = "https://bridge.example/scim/v2";
const at = new Date("2026-12-01T00:00:00Z");
const record = (attributes: Record<string, unknown>) => ({ id: "id-1", attributes, version: 3, created: at, lastModified: at });

describe("renderResource", () => {
  it("omits unassigned multi-valued attributes, also inside extensions, and an extension left with nothing", () => {
    const out = renderResource(
      userResourceType,
      record({
        userName: "u",
        emails: [],
        roles: [{ value: "dev" }],
        "urn:example:custom": { tags: [] },
        "urn:example:kept": { tags: [], level: 2 },
      }),
      BASE,
    );
    expect(out).not.toHaveProperty("emails");
    expect(out).not.toHaveProperty("urn:example:custom");
    expect(out).toMatchObject({ roles: [{ value: "dev" }], "urn:example:kept": { level: 2 } });
    expect(out["urn:example:kept"]).not.toHaveProperty("tags");
    expect(out.schemas).toEqual(["urn:ietf:params:scim:schemas:core:2.0:User", "urn:example:kept"]);
  });

  it("gives a group's members and a user's groups a $ref built as meta.location is, replacing any stored one", () => {
    const group = renderResource(groupResourceType, record({ displayName: "G", members: [{ value: "u/1", display: "u", type: "User", $ref: "https://elsewhere/x" }] }), BASE);
    expect(group.members).toEqual([{ value: "u/1", $ref: `${BASE}/Users/u%2F1`, display: "u", type: "User" }]);
    const user = renderResource(userResourceType, record({ userName: "u", groups: [{ value: "g1", display: "G", type: "direct" }] }), BASE);
    expect(user.groups).toEqual([{ value: "g1", $ref: `${BASE}/Groups/g1`, display: "G", type: "direct" }]);
    expect((user.meta as { location: string }).location).toBe(`${BASE}/Users/id-1`);
  });

  it("leaves references the client writes alone (the enterprise manager's $ref)", () => {
    const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    const out = renderResource(userResourceType, record({ userName: "u", [ent]: { manager: { value: "m" } } }), BASE);
    expect(out[ent]).toEqual({ manager: { value: "m" } });
  });
});
