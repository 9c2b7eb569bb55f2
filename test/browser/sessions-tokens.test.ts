/// <reference lib="dom" />
import type { Browser } from "playwright-core";
import { axeProblems, launchBrowser, newPage, open, shot, signIn, startServedBridge, type ServedBridge } from "./support";

/** Sign-in, refused tokens, the Tokens page (a secret shown once, revoke after a confirmation), sign-out. */

let bridge: ServedBridge;
let browser: Browser;

beforeAll(async () => {
  bridge = await startServedBridge();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await bridge?.stop();
});

const scimStatus = async (token: string) => (await fetch(`${bridge.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${token}` } })).status;

it("refuses a bad token and a SCIM token in words, and signs in with an admin token kept nowhere in the browser", async () => {
  const page = await newPage(browser);
  await page.goto(`${bridge.url}/admin/`);
  const field = page.getByLabel("Admin token");
  await field.waitFor();
  expect(await axeProblems(page)).toEqual([]);
  await shot(page, "sign-in");

  for (const bad of ["not-a-token", bridge.scimToken]) {
    await field.fill(bad);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "Sign-in refused" }).waitFor();
    expect(await page.context().cookies()).toEqual([]);
  }
  expect(await axeProblems(page)).toEqual([]);
  await shot(page, "sign-in-refused");

  await field.fill(bridge.adminToken);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Console" }).waitFor();
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
  expect(stored).not.toContain(bridge.adminToken);
  const cookies = await page.context().cookies();
  expect(cookies).toHaveLength(1);
  expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: "Strict" });
  expect(page.problems).toEqual([]);
  await page.context().close();
});

it("creates a token shown once, lists it without its secret, revokes it after a confirmation, and signs out", async () => {
  const page = await newPage(browser);
  await signIn(page, bridge.url, bridge.adminToken, "/tokens");
  await open(page, bridge.url, "/tokens");
  await page.getByLabel("Name").fill("okta-production");
  await page.getByRole("button", { name: "Create token" }).click();
  const secret = await page.getByRole("region", { name: "Secret of token okta-production" }).getByRole("textbox").inputValue();
  expect(secret.length).toBeGreaterThan(20);
  expect(await scimStatus(secret)).toBe(200);
  await page.getByRole("cell", { name: "okta-production", exact: true }).waitFor();
  expect(await axeProblems(page)).toEqual([]);
  await shot(page, "tokens-created");

  // A reload never shows the secret again.
  await page.reload();
  await page.getByRole("cell", { name: "okta-production", exact: true }).waitFor();
  expect(await page.evaluate(() => document.body.innerText)).not.toContain(secret);

  await page.getByRole("button", { name: "Revoke okta-production" }).click();
  const dialog = page.getByRole("dialog", { name: "Revoke okta-production" });
  await dialog.waitFor();
  expect(await axeProblems(page)).toEqual([]);
  await shot(page, "tokens-revoke-confirm");
  await dialog.getByRole("button", { name: "Revoke", exact: true }).click();
  await dialog.waitFor({ state: "hidden" });
  await page.getByRole("row", { name: /okta-production/ }).getByText("revoked").waitFor();
  expect(await scimStatus(secret)).toBe(401);

  // "Skip to content" moves focus to the page's main region and stays on this page.
  const before = new URL(page.url()).pathname;
  await page.getByRole("link", { name: "Skip to content" }).focus();
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.activeElement?.id === "main");
  expect(new URL(page.url()).pathname).toBe(before);
  await page.locator("#page-title").filter({ hasText: "Tokens" }).waitFor();

  // A sign-in in another tab replaces the session and its CSRF token: this tab's next change still works.
  const other = await page.context().newPage();
  await other.goto(`${bridge.url}/admin/tokens`);
  const signedIn = await other.evaluate(
    async (token) => (await fetch("/api/v2/sessions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token }) })).status,
    bridge.adminToken,
  );
  expect(signedIn).toBeLessThan(300);
  await other.close();
  await page.getByLabel("Name").fill("after-other-tab");
  await page.getByRole("button", { name: "Create token" }).click();
  await page.getByRole("region", { name: "Secret of token after-other-tab" }).waitFor();

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("Admin token").waitFor();
  // The session ended on the server too: the old cookie is refused.
  expect(await page.evaluate(async () => (await fetch("/api/v2/tokens")).status)).toBe(401);
  expect(page.problems).toEqual([]);
  await page.context().close();
});
