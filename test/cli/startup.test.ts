import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { emptyDatabase, testEngines, type TestDatabase } from "../support/databases";
import { freePort } from "../support/net";

/**
 * Starting the real built binary (`npm run build` first), as an admin would: a start that cannot work
 * ends at once with exit code 1 and one line on stderr saying what to fix (no stack trace); a start that
 * works but leaves something to do says so in `warn` lines; output piped into a reader that goes away
 * (`| head -1`) does not crash the command.
 */

const root = path.resolve(__dirname, "../..");
const bin = path.join(root, "bin/scim-bridge.js");

interface Run {
  /** Resolves with the first log line whose message is `message` (serve's stdout, JSON). */
  logged(message: string): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
}

/** The CLI with exactly `env` for configuration (none of this process's bridge variables). */
function run(args: string[], env: Record<string, string>, opts: { closeStdout?: boolean } = {}): Run {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|DATA_DIR|PORT|HOST|BRIDGE_|WEBHOOK_|LOG_)/.test(k)));
  const child = spawn(process.execPath, [bin, ...args], { env: { ...inherited, LOG_FORMAT: "json", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const waiting: { message: string; resolve: (line: Record<string, unknown>) => void }[] = [];
  const scan = (): void => {
    for (const line of stdout.split("\n")) {
      if (!line.startsWith("{")) continue;
      const parsed = JSON.parse(line) as Record<string, unknown>;
      for (const w of waiting.filter((x) => x.message === parsed.message)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(parsed);
      }
    }
  };
  // The reader goes away before the command writes anything.
  if (opts.closeStdout) child.stdout.destroy();
  else
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString("utf8");
      scan();
    });
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
  return {
    logged: (message) =>
      new Promise((resolve, reject) => {
        waiting.push({ message, resolve });
        scan();
        void exited.then((r) => reject(new Error(`exited ${r.code} before logging "${message}": ${r.stderr}`)));
      }),
    exited,
    kill: (signal) => child.kill(signal),
  };
}

/** Serving: the "listening" line, then /readyz answers. */
async function serving(r: Run): Promise<string> {
  const url = String((await r.logged("scim-bridge listening")).url);
  expect((await fetch(`${url}/readyz`)).status).toBe(200);
  return url;
}

/** The process failed to start: exit code 1 and exactly one line on stderr, without a stack trace; returns that line. */
async function failsInOneLine(r: Run): Promise<string> {
  const { code, stderr } = await r.exited;
  expect(code).toBe(1);
  const lines = stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(stderr).not.toMatch(/^\s+at /m);
  return lines[0]!;
}

function logLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const dirs: string[] = [];
const tempDir = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "bridge-startup-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A loopback port held by another program. */
async function holdPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return { port, release: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe.each(testEngines())("serve on %s", (engine) => {
  let t: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  beforeEach(async () => {
    t = await emptyDatabase(engine);
    // Not made yet: the bridge makes it, so a failed start can be seen to have made nothing.
    dataDir = path.join(tempDir(), "data");
    env = { DATA_DIR: dataDir };
    if (t.target.kind === "postgres") env.DATABASE_URL = t.target.url;
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it("refuses a port in use before opening the database: nothing is migrated", async () => {
    const held = await holdPort();
    try {
      const line = await failsInOneLine(run(["serve"], { ...env, PORT: String(held.port) }));
      expect(line).toBe(`error: port ${held.port} on 127.0.0.1 is already in use (another scim-bridge or another program): stop it, or set PORT to a free port`);
    } finally {
      await held.release();
    }
    expect(fs.existsSync(dataDir)).toBe(false);
    if (t.target.kind === "postgres") {
      const c = new Client({ connectionString: t.target.url });
      await c.connect();
      const [row] = (await c.query<{ t: string | null }>(`SELECT to_regclass('_prisma_migrations')::text AS t`)).rows;
      await c.end();
      expect(row!.t).toBeNull();
    }
  }, 60_000);

  it("refuses a DATA_DIR that cannot be written (a regular file in its path)", async () => {
    const file = path.join(tempDir(), "not-a-directory");
    fs.writeFileSync(file, "");
    const port = await freePort();
    const line = await failsInOneLine(run(["serve"], { ...env, DATA_DIR: path.join(file, "data"), PORT: String(port) }));
    expect(line).toMatch(new RegExp(`^error: DATA_DIR ${file}/data cannot be used: a file is in the way of a directory \\(.+\\); make it a directory this user can write, or set DATA_DIR to one$`));
  }, 60_000);

  it("refuses a bad encryption key, in the environment or in the key file", async () => {
    const port = String(await freePort());
    expect(await failsInOneLine(run(["serve"], { ...env, PORT: port, BRIDGE_ENCRYPTION_KEY: "short" }))).toBe(
      "error: invalid configuration: BRIDGE_ENCRYPTION_KEY must be 32 bytes as base64 (openssl rand -base64 32) or 64 hex digits",
    );
    fs.mkdirSync(dataDir, { mode: 0o700 });
    fs.writeFileSync(path.join(dataDir, "encryption.key"), "not a key\n", { mode: 0o600 });
    expect(await failsInOneLine(run(["serve"], { ...env, PORT: port }))).toBe(
      `error: ${path.join(dataDir, "encryption.key")} does not hold a 32-byte key (base64); restore it or set BRIDGE_ENCRYPTION_KEY`,
    );
  }, 60_000);

  it("warns at start about a bare duration and a scope without a token, and not once both are fixed", async () => {
    const port = String(await freePort());
    const first = run(["serve"], { ...env, PORT: port, WEBHOOK_TIMEOUT: "10" });
    await serving(first);
    first.kill("SIGTERM");
    const warnings = logLines((await first.exited).stdout)
      .filter((l) => l.level === "warn")
      .map((l) => String(l.message));
    expect(warnings).toEqual([
      "WEBHOOK_TIMEOUT=10 has no unit and is read as milliseconds: write WEBHOOK_TIMEOUT=10ms to keep that, or WEBHOOK_TIMEOUT=10s if seconds were meant",
      expect.stringMatching(/^no token of scope admin exists, so the admin API \(\/api\/v2\) refuses every request/),
      expect.stringMatching(/^no token of scope scim exists, so identity providers cannot provision/),
    ]);
    // Said differently per engine: on the embedded database the CLI can't open it while the bridge runs.
    expect(warnings[1]).toContain(
      engine === "embedded"
        ? "While the bridge runs, the only way to get one is to set BRIDGE_ADMIN_TOKEN and restart; or stop the bridge and run `scim-bridge token create --name admin --scope admin`"
        : "run `scim-bridge token create --name admin --scope admin` with the same DATABASE_URL (it works while the bridge runs), or set BRIDGE_ADMIN_TOKEN and restart",
    );

    const second = run(["serve"], {
      ...env,
      PORT: port,
      WEBHOOK_TIMEOUT: "10s",
      BODY_LIMIT: "1048576",
      BRIDGE_ADMIN_TOKEN: randomBytes(24).toString("hex"),
      BRIDGE_SCIM_TOKEN: randomBytes(24).toString("hex"),
    });
    await serving(second);
    second.kill("SIGTERM");
    const after = await second.exited;
    expect(after.code).toBe(0);
    expect(logLines(after.stdout).filter((l) => l.level === "warn")).toEqual([]);
  }, 90_000);

  it("survives its output's reader going away (`scim-bridge token list | head -1`)", async () => {
    const { code, stderr } = await run(["token", "list"], env, { closeStdout: true }).exited;
    expect(stderr).toBe("");
    expect(code).toBe(0);
    // It finished as usual: the embedded database closed, its lock released.
    expect(fs.existsSync(path.join(dataDir, "bridge.lock"))).toBe(false);
  }, 60_000);

  it("stopped (SIGTERM) while it starts, finishes the start and shuts down cleanly", async () => {
    const r = run(["serve"], { ...env, PORT: String(await freePort()), LOG_LEVEL: "info" });
    // Logged while migrations are applied, before the server listens.
    await r.logged("applied database migrations");
    r.kill("SIGTERM");
    const { code, stdout } = await r.exited;
    expect(code).toBe(0);
    // Usually still starting (`during: "start"`); a start that ends first must shut down just as cleanly.
    expect(logLines(stdout).find((l) => l.message === "shutting down")).toMatchObject({ signal: "SIGTERM" });
    expect(fs.existsSync(path.join(dataDir, "bridge.lock"))).toBe(false);
  }, 90_000);
});

describe("the embedded database held by another process", () => {
  it("refuses a second bridge on the same DATA_DIR in one line, and leaves the first serving", async () => {
    const dataDir = path.join(tempDir(), "data");
    const port = await freePort();
    const first = run(["serve"], { DATA_DIR: dataDir, PORT: String(port) });
    try {
      await serving(first);
      const line = await failsInOneLine(run(["serve"], { DATA_DIR: dataDir, PORT: String(await freePort()) }));
      expect(line).toMatch(new RegExp(`^error: the embedded database in ${dataDir} is in use by process \\d+ \\(serve, since .+\\)\\. Stop it first`));
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    } finally {
      first.kill("SIGTERM");
      expect((await first.exited).code).toBe(0);
    }
  }, 90_000);
});

describe("a DATABASE_URL that does not work", () => {
  it("says it cannot reach the database, without the password", async () => {
    const closed = await freePort();
    const line = await failsInOneLine(run(["serve"], { DATABASE_URL: `postgresql://bridge:s3cret-pw@127.0.0.1:${closed}/scim`, DATA_DIR: tempDir(), PORT: String(await freePort()) }));
    expect(line).toBe(
      `error: cannot connect to the database at postgresql://bridge:***@127.0.0.1:${closed}/scim: connect ECONNREFUSED 127.0.0.1:${closed}; ` +
        "nothing accepts connections there: is PostgreSQL running, and are the host and port right?",
    );
  }, 60_000);

  const server = process.env.TEST_DATABASE_URL;
  (server ? it : it.skip)("names an unknown database or user on a server that answers", async () => {
    const url = new URL(server!);
    url.pathname = "/no_such_database";
    expect(await failsInOneLine(run(["serve"], { DATABASE_URL: url.toString(), DATA_DIR: tempDir(), PORT: String(await freePort()) }))).toMatch(
      /^error: cannot connect to the database at postgresql:\/\/.+\/no_such_database: database "no_such_database" does not exist; create it \(createdb\) or fix the database name in DATABASE_URL$/,
    );
    const user = new URL(server!);
    user.username = "no_such_user";
    user.password = "s3cret-pw";
    const line = await failsInOneLine(run(["migrate"], { DATABASE_URL: user.toString(), DATA_DIR: tempDir() }));
    expect(line).toMatch(/^error: cannot connect to the database at postgresql:\/\/no_such_user:\*\*\*@.+: (role "no_such_user" does not exist|password authentication failed for user "no_such_user"); check the /);
    expect(line).not.toContain("s3cret-pw");
  }, 60_000);
});
