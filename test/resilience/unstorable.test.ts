import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";
import { fingerprint } from "../support/fingerprint";

/**
 * Input PostgreSQL can't store (U+0000, lone surrogates), numbers past the column they land in, and
 * bodies whose Content-Encoding doesn't match their bytes: each is a 4xx in the API's own envelope,
 * naming what is wrong, and nothing is written.
 */

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
const SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";

type Method = "get" | "post" | "put" | "patch" | "delete";

interface Ids {
  user: string;
  group: string;
  org: string;
  adminGroup: string;
  webhook: string;
}

interface Case {
  name: string;
  method: Method;
  /** Under the API's mount; `{user}`, `{group}`, `{org}`, `{adminGroup}` are replaced. */
  path: string;
  body?: unknown;
  status?: number;
  /** The SCIM detail, or the admin validation `field` + `detail`, must match these. */
  field?: string;
  detail: RegExp;
}

/** Arrays nested `n` deep around a number. */
const nested = (n: number): unknown => JSON.parse(`${"[".repeat(n)}1${"]".repeat(n)}`);

const fill = (s: string, ids: Ids) => s.replace(/\{(\w+)\}/g, (_m, k: keyof Ids) => ids[k]);

const scimCases: Case[] = [
  { name: "a NUL in userName on create", method: "post", path: "/Users", body: { schemas: [USER], userName: "nul\u0000@corp.example" }, detail: /^userName: contains U\+0000 \(NUL\)/ },
  { name: "a lone surrogate in name.givenName on create", method: "post", path: "/Users", body: { schemas: [USER], userName: "s@corp.example", name: { givenName: "x\ud800" } }, detail: /^name\.givenName: contains U\+D800 \(a lone surrogate\)/ },
  { name: "a NUL in an attribute name", method: "post", path: "/Users", body: { schemas: [USER], userName: "k@corp.example", "x\u0000": "1" }, detail: /^\["x\\u0000"\]: the attribute name contains U\+0000/ },
  { name: "a NUL in an email value", method: "post", path: "/Users", body: { schemas: [USER], userName: "e@corp.example", emails: [{ value: "e\u0000@corp.example" }] }, detail: /^emails\[0\]\.value: contains U\+0000/ },
  { name: "a lone low surrogate on replace", method: "put", path: "/Users/{user}", body: { schemas: [USER], userName: "target@corp.example", displayName: "\udfff" }, detail: /^displayName: contains U\+DFFF/ },
  { name: "a NUL in a PATCH value", method: "patch", path: "/Users/{user}", body: { schemas: [PATCH], Operations: [{ op: "replace", value: { title: "a\u0000" } }] }, detail: /^Operations\[0\]\.value\.title: contains U\+0000/ },
  { name: "a NUL in a PATCH path", method: "patch", path: "/Users/{user}", body: { schemas: [PATCH], Operations: [{ op: "replace", path: "title\u0000", value: "x" }] }, detail: /^Operations\[0\]\.path: contains U\+0000/ },
  { name: "a NUL in a group's displayName on create", method: "post", path: "/Groups", body: { schemas: [GROUP], displayName: "G\u0000" }, detail: /^displayName: contains U\+0000/ },
  { name: "a lone surrogate in a group rename", method: "patch", path: "/Groups/{group}", body: { schemas: [PATCH], Operations: [{ op: "replace", path: "displayName", value: "\ud83d" }] }, detail: /^Operations\[0\]\.value: contains U\+D83D/ },
  { name: "a NUL in a .search filter", method: "post", path: "/Users/.search", body: { schemas: [SEARCH], filter: 'userName eq "\u0000"' }, detail: /^filter: contains U\+0000/ },
  { name: "a NUL in a filter query parameter", method: "get", path: `/Users?filter=${encodeURIComponent('userName eq "\u0000"')}`, detail: /query parameter filter: contains U\+0000/ },
  { name: "a NUL in attributes", method: "get", path: "/Groups?attributes=%00", detail: /query parameter attributes: contains U\+0000/ },
  { name: "a NUL in a query parameter's name", method: "get", path: "/Users?%00=1", detail: /query parameter \["\\u0000"\]: the .*name contains U\+0000/ },
  { name: "a custom extension nested past what can be stored", method: "post", path: "/Users", body: { schemas: [USER, "urn:example:deep"], userName: "deep@corp.example", "urn:example:deep": { v: nested(200) } }, detail: /^urn:example:deep\.v(\[0\]){62}: nests deeper than 64 levels/ },
  { name: "a NUL in a resource id", method: "get", path: "/Users/%00", detail: /control character/ },
  { name: "a NUL in the id of a DELETE", method: "delete", path: "/Groups/a%00b", detail: /control character/ },
];

const adminCases: Case[] = [
  { name: "a NUL in a group's display_name", method: "post", path: "/organizations/{org}/groups", body: { name: "g-nul", display_name: "a\u0000" }, field: "display_name", detail: /^contains U\+0000/ },
  { name: "quota_allowance past the 32-bit column on create", method: "post", path: "/organizations/{org}/groups", body: { name: "g-big", quota_allowance: 2147483648 }, field: "quota_allowance", detail: /2147483647/ },
  { name: "quota_allowance 2^53+1 on create", method: "post", path: "/organizations/{org}/groups", body: { name: "g-huge", quota_allowance: 9007199254740993 }, field: "quota_allowance", detail: /./ },
  { name: "quota_allowance past the column on patch", method: "patch", path: "/groups/{adminGroup}", body: { quota_allowance: 2147483648 }, field: "quota_allowance", detail: /2147483647/ },
  { name: "a negative quota_allowance", method: "patch", path: "/groups/{adminGroup}", body: { quota_allowance: -1 }, field: "quota_allowance", detail: /./ },
  { name: "a lone surrogate in a group's avatar_url", method: "patch", path: "/groups/{adminGroup}", body: { avatar_url: "\ud800" }, field: "avatar_url", detail: /^contains U\+D800/ },
  { name: "a NUL in an organization's icon", method: "post", path: "/organizations", body: { name: "nul-org", icon: "\u0000" }, field: "icon", detail: /^contains U\+0000/ },
  { name: "a NUL in the user search q", method: "get", path: "/users?q=a%00b", field: "q", detail: /^contains U\+0000/ },
  { name: "a NUL in an audit filter", method: "get", path: "/audit?action=%00", field: "action", detail: /^contains U\+0000/ },
  { name: "a NUL in a webhook description", method: "post", path: "/webhooks", body: { url: "https://hooks.example.com/x", description: "\u0000" }, field: "description", detail: /^contains U\+0000/ },
  { name: "a lone surrogate in a webhook patch", method: "patch", path: "/webhooks/{webhook}", body: { description: "x\udc00" }, field: "description", detail: /^contains U\+DC00/ },
  { name: "a NUL in an organization sync mapping key", method: "patch", path: "/settings/idpsync/organization", body: { field: "groups", mapping: { "a\u0000": ["{org}"] } }, field: 'mapping["a\\u0000"]', detail: /^the attribute name contains U\+0000/ },
  { name: "a lone surrogate in a group sync field", method: "patch", path: "/organizations/{org}/settings/idpsync/groups", body: { field: "x\ud800" }, field: "field", detail: /^contains U\+D800/ },
  { name: "a NUL in a role mapping", method: "patch", path: "/organizations/{org}/settings/idpsync/roles/mapping", body: { add: [{ given: "a", gets: "\u0000" }] }, field: "add[0].gets", detail: /^contains U\+0000/ },
  { name: "a NUL in a token name", method: "post", path: "/tokens", body: { name: "t\u0000", scope: "scim" }, field: "name", detail: /^contains U\+0000/ },
  { name: "a NUL in a resync filter", method: "post", path: "/reconciliations", body: { kind: "resync", filter: 'userName eq "\u0000"' }, field: "filter", detail: /^contains U\+0000/ },
  { name: "a NUL in a resync organization", method: "post", path: "/reconciliations", body: { kind: "resync", organization: "\u0000" }, field: "organization", detail: /^contains U\+0000/ },
  { name: "an unknown member nested past what can be stored", method: "post", path: "/organizations", body: { name: "deep-org", extra: nested(200) }, field: `extra${"[0]".repeat(63)}`, detail: /^nests deeper than 64 levels/ },
  { name: "a NUL in a user id", method: "get", path: "/users/%00", detail: /control character/ },
  { name: "a NUL in a group id", method: "delete", path: "/groups/%00", detail: /control character/ },
];

const protocols = [
  { name: "SCIM", mount: "/scim/v2", create: { path: "/Users", body: (n: string) => ({ schemas: [USER], userName: `${n}@corp.example` }) } },
  { name: "admin", mount: "/api/v2", create: { path: "/organizations", body: (n: string) => ({ name: n }) } },
] as const;

/** superagent would send a Buffer under a JSON Content-Type as JSON (`{"type":"Buffer",…}`): send its bytes. */
const asIs = (body: unknown) => body as string;

const encodings = {
  gzip: gzipSync,
  deflate: deflateSync,
  br: (b: Buffer) => brotliCompressSync(b),
} as const;

describe.each(testEngines())("input the database can't store on %s", (engine) => {
  let b: TestBridge;
  let ids: Ids;
  const auth = (mount: string) => `Bearer ${mount === "/api/v2" ? b.adminToken : b.scimToken}`;
  const send = (mount: string, method: Method, path: string, body?: unknown) => {
    const req = request(b.app)[method](`${mount}${path}`).set("Authorization", auth(mount));
    return body === undefined ? req : req.set("Content-Type", "application/json").send(JSON.stringify(body));
  };
  const expectScimError = (res: request.Response, status: number) => {
    expect(res.status).toBe(status);
    expect(res.headers["content-type"]).toMatch(/^application\/scim\+json/);
    expect(res.body).toMatchObject({ schemas: [SCIM_ERROR], status: String(status), detail: expect.any(String) });
  };
  const expectAdminError = (res: request.Response, status: number) => {
    expect(res.status).toBe(status);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.body).toEqual(expect.objectContaining({ message: expect.any(String) }));
    expect(res.body).not.toHaveProperty("schemas");
  };

  beforeAll(async () => {
    b = await startTestBridge(engine);
    const user = (await send("/scim/v2", "post", "/Users", { schemas: [USER], userName: "target@corp.example" })).body.id;
    const group = (await send("/scim/v2", "post", "/Groups", { schemas: [GROUP], displayName: "Target", members: [{ value: user }] })).body.id;
    const org = (await b.db.prisma.organization.findFirstOrThrow({ where: { isDefault: true } })).id;
    const adminGroup = (await send("/api/v2", "post", `/organizations/${org}/groups`, { name: "admins" })).body.id;
    const webhook = (await send("/api/v2", "post", "/webhooks", { url: "https://hooks.example.com/w" })).body.id;
    ids = { user, group, org, adminGroup, webhook };
    expect(Object.values(ids).every((v) => typeof v === "string")).toBe(true);
  });
  afterAll(async () => {
    await b.close();
  });

  it.each(scimCases.map((c) => [c.name, c] as const))("SCIM: %s → 400 invalidValue naming it, nothing written", async (_n, c) => {
    const before = await fingerprint(b.db);
    const res = await send("/scim/v2", c.method, fill(c.path, ids), c.body === undefined ? undefined : JSON.parse(fill(JSON.stringify(c.body), ids)));
    expectScimError(res, c.status ?? 400);
    expect(res.body.scimType).toBe("invalidValue");
    expect(res.body.detail).toMatch(c.detail);
    expect(await fingerprint(b.db)).toEqual(before);
  });

  it.each(adminCases.map((c) => [c.name, c] as const))("admin: %s → 400 naming the field, nothing written", async (_n, c) => {
    const before = await fingerprint(b.db);
    const res = await send("/api/v2", c.method, fill(c.path, ids), c.body === undefined ? undefined : JSON.parse(fill(JSON.stringify(c.body), ids)));
    expectAdminError(res, c.status ?? 400);
    if (c.field !== undefined) expect(res.body.validations).toEqual(expect.arrayContaining([{ field: c.field, detail: expect.stringMatching(c.detail) }]));
    else expect(res.body.message).toMatch(c.detail);
    expect(await fingerprint(b.db)).toEqual(before);
  });

  it("stores quota_allowance up to 2^31-1, the largest the column holds", async () => {
    const res = await send("/api/v2", "post", `/organizations/${ids.org}/groups`, { name: "g-max", quota_allowance: 2147483647 });
    expect(res.status).toBe(201);
    expect(res.body.quota_allowance).toBe(2147483647);
  });

  it.each([
    ["/users?offset=9007199254740991"],
    ["/users?offset=2147483648&limit=1"],
    ["/audit?offset=9007199254740991"],
    ["/reconciliations?offset=9007199254740991"],
    ["/webhooks/{webhook}/deliveries?offset=9007199254740991"],
  ])("a huge offset (%s) is an empty page or a 400, never a 500", async (path) => {
    const res = await send("/api/v2", "get", fill(path, ids));
    expect([200, 400]).toContain(res.status);
  });

  it.each([["/Users?startIndex=9007199254740991"], ["/Users?startIndex=2147483648&count=10"], ["/Groups?count=9007199254740991"], ["/Users?startIndex=-9007199254740991"]])(
    "SCIM paging with %s is answered, never a 500",
    async (path) => {
      const res = await send("/scim/v2", "get", path);
      expect(res.status).toBe(200);
      expect(res.body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:ListResponse"]);
    },
  );

  describe.each(protocols)("compressed bodies on the $name API", (p) => {
    const expectError = (res: request.Response, status: number) => (p.name === "SCIM" ? expectScimError(res, status) : expectAdminError(res, status));

    it.each(Object.keys(encodings))("a %s body that isn't compressed is a 400, nothing written", async (enc) => {
      const before = await fingerprint(b.db);
      const res = await request(b.app).post(`${p.mount}${p.create.path}`).set("Authorization", auth(p.mount)).set("Content-Type", "application/json").set("Content-Encoding", enc).serialize(asIs).send(Buffer.from(JSON.stringify(p.create.body(`plain-${enc}`))));
      expectError(res, 400);
      expect(p.name === "SCIM" ? res.body.detail : res.body.message).toMatch(new RegExp(`could not be decompressed.*${enc}`, "i"));
      expect(await fingerprint(b.db)).toEqual(before);
    });

    it.each(Object.keys(encodings))("a truncated %s body is a 400, nothing written", async (enc) => {
      const before = await fingerprint(b.db);
      const full = encodings[enc as keyof typeof encodings](Buffer.from(JSON.stringify(p.create.body(`cut-${enc}`))));
      const res = await request(b.app).post(`${p.mount}${p.create.path}`).set("Authorization", auth(p.mount)).set("Content-Type", "application/json").set("Content-Encoding", enc).serialize(asIs).send(full.subarray(0, full.length - 6));
      expectError(res, 400);
      expect(await fingerprint(b.db)).toEqual(before);
    });

    it.each(Object.keys(encodings))("a small %s body inflating past BODY_LIMIT is a 413 (no zip bombs), nothing written", async (enc) => {
      const before = await fingerprint(b.db);
      const huge = Buffer.from(JSON.stringify({ ...p.create.body(`bomb-${enc}`), description: " ".repeat(2 * 1024 * 1024), displayName: " ".repeat(1024 * 1024) }));
      const packed = encodings[enc as keyof typeof encodings](huge);
      expect(packed.length).toBeLessThan(20_000);
      const res = await request(b.app).post(`${p.mount}${p.create.path}`).set("Authorization", auth(p.mount)).set("Content-Type", "application/json").set("Content-Encoding", enc).serialize(asIs).send(packed);
      expectError(res, 413);
      expect(await fingerprint(b.db)).toEqual(before);
    });

    it.each(["compress", "zstd-unknown", "gzip, br"])("Content-Encoding %s is a 415, nothing written", async (enc) => {
      const before = await fingerprint(b.db);
      const res = await request(b.app).post(`${p.mount}${p.create.path}`).set("Authorization", auth(p.mount)).set("Content-Type", "application/json").set("Content-Encoding", enc).serialize(asIs).send(Buffer.from(JSON.stringify(p.create.body("enc"))));
      expectError(res, 415);
      expect(await fingerprint(b.db)).toEqual(before);
    });

    it.each(Object.keys(encodings))("a well-formed %s body is accepted", async (enc) => {
      const name = `ok-${enc}-${p.name.toLowerCase()}`;
      const res = await request(b.app).post(`${p.mount}${p.create.path}`).set("Authorization", auth(p.mount)).set("Content-Type", "application/json").set("Content-Encoding", enc).serialize(asIs).send(encodings[enc as keyof typeof encodings](Buffer.from(JSON.stringify(p.create.body(name)))));
      expect(res.status).toBe(201);
    });
  });
});
