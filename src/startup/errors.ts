import path from "node:path";

/**
 * Why the bridge (or a CLI command) cannot start, in one line that says what to fix: the port in use,
 * a database that can't be reached or refuses us, a DATA_DIR that can't be written. `main()` prints the
 * message alone (no stack) and exits 1. Raw errors are classified here, at the few places they can
 * come from (src/startup/open.ts, src/startup/port.ts), so the rest of the code keeps its own errors.
 */
export class StartupError extends Error {
  constructor(message: string) {
    super(message.replace(/\s*\n\s*/g, " "));
    this.name = "StartupError";
  }
}

function errnoOf(err: unknown): NodeJS.ErrnoException | undefined {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === "string" ? (err as NodeJS.ErrnoException) : undefined;
}

/** DATABASE_URL without its password (messages and logs never carry secrets). */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "DATABASE_URL";
  }
}

/** What to check, by the error's code (node's errno, or PostgreSQL's SQLSTATE). */
const DATABASE_HINTS: Record<string, string> = {
  ECONNREFUSED: "nothing accepts connections there: is PostgreSQL running, and are the host and port right?",
  ENOTFOUND: "the host name does not resolve: check the host in DATABASE_URL",
  EAI_AGAIN: "the host name could not be resolved (DNS): check the host in DATABASE_URL",
  EHOSTUNREACH: "the host cannot be reached: check the host in DATABASE_URL and the network",
  ETIMEDOUT: "the connection timed out: check the host, the port and any firewall",
  "28P01": "check the user name and password in DATABASE_URL",
  "28000": "check the user name in DATABASE_URL (and the server's pg_hba.conf)",
  "3D000": "create it (createdb) or fix the database name in DATABASE_URL",
};

/** A failed first connection to PostgreSQL. */
export function databaseConnectFailure(err: unknown, url: string): StartupError {
  const errno = errnoOf(err);
  const message = err instanceof Error ? err.message : String(err);
  const code = errno?.code ?? (/timeout/i.test(message) ? "ETIMEDOUT" : undefined);
  const hint = code !== undefined ? DATABASE_HINTS[code] : undefined;
  return new StartupError(`cannot connect to the database at ${redactDatabaseUrl(url)}: ${message}${hint ? `; ${hint}` : ""}`);
}

/** A file-system error on DATA_DIR or below it (the lock file, the embedded database, the key file); undefined for anything else. */
export function dataDirFailure(err: unknown, dataDir: string): StartupError | undefined {
  const errno = errnoOf(err);
  if (!errno?.syscall || typeof errno.path !== "string") return undefined;
  const where = path.resolve(errno.path);
  const root = path.resolve(dataDir);
  // mkdir -p of DATA_DIR fails on an ancestor (a regular file in the way, a read-only parent).
  if (where !== root && !where.startsWith(root + path.sep) && !root.startsWith(where + path.sep)) return undefined;
  const why =
    errno.code === "ENOTDIR" || errno.code === "EEXIST"
      ? "a file is in the way of a directory"
      : errno.code === "EACCES" || errno.code === "EPERM"
        ? "permission denied"
        : errno.code === "EROFS"
          ? "the file system is read-only"
          : errno.code === "ENOSPC"
            ? "no space left on the device"
            : (errno.code ?? "error");
  return new StartupError(
    `DATA_DIR ${root} cannot be used: ${why} (${errno.syscall} ${where}); make it a directory this user can write, or set DATA_DIR to one`,
  );
}

/** A failed listen on PORT/HOST; undefined for anything else. */
export function listenFailure(err: unknown, host: string, port: number): StartupError | undefined {
  switch (errnoOf(err)?.code) {
    case "EADDRINUSE":
      return new StartupError(`port ${port} on ${host} is already in use (another scim-bridge or another program): stop it, or set PORT to a free port`);
    case "EACCES":
      return new StartupError(`port ${port} on ${host} needs privileges this user does not have: set PORT to 1024 or above`);
    case "EADDRNOTAVAIL":
      return new StartupError(`HOST ${host} is not an address of this machine: set HOST to one of its addresses, or 0.0.0.0 for all`);
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new StartupError(`HOST ${host} does not resolve: set HOST to an address of this machine`);
    default:
      return undefined;
  }
}
