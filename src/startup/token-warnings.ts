import type { TokenInfo } from "../auth/token-service";

/**
 * The `warn` lines a start gets when a scope has no usable token: a new install's bridge serves, but
 * nobody can talk to it yet, and the way out differs. On the embedded database the CLI can't open the
 * database while the bridge runs (DATA_DIR/bridge.lock), so with no admin token the running bridge can
 * only get one from BRIDGE_ADMIN_TOKEN and a restart; on PostgreSQL `token create` works beside it.
 */
export function missingTokenWarnings(tokens: readonly TokenInfo[], database: "embedded" | "postgres"): string[] {
  const active = new Set(tokens.filter((t) => t.revokedAt === null).map((t) => t.scope));
  const warnings: string[] = [];
  const cli = (scope: string, name: string) => `scim-bridge token create --name ${name} --scope ${scope}`;
  if (!active.has("admin")) {
    warnings.push(
      database === "embedded"
        ? "no token of scope admin exists, so the admin API (/api/v2) refuses every request. While the bridge runs, the only way to get one is " +
            `to set BRIDGE_ADMIN_TOKEN and restart; or stop the bridge and run \`${cli("admin", "admin")}\` (it works against a stopped bridge)`
        : "no token of scope admin exists, so the admin API (/api/v2) refuses every request: run " +
            `\`${cli("admin", "admin")}\` with the same DATABASE_URL (it works while the bridge runs), or set BRIDGE_ADMIN_TOKEN and restart`,
    );
  }
  if (!active.has("scim")) {
    warnings.push(
      "no token of scope scim exists, so identity providers cannot provision: create one with POST /api/v2/tokens " +
        `{"name":"okta","scope":"scim"} (an admin token), or \`${cli("scim", "okta")}\`` +
        (database === "embedded" ? " with the bridge stopped" : "") +
        ", or set BRIDGE_SCIM_TOKEN and restart",
    );
  }
  return warnings;
}
