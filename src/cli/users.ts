import { Command, Option } from "commander";
import type { AdminUser } from "../directory/admin-users";
import type { GrantReason, UserGrants } from "../directory/grant-explain";
import { quote } from "../text/storable";
import { withBackend, withClientOptions, type ClientOptions, type OpenBackend } from "./connect";
import { table, terminalJson } from "./table";

/**
 * `scim-bridge users show|grants <user>`: a user, and why it holds each organization, group and role,
 * as `GET /api/v2/users/{user}` and `/users/{user}/grants` answer (the same services), directly in
 * the database or through a running bridge (client mode). Names come from the IdP: one with a
 * character a terminal could act on is printed quoted and escaped (quote), and the JSON is escaped
 * the same way (terminalJson).
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

function userLines(u: AdminUser): string[] {
  return [
    `user ${shown(u.username)} (${u.id})`,
    `  name:    ${u.name === "" ? "-" : shown(u.name)}`,
    `  email:   ${u.email === "" ? "-" : shown(u.email)}`,
    `  status:  ${u.status}`,
    `  created: ${u.created_at}, updated ${u.updated_at}`,
    "",
  ];
}

export function usersCommand(io: { out: (line: string) => void }, open: OpenBackend): Command {
  const users = new Command("users").description("users: who they are, and why they hold each of their grants");
  const userArg = ["<user>", "a user id or username"] as const;
  const formatOption = () => new Option("--format <format>", "table, or json (the API's JSON)").choices(["table", "json"]).default("table");

  withClientOptions(
    users
      .command("show")
      .description(
        "a user (as GET /api/v2/users/{user}) and every organization, group and role it holds, with each grant's source (sync, manual, " +
          "implicit) and the sync rule behind it; --format json: {user, grants}",
      )
      .argument(...userArg)
      .addOption(formatOption()),
  ).action(async (user: string, opts: ClientOptions & { format: "table" | "json" }) => {
    const [u, grants] = await withBackend(open, "users show", opts, async (b) => [await b.user(user), await b.grants(user)] as const);
    if (opts.format === "json") io.out(terminalJson({ user: u, grants }));
    else [...userLines(u), ...grantLines(grants)].forEach((l) => io.out(l));
  });

  withClientOptions(
    users
      .command("grants")
      .description(
        "list every organization, group and role a user holds, with its source (sync, manual, implicit), the sync rule behind it " +
          "under the current settings, what a resync would remove or add, and the audit row that made it (as GET /api/v2/users/{user}/grants)",
      )
      .argument(...userArg)
      .addOption(formatOption()),
  ).action(async (user: string, opts: ClientOptions & { format: "table" | "json" }) => {
    const grants = await withBackend(open, "users grants", opts, (b) => b.grants(user));
    if (opts.format === "json") io.out(terminalJson(grants));
    else grantLines(grants).forEach((l) => io.out(l));
  });
  return users;
}
