import fs from "node:fs";
import path from "node:path";

/**
 * PGlite is an in-process database: two processes opening the same directory at once corrupt it.
 * Every process that opens the embedded database first takes this lock file, so `token create`
 * run beside a running server refuses with a clear message instead of damaging the data.
 */

export class EmbeddedLockError extends Error {
  readonly holderPid: number;
  constructor(message: string, holderPid: number) {
    super(message);
    this.name = "EmbeddedLockError";
    this.holderPid = holderPid;
  }
}

export interface EmbeddedLock {
  readonly file: string;
  release(): void;
}

interface LockContent {
  pid: number;
  purpose: string;
  since: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Whether the lock is held by a live process. Our own pid needs care: in a container the bridge is
 * often pid 1 after every restart, so a lock with our pid written before this process started is a
 * stale one from a previous incarnation, while one written since is held by this very process.
 */
function heldByLiveProcess(holder: LockContent): boolean {
  if (holder.pid !== process.pid) return isAlive(holder.pid);
  const startedAt = Date.now() - process.uptime() * 1000;
  const since = Date.parse(holder.since);
  return Number.isFinite(since) && since >= startedAt - 1000;
}

function readLock(file: string): LockContent | undefined {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
    if (parsed && typeof parsed === "object" && "pid" in parsed && typeof parsed.pid === "number") {
      const p = parsed as Partial<LockContent>;
      return { pid: parsed.pid, purpose: String(p.purpose ?? "unknown"), since: String(p.since ?? "") };
    }
  } catch {
    // unreadable or half-written: treated as stale below
  }
  return undefined;
}

/**
 * Takes the lock on `dataDir` for this process, or throws EmbeddedLockError naming the process that
 * holds it. A lock left by a process that no longer exists (crash, kill -9) is taken over.
 */
export function acquireEmbeddedLock(dataDir: string, purpose: string): EmbeddedLock {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, "bridge.lock");
  const content: LockContent = { pid: process.pid, purpose, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(content), { flag: "wx", mode: 0o600 });
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        process.removeListener("exit", release);
        const holder = readLock(file);
        if (holder?.pid === process.pid) fs.rmSync(file, { force: true });
      };
      process.on("exit", release);
      return { file, release };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = readLock(file);
      if (holder && heldByLiveProcess(holder)) {
        throw new EmbeddedLockError(
          `the embedded database in ${dataDir} is in use by process ${holder.pid} (${holder.purpose}, since ${holder.since}). ` +
            "Stop it first, or while it runs use the admin API (POST/GET/DELETE /api/v2/tokens). " +
            `If no such process exists, delete ${file}.`,
          holder.pid,
        );
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`could not take the lock ${file}`);
}
