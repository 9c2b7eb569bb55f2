import { gzipSync } from "node:zlib";
import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";

/** A Bulk request of `n` user creates, each about `pad` characters long. */
const creates = (n: number, prefix: string, pad = 0) => ({
  schemas: [BULK],
  Operations: Array.from({ length: n }, (_, i) => ({ method: "POST", path: "/Users", bulkId: `${prefix}${i}`, data: { schemas: [USER], userName: `${prefix}${i}@example.com`, ...(pad > 0 ? { nickName: "n".repeat(pad) } : {}) } })),
});

describe.each(testEngines())("SCIM /Bulk limits on %s", (engine) => {
  // Bulk's own body limit (8 kB) is larger than BODY_LIMIT (2 kB), as in production (10 MiB over 1 MiB).
  const limits = { maxOperations: 5, maxPayloadBytes: 8 * 1024 };
  let b: TestBridge;
  const bulk = () => request(b.app).post("/scim/v2/Bulk").set("Authorization", `Bearer ${b.scimToken}`);

  beforeAll(async () => {
    b = await startTestBridge(engine, { bulk: limits, bodyLimitBytes: 2 * 1024, rateLimit: { limit: 3, perMs: 3_600_000 } });
  });
  afterAll(async () => {
    await b.close();
  });

  it("advertises the configured limits in /ServiceProviderConfig, and honours them (RFC 7644 §3.7.4)", async () => {
    // The rate limit is 3 requests an hour: this test makes exactly 3, one of them a Bulk of 5 operations.
    const spc = await request(b.app).get("/scim/v2/ServiceProviderConfig").set("Authorization", `Bearer ${b.scimToken}`);
    expect(spc.body.bulk).toEqual({ supported: true, maxOperations: 5, maxPayloadSize: 8192 });
    // Five operations of about 1 kB: over BODY_LIMIT, within maxPayloadSize, one request against RATE_LIMIT.
    const ok = await bulk().send(creates(5, "fits", 1000));
    expect(ok.status).toBe(200);
    expect(ok.body.Operations.map((o: { status: string }) => o.status)).toEqual(["201", "201", "201", "201", "201"]);
    const third = await request(b.app).get("/scim/v2/Users?count=0").set("Authorization", `Bearer ${b.scimToken}`);
    expect([third.status, third.body.totalResults]).toEqual([200, 5]);
  });

  it("answers 413 tooLarge, writing nothing, past maxOperations or maxPayloadSize", async () => {
    // A fresh token: the first test used up the other's requests.
    const token = (await b.tokens.create({ name: "limits", scope: "scim", origin: "cli", actor: "cli" })).token;
    const send = (body: unknown) => request(b.app).post("/scim/v2/Bulk").set("Authorization", `Bearer ${token}`).send(body as object);
    const before = await b.db.prisma.user.count();

    const many = await send(creates(6, "many"));
    expect(many.status).toBe(413);
    expect(many.body).toEqual({ schemas: [ERROR], status: "413", scimType: "tooLarge", detail: expect.stringMatching(/6 operations.*at most 5 \(maxOperations\)/) });

    const big = await send(creates(3, "big", 3000));
    expect(big.status).toBe(413);
    expect(big.body).toEqual({ schemas: [ERROR], status: "413", scimType: "tooLarge", detail: expect.stringMatching(/exceeds maxPayloadSize \(8192 bytes\)/) });

    // Compressed, the inflated size counts.
    const zipped = await request(b.app)
      .post("/scim/v2/Bulk")
      .set("Authorization", `Bearer ${token}`)
      .set("Content-Type", "application/scim+json")
      .set("Content-Encoding", "gzip")
      // superagent would send a Buffer under a JSON Content-Type as JSON: send its bytes.
      .serialize((body: unknown) => body as string)
      .send(gzipSync(JSON.stringify(creates(3, "zip", 3000))));
    expect(zipped.status).toBe(413);
    expect(zipped.body.scimType).toBe("tooLarge");
    expect(await b.db.prisma.user.count()).toBe(before);
  });
});
