import { href } from "../router";
import { Badge, ErrorNote, Page } from "../ui/components";
import { useApi, useLoad } from "../ui/context";
import { MEMBERS_PAGE, MemberTable, memberOffset } from "./MemberTable";
import { statusKind, type Group, type GroupMember } from "./types";

/** A group: its organization and its members (paged on the server, offset in the address) with why each is in it. */
export function GroupPage({ params, query }: { params: Record<string, string>; query: URLSearchParams }) {
  const api = useApi();
  const path = `/groups/${encodeURIComponent(params.id ?? "")}`;
  const offset = memberOffset(query);
  const group = useLoad(() => api.get<Group>(path, { members: false }), [path]);
  const members = useLoad(() => api.get<{ members: GroupMember[]; count: number }>(`${path}/members`, { limit: MEMBERS_PAGE, offset }), [path, offset]);
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
      <MemberTable
        path={`/groups/${encodeURIComponent(params.id ?? "")}`}
        offset={offset}
        members={members}
        rowKey={(m) => m.id}
        columns={[
          { head: "Username", cell: (m) => <a href={href(`/users/${m.id}`)}>{m.username}</a> },
          { head: "Email", cell: (m) => m.email },
          { head: "Status", cell: (m) => <Badge kind={statusKind(m.status)}>{m.status}</Badge> },
          {
            head: "Source",
            cell: (m) => <Badge kind={m.membership_source === "sync" ? "info" : m.membership_source === "manual" ? "ok" : "muted"}>{m.membership_source}</Badge>,
          },
        ]}
      />
    </Page>
  );
}
