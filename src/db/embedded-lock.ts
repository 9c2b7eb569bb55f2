import fs from "node:fs";
import path from "node:path";

/**
 * PGlite is an in-process database: two processes opening the same directory at once corrupt it.
 * Every process that opens the embedded database first takes this lock file, so `token create`
 * run beside a running server refuses with a clear message instead of damaging the data.
 */

export class EmbeddedLockError extends Error {
  readonly holderPid: number;
  /** What the holder does (`serve`, `token create`, …), since when, and for a serving bridge its address. */
  readonly holder: { purpose: string; since: string; url: string | undefined };
  readonly dataDir: string;
  readonly file: string;
  constructor(message: string, holderPid: number, details: { holder: { purpose: string; since: string; url: string | undefined }; dataDir: string; file: string }) {
    super(message);
    this.name = "EmbeddedLockError";
    this.holderPid = holderPid;
    this.holder = details.holder;
    this.dataDir = details.dataDir;
    this.file = details.file;
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
  /** A serving bridge's local address, written once it listens (noteLockAddress). */
  url?: string;
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
      return { pid: parsed.pid, purpose: String(p.purpose ?? "unknown"), since: String(p.since ?? ""), ...(typeof p.url === "string" ? { url: p.url } : {}) };
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
            "Stop it first, or while it runs go through its admin API (the CLI's client mode: --url and --token). " +
            `If no such process exists, delete ${file}.`,
          holder.pid,
          { holder: { purpose: holder.purpose, since: holder.since, url: holder.url }, dataDir, file },
        );
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`could not take the lock ${file}`);
}

/**
 * Adds a serving bridge's address to the lock this process holds on `dataDir`, so a CLI command
 * refused by the lock can show the client-mode command that reaches it. Best effort: the lock
 * works without it.
 */
export function noteLockAddress(dataDir: string, url: string): void {
  const file = path.join(dataDir, "bridge.lock");
  const holder = readLock(file);
  if (holder?.pid !== process.pid) return;
  // Written beside it, then renamed over it: a reader never sees a half-written lock (which it would take as stale).
  const next = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(next, JSON.stringify({ ...holder, url }), { mode: 0o600 });
    fs.renameSync(next, file);
  } catch {
    fs.rmSync(next, { force: true });
    // the lock itself is intact: only the suggestion loses its address
  }
}
