import { useState } from "preact/hooks";
import { href } from "../router";
import { Badge, ConfirmButton, ErrorNote, Loading, Page } from "../ui/components";
import { useApi, useLoad } from "../ui/context";
import { AddMember } from "./AddMember";
import { MEMBERS_PAGE, MemberTable, memberOffset } from "./MemberTable";
import type { Group, Member, Organization } from "./types";

/** An organization: its members (paged, offset in the address) with source and roles, add and remove members, its groups. */
export function OrganizationPage({ params, query }: { params: Record<string, string>; query: URLSearchParams }) {
  const api = useApi();
  const name = params.org ?? "";
  const base = `/organizations/${encodeURIComponent(name)}`;
  const offset = memberOffset(query);
  const org = useLoad(() => api.get<Organization>(base), [base]);
  const members = useLoad(() => api.get<{ members: Member[]; count: number }>(`${base}/paginated-members`, { limit: MEMBERS_PAGE, offset }), [base, offset]);
  const groups = useLoad(() => api.get<Group[]>(`${base}/groups`, { members: false }), [base]);
  const [done, setDone] = useState<string | undefined>(undefined);

  return (
    <Page title={org.data ? `Organization ${org.data.display_name || org.data.name}` : "Organization"}>
      <p>
        <a href={href("/organizations")}>← All organizations</a>
      </p>
      <ErrorNote error={org.error} />
      {org.data ? <p class="lead">{org.data.description}</p> : null}

      <h2>Members</h2>
      <AddMember
        org={name}
        onAdded={(u) => {
          setDone(`${u} is now a manual member.`);
          members.reload();
        }}
      />
      {done ? (
        <p class="success" role="status">
          {done}
        </p>
      ) : null}
      <MemberTable
        path={base}
        offset={offset}
        members={members}
        rowKey={(m) => m.user_id}
        columns={[
          { head: "Username", cell: (m) => <a href={href(`/users/${m.user_id}`)}>{m.username}</a> },
          { head: "Email", cell: (m) => m.email },
          { head: "Source", cell: (m) => <Badge kind={m.source === "sync" ? "info" : "ok"}>{m.source}</Badge> },
          { head: "Roles", cell: (m) => (m.roles.length === 0 ? <span class="muted">member</span> : m.roles.map((r) => r.display_name).join(", ")) },
          {
            head: <span class="sr-only">Actions</span>,
            cell: (m) => (
              <ConfirmButton
                label={`Remove ${m.username}`}
                text="Remove"
                confirm="Remove"
                question={
                  <p>
                    Remove <strong>{m.username}</strong> from {name}? The user's groups and roles in it go too.
                    {m.source === "sync" ? " This membership comes from IdP sync: it comes back at the next sync while the user's claims still map to it." : ""}
                  </p>
                }
                onConfirm={async () => {
                  await api.send("DELETE", `${base}/members/${encodeURIComponent(m.user_id)}`);
                  setDone(`${m.username} was removed.`);
                  members.reload();
                }}
              />
            ),
          },
        ]}
      />

      <h2>Groups</h2>
      <ErrorNote error={groups.error} />
      {groups.data === undefined ? (
        groups.error ? null : <Loading what="groups" />
      ) : (
        <table>
          <caption class="sr-only">Groups</caption>
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col">Made by</th>
              <th scope="col" class="num">
                Members
              </th>
            </tr>
          </thead>
          <tbody>
            {groups.data.map((g) => (
              <tr key={g.id}>
                <td>
                  <a href={href(`/groups/${g.id}`)}>{g.display_name || g.name}</a>
                </td>
                <td>{g.source === "oidc" ? "group sync" : "an admin"}</td>
                <td class="num">{g.total_member_count.toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
