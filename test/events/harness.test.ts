import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startBridge, type RunningBridge } from "../../src/app";
import { main } from "../../src/cli/main";
import { loadConfig } from "../../src/config/config";
import { sign } from "../../src/events/signing";
import { startListener } from "../../src/harness/listener";
import { createLogger } from "../../src/log/logger";
import { emptyDatabase, testEngines, type TestDatabase } from "../support/databases";

const silent = createLogger({ level: "error", format: "json", silent: true });
const TOKEN = "scim-token-for-the-harness-replay-test-01";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe.each(testEngines())("harness replay against the bridge on %s", (engine) => {
  let t: TestDatabase;
  let dataDir: string;
  let bridge: RunningBridge;
  beforeEach(async () => {
    t = await emptyDatabase(engine);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bridge-harness-"));
    const env: Record<string, string> = { DATA_DIR: dataDir, PORT: "0", LOG_LEVEL: "error", BRIDGE_SCIM_TOKEN: TOKEN };
    if (t.target.kind === "postgres") env.DATABASE_URL = t.target.url;
    bridge = await startBridge(loadConfig(env, { cwd: dataDir, isTty: false }), silent);
  });
  afterEach(async () => {
    await bridge.close();
    await t.cleanup();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it.each(["okta", "entra"])("--scenario %s passes every step", async (scenario) => {
    const c = capture();
    const code = await main(["node", "scim-bridge", "harness", "replay", "--target", `${bridge.url}/scim/v2`, "--token", TOKEN, "--scenario", scenario], c.io);
    expect(c.out.filter((l) => l.startsWith("FAIL") || l.startsWith("  "))).toEqual([]);
    expect(code).toBe(0);
    expect(c.out.at(-1)).toMatch(new RegExp(`^\\d+ passed, 0 failed \\(2 scenarios against ${bridge.url}/scim/v2\\)$`));
  });

  it("reports failing steps and exits 1 (a wrong token fails every step)", async () => {
    const c = capture();
    const code = await main(["node", "scim-bridge", "harness", "replay", "--target", `${bridge.url}/scim/v2`, "--token", "wrong", "--scenario", "okta", "--format", "json"], c.io);
    expect(code).toBe(1);
    const report = JSON.parse(c.out.join("\n"));
    expect(report.passed).toBe(0);
    expect(report.scenarios[0].results[0]).toMatchObject({ ok: false, status: 401 });
    expect(c.err.join("\n")).toMatch(/steps failed/);
  });
});

describe("harness scenarios and listener", () => {
  it("names an unknown scenario and lists the built-in ones", async () => {
    const c = capture();
    expect(await main(["node", "scim-bridge", "harness", "replay", "--target", "http://127.0.0.1:9", "--token", "x", "--scenario", "nope"], c.io)).toBe(1);
    expect(c.err.join("\n")).toMatch(/no scenario "nope".*built in: entra, okta/);
  });

  it("verifies signatures, answers the status sequence, and records bad requests as 401", async () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "listen-")), "events.jsonl");
    const l = await startListener({ port: 0, secret, statuses: [500, 204], outFile: out });
    try {
      const send = (body: string, sig?: string) => {
        const ts = Math.floor(Date.now() / 1000);
        return fetch(l.url, { method: "POST", body, headers: { "webhook-id": "msg_1", "webhook-timestamp": String(ts), "webhook-signature": sig ?? sign(secret, "msg_1", ts, body) } });
      };
      const body = JSON.stringify({ type: "user.created", timestamp: "t", data: {} });
      expect((await send(body)).status).toBe(500);
      expect((await send(body)).status).toBe(204);
      expect((await send(body)).status).toBe(204);
      expect((await send(body, "v1,AAAA")).status).toBe(401);
      expect(l.events.map((e) => [e.type, e.verified, e.status])).toEqual([
        ["user.created", true, 500],
        ["user.created", true, 204],
        ["user.created", true, 204],
        ["user.created", false, 401],
      ]);
      expect(l.events[3]!.reason).toBe("no webhook-signature matches");
      expect(fs.readFileSync(out, "utf8").trim().split("\n")).toHaveLength(4);
    } finally {
      await l.close();
    }
  });

  it("refuses a secret that is not a signing secret", async () => {
    await expect(startListener({ port: 0, secret: "whsec_" })).rejects.toThrow(/whsec_/);
  });
});
