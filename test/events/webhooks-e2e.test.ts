import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { freePort } from "../support/net";
import { emptyDatabase, testEngines, type TestDatabase } from "../support/databases";

/**
 * The end-to-end sequence with real processes: the built bridge (`scim-bridge serve`) and
 * `scim-bridge harness listen`, over loopback.
 */

interface DeliveryLog {
  count: number;
  deliveries: { status: string; event_type: string; attempts: number; attempt_log: { status_code: number | null; error: string | null }[] }[];
}

const root = path.resolve(__dirname, "../..");
const bin = path.join(root, "bin/scim-bridge.js");
const SCIM = "scim-token-for-the-webhook-e2e-test-0001";
const ADMIN = "admin-token-for-the-webhook-e2e-test-001";
const USER = "urn:ietf:params:scim:schemas:core:2.0:User";

interface Proc {
  child: ChildProcess;
  lines: string[];
  exited: Promise<unknown>;
}

function run(args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  readline.createInterface({ input: child.stdout! }).on("line", (l) => lines.push(l));
  child.stderr!.on("data", () => undefined);
  return { child, lines, exited: new Promise((r) => child.once("exit", r)) };
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch {
      // not yet
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(testEngines())("webhooks end to end on %s", (engine) => {
  let t: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  let url: string;
  const procs: Proc[] = [];

  const startBridge = async () => {
    const p = run(["serve"], env);
    procs.push(p);
    await until("the bridge", async () => (await fetch(`${url}/readyz`)).ok || undefined);
    return p;
  };
  const api = (method: string, p: string, body?: unknown) =>
    fetch(`${url}/api/v2${p}`, { method, headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const scim = (p: string, body: unknown) => fetch(`${url}/scim/v2${p}`, { method: "POST", headers: { authorization: `Bearer ${SCIM}`, "content-type": "application/scim+json" }, body: JSON.stringify(body) });

  beforeAll(async () => {
    t = await emptyDatabase(engine);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bridge-webhooks-"));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    env = {
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: "error",
      BRIDGE_SCIM_TOKEN: SCIM,
      BRIDGE_ADMIN_TOKEN: ADMIN,
      BRIDGE_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      WEBHOOK_ALLOW_PRIVATE_TARGETS: "true",
      WEBHOOK_POLL_INTERVAL: "100ms",
      WEBHOOK_RETRY_SCHEDULE: "200ms,200ms,200ms,200ms,200ms,200ms,200ms,200ms,200ms,200ms",
      WEBHOOK_TIMEOUT: "2s",
    };
    if (t.target.kind === "postgres") env.DATABASE_URL = t.target.url;
  });
  afterAll(async () => {
    for (const p of procs) p.child.kill("SIGKILL");
    await Promise.all(procs.map((p) => p.exited));
    await t.cleanup();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("delivers signed events to harness listen, holds them while it is down, and after a kill -9 of the bridge", async () => {
    let bridge = await startBridge();
    const listenPort = await freePort();
    const made = (await (await api("POST", "/webhooks", { url: `http://127.0.0.1:${listenPort}/hook`, description: "e2e" })).json()) as { id: string; secret: string };
    expect(made.secret).toMatch(/^whsec_/);
    const listen = () => {
      const p = run(["harness", "listen", "--port", String(listenPort), "--secret", made.secret], {});
      procs.push(p);
      return p;
    };
    let listener = listen();
    await until("the listener", async () => (await fetch(`http://127.0.0.1:${listenPort}/`, { method: "POST", body: "{}" })).status === 401 || undefined);
    const received = (p: Proc) => p.lines.map((l) => JSON.parse(l) as { type?: string; verified: boolean; payload: { data: { username?: string } } }).filter((e) => e.type);

    // 1. A provisioned user arrives as a correctly signed user.created.
    expect((await scim("/Users", { schemas: [USER], userName: "hook1@corp.example" })).status).toBe(201);
    await until("hook1's events", () => received(listener).length >= 2 || undefined);
    const created = received(listener).find((e) => e.type === "user.created");
    expect(created).toMatchObject({ verified: true, payload: { type: "user.created", data: { username: "hook1", status: "active" } } });
    expect(received(listener).map((e) => e.type)).toEqual(["user.created", "organization_member.added"]);
    // An admin's test event goes out the same signed way, to this endpoint.
    const test = await api("POST", `/webhooks/${made.id}/test`);
    expect(test.status).toBe(202);
    await until("the test event", () => received(listener).some((e) => e.type === "webhook.test") || undefined);
    expect(received(listener).find((e) => e.type === "webhook.test")).toMatchObject({ verified: true, payload: { type: "webhook.test", data: { webhook_id: made.id } } });

    // 2. Listener down: events wait, then arrive in order when it is back.
    listener.child.kill("SIGTERM");
    await listener.exited;
    expect((await scim("/Users", { schemas: [USER], userName: "hook2@corp.example" })).status).toBe(201);
    await until("a failed attempt", async () => {
      const d = (await (await api("GET", `/webhooks/${made.id}/deliveries?status=pending`)).json()) as DeliveryLog;
      return d.deliveries.some((x: { attempts: number }) => x.attempts > 0) || undefined;
    });
    listener = listen();
    const second = await until("hook2's events", () => {
      const r = received(listener);
      return r.length >= 2 ? r : undefined;
    });
    expect(second.map((e) => [e.type, e.payload.data.username])).toEqual([["user.created", "hook2"], ["organization_member.added", "hook2"]]);
    expect(second.every((e) => e.verified)).toBe(true);

    // 3. The bridge is killed with undelivered events; after a restart they are delivered.
    listener.child.kill("SIGTERM");
    await listener.exited;
    expect((await scim("/Users", { schemas: [USER], userName: "hook3@corp.example" })).status).toBe(201);
    bridge.child.kill("SIGKILL");
    await bridge.exited;
    listener = listen();
    bridge = await startBridge();
    // If the kill caught the dispatcher inside an attempt, the endpoint is still leased to the dead
    // process: the new one waits for the lease to expire (2 × WEBHOOK_TIMEOUT + 30 s, dispatcher.ts).
    const third = await until(
      "hook3's events after the restart",
      () => {
        const r = received(listener);
        return r.length >= 2 ? r : undefined;
      },
      60_000,
    );
    expect(third.map((e) => [e.type, e.payload.data.username])).toEqual([["user.created", "hook3"], ["organization_member.added", "hook3"]]);

    // Every attempt is on record: the failures while the listener was down, then the success.
    // The listener has the last event; its success is recorded a moment later.
    const log = await until("every delivery recorded as succeeded", async () => {
      const l = (await (await api("GET", `/webhooks/${made.id}/deliveries`)).json()) as DeliveryLog;
      return l.deliveries.every((d) => d.status === "succeeded") ? l : undefined;
    });
    expect(log.count).toBe(7);
    const hook2 = log.deliveries.find((d) => d.event_type === "user.created" && d.attempt_log.length > 1);
    expect(hook2?.attempt_log.at(-1)).toMatchObject({ status_code: 204, error: null });
    expect(hook2?.attempt_log[0]).toMatchObject({ status_code: null, error: expect.stringMatching(/ECONNREFUSED/) });
    bridge.child.kill("SIGTERM");
    await bridge.exited;
  }, 150_000);
});
