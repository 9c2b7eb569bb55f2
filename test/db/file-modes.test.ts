import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, untilReady } from "../support/net";
import { emptyDatabase, testEngines, type TestDatabase } from "../support/databases";

/**
 * DATA_DIR and everything in it are private to the bridge's user (directories 0700, files 0600),
 * whatever the umask the bridge is started with: the real built CLI is started from a shell with
 * `umask 000`, the most permissive there is.
 */

const root = path.resolve(__dirname, "../..");
const bin = path.join(root, "bin/scim-bridge.js");
const USER = "urn:ietf:params:scim:schemas:core:2.0:User";

interface Entry {
  path: string;
  kind: "dir" | "file" | "symlink";
  mode: number;
}

/** Every entry under `dir` (itself included), without following symlinks. */
function walk(dir: string): Entry[] {
  const out: Entry[] = [];
  const visit = (p: string): void => {
    const st = fs.lstatSync(p);
    const kind = st.isSymbolicLink() ? "symlink" : st.isDirectory() ? "dir" : "file";
    out.push({ path: path.relative(dir, p) || ".", kind, mode: st.mode & 0o777 });
    if (kind === "dir") for (const name of fs.readdirSync(p)) visit(path.join(p, name));
  };
  visit(dir);
  return out;
}

/** Entries whose mode is not 0700 (directories) or 0600 (files), as `mode path` lines. */
function notPrivate(dir: string): string[] {
  return walk(dir)
    .filter((e) => e.kind !== "symlink" && e.mode !== (e.kind === "dir" ? 0o700 : 0o600))
    .map((e) => `${e.mode.toString(8)} ${e.kind} ${e.path}`);
}

/** Runs the built CLI from `sh` with `umask 000`; resolves with its exit code and output. */
function cli(args: string[], env: Record<string, string>): { exited: Promise<{ code: number | null; stderr: string; stdout: string }>; kill: (s: NodeJS.Signals) => void } {
  const child = spawn("sh", ["-c", `umask 000 && exec "${process.execPath}" "${bin}" "$@"`, "sh", ...args], {
    env: { ...process.env, LOG_FORMAT: "json", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
  return {
    exited: new Promise((resolve) => child.once("exit", (code) => resolve({ code, stderr, stdout }))),
    kill: (s) => child.kill(s),
  };
}

const dirs: string[] = [];
const tempDir = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "bridge-modes-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe("the embedded database's files", () => {
  it("are private after `migrate` run with umask 000", async () => {
    const dataDir = path.join(tempDir(), "data");
    const run = await cli(["migrate"], { DATA_DIR: dataDir }).exited;
    expect(run.code).toBe(0);
    expect(walk(dataDir).filter((e) => e.kind === "file").length).toBeGreaterThan(100);
    expect(notPrivate(dataDir)).toEqual([]);
    // A fresh directory has nothing to repair, and says nothing about it.
    expect(run.stderr).not.toMatch(/private/);
  }, 120_000);

  it("repairs an existing data directory at start, says how many entries it repaired, and follows no symlink", async () => {
    const base = tempDir();
    const dataDir = path.join(base, "data");
    expect((await cli(["migrate"], { DATA_DIR: dataDir }).exited).code).toBe(0);
    // As an earlier version left it under umask 0022 or 0000: files 0666, directories 0777.
    const entries = walk(dataDir);
    for (const e of entries) fs.chmodSync(path.join(dataDir, e.path), e.kind === "dir" ? 0o777 : 0o666);
    // A symlink inside DATA_DIR to a file and a directory outside: neither is touched or entered.
    const outsideFile = path.join(base, "outside.txt");
    const outsideDir = path.join(base, "outside-dir");
    fs.writeFileSync(outsideFile, "x");
    fs.chmodSync(outsideFile, 0o644);
    fs.mkdirSync(outsideDir);
    fs.writeFileSync(path.join(outsideDir, "inner.txt"), "y");
    fs.chmodSync(outsideDir, 0o755);
    fs.chmodSync(path.join(outsideDir, "inner.txt"), 0o644);
    fs.symlinkSync(outsideFile, path.join(dataDir, "link-to-file"));
    fs.symlinkSync(outsideDir, path.join(dataDir, "link-to-dir"));

    const run = await cli(["migrate"], { DATA_DIR: dataDir }).exited;
    expect(run.code).toBe(0);
    expect(notPrivate(dataDir)).toEqual([]);
    const logged = run.stderr.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged).toContainEqual(expect.objectContaining({ level: "warn", message: expect.stringMatching(/made the data directory private/), dataDir, repaired: entries.length }));
    expect(fs.statSync(outsideFile).mode & 0o777).toBe(0o644);
    expect(fs.statSync(outsideDir).mode & 0o777).toBe(0o755);
    expect(fs.statSync(path.join(outsideDir, "inner.txt")).mode & 0o777).toBe(0o644);
  }, 120_000);
});

describe.each(testEngines())("DATA_DIR of `serve` on %s", (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await emptyDatabase(engine);
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it("stays private while serving writes and after shutdown, with umask 000", async () => {
    const dataDir = path.join(tempDir(), "data");
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const token = randomBytes(24).toString("hex");
    // No BRIDGE_ENCRYPTION_KEY: the key file is made under DATA_DIR.
    const env: Record<string, string> = { DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: "warn", BRIDGE_SCIM_TOKEN: token, RATE_LIMIT: "off" };
    if (t.target.kind === "postgres") env.DATABASE_URL = t.target.url;
    const bridge = cli(["serve"], env);
    try {
      await untilReady(url);
      const before = new Set(walk(dataDir).map((e) => e.path));
      for (let i = 0; i < 60; i++) {
        const res = await fetch(`${url}/scim/v2/Users`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
          body: JSON.stringify({ schemas: [USER], userName: `mode${i}@corp.example`, nickName: "x".repeat(4000), title: "y".repeat(4000) }),
        });
        expect(res.status).toBe(201);
      }
      const during = walk(dataDir);
      expect(during.map((e) => e.path)).toEqual(expect.arrayContaining(["encryption.key", ...(engine === "embedded" ? ["bridge.lock"] : [])]));
      if (engine === "embedded") {
        // PGlite made files while serving, and they are private too.
        expect(during.filter((e) => !before.has(e.path)).length).toBeGreaterThan(0);
      }
      expect(notPrivate(dataDir)).toEqual([]);
    } finally {
      bridge.kill("SIGTERM");
    }
    expect((await bridge.exited).code).toBe(0);
    expect(notPrivate(dataDir)).toEqual([]);
  }, 180_000);
});
