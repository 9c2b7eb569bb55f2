#!/usr/bin/env node
"use strict";
// Webhook delivery benchmark: one bridge on PostgreSQL (throwaway, durable settings, or
// BENCH_DATABASE_URL) with one subscribed `harness listen`-style receiver on loopback. N sequential
// POST /Users; prints their latency and how long after the last one the last event arrived.
//   npm run bench:webhooks [-- --users 500]
const path = require("node:path");
const { Client } = require("pg");
const { postgres, writeResult, root } = require("./lib");

const dist = (m) => require(path.join(root, "dist", m));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

async function main() {
  const n = arg("users", 500);
  const pg = await postgres();
  const name = `bench_webhooks_${Date.now()}`;
  const admin = new Client({ connectionString: pg.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(pg.url);
  url.pathname = `/${name}`;
  const { loadConfig } = dist("config/config.js");
  const { startBridge } = dist("app.js");
  const { createLogger } = dist("log/logger.js");
  const { startListener } = dist("harness/listener.js");
  const S = "bench-scim-token-000000000001", A = "bench-admin-token-00000000001";
  const config = loadConfig(
    { DATABASE_URL: url.toString(), PORT: "0", LOG_LEVEL: "error", BRIDGE_SCIM_TOKEN: S, BRIDGE_ADMIN_TOKEN: A, WEBHOOK_ALLOW_PRIVATE_TARGETS: "true", WEBHOOK_POLL_INTERVAL: "100ms", BRIDGE_ENCRYPTION_KEY: "ab".repeat(32), RATE_LIMIT: "off" },
    { cwd: root, isTty: false },
  );
  const bridge = await startBridge(config, createLogger({ level: "error", format: "json", silent: true }));
  const h = (t, type = "application/json") => ({ authorization: `Bearer ${t}`, "content-type": type });
  // Reserve a port for the receiver, register it, then listen there with the returned secret.
  const probe = await startListener({ port: 0, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" });
  const port = Number(new URL(probe.url).port);
  await probe.close();
  const made = await (await fetch(`${bridge.url}/api/v2/webhooks`, { method: "POST", headers: h(A), body: JSON.stringify({ url: `http://127.0.0.1:${port}/` }) })).json();
  const receiver = await startListener({ port, secret: made.secret });

  const latency = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    const res = await fetch(`${bridge.url}/scim/v2/Users`, { method: "POST", headers: h(S, "application/scim+json"), body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: `u${i}@corp.example` }) });
    await res.text();
    latency.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const posted = Date.now();
  while (receiver.events.length < 2 * n) await new Promise((r) => setTimeout(r, 20));
  const lagMs = Date.now() - posted;
  latency.sort((a, b) => a - b);
  const created = receiver.events.filter((e) => e.type === "user.created");
  const result = {
    users: n,
    postP50Ms: Number(latency[Math.floor(n / 2)].toFixed(1)),
    postP99Ms: Number(latency[Math.floor(n * 0.99)].toFixed(1)),
    events: receiver.events.length,
    lastEventAfterLastPostMs: lagMs,
    allVerified: receiver.events.every((e) => e.verified),
    inOrder: created.every((e, i) => e.payload.data.username === `u${i}`),
  };
  await receiver.close();
  await bridge.close();
  await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
  await admin.end();
  pg.stop();
  console.log(`${n} sequential POST /Users with one webhook subscriber (${pg.note}): p50 ${result.postP50Ms} ms, p99 ${result.postP99Ms} ms`);
  console.log(`${result.events} events received, the last ${lagMs} ms after the last POST; all verified: ${result.allVerified}; in order: ${result.inOrder}`);
  console.log(`wrote ${writeResult("webhooks", result)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
