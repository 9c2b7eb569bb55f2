import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig, type Config } from "../../src/config/config";
import { emptyDatabase, type EngineName, type TestDatabase } from "./databases";

/**
 * For CLI tests run in process (`main(argv, io, config)`): before each test, a fresh DATA_DIR and an
 * empty database of `engine` (PostgreSQL via DATABASE_URL), as the environment would configure them;
 * both removed after it. Returns the current test's configuration.
 */
export function cliConfigPerTest(engine: EngineName, prefix = "bridge-cli-"): () => Config {
  let dataDir: string;
  let t: TestDatabase;
  let config: Config;
  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    t = await emptyDatabase(engine);
    const env: Record<string, string> = { DATA_DIR: dataDir, PORT: "0", LOG_LEVEL: "error" };
    if (t.target.kind === "postgres") env.DATABASE_URL = t.target.url;
    config = loadConfig(env, { cwd: dataDir, isTty: false });
  });
  afterEach(async () => {
    await t.cleanup();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return () => config;
}

/** A CliIo that keeps what a command printed: stdout lines, stderr lines and (as on a terminal, `tty`) progress bar updates. */
export function capture(tty = false): {
  io: { out: (l: string) => void; err: (l: string) => void; progress?: (t: string) => void };
  out: string[];
  err: string[];
  progress: string[];
} {
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  const io = { out: (l: string) => void out.push(l), err: (l: string) => void err.push(l), ...(tty ? { progress: (t: string) => void progress.push(t) } : {}) };
  return { io, out, err, progress };
}
