import { fork } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/**
 * How the embedded database is started, for its memory (issue 15). An idle bridge on PGlite's defaults
 * held 380 MB after a restart and 480 MB after its first start:
 *
 * - `shared_buffers`: PGlite starts PostgreSQL with its default 128 MB of shared buffers, and the whole
 *   pool becomes resident in the WebAssembly memory at start. The database's files are still cached by
 *   the operating system's page cache, so a smaller pool costs a read system call, not a disk read;
 *   16 MB took ~125 MB off the idle process. `wal_buffers` follows it (1/32 of it).
 * - initdb: creating a database runs a second PostgreSQL (initdb's WebAssembly module beside PGlite's),
 *   which peaks near 840 MB, and WebAssembly memory never shrinks, so that peak stayed in a serving
 *   process for good. A new database directory is created by a short-lived child process instead
 *   (src/db/embedded-initdb.ts); this process then opens an existing directory.
 */

/** The default of EMBEDDED_SHARED_BUFFERS (src/config/config.ts), for targets that don't say. */
export const DEFAULT_SHARED_BUFFERS_KB = 16 * 1024;

/** PostgreSQL's startup arguments for PGlite: its defaults plus our memory settings. */
export function embeddedStartParams(defaults: readonly string[], sharedBuffersKb: number): string[] {
  return [...defaults, "-c", `shared_buffers=${sharedBuffersKb}kB`];
}

/** Whether `location` (DATA_DIR/pglite) already holds a database: PostgreSQL writes PG_VERSION first thing. */
export function hasDatabase(location: string): boolean {
  return fs.existsSync(path.join(location, "PG_VERSION"));
}

/**
 * Runs initdb for `location` in a child process (src/db/embedded-initdb.ts) and waits for it. From the
 * compiled dist/ the child is the .js beside this file; from the TypeScript sources (the tests), it is
 * the .ts file through swc's require hook (scripts/ts-require.js, a development dependency).
 */
export async function createInChild(location: string, sharedBuffersKb: number): Promise<void> {
  const compiled = path.join(__dirname, "embedded-initdb.js");
  const [entry, execArgv] = fs.existsSync(compiled)
    ? [compiled, []]
    : [path.join(__dirname, "embedded-initdb.ts"), ["--require", path.resolve(__dirname, "..", "..", "scripts", "ts-require.js")]];
  const child = fork(entry, [location, String(sharedBuffersKb)], { execArgv, stdio: ["ignore", "ignore", "pipe", "ipc"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    // Enough to say what went wrong, never unbounded.
    if (stderr.length < 8192) stderr += chunk.toString("utf8");
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (c, signal) => resolve(signal ? null : c));
  });
  if (code !== 0 || !hasDatabase(location)) {
    throw new Error(`could not create the embedded database in ${location} (initdb child exited with ${code ?? "a signal"})${stderr ? `:\n${stderr.trim()}` : ""}`);
  }
}
