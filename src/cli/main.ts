import fs from "node:fs";
import path from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { z } from "zod";
import { openForProcess, startBridge, type RunningBridge } from "../app";
import { TokenError } from "../auth/token-service";
import { configFromProcess, ConfigError, type Config } from "../config/config";
import { EmbeddedLockError } from "../db/embedded-lock";
import { MigrationError } from "../db/migrate";
import { createLogger, type Logger } from "../log/logger";
import { DirectoryError } from "../directory/errors";
import { ReconcileFailed, reconcileCommand } from "./reconcile";
import { collisionsCommand } from "./collisions";
import { usersCommand } from "./users";
import { addWebhooksCommands } from "./webhooks";
import { addEventsCommands } from "./events";
import { addSyncCommands } from "./sync";
import { addTokenCommands } from "./tokens";
import { addRunsCommands } from "./runs";
import { backendOpener, DatabaseLocked, UsageError } from "./connect";
import { BridgeRequestError } from "./http-backend";
import { HarnessFailed, harnessCommand } from "./harness";
import { HarnessError } from "../harness/errors";
import { SecretBoxError } from "../events/secret-box";
import { StartupError } from "../startup/errors";

/**
 * The command line: `serve`, `migrate`, `token create|list|revoke`, `reconcile`, `runs list|show`,
 * `sync get|set`, `users show|grants`, `webhooks list|deliveries|redeliver`, `events tail`,
 * `collisions`, `harness replay|listen`. The admin commands run in one of two modes over the same
 * command layer (src/cli/connect.ts): directly in the database, or through a running bridge's admin
 * API (`--url`/`--token`, or SCIM_BRIDGE_URL/SCIM_BRIDGE_TOKEN). Output meant for people goes to
 * stderr (logs) and results to stdout, so `token create` can be captured with `$(...)`.
 */

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Rewrites the current stderr line (a progress bar); absent when stderr is not a terminal. */
  progress?: (text: string) => void;
  /** Resolves when the process should stop (`harness listen` and `events tail` run until then). */
  untilStopped?: () => Promise<void>;
}

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  ...(process.stderr.isTTY ? { progress: (text: string) => process.stderr.write(`\r\x1b[2K${text}`) } : {}),
};

/** Logs of CLI commands go to stderr; only `serve` logs to stdout. */
function cliLogger(config: Config): Logger {
  return createLogger({ level: config.log.level === "info" ? "warn" : config.log.level, format: config.log.format, stream: process.stderr });
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}

/** package.json's version (two levels up from src/cli and from dist/cli alike). */
function packageVersion(): string {
  const file = path.join(__dirname, "..", "..", "package.json");
  return z.object({ version: z.string() }).parse(JSON.parse(fs.readFileSync(file, "utf8"))).version;
}

function portNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError("must be a port number from 0 to 65535 (0 picks a free one)");
  return n;
}

export function buildProgram(io: CliIo = defaultIo, loadConfig: () => Config = configFromProcess): Command {
  const program = new Command("scim-bridge")
    .description(
      "SCIM 2.0 provisioning bridge.\n\n" +
        "Configuration comes from the environment (PORT, HOST, DATABASE_URL, DATA_DIR, EMBEDDED_SHARED_BUFFERS, BASE_URL, LOG_LEVEL, " +
        "LOG_FORMAT, BODY_LIMIT, BULK_MAX_OPERATIONS, BULK_MAX_PAYLOAD, IMPORT_BODY_LIMIT, RECONCILE_MAX_SUSPEND_SHARE, RUN_RETENTION, BRIDGE_SCIM_TOKEN, " +
        "BRIDGE_ADMIN_TOKEN, BRIDGE_ENCRYPTION_KEY, WEBHOOK_ALLOW_PRIVATE_TARGETS, WEBHOOK_TIMEOUT, " +
        "WEBHOOK_RETRY_SCHEDULE, WEBHOOK_POLL_INTERVAL, WEBHOOK_RETENTION, RATE_LIMIT, SIGN_IN_RATE_LIMIT, TOKEN_CACHE_TTL, SESSION_MAX_AGE, SESSION_IDLE_TIMEOUT, TRUST_PROXY); see README.md. Without DATABASE_URL the embedded database under DATA_DIR " +
        "(default ./data) is used. Durations take a unit (250ms, 10s, 5m, 2h, 30d); a bare number is milliseconds, and warned about at start. " +
        "BRIDGE_SCIM_TOKEN, BRIDGE_ADMIN_TOKEN, BRIDGE_ENCRYPTION_KEY and DATABASE_URL may instead be read from a file " +
        "named by the same variable with _FILE appended (Docker and Kubernetes secrets). TRUST_PROXY (default false) names the proxies whose " +
        "X-Forwarded-For/-Proto/-Host are believed: a list of addresses, CIDR ranges or loopback, or a hop count.\n\n" +
        "The admin commands (token, reconcile, runs, sync, users, webhooks, events, collisions) open the database directly, which needs the bridge stopped " +
        "when it uses the embedded database; or, with --url and --token (or SCIM_BRIDGE_URL and SCIM_BRIDGE_TOKEN), run through a running " +
        "bridge's admin API (client mode, an admin token) with the same output and exit codes.",
    )
    .version(packageVersion(), "-V, --version", "print the version (package.json's) and exit")
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    // Before the subcommands are added, so they inherit it: errors come back to main() as exceptions.
    .exitOverride()
    .showHelpAfterError();

  program
    .command("serve")
    .description(
      "apply migrations and serve the SCIM API (/scim/v2) and the admin API (/api/v2); the port is checked before the database is opened, " +
        "and a start that cannot work (port in use, database unreachable, DATA_DIR not writable, bad key) exits 1 with one line on stderr",
    )
    .addOption(new Option("--port <port>", "TCP port to listen on, over PORT (0 picks a free one)").argParser(portNumber))
    .option("--host <address>", "address to listen on, over HOST (0.0.0.0 for other machines)")
    .action(async (opts: { port?: number; host?: string }) => {
      const config = { ...loadConfig(), ...(opts.port !== undefined ? { port: opts.port } : {}), ...(opts.host !== undefined ? { host: opts.host } : {}) };
      const logger = createLogger(config.log);
      // The handlers go in before the start: a SIGTERM while migrations run (an orchestrator giving up on
      // a slow start) then waits for the start and closes cleanly (database closed, embedded lock
      // released) instead of killing the process half-way.
      let bridge: RunningBridge | undefined;
      let signalled: string | undefined;
      const shutdown = (running: RunningBridge): void => {
        running.close().then(
          () => process.exit(0),
          (err: unknown) => {
            logger.error("shutdown failed", { error: String(err) });
            process.exit(1);
          },
        );
      };
      const stop = (signal: string): void => {
        if (signalled) return;
        signalled = signal;
        logger.info("shutting down", { signal, ...(bridge ? {} : { during: "start" }) });
        if (bridge) shutdown(bridge);
      };
      process.once("SIGINT", () => stop("SIGINT"));
      process.once("SIGTERM", () => stop("SIGTERM"));
      bridge = await startBridge(config, logger);
      if (signalled) shutdown(bridge);
    });

  program
    .command("migrate")
    .description("apply pending database migrations and exit (serve does this too)")
    .action(async () => {
      const config = loadConfig();
      const { close } = await openForProcess(config, "migrate", cliLogger(config));
      await close();
      io.out("migrations: up to date");
    });

  const open = backendOpener(loadConfig, cliLogger);
  addTokenCommands(program, io, open);
  program.addCommand(reconcileCommand(io, open));
  addRunsCommands(program, io, open);
  addSyncCommands(program, io, open);
  program.addCommand(usersCommand(io, open));
  addWebhooksCommands(program, io, open);
  addEventsCommands(program, { ...io, untilStopped: io.untilStopped ?? untilSignal }, open);
  program.addCommand(collisionsCommand(io, open));
  program.addCommand(harnessCommand({ ...io, untilStopped: io.untilStopped ?? untilSignal }));

  return program;
}

/** Runs the CLI; returns the exit code (serve keeps running and never returns early). */
export async function main(argv: string[], io: CliIo = defaultIo, loadConfig?: () => Config): Promise<number> {
  const program = buildProgram(io, loadConfig);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err && typeof err === "object" && "exitCode" in err && "code" in err && String(err.code).startsWith("commander.")) {
      return Number(err.exitCode);
    }
    if (err instanceof DatabaseLocked) {
      err.render(argv.slice(2)).forEach((l) => io.err(l));
      return 1;
    }
    if (err instanceof BridgeRequestError || err instanceof UsageError || err instanceof ConfigError || err instanceof EmbeddedLockError || err instanceof MigrationError || err instanceof TokenError || err instanceof DirectoryError || err instanceof ReconcileFailed || err instanceof HarnessFailed || err instanceof HarnessError || err instanceof SecretBoxError || err instanceof StartupError) {
      io.err(`error: ${err.message}`);
      return 1;
    }
    io.err(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  }
}
