import type { ComponentType } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { createApi, type Session } from "./api";
import { routes } from "./pages/routes";
import { href, match, navigate, useLocation } from "./router";
import { ErrorNote, Loading } from "./ui/components";
import { ApiContext } from "./ui/context";
import { SignIn } from "./pages/SignIn";

type Status = { kind: "checking" } | { kind: "signedOut"; ended: boolean } | { kind: "signedIn"; session: Session } | { kind: "unreachable"; error: unknown };

const NAV: Array<[string, string]> = [
  ["/", "Overview"],
  ["/users", "Users"],
  ["/organizations", "Organizations and groups"],
  ["/sync", "IdP sync settings"],
  ["/reconciliations", "Reconciliations"],
  ["/webhooks", "Webhooks"],
  ["/tokens", "Tokens"],
  ["/audit", "Audit log"],
];

function isCurrent(item: string, path: string): boolean {
  if (item === "/") return path === "/";
  if (item === "/organizations") return path.startsWith("/organizations") || path.startsWith("/groups");
  return path === item || path.startsWith(`${item}/`);
}

export function App() {
  const [status, setStatus] = useState<Status>({ kind: "checking" });
  // A 401 on any request: the session ended (expired, idle, token revoked, signed out elsewhere).
  const api = useMemo(() => createApi(() => setStatus({ kind: "signedOut", ended: true })), []);
  const loc = useLocation();
  const [signOutError, setSignOutError] = useState<unknown>(undefined);

  useEffect(() => {
    api.current().then(
      (session) => setStatus(session ? { kind: "signedIn", session } : { kind: "signedOut", ended: false }),
      (error: unknown) => setStatus({ kind: "unreachable", error }),
    );
  }, [api]);

  // Focus the page's title after navigation, so that keyboard and screen-reader users start there.
  useEffect(() => {
    document.getElementById("page-title")?.focus({ preventScroll: true });
  }, [loc.path]);

  if (status.kind === "checking") return <Loading what="the console" />;
  if (status.kind === "unreachable")
    return (
      <main class="signin">
        <ErrorNote error={status.error} title="The bridge is unreachable" />
      </main>
    );
  if (status.kind === "signedOut")
    return (
      <ApiContext.Provider value={api}>
        <SignIn ended={status.ended} onSignedIn={(session) => setStatus({ kind: "signedIn", session })} />
      </ApiContext.Provider>
    );

  let Page: ComponentType<{ params: Record<string, string>; query: URLSearchParams }> | undefined;
  let params: Record<string, string> = {};
  for (const r of routes) {
    const m = match(r.path, loc.path);
    if (m) {
      Page = r.page;
      params = m;
      break;
    }
  }

  return (
    <ApiContext.Provider value={api}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <div class="shell">
        <header class="top">
          <a class="brand" href={href("/")}>
            SCIM bridge
          </a>
          <div class="who">
            Signed in with token <strong>{status.session.token_name}</strong>
            <button
              type="button"
              onClick={() => {
                setSignOutError(undefined);
                // Signed out only when the bridge says so (204, or 401: already ended); else the error shows.
                void api.signOut().then(
                  () => {
                    setStatus({ kind: "signedOut", ended: false });
                    navigate("/", { replace: true });
                  },
                  (e: unknown) => setSignOutError(e),
                );
              }}
            >
              Sign out
            </button>
          </div>
          <ErrorNote error={signOutError} title="Not signed out" />
        </header>
        <nav class="side" aria-label="Console">
          <ul>
            {NAV.map(([to, label]) => (
              <li key={to}>
                <a href={href(to)} aria-current={isCurrent(to, loc.path) ? "page" : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>
          {Page ? (
            <Page key={loc.path} params={params} query={loc.query} />
          ) : (
            <section class="page">
              <h1 id="page-title" tabIndex={-1}>
                Not found
              </h1>
              <p>
                There is no console page at <code>{href(loc.path)}</code>. <a href={href("/")}>Go to the overview</a>.
              </p>
            </section>
          )}
        </main>
      </div>
    </ApiContext.Provider>
  );
}
