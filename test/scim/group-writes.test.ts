import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

/**
 * SCIM group writes take the driver's few statements when IdP sync maps no claim field, and Prisma's
 * general path otherwise (src/directory/groups/group-service.ts). Both must answer and write the same:
 * the same scenario runs on each path, side by side in one database, and the transcripts (responses,
 * members' `groups` claims, audit rows, outbox events) must be equal.
 */

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const UNKNOWN = "30000000-0000-4000-8000-00000000abcd";
/** A group sync setting of an organization that does not exist: the gate sees a mapped field, sync itself has nothing to do. */
const GHOST_SETTING = "40000000-0000-4000-8000-000000000000:group-sync-settings";

describe.each(testEngines())("SCIM group writes, fast and general path, on %s", (engine) => {
  let b: TestBridge;
  let statements: string[] | undefined;
  const auth = () => ["Authorization", `Bearer ${b.scimToken}`] as const;
  beforeAll(async () => {
    b = await startTestBridge(engine, { observe: (text) => statements?.push(text) });
  });
  afterAll(async () => {
    await b.close();
  });

  const patch = (id: string, ops: object[], ifMatch?: string) => {
    const r = request(b.app).patch(`/scim/v2/Groups/${id}`).set(...auth());
    return (ifMatch ? r.set("If-Match", ifMatch) : r).send({ schemas: [PATCH], Operations: ops });
  };
  const members = (ids: string[]) => ids.map((value) => ({ value }));
  const setGeneralPath = async (on: boolean) => {
    if (on) await b.db.prisma.syncSetting.create({ data: { key: GHOST_SETTING, value: { field: "groups", mapping: null, regex_filter: null, auto_create_missing_groups: false } } });
    else await b.db.prisma.syncSetting.deleteMany({ where: { key: GHOST_SETTING } });
  };

  /** The statements a request sent, the token check left out (it is cached elsewhere). */
  async function counted<T>(send: () => Promise<T>): Promise<{ res: T; n: number }> {
    statements = [];
    const res = await send();
    const n = statements.filter((s) => !/\bapi_tokens\b/.test(s)).length;
    statements = undefined;
    return { res, n };
  }

  /** Runs the scenario with names prefixed `p`; returns what a client and the database show, ids and times replaced. */
  async function scenario(p: string): Promise<{ transcript: unknown; statements: Record<string, number> }> {
    const started = new Date(Date.now() - 1000);
    const u: string[] = [];
    for (let i = 0; i < 4; i++) {
      u.push(((await request(b.app).post("/scim/v2/Users").set(...auth()).send({ schemas: [USER], userName: `${p}-u${i}@eq.example` })).body as { id: string }).id);
    }
    const outboxBefore = await b.db.prisma.outboxEvent.count();
    const steps: unknown[] = [];
    const n: Record<string, number> = {};
    const step = async (name: string, send: () => request.Test) => {
      const { res, n: count } = await counted(() => send().then((r) => r));
      n[name] = count;
      const body = res.body as { meta?: Record<string, unknown> };
      if (body.meta) body.meta = { ...body.meta, created: "<t>", lastModified: "<t>" };
      steps.push([name, res.status, body, res.headers.etag ?? null, res.headers.location ?? null]);
      return res;
    };
    const alpha = (await step("post", () => request(b.app).post("/scim/v2/Groups").set(...auth()).send({ schemas: [GROUP], displayName: `${p}-Alpha`, externalId: "x1", members: members([u[0]!, u[1]!]) }))).body.id as string;
    const zeta = (await step("post-2", () => request(b.app).post("/scim/v2/Groups").set(...auth()).send({ schemas: [GROUP], displayName: `${p}-Zeta`, members: members([u[0]!]) }))).body.id as string;
    await step("post-unknown", () => request(b.app).post("/scim/v2/Groups").set(...auth()).send({ schemas: [GROUP], displayName: `${p}-New`, members: members([u[2]!, UNKNOWN]) }));
    await step("post-taken-and-unknown", () => request(b.app).post("/scim/v2/Groups").set(...auth()).send({ schemas: [GROUP], displayName: `${p}-Zeta`, members: members([UNKNOWN]) }));
    await step("post-taken-and-not-uuid", () => request(b.app).post("/scim/v2/Groups").set(...auth()).send({ schemas: [GROUP], displayName: `${p}-Zeta`, members: members(["nobody"]) }));
    await step("post-not-uuid", () => request(b.app).post("/scim/v2/Groups").set(...auth()).send({ schemas: [GROUP], displayName: `${p}-New`, members: members(["nobody"]) }));
    await step("patch-members", () => patch(alpha, [{ op: "add", path: "members", value: members([u[2]!.toUpperCase()]) }, { op: "remove", path: `members[value eq "${u[1]}"]` }]));
    await step("patch-same", () => patch(alpha, [{ op: "add", path: "members", value: members([u[2]!]) }, { op: "replace", path: "displayName", value: `${p}-Alpha` }]));
    await step("patch-rename", () => patch(alpha, [{ op: "replace", path: "displayName", value: `${p}-Omega` }]));
    await step("patch-unknown", () => patch(alpha, [{ op: "remove", path: "members", value: members([u[0]!]) }, { op: "add", path: "members", value: members([UNKNOWN]) }]));
    await step("patch-not-uuid", () => patch(alpha, [{ op: "add", path: "members", value: members(["nobody"]) }]));
    await step("patch-remove-nobody", () => patch(alpha, [{ op: "remove", path: "members", value: members(["nobody", UNKNOWN]) }]));
    await step("patch-stale", () => patch(alpha, [{ op: "add", path: "members", value: members([u[3]!]) }], 'W/"1"'));
    await step("patch-taken", () => patch(alpha, [{ op: "replace", path: "displayName", value: `${p}-Zeta` }]));
    await step("patch-bad-name", () => patch(alpha, [{ op: "replace", path: "displayName", value: "" }]));
    await step("patch-missing", () => patch(UNKNOWN, [{ op: "add", path: "members", value: members([u[3]!]) }]));
    await step("put", () => request(b.app).put(`/scim/v2/Groups/${alpha}`).set(...auth()).send({ schemas: [GROUP], displayName: `${p}-Beta`, members: members([u[3]!, u[2]!]) }));
    await step("put-unknown", () => request(b.app).put(`/scim/v2/Groups/${alpha}`).set(...auth()).send({ schemas: [GROUP], displayName: `${p}-Gamma`, members: members([UNKNOWN]) }));
    await step("put-taken", () => request(b.app).put(`/scim/v2/Groups/${zeta}`).set(...auth()).send({ schemas: [GROUP], displayName: `${p}-Beta` }));
    await step("patch-replace-all", () => patch(zeta, [{ op: "replace", path: "members", value: members([u[1]!]) }]));
    await step("patch-remove-all", () => patch(zeta, [{ op: "remove", path: "members" }]));
    await step("get", () => request(b.app).get(`/scim/v2/Groups/${alpha}`).set(...auth()));

    const claims = await Promise.all(u.map(async (id) => ((await b.db.prisma.user.findUniqueOrThrow({ where: { id } })).claims as { groups?: unknown }).groups));
    const audit = await b.db.prisma.auditEvent.findMany({ where: { resourceType: "idp_group", createdAt: { gte: started } }, orderBy: [{ createdAt: "asc" }, { action: "asc" }] });
    const groups = new Set([alpha, zeta]);
    const auditRows = audit.filter((a) => groups.has(a.resourceId ?? "")).map((a) => [a.actor, a.action, a.resourceType, a.resourceId, a.userId, a.details]);
    const outbox = (await b.db.prisma.outboxEvent.count()) - outboxBefore;
    let text = JSON.stringify({ steps, claims, auditRows, outbox, memberRows: await b.db.prisma.idpGroupMember.count({ where: { groupId: { in: [alpha, zeta] } } }) });
    for (const [i, id] of u.entries()) text = text.replaceAll(id, `<u${i}>`).replaceAll(id.toUpperCase(), `<U${i}>`);
    text = text.replace(/http:\/\/127\.0\.0\.1:\d+/g, "<base>").replaceAll(alpha, "<alpha>").replaceAll(zeta, "<zeta>").replaceAll(p, "<p>");
    return { transcript: JSON.parse(text), statements: n };
  }

  it("answers and writes the same on both paths, and the fast path costs at most 8 statements a write", async () => {
    const fast = await scenario("fast");
    await setGeneralPath(true);
    let general;
    try {
      general = await scenario("general");
    } finally {
      await setGeneralPath(false);
    }
    if (process.env.RT_DEBUG) console.log(JSON.stringify({ fast: fast.statements, general: general.statements }));
    expect(fast.transcript).toEqual(general.transcript);
    // What the transcript holds, so that equal transcripts mean something.
    const t = fast.transcript as { steps: [string, number, { members?: unknown; detail?: string }][]; claims: unknown[]; auditRows: unknown[][]; outbox: number };
    expect(t.steps.map(([name, status]) => [name, status])).toEqual([
      ["post", 201],
      ["post-2", 201],
      ["post-unknown", 400],
      ["post-taken-and-unknown", 409],
      ["post-taken-and-not-uuid", 409],
      ["post-not-uuid", 400],
      ["patch-members", 200],
      ["patch-same", 200],
      ["patch-rename", 200],
      ["patch-unknown", 400],
      ["patch-not-uuid", 400],
      ["patch-remove-nobody", 200],
      ["patch-stale", 412],
      ["patch-taken", 409],
      ["patch-bad-name", 400],
      ["patch-missing", 404],
      ["put", 200],
      ["put-unknown", 400],
      ["put-taken", 409],
      ["patch-replace-all", 200],
      ["patch-remove-all", 200],
      ["get", 200],
    ]);
    expect(t.steps[2]![2].detail).toContain(`members must be existing users; unknown: ${UNKNOWN}`);
    expect(t.steps[16]![2].members).toEqual([
      { value: "<u2>", $ref: "<base>/scim/v2/Users/<u2>", display: "<p>-u2@eq.example", type: "User" },
      { value: "<u3>", $ref: "<base>/scim/v2/Users/<u3>", display: "<p>-u3@eq.example", type: "User" },
    ]);
    // u0 left Alpha when it became Beta, and Zeta when its members were replaced by u1; u1 left Zeta with everyone.
    expect(t.claims).toEqual([[], [], ["<p>-Beta"], ["<p>-Beta"]]);
    expect(t.auditRows.map((r) => r[1])).toEqual(["idp_group.created", "idp_group.created", "idp_group.patched", "idp_group.patched", "idp_group.replaced", "idp_group.patched", "idp_group.patched"]);
    // Without sync, IdP groups are not in the event stream (no Coder grant changes).
    expect(t.outbox).toBe(0);

    // Each write on the fast path, named so that a failure says which: at most 8 statements.
    for (const [name, n] of Object.entries(fast.statements)) expect([name, n]).toEqual([name, Math.min(n, 8)]);
    // The general path (Prisma, with sync) is what the gate sent the second run to.
    expect(general.statements["patch-members"]!).toBeGreaterThan(fast.statements["patch-members"]!);
  });

  it("keeps every member's groups claim in name order through renames", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(((await request(b.app).post("/scim/v2/Users").set(...auth()).send({ schemas: [USER], userName: `claims-${i}@eq.example` })).body as { id: string }).id);
    const mk = async (displayName: string, who: string[]) => ((await request(b.app).post("/scim/v2/Groups").set(...auth()).send({ schemas: [GROUP], displayName, members: members(who) })).body as { id: string }).id;
    const m = await mk("claims-M", ids);
    await mk("claims-K", [ids[0]!]);
    const groupsOf = async (id: string) => ((await b.db.prisma.user.findUniqueOrThrow({ where: { id } })).claims as { groups: string[] }).groups;
    expect(await groupsOf(ids[0]!)).toEqual(["claims-K", "claims-M"]);
    // A rename with a member change: the renamed group's members all get the new name, in order.
    expect((await patch(m, [{ op: "replace", path: "displayName", value: "claims-A" }, { op: "remove", path: "members", value: members([ids[2]!]) }])).status).toBe(200);
    expect(await groupsOf(ids[0]!)).toEqual(["claims-A", "claims-K"]);
    expect(await groupsOf(ids[1]!)).toEqual(["claims-A"]);
    expect(await groupsOf(ids[2]!)).toEqual([]);
  });
});
