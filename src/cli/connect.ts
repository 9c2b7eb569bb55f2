import type { Command } from "commander";
import type { Config } from "../config/config";
import { EmbeddedLockError } from "../db/embedded-lock";
import type { Logger } from "../log/logger";
import type { AdminBackend } from "./backend";
import { openDirectBackend } from "./direct-backend";
import { openHttpBackend } from "./http-backend";

/**
 * How an admin command reaches the data: client mode when a bridge URL is given (`--url`, or
 * SCIM_BRIDGE_URL), through that bridge's admin API with an admin token (`--token`, or
 * SCIM_BRIDGE_TOKEN); otherwise direct mode, opening the database as the bridge does. With the
 * embedded database a running bridge holds the database, so direct mode is refused then, with a
 * DatabaseLocked that shows the client-mode command to run instead.
 */

/** A usage error found after parsing (missing token, options that don't go together): one line, exit 1. */
export class UsageError extends Error {}

/** Direct mode refused by the embedded database's lock; main() prints `render(argv)`. */
export class DatabaseLocked extends Error {
  constructor(readonly lock: EmbeddedLockError) {
    super(lock.message);
    this.name = "DatabaseLocked";
  }

  /** The message, with the command the user ran rewritten for client mode. */
  render(args: readonly string[]): string[] {
    const h = this.lock.holder;
    const url = h.url ?? "http://127.0.0.1:<port>";
    const command = ["scim-bridge", ...args.map(shellWord), "--url", url, "--token", "<admin token>"].join(" ");
    return [
      `error: the embedded database in ${this.lock.dataDir} is locked by process ${this.lock.holderPid} (${h.purpose}, since ${h.since}): ` +
        "while a bridge runs it holds the database, and opening it from a second process would corrupt it.",
      `Run the command through the running bridge's admin API instead (client mode; SCIM_BRIDGE_URL and SCIM_BRIDGE_TOKEN may replace --url and --token):`,
      `  ${command}`,
      `If no process ${this.lock.holderPid} exists, delete ${this.lock.file}.`,
    ];
  }
}

function shellWord(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface ClientOptions {
  url?: string;
  token?: string;
}

/** Adds `--url` and `--token` to an admin command. */
export function withClientOptions(cmd: Command): Command {
  return cmd
    .option("--url <url>", "client mode: run through the bridge at this URL (its admin API) instead of opening the database; default SCIM_BRIDGE_URL")
    .option("--token <token>", "client mode: an admin token for --url; default SCIM_BRIDGE_TOKEN (prefer the variable: arguments show in the process list)");
}

/** The bridge's address as client mode needs it: http(s), parseable, without credentials (which error messages would show). */
function checkUrl(url: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol) || !/^https?:\/\/[^/]+/.test(url)) throw new UsageError(`--url must be the bridge's http(s) URL, such as http://127.0.0.1:8080 (got ${url})`);
  if (parsed.username !== "" || parsed.password !== "") throw new UsageError("--url must not carry credentials: give the admin token with --token or SCIM_BRIDGE_TOKEN");
}

export type OpenBackend = (purpose: string, opts: ClientOptions) => Promise<AdminBackend>;

export function backendOpener(loadConfig: () => Config, logger: (c: Config) => Logger): OpenBackend {
  return async (purpose, opts) => {
    const config = loadConfig();
    const url = opts.url ?? config.client.url;
    if (url === undefined) {
      if (opts.token !== undefined) throw new UsageError("--token goes with --url (or SCIM_BRIDGE_URL): client mode");
      try {
        return await openDirectBackend(config, purpose, logger(config));
      } catch (err) {
        throw err instanceof EmbeddedLockError ? new DatabaseLocked(err) : err;
      }
    }
    checkUrl(url);
    const token = opts.token ?? config.client.token;
    if (token === undefined || token === "") throw new UsageError(`client mode (${url}) needs an admin token: --token <token>, or SCIM_BRIDGE_TOKEN`);
    return openHttpBackend({ url, token });
  };
}

/** Runs `fn` with a backend for the command, closing it after. */
export async function withBackend<T>(open: OpenBackend, purpose: string, opts: ClientOptions, fn: (b: AdminBackend) => Promise<T>): Promise<T> {
  const backend = await open(purpose, opts);
  try {
    return await fn(backend);
  } finally {
    await backend.close();
  }
}
