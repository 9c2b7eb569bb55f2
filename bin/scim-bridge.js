#!/usr/bin/env node
"use strict";
// Entry point of the `scim-bridge` command (`npx scim-bridge …` in a clone, `node bin/scim-bridge.js` in
// the image). The TypeScript sources are compiled to dist/ by `npm run build` (npm start and npm run cli
// do it first); without a build this says so in one line rather than failing on a missing module.
const path = require("node:path");
const fs = require("node:fs");

const entry = path.join(__dirname, "..", "dist", "cli", "main.js");
if (!fs.existsSync(entry)) {
  process.stderr.write("scim-bridge is not built yet: run `npm run build` (or `npm start`) first.\n");
  process.exit(1);
}
// The reader of our output may go away first (`scim-bridge token list | head -1`): the write fails with
// EPIPE and the stream is destroyed, so the rest of the output is dropped, and the command finishes as
// usual (closing the database, releasing DATA_DIR's lock) instead of crashing with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err) => {
    if (err.code !== "EPIPE") throw err;
  });
}
require(entry)
  .main(process.argv)
  .then((code) => {
    // `serve` keeps the process alive through its server; other commands end here.
    if (code !== 0) process.exit(code);
  });
