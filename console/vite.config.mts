import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/**
 * The admin console's build: Preact compiled by Vite's own JSX transform (no Babel), emitted to
 * dist/console, which the bridge serves at /admin/ (src/http/console.ts). Everything is bundled: the
 * bridge runs in closed networks, and the CSP forbids other origins and inline scripts.
 */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/admin/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: fileURLToPath(new URL("../dist/console", import.meta.url)),
    emptyOutDir: true,
    // Module scripts only: every browser the console targets has them, and no inline polyfill is emitted (CSP).
    modulePreload: { polyfill: false },
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: true,
  },
  // The Host header kept as the browser sent it: the bridge checks a signed-in request's Origin against it (CSRF).
  server: { proxy: { "/api": { target: "http://127.0.0.1:8080", changeOrigin: false } } },
});
