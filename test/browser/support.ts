/// <reference lib="dom" />
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { freePort, untilReady } from "../support/net";

/**
 * What the console's browser tests share: the built bridge started as the README's first command starts
 * it (`scim-bridge serve`, embedded database, a fresh DATA_DIR), Debian's Chromium driven by
 * playwright-core (nothing downloads a browser), axe-core run on each page, and screenshots saved under
 * .test-results/screenshots/ (git-ignored) for a reviewer to look at.
 */

const ROOT = resolve(__dirname, "../..");
export const SHOTS = join(ROOT, ".test-results", "screenshots");

/** Where Chromium is: CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error("no Chromium found: apt-get install -y chromium (or set CHROMIUM_PATH)");
  return found;
}

export interface ServedBridge {
  url: string;
  adminToken: string;
  scimToken: string;
  /** Everything the bridge printed (for a failure's report). */
  output(): string;
  /** A SCIM request with the SCIM token. */
  scim(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** An admin API request with the admin bearer token (setup and checks beside the browser). */
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  stop(): Promise<void>;
}

async function call(url: string, token: string, method: string, body: unknown, type: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": type } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed };
}

/** Starts `node bin/scim-bridge.js serve` on a fresh embedded database (run `npm run build` first). */
export async function startServedBridge(env: Record<string, string> = {}): Promise<ServedBridge> {
  const dataDir = mkdtempSync(join(tmpdir(), "bridge-browser-"));
  const port = await freePort();
  const adminToken = `admin-${randomBytes(16).toString("hex")}`;
  const scimToken = `scim-${randomBytes(16).toString("hex")}`;
  let out = "";
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, "bin", "scim-bridge.js"), "serve"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn", BRIDGE_ADMIN_TOKEN: adminToken, BRIDGE_SCIM_TOKEN: scimToken, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await untilReady(url, child);
  } catch (e) {
    child.kill("SIGKILL");
    throw new Error(`${(e as Error).message}\n${out}`);
  }
  return {
    url,
    adminToken,
    scimToken,
    output: () => out,
    scim: (method, path, body) => call(`${url}/scim/v2${path}`, scimToken, method, body, "application/scim+json"),
    admin: (method, path, body) => call(`${url}/api/v2${path}`, adminToken, method, body, "application/json"),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
}

export type TestPage = Page & { problems: string[] };

/**
 * A new page in a context of its own (its own cookies), collecting script errors and CSP refusals
 * (the console must work under the bridge's strict Content-Security-Policy): tests assert the list empty.
 */
export async function newPage(browser: Browser): Promise<TestPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = (await context.newPage()) as TestPage;
  page.problems = [];
  page.setDefaultTimeout(20_000);
  page.on("pageerror", (e) => page.problems.push(`script error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy|Refused to/i.test(m.text())) page.problems.push(`CSP: ${m.text()}`);
  });
  return page;
}

/** Signs in through the sign-in form with `token`, from the console path `path`. */
export async function signIn(page: Page, url: string, token: string, path = "/"): Promise<void> {
  await page.goto(`${url}/admin${path}`);
  await page.getByLabel("Admin token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Console" }).waitFor();
}

/** Loads a console path and waits for its page title. */
export async function open(page: Page, url: string, path: string): Promise<void> {
  await page.goto(`${url}/admin${path}`);
  await page.locator("#page-title").waitFor();
}

/** Saves a full-page screenshot under .test-results/screenshots/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

interface AxeResult {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core on the page as it is now and returns its serious and critical violations in words (an
 * empty list passes). Evaluated through the DevTools protocol, which the page's CSP doesn't govern.
 */
export async function axeProblems(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    type Node = { target: unknown[] };
    type Violation = { id: string; impact: string | null; help: string; nodes: Node[] };
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Violation[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v): AxeResult => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 5).join("; ")})`);
}
