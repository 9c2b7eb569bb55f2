import fc from "fast-check";
import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";
import { endpoints, GROUP, USER, type Targets } from "./fuzz/endpoints";
import { mutations } from "./fuzz/mutate";
import { fuzzOnce, harness, type Harness } from "./fuzz/run";

/**
 * Property-based fuzzing of every write endpoint of both APIs, and of the list and search endpoints'
 * query parameters: from a valid request, replace or add one to three fields at any depth (route
 * parameters, query parameters, body) with arbitrary values (test/resilience/fuzz/values.ts). Never a
 * 5xx; a 4xx in the API's envelope and nothing written. Bounded to about a minute per database.
 *
 * A failure prints fast-check's report: the seed, the path and the counterexample (the mutations),
 * with the request, the answer and the server log. Replay it exactly:
 *   FUZZ_SEED=<seed> FUZZ_PATH=<path> npm test -- test/resilience/fuzz.test.ts -t '<endpoint name>'
 * FUZZ_RUNS=<n> sets the runs per endpoint (default 24; slow endpoints get fewer).
 */

const env = (k: string) => (process.env[k] === undefined || process.env[k] === "" ? undefined : process.env[k]);
const SEED = env("FUZZ_SEED") === undefined ? undefined : Number(env("FUZZ_SEED"));
const PATH = env("FUZZ_PATH");
const RUNS = Number(env("FUZZ_RUNS") ?? 24);

describe.each(testEngines())("fuzzing every endpoint on %s", (engine) => {
  let b: TestBridge;
  let h: Harness;

  beforeAll(async () => {
    b = await startTestBridge(engine);
    const scim = (path: string, body: object) => request(b.app).post(`/scim/v2${path}`).set("Authorization", `Bearer ${b.scimToken}`).send(body);
    const admin = (method: "post", path: string, body: object) => request(b.app)[method](`/api/v2${path}`).set("Authorization", `Bearer ${b.adminToken}`).send(body);
    const user = (await scim("/Users", { schemas: [USER], userName: "target@corp.example" })).body.id;
    const group = (await scim("/Groups", { schemas: [GROUP], displayName: "Target", members: [{ value: user }] })).body.id;
    const org = (await b.db.prisma.organization.findFirstOrThrow({ where: { isDefault: true } })).id;
    const org2 = (await admin("post", "/organizations", { name: "second" })).body.id;
    const adminGroup = (await admin("post", `/organizations/${org}/groups`, { name: "admins" })).body.id;
    const webhook = (await admin("post", "/webhooks", { url: "http://127.0.0.1:9/hook" })).body.id;
    const dryRun = (await admin("post", "/reconciliations?wait=30", { kind: "resync" })).body.id;
    const targets: Targets = { user, group, org, org2, adminGroup, webhook, dryRun };
    for (const [k, v] of Object.entries(targets)) if (typeof v !== "string") throw new Error(`fuzz setup: no ${k}`);
    h = harness(b, targets);
  }, 120_000);
  afterAll(async () => {
    await b?.close();
  });

  it.each(endpoints.map((e) => [e.name, e] as const))(
    "%s: never a 5xx; a 4xx in the API's envelope, nothing written",
    async (_name, ep) => {
      if (PATH === undefined) await fuzzOnce(h, ep, [], { mustSucceed: true });
      await fc.assert(
        fc.asyncProperty(mutations, (m) => fuzzOnce(h, ep, m)),
        {
          numRuns: Math.max(1, Math.round(RUNS * (ep.weight ?? 1))),
          ...(SEED !== undefined ? { seed: SEED } : {}),
          ...(PATH !== undefined ? { path: PATH } : {}),
          // Shrinking replays requests; bound it so that the report (seed, path) always reaches the output.
          interruptAfterTimeLimit: 60_000,
          markInterruptAsFailure: false,
          // The request, the answer and the server log of the failing run go into the report, not only its `cause`.
          includeErrorInReport: true,
        },
      );
    },
    120_000,
  );
});
