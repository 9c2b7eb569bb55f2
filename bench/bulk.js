#!/usr/bin/env node
"use strict";
// Bulk against single requests (issue 16): 1,000 Entra-shaped user creates sent as 1,000 single POSTs
// one after another on one keep-alive connection (as Entra sends them), then as 10 Bulk requests of
// 100 one after another on that connection, against one bridge process, on the embedded database and on
// PostgreSQL (a throwaway server with durable settings, or BENCH_DATABASE_URL). Each phase is preceded
// by an unmeasured warm-up. Prints the time per user of each and writes bench/results/bulk-*.json.
//   npm run bench:bulk [-- --users 1000 --batch 100 --engines embedded,postgres --json]
// `npm run bench` runs it too, after the HTTP figures (issue 16).
const { spawn } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const http = require("node:http");
const os = require("node:os");
const path = require("node:path");
const { freePort, postgres, scratchDatabase, writeResult, printTable, root } = require("./lib");

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const USERS = Number(arg("users", "1000"));
const BATCH = Number(arg("batch", "100"));
const ENGINES = arg("engines", "embedded,postgres").split(",");
const SCIM = crypto.randomBytes(24).toString("hex");
const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
// --json: the report as JSON on stdout, the table on stderr (how `npm run bench` runs it).
const JSON_OUT = process.argv.includes("--json");
const say = JSON_OUT ? (...a) => console.error(...a) : (...a) => console.log(...a);

/** A create as Entra sends it (test/fixtures/idp/entra/user-lifecycle.json). */
const entraUser = (tag) => ({
  schemas: [USER, ENT],
  externalId: tag,
  userName: `${tag}@corp.example`,
  active: true,
  addresses: null,
  displayName: `User ${tag}`,
  emails: [{ primary: true, type: "work", value: `${tag}@corp.example` }],
  meta: { resourceType: "User" },
  name: { formatted: `Given ${tag} Family`, familyName: "Family", givenName: `Given ${tag}` },
  roles: [],
  [ENT]: { department: "Engineering", employeeNumber: String(crypto.randomInt(1e6)) },
});

/** One connection for the whole run: requests go one after another on it. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function send(base, method, p, body) {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = http.request(`${base}${p}`, { method, agent, headers: { authorization: `Bearer ${SCIM}`, "content-type": "application/scim+json", "content-length": Buffer.byteLength(text) } }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(text);
  });
}

async function singles(base, prefix, n) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const res = await send(base, "POST", "/scim/v2/Users", entraUser(`${prefix}${i}`));
    if (res.status !== 201) throw new Error(`POST /Users answered ${res.status}: ${res.body}`);
  }
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function bulks(base, prefix, n, batch) {
  const t = process.hrtime.bigint();
  let bytes = 0;
  for (let start = 0; start < n; start += batch) {
    const Operations = [];
    for (let i = start; i < Math.min(n, start + batch); i++) Operations.push({ method: "POST", path: "/Users", bulkId: `b${i}`, data: entraUser(`${prefix}${i}`) });
    const body = { schemas: [BULK], Operations };
    bytes = Math.max(bytes, Buffer.byteLength(JSON.stringify(body)));
    const res = await send(base, "POST", "/scim/v2/Bulk", body);
    if (res.status !== 200) throw new Error(`POST /Bulk answered ${res.status}: ${res.body}`);
    const failed = JSON.parse(res.body).Operations.filter((o) => o.status !== "201");
    if (failed.length > 0) throw new Error(`${failed.length} Bulk operations failed, e.g. ${JSON.stringify(failed[0])}`);
  }
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, largestBodyBytes: bytes };
}

async function waitReady(url) {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer`);
}

async function bench(engine, pgUrl) {
  let target;
  let drop;
  if (engine === "postgres") {
    const db = await scratchDatabase(pgUrl, "bench_bulk");
    target = { DATABASE_URL: db.url };
    drop = db.drop;
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-bulk-"));
    target = { DATA_DIR: dir };
    drop = async () => fs.rmSync(dir, { recursive: true, force: true });
  }
  const port = await freePort();
  const env = { ...process.env, ...target, PORT: String(port), LOG_LEVEL: "warn", BRIDGE_SCIM_TOKEN: SCIM, RATE_LIMIT: "off" };
  const child = spawn(process.execPath, ["bin/scim-bridge.js", "serve"], { cwd: root, env, stdio: ["ignore", "ignore", "inherit"] });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitReady(`${base}/readyz`);
    // Warm-up (JIT, prepared statements), unmeasured.
    await singles(base, "warm-single-", 50);
    await bulks(base, "warm-bulk-", 100, 50);
    const single = await singles(base, "single-", USERS);
    const bulk = await bulks(base, "bulk-", USERS, BATCH);
    return {
      singles: { users: USERS, ms: Math.round(single), msPerUser: Math.round((single / USERS) * 100) / 100 },
      bulk: { users: USERS, batch: BATCH, requests: Math.ceil(USERS / BATCH), ms: Math.round(bulk.ms), msPerUser: Math.round((bulk.ms / USERS) * 100) / 100, largestBodyBytes: bulk.largestBodyBytes },
    };
  } finally {
    await new Promise((resolve) => {
      child.once("exit", resolve);
      child.kill("SIGTERM");
    });
    await drop();
  }
}

async function main() {
  fs.accessSync(path.join(root, "dist/app.js"));
  const pg = ENGINES.includes("postgres") ? await postgres() : undefined;
  const report = { machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version }, postgres: pg?.note, engines: {} };
  for (const engine of ENGINES) report.engines[engine] = await bench(engine, pg?.url);
  pg?.stop();
  agent.destroy();
  const rows = [["ENGINE", `${USERS} SINGLE POSTs`, `${Math.ceil(USERS / BATCH)} BULKS OF ${BATCH}`, "BULK / SINGLE"]];
  for (const [engine, r] of Object.entries(report.engines)) {
    rows.push([engine, `${r.singles.msPerUser} ms/user (${r.singles.ms} ms)`, `${r.bulk.msPerUser} ms/user (${r.bulk.ms} ms)`, (r.bulk.msPerUser / r.singles.msPerUser).toFixed(2)]);
  }
  say(`\nUser creates, one after another on one connection (Entra-shaped bodies; a Bulk of ${BATCH} is ${Object.values(report.engines)[0]?.bulk.largestBodyBytes ?? "?"} bytes):\n`);
  printTable(rows, say);
  say(`\nwrote ${writeResult("bulk", report)}`);
  if (JSON_OUT) console.log(JSON.stringify(report));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
