#!/usr/bin/env node
"use strict";
// What one database query costs the bridge's process in CPU: a Prisma model query (compiled into a
// plan by Prisma 6's WebAssembly query compiler on every call) against the same statement as raw SQL.
// 2,000 calls each on a throwaway PostgreSQL (or BENCH_DATABASE_URL).   npm run bench:query-cost
const path = require("node:path");
const { Client } = require("pg");
const { postgres, writeResult, root } = require("./lib");

async function main() {
  const pg = await postgres();
  const name = `bench_query_${Date.now()}`;
  const admin = new Client({ connectionString: pg.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(pg.url);
  url.pathname = `/${name}`;
  const { openDatabase } = require(path.join(root, "dist/db/database.js"));
  const { migrate } = require(path.join(root, "dist/db/migrate.js"));
  const db = await openDatabase({ kind: "postgres", url: url.toString() });
  await migrate(db);
  const p = db.prisma;
  const user = await p.user.create({ data: { userName: "q@corp.example", userNameKey: "q@corp.example", username: "q", resource: {} } });
  const cases = [
    ["model: apiToken.findUnique", () => p.apiToken.findUnique({ where: { tokenHash: "abc" } })],
    ["raw: the same statement", () => p.$queryRawUnsafe("SELECT * FROM api_tokens WHERE token_hash = $1", "abc")],
    ["model: user.findMany by ids", () => p.user.findMany({ where: { id: { in: [user.id] } } })],
    ["raw: the same statement", () => p.$queryRawUnsafe("SELECT * FROM users WHERE id = ANY($1::uuid[])", [user.id])],
  ];
  const results = [];
  for (const [label, fn] of cases) {
    for (let i = 0; i < 200; i++) await fn();
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 2000; i++) await fn();
    const cpu = process.cpuUsage(c0);
    results.push({ label, wallMs: Number(process.hrtime.bigint() - t0) / 1e6 / 2000, cpuMs: (cpu.user + cpu.system) / 1000 / 2000 });
  }
  await db.close();
  await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
  await admin.end();
  pg.stop();
  for (const r of results) console.log(`${r.label.padEnd(30)} ${r.cpuMs.toFixed(3)} ms CPU, ${r.wallMs.toFixed(3)} ms wall per query`);
  console.log(`wrote ${writeResult("query-cost", results)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
