import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import request from "supertest";
import { openForProcess } from "../../src/app";
import { main } from "../../src/cli/main";
import { loadConfig } from "../../src/config/config";
import { ensureDefaultOrganization } from "../../src/directory/bootstrap";
import { createLogger } from "../../src/log/logger";
import { emptyDatabase, testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";
import { fingerprint } from "../support/fingerprint";

/**
 * An import whose export holds records the database can't store (U+0000, lone surrogates): each such
 * record is one error line naming its ref and attribute, the rest import, in dry runs and applies,
 * JSON and CSV, through the API and the CLI. A failure the admin can do nothing about shows a pointer
 * to the server log, never the raw database message.
 */

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";

const exportDoc = () => ({
  Users: {
    Resources: [
      { schemas: [USER], id: "src-1", userName: "good1@corp.example", displayName: "Good One" },
      { schemas: [USER], id: "src-2", userName: "nul\u0000@corp.example" },
      { schemas: [USER], id: "src-3", userName: "sur@corp.example", name: { givenName: "x\ud800" } },
      { schemas: [USER], id: "src-4", userName: "key@corp.example", "odd\u0000key": "1" },
      { schemas: [USER], id: "src-5", userName: "good2@corp.example" },
    ],
  },
  Groups: [
    { schemas: [GROUP], displayName: "Bad\u0000Group", members: [{ value: "src-1" }] },
    { schemas: [GROUP], displayName: "Good Group", members: [{ value: "src-1" }, { value: "src-5" }] },
  ],
});

const expectedErrors = [
  { ref: "Users.Resources[1]", message: expect.stringMatching(/^userName: contains U\+0000 \(NUL\), a character that can't be stored$/) },
  { ref: "Users.Resources[2]", message: expect.stringMatching(/^name\.givenName: contains U\+D800 \(a lone surrogate\)/) },
  { ref: "Users.Resources[3]", message: expect.stringMatching(/^\["odd\\u0000key"\]: the attribute name contains U\+0000/) },
  { ref: "Groups[0]", message: expect.stringMatching(/^displayName: contains U\+0000/) },
];

const csv = [
  "userName,givenName,familyName,groups",
  "csv1@corp.example,Ann,One,Team",
  "csv2@corp.example,B\u0000b,Two,Team",
  "csv3@corp.example,Cy,Th\udc00ree,Team",
  '"csv4\u0000@corp.example",Di,Four,Team',
  "csv5@corp.example,Ed,Five,Team;Ops\u0000",
].join("\n");

const csvErrors = [
  { ref: "line 3", message: expect.stringMatching(/^givenName: contains U\+0000/) },
  { ref: "line 4", message: expect.stringMatching(/^familyName: contains U\+DC00/) },
  { ref: "line 5", message: expect.stringMatching(/^userName: contains U\+0000/) },
  { ref: "line 6", message: expect.stringMatching(/^groups: contains U\+0000/) },
];

describe.each(testEngines())("an import with records the database can't store on %s", (engine) => {
  let b: TestBridge;
  const api = (m: "get" | "post", p: string) => request(b.app)[m](`/api/v2${p}`).set("Authorization", `Bearer ${b.adminToken}`);
  const errorsOf = async (id: string) => (await api("get", `/reconciliations/${id}?kind=error`)).body.items.map((i: Record<string, unknown>) => ({ ref: i.ref, message: i.message }));
  const userNames = async () => (await b.db.prisma.user.findMany({ orderBy: { userName: "asc" } })).map((u) => u.userName);
  /** Everything but what a dry run writes by design: its run, its report and its `reconciliation.completed` event. */
  const directory = async () => {
    const { reconciliation_runs: _r, reconciliation_items: _i, outbox_events: _o, ...rest } = await fingerprint(b.db);
    return { ...rest, events: await b.db.prisma.outboxEvent.count({ where: { type: { not: "reconciliation.completed" } } }) };
  };

  beforeAll(async () => {
    b = await startTestBridge(engine);
  });
  afterAll(async () => {
    await b.close();
  });

  it("reports each bad JSON record as an error line in a dry run, then applies the reviewed run with the rest", async () => {
    const before = await directory();
    const dry = await api("post", "/reconciliations").send({ kind: "import", data: exportDoc() });
    expect(dry.status).toBe(201);
    expect(dry.body).toMatchObject({ status: "completed", dry_run: true, error: null, summary: { users_total: 2, users_changed: 2, errors: 4, changes: 5 } });
    expect(await errorsOf(dry.body.id)).toEqual(expectedErrors);
    expect(await directory()).toEqual(before);

    const applied = await api("post", `/reconciliations/${dry.body.id}/apply`);
    expect(applied.status).toBe(201);
    expect(applied.body).toMatchObject({ status: "completed", dry_run: false, error: null, summary: { errors: 4, changes: 5 } });
    expect(await errorsOf(applied.body.id)).toEqual(expectedErrors);
    expect(await userNames()).toEqual(["good1@corp.example", "good2@corp.example"]);
    const group = await b.db.prisma.idpGroup.findMany({ include: { members: { include: { user: true } } } });
    expect(group.map((g) => [g.displayName, g.members.map((m) => m.user.userName).sort()])).toEqual([["Good Group", ["good1@corp.example", "good2@corp.example"]]]);
  });

  it("takes the export as JSON text too, applying at once", async () => {
    const doc = exportDoc();
    doc.Users.Resources = doc.Users.Resources.map((u) => ({ ...u, userName: u.userName.replace("@", "-text@") }));
    const run = await api("post", "/reconciliations").send({ kind: "import", dry_run: false, data: JSON.stringify(doc) });
    expect(run.status).toBe(201);
    expect(run.body).toMatchObject({ status: "completed", error: null, summary: { errors: 4 } });
    expect(await errorsOf(run.body.id)).toEqual(expectedErrors);
    expect(await userNames()).toEqual(expect.arrayContaining(["good1-text@corp.example", "good2-text@corp.example"]));
  });

  it("reports each bad CSV row as an error line naming the column, in a dry run and an apply", async () => {
    const before = await directory();
    const dry = await api("post", "/reconciliations").send({ kind: "import", format: "csv", data: csv });
    expect(dry.status).toBe(201);
    expect(dry.body).toMatchObject({ status: "completed", summary: { users_total: 1, errors: 4 } });
    expect(await errorsOf(dry.body.id)).toEqual(csvErrors);
    expect(await directory()).toEqual(before);

    const applied = await api("post", `/reconciliations/${dry.body.id}/apply`);
    expect(applied.body).toMatchObject({ status: "completed", summary: { errors: 4 } });
    expect(await userNames()).toContain("csv1@corp.example");
    expect((await userNames()).filter((u) => u.startsWith("csv"))).toEqual(["csv1@corp.example"]);
    expect((await b.db.prisma.idpGroup.findMany({ select: { displayName: true } })).map((g) => g.displayName)).not.toContain(expect.stringMatching(/^Ops/));

    const direct = await api("post", "/reconciliations").send({ kind: "import", format: "csv", dry_run: false, data: csv.replaceAll("csv1@", "csv1b@") });
    expect(direct.body).toMatchObject({ status: "completed", summary: { errors: 4 } });
    expect(await errorsOf(direct.body.id)).toEqual(csvErrors);
  });

  it("reports a record nested past what can be stored as an error line, and refuses a document nested absurdly deep", async () => {
    const deep = (n: number): unknown => JSON.parse(`${"[".repeat(n)}1${"]".repeat(n)}`);
    const data = { Users: [{ schemas: [USER], userName: "deep@corp.example", "urn:example:x": deep(300) }, { schemas: [USER], userName: "shallow@corp.example" }] };
    const dry = await api("post", "/reconciliations").send({ kind: "import", data });
    expect(dry.status).toBe(201);
    expect(dry.body).toMatchObject({ status: "completed", summary: { errors: 1, users_changed: 1, changes: 2 } });
    expect(await errorsOf(dry.body.id)).toEqual([{ ref: "Users[0]", message: expect.stringMatching(/^urn:example:x(\[0\]){63}: nests deeper than 64 levels/) }]);
    const applied = await api("post", `/reconciliations/${dry.body.id}/apply`);
    expect(applied.body).toMatchObject({ status: "completed", summary: { errors: 1, users_changed: 1, changes: 2 } });
    expect(await userNames()).toContain("shallow@corp.example");

    const before = await fingerprint(b.db);
    const refused = await api("post", "/reconciliations").send(`{"kind":"import","data":{"Users":${"[".repeat(5000)}${"]".repeat(5000)}}}`).set("Content-Type", "application/json");
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/nests deeper than 1000 levels/);
    expect(await fingerprint(b.db)).toEqual(before);
  });

  it("still refuses the other fields of the request when they can't be stored", async () => {
    const before = await fingerprint(b.db);
    const res = await api("post", "/reconciliations").send({ kind: "import", format: "csv\u0000", data: csv });
    expect(res.status).toBe(400);
    expect(res.body.validations).toEqual([{ field: "format", detail: expect.stringMatching(/U\+0000/) }]);
    expect(await fingerprint(b.db)).toEqual(before);
  });

  it("shows a record the database refused for another reason as a pointer to the log, and imports the rest", async () => {
    await b.db.prisma.$executeRawUnsafe(`CREATE FUNCTION test_refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.user_name = 'boom@corp.example' THEN RAISE EXCEPTION 'raw driver detail 4711'; END IF; RETURN NEW; END $$`);
    await b.db.prisma.$executeRawUnsafe(`CREATE TRIGGER test_refuse_boom BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION test_refuse_boom()`);
    try {
      const data = { Users: [{ schemas: [USER], userName: "boom@corp.example" }, { schemas: [USER], userName: "fine@corp.example" }] };
      const run = await api("post", "/reconciliations").send({ kind: "import", dry_run: false, data });
      expect(run.body).toMatchObject({ status: "completed", error: null, summary: { errors: 1, users_changed: 1, changes: 2 } });
      const [line] = (await api("get", `/reconciliations/${run.body.id}?kind=error`)).body.items;
      expect(line).toMatchObject({ ref: "Users[0]", message: `internal error importing this record (reconciliation ${run.body.id}); see the server log` });
      expect(JSON.stringify(line)).not.toMatch(/4711/);
      expect(b.logs()).toMatch(/raw driver detail 4711/);
      expect(await userNames()).toContain("fine@corp.example");
    } finally {
      await b.db.prisma.$executeRawUnsafe(`DROP TRIGGER test_refuse_boom ON users`);
      await b.db.prisma.$executeRawUnsafe(`DROP FUNCTION test_refuse_boom()`);
    }
  });

  it("fails a run the database broke with a pointer to the log, never the raw message", async () => {
    await b.db.prisma.$executeRawUnsafe(`CREATE FUNCTION test_break_report() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'raw driver detail 4242 at table reconciliation_items'; END $$`);
    await b.db.prisma.$executeRawUnsafe(`CREATE TRIGGER test_break_report BEFORE INSERT ON reconciliation_items FOR EACH ROW EXECUTE FUNCTION test_break_report()`);
    try {
      const run = await api("post", "/reconciliations").send({ kind: "import", data: { Users: [{ schemas: [USER], userName: "late@corp.example" }] } });
      expect(run.status).toBe(201);
      expect(run.body).toMatchObject({ status: "failed", error: `reconciliation ${run.body.id} failed on an internal error; see the server log` });
      expect(b.logs()).toMatch(/raw driver detail 4242/);
    } finally {
      await b.db.prisma.$executeRawUnsafe(`DROP TRIGGER test_break_report ON reconciliation_items`);
      await b.db.prisma.$executeRawUnsafe(`DROP FUNCTION test_break_report()`);
    }
  });
});

describe.each(testEngines())("scim-bridge reconcile --import with records the database can't store on %s", (engine) => {
  const silent = createLogger({ level: "error", format: "json", silent: true });
  let dir: string;
  let cleanup: () => Promise<void>;
  let config: ReturnType<typeof loadConfig>;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "bridge-unstorable-"));
    const t = await emptyDatabase(engine);
    const env: Record<string, string> = { DATA_DIR: dir, LOG_LEVEL: "error" };
    if (t.target.kind === "postgres") env.DATABASE_URL = t.target.url;
    config = loadConfig(env, { cwd: dir, isTty: false });
    const { db, close } = await openForProcess(config, "test", silent);
    await ensureDefaultOrganization(db);
    await close();
    cleanup = async () => {
      await t.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  });
  afterAll(async () => {
    await cleanup();
  });

  const run = async (file: string, contents: string, ...flags: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    fs.writeFileSync(path.join(dir, file), contents);
    const code = await main(["node", "scim-bridge", "reconcile", "--import", path.join(dir, file), "--format", "json", ...flags], { out: (l) => out.push(l), err: (l) => err.push(l) }, () => config);
    return { code, report: JSON.parse(out.join("\n")) as { status: string; error: string | null; items: { kind: string; ref?: string; message?: string }[] }, err };
  };
  const names = async () => {
    const o = await openForProcess(config, "test", silent);
    try {
      return (await o.db.prisma.user.findMany({ orderBy: { userName: "asc" } })).map((u) => u.userName);
    } finally {
      await o.close();
    }
  };

  it("imports a JSON file's good records and reports the bad ones, dry run and apply", async () => {
    // The file as an IdP would write it: the NUL and the lone surrogate as JSON escapes.
    const text = JSON.stringify(exportDoc());
    const dry = await run("export.json", text);
    expect(dry.code).toBe(0);
    expect(dry.report.status).toBe("completed");
    expect(dry.report.items.filter((i) => i.kind === "error").map((i) => ({ ref: i.ref, message: i.message }))).toEqual(expectedErrors);
    expect(await names()).toEqual([]);
    const applied = await run("export.json", text, "--apply");
    expect(applied.code).toBe(0);
    expect(applied.report.items.filter((i) => i.kind === "error")).toHaveLength(4);
    expect(await names()).toEqual(["good1@corp.example", "good2@corp.example"]);
  });

  it("imports a CSV file's good rows and reports the bad ones", async () => {
    // A UTF-8 file can't hold a lone surrogate: the CSV without that row; NULs it can hold.
    const text = csv.split("\n").filter((l) => !l.includes("\udc00")).join("\n");
    const applied = await run("users.csv", text, "--apply");
    expect(applied.code).toBe(0);
    expect(applied.report.status).toBe("completed");
    expect(applied.report.items.filter((i) => i.kind === "error").map((i) => i.ref)).toEqual(["line 3", "line 4", "line 5"]);
    expect(await names()).toContain("csv1@corp.example");
  });
});
