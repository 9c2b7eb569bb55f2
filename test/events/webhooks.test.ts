import request from "supertest";
import { createDispatcher } from "../../src/events/dispatcher";
import { startListener, type Listener } from "../../src/harness/listener";
import { createLogger } from "../../src/log/logger";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

describe.each(testEngines())("webhooks on %s", (engine) => {
  let b: TestBridge;
  const listeners: Listener[] = [];
  const api = (m: "get" | "post" | "put" | "patch" | "delete", p: string) => request(b.app)[m](`/api/v2${p}`).set("Authorization", `Bearer ${b.adminToken}`);
  const scim = (m: "post" | "patch" | "delete", p: string, body?: object) => request(b.app)[m](`/scim/v2${p}`).set("Authorization", `Bearer ${b.scimToken}`).send(body);
  /** Runs dispatcher rounds until `done` holds (retries are 50–200 ms apart in tests). */
  const deliverUntil = async (done: () => boolean | Promise<boolean>) => {
    for (let i = 0; i < 200 && !(await done()); i++) {
      await b.bridge.dispatcher.tick();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await done()).toBe(true);
  };
  const listen = async (statuses?: number[]) => {
    const l = await startListener({ port: 0, secret: "whsec_placeholder0000000000000000000000000000=", ...(statuses ? { statuses } : {}) });
    listeners.push(l);
    return l;
  };
  const subscribe = async (events?: string[], statuses?: number[]) => {
    const probe = await listen();
    await probe.close();
    const made = await api("post", "/webhooks").send({ url: probe.url, ...(events ? { events } : {}) });
    expect(made.status).toBe(201);
    const port = Number(new URL(probe.url).port);
    const l = await startListener({ port, secret: made.body.secret, ...(statuses ? { statuses } : {}) });
    listeners.push(l);
    return { id: made.body.id as string, secret: made.body.secret as string, listener: l };
  };

  beforeEach(async () => {
    b = await startTestBridge(engine);
  });
  afterEach(async () => {
    await Promise.all(listeners.splice(0).map((l) => l.close()));
    await b.close();
  });

  it("manages endpoints: the secret once, validation, patch, rotation, delete", async () => {
    const made = await api("post", "/webhooks").send({ url: "https://hooks.example.com/bridge", events: ["user.created"], description: "crm" });
    expect(made.status).toBe(201);
    expect(made.headers.location).toBe(`/api/v2/webhooks/${made.body.id}`);
    expect(made.body).toMatchObject({ url: "https://hooks.example.com/bridge", events: ["user.created"], enabled: true, description: "crm", created_by: "test-admin", pending_deliveries: 0 });
    expect(made.body.secret).toMatch(/^whsec_/);
    const stored = await b.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: made.body.id } });
    expect(stored.secretEncrypted).not.toContain(made.body.secret.slice(6, 20));

    const listed = (await api("get", "/webhooks")).body.webhooks;
    expect(listed).toHaveLength(1);
    expect(listed[0]).not.toHaveProperty("secret");
    expect((await api("get", `/webhooks/${made.body.id}`)).body).not.toHaveProperty("secret");

    // Every type is `["*"]` in the API; `[]` (what earlier versions returned for it) is still accepted.
    const patched = await api("patch", `/webhooks/${made.body.id}`).send({ events: [], enabled: false });
    expect(patched.body).toMatchObject({ events: ["*"], enabled: false });
    expect((await api("patch", `/webhooks/${made.body.id}`).send({ events: ["user.deleted"] })).body.events).toEqual(["user.deleted"]);
    expect((await api("patch", `/webhooks/${made.body.id}`).send({ events: ["*"] })).body.events).toEqual(["*"]);
    expect((await b.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: made.body.id } })).events).toEqual([]);
    expect((await api("get", "/webhooks")).body.webhooks[0].events).toEqual(["*"]);
    const all = await api("post", "/webhooks").send({ url: "https://hooks.example.com/all" });
    expect(all.body.events).toEqual(["*"]);
    expect((await api("delete", `/webhooks/${all.body.id}`)).status).toBe(204);
    const rotated = await api("post", `/webhooks/${made.body.id}/rotate-secret`);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(made.body.secret);

    expect((await api("delete", `/webhooks/${made.body.id}`)).status).toBe(204);
    expect((await api("get", `/webhooks/${made.body.id}`)).status).toBe(404);
    expect((await api("delete", `/webhooks/${made.body.id}`)).status).toBe(404);
  });

  it.each([
    [{ url: "ftp://example.com/x" }, /only http and https/],
    [{ url: "https://u:p@example.com/" }, /credentials/],
    [{ url: "https://example.com/", events: ["user.created", "user.exploded"] }, /unknown event types: user.exploded/],
    [{ url: "https://example.com/", events: ["*", "user.created"] }, /"\*" means every event type: send it alone/],
    [{ url: "https://example.com/", secret: "mine" }, /Validation failed/],
    [{}, /Validation failed/],
  ])("refuses %j with a 400", async (body, message) => {
    const res = await api("post", "/webhooks").send(body);
    expect(res.status).toBe(400);
    expect(res.body.message + JSON.stringify(res.body.validations ?? "")).toMatch(message);
    expect(await b.db.prisma.webhookEndpoint.count()).toBe(0);
  });

  it("tells downstream about every kind of change, signed, in order, filtered per endpoint", async () => {
    const all = await subscribe();
    const onlyUsers = await subscribe(["user.created", "user.deleted"]);
    const org = (await api("get", "/organizations/default")).body.id as string;
    await b.db.prisma.syncSetting.create({ data: { key: `${org}:group-sync-settings`, value: { field: "groups", mapping: null, regex_filter: null, auto_create_missing_groups: true } } });
    await b.db.prisma.syncSetting.create({ data: { key: `${org}:role-sync-settings`, value: { field: "groups", mapping: { Admins: ["organization-admin"] } } } });

    const u = (await scim("post", "/Users", { schemas: [USER], userName: "ev@corp.example" })).body.id as string;
    await scim("post", "/Groups", { schemas: [GROUP], displayName: "Admins", members: [{ value: u }] });
    const team = (await api("post", "/organizations/default/groups").send({ name: "team" })).body.id as string;
    await api("patch", `/groups/${team}`).send({ add_users: [u], display_name: "The Team" });
    await scim("patch", `/Users/${u}`, { schemas: [PATCH], Operations: [{ op: "replace", path: "active", value: false }] });
    await api("put", `/users/${u}/status/activate`);
    await scim("delete", `/Users/${u}`);
    await api("delete", `/groups/${team}`);
    await api("post", "/reconciliations").send({ kind: "resync" });

    const expected = [
      "user.created", "organization_member.added",
      // A group push changes the member's claims, not its user record: no user.updated.
      "group.created", "group_member.added", "member_roles.changed",
      "group.created",
      "group.updated", "group_member.added",
      "user.updated", "user.suspended",
      "user.reactivated",
      "user.deleted",
      "group.deleted",
      "reconciliation.completed",
    ];
    await deliverUntil(() => all.listener.events.length >= expected.length);
    expect(all.listener.events.map((e) => e.type)).toEqual(expected);
    expect(all.listener.events.every((e) => e.verified && e.status === 204)).toBe(true);
    expect(new Set(all.listener.events.map((e) => e.webhook_id)).size).toBe(expected.length);
    const byType = (t: string) => all.listener.events.filter((e) => e.type === t).map((e) => (e.payload as { data: Record<string, unknown> }).data);
    // The record as it is at the end of the change: already in the default organization it joined after.
    expect(byType("user.created")[0]).toMatchObject({ id: u, username: "ev", status: "active", login_type: "oidc", organization_ids: [org] });
    expect(byType("group_member.added")[0]).toMatchObject({ group_name: "Admins", organization_id: org, user_id: u, username: "ev", source: "sync", rule: "autoCreate", field: "groups", value: "Admins" });
    expect(byType("member_roles.changed")[0]).toMatchObject({ organization_id: org, user_id: u, roles: ["organization-admin"] });
    expect(byType("group_member.added")[1]).toMatchObject({ group_id: team, source: "manual" });
    expect(byType("group.updated")[0]).toMatchObject({ id: team, display_name: "The Team" });
    expect(byType("reconciliation.completed")[0]).toMatchObject({ kind: "resync", dry_run: true, status: "completed" });
    const payload = all.listener.events[0]!.payload as { type: string; timestamp: string };
    expect(payload.type).toBe("user.created");
    expect(Date.parse(payload.timestamp)).not.toBeNaN();

    await deliverUntil(() => onlyUsers.listener.events.length >= 2);
    expect(onlyUsers.listener.events.map((e) => e.type)).toEqual(["user.created", "user.deleted"]);
  });

  it("retries a failing delivery with backoff, then succeeds, keeping order", async () => {
    const { id, listener } = await subscribe(undefined, [500, 503, 204]);
    await scim("post", "/Users", { schemas: [USER], userName: "retry@corp.example" });
    await deliverUntil(() => listener.events.filter((e) => e.status === 204).length >= 2);
    expect(listener.events.map((e) => [e.type, e.status])).toEqual([
      ["user.created", 500],
      ["user.created", 503],
      ["user.created", 204],
      ["organization_member.added", 204],
    ]);
    const log = (await api("get", `/webhooks/${id}/deliveries`)).body;
    const first = log.deliveries.find((d: { event_type: string }) => d.event_type === "user.created");
    expect(first).toMatchObject({ status: "succeeded", attempts: 3 });
    expect(first.attempt_log.map((a: { status_code: number }) => a.status_code)).toEqual([500, 503, 204]);
    expect(first.attempt_log[0]).toMatchObject({ error: "HTTP 500", duration_ms: expect.any(Number) });
  });

  it("counts a redirect as a failure: a signed body is never replayed elsewhere", async () => {
    const { id, listener } = await subscribe(["user.created"], [302, 204]);
    await scim("post", "/Users", { schemas: [USER], userName: "redirected@corp.example" });
    await deliverUntil(() => listener.events.some((e) => e.status === 204));
    const first = (await api("get", `/webhooks/${id}/deliveries`)).body.deliveries[0];
    expect(first.attempt_log.map((a: { status_code: number; error: string | null }) => [a.status_code, a.error])).toEqual([[302, "HTTP 302"], [204, null]]);
  });

  it("marks a delivery failed after every retry, disables the endpoint, and resumes after it when re-enabled", async () => {
    const { id, listener } = await subscribe(["user.created"], [500]);
    await scim("post", "/Users", { schemas: [USER], userName: "doomed@corp.example" });
    await deliverUntil(async () => !(await api("get", `/webhooks/${id}`)).body.enabled);
    expect(listener.events).toHaveLength(4); // the first attempt and three retries
    const endpoint = (await api("get", `/webhooks/${id}`)).body;
    expect(endpoint.disabled_reason).toMatch(/failed 4 attempts \(last: HTTP 500\); re-enable the endpoint to resume after it/);
    expect((await api("get", `/webhooks/${id}/deliveries?status=failed`)).body.count).toBe(1);
    // Its health, the same in the list (one statement for every endpoint) as alone.
    const lastAttempt = (await api("get", `/webhooks/${id}/deliveries?status=failed`)).body.deliveries[0].attempt_log.at(-1);
    const health = { enabled: false, pending_deliveries: 0, failed_deliveries: 1, last_failure: { at: lastAttempt.at, status_code: 500, error: "HTTP 500" } };
    expect(endpoint).toMatchObject(health);
    const healthy = await subscribe();
    const listed = (await api("get", "/webhooks")).body.webhooks;
    expect(listed.find((w: { id: string }) => w.id === id)).toMatchObject(health);
    expect(listed.find((w: { id: string }) => w.id === healthy.id)).toMatchObject({ enabled: true, pending_deliveries: 0, failed_deliveries: 0, last_failure: null });

    // Disabled is paused: new events queue, and go out once it is enabled again.
    await scim("post", "/Users", { schemas: [USER], userName: "later@corp.example" });
    await b.bridge.dispatcher.tick();
    expect(listener.events).toHaveLength(4);
    expect((await api("get", `/webhooks/${id}`)).body.pending_deliveries).toBe(1);
    listener.setStatuses([204]);
    expect((await api("patch", `/webhooks/${id}`).send({ enabled: true })).body).toMatchObject({ enabled: true, disabled_reason: null });
    await deliverUntil(() => listener.events.some((e) => e.status === 204));
    expect((listener.events.at(-1)!.payload as { data: { username: string } }).data.username).toBe("later");
  });

  it("sends a delivery that failed for good again, with the same event id, one by one or all failed since a time", async () => {
    const { id, listener } = await subscribe(["user.created"], [500]);
    await scim("post", "/Users", { schemas: [USER], userName: "again@corp.example" });
    await deliverUntil(async () => !(await api("get", `/webhooks/${id}`)).body.enabled);
    const [failed] = (await api("get", `/webhooks/${id}/deliveries?status=failed`)).body.deliveries;
    expect(failed).toMatchObject({ status: "failed", attempts: 4 });
    const firstId = listener.events[0]!.webhook_id;

    // Only a failed delivery can be sent again; unknown ones are 404.
    expect((await api("post", `/webhooks/${id}/deliveries/00000000-0000-4000-8000-000000000000/redeliver`)).status).toBe(404);
    const again = await api("post", `/webhooks/${id}/deliveries/${failed.id}/redeliver`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: failed.id, status: "pending", attempts: 0, finished_at: null });
    expect(again.body.attempt_log).toHaveLength(4);
    const twice = await api("post", `/webhooks/${id}/deliveries/${failed.id}/redeliver`);
    expect(twice.status).toBe(409);
    expect(twice.body.message).toMatch(/is pending: only a failed delivery can be sent again/);

    // Queued while the endpoint is disabled; sent once it is enabled, signed with the same event id.
    listener.setStatuses([204]);
    await b.bridge.dispatcher.tick();
    expect(listener.events).toHaveLength(4);
    expect((await api("patch", `/webhooks/${id}`).send({ enabled: true })).status).toBe(200);
    await deliverUntil(() => listener.events.some((e) => e.status === 204));
    expect(listener.events.at(-1)).toMatchObject({ webhook_id: firstId, verified: true, status: 204 });
    const done = (await api("get", `/webhooks/${id}/deliveries`)).body.deliveries[0];
    expect(done).toMatchObject({ status: "succeeded", attempts: 1 });
    expect(done.attempt_log).toHaveLength(5);

    // All failed deliveries since a time: two more fail for good, then both go out again.
    listener.setStatuses([500]);
    const since = new Date().toISOString();
    await scim("post", "/Users", { schemas: [USER], userName: "again2@corp.example" });
    await deliverUntil(async () => !(await api("get", `/webhooks/${id}`)).body.enabled);
    expect((await api("patch", `/webhooks/${id}`).send({ enabled: true })).status).toBe(200);
    await scim("post", "/Users", { schemas: [USER], userName: "again3@corp.example" });
    await deliverUntil(async () => !(await api("get", `/webhooks/${id}`)).body.enabled);
    expect((await api("post", `/webhooks/${id}/redeliver`).send({})).status).toBe(400);
    const bulk = await api("post", `/webhooks/${id}/redeliver`).send({ since });
    expect(bulk.status).toBe(200);
    expect(bulk.body).toEqual({ redelivered: 2 });
    listener.setStatuses([204]);
    expect((await api("patch", `/webhooks/${id}`).send({ enabled: true })).status).toBe(200);
    await deliverUntil(async () => (await api("get", `/webhooks/${id}/deliveries?status=succeeded`)).body.count === 3);
    const audit = (await api("get", "/audit?action=webhook.redelivered")).body.audit_logs;
    expect(audit.map((a: { details: object }) => a.details)).toEqual([{ since, redelivered: 2 }, { delivery: failed.id, event_id: firstId }]);
  });

  it("answers 410 for a failed delivery whose event the retention period deleted", async () => {
    const { id } = await subscribe(["user.created"], [500]);
    await scim("post", "/Users", { schemas: [USER], userName: "expired@corp.example" });
    await deliverUntil(async () => !(await api("get", `/webhooks/${id}`)).body.enabled);
    const [failed] = (await api("get", `/webhooks/${id}/deliveries?status=failed`)).body.deliveries;
    // What the retention pass does to an event no delivery waits for.
    await b.db.prisma.$executeRawUnsafe(`DELETE FROM outbox_events WHERE id = $1::uuid`, failed.event_id);
    const res = await api("post", `/webhooks/${id}/deliveries/${failed.id}/redeliver`);
    expect(res.status).toBe(410);
    expect(res.body.message).toMatch(/event was deleted after WEBHOOK_RETENTION/);
    expect((await api("get", `/webhooks/${id}/deliveries`)).body.deliveries[0]).toMatchObject({ status: "failed" });
  });

  it("deletes finished deliveries and delivered events after the retention period, never a pending one", async () => {
    const { id, listener } = await subscribe(["user.created"]);
    await scim("post", "/Users", { schemas: [USER], userName: "old@corp.example" });
    await deliverUntil(() => listener.events.length === 1);
    listener.setStatuses([500]);
    await scim("post", "/Users", { schemas: [USER], userName: "waiting@corp.example" });
    // Both events (and the delivered one's delivery) are now older than the retention period.
    const old = new Date(Date.now() - 31 * 86_400_000);
    await b.db.prisma.outboxEvent.updateMany({ data: { createdAt: old } });
    await b.db.prisma.webhookDelivery.updateMany({ where: { status: "succeeded" }, data: { finishedAt: old } });
    const pruned = await b.bridge.dispatcher.prune();
    expect(pruned.deliveries).toBe(1);
    // Every event but the one still pending for the endpoint (the organization_member.added events were
    // never subscribed, so nobody waits for them).
    expect(await b.db.prisma.outboxEvent.count()).toBe(1);
    const left = await b.db.prisma.webhookDelivery.findMany({ where: { endpointId: id } });
    expect(left.map((d) => d.status)).toEqual(["pending"]);
  });

  it("refuses private targets unless allowed", async () => {
    await b.close();
    b = await startTestBridge(engine, { allowPrivateTargets: false });
    const res = await api("post", "/webhooks").send({ url: "http://127.0.0.1:9/hook" });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/refused: 127\.0\.0\.1 is loopback \(127\.0\.0\.0\/8\).*WEBHOOK_ALLOW_PRIVATE_TARGETS/);
  });

  if (engine === "postgres") {
    it("never delivers one event twice at once when two instances dispatch", async () => {
      const { listener } = await subscribe(["user.created"]);
      for (let i = 0; i < 40; i++) await scim("post", "/Users", { schemas: [USER], userName: `many${i}@corp.example` });
      const logger = createLogger({ level: "error", format: "json", silent: true });
      // A second instance: its own dispatcher on the same database, with the same key.
      const other = createDispatcher({ prisma: b.db.prisma, sql: b.db.sql, box: b.secretBox, logger, allowPrivateTargets: true, timeoutMs: 2000, retryScheduleMs: [50], pollIntervalMs: 10, retentionMs: 86_400_000 });
      const mine = b.bridge.dispatcher;
      let made = 0;
      for (let i = 0; i < 50 && listener.events.length < 40; i++) {
        made += (await Promise.all([mine.tick(), other.tick(), mine.tick(), other.tick()])).reduce((x, y) => x + y, 0);
      }
      expect(made).toBe(40);
      await deliverUntil(() => listener.events.length >= 40);
      const ids = listener.events.map((e) => e.webhook_id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(listener.events.map((e) => (e.payload as { data: { username: string } }).data.username)).toEqual(Array.from({ length: 40 }, (_, i) => `many${i}`));
    });
  }
});
