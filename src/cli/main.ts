import { Command, InvalidArgumentError, Option } from "commander";
import { openForProcess, startBridge } from "../app";
import { TOKEN_SCOPES, type TokenScope } from "../auth/token-format";
import { createTokenService, TokenError, type TokenInfo } from "../auth/token-service";
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
import { table } from "./table";
import { HarnessFailed, harnessCommand } from "./harness";
import { HarnessError } from "../harness/errors";
import { SecretBoxError } from "../events/secret-box";

/**
 * The command line: `serve`, `migrate`, `token create|list|revoke`, `reconcile`, `collisions`, `users grants`, `webhooks redeliver`, `events tail`, `sync get|set`, `harness replay|listen`. Output meant for people goes to
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

function tokenRows(tokens: TokenInfo[]): string[][] {
  return [
    ["ID", "NAME", "SCOPE", "HINT", "ORIGIN", "CREATED", "LAST USED", "REVOKED"],
    ...tokens.map((t) => [
      t.id, t.name, t.scope, t.hint, t.origin,
      t.createdAt.toISOString(), t.lastUsedAt?.toISOString() ?? "-", t.revokedAt?.toISOString() ?? "-",
    ]),
  ];
}

async function withTokens<T>(config: Config, purpose: string, fn: (tokens: ReturnType<typeof createTokenService>) => Promise<T>): Promise<T> {
  const { db, close } = await openForProcess(config, purpose, cliLogger(config));
  try {
    return await fn(createTokenService(db.prisma));
  } finally {
    await close();
  }
}

/** The audit log's actor for changes made from the command line (it has no token to name). */
const CLI_ACTOR = "cli";

function parseScope(value: string): TokenScope {
  if ((TOKEN_SCOPES as readonly string[]).includes(value)) return value as TokenScope;
  throw new InvalidArgumentError(`must be one of ${TOKEN_SCOPES.join(", ")}`);
}

export function buildProgram(io: CliIo = defaultIo, loadConfig: () => Config = configFromProcess): Command {
  const program = new Command("scim-bridge")
    .description(
      "SCIM 2.0 provisioning bridge.\n\n" +
        "Configuration comes from the environment (PORT, HOST, DATABASE_URL, DATA_DIR, EMBEDDED_SHARED_BUFFERS, BASE_URL, LOG_LEVEL, " +
        "LOG_FORMAT, BODY_LIMIT, BULK_MAX_OPERATIONS, BULK_MAX_PAYLOAD, IMPORT_BODY_LIMIT, RECONCILE_MAX_SUSPEND_SHARE, RUN_RETENTION, BRIDGE_SCIM_TOKEN, " +
        "BRIDGE_ADMIN_TOKEN, BRIDGE_ENCRYPTION_KEY, WEBHOOK_ALLOW_PRIVATE_TARGETS, WEBHOOK_TIMEOUT, " +
        "WEBHOOK_RETRY_SCHEDULE, WEBHOOK_POLL_INTERVAL, WEBHOOK_RETENTION, RATE_LIMIT, TOKEN_CACHE_TTL); see README.md. Without DATABASE_URL the embedded database under DATA_DIR " +
        "(default ./data) is used.",
    )
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    // Before the subcommands are added, so they inherit it: errors come back to main() as exceptions.
    .exitOverride()
    .showHelpAfterError();

  program
    .command("serve")
    .description("apply migrations and serve the SCIM API (/scim/v2) and the admin API (/api/v2)")
    .action(async () => {
      const config = loadConfig();
      const logger = createLogger(config.log);
      const bridge = await startBridge(config, logger);
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        logger.info("shutting down", { signal });
        bridge.close().then(
          () => process.exit(0),
          (err: unknown) => {
            logger.error("shutdown failed", { error: String(err) });
            process.exit(1);
          },
        );
      };
      process.once("SIGINT", () => stop("SIGINT"));
      process.once("SIGTERM", () => stop("SIGTERM"));
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

  const token = program.command("token").description("manage bearer tokens (scope scim for IdPs, admin for the admin API)");

  token
    .command("create")
    .description("create a token; the secret is printed once, alone on the last line of stdout")
    .requiredOption("--name <name>", "a name to recognise the token by, e.g. okta-prod")
    .addOption(new Option("--scope <scope>", "scim (for an IdP) or admin (for /api/v2)").argParser(parseScope).makeOptionMandatory())
    .action(async (opts: { name: string; scope: TokenScope }) => {
      const config = loadConfig();
      const created = await withTokens(config, "token create", (t) => t.create({ name: opts.name, scope: opts.scope, origin: "cli", actor: CLI_ACTOR }));
      io.out(`created token "${created.info.name}" (scope ${created.info.scope}, id ${created.info.id}); it is shown only once:`);
      io.out(created.token);
    });

  token
    .command("list")
    .description("list tokens (never their secrets)")
    .option("--json", "print JSON instead of a table")
    .action(async (opts: { json?: boolean }) => {
      const config = loadConfig();
      const tokens = await withTokens(config, "token list", (t) => t.list());
      if (opts.json) io.out(JSON.stringify(tokens, null, 2));
      else if (tokens.length === 0) io.out("no tokens");
      else table(tokenRows(tokens)).forEach((l) => io.out(l));
    });

  token
    .command("revoke")
    .description("revoke a token by id or name; a running bridge refuses it within TOKEN_CACHE_TTL (default 10s)")
    .argument("<id-or-name>")
    .action(async (idOrName: string) => {
      const config = loadConfig();
      const t = await withTokens(config, "token revoke", (s) => s.revoke(idOrName, CLI_ACTOR));
      io.out(`revoked token "${t.name}" (${t.id})`);
    });

  program.addCommand(reconcileCommand(io, loadConfig, cliLogger));
  program.addCommand(collisionsCommand(io, loadConfig, cliLogger));
  program.addCommand(usersCommand(io, loadConfig, cliLogger));
  addWebhooksCommands(program, io, loadConfig, cliLogger, CLI_ACTOR);
  addEventsCommands(program, { ...io, untilStopped: io.untilStopped ?? untilSignal }, loadConfig, cliLogger);
  addSyncCommands(program, io, loadConfig, cliLogger, CLI_ACTOR);
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
    if (err instanceof ConfigError || err instanceof EmbeddedLockError || err instanceof MigrationError || err instanceof TokenError || err instanceof DirectoryError || err instanceof ReconcileFailed || err instanceof HarnessFailed || err instanceof HarnessError || err instanceof SecretBoxError) {
      io.err(`error: ${err.message}`);
      return 1;
    }
    io.err(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  }
}
