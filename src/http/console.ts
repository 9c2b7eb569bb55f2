import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import express, { Router } from "express";

/**
 * Serves the admin console (console/, built by `npm run build` into dist/console) at /admin/. The
 * console is a client of the documented admin API only; this module just hands out its files:
 * - /admin/assets/*: content-hashed names, cached for a year;
 * - any other GET under /admin/: the console's page (index.html, never cached), which routes itself,
 *   so a reloaded or shared /admin/users/… link works.
 * An installation without the built console (sources run by tests) answers 404 in words.
 */
export function consoleRouter(dir: string | undefined): Router {
  const r = Router();
  const indexPath = dir === undefined ? undefined : join(dir, "index.html");
  let index: string | undefined;
  const page = (): string | undefined => {
    if (index !== undefined || indexPath === undefined) return index;
    try {
      if (statSync(indexPath).isFile()) index = readFileSync(indexPath, "utf8");
    } catch {
      // not built: answered below
    }
    return index;
  };

  // Express matches "/admin" non-strictly: only the path without its slash is redirected.
  r.get("/admin", (req, res, next) => (req.path === "/admin" ? res.redirect(301, "/admin/") : next()));
  if (dir !== undefined) {
    r.use(
      "/admin/assets",
      express.static(join(dir, "assets"), { immutable: true, maxAge: "365d", index: false, dotfiles: "ignore" }),
    );
  }
  // An asset of another build (a page cached from before an upgrade): a plain 404, not the page.
  r.use("/admin/assets", (_req, res) => {
    res.status(404).type("text/plain").send("No such console asset: reload the page.\n");
  });
  r.get(/^\/admin\/.*/, (_req, res) => {
    const html = page();
    if (html === undefined) {
      res.status(404).type("text/plain").send("The admin console is not built in this installation: run `npm run build`, then start the bridge again.\n");
      return;
    }
    res.set("Cache-Control", "no-cache").type("html").send(html);
  });
  return r;
}
