import type { Express } from "express";

/**
 * The routes an Express app really serves under a mount path, read from its router stacks (Express 5's
 * `router` package: each layer keeps the `rawPath` it was registered with, a route layer its route's
 * `path` and `methods`, a mounted router its own `stack`). Anything not shaped so throws, so a change
 * in those internals fails loudly here instead of yielding an empty list.
 */

interface Layer {
  rawPath: unknown;
  route?: { path: string; methods: string[] };
  stack?: Layer[];
}

const isObject = (v: unknown): v is Record<string, unknown> => (typeof v === "object" || typeof v === "function") && v !== null;

function layers(stack: unknown): Layer[] {
  if (!Array.isArray(stack)) throw new Error("Express internals changed: a router's stack is not an array");
  return stack.map((l: unknown): Layer => {
    if (!isObject(l)) throw new Error("Express internals changed: a layer is not an object");
    const route = l.route;
    if (isObject(route)) {
      // A RegExp path (the console's `/admin/...` fallback) is served outside /api/v2: named by its source.
      const path = route.path instanceof RegExp ? String(route.path) : route.path;
      if (typeof path !== "string" || !isObject(route.methods)) throw new Error("Express internals changed: a route has no path or methods");
      const methods = Object.entries(route.methods).filter(([m, on]) => on === true && m !== "_all").map(([m]) => m.toUpperCase());
      return { rawPath: l.rawPath, route: { path, methods } };
    }
    const handle = l.handle;
    return isObject(handle) && Array.isArray(handle.stack) ? { rawPath: l.rawPath, stack: layers(handle.stack) } : { rawPath: l.rawPath };
  });
}

/** `"GET /users/:user"` for every route under `mount` (`/api/v2`), nested routers included, relative to it, sorted. */
export function servedRoutes(app: Express, mount: string): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of layer.route.methods) out.push(`${method} ${prefix}${layer.route.path}`);
      } else if (layer.stack) {
        walk(layer.stack, prefix + (typeof layer.rawPath === "string" && layer.rawPath !== "/" ? layer.rawPath : ""));
      }
    }
  };
  const appRouter: unknown = (app as unknown as { router: unknown }).router;
  if (!isObject(appRouter)) throw new Error("Express internals changed: app.router is missing");
  const top = layers(appRouter.stack);
  const mounted = top.filter((l) => l.rawPath === mount && l.stack);
  if (mounted.length === 0) throw new Error(`no router is mounted at ${mount}`);
  for (const layer of mounted) walk(layer.stack!, "");
  // Routes the app itself serves under the mount path (say, a public one before the mount's auth).
  for (const { route } of top) {
    if (route?.path.startsWith(`${mount}/`)) for (const method of route.methods) out.push(`${method} ${route.path.slice(mount.length)}`);
  }
  return out.sort();
}
