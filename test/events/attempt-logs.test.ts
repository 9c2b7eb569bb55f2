import http from "node:http";
import type { AddressInfo } from "node:net";
import request from "supertest";
import { testEngines } from "../support/databases";
import { freePort } from "../support/net";
import { startTestBridge, type TestBridge } from "../support/app";

/**
 * Every failed webhook attempt is a `warn` line naming the endpoint, what went wrong (the receiver's
 * status or the connection's error) and when it is retried: an admin sees a receiver failing long before
 * its endpoint is disabled.
 */

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";

interface AttemptLine {
  level: string;
  message: string;
  endpoint: string;
  url: string;
  delivery: string;
  attempt: number;
  status?: number;
  error?: string;
  retryAt: string;
}

describe.each(testEngines())("failed webhook attempts on %s", (engine) => {
  let b: TestBridge;
  let receiver: http.Server;
  beforeEach(async () => {
    b = await startTestBridge(engine);
    receiver = http.createServer((_req, res) => res.writeHead(503).end("down for maintenance"));
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  });
  afterEach(async () => {
    await new Promise((resolve) => receiver.close(resolve));
    await b.close();
  });

  const attemptLines = (): AttemptLine[] =>
    b
      .logs()
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as AttemptLine)
      .filter((l) => l.message === "webhook delivery attempt failed");

  it("logs each failed attempt at warn, with the endpoint, the status or the error, and when it retries", async () => {
    const api = (url: string) => request(b.app).post("/api/v2/webhooks").set("Authorization", `Bearer ${b.adminToken}`).send({ url });
    const port = (receiver.address() as AddressInfo).port;
    // The query string (which may carry a receiver's key) stays out of the log.
    const failing = (await api(`http://127.0.0.1:${port}/hooks/bridge?key=receiver-secret`)).body.id as string;
    const closed = await freePort();
    const unreachable = (await api(`http://127.0.0.1:${closed}/hooks`)).body.id as string;
    expect((await request(b.app).post("/scim/v2/Users").set("Authorization", `Bearer ${b.scimToken}`).send({ schemas: [USER], userName: "alice@corp.example" })).status).toBe(201);

    // The test bridge retries after 50, 100 and 200 ms: four attempts, then the endpoint is disabled.
    for (let i = 0; i < 300 && attemptLines().length < 8; i++) {
      await b.bridge.dispatcher.tick();
      await new Promise((r) => setTimeout(r, 20));
    }
    const lines = attemptLines();
    expect(lines).toHaveLength(8);
    expect(b.logs()).not.toContain("receiver-secret");

    const of = (endpoint: string) => lines.filter((l) => l.endpoint === endpoint).sort((x, y) => x.attempt - y.attempt);
    const answered = of(failing);
    expect(answered.map((l) => l.attempt)).toEqual([1, 2, 3, 4]);
    for (const l of answered) {
      expect(l).toMatchObject({ level: "warn", url: `http://127.0.0.1:${port}/hooks/bridge`, status: 503 });
      expect(l).not.toHaveProperty("error");
    }
    for (const l of answered.slice(0, 3)) expect(new Date(l.retryAt).toISOString()).toBe(l.retryAt);
    expect(answered[3]!.retryAt).toBe("never: this was the last attempt");

    const refused = of(unreachable);
    expect(refused.map((l) => l.attempt)).toEqual([1, 2, 3, 4]);
    for (const l of refused) {
      expect(l).toMatchObject({ level: "warn", url: `http://127.0.0.1:${closed}/hooks` });
      expect(l).not.toHaveProperty("status");
      expect(l.error).toMatch(/ECONNREFUSED/);
    }
    // The last failure also disables the endpoint, as before.
    expect(b.logs().match(/webhook endpoint disabled after a delivery failed every attempt/g)).toHaveLength(2);
  }, 60_000);
});
