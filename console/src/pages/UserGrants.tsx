import type { ComponentChildren } from "preact";
import { href } from "../router";
import { Badge, Time } from "../ui/components";

/** GET /api/v2/users/{user}/grants (userGrantsSchema in src/admin/openapi/responses.ts). */
interface Reason {
  rule: string;
  field?: string;
  value?: string;
}
interface GrantBase {
  source: "sync" | "manual" | "implicit" | null;
  reason: Reason | null;
  explained: boolean;
  resync_removes: Reason | null;
  note: string | null;
  audit: { id: string; time: string; actor: string; action: string } | null;
}
export interface UserGrants {
  user_id: string;
  username: string;
  sync_enabled: boolean;
  organizations: (GrantBase & {
    organization_id: string;
    organization_name: string;
    groups: (GrantBase & { group_id: string; group_name: string })[];
    roles: (GrantBase & { role: string })[];
  })[];
  pending: { dimension: string; organization_name: string; group_name?: string; role?: string; reason: Reason }[];
  problems: { dimension: string; organization_id: string | null; message: string }[];
}

function ReasonText({ reason }: { reason: Reason | null }) {
  if (reason === null) return <span class="muted">—</span>;
  return (
    <span>
      rule <code>{reason.rule}</code>
      {reason.field !== undefined ? (
        <>
          , claim <code>{reason.field}</code>
        </>
      ) : null}
      {reason.value !== undefined ? (
        <>
          {" "}
          = <code>{reason.value}</code>
        </>
      ) : null}
    </span>
  );
}

function Row({ kind, what, g }: { kind: string; what: ComponentChildren; g: GrantBase }) {
  return (
    <tr>
      <td>{kind}</td>
      <td>{what}</td>
      <td>{g.source === null ? <Badge kind="muted">not a member</Badge> : <Badge kind={g.source === "sync" ? "info" : g.source === "manual" ? "ok" : "muted"}>{g.source}</Badge>}</td>
      <td>
        <ReasonText reason={g.reason} />
        {!g.explained ? <div class="muted">The current sync settings don't grant it.</div> : null}
        {g.resync_removes ? (
          <div>
            <Badge kind="warn">a resync removes it</Badge> <ReasonText reason={g.resync_removes} />
          </div>
        ) : null}
        {g.note ? <div class="muted">{g.note}</div> : null}
      </td>
      <td>{g.audit ? <><Time at={g.audit.time} /> {g.audit.action} by {g.audit.actor}</> : <span class="muted">—</span>}</td>
    </tr>
  );
}

/** Every organization, group and role the user holds, with its source and the rule, claim and value behind it. */
export function GrantsTable({ grants }: { grants: UserGrants }) {
  return (
    <>
      {grants.organizations.length === 0 ? (
        <p class="muted">No organization, group or role.</p>
      ) : (
        <table>
          <caption class="sr-only">Organizations, groups and roles</caption>
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Name</th>
              <th scope="col">Source</th>
              <th scope="col">Why</th>
              <th scope="col">Granted</th>
            </tr>
          </thead>
          <tbody>
            {grants.organizations.flatMap((o) => [
              <Row key={o.organization_id} kind="Organization" what={<a href={href(`/organizations/${o.organization_name}`)}>{o.organization_name}</a>} g={o} />,
              ...o.groups.map((g) => (
                <Row key={g.group_id} kind="Group" what={<><a href={href(`/groups/${g.group_id}`)}>{g.group_name}</a> <span class="muted">in {o.organization_name}</span></>} g={g} />
              )),
              ...o.roles.map((r) => <Row key={`${o.organization_id}:${r.role}`} kind="Role" what={<>{r.role} <span class="muted">in {o.organization_name}</span></>} g={r} />),
            ])}
          </tbody>
        </table>
      )}
      {grants.pending.length > 0 ? (
        <>
          <h3>A resync would add</h3>
          <ul>
            {grants.pending.map((p, i) => (
              <li key={i}>
                {p.dimension} {p.group_name ?? p.role ?? ""} in {p.organization_name}: <ReasonText reason={p.reason} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {grants.problems.length > 0 ? (
        <>
          <h3>Sync problems</h3>
          <ul>
            {grants.problems.map((p, i) => (
              <li key={i}>
                <Badge kind="warn">{p.dimension}</Badge> {p.message}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </>
  );
}
