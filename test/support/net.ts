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
