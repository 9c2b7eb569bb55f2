#!/usr/bin/env node
"use strict";
// The database limit (issue 15): a bare Express app doing only the database work each benchmarked
// request needs, through the driver directly, on the bridge's own migrated schema. What the bridge
// could reach if it spent nothing beyond the database's own work; `npm run bench` reports the bridge
// as a ratio of it, measured in the same run. No Prisma, no validation, no sync logic:
// - POST /scim/v2/Users: BEGIN; one statement inserting the user, its default-organization membership,
//   the audit row and the outbox event; COMMIT (three round trips);
// - GET /scim/v2/Users?filter=userName eq "…": one indexed lookup by the userName key;
// - GET /scim/v2/Users/:id: the same lookup by id.
// On PostgreSQL through a pg Pool of the bridge's size (10); embedded, PGlite in this process, as the
// bridge holds it (one connection, requests queued). Usage: node bench/limit.js PORT with DATABASE_URL
// (PostgreSQL) or DATA_DIR (embedded, already migrated and seeded by the bench).
const { randomUUID } = require("node:crypto");
const path = require("node:path");
const express = require("express");

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/** A query function on one connection per call (`tx` runs BEGIN … COMMIT on one). */
async function connect() {
  if (process.env.DATABASE_URL) {
    const { Pool } = require("pg");
    const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
    return {
      query: async (sql, params) => (await pool.query(sql, params)).rows,
      async tx(fn) {
        const c = await pool.connect();
        try {
          await c.query("BEGIN");
          const out = await fn(async (sql, params) => (await c.query(sql, params)).rows);
          await c.query("COMMIT");
          return out;
        } catch (err) {
          await c.query("ROLLBACK").catch(() => undefined);
          throw err;
        } finally {
          c.release();
        }
      },
    };
  }
  const { PGlite } = require("@electric-sql/pglite");
  const db = new PGlite(path.join(process.env.DATA_DIR, "pglite"));
  await db.waitReady;
  return {
    query: async (sql, params) => (await db.query(sql, params)).rows,
    tx: (fn) => db.transaction((t) => fn(async (sql, params) => (await t.query(sql, params)).rows)),
  };
}

const INSERT = `
  WITH u AS (
    INSERT INTO users (id, user_name, user_name_key, username, email, emails, given_name, family_name, status, resource, claims, updated_at)
    VALUES (gen_random_uuid(), $1, $2, $3, $4, ARRAY[$4], $5, $6, 'active', $7::jsonb, $8::jsonb, now())
    RETURNING id, created_at, updated_at, version),
  m AS (INSERT INTO organization_members (organization_id, user_id, source, updated_at) SELECT $9::uuid, id, 'sync', now() FROM u),
  a AS (INSERT INTO audit_events (id, actor, action, resource_type, resource_id, user_id) SELECT gen_random_uuid(), 'limit', 'user.created', 'user', id::text, id FROM u),
  o AS (INSERT INTO outbox_events (id, type, payload)
        SELECT gen_random_uuid(), 'user.created', jsonb_build_object('type', 'user.created', 'timestamp', now(), 'data', jsonb_build_object('id', id, 'organization_ids', jsonb_build_array($9::text))) FROM u)
  SELECT id::text AS id, created_at, updated_at, version FROM u`;

const SELECT = "SELECT id::text AS id, resource, status::text AS status, version, created_at, updated_at FROM users";

function render(row, base) {
  return {
    ...row.resource,
    schemas: [USER],
    id: row.id,
    active: row.status !== "suspended",
    meta: { resourceType: "User", created: new Date(row.created_at).toISOString(), lastModified: new Date(row.updated_at).toISOString(), location: `${base}/Users/${row.id}`, version: `W/"${row.version}"` },
  };
}

async function main() {
  const db = await connect();
  const [org] = await db.query("SELECT id::text AS id FROM organizations WHERE is_default");
  const app = express();
  app.use(express.json({ type: ["application/json", "application/scim+json"], limit: "1mb" }));
  const base = (req) => `http://${req.headers.host}/scim/v2`;
  const send = (res, status, body) => res.status(status).type("application/scim+json").send(JSON.stringify(body));

  app.post("/scim/v2/Users", async (req, res) => {
    const b = req.body;
    const userName = String(b.userName);
    const email = b.emails?.[0]?.value?.toLowerCase() ?? null;
    const resource = { userName, ...(b.name ? { name: b.name } : {}), ...(b.emails ? { emails: b.emails } : {}) };
    try {
      const [row] = await db.tx((q) =>
        q(INSERT, [userName, userName.toLowerCase(), randomUUID().replace(/-/g, ""), email, b.name?.givenName ?? null, b.name?.familyName ?? null, JSON.stringify(resource), JSON.stringify({ userName }), org.id]),
      );
      send(res, 201, render({ ...row, resource, status: "active" }, base(req)));
    } catch (err) {
      send(res, err.code === "23505" ? 409 : 500, { schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: err.code === "23505" ? "409" : "500", detail: err.message });
    }
  });

  app.get("/scim/v2/Users", async (req, res) => {
    const m = /^userName eq "(.*)"$/.exec(String(req.query.filter ?? ""));
    const rows = m ? await db.query(`${SELECT} WHERE user_name_key = $1 AND resource IS NOT NULL`, [m[1].toLowerCase()]) : [];
    send(res, 200, { schemas: [LIST], totalResults: rows.length, startIndex: 1, itemsPerPage: rows.length, Resources: rows.map((r) => render(r, base(req))) });
  });

  app.get("/scim/v2/Users/:id", async (req, res) => {
    const [row] = await db.query(`${SELECT} WHERE id = $1::uuid AND resource IS NOT NULL`, [req.params.id]);
    if (!row) return send(res, 404, { schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "404" });
    send(res, 200, render(row, base(req)));
  });

  app.get("/readyz", (_req, res) => res.send("ok"));
  app.listen(Number(process.argv[2]), "127.0.0.1", () => process.stdout.write("ready\n"));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
