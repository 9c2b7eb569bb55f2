import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

/**
 * The database statements each SCIM request sends (Prisma's and the driver's, BEGIN and COMMIT
 * included), counted by the database layer's observer: IdPs send one request per user change, so a
 * request's cost is its round trips. Upper bounds from issue 15, at default sync settings; a change
 * that brings per-row or per-model queries back fails here.
 */

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

describe.each(testEngines())("round trips per SCIM request on %s", (engine) => {
  let b: TestBridge;
  let statements: string[] | undefined;
  const auth = () => `Bearer ${b.scimToken}`;

  /** The statements `send` made, after a first request has warmed the token's cache. */
  async function count(send: () => Promise<{ status: number }>, status: number): Promise<string[]> {
    statements = [];
    const res = await send();
    const seen = statements;
    statements = undefined;
    if (process.env.RT_DEBUG) console.log(seen.map((s) => s.replace(/\s+/g, " ").slice(0, 110)).join("\n"));
    expect(res.status).toBe(status);
    return seen;
  }

  beforeAll(async () => {
    b = await startTestBridge(engine, { observe: (text) => statements?.push(text) });
    // The token's first use (its lookup and last-use write) is not what these tests count.
    await request(b.app).get("/scim/v2/Users?count=1").set("Authorization", auth());
    // Its last-use write runs off the request path: let it land before counting.
    await b.tokens.flush();
  });
  afterAll(async () => {
    await b.close();
  });

  const create = (userName: string) => request(b.app).post("/scim/v2/Users").set("Authorization", auth()).send({ schemas: [USER], userName, emails: [{ value: userName, primary: true }] });

  it("POST /Users: one statement (its own transaction), after the sync gate's first read; the issue's bound is 5", async () => {
    const first = await count(() => create("rt-create-1@example.com"), 201);
    expect(first.length).toBeLessThanOrEqual(2);
    const seen = await count(() => create("rt-create-2@example.com"), 201);
    expect(seen).toHaveLength(1);
    // A name the IdP already used is refused by that same statement.
    const again = await count(() => create("RT-create-2@example.com"), 409);
    expect(again).toHaveLength(1);
  });

  it("POST /Users with every candidate handle taken: still far within the bound", async () => {
    for (let i = 0; i < 21; i++) await create(`crowd@d${i}.example`);
    const seen = await count(() => create("crowd@d21.example"), 201);
    expect(seen.length).toBeLessThanOrEqual(6);
    const handles = await b.db.sql.query<{ username: string }>(`SELECT username FROM users WHERE username LIKE 'crowd%' ORDER BY created_at`);
    expect(handles.map((h) => h.username)).toEqual(["crowd", ...Array.from({ length: 21 }, (_, i) => `crowd-${i + 2}`)]);
  });

  it("GET /Users?filter=userName eq: at most 2; GET /Users/{id}: 1", async () => {
    const id = ((await create("rt-read@example.com")).body as { id: string }).id;
    const filtered = await count(() => request(b.app).get(`/scim/v2/Users?filter=${encodeURIComponent('userName eq "rt-read@example.com"')}`).set("Authorization", auth()), 200);
    expect(filtered.length).toBeLessThanOrEqual(2);
    const byId = await count(() => request(b.app).get(`/scim/v2/Users/${id}`).set("Authorization", auth()), 200);
    expect(byId.length).toBeLessThanOrEqual(1);
  });

  it("PATCH /Users/{id} replacing one attribute: a read and one guarded write (bound 5); one that changes nothing writes nothing", async () => {
    const id = ((await create("rt-patch@example.com")).body as { id: string }).id;
    const patch = (value: unknown) =>
      request(b.app).patch(`/scim/v2/Users/${id}`).set("Authorization", auth()).send({ schemas: [PATCH], Operations: [{ op: "replace", path: "displayName", value }] });
    const seen = await count(() => patch("Patched"), 200);
    expect(seen).toHaveLength(2);
    const unchanged = await count(() => patch("Patched"), 200);
    expect(unchanged).toHaveLength(1);
  });

  it("concurrent PATCHes of one user each land once: the guarded write reads again when another came first", async () => {
    const id = ((await create("rt-race@example.com")).body as { id: string }).id;
    const patch = (path: string, value: string) =>
      request(b.app).patch(`/scim/v2/Users/${id}`).set("Authorization", auth()).send({ schemas: [PATCH], Operations: [{ op: "replace", path, value }] });
    const answers = await Promise.all([patch("displayName", "A"), patch("title", "T"), patch("nickName", "N"), patch("locale", "fr")]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const after = await request(b.app).get(`/scim/v2/Users/${id}`).set("Authorization", auth());
    expect(after.body).toMatchObject({ displayName: "A", title: "T", nickName: "N", locale: "fr", meta: { version: 'W/"5"' } });
    const audit = await b.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE user_id = $1::uuid AND action = 'user.patched'`, [id]);
    expect(audit[0]!.n).toBe(4);
  });

  it("a group member PATCH costs the same with 1 member or 50: at most 8", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 51; i++) ids.push(((await create(`rt-member-${i}@example.com`)).body as { id: string }).id);
    const group = await request(b.app).post("/scim/v2/Groups").set("Authorization", auth()).send({ schemas: [GROUP], displayName: "rt-group" });
    expect(group.status).toBe(201);
    const add = (members: string[]) =>
      request(b.app)
        .patch(`/scim/v2/Groups/${(group.body as { id: string }).id}`)
        .set("Authorization", auth())
        .send({ schemas: [PATCH], Operations: [{ op: "add", path: "members", value: members.map((value) => ({ value })) }] });
    const one = await count(() => add(ids.slice(0, 1)), 200);
    const fifty = await count(() => add(ids.slice(1)), 200);
    expect(one.length).toBeLessThanOrEqual(8);
    expect(fifty.length).toBe(one.length);
  });
});
