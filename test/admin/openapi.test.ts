import SwaggerParser from "@apidevtools/swagger-parser";
import request from "supertest";
import type { OpenApiDocument, Operation, Schema } from "../../src/admin/openapi/document";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";
import { servedRoutes } from "../support/express-routes";

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

/** Every operation of the document as `"GET /users/:user"` (Express's spelling), with the operation. */
function operations(doc: OpenApiDocument): [string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.flatMap((m) => {
      const op = item[m];
      return op ? [[`${m.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ":$1")}`, op] as [string, Operation]] : [];
    }),
  );
}

describe.each(testEngines())("admin API: the OpenAPI document on %s", (engine) => {
  let b: TestBridge;
  let doc: OpenApiDocument;

  beforeAll(async () => {
    b = await startTestBridge(engine);
    doc = (await request(b.app).get("/api/v2/openapi.json")).body as OpenApiDocument;
  });
  afterAll(async () => {
    await b.close();
  });

  it("is served at /api/v2/openapi.json without a token, while the API itself still needs one", async () => {
    const res = await request(b.app).get("/api/v2/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.body).toMatchObject({ openapi: "3.1.0", servers: [{ url: "/api/v2" }] });
    expect((await request(b.app).get("/api/v2/openapi.json").set("Authorization", `Bearer ${b.adminToken}`)).status).toBe(200);
    expect((await request(b.app).get("/api/v2/users")).status).toBe(401);
    expect((await request(b.app).post("/api/v2/openapi.json")).status).toBe(401);
  });

  it("is a valid OpenAPI 3.1 document, every reference resolving", async () => {
    // The validator dereferences in place: it gets a copy.
    await expect(SwaggerParser.validate(structuredClone(doc) as unknown as Parameters<typeof SwaggerParser.validate>[0])).resolves.toBeDefined();
  });

  it("describes every admin route the bridge serves, and none it does not", () => {
    const served = servedRoutes(b.app, "/api/v2");
    const documented = operations(doc).map(([route]) => route).sort();
    expect(served.length).toBeGreaterThan(40);
    expect({ undocumented: served.filter((r) => !documented.includes(r)), notServed: documented.filter((r) => !served.includes(r)) }).toEqual({ undocumented: [], notServed: [] });
  });

  it("asks for an admin token on every route but itself and sign-in, and documents the errors every route can answer", () => {
    expect(doc.security).toEqual([{ bearer: [] }, { coderSessionToken: [] }, { sessionCookie: [] }]);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    for (const [route, op] of operations(doc)) {
      if (route === "GET /openapi.json") {
        expect(op.security).toEqual([]);
        continue;
      }
      if (route === "POST /sessions") expect(op.security).toEqual([]);
      else expect(op.security).toBeUndefined();
      for (const status of ["401", "403", "429", "500", "503"]) expect([route, op.responses[status]]).toEqual([route, expect.objectContaining({ $ref: expect.stringMatching(/^#\/components\/responses\//) })]);
      expect(Object.keys(op.responses).some((s) => s.startsWith("2"))).toBe(true);
    }
    expect(doc.components.responses.Unauthorized?.content?.["application/json"].schema).toEqual({ $ref: "#/components/schemas/Error" });
    const ops = operations(doc).map(([, op]) => op.operationId);
    expect(new Set(ops).size).toBe(ops.length);
  });

  it("tells browser clients to mark their polling X-Background: 1 (it does not keep a session alive)", () => {
    expect(doc.components.securitySchemes.sessionCookie?.description).toMatch(/X-Background: 1/);
    const current = doc.paths["/sessions/current"]?.get;
    expect(current?.description).toMatch(/X-Background: 1/);
  });

  it("documents each request body with the schema the route validates it with: what it says is required, the route asks for", async () => {
    let checked = 0;
    for (const [route, op] of operations(doc)) {
      const body = op.requestBody?.content["application/json"].schema as Schema | undefined;
      if (!body?.required?.length) continue;
      const [method, path] = route.split(" ") as [string, string];
      // Validation comes before any lookup: made-up ids are enough.
      const url = `/api/v2${path.replace(/:[A-Za-z]+/g, "00000000-0000-4000-8000-000000000000")}`;
      const res = await request(b.app)[method.toLowerCase() as "post" | "patch"](url).set("Authorization", `Bearer ${b.adminToken}`).send({});
      expect([route, res.status]).toEqual([route, 400]);
      const fields = (res.body.validations as { field: string }[]).map((v) => v.field);
      expect([route, fields.sort()]).toEqual([route, [...body.required].sort()]);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  it("documents query parameters with the limits the route enforces", async () => {
    const params = doc.paths["/audit"]?.get?.parameters ?? [];
    expect(params.find((p) => p.name === "limit")).toMatchObject({ in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 1000, default: 100 } });
    const over = await request(b.app).get("/api/v2/audit?limit=1001").set("Authorization", `Bearer ${b.adminToken}`);
    expect(over.status).toBe(400);
    expect(over.body.validations).toEqual([expect.objectContaining({ field: "limit" })]);
    expect(doc.paths["/users/{user}"]?.get?.parameters).toEqual([expect.objectContaining({ name: "user", in: "path", required: true })]);
  });
});
