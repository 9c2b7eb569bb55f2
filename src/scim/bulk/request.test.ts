import { ScimError } from "../errors";
import { groupResourceType, userResourceType } from "../schema/registry";
import { BULK_REQUEST_SCHEMA, parseBulkRequest, type ParsedOperation } from "./request";

const opts = { resourceTypes: [userResourceType, groupResourceType], maxOperations: 10 };
const bulk = (Operations: unknown, extra: Record<string, unknown> = {}) => ({ schemas: [BULK_REQUEST_SCHEMA], Operations, ...extra });
const USER = { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "a" };

function refusal(p: ParsedOperation): { status: number; scimType: string | undefined; detail: string; method: string | undefined } {
  if (p.ok) throw new Error("expected a refused operation");
  return { status: p.refused.error.status, scimType: p.refused.error.scimType, detail: p.refused.error.detail, method: p.refused.method };
}

function thrown(fn: () => unknown): ScimError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ScimError) return err;
    throw err;
  }
  throw new Error("expected a ScimError");
}

describe("parseBulkRequest", () => {
  it("reads operations with their method, bulkId, version, resource type and target", () => {
    const r = parseBulkRequest(
      bulk(
        [
          { method: "POST", path: "/Users", bulkId: "q", data: USER },
          { method: "put", path: "Users/abc/", version: 'W/"3"', data: USER },
          { Method: "PATCH", Path: "/groups/bulkId:g", data: {} },
          { method: "DELETE", path: "/Users/a%20b" },
        ],
        { failOnErrors: 2 },
      ),
      opts,
    );
    expect(r.failOnErrors).toBe(2);
    expect(r.operations.map((p) => (p.ok ? [p.op.method, p.op.resourceType.name, p.op.target, p.op.bulkId, p.op.version] : "refused"))).toEqual([
      ["POST", "User", { kind: "endpoint" }, "q", undefined],
      ["PUT", "User", { kind: "id", id: "abc" }, undefined, 'W/"3"'],
      ["PATCH", "Group", { kind: "bulkId", bulkId: "g" }, undefined, undefined],
      ["DELETE", "User", { kind: "id", id: "a b" }, undefined, undefined],
    ]);
  });

  it("refuses a malformed request as a whole with 400 invalidSyntax", () => {
    for (const body of [null, [], "x", { Operations: [] }, bulk([]), { schemas: ["urn:x"], Operations: [{}] }, bulk({}), bulk([1]), bulk([{ method: "POST" }], { failOnErrors: 0 }), bulk([{}], { failOnErrors: "1" })]) {
      const e = thrown(() => parseBulkRequest(body, opts));
      expect([e.status, e.scimType]).toEqual([400, "invalidSyntax"]);
    }
  });

  it("refuses more operations than maxOperations with 413 tooLarge", () => {
    const e = thrown(() => parseBulkRequest(bulk(Array.from({ length: 11 }, () => ({ method: "DELETE", path: "/Users/x" }))), opts));
    expect([e.status, e.scimType]).toEqual([413, "tooLarge"]);
    expect(e.detail).toMatch(/11 operations.*at most 10 \(maxOperations\)/);
  });

  it("refuses each bad operation on its own, naming what is wrong", () => {
    const r = parseBulkRequest(
      bulk([
        { method: "GET", path: "/Users/x" },
        { method: "POST", bulkId: "a", data: USER },
        { method: "POST", path: "/Widgets", bulkId: "b", data: USER },
        { method: "POST", path: "/Users", data: USER },
        { method: "PUT", path: "/Users", data: USER },
        { method: "POST", path: "/Users/x", bulkId: "c", data: USER },
        { method: "PATCH", path: "/Users/x" },
        { method: "POST", path: "/Users", bulkId: "d", data: USER },
        { method: "POST", path: "/Users", bulkId: "d", data: USER },
        { method: "POST", path: "/Users?attributes=id", bulkId: "e", data: USER },
        { method: 7, path: "/Users/x" },
        { method: "POST", path: "/Users", bulkId: "f", data: { ...USER, nickName: "a\u0000b" } },
      ]),
      { ...opts, maxOperations: 20 },
    );
    const out = r.operations.map((p) => (p.ok ? "ok" : refusal(p)));
    expect(out).toEqual([
      { status: 400, scimType: "invalidValue", method: "GET", detail: expect.stringMatching(/method "GET" is not one of POST, PUT, PATCH, DELETE/) },
      { status: 400, scimType: "invalidSyntax", method: "POST", detail: expect.stringMatching(/path is required/) },
      { status: 400, scimType: "invalidPath", method: "POST", detail: expect.stringMatching(/"\/Widgets" names no resource type served here \(\/Users, \/Groups\)/) },
      { status: 400, scimType: "invalidSyntax", method: "POST", detail: expect.stringMatching(/bulkId is required for a POST/) },
      { status: 400, scimType: "invalidPath", method: "PUT", detail: expect.stringMatching(/must name one resource/) },
      { status: 400, scimType: "invalidPath", method: "POST", detail: expect.stringMatching(/must be the endpoint \/Users for a POST/) },
      { status: 400, scimType: "invalidSyntax", method: "PATCH", detail: expect.stringMatching(/data is required for a PATCH/) },
      "ok",
      { status: 400, scimType: "invalidValue", method: "POST", detail: expect.stringMatching(/bulkId "d" is already used by Operations\[7\]/) },
      { status: 400, scimType: "invalidPath", method: "POST", detail: expect.stringMatching(/must not carry a query/) },
      { status: 400, scimType: "invalidSyntax", method: undefined, detail: expect.stringMatching(/method must be a string/) },
      { status: 400, scimType: "invalidValue", method: "POST", detail: expect.stringMatching(/^Operations\[11\]\.data\.nickName: contains U\+0000/) },
    ]);
  });
});
