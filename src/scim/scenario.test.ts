import fs from "node:fs";
import path from "node:path";
import { partialMismatches, runScenario, scenarioSchema, substitute, valueAt, type Received, type SentRequest } from "./scenario";

describe("scenarios", () => {
  it("substitutes captured values everywhere and leaves unknown names", () => {
    const vars = new Map([["id", "42"]]);
    expect(substitute({ a: "/Users/{{id}}", b: ["{{id}}", 1, null], c: "{{other}}" }, vars)).toEqual({ a: "/Users/42", b: ["42", 1, null], c: "{{other}}" });
  });

  it("reads dotted paths through arrays", () => {
    expect(valueAt({ Resources: [{ id: "x" }] }, "Resources.0.id")).toBe("x");
    expect(valueAt({ a: 1 }, "a.b")).toBeUndefined();
  });

  it.each([
    [{ a: 1 }, { a: 1, b: 2 }, []],
    [{ a: { b: [1, 2] } }, { a: { b: [1, 2], c: 3 } }, []],
    [{ a: "$absent" }, { b: 1 }, []],
    [{ a: "$absent" }, { a: 1 }, ["body.a: expected to be absent, got 1"]],
    [{ a: 1 }, {}, ["body.a: missing"]],
    [{ a: [1] }, { a: [1, 2] }, ["body.a: expected 1 items, got 2"]],
    [{ a: [{ x: 1 }] }, { a: [{ x: 2, y: 3 }] }, ["body.a[0].x: expected 1, got 2"]],
    [{ a: {} }, { a: "s" }, ['body.a: expected an object, got "s"']],
  ])("matches %j against %j partially", (expected, actual, problems) => {
    expect(partialMismatches(expected, actual)).toEqual(problems);
  });

  it("runs every step, captures values and reports each problem", async () => {
    const seen: SentRequest[] = [];
    const answers: Received[] = [
      { status: 201, body: { id: "u1" } },
      { status: 200, body: { id: "u1", active: true } },
    ];
    const results = await runScenario(
      {
        name: "s",
        idp: "test",
        steps: [
          { name: "create", request: { method: "POST", path: "/Users", body: { userName: "a" } }, expect: { status: 201 }, capture: { userId: "id" } },
          { name: "read", request: { method: "GET", path: "/Users/{{userId}}" }, expect: { status: 200, body: { id: "{{userId}}", active: false } } },
        ],
      },
      async (req) => {
        seen.push(req);
        return answers.shift()!;
      },
    );
    expect(seen[1]!.path).toBe("/Users/u1");
    expect(results).toEqual([
      { name: "create", ok: true, status: 201, problems: [] },
      { name: "read", ok: false, status: 200, problems: ["body.active: expected false, got true"] },
    ]);
  });

  it("accepts every recorded IdP fixture", () => {
    const dir = path.join(__dirname, "..", "..", "test", "fixtures", "idp");
    const files = fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of files) {
      const parsed = scenarioSchema.safeParse(JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")));
      expect({ file: f, ok: parsed.success, error: parsed.success ? undefined : parsed.error.message }).toEqual({ file: f, ok: true, error: undefined });
    }
  });
});
