import fs from "node:fs";
import path from "node:path";
import request from "supertest";
import { startListener, type Listener } from "../../src/harness/listener";
import { reconciliationRequestSchema } from "../../src/reconcile/request";
import { emptyDatabase, testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";
import { startTcpProxy } from "../support/tcp-proxy";

/**
 * What an admin's Prometheus sees on /metrics (README, Operations → Metrics): SCIM operations by
 * outcome and token name, sync changes and problems, webhook queues and attempts, reconciliation runs,
 * the database pool, the build. Each bridge has its own registry, so every count starts at zero.
 */

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const MISSING = "00000000-0000-4000-8000-00000000dead";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format's samples (the lines that are not comments). */
function samples(text: string): Sample[] {
  return text
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((line) => {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!m) throw new Error(`not a sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
}

/** The samples of `name` whose labels include `labels`. */
function find(all: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return all.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** The one sample of `name` with exactly these labels' values (others may exist); undefined when absent. */
function value(all: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = find(all, name, labels);
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
  return found[0]?.value;
}

describe.each(testEngines())("/metrics on %s", (engine) => {
  let b: TestBridge;
  const listeners: Listener[] = [];
  const metrics = async () => {
    const res = await request(b.app).get("/metrics");
    expect(res.status).toBe(200);
    return { text: res.text, all: samples(res.text) };
  };
  const admin = (m: "get" | "post" | "patch", p: string) => request(b.app)[m](`/api/v2${p}`).set("Authorization", `Bearer ${b.adminToken}`);
  const setting = (key: string, v: object) => b.db.prisma.syncSetting.upsert({ where: { key }, create: { key, value: v }, update: { value: v } });

  beforeEach(async () => {
    b = await startTestBridge(engine, { retryScheduleMs: [50] });
  });
  afterEach(async () => {
    await Promise.all(listeners.splice(0).map((l) => l.close()));
    await b.close();
  });

  it("counts SCIM operations by resource type, operation, outcome and token name, never the token itself", async () => {
    const okta = await b.tokens.create({ name: "okta-prod", scope: "scim", origin: "cli", actor: "cli" });
    const scim = (m: "get" | "post" | "patch" | "delete", p: string, body?: object) => request(b.app)[m](`/scim/v2${p}`).set("Authorization", `Bearer ${okta.token}`).send(body);

    const created = await scim("post", "/Users", { schemas: [USER], userName: "ann@corp.example" });
    expect(created.status).toBe(201);
    expect((await scim("post", "/Users", { schemas: [USER], userName: "ANN@corp.example" })).status).toBe(409);
    expect((await scim("post", "/Users", { schemas: [USER], displayName: "no userName" })).status).toBe(400);
    expect((await scim("get", `/Users/${MISSING}`)).status).toBe(404);
    expect((await scim("patch", `/Users/${MISSING}`, { schemas: [PATCH], Operations: [{ op: "replace", path: "active", value: false }] })).status).toBe(404);
    expect((await scim("patch", `/Users/${created.body.id}`, { schemas: [PATCH], Operations: [{ op: "replace", path: "displayName", value: "Ann" }] })).status).toBe(200);
    expect((await scim("get", `/Users?filter=${encodeURIComponent('userName eq "ann@corp.example"')}`)).status).toBe(200);
    expect((await scim("get", `/Users?filter=${encodeURIComponent("userName zz 1")}`)).status).toBe(400);
    // Each operation of a Bulk request counts as its single request would.
    const bulk = await scim("post", "/Bulk", {
      schemas: [BULK],
      Operations: [
        { method: "POST", path: "/Groups", bulkId: "g", data: { schemas: [GROUP], displayName: "Eng" } },
        { method: "DELETE", path: `/Groups/${MISSING}` },
      ],
    });
    expect(bulk.body.Operations.map((o: { status: string }) => o.status)).toEqual(["201", "404"]);
    expect((await scim("delete", `/Users/${created.body.id}`)).status).toBe(204);
    // Another token's requests are told apart by its name.
    expect((await request(b.app).get(`/scim/v2/Groups/${MISSING}`).set("Authorization", `Bearer ${b.scimToken}`)).status).toBe(404);
    // Queries at the service root, over Users and Groups together: resource_type "root".
    expect((await scim("get", "/?filter=userName%20pr")).status).toBe(200);
    expect((await scim("post", "/.search", { filter: "nope eq 1" })).status).toBe(400);

    const { text, all } = await metrics();
    const ops = (labels: Record<string, string>) => value(all, "scim_bridge_scim_operations_total", labels);
    const user = { resource_type: "User", token: "okta-prod" };
    expect(ops({ ...user, operation: "create", outcome: "created" })).toBe(1);
    expect(ops({ ...user, operation: "create", outcome: "conflict" })).toBe(1);
    expect(ops({ ...user, operation: "create", outcome: "invalid" })).toBe(1);
    expect(ops({ ...user, operation: "get", outcome: "not_found" })).toBe(1);
    expect(ops({ ...user, operation: "patch", outcome: "not_found" })).toBe(1);
    expect(ops({ ...user, operation: "patch", outcome: "updated" })).toBe(1);
    expect(ops({ ...user, operation: "list", outcome: "ok" })).toBe(1);
    expect(ops({ ...user, operation: "list", outcome: "invalid" })).toBe(1);
    expect(ops({ ...user, operation: "delete", outcome: "deleted" })).toBe(1);
    expect(ops({ resource_type: "Group", token: "okta-prod", operation: "create", outcome: "created" })).toBe(1);
    expect(ops({ resource_type: "Group", token: "okta-prod", operation: "delete", outcome: "not_found" })).toBe(1);
    expect(ops({ resource_type: "Group", token: "test-scim", operation: "get", outcome: "not_found" })).toBe(1);
    expect(ops({ resource_type: "root", token: "okta-prod", operation: "list", outcome: "ok" })).toBe(1);
    expect(ops({ resource_type: "root", token: "okta-prod", operation: "list", outcome: "invalid" })).toBe(1);
    expect(find(all, "scim_bridge_scim_operations_total").reduce((n, s) => n + s.value, 0)).toBe(14);
    // Labels are names the admin chose: no token value, no user id, no userName.
    expect(text).not.toContain(okta.token);
    expect(text).not.toContain(String(created.body.id));
    expect(text).not.toContain("ann@corp.example");
  });

  it("counts the changes and problems IdP sync applied, by dimension", async () => {
    const defaultOrg = (await admin("get", "/organizations/default")).body.id as string;
    const acme = (await admin("post", "/organizations").send({ name: "acme" })).body.id as string;
    await setting("organization-sync-settings", { field: "department", mapping: { Sales: [acme] }, organization_assign_default: true });
    // "owner" is a site role: sync never grants it, and records a problem instead.
    await setting(`${defaultOrg}:role-sync-settings`, { field: "title", mapping: { Boss: ["owner"], Lead: ["organization-admin"] } });
    const scim = (m: "post" | "patch", p: string, body: object) => request(b.app)[m](`/scim/v2${p}`).set("Authorization", `Bearer ${b.scimToken}`).send(body);

    const u = await scim("post", "/Users", { schemas: [USER, ENT], userName: "sam@corp.example", title: "Lead", [ENT]: { department: "Sales" } });
    expect(u.status).toBe(201);
    expect((await scim("patch", `/Users/${u.body.id}`, { schemas: [PATCH], Operations: [{ op: "replace", path: "title", value: "Boss" }] })).status).toBe(200);

    const { all } = await metrics();
    const changes = (dimension: string, action: string) => value(all, "scim_bridge_sync_changes_total", { dimension, action });
    // Joining acme by the mapping (the default organization's join is not a sync.* change), the role, then losing it.
    expect(changes("organization", "added")).toBe(1);
    expect(changes("role", "added")).toBe(1);
    expect(changes("role", "removed")).toBe(1);
    expect(changes("group", "added")).toBe(0);
    expect(value(all, "scim_bridge_sync_problems_total", { dimension: "role" })).toBe(1);
    expect(value(all, "scim_bridge_sync_problems_total", { dimension: "organization" })).toBe(0);
    // The counts are the sync.* audit rows.
    expect(await b.db.prisma.auditEvent.count({ where: { action: { startsWith: "sync." }, NOT: { action: "sync.problem" } } })).toBe(3);
  });

  it("shows each webhook endpoint's queue depth and oldest pending age, attempts by outcome and endpoints disabled", async () => {
    const l = await startListener({ port: 0, secret: "whsec_placeholder0000000000000000000000000000=", statuses: [500, 500, 500] });
    listeners.push(l);
    const made = await admin("post", "/webhooks").send({ url: l.url, events: ["user.created"] });
    expect(made.status).toBe(201);
    const endpoint = made.body.id as string;
    const before = await metrics();
    expect(value(before.all, "scim_bridge_webhook_queue_depth", { endpoint })).toBe(0);
    expect(value(before.all, "scim_bridge_webhook_oldest_pending_age_seconds", { endpoint })).toBe(0);

    expect((await request(b.app).post("/scim/v2/Users").set("Authorization", `Bearer ${b.scimToken}`).send({ schemas: [USER], userName: "hook@corp.example" })).status).toBe(201);
    // Queued ten minutes ago, as a stuck queue would be.
    await b.db.sql.query("UPDATE webhook_deliveries SET created_at = now() - interval '10 minutes'");
    const queued = await metrics();
    expect(value(queued.all, "scim_bridge_webhook_queue_depth", { endpoint })).toBe(1);
    expect(value(queued.all, "scim_bridge_webhook_oldest_pending_age_seconds", { endpoint })).toBeGreaterThanOrEqual(600);
    expect(value(queued.all, "scim_bridge_webhook_endpoints_disabled")).toBe(0);
    expect(value(queued.all, "scim_bridge_webhook_queue_read_ok")).toBe(1);

    // The receiver answers 500: the delivery is retried once (retry schedule [50 ms]), then the endpoint is disabled.
    for (let i = 0; i < 200 && (await b.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint } })).enabled; i++) {
      await b.bridge.dispatcher.tick();
      await new Promise((r) => setTimeout(r, 20));
    }
    const after = await metrics();
    expect(value(after.all, "scim_bridge_webhook_delivery_attempts_total", { outcome: "http_error" })).toBe(2);
    expect(value(after.all, "scim_bridge_webhook_delivery_attempts_total", { outcome: "succeeded" })).toBe(0);
    expect(value(after.all, "scim_bridge_webhook_endpoint_disables_total", { reason: "exhausted" })).toBe(1);
    expect(value(after.all, "scim_bridge_webhook_endpoints_disabled")).toBe(1);
    // The failed delivery is no longer pending.
    expect(value(after.all, "scim_bridge_webhook_queue_depth", { endpoint })).toBe(0);
  });

  it("counts reconciliation runs by kind, mode and outcome, with the last one's duration", async () => {
    const idle = await metrics();
    expect(value(idle.all, "scim_bridge_reconciliation_runs_total", { kind: "resync", mode: "dry_run", outcome: "completed" })).toBe(0);
    expect(find(idle.all, "scim_bridge_reconciliation_last_duration_seconds")).toEqual([]);

    const started = await b.bridge.reconciliations.start(reconciliationRequestSchema.parse({ kind: "resync", dry_run: true }), "test-admin");
    expect((await started.finished).status).toBe("completed");
    const { all } = await metrics();
    expect(value(all, "scim_bridge_reconciliation_runs_total", { kind: "resync", mode: "dry_run", outcome: "completed" })).toBe(1);
    expect(value(all, "scim_bridge_reconciliation_runs_total", { kind: "resync", mode: "apply", outcome: "completed" })).toBe(0);
    expect(value(all, "scim_bridge_reconciliation_last_duration_seconds", { kind: "resync", mode: "dry_run" })).toBeGreaterThan(0);
    expect(value(all, "scim_bridge_reconciliation_last_completed_timestamp_seconds", { kind: "resync", mode: "dry_run" })).toBeGreaterThan(1.7e9);

    // Role sync switched on over an existing user: the apply's changes are sync changes too (the dry run's were not).
    expect((await request(b.app).post("/scim/v2/Users").set("Authorization", `Bearer ${b.scimToken}`).send({ schemas: [USER], userName: "lee@corp.example", title: "Lead" })).status).toBe(201);
    const defaultOrg = (await admin("get", "/organizations/default")).body.id as string;
    await setting(`${defaultOrg}:role-sync-settings`, { field: "title", mapping: { Lead: ["organization-admin"] } });
    const preview = await b.bridge.reconciliations.start(reconciliationRequestSchema.parse({ kind: "resync", dry_run: true }), "test-admin");
    expect((await preview.finished).summary.changes).toBe(1);
    expect(value((await metrics()).all, "scim_bridge_sync_changes_total", { dimension: "role", action: "added" })).toBe(0);
    const applied = await b.bridge.reconciliations.start(reconciliationRequestSchema.parse({ kind: "resync", dry_run: false }), "test-admin");
    expect((await applied.finished).status).toBe("completed");
    const after = (await metrics()).all;
    expect(value(after, "scim_bridge_reconciliation_runs_total", { kind: "resync", mode: "dry_run", outcome: "completed" })).toBe(2);
    expect(value(after, "scim_bridge_reconciliation_runs_total", { kind: "resync", mode: "apply", outcome: "completed" })).toBe(1);
    expect(value(after, "scim_bridge_reconciliation_last_duration_seconds", { kind: "resync", mode: "apply" })).toBeGreaterThan(0);
    expect(value(after, "scim_bridge_sync_changes_total", { dimension: "role", action: "added" })).toBe(1);
  });

  it("states the build, and the database pool on PostgreSQL only", async () => {
    const { all } = await metrics();
    expect(find(all, "scim_bridge_build_info")).toEqual([{ name: "scim_bridge_build_info", labels: { version: (JSON.parse(fs.readFileSync(path.join(__dirname, "../../package.json"), "utf8")) as { version: string }).version, node: process.version }, value: 1 }]);
    if (engine === "postgres") {
      expect(value(all, "scim_bridge_db_pool_max")).toBe(5);
      expect(value(all, "scim_bridge_db_pool_waiting")).toBe(0);
      expect(value(all, "scim_bridge_db_pool_connections", { state: "in_use" })).toBeGreaterThanOrEqual(0);
      expect(value(all, "scim_bridge_db_pool_connections", { state: "idle" })).toBeGreaterThanOrEqual(1);
    } else {
      expect(find(all, "scim_bridge_db_pool_connections")).toEqual([]);
    }
  });
});

const pgOnly = testEngines().includes("postgres") ? describe : describe.skip;

pgOnly("/metrics while PostgreSQL is away", () => {
  it("still answers, counts the refused operations as unavailable, and leaves the queue gauges out", async () => {
    const base = new URL(process.env.TEST_DATABASE_URL!);
    const proxy = await startTcpProxy(base.hostname, Number(base.port || 5432));
    const t = await emptyDatabase("postgres");
    const url = new URL((t.target as { url: string }).url);
    url.hostname = "127.0.0.1";
    url.port = String(proxy.port);
    const b = await startTestBridge("postgres", { databaseUrl: url.toString() });
    try {
      await b.db.prisma.webhookEndpoint.create({ data: { url: "https://hooks.example.com/x", secretEncrypted: b.secretBox.seal("whsec_x"), createdBy: "test" } });
      expect(find(samples((await request(b.app).get("/metrics")).text), "scim_bridge_webhook_queue_depth")).toHaveLength(1);
      // Once verified, the token is trusted from memory for a while: the request reaches the SCIM layer.
      expect((await request(b.app).get(`/scim/v2/Users/${MISSING}`).set("Authorization", `Bearer ${b.scimToken}`)).status).toBe(404);
      await proxy.cut();
      expect((await request(b.app).get(`/scim/v2/Users/${MISSING}`).set("Authorization", `Bearer ${b.scimToken}`)).status).toBe(503);
      const res = await request(b.app).get("/metrics");
      expect(res.status).toBe(200);
      const all = samples(res.text);
      expect(value(all, "scim_bridge_scim_operations_total", { resource_type: "User", operation: "get", outcome: "unavailable", token: "test-scim" })).toBe(1);
      expect(find(all, "scim_bridge_webhook_queue_depth")).toEqual([]);
      expect(value(all, "scim_bridge_webhook_endpoints_disabled")).toBeNaN();
      expect(value(all, "scim_bridge_webhook_queue_read_ok")).toBe(0);
      expect(b.logs()).toContain("metrics: could not read the webhook queues");
    } finally {
      await proxy.restore();
      await b.close();
      await proxy.close();
      await t.cleanup();
    }
  }, 60_000);
});
