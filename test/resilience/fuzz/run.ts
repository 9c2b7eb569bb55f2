import request from "supertest";
import { normalizePath } from "../../../src/http/normalize-path";
import type { TestBridge } from "../../support/app";
import { fingerprint } from "../../support/fingerprint";
import { ENT, GROUP, USER, type Endpoint, type Maker, type Targets } from "./endpoints";
import { mutate, type Mutation } from "./mutate";
import { jsonText, percentEncode, queryString, urlText } from "./values";

/**
 * One fuzzed request and what must hold for it: never a 5xx; a 4xx in the error envelope of the API
 * the (normalised) path belongs to, with the database exactly as before. A violation throws an error
 * naming the request, the answer and what the server logged, which fast-check reports with its seed.
 */

const SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
const MOUNT = { scim: "/scim/v2", admin: "/api/v2" } as const;

export interface Harness {
  b: TestBridge;
  targets: Targets;
  make: Maker;
  next(): number;
}

/** superagent would send a string under a JSON Content-Type as a JSON string: send the text itself. */
const asIs = (body: unknown) => body as string;
const cut = (s: string, n = 600) => (s.length > n ? `${s.slice(0, n)}… (${s.length} characters)` : s);

function isScimPath(rawPath: string): boolean {
  const n = normalizePath(rawPath);
  return /^\/+(api\/+v2\/+)?scim\/+v2(\/|$)/i.test(n.ok ? n.path : rawPath);
}

async function ok(res: request.Response | Promise<request.Response>, what: string): Promise<request.Response> {
  const r = await res;
  if (r.status >= 300) throw new Error(`fuzz setup: ${what} answered ${r.status} ${cut(r.text)}`);
  return r;
}

/** The bridge's test tokens, and makers of fresh targets through the APIs themselves. */
export function harness(b: TestBridge, targets: Targets): Harness {
  let n = 0;
  const scim = (method: "post", path: string, body: object) => request(b.app)[method](`/scim/v2${path}`).set("Authorization", `Bearer ${b.scimToken}`).send(body);
  const admin = (method: "post", path: string, body: object) => request(b.app)[method](`/api/v2${path}`).set("Authorization", `Bearer ${b.adminToken}`).send(body);
  const make: Maker = {
    user: async (i) => (await ok(scim("post", "/Users", { schemas: [USER, ENT], userName: `victim${i}@corp.example` }), "a user")).body.id,
    group: async (i) => (await ok(scim("post", "/Groups", { schemas: [GROUP], displayName: `Victim ${i}`, members: [{ value: targets.user }] }), "a group")).body.id,
    adminGroup: async (i) => (await ok(admin("post", `/organizations/${targets.org}/groups`, { name: `victim-${i}` }), "an admin group")).body.id,
    webhook: async () => (await ok(admin("post", "/webhooks", { url: "http://127.0.0.1:9/victim" }), "a webhook")).body.id,
    token: async (i) => (await ok(admin("post", "/tokens", { name: `victim-${i}`, scope: "scim" }), "a token")).body.name,
    dryRun: async () => (await ok(admin("post", "/reconciliations?wait=30", { kind: "resync", filter: 'userName eq "target@corp.example"' }), "a dry run")).body.id,
  };
  return { b, targets, make, next: () => ++n };
}

/** Background runs a 2xx started must end before the next request is judged. */
async function settle(h: Harness): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if ((await h.b.db.prisma.reconciliationRun.count({ where: { status: "running" } })) === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("fuzz: a reconciliation run did not finish within 30 s");
}

/** Node's default limit on a request's head (request line and headers), in bytes. */
const HEAD_LIMIT = 16 * 1024;

interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
  text: string;
  body: unknown;
}

/**
 * The answer to a request. From Node 24 on, a request line far over Node's head limit gets the 431
 * and then a connection reset, because the server destroys the socket while the client is still
 * writing; superagent reports the reset, not the 431. That is the HTTP parser refusing the request
 * before any of our code ran, so it is judged as the 431 it is (nothing written: checked by the
 * caller). A reset on any other request stays a failure.
 */
async function answerOf(req: request.Test, url: string): Promise<Answer> {
  try {
    const r = await req;
    return { status: r.status, headers: r.headers as Record<string, string | undefined>, text: r.text, body: r.body as unknown };
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if ((code === "ECONNRESET" || code === "EPIPE") && Buffer.byteLength(url) > HEAD_LIMIT - 1024) {
      return { status: 431, headers: {}, text: `(the connection was reset: ${String(code)} after a request line of ${Buffer.byteLength(url)} bytes)`, body: {} };
    }
    throw e;
  }
}

/** Sends the endpoint's valid request with the mutations applied, and checks the answer. */
export async function fuzzOnce(h: Harness, ep: Endpoint, mutations: readonly Mutation[], opts: { mustSucceed?: boolean } = {}): Promise<void> {
  const { b } = h;
  const doc = mutate(await ep.request(h.targets, h.next(), h.make), mutations);
  const path = `${MOUNT[ep.api]}${ep.path.replace(/\{(\w+)\}/g, (_m, k: string) => percentEncode(urlText(doc.params[k])))}`;
  const url = `${path}${queryString(doc.query)}`;
  const text = doc.body === undefined ? undefined : jsonText(ep.finalize ? ep.finalize(doc.body) : doc.body);
  const logsBefore = b.logs().length;
  const before = await fingerprint(b.db);
  let req = request(b.app)[ep.method](url).set("Authorization", `Bearer ${ep.api === "scim" ? b.scimToken : b.adminToken}`);
  if (text !== undefined) req = req.set("Content-Type", "application/json").serialize(asIs).send(text);
  const res = await answerOf(req, url);
  const problem = (what: string) =>
    new Error(
      `${what}\n  request: ${ep.method.toUpperCase()} ${cut(url, 400)}\n  body: ${text === undefined ? "(none)" : cut(text)}\n  answer: ${res.status} ${res.headers["content-type"] ?? ""} ${cut(res.text)}\n  server log: ${cut(b.logs().slice(logsBefore), 1500) || "(nothing)"}`,
    );

  if (res.status >= 500) throw problem(`a ${res.status}`);
  if (opts.mustSucceed && res.status >= 300) throw problem("the unmutated request must succeed (the fuzzer starts from a valid request)");
  if (res.status >= 400) {
    // 431: Node's HTTP parser refused a request line over its header limit (16 KB) before any
    // middleware ran; it answers without a body. Nothing can have been written, which is checked below.
    if (res.status === 431) {
      // (no envelope to check)
    } else if (isScimPath(path)) {
      const body = res.body as Record<string, unknown>;
      if (!/^application\/scim\+json/.test(String(res.headers["content-type"])) || !Array.isArray(body.schemas) || body.schemas[0] !== SCIM_ERROR || body.status !== String(res.status) || typeof body.detail !== "string") {
        throw problem("a SCIM error without RFC 7644's envelope");
      }
    } else if (!/^application\/json/.test(String(res.headers["content-type"])) || typeof (res.body as { message?: unknown }).message !== "string") {
      throw problem("an admin API error without its {message} envelope");
    }
    const after = await fingerprint(b.db);
    const changed = Object.keys(after).filter((t) => after[t] !== before[t]);
    if (changed.length > 0) throw problem(`a ${res.status} that wrote to ${changed.join(", ")}`);
  } else {
    // A Bulk answers 200 whatever its operations did: each is held to what a request of its own is.
    const ops = (res.body as { Operations?: unknown }).Operations;
    if (/\/bulk$/i.test(ep.path) && Array.isArray(ops) && ops.some((o: { status?: unknown }) => Number(o?.status) >= 500)) throw problem("a Bulk operation answered 5xx");
    if (ep.settle) await settle(h);
  }
}
