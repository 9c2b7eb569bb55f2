import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import request from "supertest";
import { openForProcess, startBridge, type RunningBridge } from "../../src/app";
import { main } from "../../src/cli/main";
import { loadConfig, type Config } from "../../src/config/config";
import { ensureDefaultOrganization } from "../../src/directory/bootstrap";
import { createLogger } from "../../src/log/logger";
import { emptyDatabase, testEngines, type TestDatabase } from "../support/databases";
import { freePort } from "../support/net";
import { seedSyncDirectory } from "../support/seed-sync";
import { capture } from "../support/cli";

/**
 * The CLI's client mode (issue 17): every admin command run through a real running bridge's admin API
 * (`--url`/`--token`, or SCIM_BRIDGE_URL/SCIM_BRIDGE_TOKEN), printing what the direct mode prints; the
 * embedded database's lock message showing the client-mode command; and the built binary in client mode.
 */

const silent = createLogger({ level: "error", format: "json", silent: true });
const root = path.resolve(__dirname, "../..");
const ADMIN = "admin-token-for-client-mode-0001";
const SCIM = "scim-token-for-client-mode-00001";

const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

describe.each(testEngines())("client mode on %s", (engine) => {
  let dataDir: string;
  let t: TestDatabase;
  let config: Config;
  let bridge: RunningBridge;
  let client: string[];
  const direct: Record<string, string[]> = {};

  /** Runs the CLI in process; `mode` client adds --url and --token. */
  async function cli(args: string[], opts: { tty?: boolean; client?: boolean; cfg?: () => Config } = {}) {
    const c = capture(opts.tty);
    const code = await main(["node", "scim-bridge", ...args, ...(opts.client === false ? [] : client)], c.io, opts.cfg ?? (() => config));
    return { code, out: c.out, text: c.out.join("\n"), err: c.err, progress: c.progress };
  }
  /** Expects one clear line on stderr (no stack) and exit 1. */
  const failsWith = async (args: string[], message: RegExp, opts: { client?: boolean; cfg?: () => Config } = {}) => {
    const r = await cli(args, opts);
    expect({ code: r.code, err: r.err }).toEqual({ code: 1, err: [expect.stringMatching(message)] });
    expect(r.err[0]).toMatch(/^error: /);
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bridge-client-"));
    t = await emptyDatabase(engine);
    const env: Record<string, string> = {
      DATA_DIR: dataDir, PORT: "0", LOG_LEVEL: "error",
      // Webhooks to a closed loopback port fail after one retry, at once.
      WEBHOOK_ALLOW_PRIVATE_TARGETS: "true", WEBHOOK_RETRY_SCHEDULE: "10ms", WEBHOOK_POLL_INTERVAL: "50ms", WEBHOOK_TIMEOUT: "1s",
    };
    if (t.target.kind === "postgres") env.DATABASE_URL = t.target.url;
    config = loadConfig(env, { cwd: dataDir, isTty: false });
    const { db, close } = await openForProcess(config, "test setup", silent);
    await ensureDefaultOrganization(db);
    await seedSyncDirectory(db, 30);
    await close();
    // What the direct mode prints over the same data, before the bridge holds it.
    direct.syncGet = (await cli(["sync", "get"], { client: false })).out;
    direct.reconcile = (await cli(["reconcile", "--batch-size", "7"], { client: false })).out;
    bridge = await startBridge({ ...config, envTokens: { scim: SCIM, admin: ADMIN } }, silent);
    client = ["--url", bridge.url, "--token", ADMIN];
  }, 120_000);

  afterAll(async () => {
    await bridge?.close();
    await t.cleanup();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("creates, lists and revokes tokens through the bridge; a token revoked through it is refused at once", async () => {
    const created = await cli(["token", "create", "--name", "okta", "--scope", "scim"]);
    expect(created.code).toBe(0);
    expect(created.out[0]).toMatch(/^created token "okta" \(scope scim, id [0-9a-f-]{36}\); it is shown only once:$/);
    const secret = created.out[1]!;
    expect(secret).toMatch(/^sb_scim_[A-Za-z0-9_-]{43}$/);
    expect((await request(bridge.url).get("/scim/v2/ServiceProviderConfig").set("Authorization", `Bearer ${secret}`)).status).toBe(200);

    const list = await cli(["token", "list"]);
    expect(list.code).toBe(0);
    expect(list.out[0]).toMatch(/^ID\s+NAME\s+SCOPE\s+HINT\s+ORIGIN\s+CREATED\s+LAST USED\s+REVOKED$/);
    expect(list.text).toMatch(/okta\s+scim\s+sb_scim_.{4}…\s+api\s/);
    expect(list.text).not.toContain(secret);
    const json = await cli(["token", "list", "--json"]);
    expect(JSON.parse(json.text)).toEqual(expect.arrayContaining([expect.objectContaining({ name: "okta", scope: "scim", origin: "api", revokedAt: null, createdAt: expect.any(String) })]));

    const revoked = await cli(["token", "revoke", "okta"]);
    expect(revoked).toMatchObject({ code: 0, out: [expect.stringMatching(/^revoked token "okta" \([0-9a-f-]{36}\)$/)] });
    expect((await request(bridge.url).get("/scim/v2/ServiceProviderConfig").set("Authorization", `Bearer ${secret}`)).status).toBe(401);
    await failsWith(["token", "revoke", "nope"], /^error: no token with id or name "nope"$/);
  });

  it("reads SCIM_BRIDGE_URL and SCIM_BRIDGE_TOKEN when --url and --token are not given", async () => {
    const env = loadConfig({ DATA_DIR: dataDir, SCIM_BRIDGE_URL: bridge.url, SCIM_BRIDGE_TOKEN: ADMIN }, { cwd: dataDir, isTty: false });
    const r = await cli(["token", "list"], { client: false, cfg: () => env });
    expect(r.code).toBe(0);
    expect(r.text).toMatch(/env:BRIDGE_ADMIN_TOKEN\s+admin/);
    // --token alone names the mode it belongs to.
    await failsWith(["token", "list", "--token", ADMIN], /--token goes with --url/, { client: false });
    await failsWith(["token", "list", "--url", bridge.url], /needs an admin token: --token <token>, or SCIM_BRIDGE_TOKEN/, { client: false });
  });

  it("runs a resync with the direct mode's report and a progress bar, applies the reviewed run, and lists and shows runs", async () => {
    const dry = await cli(["reconcile", "--batch-size", "7"], { tty: true });
    expect(dry.code).toBe(0);
    expect(dry.text.replace(uuid, "<id>")).toBe(direct.reconcile!.join("\n").replace(uuid, "<id>"));
    expect(dry.text).toMatch(/USERS\s+SCANNED\s+CHANGED\s+CHANGES\s+PROBLEMS\s+ERRORS\n30\s+30\s+30\s+/);
    expect(dry.progress.filter(Boolean).pop()).toMatch(/\[#{30}\] 100%  30\/30/);
    expect(dry.progress[dry.progress.length - 1]).toBe("");
    const runId = /scim-bridge reconcile --apply-run ([0-9a-f-]{36})/.exec(dry.text)![1]!;

    const applied = await cli(["reconcile", "--apply-run", runId, "--format", "json"]);
    expect(applied.code).toBe(0);
    const report = JSON.parse(applied.text) as { dry_run: boolean; status: string; source_run_id: string; summary: { changes: number }; items: unknown[]; consequences: unknown[] };
    expect(report).toMatchObject({ dry_run: false, status: "completed", source_run_id: runId });
    expect(report.items).toHaveLength(report.summary.changes);
    // Applied: the same dry run again is refused (409 from the bridge), in one line.
    await failsWith(["reconcile", "--apply-run", runId], new RegExp(`^error: run ${runId} was applied at \\S+ \\(apply run [0-9a-f-]{36}\\); start a new dry run`));
    const again = await cli(["reconcile"]);
    expect(again.text).toMatch(/30\s+30\s+0\s+0\s+0\s+0/);

    const runs = await cli(["runs", "list"]);
    expect(runs.code).toBe(0);
    expect(runs.out[0]).toMatch(/^ID\s+KIND\s+MODE\s+STATUS\s+BY\s+STARTED\s+USERS\s+CHANGES\s+PROBLEMS\s+ERRORS$/);
    expect(runs.text).toMatch(new RegExp(`${runId}\\s+resync\\s+dry run\\s+completed\\s+env:BRIDGE_ADMIN_TOKEN`));
    expect(runs.text).toMatch(/resync\s+apply\s+completed/);
    const listed = JSON.parse((await cli(["runs", "list", "--format", "json", "--limit", "2"])).text) as { runs: unknown[]; count: number };
    expect(listed.runs).toHaveLength(2);
    expect(listed.count).toBeGreaterThanOrEqual(4);

    const show = await cli(["runs", "show", runId, "--limit", "5"]);
    expect(show.code).toBe(0);
    expect(show.out[0]).toBe(`reconciliation ${runId} (resync, dry run: nothing was changed): completed`);
    expect(show.text).toMatch(new RegExp(`… ${report.summary.changes - 5} more: scim-bridge runs show ${runId} --offset 5$`, "m"));
    const second = await cli(["runs", "show", runId, "--limit", "5", "--offset", "5"]);
    expect(second.text).toMatch(new RegExp(`--offset 10$`, "m"));
    const whole = JSON.parse((await cli(["runs", "show", runId, "--format", "json"])).text) as { id: string; items: unknown[] };
    expect(whole).toMatchObject({ id: runId });
    expect(whole.items).toHaveLength(report.summary.changes);
    await failsWith(["runs", "show", "00000000-0000-4000-8000-999999999999"], /^error: reconciliation 00000000-0000-4000-8000-999999999999 not found$/);
  });

  it("reads and saves sync settings as the direct mode does, and previews unsaved settings from a file", async () => {
    const get = await cli(["sync", "get"]);
    expect(get).toMatchObject({ code: 0, out: direct.syncGet });
    const settings = JSON.parse(get.text) as { organizations: Record<string, { roles: { field: string; mapping: Record<string, string[]> } }> };
    settings.organizations.default!.roles.mapping = { lead: ["organization-auditor"] };
    const file = path.join(dataDir, "settings.json");
    fs.writeFileSync(file, JSON.stringify({ organizations: { default: { roles: settings.organizations.default!.roles } } }));

    const preview = await cli(["reconcile", "--settings", file]);
    expect(preview.code).toBe(0);
    expect(preview.text).toMatch(/role\s+add\s+organization-auditor/);
    expect(preview.text).toMatch(/save these settings \(scim-bridge sync set FILE\), then: scim-bridge reconcile --apply-run [0-9a-f-]{36}/);

    const set = await cli(["sync", "set", file]);
    expect(set.code).toBe(0);
    expect(set.out[0]).toBe("saved: org default roles");
    expect(set.text).toMatch(/scim-bridge reconcile {22}# a dry run with the saved settings/);
    expect(JSON.parse((await cli(["sync", "get"])).text).organizations.default.roles.mapping).toEqual({ lead: ["organization-auditor"] });
    const audit = await request(bridge.url).get("/api/v2/audit?action=settings.role_sync.updated").set("Authorization", `Bearer ${ADMIN}`);
    expect(audit.body.audit_logs.map((a: { actor: string }) => a.actor)).toContain("env:BRIDGE_ADMIN_TOKEN");

    fs.writeFileSync(file, JSON.stringify({ organizations: { nowhere: { roles: { field: "title", mapping: {} } } } }));
    await failsWith(["sync", "set", file], /nowhere/);
  });

  it("shows a user with every grant's source and rule", async () => {
    const show = await cli(["users", "show", "user0"]);
    expect(show.code).toBe(0);
    expect(show.out[0]).toBe(`user user0 (00000000-0000-4000-8000-000000000000)`);
    expect(show.text).toMatch(/status:\s+active/);
    expect(show.text).toMatch(/ORGANIZATION\s+KIND\s+GRANT\s+SOURCE\s+WHY\s+AUDIT/);
    expect(show.text).toMatch(/default\s+group\s+team-0\s+sync\s+name: groups=team-0\s+\S+ sync.group.added by reconciliation:/);
    const json = JSON.parse((await cli(["users", "show", "user0", "--format", "json"])).text) as { user: { username: string }; grants: { organizations: { groups: { group_name: string; source: string }[] }[] } };
    expect(json.user.username).toBe("user0");
    expect(json.grants.organizations[0]!.groups).toEqual(expect.arrayContaining([expect.objectContaining({ group_name: "team-0", source: "sync" })]));
    const grants = await cli(["users", "grants", "user0"]);
    expect(grants.text).toBe(show.out.slice(6).join("\n"));
    await failsWith(["users", "show", "nobody"], /^error: user nobody not found$/);
  });

  it("reconciles with an export file through the bridge, as a dry run unless --apply", async () => {
    const file = path.join(dataDir, "export.csv");
    fs.writeFileSync(file, "userName,givenName\nuser0@corp.example,Ann\nnewcomer@corp.example,Neo\n");
    const dry = await cli(["reconcile", "--import", file, "--format", "json"]);
    expect(dry.code).toBe(0);
    const report = JSON.parse(dry.text) as { kind: string; dry_run: boolean; status: string; items: { username?: string; user_name?: string; ref?: string }[] };
    expect(report).toMatchObject({ kind: "import", dry_run: true, status: "completed" });
    expect(JSON.stringify(report.items)).toContain("newcomer@corp.example");
    expect((await request(bridge.url).get('/scim/v2/Users?filter=userName eq "newcomer@corp.example"').set("Authorization", `Bearer ${SCIM}`)).body.totalResults).toBe(0);

    const applied = await cli(["reconcile", "--import", file, "--apply"]);
    expect(applied.code).toBe(0);
    expect(applied.out[0]).toMatch(/^reconciliation [0-9a-f-]{36} \(import, applied\): completed$/);
    expect((await request(bridge.url).get('/scim/v2/Users?filter=userName eq "newcomer@corp.example"').set("Authorization", `Bearer ${SCIM}`)).body.totalResults).toBe(1);
    // Options checked before anything is sent.
    await failsWith(["reconcile", "--import", file, "--org", "default"], /--org, --filter and --settings go with a resync/);
  });

  it("lists webhooks and their deliveries and sends failed ones again", async () => {
    const closed = await freePort();
    const made = await request(bridge.url).post("/api/v2/webhooks").set("Authorization", `Bearer ${ADMIN}`).send({ url: `http://127.0.0.1:${closed}/hook`, description: "closed port" });
    expect(made.status).toBe(201);
    const id = made.body.id as string;
    const user = await request(bridge.url).post("/scim/v2/Users").set("Authorization", `Bearer ${SCIM}`).send({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "hooked@corp.example" });
    expect(user.status).toBe(201);
    // The dispatcher tries twice (one retry after 10ms) and gives up.
    for (;;) {
      const d = await request(bridge.url).get(`/api/v2/webhooks/${id}/deliveries?status=failed`).set("Authorization", `Bearer ${ADMIN}`);
      if (d.body.count >= 1) break;
      await new Promise((r) => setTimeout(r, 50));
    }

    const list = await cli(["webhooks", "list"]);
    expect(list.code).toBe(0);
    // The endpoint was disabled when its delivery failed for good; it receives every type ("*").
    expect(list.text).toMatch(new RegExp(`${id}\\s+http://127.0.0.1:${closed}/hook\\s+disabled \\(delivery [0-9a-f-]{36} failed 2 attempts.*\\)\\s+\\*\\s+\\d+\\s+closed port`));
    const deliveries = await cli(["webhooks", "deliveries", id, "--status", "failed"]);
    expect(deliveries.code).toBe(0);
    expect(deliveries.out[0]).toMatch(/^ID\s+EVENT TYPE\s+EVENT\s+STATUS\s+ATTEMPTS\s+NEXT \/ FINISHED\s+LAST ATTEMPT$/);
    expect(deliveries.text).toMatch(/user\.created\s+[0-9a-f-]{36}\s+failed\s+2\s+/);
    const page = JSON.parse((await cli(["webhooks", "deliveries", id, "--status", "failed", "--format", "json"])).text) as { count: number; deliveries: { id: string; attempt_log: unknown[] }[] };
    const failed = page.deliveries.find((d) => d.attempt_log.length === 2)!;

    const one = await cli(["webhooks", "redeliver", id, "--delivery", failed.id]);
    expect(one).toMatchObject({ code: 0, out: [expect.stringMatching(new RegExp(`^delivery ${failed.id} \\(user\\.created, event [0-9a-f-]{36}\\) is pending again$`))] });
    await failsWith(["webhooks", "redeliver", id, "--delivery", "00000000-0000-4000-8000-999999999999"], /not found/);
    const since = await cli(["webhooks", "redeliver", id, "--since", "2099-01-01T00:00:00Z"]);
    expect(since).toMatchObject({ code: 0, out: ["0 failed deliveries are pending again"] });
  });

  it("tails the events feed through the bridge", async () => {
    const tail = await cli(["events", "tail", "--from-start", "--no-follow", "--type", "user.created,reconciliation.completed"]);
    expect(tail.code).toBe(0);
    const events = tail.out.map((l) => JSON.parse(l) as { type: string });
    expect(events.length).toBeGreaterThan(0);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(["user.created", "reconciliation.completed"]));
    const cursor = /^resume with --after (\S+)$/.exec(tail.err[tail.err.length - 1]!)![1]!;
    const after = await cli(["events", "tail", "--after", cursor, "--no-follow"]);
    expect(after).toMatchObject({ code: 0, out: [] });
  });

  it("says in one line, without a stack, when the bridge refuses or can't be reached", async () => {
    await failsWith(["token", "list", "--url", bridge.url, "--token", "not-a-token-at-all"], /refused the token \(401.*--token or SCIM_BRIDGE_TOKEN/, { client: false });
    await failsWith(["token", "list", "--url", bridge.url, "--token", SCIM], /refused the token \(403.*scope admin/, { client: false });
    const closed = await freePort();
    await failsWith(["runs", "list", "--url", `http://127.0.0.1:${closed}`, "--token", ADMIN], /cannot reach the bridge at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/, { client: false });
    await failsWith(["sync", "get", "--url", "ftp://example.com", "--token", ADMIN], /--url must be the bridge's http\(s\) URL/, { client: false });
    await failsWith(["sync", "get", "--url", "http://[::1", "--token", ADMIN], /--url must be the bridge's http\(s\) URL/, { client: false });
    const r = await cli(["sync", "get", "--url", "http://admin:hunter2@127.0.0.1:8080", "--token", ADMIN], { client: false });
    expect(r).toMatchObject({ code: 1, err: ["error: --url must not carry credentials: give the admin token with --token or SCIM_BRIDGE_TOKEN"] });
  });
});

describe("the embedded database held by a running bridge", () => {
  it("refuses direct commands naming the lock, and shows the client-mode command with the bridge's address", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bridge-client-lock-"));
    const config = loadConfig({ DATA_DIR: dataDir, PORT: "0", LOG_LEVEL: "error" }, { cwd: dataDir, isTty: false });
    const bridge = await startBridge({ ...config, envTokens: { scim: undefined, admin: ADMIN } }, silent);
    try {
      for (const args of [["token", "create", "--name", "okta", "--scope", "scim"], ["reconcile", "--filter", 'userName eq "a b"'], ["sync", "get"]]) {
        const c = capture();
        expect(await main(["node", "scim-bridge", ...args], c.io, () => config)).toBe(1);
        expect(c.err[0]).toMatch(new RegExp(`^error: the embedded database in ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is locked by process ${process.pid} \\(serve, since `));
        const quoted = args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a}'`)).join(" ");
        expect(c.err).toContain(`  scim-bridge ${quoted} --url ${bridge.url} --token <admin token>`);
        expect(c.err[c.err.length - 1]).toBe(`If no process ${process.pid} exists, delete ${path.join(dataDir, "bridge.lock")}.`);
      }
      // The suggested command works.
      const c = capture();
      expect(await main(["node", "scim-bridge", "token", "create", "--name", "okta", "--scope", "scim", "--url", bridge.url, "--token", ADMIN], c.io, () => config)).toBe(0);
    } finally {
      await bridge.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("the built binary in client mode", () => {
  const bin = path.join(root, "bin", "scim-bridge.js");
  const run = (args: string[], env: Record<string, string>, stdin = "") =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      // Only what the command needs: no DATABASE_URL or DATA_DIR of the test run's own.
      const child = spawn(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? "", ...env }, cwd: os.tmpdir() });
      child.stdin.end(stdin);
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });

  it("runs token create and token list through a running bridge from SCIM_BRIDGE_URL and SCIM_BRIDGE_TOKEN, and prints its version", async () => {
    if (!fs.existsSync(path.join(root, "dist", "cli", "main.js"))) throw new Error("build first: npm run build");
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bridge-client-bin-"));
    const config = loadConfig({ DATA_DIR: dataDir, PORT: "0", LOG_LEVEL: "error" }, { cwd: dataDir, isTty: false });
    const bridge = await startBridge({ ...config, envTokens: { scim: undefined, admin: ADMIN } }, silent);
    try {
      const env = { SCIM_BRIDGE_URL: bridge.url, SCIM_BRIDGE_TOKEN: ADMIN };
      const created = await run(["token", "create", "--name", "from-binary", "--scope", "scim"], env);
      expect(created).toMatchObject({ code: 0, stderr: "" });
      expect(created.stdout.trimEnd().split("\n").pop()).toMatch(/^sb_scim_[A-Za-z0-9_-]{43}$/);
      const list = await run(["token", "list"], env);
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(/from-binary\s+scim\s+sb_scim_.{4}…\s+api/);
      const refused = await run(["token", "list"], { ...env, SCIM_BRIDGE_TOKEN: "wrong-token" });
      expect(refused.code).toBe(1);
      expect(refused.stderr.trimEnd().split("\n")).toEqual([expect.stringMatching(/^error: the bridge at .+ refused the token \(401/)]);
      // sync set from stdin.
      const settings = JSON.stringify({ organization: { field: "department", mapping: {}, organization_assign_default: true } });
      const fromStdin = await run(["sync", "set", "-"], env, settings);
      expect(fromStdin).toMatchObject({ code: 0, stderr: "" });
      expect(fromStdin.stdout.split("\n")[0]).toBe("saved: organization");
      // Direct mode on the same DATA_DIR: the lock, and the command to run instead.
      const locked = await run(["token", "list"], { DATA_DIR: dataDir });
      expect(locked.code).toBe(1);
      expect(locked.stderr).toContain(`  scim-bridge token list --url ${bridge.url} --token <admin token>`);
    } finally {
      await bridge.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    const version = await run(["--version"], {});
    expect(version).toMatchObject({ code: 0, stdout: `${(JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string }).version}\n` });
  }, 60_000);

  it("serves on the --port and --host given over PORT and HOST, and refuses a bad port", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bridge-client-serve-"));
    const port = await freePort();
    const child = spawn(process.execPath, [bin, "serve", "--port", String(port), "--host", "127.0.0.1"], { env: { PATH: process.env.PATH ?? "", DATA_DIR: dataDir, PORT: "1", HOST: "0.0.0.0", LOG_LEVEL: "error" }, stdio: "ignore" });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      for (;;) {
        const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status === 200, () => false);
        if (ok) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const lock = JSON.parse(fs.readFileSync(path.join(dataDir, "bridge.lock"), "utf8")) as { url: string };
      expect(lock.url).toBe(`http://127.0.0.1:${port}`);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    fs.rmSync(dataDir, { recursive: true, force: true });
    const bad = await run(["serve", "--port", "70000"], {});
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/option '--port <port>' argument '70000' is invalid\. must be a port number from 0 to 65535/);
  }, 60_000);
});
