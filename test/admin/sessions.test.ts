import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

/**
 * Browser sign-in sessions (issue 18): cookie attributes, CSRF refusal, lifetimes, revocation and
 * sign-out, as a browser client sees them. The session clock is injected: lifetimes are tested by
 * moving it, never by sleeping.
 */

const MINUTE = 60_000;

function cookieOf(res: request.Response): string {
  const raw = res.headers["set-cookie"] as unknown as string[] | undefined;
  const line = (raw ?? []).find((c) => c.startsWith("scim_bridge_session="));
  if (!line) throw new Error(`no session cookie in ${JSON.stringify(raw)}`);
  return line;
}

describe.each(testEngines())("admin API sessions on %s", (engine) => {
  let b: TestBridge;
  let clock = Date.parse("2026-12-03T10:00:00Z");
  const statements: string[] = [];
  let counting = false;

  beforeAll(async () => {
    b = await startTestBridge(engine, {
      trustProxy: ["loopback"],
      sessions: { now: () => new Date(clock), maxAgeMs: 120 * MINUTE, idleTimeoutMs: 30 * MINUTE, cacheTtlMs: 10_000 },
      observe: (text) => {
        if (counting) statements.push(text);
      },
    });
  });
  afterAll(async () => {
    await b.close();
  });

  async function signIn(headers: Record<string, string> = {}): Promise<{ cookie: string; csrf: string; res: request.Response }> {
    let req = request(b.app).post("/api/v2/sessions");
    for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
    const res = await req.send({ token: b.adminToken });
    expect(res.status).toBe(201);
    const line = cookieOf(res);
    return { cookie: line.split(";")[0]!, csrf: (res.body as { csrf_token: string }).csrf_token, res };
  }

  it("signs in with an admin token: an HttpOnly, SameSite=Strict cookie, Secure only over HTTPS", async () => {
    const { res } = await signIn();
    const line = cookieOf(res);
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/; SameSite=Strict/);
    expect(line).toMatch(/; Path=\//);
    expect(line).not.toMatch(/; Secure/);
    expect(line).not.toMatch(/Domain=/);
    expect(res.body).toEqual({
      token_name: "test-admin",
      expires_at: new Date(clock + 120 * MINUTE).toISOString(),
      idle_expires_at: new Date(clock + 30 * MINUTE).toISOString(),
      csrf_token: expect.any(String),
    });
    // Behind a trusted proxy that terminated TLS.
    const secure = await signIn({ "X-Forwarded-Proto": "https" });
    expect(cookieOf(secure.res)).toMatch(/; Secure/);
  });

  it("refuses a scim token, an unknown token and no token: 401, no cookie", async () => {
    for (const token of [b.scimToken, "sb_admin_nope", ""]) {
      const res = await request(b.app).post("/api/v2/sessions").send({ token });
      expect(res.status).toBe(token === "" ? 400 : 401);
      expect(typeof (res.body as { message: unknown }).message).toBe("string");
      expect(res.headers["set-cookie"]).toBeUndefined();
    }
  });

  it("stores only a hash of the session secret", async () => {
    const { cookie } = await signIn();
    const secret = cookie.split("=")[1]!;
    const rows = await b.db.sql.query<{ secret_hash: string }>("SELECT secret_hash FROM admin_sessions");
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(secret);
    const audit = await b.db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_events WHERE action = 'session.created' AND actor = 'test-admin'");
    expect(audit[0]!.n).toBeGreaterThan(0);
  });

  it("reads with the cookie; state changes need the CSRF header and the same origin", async () => {
    const { cookie, csrf } = await signIn();
    const me = await request(b.app).get("/api/v2/sessions/current").set("Cookie", cookie);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ token_name: "test-admin", via: "session", session: { csrf_token: csrf } });
    expect((await request(b.app).get("/api/v2/tokens").set("Cookie", cookie)).status).toBe(200);

    const post = (headers: Record<string, string>) => {
      let req = request(b.app).post("/api/v2/tokens").set("Cookie", cookie);
      for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
      return req.send({ name: `web-${Object.keys(headers).length}-${Math.random().toString(36).slice(2, 8)}`, scope: "scim" });
    };
    const missing = await post({});
    expect(missing.status).toBe(403);
    expect((missing.body as { message: string }).message).toMatch(/X-CSRF-Token/);
    expect((await post({ "X-CSRF-Token": "wrong" })).status).toBe(403);
    const crossOrigin = await post({ "X-CSRF-Token": csrf, Origin: "https://evil.example" });
    expect(crossOrigin.status).toBe(403);
    expect((crossOrigin.body as { message: string }).message).toMatch(/cross-origin/);
    expect((await post({ "X-CSRF-Token": csrf, "Sec-Fetch-Site": "cross-site" })).status).toBe(403);
    const made = await post({ "X-CSRF-Token": csrf, "Sec-Fetch-Site": "same-origin" });
    expect(made.status).toBe(201);

    const name = (made.body as { name: string }).name;
    expect((await request(b.app).delete(`/api/v2/tokens/${name}`).set("Cookie", cookie)).status).toBe(403);
    expect((await request(b.app).delete(`/api/v2/tokens/${name}`).set("Cookie", cookie).set("X-CSRF-Token", csrf)).status).toBe(204);
    const audit = await b.db.sql.query<{ actor: string }>("SELECT actor FROM audit_events WHERE action = 'token.created' AND details->>'name' = $1", [name]);
    expect(audit).toEqual([{ actor: "test-admin" }]);
  });

  it("bearer requests need no CSRF header; the SCIM API never accepts the cookie", async () => {
    const { cookie } = await signIn();
    expect((await request(b.app).post("/api/v2/tokens").set("Authorization", `Bearer ${b.adminToken}`).send({ name: "bearer-made", scope: "scim" })).status).toBe(201);
    expect((await request(b.app).get("/scim/v2/Users").set("Cookie", cookie)).status).toBe(401);
  });

  it("ends after the idle timeout and at the maximum age", async () => {
    const { cookie } = await signIn();
    const get = () => request(b.app).get("/api/v2/sessions/current").set("Cookie", cookie);
    const start = clock;
    // Used every 25 minutes, it lives until its maximum age.
    for (const at of [25, 50, 75, 100]) {
      clock = start + at * MINUTE;
      expect((await get()).status).toBe(200);
    }
    clock = start + 120 * MINUTE;
    expect((await get()).status).toBe(401);

    const idle = await signIn();
    clock += 31 * MINUTE;
    const res = await request(b.app).get("/api/v2/sessions/current").set("Cookie", idle.cookie);
    expect(res.status).toBe(401);
    expect((res.body as { message: string }).message).toMatch(/sign in again/);
    // The dead cookie is cleared.
    expect(cookieOf(res)).toMatch(/scim_bridge_session=;.*Expires=Thu, 01 Jan 1970/);
  });

  it("background requests (X-Background: 1) authenticate but do not keep the session alive", async () => {
    const polled = await signIn();
    const used = await signIn();
    const start = clock;
    const get = (cookie: string, background: boolean) => {
      const req = request(b.app).get("/api/v2/sessions/current").set("Cookie", cookie);
      return background ? req.set("X-Background", "1") : req;
    };
    // A page left open polls every 10 minutes: each poll is answered, and none moves the idle deadline.
    // (Each step is longer than the cache lifetime: the session is read back from the database, so a
    // last use recorded there would show.)
    for (const at of [10, 20, 29]) {
      clock = start + at * MINUTE;
      const res = await get(polled.cookie, true);
      expect(res.status).toBe(200);
      expect((res.body as { session: { idle_expires_at: string } }).session.idle_expires_at).toBe(new Date(start + 30 * MINUTE).toISOString());
      // The same polling on a session someone used at minute 20 (below) is answered too.
      expect((await get(used.cookie, true)).status).toBe(200);
      if (at === 20) expect((await get(used.cookie, false)).status).toBe(200);
    }
    clock = start + 31 * MINUTE;
    const ended = await get(polled.cookie, true);
    expect(ended.status).toBe(401);
    expect((ended.body as { message: string }).message).toMatch(/sign in again/);
    // The foreground request at minute 20 keeps the other one alive until minute 50, polls or not.
    const alive = await get(used.cookie, true);
    expect(alive.status).toBe(200);
    expect((alive.body as { session: { idle_expires_at: string } }).session.idle_expires_at).toBe(new Date(start + 50 * MINUTE).toISOString());
    clock = start + 49 * MINUTE;
    expect((await get(used.cookie, true)).status).toBe(200);
    clock = start + 51 * MINUTE;
    expect((await get(used.cookie, true)).status).toBe(401);
  });

  it("a cookie request in the steady state costs no SQL", async () => {
    const { cookie } = await signIn();
    expect((await request(b.app).get("/api/v2/sessions/current").set("Cookie", cookie)).status).toBe(200);
    statements.length = 0;
    counting = true;
    const res = await request(b.app).get("/api/v2/sessions/current").set("Cookie", cookie);
    counting = false;
    expect(res.status).toBe(200);
    expect(statements).toEqual([]);
  });

  it("ends when its token is revoked, within the cache lifetime, and audits it", async () => {
    const made = await request(b.app).post("/api/v2/tokens").set("Authorization", `Bearer ${b.adminToken}`).send({ name: "web-admin", scope: "admin" });
    expect(made.status).toBe(201);
    const signed = await request(b.app).post("/api/v2/sessions").send({ token: (made.body as { token: string }).token });
    const cookie = cookieOf(signed).split(";")[0]!;
    expect((await request(b.app).get("/api/v2/sessions/current").set("Cookie", cookie)).status).toBe(200);
    expect((await request(b.app).delete("/api/v2/tokens/web-admin").set("Authorization", `Bearer ${b.adminToken}`)).status).toBe(204);
    clock += 11_000;
    expect((await request(b.app).get("/api/v2/sessions/current").set("Cookie", cookie)).status).toBe(401);
    const audit = await b.db.sql.query<{ actor: string; reason: string }>("SELECT actor, details->>'reason' AS reason FROM audit_events WHERE action = 'session.ended' AND actor = 'web-admin'");
    expect(audit).toEqual([{ actor: "web-admin", reason: "token_revoked" }]);
  });

  it("signs out: the cookie is cleared and the session refused", async () => {
    const { cookie, csrf } = await signIn();
    expect((await request(b.app).delete("/api/v2/sessions/current").set("Cookie", cookie)).status).toBe(403);
    const out = await request(b.app).delete("/api/v2/sessions/current").set("Cookie", cookie).set("X-CSRF-Token", csrf);
    expect(out.status).toBe(204);
    expect(cookieOf(out)).toMatch(/scim_bridge_session=;.*Expires=Thu, 01 Jan 1970/);
    expect((await request(b.app).get("/api/v2/sessions/current").set("Cookie", cookie)).status).toBe(401);
    const ended = await b.db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_events WHERE action = 'session.ended' AND details->>'reason' = 'signed_out'");
    expect(ended[0]!.n).toBe(1);
  });
});
