import { deferredPatch, referencesIn, resolveReferences, UnresolvedReference, withoutReferences } from "./references";

const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const ids: Record<string, string> = { u1: "11111111-1111-4111-8111-111111111111", u2: "22222222-2222-4222-8222-222222222222" };
const idOf = (b: string) => ids[b];

describe("bulkId references", () => {
  it("finds whole-string references at any depth, and quoted ones in a PatchOp's paths", () => {
    const group = { displayName: "Team (not a reference: bulkId:u9)", members: [{ value: "bulkId:u1" }, { value: "bulkId:u2", display: "x" }] };
    expect([...referencesIn(group, false)]).toEqual(["u1", "u2"]);
    expect([...referencesIn({ [ENT]: { manager: { value: "bulkId:m" } } }, false)]).toEqual(["m"]);
    const patch = { Operations: [{ op: "remove", path: 'members[value eq "bulkId:u1" or value eq "bulkId:u\\"2"]' }] };
    expect([...referencesIn(patch, true)]).toEqual(["u1", 'u"2']);
    expect([...referencesIn(patch, false)]).toEqual([]);
  });

  it("replaces each reference with the id its bulkId created, in values and PatchOp paths", () => {
    expect(resolveReferences({ members: [{ value: "bulkId:u1" }], displayName: "G" }, idOf, false)).toEqual({ members: [{ value: ids.u1 }], displayName: "G" });
    expect(resolveReferences({ Operations: [{ op: "remove", path: 'members[value eq "bulkId:u2"]' }] }, idOf, true)).toEqual({ Operations: [{ op: "remove", path: `members[value eq "${ids.u2}"]` }] });
  });

  it("throws UnresolvedReference naming a bulkId with no resource", () => {
    expect(() => resolveReferences({ members: [{ value: "bulkId:nobody" }] }, idOf, false)).toThrow(UnresolvedReference);
    try {
      resolveReferences(["bulkId:nobody"], idOf, false);
    } catch (err) {
      expect((err as UnresolvedReference).bulkId).toBe("nobody");
    }
  });

  it("takes out what names a circle's bulkIds: values of a multi-valued attribute, a single-valued attribute whole, extension attributes by URN path", () => {
    const data = {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ENT],
      userName: "a",
      emails: [{ value: "a@example.com" }],
      [ENT]: { department: "R&D", manager: { value: "bulkId:b", displayName: "B" } },
    };
    const out = withoutReferences(data, new Set(["b"]));
    expect(out.data).toEqual({ schemas: data.schemas, userName: "a", emails: [{ value: "a@example.com" }], [ENT]: { department: "R&D" } });
    expect(out.deferred).toEqual([{ op: "replace", path: `${ENT}:manager`, value: { value: "bulkId:b", displayName: "B" } }]);

    const group = withoutReferences({ displayName: "G", members: [{ value: "bulkId:u1" }, { value: "bulkId:g2" }] }, new Set(["g2"]));
    expect(group.data).toEqual({ displayName: "G", members: [{ value: "bulkId:u1" }] });
    expect(deferredPatch(group.deferred)).toEqual({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "add", path: "members", value: [{ value: "bulkId:g2" }] }],
    });
  });
});
