import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { emptyDatabase, testEngines, type TestDatabase } from "../support/databases";
import { freePort } from "../support/net";

/**
 * What an IdP-facing bridge keeps in memory (issue 15; README, Performance). Prisma's query compiler is
 * about 30 MiB of WebAssembly, loaded on the first Prisma query: half of an idle bridge's memory on
 * PostgreSQL. Everything a restarted bridge runs by itself (the start's checks, the env tokens, run and
 * delivery retention, the webhook poll loop) and the IdP's everyday requests go through the driver, so
 * the compiler is loaded only by what needs it (a first start, admin writes, reconciliations). This runs
 * the built binary (`npm run build`) and asks the process, as it exits, which modules it loaded.
 */

const root = path.resolve(__dirname, "../..");
const bin = path.join(root, "bin/scim-bridge.js");
const TOKEN = "idle-footprint-scim-token-0123456789abcdef";

/** Loaded with `-r`: prints the query compiler modules the process required, as it exits. */
const REPORTER = `process.on("exit", () => process.stderr.write("QUERY_COMPILER " + JSON.stringify(Object.keys(require.cache).filter((f) => f.includes("query_compiler"))) + "\\n"));`;

async function serve(env: Record<string, string>, reporter: string, during: (url: string) => Promise<void>): Promise<string[]> {
  const port = await freePort();
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|DATA_DIR|PORT|HOST|BRIDGE_|WEBHOOK_|LOG_|RUN_)/.test(k)));
  const child = spawn(process.execPath, ["-r", reporter, bin, "serve"], {
    env: { ...inherited, LOG_LEVEL: "warn", PORT: String(port), BRIDGE_SCIM_TOKEN: TOKEN, WEBHOOK_POLL_INTERVAL: "20ms", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let ready = false; !ready; ) {
      if (child.exitCode !== null) throw new Error(`the bridge exited: ${stderr}`);
      ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
      if (!ready) await new Promise((r) => setTimeout(r, 100));
    }
    await during(url);
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
  const line = /QUERY_COMPILER (.*)/.exec(stderr);
  if (!line) throw new Error(`no report from the bridge: ${stderr}`);
  return JSON.parse(line[1]!) as string[];
}

describe.each(testEngines())("an idle bridge's footprint on %s", (engine) => {
  let dir: string;
  let db: TestDatabase;
  let env: Record<string, string>;
  let reporter: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "bridge-idle-"));
    reporter = path.join(dir, "report.js");
    fs.writeFileSync(reporter, REPORTER);
    if (engine === "postgres") {
      db = await emptyDatabase("postgres");
      if (db.target.kind !== "postgres") throw new Error("expected a PostgreSQL target");
      env = { DATABASE_URL: db.target.url };
    } else {
      env = { DATA_DIR: path.join(dir, "data") };
    }
  }, 120_000);

  afterAll(async () => {
    await db?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("loads it at the first start, which creates the default organization and the env token (Prisma writes, audited)", async () => {
    // Also shows that the report sees the compiler when it is there.
    expect((await serve(env, reporter, async () => {})).length).toBeGreaterThan(0);
  }, 120_000);

  it("does not load Prisma's query compiler after a restart, idle or serving an IdP's user requests", async () => {
    const loaded = await serve(env, reporter, async (url) => {
      const h = { authorization: `Bearer ${TOKEN}`, "content-type": "application/scim+json" };
      const created = await fetch(`${url}/scim/v2/Users`, {
        method: "POST",
        headers: h,
        body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "idle@corp.example", active: true }),
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      const filter = encodeURIComponent('userName eq "idle@corp.example"');
      expect((await fetch(`${url}/scim/v2/Users?filter=${filter}`, { headers: h })).status).toBe(200);
      expect((await fetch(`${url}/scim/v2/Users/${id}`, { headers: h })).status).toBe(200);
      const patched = await fetch(`${url}/scim/v2/Users/${id}`, {
        method: "PATCH",
        headers: h,
        body: JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", path: "displayName", value: "Idle" }] }),
      });
      expect(patched.status).toBe(200);
      // A few rounds of the webhook poll loop (every 20 ms here).
      await new Promise((r) => setTimeout(r, 300));
    });
    expect(loaded).toEqual([]);
  }, 120_000);
});
