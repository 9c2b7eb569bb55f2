import { createHash } from "node:crypto";
import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

interface AuditLog {
  id: string;
  actor: string;
  action: string;
  resource_type: string;
  resource_id: string | null;
  details: Record<string, unknown>;
}

/** How the audit log fingerprints a webhook URL: the first 16 hex digits of its sha256. */
const fp = (url: string) => createHash("sha256").update(url).digest("hex").slice(0, 16);
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

describe.each(testEngines())("administration is audited on %s", (engine) => {
  let b: TestBridge;
  const api = (m: "get" | "post" | "patch" | "delete", p: string) => request(b.app)[m](`/api/v2${p}`).set("Authorization", `Bearer ${b.adminToken}`);
  /** The audit rows of one action prefix, oldest first, as `GET /api/v2/audit` shows them. */
  const audit = async (action: string): Promise<AuditLog[]> => {
    const res = await api("get", `/audit?action=${encodeURIComponent(action)}&limit=1000`);
    expect(res.status).toBe(200);
    return (res.body.audit_logs as AuditLog[]).reverse();
  };
  /** Audit rows written since `before` (by id), oldest first. */
  const since = async (before: Set<string>) => (await audit("")).filter((a) => !before.has(a.id));
  const ids = async () => new Set((await audit("")).map((a) => a.id));

  beforeEach(async () => {
    b = await startTestBridge(engine);
  }, 120_000);
  afterEach(async () => {
    await b.close();
  });

  it("writes one token.created row naming the admin token, and one token.revoked row per revocation that changes something", async () => {
    let before = await ids();
    const made = await api("post", "/tokens").send({ name: "entra", scope: "scim" });
    expect(made.status).toBe(201);
    expect(await since(before)).toEqual([
      expect.objectContaining({ actor: "test-admin", action: "token.created", resource_type: "token", resource_id: made.body.id, details: { name: "entra", scope: "scim", origin: "api" } }),
    ]);

    before = await ids();
    expect((await api("post", "/tokens").send({ name: "entra", scope: "scim" })).status).toBe(409);
    expect((await api("post", "/tokens").send({ name: "env:x", scope: "scim" })).status).toBe(400);
    expect(await since(before)).toEqual([]);

    expect((await api("delete", "/tokens/entra")).status).toBe(204);
    expect(await since(before)).toEqual([
      expect.objectContaining({ actor: "test-admin", action: "token.revoked", resource_type: "token", resource_id: made.body.id, details: { name: "entra", scope: "scim", origin: "api" } }),
    ]);
    before = await ids();
    expect((await api("delete", `/tokens/${made.body.id}`)).status).toBe(204);
    expect((await api("delete", "/tokens/nope")).status).toBe(404);
    expect(await since(before)).toEqual([]);
  });

  it("writes one row per webhook change: created, updated with what changed, secret rotated, deleted", async () => {
    let before = await ids();
    const made = await api("post", "/webhooks").send({ url: "https://hooks.example.com/a", events: ["user.created"], description: "crm" });
    expect(made.status).toBe(201);
    const id = made.body.id as string;
    expect(await since(before)).toEqual([
      expect.objectContaining({
        actor: "test-admin", action: "webhook.created", resource_type: "webhook", resource_id: id,
        details: { url: "https://hooks.example.com/…", url_sha256: fp("https://hooks.example.com/a"), events: ["user.created"], description: "crm", enabled: true },
      }),
    ]);

    before = await ids();
    expect((await api("patch", `/webhooks/${id}`).send({ description: "crm v2", enabled: false })).status).toBe(200);
    expect(await since(before)).toEqual([
      expect.objectContaining({
        actor: "test-admin", action: "webhook.updated", resource_type: "webhook", resource_id: id,
        details: { changed: ["description", "enabled"], before: { description: "crm", enabled: true }, after: { description: "crm v2", enabled: false } },
      }),
    ]);

    before = await ids();
    expect((await api("patch", `/webhooks/${id}`).send({ description: "crm v2", enabled: false })).status).toBe(200);
    expect((await api("patch", `/webhooks/${id}`).send({ url: "ftp://x.example" })).status).toBe(400);
    expect((await api("patch", `/webhooks/${id}`).send({ events: ["no.such"] })).status).toBe(400);
    expect(await since(before)).toEqual([]);

    expect((await api("patch", `/webhooks/${id}`).send({ url: "https://hooks.example.com/b", events: ["user.created", "user.deleted"], enabled: true })).status).toBe(200);
    expect(await since(before)).toEqual([
      expect.objectContaining({
        action: "webhook.updated", resource_id: id,
        details: {
          changed: ["url", "events", "enabled"],
          before: { url: "https://hooks.example.com/…", url_sha256: fp("https://hooks.example.com/a"), events: ["user.created"], enabled: false },
          after: { url: "https://hooks.example.com/…", url_sha256: fp("https://hooks.example.com/b"), events: ["user.created", "user.deleted"], enabled: true },
        },
      }),
    ]);

    before = await ids();
    expect((await api("post", `/webhooks/${id}/rotate-secret`)).status).toBe(200);
    expect(await since(before)).toEqual([expect.objectContaining({ actor: "test-admin", action: "webhook.secret_rotated", resource_type: "webhook", resource_id: id, details: {} })]);

    before = await ids();
    expect((await api("delete", `/webhooks/${id}`)).status).toBe(204);
    expect((await api("delete", `/webhooks/${id}`)).status).toBe(404);
    expect((await api("post", `/webhooks/${id}/rotate-secret`)).status).toBe(404);
    expect(await since(before)).toEqual([
      expect.objectContaining({
        actor: "test-admin", action: "webhook.deleted", resource_type: "webhook", resource_id: id,
        details: { url: "https://hooks.example.com/…", url_sha256: fp("https://hooks.example.com/b"), events: ["user.created", "user.deleted"], description: "crm v2", enabled: true, pending_deliveries: 0 },
      }),
    ]);

    before = await ids();
    expect((await api("post", "/webhooks").send({ url: "ftp://x.example" })).status).toBe(400);
    expect(await since(before)).toEqual([]);
  });

  it("never writes a token, its hash, a webhook secret or its sealed form into the audit log or the logs", async () => {
    const token = (await api("post", "/tokens").send({ name: "okta", scope: "scim" })).body.token as string;
    await api("delete", "/tokens/okta");
    // Receivers often put their own secret in the URL (Slack's /services/T…/B…/<token>, `?token=`): only the origin is audited.
    const made = await api("post", "/webhooks").send({ url: "https://hooks.example.com/services/T0/B0/url-secret-0123456789abcdef?token=query-secret-0123456789abcdef", description: "secret-free" });
    const sealed = [(await b.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: made.body.id } })).secretEncrypted];
    const rotated = (await api("post", `/webhooks/${made.body.id}/rotate-secret`)).body.secret as string;
    sealed.push((await b.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: made.body.id } })).secretEncrypted);
    await api("patch", `/webhooks/${made.body.id}`).send({ enabled: false });
    await api("delete", `/webhooks/${made.body.id}`);

    const secrets = [token, b.adminToken, b.scimToken].flatMap((t) => [t, sha256(t)]);
    for (const s of [made.body.secret as string, rotated]) secrets.push(s, s.slice("whsec_".length));
    secrets.push("url-secret-0123456789abcdef", "query-secret-0123456789abcdef");
    secrets.push(...sealed);
    expect(secrets.every((s) => typeof s === "string" && s.length >= 20)).toBe(true);

    const rows = await b.db.prisma.auditEvent.findMany();
    // The test bridge's own two tokens, okta's creation and revocation, and four webhook changes.
    expect(rows.filter((r) => r.action.startsWith("token.") || r.action.startsWith("webhook."))).toHaveLength(8);
    const everything = JSON.stringify(rows) + JSON.stringify((await api("get", "/audit?limit=1000")).body) + b.logs();
    for (const s of secrets) expect(everything.includes(s)).toBe(false);
  });
});
