#!/usr/bin/env node
"use strict";
// HTTP benchmarks (issue 8): the bridge against the bare Express floor, on the embedded database and
// on PostgreSQL (a throwaway server with durable settings, or BENCH_DATABASE_URL). Load comes from a
// separate autocannon process on loopback, bounded in time. A report, not a test: prints a table and
// writes bench/results/http-*.json.
//   npm run bench [-- --duration 10 --connections 16 --memory-seed 100000 --memory-users 10000 --engines embedded,postgres]
const { spawn, spawnSync } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { Client } = require("pg");
const { freePort, postgres, seedUsers, writeResult, printTable, root } = require("./lib");

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const DURATION = Number(arg("duration", "10"));
const CONNECTIONS = Number(arg("connections", "16"));
const MEMORY_USERS = Number(arg("memory-users", "10000"));
const MEMORY_SEED = Number(arg("memory-seed", "100000"));
const ENGINES = arg("engines", "embedded,postgres").split(",");
const SCIM = crypto.randomBytes(24).toString("hex");
const USER = "urn:ietf:params:scim:schemas:core:2.0:User";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rssMiB = (pid) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
};

async function waitReady(url) {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await sleep(100);
  }
  throw new Error(`${url} did not answer`);
}

function startProcess(args, env) {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] });
  return { child, stop: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once("exit", r), child.kill("SIGTERM")))) };
}

/** autocannon as its own process; returns req/s and latency percentiles. */
function load(url, opts) {
  const args = [path.join(root, "node_modules/autocannon/autocannon.js"), "--json", "-c", String(opts.connections ?? CONNECTIONS), "-d", String(opts.duration ?? DURATION), "-m", opts.method ?? "GET", "-H", `Authorization=Bearer ${SCIM}`, "-H", "Content-Type=application/scim+json"];
  if (opts.body) args.push("-b", opts.body, "-I");
  if (opts.amount) args.push("-a", String(opts.amount));
  args.push(url);
  const r = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const out = JSON.parse(r.stdout);
  const ok = out["2xx"];
  return { rps: Math.round(out.requests.average), p50: out.latency.p50, p99: out.latency.p99, ok, non2xx: out.non2xx, errors: out.errors };
}

async function bench(engine, pgUrl) {
  const results = {};
  let target;
  let dataDir;
  const admin = pgUrl ? new Client({ connectionString: pgUrl }) : undefined;
  const fresh = async () => {
    if (engine === "postgres") {
      const name = `bench_http_${Date.now()}`;
      await admin.query(`CREATE DATABASE ${name}`);
      const u = new URL(pgUrl);
      u.pathname = `/${name}`;
      return { target: u.toString(), drop: () => admin.query(`DROP DATABASE ${name} WITH (FORCE)`) };
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-embedded-"));
    return { target: dir, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  };
  if (admin) await admin.connect();
  const bridgeEnv = (t, port) => ({ PORT: String(port), LOG_LEVEL: "warn", BRIDGE_SCIM_TOKEN: SCIM, RATE_LIMIT: "off", ...(engine === "postgres" ? { DATABASE_URL: t } : { DATA_DIR: t }) });
  const run = async (t, fn) => {
    const port = await freePort();
    const p = startProcess(["bin/scim-bridge.js", "serve"], bridgeEnv(t, port));
    try {
      await waitReady(`http://127.0.0.1:${port}/readyz`);
      return await fn(`http://127.0.0.1:${port}`, p.child.pid);
    } finally {
      await p.stop();
    }
  };

  // 1. POST /Users, unique users.
  let db = await fresh();
  await seedUsers(db.target, engine, 0);
  results.post = await run(db.target, async (url) => load(`${url}/scim/v2/Users`, { method: "POST", body: JSON.stringify({ schemas: [USER], userName: "bench-[<id>]@corp.example", name: { givenName: "Bench", familyName: "User" }, emails: [{ value: "bench-[<id>]@corp.example", primary: true, type: "work" }] }) }));
  await db.drop();

  // 2. GET /Users?filter=userName eq "…" with 1k, then 100k users.
  for (const n of [1000, 100000]) {
    db = await fresh();
    await seedUsers(db.target, engine, n);
    results[`filter${n}`] = await run(db.target, async (url) => load(`${url}/scim/v2/Users?filter=${encodeURIComponent(`userName eq "seed${Math.floor(n / 2)}@corp.example"`)}`, {}));
    await db.drop();
  }

  // 3. PATCH adding 1,000 members to a group of 50,000.
  db = await fresh();
  await seedUsers(db.target, engine, 53000);
  results.groupPatch = await run(db.target, async (url) => {
    const h = { authorization: `Bearer ${SCIM}`, "content-type": "application/scim+json" };
    const ids = [];
    for (let start = 1; ids.length < 53000; start += 200) {
      const page = await (await fetch(`${url}/scim/v2/Users?attributes=id&startIndex=${start}&count=200`, { headers: h })).json();
      if (page.Resources.length === 0) break;
      ids.push(...page.Resources.map((r) => r.id));
    }
    const group = await (await fetch(`${url}/scim/v2/Groups`, { method: "POST", headers: h, body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Big" }) })).json();
    for (let i = 0; i < 50000; i += 5000) {
      await fetch(`${url}/scim/v2/Groups/${group.id}`, { method: "PATCH", headers: h, body: JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "add", path: "members", value: ids.slice(i, i + 5000).map((value) => ({ value })) }] }) });
    }
    const times = [];
    for (let k = 0; k < 3; k++) {
      const batch = ids.slice(50000 + k * 1000, 51000 + k * 1000).map((value) => ({ value }));
      const t = process.hrtime.bigint();
      const res = await fetch(`${url}/scim/v2/Groups/${group.id}?excludedAttributes=members`, { method: "PATCH", headers: h, body: JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "add", path: "members", value: batch }] }) });
      await res.text();
      if (res.status !== 200) throw new Error(`group PATCH answered ${res.status}`);
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    return { ms: times.map((x) => Math.round(x)), median: Math.round([...times].sort((a, b) => a - b)[1]) };
  });
  await db.drop();

  // 4. Memory: with MEMORY_SEED users already there (seeded in SQL: provisioning 100k over HTTP takes
  // ~20 min here), RSS while provisioning MEMORY_USERS more over HTTP, sampled after each fifth, and
  // after reading every user once (a per-user cache would show as growth).
  db = await fresh();
  await seedUsers(db.target, engine, MEMORY_SEED);
  results.memory = await run(db.target, async (url, pid) => {
    const samples = [rssMiB(pid)];
    // autocannon stalls when asked for fewer requests than it has connections.
    const per = Math.max(Math.ceil(MEMORY_USERS / 5), CONNECTIONS);
    const started = Date.now();
    for (let k = 0; k < 5; k++) {
      load(`${url}/scim/v2/Users`, { method: "POST", amount: per, duration: 3600, body: JSON.stringify({ schemas: [USER], userName: `mem${k}-[<id>]@corp.example` }) });
      samples.push(rssMiB(pid));
    }
    const h = { authorization: `Bearer ${SCIM}` };
    for (let start = 1; ; start += 200) {
      const page = await (await fetch(`${url}/scim/v2/Users?startIndex=${start}&count=200`, { headers: h })).json();
      if (page.Resources.length === 0) break;
    }
    samples.push(rssMiB(pid));
    return { seeded: MEMORY_SEED, users: per * 5, rssMiB: samples, seconds: Math.round((Date.now() - started) / 1000) };
  });
  await db.drop();
  if (admin) await admin.end();
  return results;
}

async function floorRun() {
  const port = await freePort();
  const p = startProcess(["bench/floor.js", String(port)], {});
  await sleep(300);
  const url = `http://127.0.0.1:${port}`;
  await waitReady(`${url}/scim/v2/Users`);
  const r = {
    post: load(`${url}/scim/v2/Users`, { method: "POST", body: JSON.stringify({ schemas: [USER], userName: "bench-[<id>]@corp.example" }) }),
    get: load(`${url}/scim/v2/Users?filter=x`, {}),
  };
  await p.stop();
  return r;
}

async function main() {
  fs.accessSync(path.join(root, "dist/app.js"));
  const pg = ENGINES.includes("postgres") ? await postgres() : undefined;
  const floor = await floorRun();
  const report = { machine: { cpus: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version }, duration: DURATION, connections: CONNECTIONS, floor, engines: {} };
  for (const engine of ENGINES) report.engines[engine] = await bench(engine, pg?.url);
  pg?.stop();

  const fmt = (r) => `${r.rps} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms`;
  console.log(`\nHTTP floor (bare Express 5, constant bodies): POST ${fmt(floor.post)}; GET ${fmt(floor.get)}\n`);
  const rows = [["BENCHMARK", "ENGINE", "RESULT", "× FLOOR", "TARGET"]];
  for (const [engine, r] of Object.entries(report.engines)) {
    rows.push(["POST /Users (unique, 16 conns)", engine, fmt(r.post), (r.post.rps / floor.post.rps).toFixed(2), engine === "postgres" ? "≥ 0.40" : "-"]);
    rows.push(["GET filter userName eq, 1k users", engine, fmt(r.filter1000), (r.filter1000.rps / floor.get.rps).toFixed(2), "≥ 0.70"]);
    rows.push(["GET filter userName eq, 100k users", engine, fmt(r.filter100000), (r.filter100000.rps / floor.get.rps).toFixed(2), `≥ 0.70; ${(r.filter1000.rps / r.filter100000.rps).toFixed(2)}× the 1k time (≤ 1.3)`]);
    rows.push(["PATCH +1,000 members, group of 50k", engine, `${r.groupPatch.median} ms median (${r.groupPatch.ms.join(", ")})`, "-", "< 1000 ms"]);
    rows.push([`RSS: ${r.memory.seeded} users + ${r.memory.users} POSTed, then all read`, engine, `${r.memory.rssMiB.join(" → ")} MiB (${r.memory.seconds} s)`, "-", "flat"]);
  }
  printTable(rows);
  console.log(`\nwrote ${writeResult("http", report)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
