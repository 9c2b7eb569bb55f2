import fs from "node:fs";
import type { Server } from "node:http";
import path from "node:path";
import request from "supertest";
import { runScenario, scenarioSchema, type Scenario } from "../../src/scim/scenario";
import { testEngines } from "../support/databases";
import { serveTestBridge, type ServedTestBridge, type TestBridge } from "../support/app";

const dir = path.join(__dirname, "..", "fixtures", "idp");
const scenarios: [string, Scenario][] = fs
  .readdirSync(dir, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => [f, scenarioSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")))]);

/**
 * Sends a scenario step through the app as the IdP would, at /scim/v2, on one listening server: one
 * base URL for the whole scenario, as an IdP has, so URIs captured from one answer (`meta.location`)
 * equal the `$ref`s of later ones.
 */
export function sender(b: TestBridge, server: Server) {
  return async (req: { method: string; path: string; body: unknown; headers: Record<string, string> }) => {
    let t = request(server)[req.method.toLowerCase() as "get"](`/scim/v2${req.path}`).set("Authorization", `Bearer ${b.scimToken}`);
    for (const [k, v] of Object.entries(req.headers)) t = t.set(k, v);
    const res = req.body === undefined ? await t : await t.set("Content-Type", "application/scim+json").send(JSON.stringify(req.body));
    return { status: res.status, body: res.text ? (JSON.parse(res.text) as unknown) : undefined };
  };
}

describe.each(testEngines())("recorded IdP scenarios on %s", (engine) => {
  let b: TestBridge;
  let server: Server;
  let served: ServedTestBridge;
  beforeAll(async () => {
    served = await serveTestBridge(engine);
    ({ b, server } = served);
  });
  afterAll(() => served?.close());

  it.each(scenarios)("%s passes every step", async (_file, scenario) => {
    const results = await runScenario(scenario, sender(b, server));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    if (process.env.SHOW_STEPS) console.log(results.map((r) => `${r.status} ${r.name}`).join("\n"));
  });
});
