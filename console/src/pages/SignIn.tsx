import { useState } from "preact/hooks";
import type { Session } from "../api";
import { ErrorNote, Field } from "../ui/components";
import { useApi } from "../ui/context";

/**
 * Sign-in: an admin-scope token, pasted once. The bridge answers with an HttpOnly session cookie; the
 * token is sent in this one request and kept nowhere in the browser (the field is cleared).
 */
export function SignIn({ ended, onSignedIn }: { ended: boolean; onSignedIn: (s: Session) => void }) {
  const api = useApi();
  const [token, setToken] = useState("");
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const s = await api.signIn(token.trim());
      setToken("");
      onSignedIn(s);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="signin" id="main">
      <h1>SCIM bridge console</h1>
      {ended ? (
        <p class="notice" role="status">
          Your session ended (signed out, expired, idle too long, or its token was revoked). Sign in again.
        </p>
      ) : null}
      <form onSubmit={(e) => void submit(e)}>
        <Field label="Admin token" id="token" hint={<>An admin-scope token: <code>scim-bridge token create --name you --scope admin</code>, or <code>BRIDGE_ADMIN_TOKEN</code>.</>}>
          <input id="token" name="token" type="password" autoComplete="off" required value={token} onInput={(e) => setToken(e.currentTarget.value)} aria-describedby="token-hint" />
        </Field>
        <ErrorNote error={error} title="Sign-in refused" />
        <button class="primary" type="submit" disabled={busy || token.trim() === ""}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
