import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openForProcess } from "../../src/app";
import { buildProgram, main } from "../../src/cli/main";
import { loadConfig, type Config } from "../../src/config/config";
import { ensureDefaultOrganization } from "../../src/directory/bootstrap";
import { createLogger } from "../../src/log/logger";
import { emptyDatabase, testEngines, type TestDatabase } from "../support/databases";
import { seedSyncDirectory, syncState } from "../support/seed-sync";
import { capture } from "../support/cli";

const root = path.resolve(__dirname, "../..");
const silent = createLogger({ level: "error", format: "json", silent: true });

type Item = Record<string, unknown>;
const lines = (items: Item[]) => items.map((i) => JSON.stringify([i.kind, i.username, i.dimension, i.action, i.group_name, i.role, i.rule, i.value])).sort();

describe.each(testEngines())("scim-bridge sync get|set and reconcile --settings on %s", (engine: TestDatabase["engine"]) => {
  let t: TestDatabase;
  let dataDir: string;
  let config: Config;
  let env: Record<string, string>;
  const run = async (...args: string[]) => {
    const c = capture();
    const code = await main(["node", "scim-bridge", ...args], c.io, () => config);
    return { code, out: c.out.join("\n"), err: c.err.join("\n") };
  };
  const state = async () => {
    const o = await openForProcess(config, "test", silent);
    try {
      return await syncState(o.db);
    } finally {
      await o.close();
    }
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bridge-preview-"));
    t = await emptyDatabase(engine);
    env = { DATA_DIR: dataDir, LOG_LEVEL: "error" };
    if (t.target.kind === "postgres") env.DATABASE_URL = t.target.url;
    config = loadConfig(env, { cwd: dataDir, isTty: false });
    const { db, close } = await openForProcess(config, "test", silent);
    await ensureDefaultOrganization(db);
    await seedSyncDirectory(db, 30);
    await close();
  });
  afterAll(async () => {
    await t.cleanup();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("previews a settings file, refuses to apply it until it is saved, then applies exactly the preview", async () => {
    const got = await run("sync", "get");
    expect(got.code).toBe(0);
    const saved = JSON.parse(got.out);
    const [orgName] = Object.keys(saved.organizations) as [string];
    expect(saved).toEqual({
      organization: { field: "", mapping: {}, organization_assign_default: true },
      organizations: { [orgName]: { groups: { field: "groups", mapping: null, regex_filter: "^(team|dept)-", auto_create_missing_groups: true }, roles: { field: "title", mapping: { lead: ["organization-admin"] } } } },
    });

    // Only teams become groups: a candidate for the default organization's group sync.
    const file = path.join(dataDir, "settings.json");
    fs.writeFileSync(file, JSON.stringify({ organizations: { [orgName]: { groups: { ...saved.organizations[orgName].groups, regex_filter: "^team-" } } } }));

    const table = await run("reconcile", "--settings", file);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^reconciliation [0-9a-f-]{36} \(resync, dry run: nothing was changed\): completed/);
    expect(table.out).toMatch(/USERS\s+SCANNED\s+CHANGED\s+CHANGES\s+PROBLEMS\s+ERRORS\n30\s+30\s+30\s+31\s+0\s+0/);
    expect(table.out).toMatch(/save these settings \(scim-bridge sync set FILE\), then: scim-bridge reconcile --apply-run [0-9a-f-]{36}/);

    const json = await run("reconcile", "--settings", file, "--format", "json");
    const preview = JSON.parse(json.out);
    expect(preview).toMatchObject({ dry_run: true, status: "completed", parameters: { settings: { organizations: { [orgName]: { groups: { regex_filter: "^team-" } } } } } });
    expect((await state()).members).toEqual([]);

    const early = await run("reconcile", "--apply-run", preview.id);
    expect(early.code).toBe(1);
    expect(early.err).toContain(`differs: org ${orgName} groups`);
    expect((await run("reconcile", "--settings", file, "--apply")).err).toMatch(/--settings only previews unsaved settings: save them \(scim-bridge sync set FILE\)/);

    // A bad file saves nothing and names the field.
    const bad = path.join(dataDir, "bad.json");
    fs.writeFileSync(bad, JSON.stringify({ organizations: { [orgName]: { groups: { field: "groups", regex_filter: "(" } } } }));
    const refused = await run("sync", "set", bad);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(new RegExp(`organizations\\.${orgName}\\.groups\\.regex_filter: regex_filter `));
    fs.writeFileSync(bad, JSON.stringify({ organization: { field: "dept\u0000", mapping: {} } }));
    expect((await run("sync", "set", bad)).err).toMatch(/organization\.field: contains U\+0000/);
    expect((await run("sync", "set", path.join(dataDir, "missing.json"))).err).toMatch(/cannot read .*missing\.json: ENOENT/);
    expect(JSON.parse((await run("sync", "get")).out)).toEqual(saved);

    const set = await run("sync", "set", file);
    expect(set.code).toBe(0);
    expect(set.out).toContain(`saved: org ${orgName} groups`);
    expect(set.out).toMatch(/scim-bridge reconcile\s+# a dry run with the saved settings/);
    expect((await state()).members).toEqual([]);
    const o = await openForProcess(config, "test", silent);
    const audit = await o.db.prisma.auditEvent.findMany({ where: { action: { startsWith: "settings." } } }).finally(() => o.close());
    expect(audit.map((a) => [a.actor, a.action, (a.details as { after: { regex_filter: string } }).after.regex_filter])).toEqual([["cli", "settings.group_sync.updated", "^team-"]]);

    // A dry run with the saved settings is the preview.
    const dry = JSON.parse((await run("reconcile", "--format", "json")).out);
    expect(lines(dry.items)).toEqual(lines(preview.items));

    const applied = await run("reconcile", "--apply-run", preview.id, "--format", "json");
    expect(applied.code).toBe(0);
    const report = JSON.parse(applied.out);
    expect(report).toMatchObject({ dry_run: false, status: "completed", source_run_id: preview.id, summary: { changes: 31 } });
    const after = await state();
    expect(after.members).toHaveLength(30);
    expect(after.groups.filter((g) => g.startsWith("dept-"))).toEqual([]);

    const again = await run("reconcile", "--apply-run", preview.id);
    expect(again.code).toBe(1);
    expect(again.err).toBe(`error: run ${preview.id} was applied at ${report.finished_at} (apply run ${report.id}); start a new dry run to see what is left to do`);
  }, 120_000); // each command opens the database, as the CLI does

  it("reads the settings from stdin with -", async () => {
    const [orgName] = Object.keys(JSON.parse((await run("sync", "get")).out).organizations) as [string];
    const child = spawn(process.execPath, [path.join(root, "bin/scim-bridge.js"), "reconcile", "--settings", "-", "--format", "json"], { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise((r) => child.once("exit", r));
    child.stdin.end(JSON.stringify({ organizations: { [orgName]: { roles: { field: "title", mapping: { lead: ["organization-auditor"] } } } } }));
    expect(await exited).toBe(0);
    const report = JSON.parse(out);
    expect(report).toMatchObject({ dry_run: true, status: "completed", parameters: { settings: { organizations: { [orgName]: { roles: { field: "title" } } } } } });
    expect(report.items.filter((i: Item) => i.dimension === "role").map((i: Item) => `${i.action} ${i.role}`).sort()).toEqual(["add organization-auditor", "remove organization-admin"]);
  }, 60_000);

  it("documents the commands in --help", async () => {
    const help = capture();
    await main(["node", "scim-bridge", "sync", "set", "--help"], help.io, () => config);
    expect(help.out.join("\n")).toMatch(/reconcile --settings FILE/);
    const reconcile = buildProgram(capture().io, () => config).commands.find((c) => c.name() === "reconcile")!;
    expect(reconcile.helpInformation()).toMatch(/--settings <file>\s+preview unsaved IdP sync settings/);
  });
});
