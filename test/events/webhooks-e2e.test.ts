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

/**
 * No step of this test waits for a fixed time: each waits for a condition (an event at the listener, a
 * delivery recorded) and fails at once when something is really wrong: a process that should run has
 * exited (its stderr is in the message), the endpoint was disabled (its deliveries ran out of retries),
 * or the listener refused a signature. One generous bound for the whole test catches a hang; a slow
 * machine (the embedded bridge needs over 20 s to start when the cores are busy) only makes it slower.
 */
const BOUND_MS = 600_000;

interface Proc {
  name: string;
  child: ChildProcess;
  lines: string[];
  stderr: string[];
  /** Set by stop(): the exit that follows is expected. */
  stopping: boolean;
  exit?: string;
  exited: Promise<unknown>;
}

function run(name: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const p: Proc = { name, child, lines: [], stderr: [], stopping: false, exited: Promise.resolve() };
  readline.createInterface({ input: child.stdout! }).on("line", (l) => p.lines.push(l));
  readline.createInterface({ input: child.stderr! }).on("line", (l) => p.stderr.push(l));
  p.exited = new Promise((r) =>
    child.once("exit", (code, signal) => {
      p.exit = signal ? `signal ${signal}` : `code ${code}`;
      r(undefined);
    }),
  );
  return p;
}

async function stop(p: Proc, signal: NodeJS.Signals, deadline: number): Promise<void> {
  p.stopping = true;
  p.child.kill(signal);
  await until(deadline, `${p.name} to exit after ${signal}`, () => (p.exit ? true : undefined));
}

/** Throws if a process that should be running has exited. */
function alive(procs: Proc[]): void {
  for (const p of procs) {
    if (p.exit && !p.stopping) throw new Error(`${p.name} exited (${p.exit}); its stderr ends:\n${p.stderr.slice(-20).join("\n")}`);
  }
}

/**
 * Waits until `fn` gives a value, checking `running` and `healthy` (which throws on a real failure)
 * between tries; the only time limit is the test's overall deadline.
 */
async function until<T>(deadline: number, what: string, fn: () => Promise<T | undefined> | T | undefined, opts: { running?: Proc[]; healthy?: () => Promise<void> } = {}): Promise<T> {
  for (;;) {
    alive(opts.running ?? []);
    await opts.healthy?.();
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`still waiting for ${what} after the test's overall bound of ${BOUND_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const reachable = async (u: string, init?: RequestInit): Promise<Response | undefined> => {
  try {
    return await fetch(u, init);
  } catch {
    return undefined; // not listening yet
  }
};

describe.each(testEngines())("webhooks end to end on %s", (engine) => {
  let t: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  let url: string;
  const procs: Proc[] = [];

  const startBridge = async (deadline: number) => {
    const p = run("the bridge (serve)", ["serve"], env);
    procs.push(p);
    await until(deadline, "the bridge to be ready", async () => ((await reachable(`${url}/readyz`))?.ok ? true : undefined), { running: [p] });
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
      // Retries every 200 ms for longer than the test's bound: however long the listener takes to come
      // back on a busy machine, the events wait for it instead of running out of attempts (which would
      // disable the endpoint and lose the test its events: that is tested in webhooks.test.ts).
      WEBHOOK_RETRY_SCHEDULE: Array.from({ length: Math.ceil(BOUND_MS / 160) }, () => "200ms").join(","),
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
    const deadline = Date.now() + BOUND_MS;
    let bridge = await startBridge(deadline);
    const listenPort = await freePort();
    const made = (await (await api("POST", "/webhooks", { url: `http://127.0.0.1:${listenPort}/hook`, description: "e2e" })).json()) as { id: string; secret: string };
    expect(made.secret).toMatch(/^whsec_/);
    const listen = async () => {
      const p = run("harness listen", ["harness", "listen", "--port", String(listenPort), "--secret", made.secret], {});
      procs.push(p);
      await until(deadline, "the listener", async () => ((await reachable(`http://127.0.0.1:${listenPort}/`, { method: "POST", body: "{}" }))?.status === 401 ? true : undefined), { running: [p] });
      return p;
    };
    type Received = { type?: string; verified: boolean; reason?: string; payload: { data: { username?: string } } };
    const received = (p: Proc) => p.lines.map((l) => JSON.parse(l) as Received).filter((e) => e.type);
    /** Real failures, checked on every try: a refused signature, or an endpoint the bridge disabled. */
    const healthy = (listener: Proc) => async () => {
      const refused = received(listener).find((e) => !e.verified);
      if (refused) throw new Error(`the listener refused a ${refused.type} event: ${refused.reason}`);
      const endpoint = (await (await api("GET", `/webhooks/${made.id}`)).json()) as { enabled: boolean; disabled_reason: string | null };
      if (!endpoint.enabled) throw new Error(`the bridge disabled the endpoint: ${endpoint.disabled_reason}`);
    };
    const twoEvents = (listener: Proc, what: string) =>
      until(deadline, what, () => (received(listener).length >= 2 ? received(listener) : undefined), { running: [bridge, listener], healthy: healthy(listener) });
    let listener = await listen();

    // 1. A provisioned user arrives as a correctly signed user.created.
    expect((await scim("/Users", { schemas: [USER], userName: "hook1@corp.example" })).status).toBe(201);
    const first = await twoEvents(listener, "hook1's events");
    expect(first.find((e) => e.type === "user.created")).toMatchObject({ verified: true, payload: { type: "user.created", data: { username: "hook1", status: "active" } } });
    expect(first.map((e) => [e.type, e.verified])).toEqual([["user.created", true], ["organization_member.added", true]]);
    // An admin's test event goes out the same signed way, to this endpoint.
    const test = await api("POST", `/webhooks/${made.id}/test`);
    expect(test.status).toBe(202);
    const withTest = await until(deadline, "the test event", () => received(listener).find((e) => e.type === "webhook.test"), { running: [bridge, listener], healthy: healthy(listener) });
    expect(withTest).toMatchObject({ verified: true, payload: { type: "webhook.test", data: { webhook_id: made.id } } });

    // 2. Listener down: events wait, then arrive in order when it is back.
    await stop(listener, "SIGTERM", deadline);
    expect((await scim("/Users", { schemas: [USER], userName: "hook2@corp.example" })).status).toBe(201);
    await until(
      deadline,
      "a failed attempt while the listener is down",
      async () => {
        const d = (await (await api("GET", `/webhooks/${made.id}/deliveries?status=pending`)).json()) as DeliveryLog;
        return d.deliveries.some((x) => x.attempts > 0) ? true : undefined;
      },
      { running: [bridge], healthy: healthy(listener) },
    );
    listener = await listen();
    const second = await twoEvents(listener, "hook2's events");
    expect(second.map((e) => [e.type, e.payload.data.username, e.verified])).toEqual([["user.created", "hook2", true], ["organization_member.added", "hook2", true]]);

    // 3. The bridge is killed with undelivered events; after a restart they are delivered.
    await stop(listener, "SIGTERM", deadline);
    expect((await scim("/Users", { schemas: [USER], userName: "hook3@corp.example" })).status).toBe(201);
    await stop(bridge, "SIGKILL", deadline);
    listener = await listen();
    bridge = await startBridge(deadline);
    // If the kill caught the dispatcher inside an attempt, the endpoint is still leased to the dead
    // process: the new one waits for the lease to expire (2 × WEBHOOK_TIMEOUT + 30 s, dispatcher.ts).
    const third = await twoEvents(listener, "hook3's events after the restart");
    expect(third.map((e) => [e.type, e.payload.data.username, e.verified])).toEqual([["user.created", "hook3", true], ["organization_member.added", "hook3", true]]);

    // Every attempt is on record: the failures while the listener was down, then the success.
    // The listener has the last event; its success is recorded a moment later.
    const log = await until(
      deadline,
      "every delivery recorded as succeeded",
      async () => {
        const l = (await (await api("GET", `/webhooks/${made.id}/deliveries`)).json()) as DeliveryLog;
        return l.deliveries.every((d) => d.status === "succeeded") ? l : undefined;
      },
      { running: [bridge, listener], healthy: healthy(listener) },
    );
    expect(log.count).toBe(7);
    const hook2 = log.deliveries.find((d) => d.event_type === "user.created" && d.attempt_log.length > 1);
    expect(hook2?.attempt_log.at(-1)).toMatchObject({ status_code: 204, error: null });
    expect(hook2?.attempt_log[0]).toMatchObject({ status_code: null, error: expect.stringMatching(/ECONNREFUSED/) });
    await stop(bridge, "SIGTERM", deadline);
  }, BOUND_MS + 60_000);
});
