"use strict";
// Shared by the benchmarks: a PostgreSQL to run against (BENCH_DATABASE_URL, or a throwaway server
// started here with durable settings and stopped afterwards), RSS sampling, and the report writer.
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { freePort } = require("../scripts/free-port");

const root = path.resolve(__dirname, "..");

/** A PostgreSQL server URL and a stop function. */
async function postgres() {
  if (process.env.BENCH_DATABASE_URL) return { url: process.env.BENCH_DATABASE_URL, stop: () => {}, note: "BENCH_DATABASE_URL" };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bridge-bench-pg-"));
  const port = await freePort();
  const r = spawnSync("bash", [path.join(root, "scripts/pg-temp.sh"), "start", dir, String(port)], { encoding: "utf8", env: { ...process.env, PG_TEMP_DURABLE: "1" } });
  if (r.status !== 0) throw new Error(`could not start PostgreSQL (install it: apt-get install postgresql, or set BENCH_DATABASE_URL):\n${r.stderr}`);
  const stop = () => {
    spawnSync("bash", [path.join(root, "scripts/pg-temp.sh"), "stop", dir], { stdio: "ignore" });
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", stop);
  return { url: r.stdout.trim().split("\n").pop(), stop, note: "throwaway PostgreSQL, durable settings" };
}

/** A new database on the PostgreSQL server at `serverUrl`: its URL, and `drop` (which also closes the admin connection). */
async function scratchDatabase(serverUrl, prefix) {
  const { Client } = require("pg");
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  const name = `${prefix}_${Date.now()}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: async () => (await admin.query(`DROP DATABASE ${name} WITH (FORCE)`), await admin.end()) };
}

/** Samples this process's RSS every `ms` until stopped; returns MiB figures. */
function sampleRss(ms = 200) {
  const samples = [];
  const timer = setInterval(() => samples.push(process.memoryUsage().rss), ms);
  timer.unref();
  return {
    mark: () => process.memoryUsage().rss / 2 ** 20,
    stop() {
      clearInterval(timer);
      const mib = samples.map((s) => s / 2 ** 20);
      return { samples: mib.length, max: Math.max(...mib), min: Math.min(...mib) };
    },
  };
}

function writeResult(name, result) {
  const dir = path.join(root, "bench", "results");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return path.relative(root, file);
}

/** Prints rows as aligned columns through `print` (console.log unless told). */
function printTable(rows, print = console.log) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const r of rows) print(r.map((c, i) => String(c).padEnd(widths[i])).join("  ").trimEnd());
}

/** Provisioned-looking users (resource, email, default organization membership), made in SQL. */
async function seedUsers(dbUrlOrDir, engine, n, offset = 0) {
  const dist = (m) => require(path.join(root, "dist", m));
  const { loadConfig } = dist("config/config.js");
  const { openForProcess } = dist("app.js");
  const { ensureDefaultOrganization } = dist("directory/bootstrap.js");
  const { createLogger } = dist("log/logger.js");
  const env = engine === "postgres" ? { DATABASE_URL: dbUrlOrDir } : { DATA_DIR: dbUrlOrDir };
  const { db, close } = await openForProcess(loadConfig({ ...env, LOG_LEVEL: "error" }, { cwd: root, isTty: false }), "bench", createLogger({ level: "error", format: "json", silent: true }));
  const org = await ensureDefaultOrganization(db);
  if (n > 0) {
    await db.prisma.$executeRawUnsafe(`
      INSERT INTO users (id, user_name, user_name_key, username, status, resource, claims, email, emails, updated_at)
      SELECT gen_random_uuid(), 'seed' || i || '@corp.example', 'seed' || i || '@corp.example', 'seed' || i, 'active',
             jsonb_build_object('userName', 'seed' || i || '@corp.example', 'emails', jsonb_build_array(jsonb_build_object('value', 'seed' || i || '@corp.example', 'primary', true))),
             '{}'::jsonb, 'seed' || i || '@corp.example', ARRAY['seed' || i || '@corp.example'], now()
        FROM generate_series(${offset}, ${offset + n - 1}) AS i`);
    await db.prisma.$executeRawUnsafe(`INSERT INTO organization_members (organization_id, user_id, source, updated_at) SELECT '${org.id}', id, 'sync', now() FROM users ON CONFLICT DO NOTHING`);
    await db.prisma.$executeRawUnsafe("ANALYZE");
  }
  await close();
}

module.exports = { root, freePort, postgres, scratchDatabase, seedUsers, sampleRss, writeResult, printTable };
