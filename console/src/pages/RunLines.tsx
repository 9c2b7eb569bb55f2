import { Badge } from "../ui/components";
import { useApi, useLoad } from "../ui/context";
import type { Consequence, ReportLine } from "./runs";
import type { Organization } from "./types";

/** "joins" / "leaves" and what: a report line in words. */
function describe(line: ReportLine, orgName: (id: string | undefined) => string): string {
  const org = orgName(line.organization_id);
  const verb = line.action === "add" ? "joins" : line.action === "remove" ? "leaves" : line.action;
  if (line.kind !== "change") return typeof line.message === "string" ? line.message : `${line.dimension} ${line.action}`;
  if (line.dimension === "organization") return `${verb} organization ${org}`;
  if (line.dimension === "group") return `${verb} group ${line.group_name ?? line.group_id ?? "?"} in ${org}`;
  if (line.dimension === "role") return `${line.action === "add" ? "gains" : line.action === "remove" ? "loses" : line.action} role ${line.role ?? "?"} in ${org}`;
  const changed = Array.isArray(line.changed) ? ` (${line.changed.filter((c): c is string => typeof c === "string").join(", ")})` : "";
  const cleared = Array.isArray(line.cleared) && line.cleared.length > 0 ? `, clears ${line.cleared.length}` : "";
  if (line.dimension === "user" && line.action === "create") return `is created${typeof line.user_name === "string" ? ` as ${line.user_name}` : ""}`;
  if (line.dimension === "user" && line.action === "update") return `is updated${changed}${cleared}`;
  if (line.dimension === "user" && line.action === "suspend") return "is suspended";
  if (line.dimension === "idp_group") return `group ${line.group_name ?? ""} ${line.action === "create" ? "is created" : line.action === "update" ? `is updated${changed}` : line.action}`;
  return `${line.dimension} ${line.action}`;
}

/** Why: the rule and the claim value behind it, as the report names them. */
function why(line: ReportLine): string {
  const parts = [line.rule, line.field !== undefined && line.value !== undefined ? `${line.field} = ${line.value}` : line.field].filter((x): x is string => typeof x === "string" && x !== "");
  return parts.join(": ");
}

const kindBadge = { change: "info", problem: "warn", error: "bad" } as const;

/**
 * A page of a run's report lines, grouped by user (each user's lines are consecutive in a report:
 * a batch plans user by user), each line in words with the rule behind it.
 */
export function RunLines({ items, caption }: { items: ReportLine[]; caption: string }) {
  const api = useApi();
  const orgs = useLoad(() => api.get<Organization[]>("/organizations"), []);
  const orgName = (id: string | undefined) => (id === undefined ? "" : (orgs.data?.find((o) => o.id === id)?.name ?? id));
  const groups: { user: string; lines: ReportLine[] }[] = [];
  for (const line of items) {
    const user = line.username ?? line.user_id ?? (typeof line.user_name === "string" ? line.user_name : "(no user)");
    const last = groups[groups.length - 1];
    if (last && last.user === user) last.lines.push(line);
    else groups.push({ user, lines: [line] });
  }
  if (items.length === 0) return <p class="muted">No lines.</p>;
  return (
    <table class="run-lines">
      <caption class="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Kind</th>
          <th scope="col">Dimension</th>
          <th scope="col">Change</th>
          <th scope="col">Why</th>
        </tr>
      </thead>
      {groups.map((g, i) => (
        <tbody key={`${g.user}-${i}`}>
          <tr class="user-row">
            <th scope="rowgroup" colSpan={4}>
              {g.user}
            </th>
          </tr>
          {g.lines.map((l, k) => (
            <tr key={k}>
              <td>
                <Badge kind={kindBadge[l.kind]}>{l.kind}</Badge>
              </td>
              <td>{l.dimension}</td>
              <td>
                {g.user === "(no user)" || l.kind !== "change" ? "" : `${g.user} `}
                {describe(l, orgName)}
              </td>
              <td class="muted">{why(l)}</td>
            </tr>
          ))}
        </tbody>
      ))}
    </table>
  );
}

/** The run's effects in a few lines ("1 user joins group devs in default"). */
export function Consequences({ list, title }: { list: Consequence[] | undefined; title: string }) {
  if (list === undefined) return null;
  return (
    <section aria-labelledby="consequences-title">
      <h2 id="consequences-title">{title}</h2>
      {list.length === 0 ? (
        <p>No organization, group or role changes.</p>
      ) : (
        <ul class="consequences">
          {list.map((c, i) => (
            <li key={i}>
              <Badge kind={c.action === "add" ? "ok" : "warn"}>{c.action === "add" ? "adds" : "removes"}</Badge> {c.text}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
