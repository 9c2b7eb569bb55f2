import fs from "node:fs";
import path from "node:path";

/**
 * DATA_DIR holds the embedded database (PostgreSQL's own files, `pg_control` included), the webhook
 * encryption key and the lock file: nobody but the bridge's user may read or write any of it.
 *
 * PGlite's Emscripten file system creates directories with 0777, left to the umask, and sets most
 * files to 0666 with an explicit chmod, which no umask limits: the database was readable and writable
 * by every local user. Three things make and keep it private:
 *
 * - `restrictUmask()`: the process umask gets 0077 added, so every file and directory created from
 *   then on, by the bridge or by PGlite while serving, has no group or other bits. The umask is per process;
 *   it is set only from the composition root (`openForProcess` in src/app.ts) and only for processes
 *   that open the embedded database. Those processes write nothing but DATA_DIR (logs and results go
 *   to stdout and stderr, whose files the shell opened), and their one child process creates a new
 *   embedded database (src/db/embedded-initdb.ts), so nothing that should be shared is affected.
 * - `PrivateNodeFS`: Emscripten also sets modes explicitly (chmod), which no umask limits: the
 *   database is opened through this file system, which masks them (src/db/database.ts).
 * - `makePrivate(dir)`: creates DATA_DIR (0700) if missing and takes the group and other bits off
 *   everything in it that has any, as an older version or a permissive umask left it. DATA_DIR itself
 *   may be a symbolic link (to another volume) and is followed; links inside it are neither changed nor followed (Linux has no lchmod; chmod would change the target, which may be
 *   outside DATA_DIR).
 */

/** Bits that give anyone but the owner access. */
export const NOT_OWNER = 0o077;

/** Adds 0077 to the process umask (keeping any stricter bits already set). */
export function restrictUmask(): void {
  // process.umask(mask) returns the previous mask; reading it alone is deprecated (DEP0139).
  const previous = process.umask(NOT_OWNER);
  if ((previous | NOT_OWNER) !== NOT_OWNER) process.umask(previous | NOT_OWNER);
}

/**
 * Creates `dir` (mode 0700) when missing, then removes the group and other permission bits from it
 * and every file and directory below it. Returns how many entries were changed.
 */
export function makePrivate(dir: string): number {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  let repaired = 0;
  const visit = (p: string): void => {
    // DATA_DIR itself is followed when it is a link (the operator chose where it points); nothing in it is.
    const st = p === dir ? fs.statSync(p) : fs.lstatSync(p);
    if (st.isSymbolicLink()) return;
    if ((st.mode & NOT_OWNER) !== 0) {
      fs.chmodSync(p, st.mode & 0o700);
      repaired++;
    }
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) visit(path.join(p, name));
  };
  visit(dir);
  return repaired;
}
