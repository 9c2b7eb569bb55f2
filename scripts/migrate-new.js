#!/usr/bin/env node
"use strict";
// Usage: npm run migrate:new -- <name>
// Writes the SQL that brings the committed migrations up to prisma/schema.prisma into a new
// prisma/migrations/<utc>_<name>/migration.sql. Review it before committing.
const fs = require("node:fs");
const path = require("node:path");
const { prismaDiff, root } = require("./prisma-diff");

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run migrate:new -- <name>   (name: lower-case letters, digits, _)");
  process.exit(64);
}
const r = prismaDiff([]);
if (r.status !== 0) {
  process.stderr.write(r.stderr);
  process.exit(r.status);
}
if (!r.stdout.trim() || /^-- This is an empty migration\.\s*$/.test(r.stdout.trim())) {
  console.log("The schema matches the migrations: nothing to write.");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
const dir = path.join(root, "prisma", "migrations", `${stamp}_${name}`);
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, "migration.sql"), r.stdout);
console.log(`wrote ${path.relative(root, dir)}/migration.sql`);
