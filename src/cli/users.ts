import { Command, Option } from "commander";
import { openForProcess } from "../app";
import type { Config } from "../config/config";
import type { GrantReason, UserGrants } from "../directory/grant-explain";
import { createUserGrants } from "../directory/grants";
import type { Logger } from "../log/logger";
import { quote } from "../text/storable";
import { table, terminalJson } from "./table";

/**
 * `scim-bridge users grants <user>`: why a user holds each organization, group and role, as
 * `GET /api/v2/users/{user}/grants` answers (the same service). Opens the database directly, like
 * `token`; with the embedded database while the server runs, use the API. Names come from the IdP:
 * one with a character a terminal could act on is printed quoted and escaped (quote), and the JSON
 * is escaped the same way (terminalJson).
 */

const shown = (s: string): string => (/[\p{C}\p{Zl}\p{Zp}]/u.test(s) || s === "" ? quote(s) : s);

export function reasonText(r: GrantReason): string {
  if (r.field === undefined) return r.rule;
  return r.value === undefined ? `${r.rule} (claim ${shown(r.field)})` : `${r.rule}: ${shown(r.field)}=${shown(r.value)}`;
}

export function grantLines(g: UserGrants): string[] {
  const rows: string[][] = [["ORGANIZATION", "KIND", "GRANT", "SOURCE", "WHY", "AUDIT"]];
  const why = (x: { reason: GrantReason | null; note: string | null; explained: boolean }) => {
    const base = x.reason ? reasonText(x.reason) : x.explained ? "" : "NOT EXPLAINED";
    return [base, x.note ?? ""].filter(Boolean).join("; ") || "-";
  };
  const audit = (a: { time: string; action: string; actor: string } | null) => (a ? `${a.time} ${a.action} by ${shown(a.actor)}` : "-");
  for (const o of g.organizations) {
    const org = shown(o.organization_name);
    rows.push([org, "organization", org, o.source ?? "-", why(o), audit(o.audit)]);
    for (const x of o.groups) rows.push([org, "group", shown(x.group_name), x.source, why(x), audit(x.audit)]);
    for (const x of o.roles) rows.push([org, "role", x.role, x.source, why(x), audit(x.audit)]);
  }
  const lines = g.organizations.length === 0 ? [`${shown(g.username)} holds no organization, group or role`] : table(rows);
  if (!g.sync_enabled) lines.push("", "sync is off: no sync dimension is configured, sync grants are kept as they are");
  if (g.pending.length > 0) {
    lines.push("", "a resync would add:");
    for (const p of g.pending) {
      const target = p.dimension === "group" ? `group ${shown(p.group_name ?? "")}${p.group_id === null ? " (auto-created)" : ""}` : p.dimension === "role" ? `role ${p.role ?? ""}` : "organization";
      lines.push(`  ${shown(p.organization_name)}: ${target} (${reasonText(p.reason)})`);
    }
  }
  if (g.problems.length > 0) {
    lines.push("", "sync problems:");
    const names = new Map([...g.organizations, ...g.pending].map((o) => [o.organization_id, o.organization_name]));
    for (const p of g.problems) lines.push(`  ${p.dimension}${p.organization_id ? ` in ${shown(names.get(p.organization_id) ?? p.organization_id)}` : ""}: ${shown(p.message)}`);
  }
  return lines;
}

export function usersCommand(io: { out: (line: string) => void }, loadConfig: () => Config, logger: (c: Config) => Logger): Command {
  const users = new Command("users").description("users: why a user holds each of its grants");
  users
    .command("grants")
    .description(
      "list every organization, group and role a user holds, with its source (sync, manual, implicit), the sync rule behind it " +
        "under the current settings, what a resync would remove or add, and the audit row that made it (as GET /api/v2/users/{user}/grants; " +
        "opens the database: with the embedded database, use the API while the bridge runs)",
    )
    .argument("<user>", "a user id or username")
    .addOption(new Option("--format <format>", "table, or json (the API's JSON)").choices(["table", "json"]).default("table"))
    .action(async (user: string, opts: { format: "table" | "json" }) => {
      const config = loadConfig();
      const { db, close } = await openForProcess(config, "users grants", logger(config));
      let grants: UserGrants;
      try {
        grants = await createUserGrants(db.prisma).get(user);
      } finally {
        await close();
      }
      if (opts.format === "json") io.out(terminalJson(grants));
      else grantLines(grants).forEach((l) => io.out(l));
    });
  return users;
}
