import { groupResourceType, userResourceType } from "../schema/registry";
import { applyPatch } from "./apply";
import fixtures from "./fixtures/patch.json";
import { parsePatchRequest, PATCH_OP_SCHEMA } from "./parse";

const rtOf = (name: string) => (name === "Group" ? groupResourceType : userResourceType);

function run(c: { resourceType: string; resource: object; operations: object[] }) {
  const rt = rtOf(c.resourceType);
  const ops = parsePatchRequest(rt, { schemas: [PATCH_OP_SCHEMA], Operations: c.operations });
  return applyPatch(rt, c.resource as Record<string, unknown>, ops, { detached: c.resourceType === "Group" ? ["members"] : [] });
}

describe("PatchOp", () => {
  it.each(fixtures.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const r = run(c);
    expect({ next: r.next, changed: r.changed, ...("detached" in c.expected ? { detached: r.detached } : {}) }).toEqual(c.expected);
  });

  it.each(fixtures.errors.map((c) => [c.name, c] as const))("refuses %s", (_name, c) => {
    let err: unknown;
    try {
      run(c);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ status: 400, scimType: c.scimType });
    expect((err as { detail: string }).detail).toContain(c.detail);
  });

  it("never changes its input", () => {
    const resource = { userName: "u", emails: [{ value: "a", type: "work" }] };
    const copy = structuredClone(resource);
    run({ resourceType: "User", resource, operations: [{ op: "replace", path: 'emails[type eq "work"].value', value: "b" }] });
    expect(resource).toEqual(copy);
  });

  it("requires the PatchOp schema and a list of operations", () => {
    expect(() => parsePatchRequest(userResourceType, { Operations: [] })).toThrow(expect.objectContaining({ scimType: "invalidSyntax" }));
    expect(() => parsePatchRequest(userResourceType, { schemas: [PATCH_OP_SCHEMA], Operations: [] })).toThrow(/non-empty array/);
    expect(parsePatchRequest(userResourceType, { schemas: [PATCH_OP_SCHEMA], operations: [{ op: "add", path: "nickName", value: "n" }] })).toHaveLength(1);
  });
});
