import type { Received, SentRequest } from "../scim/scenario";
import { cleanup, countOf, createdBy, type Created } from "./cleanup";
import { TargetUnreachable } from "./errors";

const req = (method: SentRequest["method"], path: string, body?: unknown): SentRequest => ({ method, path, body, headers: {} });

describe("what a replay created", () => {
  it.each<[string, SentRequest, Received, Created[]]>([
    ["a user created", req("POST", "/Users", {}), { status: 201, body: { id: "u1" } }, [{ type: "Users", id: "u1" }]],
    ["a group created, with a query", req("POST", "/Groups?attributes=id", {}), { status: 201, body: { id: "g1" } }, [{ type: "Groups", id: "g1" }]],
    ["a conflict", req("POST", "/Users", {}), { status: 409, body: { status: "409" } }, []],
    ["a 201 without an id", req("POST", "/Users", {}), { status: 201, body: "created" }, []],
    ["a PUT", req("PUT", "/Users/u1", {}), { status: 200, body: { id: "u1" } }, []],
    ["a search", req("POST", "/Users/.search", {}), { status: 200, body: { id: "x" } }, []],
    [
      "a Bulk's creates, not its updates or failures",
      req("POST", "/Bulk", {}),
      {
        status: 200,
        body: {
          Operations: [
            { method: "POST", bulkId: "a", status: "201", location: "https://b.example/scim/v2/Users/u9" },
            { method: "POST", bulkId: "b", status: "409" },
            { method: "PATCH", status: "200", location: "https://b.example/scim/v2/Groups/g2" },
            { method: "POST", bulkId: "c", status: 201, location: "https://b.example/scim/v2/Groups/g3" },
          ],
        },
      },
      [
        { type: "Users", id: "u9" },
        { type: "Groups", id: "g3" },
      ],
    ],
  ])("%s", (_name, sent, received, created) => {
    expect(createdBy(sent, received)).toEqual(created);
  });

  it("deletes groups first, newest first, then users; a 404 was deleted already, anything else failed", async () => {
    const sent: string[] = [];
    const answers: Record<string, number> = { "/Users/u1": 204, "/Users/u2": 404, "/Groups/g1": 204, "/Groups/g2": 500 };
    const report = await cleanup(
      [
        { type: "Users", id: "u1" },
        { type: "Groups", id: "g1" },
        { type: "Users", id: "u2" },
        { type: "Groups", id: "g2" },
      ],
      async (r) => {
        sent.push(`${r.method} ${r.path}`);
        return { status: answers[r.path]!, body: undefined };
      },
    );
    expect(sent).toEqual(["DELETE /Groups/g2", "DELETE /Groups/g1", "DELETE /Users/u2", "DELETE /Users/u1"]);
    expect(report).toEqual({
      deleted: [
        { type: "Groups", id: "g1" },
        { type: "Users", id: "u1" },
      ],
      alreadyGone: [{ type: "Users", id: "u2" }],
      failed: [{ type: "Groups", id: "g2", status: 500 }],
    });
    expect([countOf(report.deleted), countOf(report.alreadyGone), countOf([])]).toEqual(["1 user and 1 group", "1 user", "nothing"]);
  });

  it("a target lost during the cleanup ends it in one line saying what was not deleted", async () => {
    let calls = 0;
    const send = async (): Promise<Received> => {
      if (++calls > 1) throw new TargetUnreachable("connection refused");
      return { status: 204, body: undefined };
    };
    const made: Created[] = [
      { type: "Users", id: "u1" },
      { type: "Users", id: "u2" },
      { type: "Groups", id: "g1" },
    ];
    await expect(cleanup(made, send)).rejects.toThrow(new TargetUnreachable("the cleanup stopped after deleting 1 group: connection refused; 2 users not deleted"));
  });
});
