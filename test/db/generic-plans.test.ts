import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

/**
 * The hot paths' prepared statements are planned once per connection and may keep one generic plan
 * (chosen without the parameters' values) until the tables' statistics change; on the embedded
 * database they never do. A generic plan made while the tables were nearly empty is kept as they grow,
 * so it must look rows up by index: a sequential scan of users would make every create or read cost
 * more with each user provisioned (measured: 1 ms per create at 2,500 users, 12 ms at 20,000, embedded).
 * Here every named statement the SCIM user paths send is planned generically on a database holding one
 * user, the worst case, and its plan must not scan a growing table.
 */

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const GROWING = /Seq Scan on (users|idp_groups|idp_group_members|organization_members|audit_events|outbox_events|webhook_deliveries)\b/;

describe.each(testEngines())("generic plans of the prepared statements on %s", (engine) => {
  let b: TestBridge;
  const named = new Map<string, string>();

  beforeAll(async () => {
    b = await startTestBridge(engine, { observe: (text, name) => void (name !== undefined && named.set(name, text)) });
  });
  afterAll(async () => {
    await b.close();
  });

  it("scan no growing table, however small it was when they were planned", async () => {
    const scim = () => ({ authorization: `Bearer ${b.scimToken}`, "content-type": "application/scim+json" });
    const made = await request(b.app).post("/scim/v2/Users").set(scim()).send({ schemas: [USER], userName: "plan@corp.example" });
    expect(made.status).toBe(201);
    const id = made.body.id as string;
    expect((await request(b.app).get(`/scim/v2/Users/${id}`).set(scim())).status).toBe(200);
    expect((await request(b.app).get(`/scim/v2/Users?filter=${encodeURIComponent('userName eq "plan@corp.example"')}`).set(scim())).status).toBe(200);
    const patch = { schemas: [PATCH], Operations: [{ op: "replace", path: "displayName", value: "Plan" }] };
    expect((await request(b.app).patch(`/scim/v2/Users/${id}`).set(scim()).send(patch)).status).toBe(200);
    expect((await request(b.app).put(`/scim/v2/Users/${id}`).set(scim()).send({ schemas: [USER], userName: "plan2@corp.example" })).status).toBe(200);
    expect([...named.keys()]).toEqual(expect.arrayContaining(["users.create", "users.readOne", "users.readForWrite", "users.update.guarded"]));

    const plans = new Map<string, string>();
    for (const [name, text] of named) {
      const params = Math.max(0, ...[...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
      const plan = await b.db.sql.transaction(async (tx) => {
        await tx.query("SET LOCAL plan_cache_mode = force_generic_plan");
        await tx.query(`PREPARE generic_probe AS ${text}`);
        try {
          const rows = await tx.query<{ "QUERY PLAN": string }>(`EXPLAIN EXECUTE generic_probe(${Array(params).fill("NULL").join(", ")})`);
          return rows.map((r) => r["QUERY PLAN"]).join("\n");
        } finally {
          await tx.query("DEALLOCATE generic_probe");
        }
      });
      plans.set(name, plan);
    }
    const scanning = [...plans].filter(([, plan]) => GROWING.test(plan)).map(([name, plan]) => `${name}:\n${plan}`);
    expect(scanning).toEqual([]);
  }, 60_000);
});
