import { useState } from "preact/hooks";
import { href } from "../router";
import { Badge, ErrorNote, Loading, Page, Pager } from "../ui/components";
import { useApi, useLoad } from "../ui/context";
import { statusKind, type Group, type GroupMember } from "./types";

const LIMIT = 50;

/** A group: its organization and its members (paged on the server) with why each is in it. */
export function GroupPage({ params }: { params: Record<string, string> }) {
  const api = useApi();
  const path = `/groups/${encodeURIComponent(params.id ?? "")}`;
  const [offset, setOffset] = useState(0);
  const group = useLoad(() => api.get<Group>(path, { members: false }), [path]);
  const members = useLoad(() => api.get<{ members: GroupMember[]; count: number }>(`${path}/members`, { limit: LIMIT, offset }), [path, offset]);
  const g = group.data;
  return (
    <Page title={g ? `Group ${g.display_name || g.name}` : "Group"}>
      <ErrorNote error={group.error} />
      {g ? (
        <p>
          In organization <a href={href(`/organizations/${g.organization_name}`)}>{g.organization_display_name || g.organization_name}</a>;{" "}
          {g.source === "oidc" ? "made by group sync" : "made by an admin"}.
        </p>
      ) : null}
      <h2>Members</h2>
      <ErrorNote error={members.error} />
      {members.data === undefined ? (
        members.error ? null : <Loading what="members" />
      ) : (
        <>
          <table aria-busy={members.loading}>
            <caption class="sr-only">Members</caption>
            <thead>
              <tr>
                <th scope="col">Username</th>
                <th scope="col">Email</th>
                <th scope="col">Status</th>
                <th scope="col">Source</th>
              </tr>
            </thead>
            <tbody>
              {members.data.members.map((m) => (
                <tr key={m.id}>
                  <td>
                    <a href={href(`/users/${m.id}`)}>{m.username}</a>
                  </td>
                  <td>{m.email}</td>
                  <td>
                    <Badge kind={statusKind(m.status)}>{m.status}</Badge>
                  </td>
                  <td>
                    <Badge kind={m.membership_source === "sync" ? "info" : m.membership_source === "manual" ? "ok" : "muted"}>{m.membership_source}</Badge>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {members.data.count === 0 ? <p class="muted">No members.</p> : null}
          <Pager label="Members" offset={offset} limit={LIMIT} count={members.data.count} onPage={setOffset} />
        </>
      )}
    </Page>
  );
}
