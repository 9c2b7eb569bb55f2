import { DirectoryError } from "../directory/errors";
import { ScimError } from "./errors";
import { observed, outcomeOf, type ScimOperationEvent } from "./operation-observer";

describe("outcomeOf", () => {
  it.each([
    ["create", undefined, "created"],
    ["replace", undefined, "updated"],
    ["patch", undefined, "updated"],
    ["delete", undefined, "deleted"],
    ["get", undefined, "ok"],
    ["list", undefined, "ok"],
    ["create", ScimError.badRequest("invalidValue", "x"), "invalid"],
    ["list", ScimError.badRequest("invalidFilter", "x"), "invalid"],
    ["create", new DirectoryError("invalid", "x"), "invalid"],
    ["get", ScimError.notFound("x"), "not_found"],
    ["delete", new DirectoryError("notFound", "x"), "not_found"],
    ["create", ScimError.conflict("x"), "conflict"],
    ["create", new DirectoryError("conflict", "x"), "conflict"],
    ["patch", new DirectoryError("preconditionFailed", "x"), "precondition_failed"],
    ["create", new ScimError(413, "x", "tooLarge"), "too_large"],
    ["get", Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), "unavailable"],
    ["get", new TypeError("a bug"), "error"],
  ] as const)("%s ending with %p is %s", (operation, err, outcome) => {
    expect(outcomeOf(operation, err)).toBe(outcome);
  });
});

describe("observed", () => {
  it("reports a success and a failure once each, and rethrows the failure as it was", async () => {
    const seen: ScimOperationEvent[] = [];
    const base = { resourceType: "User", operation: "create", token: "okta" } as const;
    await expect(observed((e) => seen.push(e), base, async () => 1)).resolves.toBe(1);
    const conflict = ScimError.conflict("taken");
    await expect(observed((e) => seen.push(e), base, () => Promise.reject(conflict))).rejects.toBe(conflict);
    expect(seen).toEqual([
      { ...base, outcome: "created" },
      { ...base, outcome: "conflict" },
    ]);
  });
});
