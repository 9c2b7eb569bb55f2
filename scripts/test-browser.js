#!/usr/bin/env node
"use strict";
// `npm run test:browser`: the admin console's tests in a real browser (test/browser/). Needs Debian's
// Chromium (`apt-get install -y chromium`, or CHROMIUM_PATH); builds the bridge and the console first.
// Screenshots of each scenario land in .test-results/screenshots/. Extra arguments go to jest.
const { spawn, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const chromium = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => p && fs.existsSync(p));
if (!chromium) {
  console.error("test:browser: no Chromium found. Install Debian's (apt-get install -y chromium) or set CHROMIUM_PATH.");
  process.exit(1);
}
const build = spawnSync("npm", ["run", "-s", "build"], { cwd: root, stdio: "inherit" });
if (build.status !== 0) {
  console.error("test:browser: npm run build failed");
  process.exit(1);
}
const jest = path.join(root, "node_modules", ".bin", "jest");
const child = spawn(jest, ["--config", "test/browser/jest.config.js", ...process.argv.slice(2)], {
  cwd: root,
  env: { ...process.env, CHROMIUM_PATH: chromium },
  stdio: "inherit",
});
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
