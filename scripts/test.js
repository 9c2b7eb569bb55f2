#!/usr/bin/env node
"use strict";
// `npm test`: the whole suite, on the embedded database and on PostgreSQL.
// - TEST_DATABASE_URL set: that server is used for the PostgreSQL half.
// - else, when PostgreSQL's server binaries are installed: a throwaway server is started on
//   127.0.0.1 (scripts/pg-temp.sh) and stopped afterwards, whatever happens.
// - else: embedded only, and it says so.
// Extra arguments go to jest (`npm test -- test/http`). Ends with a plain `N passed, N failed` line.
const { spawn, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { freePort } = require("./free-port");

const root = path.resolve(__dirname, "..");
const pgTemp = path.join(__dirname, "pg-temp.sh");

function hasPostgresBinaries() {
  const dirs = fs.existsSync("/usr/lib/postgresql")
    ? fs.readdirSync("/usr/lib/postgresql").map((v) => path.join("/usr/lib/postgresql", v, "bin"))
    : [];
  dirs.push(...(process.env.PATH || "").split(path.delimiter));
  return dirs.some((d) => fs.existsSync(path.join(d, "initdb")) && fs.existsSync(path.join(d, "pg_ctl")));
}

async function main() {
  const env = { ...process.env };
  env.NODE_OPTIONS = `${env.NODE_OPTIONS || ""} --experimental-vm-modules --no-warnings=ExperimentalWarning`.trim();
  let pgDir;
  const stopPg = () => {
    if (pgDir) {
      spawnSync("bash", [pgTemp, "stop", pgDir], { stdio: "ignore" });
      fs.rmSync(pgDir, { recursive: true, force: true });
      pgDir = undefined;
    }
  };

  if (env.TEST_DATABASE_URL) {
    console.log(`test: PostgreSQL at ${env.TEST_DATABASE_URL.replace(/\/\/[^@]*@/, "//***@")} and the embedded database`);
  } else if (hasPostgresBinaries()) {
    pgDir = fs.mkdtempSync(path.join(os.tmpdir(), "bridge-pg-"));
    const port = await freePort();
    const r = spawnSync("bash", [pgTemp, "start", pgDir, String(port)], { encoding: "utf8" });
    if (r.status !== 0) {
      process.stderr.write(r.stderr || "");
      stopPg();
      console.error("test: could not start a temporary PostgreSQL server");
      process.exit(1);
    }
    env.TEST_DATABASE_URL = r.stdout.trim().split("\n").pop();
    console.log(`test: started a temporary PostgreSQL on 127.0.0.1:${port}; testing it and the embedded database`);
  } else {
    console.log("test: PostgreSQL server binaries not found: testing the embedded database only.");
    console.log("      Install PostgreSQL (apt-get install postgresql) or set TEST_DATABASE_URL to include it.");
  }

  for (const sig of ["SIGINT", "SIGTERM"]) {
    process.on(sig, () => {
      stopPg();
      process.exit(130);
    });
  }

  // Tests that run the CLI as a child process (kill -9 tests) run the built dist/ (under a second).
  const build = spawnSync("npm", ["run", "-s", "build"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) {
    stopPg();
    console.error("test: npm run build failed");
    process.exit(1);
  }

  const outFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bridge-jest-")), "results.json");
  const jest = path.join(root, "node_modules", ".bin", "jest");
  const code = await new Promise((resolve) => {
    const child = spawn(jest, ["--json", `--outputFile=${outFile}`, ...process.argv.slice(2)], { cwd: root, env, stdio: "inherit" });
    child.on("exit", (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
  stopPg();

  let passed = 0;
  let failed = 0;
  let skipped = 0;
  try {
    const results = JSON.parse(fs.readFileSync(outFile, "utf8"));
    passed = results.numPassedTests;
    failed = results.numFailedTests;
    skipped = results.numPendingTests + (results.numTodoTests || 0);
  } catch {
    failed = Math.max(failed, 1);
  }
  fs.rmSync(path.dirname(outFile), { recursive: true, force: true });
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  process.exit(code !== 0 ? code : passed === 0 ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
