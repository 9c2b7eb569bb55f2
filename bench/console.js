#!/usr/bin/env node
"use strict";
// Console pages benchmark (issue 18): the admin API calls each console page makes, timed against the
// built bridge on PostgreSQL with 100,000 users (and a 200k-row audit log, 100k group memberships, a
// 100k-line reconciliation report, 100k webhook deliveries). Each call runs sequentially `--rounds`
// times, through a session cookie as the console sends them; the report gives p50/p95/max per call and
// per page, against the target: every page's calls under 300 ms at the 95th percentile.
// A report, not a test: prints a table and writes bench/results/console-*.json.
//   npm run bench:console [-- --users 100000 --rounds 40]
const { spawn } = require("node:child_process");
const path = require("node:path");
const os = require("node:os");
const { Client } = require("pg");
const { postgres, scratchDatabase, seedUsers, freePort, writeResult, printTable, root } = require("./lib");

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const TARGET_MS = 300;

async function seedMore(url, users) {
  const c = new Client({ connectionString: url });
  await c.connect();
  const q = (sql) => c.query(sql);
  // Claims naming one of 20 IdP groups, for the resync below (group sync with auto-created groups).
  await q(`UPDATE users SET claims = jsonb_build_object('groups', jsonb_build_array('team-' || (abs(hashtext(id::text)) % 20)))`);
  // Two audit rows per user over the last two days, by two SCIM tokens.
  await q(`INSERT INTO audit_events (id, created_at, actor, action, resource_type, resource_id, user_id, details)
           SELECT gen_random_uuid(), now() - (random() * interval '48 hours'), CASE WHEN k = 0 THEN 'okta' ELSE 'entra' END,
                  CASE WHEN k = 0 THEN 'user.created' ELSE 'user.updated' END, 'user', id::text, id, '{}'::jsonb
             FROM users, generate_series(0, 1) AS k`);
  await q("ANALYZE");
  await c.end();
  return users;
}

async function main() {
  const users = arg("users", 100000);
  const rounds = arg("rounds", 40);
  const pg = await postgres();
  const scratch = await scratchDatabase(pg.url, "bench_console");
  const adminToken = `bench-admin-${Date.now()}-0123456789`;
  let t = Date.now();
  await seedUsers(scratch.url, "postgres", users);
  await seedMore(scratch.url, users);
  console.log(`seeded ${users.toLocaleString()} users and ${(2 * users).toLocaleString()} audit rows in ${((Date.now() - t) / 1000).toFixed(1)} s`);

  const port = await freePort();
  const child = spawn(process.execPath, [path.join(root, "bin", "scim-bridge.js"), "serve"], {
    cwd: root,
    env: { PATH: process.env.PATH, DATABASE_URL: scratch.url, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "error", BRIDGE_ADMIN_TOKEN: adminToken, BRIDGE_ENCRYPTION_KEY: "ab".repeat(32), WEBHOOK_ALLOW_PRIVATE_TARGETS: "true" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  };
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/readyz`)).ok) break;
      } catch {}
      if (i > 1200) throw new Error("the bridge did not start");
      await new Promise((r) => setTimeout(r, 100));
    }
    const bearer = { authorization: `Bearer ${adminToken}`, "content-type": "application/json" };
    const api = async (method, p, body) => {
      const res = await fetch(`${base}/api/v2${p}`, { method, headers: bearer, ...(body ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text.slice(0, 300)}`);
      return text ? JSON.parse(text) : undefined;
    };

    // A 100k-line report: group sync switched on, a resync dry run over everyone.
    const org = (await api("GET", "/organizations")).find((o) => o.is_default) ?? (await api("GET", "/organizations"))[0];
    await api("PATCH", `/organizations/${org.id}/settings/idpsync/groups`, { field: "groups", mapping: {}, regex_filter: "^team-", auto_create_missing_groups: true });
    t = Date.now();
    let run = await api("POST", "/reconciliations?wait=60", { kind: "resync" });
    while (run.status === "running") {
      await new Promise((r) => setTimeout(r, 1000));
      run = await api("GET", `/reconciliations/${run.id}?limit=1`);
    }
    console.log(`resync dry run: ${run.summary.changes.toLocaleString()} report lines in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    // ...and applied, so that groups have members and the audit log has the sync rows.
    t = Date.now();
    let applied = await api("POST", `/reconciliations/${run.id}/apply?wait=60`);
    while (applied.status === "running") {
      await new Promise((r) => setTimeout(r, 1000));
      applied = await api("GET", `/reconciliations/${applied.id}?limit=1`);
    }
    console.log(`applied in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const hook = await api("POST", "/webhooks", { url: "http://127.0.0.1:9/bench" });

    // The console's way in: a session cookie.
    const signIn = await fetch(`${base}/api/v2/sessions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: adminToken }) });
    const cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0];
    const someUser = (await api("GET", `/users?q=username:seed${Math.floor(users / 2)}&limit=1`)).users[0];
    const groupList = await api("GET", `/organizations/${org.id}/groups?members=false`);
    // A synced group (about 5,000 members at 100k users), not Everyone.
    const group = groupList.find((g) => g.id !== org.id);
    if (!group) throw new Error(`no groups after the apply: ${JSON.stringify(applied).slice(0, 500)} ${JSON.stringify(groupList).slice(0, 300)}`);

    /** Each console page and the API calls it makes to show its first screen (and its deep pages). */
    const pages = {
      Overview: [`/overview`],
      "Users: first page": [`/users?limit=50&offset=0`],
      "Users: search": [`/users?q=seed${Math.floor(users * 0.77)}&limit=50`],
      "Users: last page": [`/users?limit=50&offset=${users - 50}`],
      "User page": [`/users/${someUser.id}`, `/users/${someUser.id}/scim`, `/users/${someUser.id}/grants`, `/audit?user=${someUser.id}&limit=50&offset=0`],
      Organizations: [`/organizations`],
      "Organization page": [`/organizations/${org.id}`, `/organizations/${org.id}/paginated-members?limit=50&offset=0`, `/organizations/${org.id}/groups?members=false`],
      "Organization page: last members": [`/organizations/${org.id}/paginated-members?limit=50&offset=${users - 50}`],
      "Add member: username search": [`/users?q=seed4242&limit=10`],
      "Group page": [`/groups/${group.id}?members=false`, `/groups/${group.id}/members?limit=50&offset=0`],
      "Everyone group (100k members)": [`/groups/${org.id}?members=false`, `/groups/${org.id}/members?limit=50&offset=${users - 50}`],
      "IdP sync settings": [`/settings/idpsync`],
      "Reconciliations: list": [`/reconciliations?limit=50`],
      "Reconciliation diff: first page": [`/reconciliations/${run.id}?limit=100`],
      "Reconciliation diff: last page": [`/reconciliations/${run.id}?limit=100&offset=${Math.max(0, run.summary.changes - 100)}`],
      "Reconciliation diff: changes only": [`/reconciliations/${run.id}?limit=100&kind=change`],
      "Reconciliation diff: one change type": [`/reconciliations/${run.id}?limit=100&kind=change&dimension=group&consequences=false`],
      "Reconciliation diff: one user": [`/reconciliations/${run.id}?limit=100&user=seed${Math.floor(users / 3)}&consequences=false`],
      Webhooks: [`/webhooks`, `/webhooks/${hook.id}/deliveries`],
      Tokens: [`/tokens`],
      "Audit log": [`/audit?limit=50`],
      "Audit log: filtered": [`/audit?action=user.&limit=50`, `/audit?since=${encodeURIComponent(new Date(Date.now() - 86_400_000).toISOString())}&limit=50`],
    };

    const time = async (p) => {
      const s = process.hrtime.bigint();
      const res = await fetch(`${base}/api/v2${p}`, { headers: { cookie, accept: "application/json" } });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`GET ${p}: ${res.status}`);
      return Number(process.hrtime.bigint() - s) / 1e6;
    };
    const pct = (xs, q) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)];
    const rows = [["page", "call", "p50 ms", "p95 ms", "max ms", "≤ 300 ms at p95"]];
    const result = { machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? "?"}`, node: process.version, users, rounds, database: pg.note, target_p95_ms: TARGET_MS, pages: {} };
    let allOk = true;
    for (const [page, calls] of Object.entries(pages)) {
      const out = [];
      for (const call of calls) {
        await time(call);
        await time(call);
        const xs = [];
        for (let i = 0; i < rounds; i++) xs.push(await time(call));
        const r = { call, p50: pct(xs, 0.5), p95: pct(xs, 0.95), max: Math.max(...xs) };
        out.push(r);
        const ok = r.p95 <= TARGET_MS;
        allOk &&= ok;
        rows.push([page, call.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "{id}").slice(0, 70), r.p50.toFixed(1), r.p95.toFixed(1), r.max.toFixed(1), ok ? "yes" : "NO"]);
      }
      result.pages[page] = out;
    }
    printTable(rows);
    result.all_within_target = allOk;
    console.log(`\n${allOk ? "every" : "NOT every"} page's calls within ${TARGET_MS} ms at p95 (${users.toLocaleString()} users, ${rounds} rounds each)`);
    console.log(`written to ${writeResult("console", result)}`);
  } finally {
    await stop();
    await scratch.drop();
    pg.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
