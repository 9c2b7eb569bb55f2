#!/usr/bin/env node
"use strict";
// Whether a create's cost stays flat as the users table grows (issue 15): the hot paths run as
// prepared statements whose generic plan, once chosen, is kept; a plan chosen while the table was small
// must not scan it. Creates N users one after another through the user service (the SCIM POST path
// without HTTP), on the embedded database (with the bridge's upkeep running, as `serve` runs it) and on
// a throwaway durable PostgreSQL (or BENCH_DATABASE_URL), and prints the time per create for each block.
//   npm run bench:create-growth [-- --users 20000 --block 2500 --engines embedded,postgres]
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { postgres, scratchDatabase, writeResult, printTable, root } = require("./lib");

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const USERS = Number(arg("users", "20000"));
const BLOCK = Number(arg("block", "2500"));
const ENGINES = arg("engines", "embedded,postgres").split(",");
const dist = (p) => require(path.join(root, "dist", p));

async function run(engine, target) {
  const { openDatabase } = dist("db/database.js");
  const { migrate } = dist("db/migrate.js");
  const { ensureDefaultOrganization } = dist("directory/bootstrap.js");
  const { createUserService } = dist("directory/users/user-service.js");
  const { startEmbeddedUpkeep } = dist("db/embedded-upkeep.js");
  const { createLogger } = dist("log/logger.js");
  const db = await openDatabase(target);
  await migrate(db);
  await ensureDefaultOrganization(db);
  const stopUpkeep = engine === "embedded" ? startEmbeddedUpkeep(db, createLogger({ level: "warn", format: "json" })) : undefined;
  const users = createUserService(db);
  const ctx = { actor: "bench", ifMatch: undefined };
  const blocks = [];
  for (let made = 0; made < USERS; ) {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    for (let i = 0; i < BLOCK && made < USERS; i++, made++) {
      const name = `grow-${made}@corp.example`;
      await users.create({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: name, name: { givenName: "Grow", familyName: `User ${made}` }, emails: [{ value: name, primary: true, type: "work" }] }, ctx);
    }
    const cpu = process.cpuUsage(c0);
    blocks.push({ users: made, msPerCreate: Number(process.hrtime.bigint() - t0) / 1e6 / BLOCK, cpuMsPerCreate: (cpu.user + cpu.system) / 1000 / BLOCK });
  }
  await stopUpkeep?.();
  await db.close();
  return blocks;
}

async function main() {
  const result = { users: USERS, block: BLOCK, node: process.version, engines: {} };
  for (const engine of ENGINES) {
    if (engine === "embedded") {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-growth-"));
      try {
        result.engines.embedded = await run("embedded", { kind: "embedded", dataDir: dir });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    } else {
      const pg = await postgres();
      const scratch = await scratchDatabase(pg.url, "bench_growth");
      try {
        result.engines.postgres = await run("postgres", { kind: "postgres", url: scratch.url });
      } finally {
        await scratch.drop();
        pg.stop();
      }
    }
  }
  const rows = [["ENGINE", "USERS", "MS/CREATE (WALL)", "CPU MS/CREATE (THIS PROCESS)"]];
  for (const [engine, blocks] of Object.entries(result.engines)) {
    for (const b of blocks) rows.push([engine, b.users, b.msPerCreate.toFixed(2), b.cpuMsPerCreate.toFixed(2)]);
  }
  printTable(rows);
  console.log(`wrote ${writeResult("create-growth", result)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
