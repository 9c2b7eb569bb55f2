import { InvalidArgumentError, Option, type Command } from "commander";
import { TOKEN_SCOPES, type TokenScope } from "../auth/token-format";
import type { TokenInfo } from "../auth/token-service";
import { withBackend, withClientOptions, type ClientOptions, type OpenBackend } from "./connect";
import { table } from "./table";

/**
 * `scim-bridge token create|list|revoke`: bearer tokens, directly in the database (a stopped bridge,
 * or PostgreSQL) or through a running bridge's `/api/v2/tokens` (client mode); the same output both
 * ways. The secret goes alone on the last line of stdout, so `$(...)` can capture it.
 */

function tokenRows(tokens: TokenInfo[]): string[][] {
  return [
    ["ID", "NAME", "SCOPE", "HINT", "ORIGIN", "CREATED", "LAST USED", "REVOKED"],
    ...tokens.map((t) => [
      t.id, t.name, t.scope, t.hint, t.origin,
      t.createdAt.toISOString(), t.lastUsedAt?.toISOString() ?? "-", t.revokedAt?.toISOString() ?? "-",
    ]),
  ];
}

function parseScope(value: string): TokenScope {
  if ((TOKEN_SCOPES as readonly string[]).includes(value)) return value as TokenScope;
  throw new InvalidArgumentError(`must be one of ${TOKEN_SCOPES.join(", ")}`);
}

export function addTokenCommands(program: Command, io: { out: (line: string) => void }, open: OpenBackend): void {
  const token = program.command("token").description("manage bearer tokens (scope scim for IdPs, admin for the admin API)");

  withClientOptions(
    token
      .command("create")
      .description("create a token; the secret is printed once, alone on the last line of stdout")
      .requiredOption("--name <name>", "a name to recognise the token by, e.g. okta-prod")
      .addOption(new Option("--scope <scope>", "scim (for an IdP) or admin (for /api/v2)").argParser(parseScope).makeOptionMandatory()),
  ).action(async (opts: ClientOptions & { name: string; scope: TokenScope }) => {
    const created = await withBackend(open, "token create", opts, (b) => b.createToken(opts.name, opts.scope));
    io.out(`created token "${created.info.name}" (scope ${created.info.scope}, id ${created.info.id}); it is shown only once:`);
    io.out(created.token);
  });

  withClientOptions(
    token
      .command("list")
      .description("list tokens (never their secrets)")
      .option("--json", "print JSON instead of a table"),
  ).action(async (opts: ClientOptions & { json?: boolean }) => {
    const tokens = await withBackend(open, "token list", opts, (b) => b.listTokens());
    if (opts.json) io.out(JSON.stringify(tokens, null, 2));
    else if (tokens.length === 0) io.out("no tokens");
    else table(tokenRows(tokens)).forEach((l) => io.out(l));
  });

  withClientOptions(
    token
      .command("revoke")
      .description("revoke a token by id or name; effective at once on a bridge it is revoked through (client mode), else a running bridge refuses it within TOKEN_CACHE_TTL (default 10s)")
      .argument("<id-or-name>"),
  ).action(async (idOrName: string, opts: ClientOptions) => {
    const t = await withBackend(open, "token revoke", opts, (b) => b.revokeToken(idOrName));
    io.out(`revoked token "${t.name}" (${t.id})`);
  });
}
