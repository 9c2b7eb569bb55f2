import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import request from "supertest";
import { randomBytes } from "node:crypto";
import { openForProcess } from "../../src/app";
import { loadConfig } from "../../src/config/config";
import { createLogger } from "../../src/log/logger";
import { freePort, untilReady } from "../support/net";
import { emptyDatabase, testEngines, type TestDatabase } from "../support/databases";
import { startTestBridge } from "../support/app";
import { startTcpProxy } from "../support/tcp-proxy";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const root = path.resolve(__dirname, "../..");
const silent = createLogger({ level: "error", format: "json", silent: true });

const pgOnly = testEngines().includes("postgres") ? describe : describe.skip;

pgOnly("the database going away (PostgreSQL behind a proxy)", () => {
  it("answers 503 with a SCIM error (never a false 404) while it is gone, and recovers when it returns", async () => {
    const base = new URL(process.env.TEST_DATABASE_URL!);
    const proxy = await startTcpProxy(base.hostname, Number(base.port || 5432));
    // The test bridge's database, reached through the proxy.
    const through = (url: string) => {
      const u = new URL(url);
      u.hostname = "127.0.0.1";
      u.port = String(proxy.port);
      return u.toString();
    };
    const t = await emptyDatabase("postgres");
    const url = through((t.target as { url: string }).url);
    const b = await startTestBridge("postgres", { databaseUrl: url });
    try {
      const scim = (m: "get" | "post", p: string, body?: object) => request(b.app)[m](`/scim/v2${p}`).set("Authorization", `Bearer ${b.scimToken}`).send(body);
      const u = (await scim("post", "/Users", { schemas: [USER], userName: "before@corp.example" })).body.id as string;
      expect((await scim("get", `/Users/${u}`)).status).toBe(200);

      await proxy.cut();
      for (const [m, p, body] of [["get", `/Users/${u}`], ["get", "/Users"], ["post", "/Users", { schemas: [USER], userName: "during@corp.example" }]] as const) {
        const res = await scim(m, p, body);
        expect([p, res.status]).toEqual([p, 503]);
        expect(res.headers["retry-after"]).toBe("5");
        expect(res.body).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "503", detail: "the database is unavailable; retry later" });
      }
      expect((await request(b.app).get("/readyz")).status).toBe(503);

      await proxy.restore();
      expect((await request(b.app).get("/readyz")).status).toBe(200);
      expect((await scim("get", `/Users/${u}`)).status).toBe(200);
      expect((await scim("post", "/Users", { schemas: [USER], userName: "after@corp.example" })).status).toBe(201);
      // The write refused while the database was gone was not half-made.
      expect((await scim("get", `/Users?filter=${encodeURIComponent('userName eq "during@corp.example"')}`)).body.totalResults).toBe(0);
    } finally {
      await b.close();
      await proxy.close();
      await t.cleanup();
    }
  }, 60_000);
});

describe.each(testEngines())("kill -9 during writes on %s", (engine) => {
  it("keeps every acknowledged write, and every write whole", async () => {
    const t: TestDatabase = await emptyDatabase(engine);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bridge-kill-"));
    const port = await freePort();
    const token = randomBytes(24).toString("hex");
    const env: Record<string, string> = { PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: "error", BRIDGE_SCIM_TOKEN: token, RATE_LIMIT: "off", BRIDGE_ENCRYPTION_KEY: randomBytes(32).toString("base64") };
    if (t.target.kind === "postgres") env.DATABASE_URL = t.target.url;
    const child: ChildProcess = spawn(process.execPath, [path.join(root, "bin/scim-bridge.js"), "serve"], { env: { ...process.env, ...env }, stdio: "ignore" });
    const exited = new Promise((r) => child.once("exit", r));
    try {
      const url = `http://127.0.0.1:${port}`;
      await untilReady(url, child);
      // Eight writers; the bridge is killed once 40 writes are acknowledged.
      const acknowledged: string[] = [];
      let n = 0;
      const writer = async () => {
        for (;;) {
          const name = `w${n++}@corp.example`;
          try {
            const res = await fetch(`${url}/scim/v2/Users`, {
              method: "POST",
              headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
              body: JSON.stringify({ schemas: [USER], userName: name, displayName: `Writer ${name}`, emails: [{ value: name, primary: true }] }),
            });
            if (res.status === 201) acknowledged.push(name);
            if (acknowledged.length >= 40) child.kill("SIGKILL");
          } catch {
            return; // the bridge is gone
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, writer));
      await exited;
      expect(acknowledged.length).toBeGreaterThanOrEqual(40);

      const config = loadConfig(env, { cwd: dataDir, isTty: false });
      const { db, close } = await openForProcess(config, "check", silent);
      try {
        const users = await db.prisma.user.findMany({ include: { memberships: true } });
        const names = new Set(users.map((u) => u.userName));
        for (const a of acknowledged) expect(names.has(a)).toBe(true);
        // Whole: each user has its resource, derived columns, default membership, audit row and event.
        const audits = new Set((await db.prisma.auditEvent.findMany({ where: { action: "user.created" } })).map((a) => a.userId));
        const events = (await db.prisma.outboxEvent.findMany({ where: { type: "user.created" } })).map((e) => (e.payload as { data: { id: string } }).data.id);
        for (const u of users) {
          expect(u.resource).toMatchObject({ userName: u.userName, displayName: `Writer ${u.userName}` });
          expect(u.email).toBe(u.userName);
          expect(u.memberships).toHaveLength(1);
          expect(audits.has(u.id)).toBe(true);
          expect(events).toContain(u.id);
        }
        expect(events).toHaveLength(users.length);
      } finally {
        await close();
      }
    } finally {
      child.kill("SIGKILL");
      await exited;
      await t.cleanup();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});
