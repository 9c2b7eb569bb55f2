import { useState } from "preact/hooks";
import { Badge, ConfirmButton, ErrorNote, Field, Loading, Page, ShownOnce, Time, fieldProblem } from "../ui/components";
import { useAction, useApi, useLoad } from "../ui/context";

export interface Token {
  id: string;
  name: string;
  scope: "scim" | "admin";
  hint: string;
  origin: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** Tokens: list (never a secret), create (the secret shown once), revoke. GET/POST/DELETE /api/v2/tokens. */
export function TokensPage() {
  const api = useApi();
  const list = useLoad(() => api.get<Token[]>("/tokens"), []);
  const [name, setName] = useState("");
  const [scope, setScope] = useState<"scim" | "admin">("scim");
  const { busy, error, run } = useAction();
  const [created, setCreated] = useState<{ name: string; token: string } | undefined>(undefined);

  const create = (e: Event) => {
    e.preventDefault();
    setCreated(undefined);
    return run(async () => {
      const t = await api.send<Token & { token: string }>("POST", "/tokens", { name: name.trim(), scope });
      setCreated({ name: t.name, token: t.token });
      setName("");
      list.reload();
    });
  };

  return (
    <Page title="Tokens">
      <p class="lead">
        Bearer tokens for IdPs (<code>scim</code> scope) and for admins (<code>admin</code> scope). The bridge stores only a hash of each: a secret is shown
        once, when it is created.
      </p>
      <form class="inline-form" onSubmit={(e) => void create(e)} aria-label="Create a token">
        <Field label="Name" id="token-name" problem={fieldProblem(error, "name")}>
          <input id="token-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder="okta-production" />
        </Field>
        <Field label="Scope" id="token-scope" problem={fieldProblem(error, "scope")}>
          <select id="token-scope" value={scope} onChange={(e) => setScope(e.currentTarget.value as "scim" | "admin")}>
            <option value="scim">scim (an IdP)</option>
            <option value="admin">admin (people and scripts)</option>
          </select>
        </Field>
        <button class="primary" type="submit" disabled={busy || name.trim() === ""}>
          Create token
        </button>
      </form>
      <ErrorNote error={error} title="Not created" />
      {created ? <ShownOnce label={`Secret of token ${created.name}`} value={created.token} /> : null}

      <ErrorNote error={list.error} />
      {list.data === undefined ? (
        list.error ? null : <Loading what="tokens" />
      ) : (
        <table>
          <caption class="sr-only">Tokens</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Scope</th>
              <th scope="col">Hint</th>
              <th scope="col">Origin</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>{t.scope}</td>
                <td class="mono">{t.hint}</td>
                <td>{t.origin}</td>
                <td>
                  <Time at={t.created_at} />
                </td>
                <td>
                  <Time at={t.last_used_at} />
                </td>
                <td>{t.revoked_at ? <Badge kind="muted">revoked</Badge> : <Badge kind="ok">active</Badge>}</td>
                <td>
                  {t.revoked_at ? null : (
                    <ConfirmButton
                      label={`Revoke ${t.name}`}
                      text="Revoke"
                      confirm="Revoke"
                      question={
                        <p>
                          Revoke token <strong>{t.name}</strong>? Every request with it is refused from now on{t.scope === "admin" ? ", and its console sessions end" : ""}. This
                          can't be undone.
                        </p>
                      }
                      onConfirm={async () => {
                        await api.send("DELETE", `/tokens/${encodeURIComponent(t.id)}`);
                        list.reload();
                      }}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
