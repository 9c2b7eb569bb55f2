import request from "supertest";
import { startListener, type Listener } from "../../src/harness/listener";
import { encodeCursor, rebaseFeedAfterRestore } from "../../src/events/feed";
import { testEngines } from "../support/databases";
import { feedSettled } from "../support/feed";
import { startTestBridge, type TestBridge } from "../support/app";

/** `GET /api/v2/events`: the webhook payloads as a feed, and user records as they are at the end of each change. */

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

// Each test starts a bridge on a fresh database; on a busy machine that alone can take tens of seconds.
jest.setTimeout(120_000);

interface Ev {
  id: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

describe.each(testEngines())("events feed on %s", (engine) => {
  let b: TestBridge;
  const listeners: Listener[] = [];
  const api = async (p: string) => {
    if (p.startsWith("/events")) await feedSettled(b.db);
    return request(b.app).get(`/api/v2${p}`).set("Authorization", `Bearer ${b.adminToken}`);
  };
  const scim = (m: "post" | "patch", p: string, body: object) => request(b.app)[m](`/scim/v2${p}`).set("Authorization", `Bearer ${b.scimToken}`).send(body);
  const newUser = async (name: string, extra: object = {}) => {
    const res = await scim("post", "/Users", { schemas: [USER, ENT], userName: `${name}@corp.example`, ...extra });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  /** Every event from `after`, page by page; checks each page's shape. */
  const readAll = async (query: string, after?: string): Promise<{ events: Ev[]; cursor: string; pages: number }> => {
    const events: Ev[] = [];
    let cursor = after;
    for (let pages = 1; ; pages++) {
      const res = await api(`/events?${query}${cursor ? `&after=${encodeURIComponent(cursor)}` : ""}`);
      expect(res.status).toBe(200);
      events.push(...(res.body.events as Ev[]));
      cursor = res.body.next_cursor as string;
      if (!res.body.has_more) return { events, cursor, pages };
    }
  };

  beforeEach(async () => {
    b = await startTestBridge(engine);
  });
  afterEach(async () => {
    await Promise.all(listeners.splice(0).map((l) => l.close()));
    await b.close();
  });

  it("serves exactly what webhook receivers get, with their event ids, page by page", async () => {
    const probe = await startListener({ port: 0, secret: "whsec_placeholder0000000000000000000000000000=" });
    await probe.close();
    const made = await request(b.app).post("/api/v2/webhooks").set("Authorization", `Bearer ${b.adminToken}`).send({ url: probe.url });
    const listener = await startListener({ port: Number(new URL(probe.url).port), secret: made.body.secret });
    listeners.push(listener);
    for (const n of [1, 2, 3]) await newUser(`page${n}`);

    const { events, pages } = await readAll("limit=2");
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(events.map((e) => e.type)).toEqual(["user.created", "organization_member.added", "user.created", "organization_member.added", "user.created", "organization_member.added"]);
    for (let i = 0; i < 200 && listener.events.length < 6; i++) {
      await b.bridge.dispatcher.tick();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(events).toEqual(listener.events.map((e) => ({ id: e.webhook_id, ...(e.payload as object) })));

    // A cursor goes on from where it was; `end` skips what is there.
    const head = await api("/events?limit=3");
    const rest = await readAll("limit=100", head.body.next_cursor);
    expect([...head.body.events, ...rest.events]).toEqual(events);
    const end = await api("/events?after=end");
    expect(end.body).toEqual({ events: [], next_cursor: expect.any(String), has_more: false });
    expect((await api(`/events?after=${end.body.next_cursor}`)).body.events).toEqual([]);
    await newUser("later");
    expect((await api(`/events?after=${end.body.next_cursor}`)).body.events.map((e: Ev) => [e.type, e.data.username])).toEqual([["user.created", "later"], ["organization_member.added", "later"]]);
    // The cursor at the end of a page is stable: the same read again gives nothing new.
    const again = await readAll("limit=100", rest.cursor);
    expect(again.events.map((e) => e.data.username)).toEqual(["later", "later"]);
  });

  it("filters by type, and the cursor moves past what the filter leaves out", async () => {
    for (const n of [1, 2]) await newUser(`filter${n}`);
    const page = await api("/events?type=organization_member.added&limit=100");
    expect(page.body.events.map((e: Ev) => e.type)).toEqual(["organization_member.added", "organization_member.added"]);
    expect(page.body.has_more).toBe(false);
    const users = await api("/events?type=user.created,user.deleted&type=reconciliation.completed");
    expect(users.body.events.map((e: Ev) => e.data.username)).toEqual(["filter1", "filter2"]);
    // A filter that matches nothing still brings the cursor to the end: nothing is scanned twice.
    const none = await api("/events?type=group.deleted");
    expect(none.body.events).toEqual([]);
    expect(none.body.next_cursor).toBe((await api("/events?after=end")).body.next_cursor);
  });

  it.each([
    ["type=user.exploded", /unknown event type "user.exploded"/],
    ["type=user.created,nope", /unknown event type "nope"/],
    ["limit=0", /limit/],
    ["limit=1001", /limit/],
    ["limit=ten", /limit/],
    ["after=12345", /not an events cursor/],
    [`after=ev1.${Buffer.from("1.x").toString("base64url")}`, /not an events cursor/],
  ])("answers %s with a 400", async (query, message) => {
    const res = await api(`/events?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.message + JSON.stringify(res.body.validations ?? "")).toMatch(message);
  });

  it("answers 410 for a cursor older than WEBHOOK_RETENTION kept, and start still works", async () => {
    await newUser("old1");
    const first = await api("/events?limit=1");
    await newUser("old2");
    await b.db.prisma.$executeRawUnsafe(`UPDATE outbox_events SET created_at = now() - interval '400 days'`);
    await newUser("new");
    expect((await b.bridge.dispatcher.prune()).events).toBe(4);
    const res = await api(`/events?after=${first.body.next_cursor}`);
    expect(res.status).toBe(410);
    expect(res.body.message).toMatch(/deleted after WEBHOOK_RETENTION/);
    const fromStart = await api("/events");
    expect(fromStart.body.events.map((e: Ev) => e.data.username)).toEqual(["new", "new"]);
    // A cursor at or after what was deleted is fine.
    expect((await api(`/events?after=${fromStart.body.next_cursor}`)).status).toBe(200);
    expect((await api(`/events?limit=1&after=${(await api("/events?limit=1")).body.next_cursor}`)).body.events.map((e: Ev) => e.type)).toEqual(["organization_member.added"]);
  });

  it("after a restore into another server (events ahead of its transaction ids), moves them to the end at start and refuses old cursors", async () => {
    await newUser("before1");
    await newUser("before2");
    const all = (await readAll("")).events.map((e) => e.id);
    // As a dump restored into a server whose transaction ids are far behind the old one's.
    const ahead = "9000000000";
    await b.db.prisma.$executeRawUnsafe(`UPDATE outbox_events SET tx_id = '${ahead}'::xid8`);
    const oldCursor = encodeCursor({ tx: ahead, seq: "1" });
    expect((await readAll("")).events).toEqual([]);
    expect(await rebaseFeedAfterRestore(b.db.sql)).toBe(all.length);
    expect(await rebaseFeedAfterRestore(b.db.sql)).toBe(0);
    await newUser("after");
    const read = await readAll("");
    expect(read.events.map((e) => e.id).slice(0, all.length)).toEqual(all);
    expect(read.events.slice(all.length).map((e) => e.data.username)).toEqual(["after", "after"]);
    const res = await api(`/events?after=${oldCursor}`);
    expect(res.status).toBe(410);
    expect(res.body.message).toMatch(/restored/);
  });

  it("shows user records as they are at the end of the change, after their memberships in order", async () => {
    const defaultOrg = (await request(b.app).get("/api/v2/organizations/default").set("Authorization", `Bearer ${b.adminToken}`)).body.id as string;
    const acme = (await request(b.app).post("/api/v2/organizations").set("Authorization", `Bearer ${b.adminToken}`).send({ name: "acme" })).body.id as string;
    await b.db.prisma.syncSetting.create({ data: { key: "organization-sync-settings", value: { field: "department", mapping: { Sales: [acme] }, organization_assign_default: true } } });

    const u = await newUser("truth", { [ENT]: { department: "Sales" } });
    const created = (await readAll("limit=100")).events;
    expect(created.map((e) => e.type)).toEqual(["user.created", "organization_member.added", "organization_member.added"]);
    expect(created[0]!.data.organization_ids).toEqual([acme, defaultOrg].sort());

    const mark = (await api("/events?after=end")).body.next_cursor as string;
    await scim("patch", `/Users/${u}`, { schemas: [PATCH], Operations: [{ op: "replace", path: `${ENT}:department`, value: "Research" }] });
    const moved = (await readAll("limit=100", mark)).events;
    expect(moved.map((e) => e.type)).toEqual(["user.updated", "organization_member.removed"]);
    expect(moved[0]!.data.organization_ids).toEqual([defaultOrg]);

    // A write that changes no membership leaves the record as emitted (it is already the final one).
    const mark2 = (await api("/events?after=end")).body.next_cursor as string;
    await scim("patch", `/Users/${u}`, { schemas: [PATCH], Operations: [{ op: "replace", path: "active", value: false }] });
    const suspended = (await readAll("limit=100", mark2)).events;
    expect(suspended.map((e) => [e.type, e.data.status, e.data.organization_ids])).toEqual([["user.updated", "suspended", [defaultOrg]], ["user.suspended", "suspended", [defaultOrg]]]);
  });
});
