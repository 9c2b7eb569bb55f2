#!/usr/bin/env node
"use strict";
// HTTP benchmarks (issues 8 and 15): the bridge against two references measured in the same run, on
// the embedded database and on PostgreSQL (a throwaway server with durable settings, or
// BENCH_DATABASE_URL): the HTTP floor (bench/floor.js, a bare Express app with constant bodies) and
// the database limit (bench/limit.js, a bare Express app doing only the request's database work
// through the driver). Each limit/bridge pair is run interleaved three times (limit, bridge, limit,
// bridge, …) and reported as medians; the bridge's CPU per request comes from /proc (utime + stime of
// its process over the load). Load comes from a separate autocannon process on loopback, bounded in
// time. Then the bridge's memory (bench/memory.js): idle RSS at first start (new database) and after a
// restart, and after 100k users. A report, not a test: prints a table and writes
// bench/results/http-*.json.
//   npm run bench [-- --duration 10 --connections 16 --pairs 3 --memory-seed 100000 --memory-users 10000 --engines embedded,postgres]
//   --only memory   only the memory figures (about a minute per engine, no load)
//   --json          the whole report as JSON on stdout (the tables go to stderr then)
const { spawn, spawnSync } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { Client } = require("pg");
const { freePort, postgres, seedUsers, writeResult, printTable, root } = require("./lib");
const { measureMemory } = require("./memory");

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const DURATION = Number(arg("duration", "10"));
const CONNECTIONS = Number(arg("connections", "16"));
const MEMORY_USERS = Number(arg("memory-users", "10000"));
const MEMORY_SEED = Number(arg("memory-seed", "100000"));
const ENGINES = arg("engines", "embedded,postgres").split(",");
const PAIRS = Number(arg("pairs", "3"));
const ONLY = arg("only", "all");
if (!["all", "memory"].includes(ONLY)) throw new Error(`--only: "all" or "memory", not "${ONLY}"`);
const JSON_OUT = process.argv.includes("--json");
// With --json, stdout carries the JSON alone.
const say = JSON_OUT ? (...a) => console.error(...a) : (...a) => console.log(...a);
const SCIM = crypto.randomBytes(24).toString("hex");
const USER = "urn:ietf:params:scim:schemas:core:2.0:User";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** CPU time (user + system) a process has used so far, in ms (clock ticks of 10 ms). */
const cpuMs = (pid) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
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

/** Processes that did not stop within 20 s of SIGTERM (killed then): reported with the results. */
const stuck = [];

function startProcess(args, env) {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      // A bridge whose shutdown waits on a transaction that never ends (seen with Prisma's interactive
      // transactions under load: a connection left "idle in transaction" after BEGIN) would hang the
      // whole benchmark: it is killed, and the report says so.
      const timer = setTimeout(() => {
        stuck.push(`${args.join(" ")} (${new Date().toISOString()})`);
        child.kill("SIGKILL");
      }, 20_000);
      child.once("exit", () => (clearTimeout(timer), resolve()));
      child.kill("SIGTERM");
    });
  return { child, stop };
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
  if (out.non2xx > out["2xx"] / 100) throw new Error(`${opts.method ?? "GET"} ${url}: ${out.non2xx} answers were not 2xx (of ${out["2xx"] + out.non2xx})`);
  return { rps: Math.round(out.requests.average), p50: out.latency.p50, p99: out.latency.p99, ok, non2xx: out.non2xx, errors: out.errors };
}

/** PATCH /Users/{id} over many users in turn, or (ids "create") POST /Users of new users (bench/load-rotate.js). */
function loadRotating(url, ids, duration = DURATION) {
  const file = path.join(os.tmpdir(), `bench-ids-${process.pid}.json`);
  if (ids !== "create") fs.writeFileSync(file, JSON.stringify(ids));
  const r = spawnSync(process.execPath, [path.join(root, "bench/load-rotate.js"), url, SCIM, String(CONNECTIONS), String(duration), ids === "create" ? "create" : file], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  fs.rmSync(file, { force: true });
  const out = JSON.parse(r.stdout);
  if (out.non2xx > out["2xx"] / 100) throw new Error(`${ids === "create" ? "POST" : "PATCH"} ${url}/scim/v2/Users: ${out.non2xx} answers were not 2xx (of ${out["2xx"] + out.non2xx})`);
  return { rps: Math.round(out.requests.average), p50: out.latency.p50, p99: out.latency.p99, ok: out["2xx"], non2xx: out.non2xx, errors: out.errors };
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

  // The database limit: bench/limit.js on the same database (never beside the bridge: the embedded
  // database is one process's).
  const runLimit = async (t, fn) => {
    const port = await freePort();
    const p = startProcess(["bench/limit.js", String(port)], engine === "postgres" ? { DATABASE_URL: t } : { DATA_DIR: t });
    try {
      await waitReady(`http://127.0.0.1:${port}/readyz`);
      return await fn(`http://127.0.0.1:${port}`);
    } finally {
      await p.stop();
    }
  };
  /** Limit and bridge interleaved PAIRS times; medians, and the bridge's CPU per answered request. */
  const paired = async (t, path_, opts, limit = true) => {
    const limits = [];
    const bridges = [];
    for (let k = 0; k < PAIRS; k++) {
      // Each process warms up for 2 s first (JIT, caches), unmeasured.
      const measure = (url) => (typeof opts === "function" ? opts(url) : load(`${url}${path_}`, opts));
      const warm = (url) => (typeof opts === "function" ? opts(url, 2) : load(`${url}${path_}`, { ...opts, duration: 2 }));
      if (limit) limits.push(await runLimit(t, async (url) => (warm(url), measure(url))));
      bridges.push(
        await run(t, async (url, pid) => {
          warm(url);
          const before = cpuMs(pid);
          const r = measure(url);
          return { ...r, cpuMsPerRequest: Math.round(((cpuMs(pid) - before) / Math.max(r.ok, 1)) * 100) / 100 };
        }),
      );
    }
    const pick = (rs) => rs.find((r) => r.rps === median(rs.map((x) => x.rps)));
    return { limit: limit ? { ...pick(limits), runs: limits.map((r) => r.rps) } : undefined, bridge: { ...pick(bridges), runs: bridges.map((r) => r.rps), cpuMsPerRequest: median(bridges.map((r) => r.cpuMsPerRequest)) } };
  };

  // 0. Memory: first start, restart, and 100k users (bench/memory.js).
  {
    const db0 = await fresh();
    results.idleMemory = await measureMemory({ target: db0.target, run, seed: (t, n) => seedUsers(t, engine, n), token: SCIM, users: MEMORY_SEED });
    await db0.drop();
  }
  if (ONLY === "memory") {
    if (admin) await admin.end();
    return results;
  }

  // 1. POST /Users, unique users (the default settings: default organization, audit, outbox), named
  // as real users are (bench/load-rotate.js create): with autocannon's request ids in the userName
  // (as before issue 15) every user of a connection competed for one 32-character handle base, and
  // each request measured the crowded-handle path (alice-1000 must find 999 handles taken).
  let db = await fresh();
  await seedUsers(db.target, engine, 0);
  results.post = await paired(db.target, "/scim/v2/Users", (url, duration) => loadRotating(url, "create", duration));
  await db.drop();

  // 2. GET /Users?filter=userName eq "…" (a hit) with 1k, then 100k users; with 1k also GET /Users/{id}
  // and PATCH /Users/{id} (replace one attribute, a different user each request).
  for (const n of [1000, 100000]) {
    db = await fresh();
    await seedUsers(db.target, engine, n);
    results[`filter${n}`] = await paired(db.target, `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "seed${Math.floor(n / 2)}@corp.example"`)}`, {});
    if (n === 1000) {
      const ids = await run(db.target, async (url) => {
        const all = [];
        for (let start = 1; ; start += 200) {
          const page = await (await fetch(`${url}/scim/v2/Users?attributes=id&startIndex=${start}&count=200`, { headers: { authorization: `Bearer ${SCIM}` } })).json();
          if (page.Resources.length === 0) return all;
          all.push(...page.Resources.map((r) => r.id));
        }
      });
      if (ids.length !== n) throw new Error(`expected ${n} user ids, read ${ids.length}`);
      results.getById = await paired(db.target, `/scim/v2/Users/${ids[500]}`, {});
      results.patch = await paired(db.target, "", (url, duration) => loadRotating(url, ids, duration), false);
    }
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
      load(`${url}/scim/v2/Users`, { method: "POST", amount: per, duration: 3600, body: JSON.stringify({ schemas: [USER], userName: `[<id>]-m${k}@corp.example` }) });
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
    post: load(`${url}/scim/v2/Users`, { method: "POST", body: JSON.stringify({ schemas: [USER], userName: "[<id>]@corp.example" }) }),
    get: load(`${url}/scim/v2/Users?filter=x`, {}),
  };
  await p.stop();
  return r;
}

/** The memory rows (bench/memory.js) of one engine. */
function memoryRows(engine, m) {
  const max = engine === "embedded" ? "≤ 250 MiB (aim 200)" : "≤ 120 MiB";
  return [
    ["RSS idle, first start (new database)", engine, `${m.firstStart.rssMiB} MiB (peak ${m.firstStart.peakMiB} MiB)`, "reported"],
    ["RSS idle after a restart", engine, `${m.restart.rssMiB} MiB (peak ${m.restart.peakMiB} MiB)`, max],
    [`RSS idle, ${m.users} users, after a few requests`, engine, `${m.afterUsers.rssMiB} MiB (${m.afterUsers.overRestartMiB >= 0 ? "+" : ""}${m.afterUsers.overRestartMiB} over the restart)`, "≤ +150 MiB"],
  ];
}

async function main() {
  fs.accessSync(path.join(root, "dist/app.js"));
  const pg = ENGINES.includes("postgres") ? await postgres() : undefined;
  const floor = ONLY === "all" ? await floorRun() : undefined;
  const report = { machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version }, only: ONLY, duration: DURATION, connections: CONNECTIONS, floor, engines: {} };
  for (const engine of ENGINES) report.engines[engine] = await bench(engine, pg?.url);
  pg?.stop();

  const more = [["BENCHMARK", "ENGINE", "RESULT", "TARGET"]];
  if (ONLY === "all") {
    const fmt = (r) => `${r.rps} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms`;
    const ratio = (a, b) => (a / b).toFixed(2);
    say(`\nHTTP floor (bare Express 5, constant bodies): POST ${fmt(floor.post)}; GET ${fmt(floor.get)}`);
    say(`Limit and bridge: ${PAIRS} interleaved pairs of ${DURATION} s, ${CONNECTIONS} connections; medians (each run's req/s in brackets); CPU = the bridge process's per answered request.\n`);
    const rows = [["BENCHMARK", "ENGINE", "DATABASE LIMIT", "BRIDGE", "× LIMIT", "MUST REACH", "× FLOOR", "CPU/REQ"]];
    for (const [engine, r] of Object.entries(report.engines)) {
      const line = (name, p, floorRps, must, limitRps = p.limit?.rps) => [
        name,
        engine,
        p.limit ? `${p.limit.rps} [${p.limit.runs.join(", ")}]` : "-",
        `${fmt(p.bridge)} [${p.bridge.runs.join(", ")}]`,
        limitRps ? ratio(p.bridge.rps, limitRps) : "-",
        must,
        ratio(p.bridge.rps, floorRps),
        `${p.bridge.cpuMsPerRequest} ms`,
      ];
      rows.push(line("POST /Users (unique)", r.post, floor.post.rps, "≥ 0.5 (CPU ≤ 1.5 ms)"));
      rows.push(line("GET filter userName eq, 1k users", r.filter1000, floor.get.rps, "≥ 0.5 (CPU ≤ 0.5 ms)"));
      rows.push(line("GET filter userName eq, 100k users", r.filter100000, floor.get.rps, "≥ 0.5"));
      rows.push(line("GET /Users/{id}, 1k users", r.getById, floor.get.rps, "≥ 0.5"));
      rows.push(line("PATCH /Users/{id} (replace one attribute)", r.patch, floor.post.rps, "≥ 0.4 × POST limit", r.post.limit.rps));
    }
    for (const [engine, r] of Object.entries(report.engines)) {
      more.push(["GET userName eq: 100k users / 1k", engine, ratio(r.filter1000.bridge.rps, r.filter100000.bridge.rps), "≤ 1.2 (aim 1.05)"]);
      more.push(["PATCH +1,000 members, group of 50k", engine, `${r.groupPatch.median} ms median (${r.groupPatch.ms.join(", ")})`, "< 1000 ms"]);
      more.push([`RSS: ${r.memory.seeded} users + ${r.memory.users} POSTed, then all read`, engine, `${r.memory.rssMiB.join(" → ")} MiB (${r.memory.seconds} s)`, "flat"]);
    }
    printTable(rows, say);
    say("");
  }
  for (const [engine, r] of Object.entries(report.engines)) more.push(...memoryRows(engine, r.idleMemory));
  printTable(more, say);
  // Bulk against single POSTs (issue 16): bench/bulk.js on the same engines (its own PostgreSQL, or
  // BENCH_DATABASE_URL), its table on stderr, its report in this one.
  if (ONLY === "all") {
    const r = spawnSync(process.execPath, [path.join(root, "bench/bulk.js"), "--engines", ENGINES.join(","), "--json"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`bench/bulk.js failed (exit ${r.status})`);
    report.bulk = JSON.parse(r.stdout.trim().split("\n").pop());
  }
  report.stuck = stuck;
  if (stuck.length > 0) say(`\n${stuck.length} process(es) did not stop within 20 s of SIGTERM and were killed:\n  ${stuck.join("\n  ")}`);
  say(`\nwrote ${writeResult("http", report)}`);
  if (JSON_OUT) console.log(JSON.stringify(report, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
