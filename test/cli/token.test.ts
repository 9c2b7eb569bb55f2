import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import request from "supertest";
import { startBridge } from "../../src/app";
import { main } from "../../src/cli/main";
import { loadConfig, type Config } from "../../src/config/config";
import { createLogger } from "../../src/log/logger";
import { cliConfigPerTest, capture } from "../support/cli";
import { testEngines } from "../support/databases";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

const silent = createLogger({ level: "error", format: "json", silent: true });

describe.each(testEngines())("token commands on %s", (engine) => {
  const config = cliConfigPerTest(engine);

  it("creates a token (printed alone on the last line), lists it without the secret, and revokes it", async () => {
    const c = capture();
    expect(await main(["node", "scim-bridge", "token", "create", "--name", "okta", "--scope", "scim"], c.io, config)).toBe(0);
    const secret = c.out[c.out.length - 1]!;
    expect(secret).toMatch(/^sb_scim_[A-Za-z0-9_-]{43}$/);

    const l = capture();
    expect(await main(["node", "scim-bridge", "token", "list"], l.io, config)).toBe(0);
    expect(l.out.join("\n")).toMatch(/okta\s+scim\s+sb_scim_.{4}…\s+cli/);
    expect(l.out.join("\n")).not.toContain(secret);

    const j = capture();
    await main(["node", "scim-bridge", "token", "list", "--json"], j.io, config);
    expect(JSON.parse(j.out.join("\n"))).toEqual([expect.objectContaining({ name: "okta", scope: "scim", revokedAt: null })]);
    expect(j.out.join("")).not.toContain(secret);

    // The created token works against the server, until it is revoked.
    const bridge = await startBridge(config(), silent);
    try {
      const ok = await request(bridge.url).get("/scim/v2/ServiceProviderConfig").set("Authorization", `Bearer ${secret}`);
      expect(ok.status).toBe(200);
    } finally {
      await bridge.close();
    }
    const r = capture();
    expect(await main(["node", "scim-bridge", "token", "revoke", "okta"], r.io, config)).toBe(0);
    expect(r.out[0]).toMatch(/^revoked token "okta"/);
    const again = await startBridge(config(), silent);
    try {
      const denied = await request(again.url).get("/scim/v2/ServiceProviderConfig").set("Authorization", `Bearer ${secret}`);
      expect(denied.status).toBe(401);
    } finally {
      await again.close();
    }
  });

  it("explains bad arguments and unknown tokens", async () => {
    const bad = capture();
    expect(await main(["node", "scim-bridge", "token", "create", "--name", "x", "--scope", "root"], bad.io, config)).not.toBe(0);
    expect(bad.err.join("\n")).toMatch(/must be one of scim, admin/);
    const missing = capture();
    expect(await main(["node", "scim-bridge", "token", "revoke", "nope"], missing.io, config)).toBe(1);
    expect(missing.err.join("\n")).toBe('error: no token with id or name "nope"');
  });

  it("accepts the environment's tokens with their scopes, and replaces them when the variables change", async () => {
    const scim1 = "scim-secret-from-env-0000000001";
    const admin1 = "admin-secret-from-env-000000001";
    const first = await startBridge({ ...config(), envTokens: { scim: scim1, admin: admin1 } }, silent);
    try {
      expect((await request(first.url).get("/scim/v2/ServiceProviderConfig").set("Authorization", `Bearer ${scim1}`)).status).toBe(200);
      expect((await request(first.url).get("/api/v2/tokens").set("Authorization", `Bearer ${admin1}`)).status).toBe(200);
      expect((await request(first.url).get("/api/v2/tokens").set("Authorization", `Bearer ${scim1}`)).status).toBe(403);
    } finally {
      await first.close();
    }
    const scim2 = "scim-secret-from-env-0000000002";
    const second = await startBridge({ ...config(), envTokens: { scim: scim2, admin: undefined } }, silent);
    try {
      expect((await request(second.url).get("/scim/v2/ServiceProviderConfig").set("Authorization", `Bearer ${scim1}`)).status).toBe(401);
      expect((await request(second.url).get("/scim/v2/ServiceProviderConfig").set("Authorization", `Bearer ${scim2}`)).status).toBe(200);
      expect((await request(second.url).get("/api/v2/tokens").set("Authorization", `Bearer ${admin1}`)).status).toBe(401);
    } finally {
      await second.close();
    }
  });

  it("writes one row per change with actor cli or startup, none for a start that changes nothing, and no secret anywhere", async () => {
    const { io, out, err } = capture();
    expect(await main(["node", "scim-bridge", "token", "create", "--name", "okta", "--scope", "scim"], io, config)).toBe(0);
    const okta = out[out.length - 1]!;
    expect(await main(["node", "scim-bridge", "token", "revoke", "okta"], io, config)).toBe(0);
    expect(await main(["node", "scim-bridge", "token", "revoke", "okta"], io, config)).toBe(0);

    const logs: string[] = [];
    const stream = new PassThrough();
    stream.on("data", (c: Buffer) => logs.push(c.toString("utf8")));
    const logger = createLogger({ level: "debug", format: "json", stream });
    const scim1 = "scim-secret-from-env-0000000001";
    const scim2 = "scim-secret-from-env-0000000002";
    const admin = "admin-secret-from-env-000000001";
    const start = async (envTokens: Config["envTokens"]) => (await startBridge({ ...config(), envTokens }, logger)).close();
    await start({ scim: scim1, admin });
    await start({ scim: scim2, admin });
    await start({ scim: undefined, admin });
    await start({ scim: undefined, admin });
    await start({ scim: scim2, admin });

    const bridge = await startBridge({ ...config(), envTokens: { scim: scim2, admin } }, logger);
    let body: { audit_logs: { actor: string; action: string; resource_type: string; resource_id: string; details: { name: string } }[] };
    let tokens: { id: string; name: string }[];
    try {
      body = (await request(bridge.url).get("/api/v2/audit?action=token.").set("Authorization", `Bearer ${admin}`)).body;
      tokens = (await request(bridge.url).get("/api/v2/tokens").set("Authorization", `Bearer ${admin}`)).body;
    } finally {
      await bridge.close();
    }
    const idOf = (name: string) => tokens.find((x) => x.name === name)!.id;
    const rows = body.audit_logs.map((a) => [a.details.name, a.action, a.actor, a.resource_type, a.resource_id]);
    expect(rows.sort()).toEqual([
      ["env:BRIDGE_ADMIN_TOKEN", "token.created", "startup", "token", idOf("env:BRIDGE_ADMIN_TOKEN")],
      ["env:BRIDGE_SCIM_TOKEN", "token.created", "startup", "token", idOf("env:BRIDGE_SCIM_TOKEN")],
      ["env:BRIDGE_SCIM_TOKEN", "token.reinstated", "startup", "token", idOf("env:BRIDGE_SCIM_TOKEN")],
      ["env:BRIDGE_SCIM_TOKEN", "token.replaced", "startup", "token", idOf("env:BRIDGE_SCIM_TOKEN")],
      ["env:BRIDGE_SCIM_TOKEN", "token.revoked", "startup", "token", idOf("env:BRIDGE_SCIM_TOKEN")],
      ["okta", "token.created", "cli", "token", idOf("okta")],
      ["okta", "token.revoked", "cli", "token", idOf("okta")],
    ]);

    const everything = JSON.stringify(body) + logs.join("") + err.join("\n");
    for (const s of [okta, scim1, scim2, admin].flatMap((x) => [x, sha256(x)])) expect(everything.includes(s)).toBe(false);
  }, 300_000);
});

describe("the embedded database lock", () => {
  it("refuses token commands while a running process holds the embedded database, and takes over a stale lock", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bridge-lock-"));
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: "error" }, { cwd: dataDir, isTty: false });
    const holder = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"], { stdio: "ignore" });
    try {
      fs.writeFileSync(path.join(dataDir, "bridge.lock"), JSON.stringify({ pid: holder.pid, purpose: "serve", since: "2026-11-22T00:00:00Z" }));
      const c = capture();
      expect(await main(["node", "scim-bridge", "token", "list"], c.io, () => config)).toBe(1);
      expect(c.err.join("\n")).toMatch(new RegExp(`locked by process ${holder.pid} \\(serve, since 2026-11-22T00:00:00Z\\)`));
      // No address in the lock (a bridge still starting): the suggestion says where the port goes.
      expect(c.err).toContain("  scim-bridge token list --url http://127.0.0.1:<port> --token <admin token>");
      expect(fs.existsSync(path.join(dataDir, "pglite"))).toBe(false);
    } finally {
      holder.kill("SIGKILL");
    }
    await new Promise((r) => holder.once("exit", r));
    // The holder is gone (as after kill -9): its lock is stale and is taken over.
    const ok = capture();
    expect(await main(["node", "scim-bridge", "token", "list"], ok.io, () => config)).toBe(0);
    expect(ok.out).toEqual(["no tokens"]);
    expect(fs.existsSync(path.join(dataDir, "bridge.lock"))).toBe(false);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("refuses a second server on the same embedded data directory", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bridge-lock-"));
    const config = loadConfig({ DATA_DIR: dataDir, PORT: "0" }, { cwd: dataDir, isTty: false });
    const first = await startBridge(config, silent);
    try {
      await expect(startBridge(config, silent)).rejects.toThrow(/is in use by process \d+ \(serve/);
    } finally {
      await first.close();
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
