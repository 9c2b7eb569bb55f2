import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { SECRET_PREFIX, verify } from "../events/signing";
import { HarnessError } from "./errors";

/**
 * `harness listen`: a webhook receiver for testing consumers and the bridge's delivery. It verifies
 * each request's Standard Webhooks signature and timestamp, records it as a JSON line (stdout and/or a
 * file), and answers with a configurable status, or a sequence of them (`500,500,204` fails twice,
 * then accepts) to exercise retries. A request that fails verification is answered 401 and recorded.
 */

/**
 * A Standard Webhooks signing secret as the bridge hands them out: `whsec_` then standard base64
 * (padded, so a secret cut short when copied is refused here rather than failing every signature).
 */
export const webhookSecretSchema = z
  .string()
  .refine((s) => s.startsWith(SECRET_PREFIX), "must start with whsec_")
  .refine((s) => {
    const key = s.slice(SECRET_PREFIX.length);
    return key.length > 0 && key.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(key);
  }, "must be whsec_ followed by base64");

export interface ReceivedWebhook {
  received_at: string;
  webhook_id: string | undefined;
  verified: boolean;
  reason?: string;
  status: number;
  type?: string;
  payload: unknown;
}

export interface ListenerOptions {
  port: number;
  host?: string;
  secret: string;
  /** Status codes to answer in turn; the last one repeats. Default [204]. */
  statuses?: number[];
  /** Timestamp tolerance in seconds (default 300). */
  toleranceSeconds?: number;
  onEvent?: (e: ReceivedWebhook) => void;
  /** Appends every event as a JSON line. */
  outFile?: string;
}

export interface Listener {
  url: string;
  events: ReceivedWebhook[];
  setStatuses(statuses: number[]): void;
  close(): Promise<void>;
}

export function startListener(opts: ListenerOptions): Promise<Listener> {
  if (!webhookSecretSchema.safeParse(opts.secret).success) {
    return Promise.reject(new HarnessError("the secret must be the endpoint's whsec_ signing secret (whsec_ then base64)"));
  }
  const events: ReceivedWebhook[] = [];
  let statuses = opts.statuses && opts.statuses.length > 0 ? [...opts.statuses] : [204];
  let served = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= 5 * 1024 * 1024) chunks.push(c);
    });
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const header = (name: string) => {
        const v = req.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      const check = verify(opts.secret, { "webhook-id": header("webhook-id"), "webhook-timestamp": header("webhook-timestamp"), "webhook-signature": header("webhook-signature") }, body, Math.floor(Date.now() / 1000), opts.toleranceSeconds ?? 300);
      let payload: unknown = body;
      try {
        payload = JSON.parse(body);
      } catch {
        // kept as text
      }
      const status = check.ok ? statuses[Math.min(served++, statuses.length - 1)]! : 401;
      const type = payload && typeof payload === "object" && "type" in payload && typeof payload.type === "string" ? payload.type : undefined;
      const event: ReceivedWebhook = {
        received_at: new Date().toISOString(),
        webhook_id: header("webhook-id"),
        verified: check.ok,
        ...(check.ok ? {} : { reason: check.reason }),
        status,
        ...(type ? { type } : {}),
        payload,
      };
      events.push(event);
      if (opts.outFile) fs.appendFileSync(opts.outFile, `${JSON.stringify(event)}\n`);
      opts.onEvent?.(event);
      res.statusCode = status;
      res.end(check.ok ? "" : JSON.stringify({ error: check.reason }));
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      const why = err.code === "EADDRINUSE" ? "the address is in use" : err.code === "EACCES" ? "permission denied" : err.code === "EADDRNOTAVAIL" ? "no such local address" : err.message;
      reject(new HarnessError(`cannot listen on ${opts.host ?? "127.0.0.1"}:${opts.port}: ${why}`));
    });
    server.listen(opts.port, opts.host ?? "127.0.0.1", () => {
      const addr = server.address() as AddressInfo;
      const host = addr.address.includes(":") ? `[${addr.address}]` : addr.address;
      resolve({
        url: `http://${host}:${addr.port}/`,
        events,
        setStatuses(next) {
          statuses = next.length > 0 ? [...next] : [204];
          served = 0;
        },
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            server.closeAllConnections();
          }),
      });
    });
  });
}
