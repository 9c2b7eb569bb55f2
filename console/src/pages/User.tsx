import { href } from "../router";
import { Badge, ConfirmButton, ErrorNote, Loading, Page, Time } from "../ui/components";
import { useApi, useLoad } from "../ui/context";
import { statusKind, type User } from "./types";
import { UserAudit } from "./UserAudit";
import { GrantsTable, type UserGrants } from "./UserGrants";

interface UserScim {
  user_id: string;
  user_name: string;
  external_id: string | null;
  version: number;
  resource: Record<string, unknown> | null;
  claims: Record<string, unknown>;
}

const claimText = (v: unknown): string =>
  Array.isArray(v) ? (v.length === 0 ? "(none)" : v.map(String).join(", ")) : typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);

/** One user: facts, suspend/activate, grants with their reasons, claims, the SCIM resource and the audit trail. */
export function UserPage({ params }: { params: Record<string, string> }) {
  const api = useApi();
  const id = params.id ?? "";
  const path = `/users/${encodeURIComponent(id)}`;
  const user = useLoad(() => api.get<User>(path), [path]);
  const scim = useLoad(() => api.get<UserScim>(`${path}/scim`), [path]);
  const grants = useLoad(() => api.get<UserGrants>(`${path}/grants`), [path]);
  const u = user.data;

  const setStatus = async (to: "suspend" | "activate") => {
    await api.send("PUT", `${path}/status/${to}`);
    // The status shows in the SCIM resource (active) and may change the grants too.
    user.reload();
    scim.reload();
    grants.reload();
  };

  return (
    <Page
      title={u ? `User ${u.username}` : "User"}
      actions={
        u ? (
          u.status === "suspended" ? (
            <ConfirmButton
              label={`Activate ${u.username}`}
              text="Activate"
              danger={false}
              question={<p>Activate <strong>{u.username}</strong>? The application lets the user sign in again.</p>}
              onConfirm={() => setStatus("activate")}
            />
          ) : (
            <ConfirmButton
              label={`Suspend ${u.username}`}
              text="Suspend"
              question={<p>Suspend <strong>{u.username}</strong>? The application refuses the user's sign-ins until an admin (or the IdP) activates the user again.</p>}
              onConfirm={() => setStatus("suspend")}
            />
          )
        ) : null
      }
    >
      <p>
        <a href={href("/users")}>← All users</a>
      </p>
      <ErrorNote error={user.error} />
      {u === undefined ? (
        user.error ? null : <Loading what="the user" />
      ) : (
        <dl class="facts">
          <dt>Status</dt>
          <dd>
            <Badge kind={statusKind(u.status)}>{u.status}</Badge>
          </dd>
          <dt>Username</dt>
          <dd>{u.username}</dd>
          <dt>Name</dt>
          <dd>{u.name || <span class="muted">—</span>}</dd>
          <dt>Email</dt>
          <dd>{u.email || <span class="muted">—</span>}</dd>
          <dt>Login type</dt>
          <dd>{u.login_type}</dd>
          <dt>Id</dt>
          <dd class="mono">{u.id}</dd>
          <dt>Created</dt>
          <dd>
            <Time at={u.created_at} />
          </dd>
          <dt>Updated</dt>
          <dd>
            <Time at={u.updated_at} />
          </dd>
        </dl>
      )}

      <h2>Organizations, groups and roles</h2>
      <ErrorNote error={grants.error} />
      {grants.data === undefined ? grants.error ? null : <Loading what="grants" /> : <GrantsTable grants={grants.data} />}

      <h2>Claims</h2>
      <ErrorNote error={scim.error} />
      {scim.data === undefined ? (
        scim.error ? null : <Loading what="claims" />
      ) : Object.keys(scim.data.claims).length === 0 ? (
        <p class="muted">No claims.</p>
      ) : (
        <dl class="facts" aria-label="Claims">
          {Object.entries(scim.data.claims).map(([k, v]) => [<dt key={`k-${k}`} class="mono">{k}</dt>, <dd key={`v-${k}`}>{claimText(v)}</dd>])}
        </dl>
      )}

      <h2>SCIM resource</h2>
      {scim.data === undefined ? null : (
        <>
          <p class="muted">
            userName <code>{scim.data.user_name}</code>, externalId <code>{scim.data.external_id ?? "none"}</code>, version {scim.data.version}
          </p>
          {scim.data.resource === null ? (
            <p class="muted">The IdP deleted this user: its SCIM resource is gone.</p>
          ) : (
            <pre tabIndex={0} aria-label="SCIM resource">{JSON.stringify(scim.data.resource, null, 2)}</pre>
          )}
        </>
      )}

      <h2>Audit trail</h2>
      {u ? <UserAudit userId={u.id} changed={`${u.status} ${u.updated_at}`} /> : null}
    </Page>
  );
}
