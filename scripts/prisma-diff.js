"use strict";
// Runs `prisma migrate diff` from the committed migrations to the schema, offline (see
// prisma/cli-adapter.ts). Shared by migrate-new.js and migrate-check.js.
const { spawnSync } = require("node:child_process");
const path = require("node:path");

const root = path.resolve(__dirname, "..");

/** @param {string[]} extra @returns {{status: number, stdout: string, stderr: string}} */
function prismaDiff(extra) {
  const bin = path.join(root, "node_modules", ".bin", "prisma");
  const args = [
    "migrate", "diff",
    "--from-migrations", "prisma/migrations",
    "--to-schema-datamodel", "prisma/schema.prisma",
    "--script", ...extra,
  ];
  const r = spawnSync(bin, args, {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, CHECKPOINT_DISABLE: "1" },
  });
  if (r.error) throw r.error;
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

module.exports = { prismaDiff, root };
