import http from "node:http";
import https from "node:https";
import { literalRefusal, REFUSED_TARGET_CODE, safeLookup, targetHost } from "./target";

/**
 * One HTTP POST of a webhook: a timeout for the whole exchange, no redirects followed (a 3xx is a
 * failure: a signed body must not be replayed elsewhere), the response body read and dropped (at most
 * 64 KiB), private targets refused at connection time unless allowed.
 */

export interface DeliveryResult {
  statusCode: number | undefined;
  error: string | undefined;
  durationMs: number;
  /**
   * Set when the address policy refused the target (an IP literal, or a name whose every address is
   * refused): nothing was sent, and retrying will not help until the URL changes.
   */
  refused?: string;
}

export function postWebhook(url: string, headers: Record<string, string>, body: string, opts: { timeoutMs: number; allowPrivate: boolean }): Promise<DeliveryResult> {
  const started = Date.now();
  const done = (statusCode: number | undefined, error: string | undefined, refused?: string): DeliveryResult => ({
    statusCode,
    error,
    durationMs: Date.now() - started,
    ...(refused !== undefined ? { refused } : {}),
  });
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve(done(undefined, "invalid URL"));
      return;
    }
    // Node does not look up IP literals, so the connect-time check cannot see them: check here.
    const refused = opts.allowPrivate ? undefined : literalRefusal(targetHost(target));
    if (refused) {
      resolve(done(undefined, refused, refused));
      return;
    }
    const client = target.protocol === "https:" ? https : http;
    const req = client.request(
      target,
      {
        method: "POST",
        headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body), "user-agent": "scim-bridge-webhooks/1" },
        lookup: safeLookup(opts.allowPrivate),
        timeout: opts.timeoutMs,
      },
      (res) => {
        let read = 0;
        res.on("data", (chunk: Buffer) => {
          read += chunk.length;
          if (read > 65536) res.destroy();
        });
        res.on("end", () => resolve(done(res.statusCode, undefined)));
        res.on("close", () => resolve(done(res.statusCode, undefined)));
        res.on("error", () => resolve(done(res.statusCode, undefined)));
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no response within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    timer.unref();
    req.on("timeout", () => req.destroy(new Error(`no response within ${opts.timeoutMs} ms`)));
    req.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === REFUSED_TARGET_CODE) return resolve(done(undefined, err.message, err.message));
      resolve(done(undefined, err.code && !err.message.includes(err.code) ? `${err.code}: ${err.message}` : err.message));
    });
    req.on("close", () => clearTimeout(timer));
    req.end(body);
  });
}
