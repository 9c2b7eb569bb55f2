import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { serveTestBridge, type ServedTestBridge, type TestBridge } from "../support/app";
import { testEngines } from "../support/databases";
import { freePort } from "../support/net";

/**
 * `harness replay` and `harness listen` as the built binary (`npm run build` first) when the target or
 * the arguments are wrong: one line on stderr, nothing on stdout, exit 1.
 */

const root = path.resolve(__dirname, "../..");
const TOKEN = "scim-token-for-the-harness-cli-test-0001";

/** Children still running when the file ends (a `listen` that wrongly started) are killed then. */
const running = new Set<ChildProcess>();
afterAll(() => running.forEach((c) => c.kill("SIGKILL")));

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, [path.join(root, "bin/scim-bridge.js"), ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
}

describe("harness replay, given a target that does not answer", () => {
  it("a refused connection is one line", async () => {
    const port = await freePort(); // free, so nothing listens there
    const target = `http://127.0.0.1:${port}/scim/v2`;
    expect(await cli(["harness", "replay", "--target", target, "--token", TOKEN, "--scenario", "okta"])).toEqual({
      code: 1,
      stdout: "",
      stderr: `error: cannot reach ${target}: connection refused (is the server running, and is the port right?)\n`,
    });
  });

  it("a target that stops answering mid-run ends the run in one line that names the step", async () => {
    let requests = 0;
    const server = http.createServer((req, res) => {
      requests++;
      // The test connection and the first two steps are answered; the connection drops on the third.
      if (requests <= 3) {
        res.statusCode = req.method === "POST" ? 201 : 200;
        res.setHeader("content-type", "application/scim+json");
        res.end(JSON.stringify(req.method === "POST" ? { id: `u${requests}` } : { totalResults: 0, Resources: [] }));
      } else {
        req.socket.destroy();
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/scim/v2`;
    try {
      const r = await cli(["harness", "replay", "--target", target, "--token", TOKEN, "--scenario", "okta"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error: the run stopped at "Okta pushes a group and its membership changes" \(POST \/Users\): the connection was closed before an answer; what it created stays \(2 users, names starting r[0-9a-f]{8}-\)\n$/);
      expect(r.stdout).toBe("");
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it("refuses a target URL with credentials without echoing them", async () => {
    const r = await cli(["harness", "replay", "--target", "http://idp:hunter2@127.0.0.1:9/scim/v2", "--token", TOKEN, "--scenario", "okta"]);
    expect(r).toEqual({ code: 1, stdout: "", stderr: "error: --target must not carry credentials: give the bearer token with --token\n" });
  });
});

describe.each(testEngines())("harness replay with a token the bridge on %s refuses", (engine) => {
  let s: ServedTestBridge;
  let b: TestBridge;
  let url: string;
  let token: string;
  beforeAll(async () => {
    s = await serveTestBridge(engine);
    ({ b, url } = s);
    token = b.scimToken;
  }, 120_000);
  afterAll(() => s?.close());

  it("a wrong token (401) is one line and creates nothing", async () => {
    const target = `${url}/scim/v2`;
    expect(await cli(["harness", "replay", "--target", target, "--token", "not-the-token", "--scenario", "okta"])).toEqual({
      code: 1,
      stdout: "",
      stderr: `error: ${target} refused the token (GET /Users?startIndex=1&count=1 answered 401: "invalid or revoked token"); check --token: it must be a SCIM token the target accepts\n`,
    });
    const users = await fetch(`${target}/Users`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await users.json()) as { totalResults: number }).totalResults).toBe(0);
  });

  it("a base URL without /scim/v2 is one line saying so", async () => {
    const r = await cli(["harness", "replay", "--target", url, "--token", token, "--scenario", "okta"]);
    expect(r).toEqual({
      code: 1,
      stdout: "",
      stderr: `error: ${url} has no /Users (GET /Users?startIndex=1&count=1 answered 404): --target must be the SCIM base URL, e.g. http://127.0.0.1:8080/scim/v2\n`,
    });
  });
});

describe("harness listen", () => {
  it("refuses a secret that is not a whsec_ secret in one line, without echoing it", async () => {
    expect(await cli(["harness", "listen", "--port", "0", "--secret", "notwhsec"])).toEqual({
      code: 1,
      stdout: "",
      stderr: "error: --secret must be the endpoint's whsec_ signing secret (whsec_ then base64, as POST /api/v2/webhooks returned it); the value given is not one\n",
    });
  });

  it("says in one line that its port is taken", async () => {
    const busy = http.createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
    const port = (busy.address() as AddressInfo).port;
    try {
      expect(await cli(["harness", "listen", "--port", String(port), "--secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])).toEqual({
        code: 1,
        stdout: "",
        stderr: `error: cannot listen on 127.0.0.1:${port}: the address is in use\n`,
      });
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });
});
