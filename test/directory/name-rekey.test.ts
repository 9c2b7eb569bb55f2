import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import request from "supertest";
import { databaseTarget, openForProcess, startBridge, type RunningBridge } from "../../src/app";
import { main } from "../../src/cli/main";
import { loadConfig, type Config } from "../../src/config/config";
import { openDatabase, type Database } from "../../src/db/database";
import { runMaintenance } from "../../src/db/maintenance";
import { migrate } from "../../src/db/migrate";
import { markedKey } from "../../src/directory/name-key";
import { nameKeysJob } from "../../src/directory/name-rekey";
import { createLogger, type Logger } from "../../src/log/logger";
import { emptyDatabase, testEngines, type TestDatabase } from "../support/databases";

/**
 * Rows keyed the old way (lower-cased names) are re-keyed with nameKey at start, once: collisions
 * mark the newer record, are logged and listed (admin API and CLI), and the start never fails.
 */

const SCIM = "scim-token-for-the-name-rekey-test-00001";
const ADMIN = "admin-token-for-the-name-rekey-test-0001";
const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const gid = (n: number) => `10000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

interface OldUser {
  id: string;
  userName: string;
  created: string;
  deleted?: boolean;
}
interface OldGroup {
  id: string;
  displayName: string;
  created: string;
}

/** Users as an earlier version stored them: key = userName.toLowerCase(). */
const USERS: OldUser[] = [
  { id: id(1), userName: "\uFF41\uFF4C\uFF49\uFF43\uFF45", created: "2024-01-01T00:00:00Z" }, // ａｌｉｃｅ: older, keeps "alice"
  { id: id(2), userName: "alice", created: "2024-02-01T00:00:00Z" }, // newer: marked, though its key did not change
  { id: id(3), userName: "Ali\u0301ce", created: "2024-01-15T00:00:00Z" }, // NFD, older: keeps "alíce"
  { id: id(4), userName: "Al\u00EDce", created: "2024-03-01T00:00:00Z" }, // NFC, newer: marked
  { id: id(5), userName: "Bob ", created: "2024-01-01T00:00:00Z" },
  { id: id(6), userName: "carol", created: "2024-01-01T00:00:00Z" },
  { id: id(7), userName: "Erin ", created: "2024-01-01T00:00:00Z", deleted: true },
  { id: id(9), userName: "frank", created: "2024-05-05T00:00:00Z" }, // same instant: the lower id keeps it
  { id: id(10), userName: "\uFF46\uFF52\uFF41\uFF4E\uFF4B", created: "2024-05-05T00:00:00Z" },
];
const GROUPS: OldGroup[] = [
  { id: gid(1), displayName: "Eng", created: "2024-01-01T00:00:00Z" },
  { id: gid(2), displayName: "eng ", created: "2024-02-01T00:00:00Z" }, // newer: marked
  { id: gid(3), displayName: "\uFF33ales", created: "2024-01-01T00:00:00Z" },
];

async function seedOldStyle(db: Database, users: readonly OldUser[], groups: readonly OldGroup[]): Promise<void> {
  for (const [i, u] of users.entries()) {
    await db.prisma.$executeRaw`
      INSERT INTO users (id, user_name, user_name_key, username, status, resource, created_at, updated_at)
      VALUES (${u.id}::uuid, ${u.userName}, ${u.userName.toLowerCase()}, ${`u${i}`}, ${u.deleted ? "suspended" : "active"}::"UserStatus",
              ${u.deleted ? null : JSON.stringify({ userName: u.userName })}::jsonb, ${u.created}::timestamptz, now())`;
  }
  for (const g of groups) {
    await db.prisma.$executeRaw`
      INSERT INTO idp_groups (id, display_name, display_name_key, resource, created_at, updated_at)
      VALUES (${g.id}::uuid, ${g.displayName}, ${g.displayName.toLowerCase()}, ${JSON.stringify({ displayName: g.displayName })}::jsonb, ${g.created}::timestamptz, now())`;
  }
}

function capturedLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c.toString("utf8")));
  const logger = createLogger({ level: "debug", format: "json", stream });
  return {
    logger,
    lines: () => chunks.join("").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

async function keys(db: Database): Promise<Record<string, string>> {
  const users = await db.prisma.user.findMany({ select: { id: true, userNameKey: true } });
  const groups = await db.prisma.idpGroup.findMany({ select: { id: true, displayNameKey: true } });
  return Object.fromEntries([...users.map((u) => [u.id, u.userNameKey]), ...groups.map((g) => [g.id, g.displayNameKey])]);
}

function configFor(t: TestDatabase, dataDir: string): Config {
  const env: Record<string, string> = { DATA_DIR: dataDir, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "error", BRIDGE_SCIM_TOKEN: SCIM, BRIDGE_ADMIN_TOKEN: ADMIN };
  if (t.target.kind === "postgres") env.DATABASE_URL = t.target.url;
  return loadConfig(env, { cwd: dataDir, isTty: false });
}

/** An empty database of the engine with the old-style rows in it, migrated but never started. */
async function seeded(engine: TestDatabase["engine"], users = USERS, groups = GROUPS): Promise<{ t: TestDatabase; dataDir: string; config: Config }> {
  const t = await emptyDatabase(engine);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bridge-rekey-"));
  const config = configFor(t, dataDir);
  const db = await openDatabase(databaseTarget(config));
  try {
    await migrate(db);
    await seedOldStyle(db, users, groups);
  } finally {
    await db.close();
  }
  return { t, dataDir, config };
}

describe.each(testEngines())("name keys recomputed at start on %s", (engine) => {
  let t: TestDatabase;
  let dataDir: string;
  let config: Config;
  let bridge: RunningBridge | undefined;
  let log: ReturnType<typeof capturedLogger>;

  const scim = () => ({
    get: (p: string) => request(bridge!.url).get(`/scim/v2${p}`).set("Authorization", `Bearer ${SCIM}`),
    post: (p: string, body: object) => request(bridge!.url).post(`/scim/v2${p}`).set("Authorization", `Bearer ${SCIM}`).send(body),
    put: (p: string, body: object) => request(bridge!.url).put(`/scim/v2${p}`).set("Authorization", `Bearer ${SCIM}`).send(body),
    patch: (p: string, ops: object[]) => request(bridge!.url).patch(`/scim/v2${p}`).set("Authorization", `Bearer ${SCIM}`).send({ schemas: [PATCH], Operations: ops }),
  });
  const collisions = async () => {
    const res = await request(bridge!.url).get("/api/v2/name-collisions").set("Authorization", `Bearer ${ADMIN}`);
    expect(res.status).toBe(200);
    return res.body as { users: { user: { id: string; user_name: string }; key_holder: { id: string; user_name: string } | null }[]; groups: { group: { id: string; display_name: string }; key_holder: { id: string } | null }[] };
  };
  const found = async (filter: string) => ((await scim().get(`/Users?filter=${encodeURIComponent(filter)}`)).body as { Resources: { id: string }[] }).Resources.map((r) => r.id).sort();

  beforeAll(async () => {
    ({ t, dataDir, config } = await seeded(engine));
    log = capturedLogger();
    bridge = await startBridge(config, log.logger);
  });
  afterAll(async () => {
    await bridge?.close();
    await t.cleanup();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("re-keys every row with nameKey; of two colliding rows the older keeps the key and the newer is marked", async () => {
    const expected = {
      [id(1)]: "alice", [id(2)]: markedKey(id(2)),
      [id(3)]: "al\u00EDce", [id(4)]: markedKey(id(4)),
      [id(5)]: "bob", [id(6)]: "carol", [id(7)]: "erin",
      [id(9)]: "frank", [id(10)]: markedKey(id(10)),
      [gid(1)]: "eng", [gid(2)]: markedKey(gid(2)), [gid(3)]: "sales",
    };
    const { db, close } = await peek();
    try {
      expect(await keys(db)).toEqual(expected);
      // Only keys changed: no version, no lastModified moved.
      expect((await db.prisma.user.findMany({ where: { version: { not: 1 } } })).length).toBe(0);
    } finally {
      await close();
    }
  });

  it("logs each collision with both ids and names, and a summary", () => {
    const warnings = log.lines().filter((l) => l.level === "warn" && String(l.message).startsWith("name collision"));
    expect(warnings.map((w) => [w.kind, w.id, w.name, w.heldBy, w.heldByName])).toEqual([
      ["user", id(2), "alice", id(1), "\uFF41\uFF4C\uFF49\uFF43\uFF45"],
      ["user", id(4), "Al\u00EDce", id(3), "Ali\u0301ce"],
      ["user", id(10), "\uFF46\uFF52\uFF41\uFF4E\uFF4B", id(9), "frank"],
      ["group", gid(2), "eng ", gid(1), "Eng"],
    ]);
    expect(log.lines().find((l) => l.message === "recomputed name keys")).toMatchObject({ users: 7, groups: 2, collisions: 4 });
  });

  it("lists the collisions in the admin API, each with the record holding the name", async () => {
    const list = await collisions();
    expect(list.users.map((c) => [c.user.id, c.user.user_name, c.key_holder?.id])).toEqual([
      [id(2), "alice", id(1)],
      [id(4), "Al\u00EDce", id(3)],
      [id(10), "\uFF46\uFF52\uFF41\uFF4E\uFF4B", id(9)],
    ]);
    expect(list.groups.map((c) => [c.group.id, c.group.display_name, c.key_holder?.id])).toEqual([[gid(2), "eng ", gid(1)]]);
  });

  it("finds users by any spelling of their name, and marked users by their name's text", async () => {
    expect(await found('userName eq "ALICE"')).toEqual([id(1)]);
    expect(await found('userName eq "\uFF21\uFF2C\uFF29\uFF23\uFF25 "')).toEqual([id(1)]);
    expect(await found('userName eq "al\u00EDce"')).toEqual([id(3)]);
    expect(await found('userName eq "BOB"')).toEqual([id(5)]);
    expect(await found('userName sw "alice"')).toEqual([id(2)]);
    const groups = (await scim().get(`/Groups?filter=${encodeURIComponent('displayName eq "ENG"')}`)).body as { Resources: { id: string }[] };
    expect(groups.Resources.map((g) => g.id)).toEqual([gid(1)]);
  });

  it("lets the IdP keep updating a marked record, and clears the mark when it is renamed to a free name", async () => {
    const patched = await scim().patch(`/Users/${id(2)}`, [{ op: "replace", path: "title", value: "still marked" }]);
    expect(patched.status).toBe(200);
    const put = await scim().put(`/Users/${id(2)}`, { schemas: [USER], userName: "ALICE", title: "same name, other spelling" });
    expect(put.status).toBe(200);
    expect((await collisions()).users.map((c) => c.user.id)).toContain(id(2));

    const renamed = await scim().put(`/Users/${id(2)}`, { schemas: [USER], userName: "alice.two" });
    expect(renamed.status).toBe(200);
    expect((await collisions()).users.map((c) => c.user.id)).not.toContain(id(2));
    expect(await found('userName eq "Alice.Two"')).toEqual([id(2)]);

    const g = await scim().patch(`/Groups/${gid(2)}`, [{ op: "replace", path: "displayName", value: "ENG" }]);
    expect(g.status).toBe(200);
    expect((await collisions()).groups).toHaveLength(1);
    expect((await scim().patch(`/Groups/${gid(2)}`, [{ op: "replace", path: "displayName", value: "Eng Two" }])).status).toBe(200);
    expect((await collisions()).groups).toHaveLength(0);
  });

  it("still refuses a new record with a marked record's name (the older record holds it)", async () => {
    expect((await scim().post("/Users", { schemas: [USER], userName: "al\u00EDce" })).status).toBe(409);
    expect((await scim().post("/Groups", { schemas: [GROUP], displayName: "eng" })).status).toBe(409);
  });

  it("brings a deleted user back by any spelling of its re-keyed name", async () => {
    const res = await scim().post("/Users", { schemas: [USER], userName: "ERIN", active: true });
    expect(res.status).toBe(201);
    expect(res.body.id).toBe(id(7));
  });

  it("lists the remaining collisions in the CLI", async () => {
    await bridge!.close();
    bridge = undefined;
    const out: string[] = [];
    const err: string[] = [];
    expect(await main(["node", "scim-bridge", "collisions"], { out: (l) => out.push(l), err: (l) => err.push(l) }, () => config)).toBe(0);
    expect(out[0]).toMatch(/^KIND\s+ID\s+NAME\s+CREATED\s+NAME HELD BY\s+HOLDER NAME$/);
    expect(out.slice(1)).toEqual([
      expect.stringMatching(new RegExp(`^user\\s+${id(4)}\\s+"Al\u00EDce"\\s+2024-03-01T00:00:00.000Z\\s+${id(3)}\\s+"Ali\u0301ce"$`)),
      expect.stringMatching(new RegExp(`^user\\s+${id(10)}\\s+"\uFF46\uFF52\uFF41\uFF4E\uFF4B"\\s+\\S+\\s+${id(9)}\\s+"frank"$`)),
    ]);
    const json: string[] = [];
    expect(await main(["node", "scim-bridge", "collisions", "--json"], { out: (l) => json.push(l), err: (l) => err.push(l) }, () => config)).toBe(0);
    expect(JSON.parse(json.join("\n"))).toMatchObject({ users: [{ user: { id: id(4) } }, { user: { id: id(10) } }], groups: [] });
    expect(err).toEqual([]);
  });

  it("runs only once: a later start leaves keys alone and logs nothing about them", async () => {
    const { db, close } = await peek();
    try {
      // Put an old-style key back: a second run would fix it, so it staying proves there was none.
      await db.prisma.$executeRaw`UPDATE users SET user_name_key = 'carol ' WHERE id = ${id(6)}::uuid`;
    } finally {
      await close();
    }
    const again = capturedLogger();
    bridge = await startBridge(config, again.logger);
    await bridge.close();
    bridge = undefined;
    expect(again.lines().filter((l) => String(l.message).includes("name"))).toEqual([]);
    const after = await peek();
    try {
      expect((await keys(after.db))[id(6)]).toBe("carol ");
      expect(await after.db.prisma.maintenanceJob.findMany({ select: { name: true } })).toEqual([{ name: `name-keys-v2 unicode-${process.versions.unicode}` }]);
    } finally {
      await after.close();
    }
  });

  it("re-keys again, once, under a runtime with other Unicode data, changing only stale keys and logging no known collision", async () => {
    const { db, close } = await peek();
    try {
      const before = await keys(db);
      const again = capturedLogger();
      const job = nameKeysJob("99.0");
      expect(job.name).toBe("name-keys-v2 unicode-99.0");
      expect(await runMaintenance(db, [job], again.logger)).toEqual([job.name]);
      expect(await keys(db)).toEqual({ ...before, [id(6)]: "carol" });
      expect(again.lines().filter((l) => l.level === "warn")).toEqual([]);
      expect(again.lines().find((l) => l.message === "recomputed name keys")).toMatchObject({ users: 1, groups: 0, collisions: 0 });
      // Once per Unicode version: the same runtime again finds it recorded.
      expect(await runMaintenance(db, [nameKeysJob("99.0")], again.logger)).toEqual([]);
      expect((await db.prisma.maintenanceJob.findMany({ select: { name: true }, orderBy: { name: "asc" } })).map((j) => j.name)).toEqual([
        `name-keys-v2 unicode-${process.versions.unicode}`,
        "name-keys-v2 unicode-99.0",
      ]);
    } finally {
      await close();
    }
  });

  /** The database, opened beside a running bridge on PostgreSQL; on the embedded one, only while it is stopped. */
  async function peek(): Promise<{ db: Database; close: () => Promise<void> }> {
    if (engine === "embedded" && bridge) {
      // One process, one embedded database handle: ask the running bridge's own handle instead.
      await bridge.close();
      bridge = undefined;
      const opened = await openForProcess(config, "test", capturedLogger().logger);
      return {
        db: opened.db,
        close: async () => {
          await opened.close();
          bridge = await startBridge(config, capturedLogger().logger);
        },
      };
    }
    const opened = await openForProcess(config, "test", capturedLogger().logger);
    return opened;
  }
});

describe.each(testEngines())("who keeps a contested key on %s", (engine) => {
  /** Runs `use` on a database holding `users` as an older version stored them, never started yet. */
  async function onOldRows(users: OldUser[], use: (config: Config) => Promise<void>): Promise<void> {
    const { t, dataDir, config } = await seeded(engine, users, []);
    try {
      await use(config);
    } finally {
      await t.cleanup();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }

  it("starts when a name stored by an older version holds what a marked key looked like", async () => {
    // Older versions took control characters in names: "\u0001<id>" was the first mark's format.
    const users = [
      { id: id(1), userName: "alice", created: "2024-01-01T00:00:00Z" },
      { id: id(2), userName: "Alice ", created: "2024-02-01T00:00:00Z" }, // newer: marked
      { id: id(3), userName: `\u0001${id(2)}`, created: "2024-03-01T00:00:00Z" },
      { id: id(4), userName: `\u2126${id(2)}`, created: "2024-03-01T00:00:00Z" }, // OHM SIGN: NFKC's Ω, lower-cased ω
    ];
    await onOldRows(users, async (config) => {
      // What every start does first: open, migrate, run the maintenance jobs.
      const opened = await openForProcess(config, "test", capturedLogger().logger);
      const k = await keys(opened.db).finally(() => opened.close());
      expect(k).toEqual({ [id(1)]: "alice", [id(2)]: markedKey(id(2)), [id(3)]: `\u0001${id(2)}`, [id(4)]: `\u03C9${id(2)}` });
    });
  }, 60_000);

  it("gives it to a record that still has a SCIM resource before an older SCIM-deleted one", async () => {
    const users = [
      { id: id(1), userName: "dana", created: "2024-01-01T00:00:00Z", deleted: true },
      { id: id(2), userName: "Dana ", created: "2024-02-01T00:00:00Z" },
    ];
    await onOldRows(users, async (config) => {
      const bridge = await startBridge(config, capturedLogger().logger);
      try {
        const admin = await request(bridge.url).get("/api/v2/name-collisions").set("Authorization", `Bearer ${ADMIN}`);
        const marked = (admin.body as { users: { user: { id: string; status: string }; key_holder: { id: string } | null }[] }).users;
        expect(marked.map((c) => [c.user.id, c.user.status, c.key_holder?.id])).toEqual([[id(1), "suspended", id(2)]]);
        const scim = (r: request.Test) => r.set("Authorization", `Bearer ${SCIM}`);
        const found = await scim(request(bridge.url).get(`/scim/v2/Users?filter=${encodeURIComponent('userName eq "dana"')}`));
        expect((found.body as { Resources: { id: string }[] }).Resources.map((r) => r.id)).toEqual([id(2)]);
        // The live dana has the name: a POST of it is a 409, not the deleted dana brought back.
        expect((await scim(request(bridge.url).post("/scim/v2/Users")).send({ schemas: [USER], userName: "dana" })).status).toBe(409);
      } finally {
        await bridge.close();
      }
    });
  }, 60_000);
});

// Only PostgreSQL serves two processes at once; jest refuses an empty table, so it is skipped by name.
const concurrent = testEngines().includes("postgres") ? describe.each(["postgres" as const]) : describe.skip.each(["postgres" as const]);
concurrent("name keys recomputed by instances starting together on %s", (engine) => {
  it("re-keys once when two instances start at the same time", async () => {
    const { t, dataDir, config } = await seeded(engine);
    try {
      const logs = [capturedLogger(), capturedLogger()];
      const opened = await Promise.all(logs.map((l, i) => openForProcess(config, `instance ${i}`, l.logger)));
      const ran = logs.flatMap((l) => l.lines()).filter((l) => l.message === "recomputed name keys");
      expect(ran).toHaveLength(1);
      expect((await keys(opened[0]!.db))[id(2)]).toBe(markedKey(id(2)));
      expect(await opened[1]!.db.prisma.maintenanceJob.count()).toBe(1);
      await Promise.all(opened.map((o) => o.close()));
    } finally {
      await t.cleanup();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
