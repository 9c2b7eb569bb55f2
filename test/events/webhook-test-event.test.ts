import request from "supertest";
import { startListener, type Listener } from "../../src/harness/listener";
import { startTestBridge, type TestBridge } from "../support/app";
import { testEngines } from "../support/databases";
import { feedSettled } from "../support/feed";

/** `POST /api/v2/webhooks/{id}/test`: a `webhook.test` event for one endpoint, through the normal delivery path. */

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";

describe.each(testEngines())("webhook test events on %s", (engine) => {
  let b: TestBridge;
  const listeners: Listener[] = [];
  const api = (m: "get" | "post" | "patch", p: string) => request(b.app)[m](`/api/v2${p}`).set("Authorization", `Bearer ${b.adminToken}`);
  /** Runs dispatcher rounds until `done` holds. */
  const deliverUntil = async (done: () => boolean | Promise<boolean>) => {
    for (let i = 0; i < 200 && !(await done()); i++) {
      await b.bridge.dispatcher.tick();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await done()).toBe(true);
  };
  /** An endpoint with a listener on loopback that verifies signatures with its secret. */
  const subscribe = async (events?: string[]) => {
    const probe = await startListener({ port: 0, secret: "whsec_placeholder0000000000000000000000000000=" });
    await probe.close();
    const made = await api("post", "/webhooks").send({ url: probe.url, ...(events ? { events } : {}) });
    expect(made.status).toBe(201);
    const listener = await startListener({ port: Number(new URL(probe.url).port), secret: made.body.secret });
    listeners.push(listener);
    return { id: made.body.id as string, listener };
  };

  beforeEach(async () => {
    b = await startTestBridge(engine);
  });
  afterEach(async () => {
    await Promise.all(listeners.splice(0).map((l) => l.close()));
    await b.close();
  });

  it("sends a signed webhook.test to that endpoint only, whatever it subscribes to, listed in its deliveries with the attempt", async () => {
    const target = await subscribe(["user.deleted"]);
    const other = await subscribe();

    const sent = await api("post", `/webhooks/${target.id}/test`);
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({ id: expect.any(String), event_id: expect.any(String), event_type: "webhook.test", status: "pending", attempts: 0, attempt_log: [] });

    await deliverUntil(() => target.listener.events.length >= 1);
    const [got] = target.listener.events;
    expect(got).toMatchObject({ verified: true, status: 204, type: "webhook.test", webhook_id: sent.body.event_id });
    expect(got!.payload).toEqual({ type: "webhook.test", timestamp: expect.any(String), data: { webhook_id: target.id, message: expect.stringMatching(/test event/) } });

    const deliveries = (await api("get", `/webhooks/${target.id}/deliveries`)).body;
    expect(deliveries.count).toBe(1);
    expect(deliveries.deliveries[0]).toMatchObject({ id: sent.body.id, event_type: "webhook.test", status: "succeeded", attempts: 1 });
    expect(deliveries.deliveries[0].attempt_log).toEqual([expect.objectContaining({ attempt: 1, status_code: 204, error: null })]);
    await b.bridge.dispatcher.tick();
    expect(other.listener.events).toEqual([]);
    expect((await api("get", `/webhooks/${other.id}/deliveries`)).body.count).toBe(0);

    const audit = (await api("get", "/audit?action=webhook.tested")).body.audit_logs;
    expect(audit).toEqual([expect.objectContaining({ actor: "test-admin", resource_id: target.id, details: { delivery: sent.body.id, event_id: sent.body.event_id } })]);
  });

  it("goes out in order behind what the endpoint has pending", async () => {
    const { id, listener } = await subscribe();
    await request(b.app).post("/scim/v2/Users").set("Authorization", `Bearer ${b.scimToken}`).send({ schemas: [USER], userName: "first@corp.example" });
    expect((await api("post", `/webhooks/${id}/test`)).status).toBe(202);
    await deliverUntil(() => listener.events.length >= 3);
    expect(listener.events.map((e) => e.type)).toEqual(["user.created", "organization_member.added", "webhook.test"]);
  });

  it("is not a directory change: the events feed leaves it out and no endpoint can subscribe to it", async () => {
    const { id } = await subscribe();
    await request(b.app).post("/scim/v2/Users").set("Authorization", `Bearer ${b.scimToken}`).send({ schemas: [USER], userName: "feed@corp.example" });
    expect((await api("post", `/webhooks/${id}/test`)).status).toBe(202);
    await feedSettled(b.db);
    const feed = (await api("get", "/events?limit=100")).body;
    expect(feed.events.map((e: { type: string }) => e.type)).toEqual(["user.created", "organization_member.added"]);
    const filtered = await api("get", "/events?type=webhook.test");
    expect(filtered.status).toBe(400);
    expect(filtered.body.message).toMatch(/unknown event type "webhook.test"/);
    const sub = await api("post", "/webhooks").send({ url: "https://hooks.example.com/x", events: ["webhook.test"] });
    expect(sub.status).toBe(400);
    expect(sub.body.message).toMatch(/unknown event types: webhook.test/);
  });

  it("answers 404 for an unknown endpoint and 409 for a disabled one, queueing nothing", async () => {
    expect((await api("post", "/webhooks/00000000-0000-4000-8000-000000000000/test")).status).toBe(404);
    const notId = await api("post", "/webhooks/nope/test");
    expect([notId.status, notId.body]).toEqual([404, { message: "webhook nope not found" }]);
    const { id } = await subscribe();
    await api("patch", `/webhooks/${id}`).send({ enabled: false });
    const refused = await api("post", `/webhooks/${id}/test`);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/is disabled \(by an admin\): enable it \(PATCH enabled: true\) to send a test event/);
    expect(await b.db.prisma.webhookDelivery.count()).toBe(0);
    expect(await b.db.prisma.outboxEvent.count({ where: { type: "webhook.test" } })).toBe(0);
  });
});
