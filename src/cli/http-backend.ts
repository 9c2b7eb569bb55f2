import { z } from "zod";
import { TOKEN_SCOPES } from "../auth/token-format";
import type { TokenInfo } from "../auth/token-service";
import type { FeedQuery } from "../events/feed";
import type { AdminBackend, ProgressFn } from "./backend";
import { adminUserSchema, deliverySchema, eventsPageSchema, nameCollisionsSchema, runPageSchema, runViewSchema, settingsSchema, userGrantsSchema, webhookSchema } from "./http-schemas";

/**
 * The CLI's client mode: the same commands through a running bridge's admin API (/api/v2) with an
 * admin token, for when the bridge holds the embedded database (or the database is out of reach).
 * Every answer is checked with zod before it is used; any failure (no connection, 401, 403, 404,
 * 409, a body that is not the admin API's) becomes one BridgeRequestError, printed by main() as one
 * line. Changes are audited with the token's name as the actor, as any API call.
 */

export class BridgeRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BridgeRequestError";
  }
}

export interface ClientTarget {
  /** The bridge's base URL, e.g. http://127.0.0.1:8080 (a path prefix behind a proxy is kept). */
  url: string;
  /** A token of scope admin. */
  token: string;
}

const errorBody = z.looseObject({
  message: z.string(),
  detail: z.string().optional(),
  validations: z.array(z.looseObject({ field: z.string(), detail: z.string() })).optional(),
});

const tokenSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  scope: z.enum(TOKEN_SCOPES),
  hint: z.string(),
  origin: z.string(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});

function tokenInfo(t: z.infer<typeof tokenSchema>): TokenInfo {
  const date = (s: string | null) => (s === null ? null : new Date(s));
  return { id: t.id, name: t.name, scope: t.scope, hint: t.hint, origin: t.origin, createdAt: new Date(t.created_at), lastUsedAt: date(t.last_used_at), revokedAt: date(t.revoked_at) };
}

/**
 * Why fetch failed, as its cause names it (ECONNREFUSED, ENOTFOUND, …; an AggregateError when every
 * address of a name failed). Checked by shape, not instanceof: the errors may come from another realm.
 */
function networkProblem(err: unknown): string {
  const codeOf = (e: unknown): string | undefined => {
    if (!e || typeof e !== "object") return undefined;
    if ("code" in e && typeof e.code === "string") return e.code;
    if ("errors" in e && Array.isArray(e.errors)) for (const x of e.errors as unknown[]) if (codeOf(x)) return codeOf(x);
    return undefined;
  };
  const cause = err && typeof err === "object" && "cause" in err ? err.cause : undefined;
  const message = (e: unknown) => (e && typeof e === "object" && "message" in e ? String(e.message) : String(e));
  return codeOf(cause) ?? codeOf(err) ?? message(cause ?? err);
}

/** How often a running reconciliation is asked for its progress. */
const POLL_MS = 250;

type Query = Record<string, string | number | boolean | undefined>;

/** `fetchImpl`: the HTTP client (the global fetch; passed in so a caller may wrap it). */
export function openHttpBackend(target: ClientTarget, fetchImpl: typeof fetch = fetch): AdminBackend {
  const base = target.url.replace(/\/+$/, "");

  function problem(status: number, text: string): string {
    let body: z.infer<typeof errorBody> | undefined;
    try {
      const parsed = errorBody.safeParse(JSON.parse(text));
      if (parsed.success) body = parsed.data;
    } catch {
      // not JSON: not the admin API answering (a proxy's page?), said below
    }
    if (status === 401) return `the bridge at ${base} refused the token (401${body ? `: ${body.message}` : ""}): give a valid admin token with --token or SCIM_BRIDGE_TOKEN`;
    if (status === 403) return `the bridge at ${base} refused the token (403${body ? `: ${body.message}` : ""}): client mode needs a token of scope admin`;
    if (!body) return `the bridge at ${base} answered HTTP ${status} without the admin API's error body: is --url (SCIM_BRIDGE_URL) the bridge's address?`;
    const more = [body.detail, ...(body.validations ?? []).map((v) => `${v.field}: ${v.detail}`)].filter((x) => x !== undefined && x !== "");
    const text1 = more.length > 0 ? `${body.message} (${more.join("; ")})` : body.message;
    return status >= 500 ? `the bridge at ${base} failed (HTTP ${status}): ${text1}` : text1;
  }

  /** Sends one request; resolves with the answer's text when the bridge answers 2xx. */
  async function send(method: string, path: string, opts: { query?: Query; body?: unknown }): Promise<{ url: URL; text: string }> {
    const url = new URL(`${base}/api/v2${path}`);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    let res: Response;
    try {
      res = await fetchImpl(url, {
        method,
        headers: { Authorization: `Bearer ${target.token}`, Accept: "application/json", ...(opts.body !== undefined ? { "Content-Type": "application/json" } : {}) },
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      });
    } catch (err) {
      throw new BridgeRequestError(`cannot reach the bridge at ${base} (${networkProblem(err)}): is it running, and is --url (SCIM_BRIDGE_URL) its address?`);
    }
    const text = await res.text();
    if (!res.ok) throw new BridgeRequestError(problem(res.status, text));
    return { url, text };
  }

  /** A request whose answer is JSON of `schema`'s shape (checked). */
  async function call<S extends z.ZodType>(method: string, path: string, schema: S, opts: { query?: Query; body?: unknown } = {}): Promise<z.infer<S>> {
    const { url, text } = await send(method, path, opts);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new BridgeRequestError(`the bridge at ${base} answered ${method} ${url.pathname} with something that is not JSON: is --url (SCIM_BRIDGE_URL) the bridge's address?`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new BridgeRequestError(`unexpected answer from ${method} ${url.pathname} (${first ? `${first.path.join(".") || "body"}: ${first.message}` : "bad shape"}): is the bridge the same version as this CLI?`);
    }
    return parsed.data;
  }

  const getRun = (id: string, query: Query) => call("GET", `/reconciliations/${encodeURIComponent(id)}`, runPageSchema, { query });

  /** Follows a started run until it ends, reporting its progress from the run's counters. */
  async function follow(started: z.infer<typeof runViewSchema>, onProgress?: ProgressFn): Promise<z.infer<typeof runViewSchema>> {
    let run = started;
    while (run.status === "running") {
      onProgress?.(run.summary.users_scanned, run.summary.users_total);
      await new Promise((r) => setTimeout(r, POLL_MS));
      // runViewSchema keeps the run's own fields, not the page of its report.
      run = await call("GET", `/reconciliations/${encodeURIComponent(run.id)}`, runViewSchema, { query: { limit: 1, consequences: false } });
    }
    onProgress?.(run.summary.users_scanned, run.summary.users_total);
    return run;
  }

  async function findToken(idOrName: string): Promise<TokenInfo | undefined> {
    const all = (await call("GET", "/tokens", z.array(tokenSchema))).map(tokenInfo);
    // As the service resolves it: the id, else the name (the live token first, then the latest revoked).
    return all.find((t) => t.id === idOrName) ?? all.filter((t) => t.name === idOrName).sort((a, b) => (a.revokedAt?.getTime() ?? Infinity) - (b.revokedAt?.getTime() ?? Infinity)).pop();
  }

  return {
    async createToken(name, scope) {
      const made = await call("POST", "/tokens", tokenSchema.extend({ token: z.string() }), { body: { name, scope } });
      return { info: tokenInfo(made), token: made.token };
    },
    listTokens: async () => (await call("GET", "/tokens", z.array(tokenSchema))).map(tokenInfo),
    async revokeToken(idOrName) {
      await send("DELETE", `/tokens/${encodeURIComponent(idOrName)}`, {});
      const revoked = await findToken(idOrName);
      if (!revoked) throw new BridgeRequestError(`token ${idOrName} was revoked but is no longer listed`);
      return revoked;
    },

    async runReconciliation(request, onProgress) {
      return follow(await call("POST", "/reconciliations", runViewSchema, { query: { wait: 0 }, body: request }), onProgress);
    },
    async applyReviewed(runId, onProgress) {
      return follow(await call("POST", `/reconciliations/${encodeURIComponent(runId)}/apply`, runViewSchema, { query: { wait: 0 } }), onProgress);
    },
    listRuns: (page) => call("GET", "/reconciliations", z.object({ runs: z.array(runViewSchema), count: z.number() }), { query: page }),
    getRun: (id, page) => getRun(id, { limit: page.limit, offset: page.offset, kind: page.kind, consequences: page.consequences }),

    getSyncSettings: () => call("GET", "/settings/idpsync", settingsSchema),
    saveSyncSettings: async (settings) => (await call("PUT", "/settings/idpsync", z.object({ saved: z.array(z.string()) }), { body: settings })).saved,

    listWebhooks: async () => (await call("GET", "/webhooks", z.object({ webhooks: z.array(webhookSchema) }))).webhooks,
    deliveries: (id, page) => call("GET", `/webhooks/${encodeURIComponent(id)}/deliveries`, z.object({ count: z.number(), deliveries: z.array(deliverySchema) }), { query: page }),
    redeliver: (id, delivery) => call("POST", `/webhooks/${encodeURIComponent(id)}/deliveries/${encodeURIComponent(delivery)}/redeliver`, deliverySchema),
    redeliverSince: (id, since) => call("POST", `/webhooks/${encodeURIComponent(id)}/redeliver`, z.object({ redelivered: z.number() }), { body: { since: since.toISOString() } }),

    user: (idOrUsername) => call("GET", `/users/${encodeURIComponent(idOrUsername)}`, adminUserSchema),
    grants: (idOrUsername) => call("GET", `/users/${encodeURIComponent(idOrUsername)}/grants`, userGrantsSchema),

    nameCollisions: () => call("GET", "/name-collisions", nameCollisionsSchema),

    readEvents: (q: FeedQuery) =>
      call("GET", "/events", eventsPageSchema, { query: { after: typeof q.after === "string" ? q.after : q.after.cursor, limit: q.limit, type: q.types?.length ? q.types.join(",") : undefined } }),

    close: async () => {},
  };
}
