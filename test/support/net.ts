import type { Server } from "node:http";
import net from "node:net";
import type { Express } from "express";

/** A free TCP port on 127.0.0.1, for tests that start processes on a known port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** `app` served on a loopback port, for tests whose requests must share one origin (URLs in responses compared across requests). */
export function listenOnLoopback(app: Express): Promise<Server> {
  return new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
}

/**
 * Waits until the bridge at `url` answers /readyz, or its process has exited (then it fails at once), or
 * `boundMs` passed. A fresh embedded bridge (initdb in a child process, then migrations) can take tens of
 * seconds to start on a busy 2-core machine; the bound is for a hang, not for a slow start.
 */
export async function untilReady(url: string, child?: { exitCode: number | null; signalCode: NodeJS.Signals | null }, boundMs = 120_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // starting
    }
    if (child && (child.exitCode !== null || child.signalCode !== null)) throw new Error(`the bridge exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    if (Date.now() - started > boundMs) throw new Error(`the bridge was not ready within ${boundMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
