import { z } from "zod";
import type { Received, SentRequest } from "../scim/scenario";
import { HarnessError, TargetUnreachable } from "./errors";

/**
 * The replay target: a SCIM base URL reached with fetch. Everything that can go wrong before a SCIM
 * answer exists (no server, wrong host, TLS, a token the target refuses, a URL that is not a SCIM base)
 * becomes one HarnessError line here, so `harness replay` never prints a stack or thirty identical
 * failed steps for what is one mistake.
 */

/** `--target`: an http(s) URL without credentials (the token goes in `--token`, never in the URL). */
export const targetUrlSchema = z
  .string()
  .transform((v, ctx) => {
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      ctx.addIssue({ code: "custom", message: "must be a URL such as http://127.0.0.1:8080/scim/v2" });
      return z.NEVER;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      ctx.addIssue({ code: "custom", message: "must be an http:// or https:// URL" });
      return z.NEVER;
    }
    if (url.username || url.password) {
      ctx.addIssue({ code: "custom", message: "must not carry credentials: give the bearer token with --token" });
      return z.NEVER;
    }
    return v.replace(/\/+$/, "");
  });

const errorWithCode = z.object({ code: z.string().optional(), message: z.string().optional() });

/** Why fetch got no answer, in words (the `cause` of undici's "fetch failed" holds the reason). */
export function describeFetchError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  const cause = errorWithCode.safeParse(err instanceof Error ? err.cause : undefined);
  const code = cause.success ? cause.data.code : undefined;
  const message = (cause.success ? cause.data.message : undefined) ?? (err instanceof Error ? err.message : String(err));
  // undici refuses the ports the Fetch standard blocks (1, 6000, 6665-6669, 10080, …) before connecting.
  if (message === "bad port") return "that port is on the Fetch standard's list of blocked ports: serve the target on another one";
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused (is the server running, and is the port right?)";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host not found";
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return "the connection was closed before an answer";
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
      return "the connection timed out";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
    default:
      if (code && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) return `TLS: ${message}`;
      return code ? `${code}: ${message}` : message;
  }
}

/** Sends scenario steps to a live SCIM base URL; a request that gets no answer throws TargetUnreachable. */
export function fetchSender(baseUrl: string, token: string, timeoutMs = 30_000): (req: SentRequest) => Promise<Received> {
  const base = baseUrl.replace(/\/+$/, "");
  return async (req) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: "application/scim+json", ...req.headers };
    if (req.body !== undefined) headers["content-type"] = "application/scim+json";
    let status: number;
    let text: string;
    try {
      const res = await fetch(`${base}${req.path}`, {
        method: req.method,
        headers,
        ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      throw new TargetUnreachable(describeFetchError(err, timeoutMs));
    }
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return { status, body };
  };
}

const scimError = z.object({ detail: z.string() });

/**
 * Asks what an IdP's "test connection" asks (`GET /Users?startIndex=1&count=1`) before any step runs.
 * Refused connections, rejected tokens and a URL that is not a SCIM base end the run here, in one line.
 * Any other answer lets the run go on: the steps report what is wrong.
 */
export async function checkTarget(target: string, send: (req: SentRequest) => Promise<Received>): Promise<void> {
  const probe = "/Users?startIndex=1&count=1";
  let res: Received;
  try {
    res = await send({ method: "GET", path: probe, body: undefined, headers: {} });
  } catch (err) {
    if (err instanceof TargetUnreachable) throw new TargetUnreachable(`cannot reach ${target}: ${err.message}`);
    throw err;
  }
  const parsed = scimError.safeParse(res.body);
  const detail = parsed.success ? `: "${parsed.data.detail.replace(/\s+/g, " ").slice(0, 200)}"` : "";
  if (res.status === 401) throw new HarnessError(`${target} refused the token (GET ${probe} answered 401${detail}); check --token: it must be a SCIM token the target accepts`);
  if (res.status === 403) throw new HarnessError(`${target} does not allow this token SCIM requests (GET ${probe} answered 403${detail}); on the bridge use a token of scope scim`);
  if (res.status === 404) throw new HarnessError(`${target} has no /Users (GET ${probe} answered 404): --target must be the SCIM base URL, e.g. http://127.0.0.1:8080/scim/v2`);
}
