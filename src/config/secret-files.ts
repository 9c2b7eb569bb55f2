import fs from "node:fs";
import path from "node:path";

/**
 * `VAR_FILE` variables: a secret read from a file, as Docker secrets (`/run/secrets/…`) and Kubernetes
 * secret volumes provide them, so it never sits in the container's environment (`docker inspect`,
 * `/proc/<pid>/environ`). The file's content, less one trailing newline (what `echo` and most editors
 * add), becomes VAR's value and is validated exactly as VAR would be.
 */

/** The variables that may come from a file. */
export const FILE_VARIABLES = ["BRIDGE_SCIM_TOKEN", "BRIDGE_ADMIN_TOKEN", "BRIDGE_ENCRYPTION_KEY", "DATABASE_URL"] as const;

/** A secret file larger than this is a mistake (a wrong path, a device): refused before it is read. */
const MAX_SECRET_FILE_BYTES = 64 * 1024;

const isSet = (v: string | undefined): v is string => v !== undefined && v.trim() !== "";

function readSecretFile(file: string): string {
  const stat = fs.statSync(file);
  if (!stat.isFile()) throw new Error("it is not a regular file");
  if (stat.size > MAX_SECRET_FILE_BYTES) throw new Error(`it is larger than ${MAX_SECRET_FILE_BYTES / 1024} KiB`);
  return fs.readFileSync(file, "utf8").replace(/\r?\n$/, "");
}

function reason(err: unknown): string {
  if (err && typeof err === "object" && "code" in err) {
    const code = String(err.code);
    if (code === "ENOENT") return "no such file";
    if (code === "EACCES" || code === "EPERM") return "permission denied";
    return code;
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * Returns `env` with each `VAR_FILE` replaced by VAR read from that file (a relative path is taken from
 * `cwd`), the names of the variables that came from files, and a problem per variable that can't be
 * read or is set both ways. Problems name the variable and the path, never what the file holds.
 */
export function resolveFileVariables(
  env: Record<string, string | undefined>,
  cwd: string,
): { env: Record<string, string | undefined>; fromFile: Set<string>; problems: string[] } {
  const out: Record<string, string | undefined> = { ...env };
  const fromFile = new Set<string>();
  const problems: string[] = [];
  for (const name of FILE_VARIABLES) {
    const fileVar = `${name}_FILE`;
    const file = env[fileVar];
    delete out[fileVar];
    if (!isSet(file)) continue;
    if (isSet(env[name])) {
      problems.push(`${fileVar}: set either ${name} or ${fileVar}, not both`);
      continue;
    }
    const resolved = path.resolve(cwd, file.trim());
    try {
      out[name] = readSecretFile(resolved);
      fromFile.add(name);
    } catch (err) {
      problems.push(`${fileVar}: cannot read ${resolved}: ${reason(err)}`);
    }
  }
  return { env: out, fromFile, problems };
}
