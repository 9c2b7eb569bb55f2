import request from "supertest";
import { createDispatcher } from "../../src/events/dispatcher";
import { newWebhookSecret } from "../../src/events/signing";
import { startListener, type Listener } from "../../src/harness/listener";
import { createLogger } from "../../src/log/logger";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

/**
 * The webhook address policy through the admin API and the dispatcher, with private targets not
 * allowed (the default): IPv6 forms that embed an internal IPv4 address are refused at save, and an
 * endpoint saved before the policy refused its target is disabled at its next delivery, with the reason.
 */

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";

describe.each(testEngines())("webhook target policy on %s", (engine) => {
  let b: TestBridge;
  const listeners: Listener[] = [];
  const api = (m: "get" | "post" | "patch", p: string) => request(b.app)[m](`/api/v2${p}`).set("Authorization", `Bearer ${b.adminToken}`);
  const provision = (userName: string) =>
    request(b.app).post("/scim/v2/Users").set("Authorization", `Bearer ${b.scimToken}`).send({ schemas: [USER], userName });
  /** An endpoint stored as an older bridge (or a looser policy) would have saved it. */
  const secret = newWebhookSecret();
  const savedEarlier = async (url: string) =>
    (await b.db.prisma.webhookEndpoint.create({ data: { url, events: ["user.created"], secretEncrypted: b.secretBox.seal(secret), createdBy: "test" } })).id;

  beforeEach(async () => {
    b = await startTestBridge(engine, { allowPrivateTargets: false });
  });
  afterEach(async () => {
    await Promise.all(listeners.splice(0).map((l) => l.close()));
    await b.close();
  });

  it.each([
    ["http://[::127.0.0.1]/hook", /refused: ::7f00:1 is a deprecated IPv4-compatible address \(::\/96\) embedding 127\.0\.0\.1, which is loopback \(127\.0\.0\.0\/8\)/],
    ["http://[64:ff9b::7f00:1]/hook", /refused: 64:ff9b::7f00:1 is NAT64 embedding 127\.0\.0\.1, which is loopback/],
    ["http://[2002:7f00:1::]/hook", /refused: 2002:7f00:1:: is 6to4 embedding 127\.0\.0\.1, which is loopback/],
    ["http://[::ffff:0:7f00:1]/hook", /refused: ::ffff:0:7f00:1 is SIIT IPv4-translated \(::ffff:0:0:0\/96\) embedding 127\.0\.0\.1, which is loopback/],
    ["http://[fec0::1]/hook", /refused: fec0::1 is deprecated site-local \(fec0::\/10\)/],
    ["http://2130706433/hook", /refused: 127\.0\.0\.1 is loopback/],
    ["http://0x7f.1/hook", /refused: 127\.0\.0\.1 is loopback/],
    ["http://[fe80::1%25eth0]/hook", /is not a URL/],
  ])("refuses %s at save, naming the range", async (url, reason) => {
    const created = await api("post", "/webhooks").send({ url });
    expect(created.status).toBe(400);
    expect(created.body.message).toMatch(reason);
    expect(await b.db.prisma.webhookEndpoint.count()).toBe(0);

    const existing = (await api("post", "/webhooks").send({ url: "https://8.8.8.8/bridge" })).body.id as string;
    const patched = await api("patch", `/webhooks/${existing}`).send({ url });
    expect(patched.status).toBe(400);
    expect(patched.body.message).toMatch(reason);
    expect((await api("get", `/webhooks/${existing}`)).body.url).toBe("https://8.8.8.8/bridge");
  });

  it("disables an endpoint saved earlier whose IP literal is now refused at its next delivery, and resumes it once fixed", async () => {
    const id = await savedEarlier("http://[64:ff9b::7f00:1]:9/hook");
    expect((await provision("nat64@corp.example")).status).toBe(201);
    await b.bridge.dispatcher.tick();

    const endpoint = (await api("get", `/webhooks/${id}`)).body;
    expect(endpoint).toMatchObject({ enabled: false, pending_deliveries: 1 });
    expect(endpoint.disabled_reason).toMatch(/^refused: 64:ff9b::7f00:1 is NAT64 embedding 127\.0\.0\.1, which is loopback \(127\.0\.0\.0\/8\); fix the URL/);
    // Not a failed delivery that waits for its retries: the delivery stays pending, with the attempt logged.
    const deliveries = (await api("get", `/webhooks/${id}/deliveries`)).body.deliveries;
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ status: "pending", attempts: 0 });
    expect(deliveries[0].attempt_log[0]).toMatchObject({ status_code: null, error: expect.stringMatching(/^refused: 64:ff9b::7f00:1 is NAT64/) });
    // A disabled endpoint is not tried again.
    expect(await b.bridge.dispatcher.tick()).toBe(0);

    // The URL is fixed (here directly: a loopback listener would be refused by this bridge's API) and
    // the endpoint enabled again through the API: the pending delivery goes out.
    const listener = await startListener({ port: 0, secret });
    listeners.push(listener);
    await b.db.prisma.webhookEndpoint.update({ where: { id }, data: { url: `${listener.url}` } });
    expect((await api("patch", `/webhooks/${id}`).send({ enabled: true })).body).toMatchObject({ enabled: true, disabled_reason: null });
    const permissive = createDispatcher({
      prisma: b.db.prisma, sql: b.db.sql, box: b.secretBox, logger: createLogger({ level: "error", format: "json", silent: true }),
      allowPrivateTargets: true, timeoutMs: 2000, retryScheduleMs: [50], pollIntervalMs: 10, retentionMs: 86_400_000,
    });
    for (let i = 0; i < 50 && listener.events.length === 0; i++) {
      await permissive.tick();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(listener.events.map((e) => [(e.payload as { data: { username: string } }).data.username, e.verified, e.status])).toEqual([["nat64", true, 204]]);
    expect((await api("get", `/webhooks/${id}`)).body).toMatchObject({ enabled: true, pending_deliveries: 0 });
  });

  it("disables an endpoint whose name resolves only to refused addresses at connection time", async () => {
    const id = await savedEarlier("http://localhost:9/hook");
    expect((await provision("rebind@corp.example")).status).toBe(201);
    await b.bridge.dispatcher.tick();
    const endpoint = (await api("get", `/webhooks/${id}`)).body;
    expect(endpoint).toMatchObject({ enabled: false, pending_deliveries: 1 });
    expect(endpoint.disabled_reason).toMatch(/^refused: localhost resolves to a non-public address: (127\.0\.0\.1|::1) is loopback/);
    expect(b.logs()).toMatch(/webhook endpoint disabled: its target is refused/);
    // Its health: the refused attempt is the last failure, with no HTTP status (nothing was sent).
    expect(endpoint.last_failure).toEqual({ at: expect.any(String), status_code: null, error: expect.stringMatching(/^refused: localhost resolves to a non-public address/) });
  });

  it("does not count a refused target against the delivery's retries", async () => {
    await b.close();
    b = await startTestBridge(engine, { allowPrivateTargets: false, retryScheduleMs: [60_000] });
    const id = await savedEarlier("http://[::127.0.0.1]:9/hook");
    expect((await provision("notcounted@corp.example")).status).toBe(201);
    await b.bridge.dispatcher.tick();
    expect((await api("get", `/webhooks/${id}`)).body).toMatchObject({ enabled: false, pending_deliveries: 1 });
    // Fixed to a public address that does not answer (TEST-NET is refused too, so: a closed port on a
    // global address would need the network; instead a name that does not resolve), and re-enabled.
    await b.db.prisma.webhookEndpoint.update({ where: { id }, data: { url: "http://no-such-host.invalid/hook" } });
    expect((await api("patch", `/webhooks/${id}`).send({ enabled: true })).status).toBe(200);
    await b.bridge.dispatcher.tick();
    // One retry is left (the schedule has one delay): the ordinary failure is retried, not the end.
    const [delivery] = (await api("get", `/webhooks/${id}/deliveries`)).body.deliveries;
    expect(delivery).toMatchObject({ status: "pending", attempts: 1 });
    expect(delivery.attempt_log.map((a: { error: string }) => a.error)).toEqual([expect.stringMatching(/^refused: /), expect.stringMatching(/ENOTFOUND|EAI_AGAIN/)]);
    expect((await api("get", `/webhooks/${id}`)).body).toMatchObject({ enabled: true });
  });

  it("keeps retrying an ordinary connection failure without disabling the endpoint", async () => {
    await b.close();
    b = await startTestBridge(engine, { allowPrivateTargets: true, retryScheduleMs: [60_000] });
    // Allowed here, and nothing listens on port 9: a refused connection, not a refused target.
    const id = await savedEarlier("http://127.0.0.1:9/hook");
    expect((await provision("closed@corp.example")).status).toBe(201);
    await b.bridge.dispatcher.tick();
    expect((await api("get", `/webhooks/${id}`)).body).toMatchObject({
      enabled: true,
      disabled_reason: null,
      pending_deliveries: 1,
      failed_deliveries: 0,
      // Failing while still enabled: what an admin sees long before the endpoint is disabled.
      last_failure: { at: expect.any(String), status_code: null, error: expect.any(String) },
    });
  });
});
