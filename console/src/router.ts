import { useEffect, useState } from "preact/hooks";

/**
 * A small history router for the console's pages under /admin/. Links are plain <a href> (they open in
 * a new tab, can be copied, and work without JavaScript's help for the server: every /admin/ path is
 * answered with the console's page); a click on one is turned into a pushState here.
 */

export const BASE = "/admin";

export interface Location {
  /** The path under /admin, starting with "/" ("/users/abc"). */
  path: string;
  query: URLSearchParams;
}

function current(): Location {
  const p = window.location.pathname.startsWith(BASE) ? window.location.pathname.slice(BASE.length) : window.location.pathname;
  return { path: p === "" ? "/" : p, query: new URLSearchParams(window.location.search) };
}

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());

/** Goes to a console path ("/users?q=x"); `replace` keeps the browser history as it is (filters, paging). */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const url = `${BASE}${to}`;
  if (opts.replace) window.history.replaceState(null, "", url);
  else window.history.pushState(null, "", url);
  notify();
  if (!opts.replace) window.scrollTo(0, 0);
}

/** The href of a console path. */
export const href = (to: string): string => `${BASE}${to}`;

export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const update = () => setLoc(current());
    listeners.add(update);
    window.addEventListener("popstate", update);
    return () => {
      listeners.delete(update);
      window.removeEventListener("popstate", update);
    };
  }, []);
  return loc;
}

/** Turns a click on an in-console link into navigation without a page load. */
export function interceptLinks(): void {
  document.addEventListener("click", (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.("a");
    if (!a || a.target !== "" || a.hasAttribute("download")) return;
    const url = new URL(a.href, window.location.href);
    if (url.origin !== window.location.origin || !(url.pathname === BASE || url.pathname.startsWith(`${BASE}/`))) return;
    // A link to a place on this page ("Skip to content": href="#main"): the browser moves there itself.
    if (url.hash !== "" && url.pathname === window.location.pathname && url.search === window.location.search) return;
    e.preventDefault();
    navigate(`${url.pathname.slice(BASE.length) || "/"}${url.search}`);
  });
}

/** Matches "/users/:id" against a path; the parameters decoded, or undefined. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const ps = pattern.split("/").filter(Boolean);
  const xs = path.split("/").filter(Boolean);
  if (ps.length !== xs.length) return undefined;
  const out: Record<string, string> = {};
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i]!;
    const x = xs[i]!;
    if (p.startsWith(":")) {
      try {
        out[p.slice(1)] = decodeURIComponent(x);
      } catch {
        return undefined;
      }
    } else if (p !== x) return undefined;
  }
  return out;
}
