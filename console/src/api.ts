/**
 * The console's only way to the bridge: the documented admin API under /api/v2, with the session
 * cookie the sign-in set (HttpOnly: this code never sees it) and, on state-changing requests, the
 * session's CSRF token. Errors come back as ApiError with the API's own words.
 */

export interface FieldProblem {
  field: string;
  detail: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly detail: string | undefined;
  readonly validations: FieldProblem[];

  constructor(status: number, message: string, detail?: string, validations: FieldProblem[] = []) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.detail = detail;
    this.validations = validations;
  }
}

export interface Session {
  token_name: string;
  expires_at: string;
  idle_expires_at: string;
  csrf_token: string;
}

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RequestOptions {
  /**
   * A request made by a timer (polling), not by the admin: sent with `X-Background: 1`, which the bridge
   * does not count as session activity (an open tab alone doesn't keep a session from going idle).
   */
  background?: boolean;
  /** Cancels the request (a page that went away). */
  signal?: AbortSignal;
}

export interface Api {
  get<T>(path: string, query?: Record<string, string | number | boolean | undefined>, opts?: RequestOptions): Promise<T>;
  send<T>(method: Exclude<Method, "GET">, path: string, body?: unknown): Promise<T>;
  /** Signs in with an admin token: the bridge answers with the session cookie and its CSRF token. */
  signIn(token: string): Promise<Session>;
  /** The session of the cookie, or undefined when signed out (or when only a bearer token is used). */
  current(): Promise<Session | undefined>;
  signOut(): Promise<void>;
}

/** `?a=1&b=x`, leaving out undefined and empty values. */
export function queryString(query: Record<string, string | number | boolean | undefined> = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== "") p.set(k, String(v));
  const s = p.toString();
  return s === "" ? "" : `?${s}`;
}

interface ErrorBody {
  message?: unknown;
  detail?: unknown;
  validations?: unknown;
}

function errorOf(status: number, statusText: string, body: unknown): ApiError {
  const b = (body ?? {}) as ErrorBody;
  const message = typeof b.message === "string" ? b.message : status === 0 ? "The bridge did not answer." : `The bridge answered ${status} ${statusText}.`;
  const detail = typeof b.detail === "string" ? b.detail : undefined;
  const validations = Array.isArray(b.validations)
    ? b.validations.filter((v): v is FieldProblem => typeof v === "object" && v !== null && typeof (v as FieldProblem).field === "string" && typeof (v as FieldProblem).detail === "string")
    : [];
  return new ApiError(status, message, detail, validations);
}

/**
 * @param onSignedOut called when the API answers 401 to a signed-in request (the session ended:
 * expired, idle, its token revoked, or signed out in another tab).
 */
export function createApi(onSignedOut: () => void): Api {
  let csrf: string | undefined;

  async function call<T>(method: Method, path: string, body?: unknown, opts: RequestOptions = {}, retried = false): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (opts.background) headers["x-background"] = "1";
    if (body !== undefined) headers["content-type"] = "application/json";
    if (method !== "GET" && csrf !== undefined) headers["x-csrf-token"] = csrf;
    let res: Response;
    try {
      res = await fetch(`/api/v2${path}`, { method, headers, credentials: "same-origin", ...(opts.signal ? { signal: opts.signal } : {}), ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      throw new ApiError(0, "The bridge did not answer: check that it is running and that this page's address reaches it.");
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      if (res.status === 401 && path !== "/sessions") {
        csrf = undefined;
        onSignedOut();
      }
      const error = errorOf(res.status, res.statusText, json);
      // A sign-in in another tab replaced this tab's session (and its CSRF token): fetch the current
      // session's token and send the request once more.
      if (res.status === 403 && !retried && method !== "GET" && /^(wrong|missing) X-CSRF-Token/.test(error.message)) {
        const s = await current().catch(() => undefined);
        if (s !== undefined) return call<T>(method, path, body, opts, true);
      }
      throw error;
    }
    return json as T;
  }

  return {
    get: (path, query, opts) => call("GET", `${path}${queryString(query)}`, undefined, opts),
    send: (method, path, body) => call(method, path, body),
    async signIn(token) {
      const s = await call<Session>("POST", "/sessions", { token });
      csrf = s.csrf_token;
      return s;
    },
    current,
    async signOut() {
      try {
        await call("DELETE", "/sessions/current");
      } catch (e) {
        // 401: the session had already ended; anything else left it signed in (say so).
        if (!(e instanceof ApiError && e.status === 401)) throw e;
      }
      csrf = undefined;
    },
  };

  async function current(): Promise<Session | undefined> {
    const res = await fetch("/api/v2/sessions/current", { headers: { accept: "application/json" }, credentials: "same-origin" }).catch(() => undefined);
    if (res === undefined) throw new ApiError(0, "The bridge did not answer: check that it is running and that this page's address reaches it.");
    if (res.status === 401) return undefined;
    const body = (await res.json().catch(() => undefined)) as { session?: Session | null } | undefined;
    if (!res.ok) throw errorOf(res.status, res.statusText, body);
    const s = body?.session ?? undefined;
    csrf = s?.csrf_token;
    return s;
  }
}
