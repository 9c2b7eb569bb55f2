import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { emptyDatabase, testEngines, type TestDatabase } from "../support/databases";
import { freePort } from "../support/net";

/**
 * The built `scim-bridge serve` configured as a container would be (issue 17, deploying): secrets from
 * `*_FILE` variables (Docker and Kubernetes secrets), TRUST_PROXY, and the start-up failures an admin
 * sees on stderr. Run `npm run build` first.
 */

const bin = path.resolve(__dirname, "../../bin/scim-bridge.js");

interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI in a clean environment (nothing inherited but PATH): only what the test sets. */
function serve(env: Record<string, string>): { exited: Promise<Exited>; stop: () => void } {
  const child = spawn(process.execPath, [bin, "serve"], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LOG_FORMAT: "json", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
  return {
    exited: new Promise((resolve) => child.once("exit", (code) => resolve({ code, stdout, stderr }))),
    stop: () => child.kill("SIGTERM"),
  };
}

async function untilReady(url: string, exited: Promise<Exited>): Promise<void> {
  let done: Exited | undefined;
  void exited.then((e) => (done = e));
  for (;;) {
    if (done) throw new Error(`the bridge exited (${done.code}): ${done.stderr}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // starting
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "bridge-deploy-"));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function secretFile(dir: string, name: string, value: string): string {
  const file = path.join(dir, name);
  // As Docker writes a secret from a file made with `echo`: a trailing newline.
  fs.writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return file;
}

describe("serve refuses to start", () => {
  it("when a secret file can't be read, a variable is set both ways, or TRUST_PROXY is not an address: every problem on stderr, exit 1", async () => {
    const dir = tempDir();
    const token = randomBytes(24).toString("hex");
    const run = serve({
      DATA_DIR: path.join(dir, "data"),
      PORT: String(await freePort()),
      BRIDGE_SCIM_TOKEN_FILE: path.join(dir, "no-such-secret"),
      BRIDGE_ADMIN_TOKEN: token,
      BRIDGE_ADMIN_TOKEN_FILE: secretFile(dir, "admin", token),
      TRUST_PROXY: "my-proxy",
    });
    const { code, stderr, stdout } = await run.exited;
    expect(code).toBe(1);
    // One line (src/config: every problem, separated by "; ").
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/^error: invalid configuration: /);
    expect(stderr).toContain(`BRIDGE_SCIM_TOKEN_FILE: cannot read ${path.join(dir, "no-such-secret")}: no such file`);
    expect(stderr).toContain("BRIDGE_ADMIN_TOKEN_FILE: set either BRIDGE_ADMIN_TOKEN or BRIDGE_ADMIN_TOKEN_FILE, not both");
    expect(stderr).toMatch(/; TRUST_PROXY must be false, true, a number of proxy hops/);
    expect(stderr + stdout).not.toContain(token);
  }, 60_000);
});

describe.each(testEngines())("serve from secret files on %s", (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await emptyDatabase(engine);
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it("takes its tokens, encryption key and DATABASE_URL from *_FILE and honours X-Forwarded-* from TRUST_PROXY's proxies", async () => {
    const dir = tempDir();
    const scim = randomBytes(24).toString("hex");
    const admin = randomBytes(24).toString("hex");
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env: Record<string, string> = {
      DATA_DIR: path.join(dir, "data"),
      PORT: String(port),
      TRUST_PROXY: "loopback",
      BRIDGE_SCIM_TOKEN_FILE: secretFile(dir, "scim", scim),
      BRIDGE_ADMIN_TOKEN_FILE: secretFile(dir, "admin", admin),
      BRIDGE_ENCRYPTION_KEY_FILE: secretFile(dir, "key", randomBytes(32).toString("base64")),
    };
    if (t.target.kind === "postgres") env.DATABASE_URL_FILE = secretFile(dir, "database-url", t.target.url);
    const run = serve(env);
    try {
      await untilReady(url, run.exited);
      const ready = (await (await fetch(`${url}/readyz`)).json()) as { database: string };
      expect(ready.database).toBe(engine);
      expect((await fetch(`${url}/scim/v2/ServiceProviderConfig`, { headers: { Authorization: `Bearer ${scim}` } })).status).toBe(200);
      expect((await fetch(`${url}/api/v2/tokens`, { headers: { Authorization: `Bearer ${admin}` } })).status).toBe(200);
      // The key from the file, not one made under DATA_DIR.
      expect(fs.existsSync(path.join(dir, "data", "encryption.key"))).toBe(false);

      const viaProxy = await fetch(`${url}/scim/v2/Users`, {
        method: "POST",
        headers: { Authorization: `Bearer ${scim}`, "Content-Type": "application/scim+json", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "scim.example.com" },
        body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "proxied" }),
      });
      expect(viaProxy.status).toBe(201);
      expect(viaProxy.headers.get("location")).toMatch(/^https:\/\/scim\.example\.com\/scim\/v2\/Users\//);
      expect(viaProxy.headers.get("strict-transport-security")).toMatch(/^max-age=/);
      const direct = await fetch(`${url}/healthz`);
      expect(direct.headers.get("strict-transport-security")).toBeNull();
    } finally {
      run.stop();
    }
    const { code, stdout, stderr } = await run.exited;
    expect(code).toBe(0);
    expect(stdout + stderr).not.toContain(scim);
    expect(stdout + stderr).not.toContain(admin);
  }, 120_000);
});
