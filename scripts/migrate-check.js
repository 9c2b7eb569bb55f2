#!/usr/bin/env node
"use strict";
// Fails (exit 1) when prisma/schema.prisma and the committed migrations disagree. Used by .ci/run.
const { prismaDiff } = require("./prisma-diff");

const r = prismaDiff(["--exit-code"]);
if (r.status === 0) {
  console.log("migrations: schema and migrations agree");
} else if (r.status === 2) {
  console.error("migrations: drift: prisma/schema.prisma differs from prisma/migrations. Missing SQL:");
  console.error(r.stdout);
  console.error("Run `npm run migrate:new -- <name>` and commit the new migration.");
  process.exit(1);
} else {
  process.stderr.write(r.stderr);
  process.exit(r.status);
}
