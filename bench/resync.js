#!/usr/bin/env node
"use strict";
// Resync benchmark (issue 6): N users (default 100,000) on PostgreSQL whose group and role sync were
// just switched on; times a dry run, the apply, and the dry run after it, and samples RSS to show it
// stays flat (nothing per user is kept in memory). A report, not a test: prints a table and writes
// bench/results/resync-*.json.
//   npm run bench:resync [-- --users 100000 --batch 500]
// Runs the built code (npm run bench:resync builds first).
const { Client } = require("pg");
const { postgres, sampleRss, writeResult, printTable, root } = require("./lib");
const path = require("node:path");
const os = require("node:os");

const dist = (m) => require(path.join(root, "dist", m));

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main() {
  const users = arg("users", 100000);
  const batch = arg("batch", 500);
  const pg = await postgres();
  const name = `bench_resync_${Date.now()}`;
  const admin = new Client({ connectionString: pg.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(pg.url);
  url.pathname = `/${name}`;

  const { loadConfig } = dist("config/config.js");
  const { openForProcess } = dist("app.js");
  const { ensureDefaultOrganization } = dist("directory/bootstrap.js");
  const { createLogger } = dist("log/logger.js");
  const { createReconciliationService } = dist("reconcile/service.js");
  const { createUserService } = dist("directory/users/user-service.js");
  const { createGroupService } = dist("directory/groups/group-service.js");
  const logger = createLogger({ level: "error", format: "json" });
  const config = loadConfig({ DATABASE_URL: url.toString(), LOG_LEVEL: "error" }, { cwd: root, isTty: false });
  const { db, close } = await openForProcess(config, "bench", logger);
  const org = await ensureDefaultOrganization(db);

  // Seed in SQL: users with claims naming 2 of 27 groups, 1 in 50 a lead (a role); all in the default org.
  let t = Date.now();
  await db.prisma.$executeRawUnsafe(`
    INSERT INTO users (id, user_name, user_name_key, username, status, resource, claims, updated_at)
    SELECT gen_random_uuid(), 'user' || i || '@corp.example', 'user' || i || '@corp.example', 'user' || i, 'active',
           jsonb_build_object('userName', 'user' || i || '@corp.example'),
           jsonb_build_object('groups', jsonb_build_array('team-' || (i % 20), 'dept-' || (i % 7)))
             || CASE WHEN i % 50 = 0 THEN '{"title": "lead"}'::jsonb ELSE '{}'::jsonb END,
           now()
      FROM generate_series(0, ${users - 1}) AS i`);
  await db.prisma.$executeRawUnsafe(`INSERT INTO organization_members (organization_id, user_id, source, updated_at) SELECT '${org.id}', id, 'sync', now() FROM users`);
  await db.prisma.syncSetting.createMany({
    data: [
      { key: `${org.id}:group-sync-settings`, value: { field: "groups", mapping: null, regex_filter: "^(team|dept)-", auto_create_missing_groups: true } },
      { key: `${org.id}:role-sync-settings`, value: { field: "title", mapping: { lead: ["organization-admin"] } } },
    ],
  });
  await db.prisma.$executeRawUnsafe("ANALYZE");
  const seedMs = Date.now() - t;

  const service = createReconciliationService({ db, users: createUserService(db), groups: createGroupService(db.prisma), maxSuspendShare: 0.1, logger });
  const phases = [];
  for (const [label, dry_run] of [["dry run", true], ["apply", false], ["dry run after", true]]) {
    if (global.gc) global.gc();
    const rss = sampleRss();
    const at = [];
    t = Date.now();
    const started = await service.start({ kind: "resync", dry_run, batch_size: batch }, "bench", {
      onProgress: (scanned, total) => {
        for (const q of [0.1, 0.5, 0.9]) if (at.length < 3 && scanned >= q * total && at.length === [0.1, 0.5, 0.9].indexOf(q)) at.push(Math.round(rss.mark()));
      },
    });
    const run = await started.finished;
    const ms = Date.now() - t;
    const mem = rss.stop();
    if (run.status !== "completed") throw new Error(`${label} failed: ${run.error}`);
    phases.push({ label, seconds: ms / 1000, usersPerSecond: Math.round(users / (ms / 1000)), changes: run.summary.changes, rssAt10_50_90: at, rssMaxMiB: Math.round(mem.max) });
  }
  await service.close();
  await close();
  await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
  await admin.end();
  pg.stop();

  console.log(`resync of ${users} users on PostgreSQL (${pg.note}), batches of ${batch}; seeding took ${(seedMs / 1000).toFixed(1)} s`);
  printTable([
    ["PHASE", "SECONDS", "USERS/S", "CHANGES", "RSS MiB AT 10/50/90%", "RSS MAX MiB"],
    ...phases.map((p) => [p.label, p.seconds.toFixed(1), p.usersPerSecond, p.changes, p.rssAt10_50_90.join(" / "), p.rssMaxMiB]),
  ]);
  const target = phases[1].seconds < 60 ? "met" : "MISSED";
  console.log(`target: apply of ${users} users in < 60 s: ${target}`);
  const file = writeResult("resync", { users, batch, machine: { cpus: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30) }, database: pg.note, seedMs, phases });
  console.log(`wrote ${file}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
