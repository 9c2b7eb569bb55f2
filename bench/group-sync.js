#!/usr/bin/env node
"use strict";
// A group push with group sync on: 2,000 users in the default organization, a group of 1,000, and one
// PATCH adding the other 1,000, which syncs all of them (claims refreshed, memberships planned and
// applied in one transaction). Throwaway PostgreSQL (or BENCH_DATABASE_URL).   npm run bench:group-sync
const path = require("node:path");
const { Client } = require("pg");
const { postgres, seedUsers, writeResult, root } = require("./lib");

async function main() {
  const pg = await postgres();
  const name = `bench_group_sync_${Date.now()}`;
  const admin = new Client({ connectionString: pg.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(pg.url);
  url.pathname = `/${name}`;
  await seedUsers(url.toString(), "postgres", 2000);
  const { loadConfig } = require(path.join(root, "dist/config/config.js"));
  const { startBridge } = require(path.join(root, "dist/app.js"));
  const { createLogger } = require(path.join(root, "dist/log/logger.js"));
  const S = "bench-scim-token-000000000001", A = "bench-admin-token-00000000001";
  const bridge = await startBridge(loadConfig({ DATABASE_URL: url.toString(), PORT: "0", LOG_LEVEL: "error", BRIDGE_SCIM_TOKEN: S, BRIDGE_ADMIN_TOKEN: A, RATE_LIMIT: "off" }, { cwd: root, isTty: false }), createLogger({ level: "error", format: "json", silent: true }));
  const h = (t) => ({ authorization: `Bearer ${t}`, "content-type": "application/json" });
  const org = (await (await fetch(`${bridge.url}/api/v2/organizations/default`, { headers: h(A) })).json()).id;
  await fetch(`${bridge.url}/api/v2/organizations/${org}/settings/idpsync/groups`, { method: "PATCH", headers: h(A), body: JSON.stringify({ field: "groups", mapping: {}, regex_filter: null, auto_create_missing_groups: true }) });
  const ids = [];
  for (let start = 1; ids.length < 2000; start += 200) ids.push(...(await (await fetch(`${bridge.url}/scim/v2/Users?attributes=id&startIndex=${start}&count=200`, { headers: h(S) })).json()).Resources.map((r) => r.id));
  const group = await (await fetch(`${bridge.url}/scim/v2/Groups`, { method: "POST", headers: h(S), body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Big", members: ids.slice(0, 1000).map((value) => ({ value })) }) })).json();
  const t = process.hrtime.bigint();
  const res = await fetch(`${bridge.url}/scim/v2/Groups/${group.id}?excludedAttributes=members`, { method: "PATCH", headers: h(S), body: JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "add", path: "members", value: ids.slice(1000).map((value) => ({ value })) }] }) });
  await res.text();
  const ms = Math.round(Number(process.hrtime.bigint() - t) / 1e6);
  await bridge.close();
  const check = new Client({ connectionString: url.toString() });
  await check.connect();
  const { rows } = await check.query(`SELECT count(*)::int AS n FROM group_members m JOIN groups g ON g.id = m.group_id WHERE g.name = 'Big'`);
  await check.end();
  await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
  await admin.end();
  pg.stop();
  if (res.status !== 200) throw new Error(`PATCH answered ${res.status}`);
  console.log(`PATCH adding 1,000 members with group sync on (${pg.note}): ${ms} ms; the synced application group has ${rows[0].n} members`);
  console.log(`wrote ${writeResult("group-sync", { ms, syncedMembers: rows[0].n })}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
