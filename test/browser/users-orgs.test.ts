/// <reference lib="dom" />
import type { Browser } from "playwright-core";
import { axeProblems, launchBrowser, newPage, open, shot, signIn, startServedBridge, type ServedBridge, type TestPage } from "./support";

/**
 * Overview, Users and Organizations pages: users and a group provisioned over SCIM, a role granted by
 * role sync from the `title` claim; the overview counts them, a search finds the user, whose page
 * names the role's rule, claim and value; suspend and activate; a manual member added and removed.
 */

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";

let bridge: ServedBridge;
let browser: Browser;
let leadId: string;

const ok = async (p: Promise<{ status: number; body: unknown }>, status = 200) => {
  const r = await p;
  expect({ status: r.status, body: r.body }).toMatchObject({ status });
  return r.body as Record<string, unknown>;
};

beforeAll(async () => {
  bridge = await startServedBridge();
  browser = await launchBrowser();
  await ok(bridge.admin("PATCH", "/organizations/default/settings/idpsync/roles", { field: "title", mapping: { Lead: ["organization-admin"] } }));
  await ok(bridge.admin("POST", "/organizations", { name: "acme", display_name: "Acme" }), 201);
  const lead = await ok(bridge.scim("POST", "/Users", { schemas: [USER], userName: "lead@b.example", title: "Lead", active: true, emails: [{ value: "lead@b.example", primary: true }] }), 201);
  leadId = String(lead.id);
  const dev = await ok(bridge.scim("POST", "/Users", { schemas: [USER], userName: "dev@b.example", active: true }), 201);
  await ok(bridge.scim("POST", "/Users", { schemas: [USER], userName: "pat@b.example", active: true }), 201);
  await ok(bridge.scim("POST", "/Groups", { schemas: [GROUP], displayName: "Engineering", members: [{ value: leadId }, { value: dev.id }] }), 201);
});
afterAll(async () => {
  await browser?.close();
  await bridge?.stop();
});

async function checked(page: TestPage, name: string): Promise<void> {
  expect(await axeProblems(page)).toEqual([]);
  await shot(page, name);
}

it("shows the counts on the overview, finds the user by search, explains the synced role, suspends and activates", async () => {
  const page = await newPage(browser);
  await signIn(page, bridge.url, bridge.adminToken, "/");
  const counts = page.getByRole("group", { name: "Counts" });
  await counts.getByText("Active users").waitFor();
  expect(await counts.locator(".card").filter({ hasText: /^Users/ }).locator(".big").innerText()).toBe("3");
  expect(await counts.locator(".card").filter({ hasText: "IdP groups" }).locator(".big").innerText()).toBe("1");
  // Three users and a group created: four SCIM writes by the environment's SCIM token.
  const idp = page.getByRole("row").filter({ hasText: "env:BRIDGE_SCIM_TOKEN" });
  expect(await idp.getByRole("cell").last().innerText()).toBe("4");
  await checked(page, "overview");

  await open(page, bridge.url, "/users");
  await page.getByRole("link", { name: "pat", exact: true }).waitFor();
  await page.getByRole("searchbox", { name: "Search" }).fill("lead");
  await page.waitForURL(/\/admin\/users\?q=lead$/);
  await page.getByRole("link", { name: "pat", exact: true }).waitFor({ state: "detached" });
  await page.reload();
  expect(await page.getByRole("searchbox", { name: "Search" }).inputValue()).toBe("lead");
  await page.getByText("1–1 of 1").waitFor();
  await checked(page, "users-search");

  await page.getByRole("link", { name: "lead", exact: true }).click();
  await page.waitForURL(new RegExp(`/admin/users/${leadId}$`));
  const grants = page.getByRole("table", { name: "Organizations, groups and roles" });
  const role = grants.getByRole("row").filter({ hasText: "organization-admin" });
  await role.waitFor();
  const roleText = await role.innerText();
  expect(roleText).toContain("sync");
  expect(roleText).toMatch(/claim\s+title\s+=\s+Lead/);
  await grants.getByRole("row").filter({ hasText: "Everyone" }).filter({ hasText: "implicit" }).waitFor();
  await page.getByLabel("SCIM resource").filter({ hasText: '"title": "Lead"' }).waitFor();
  await page.getByRole("cell", { name: "user.created" }).waitFor();
  await checked(page, "user-page");

  await page.getByRole("button", { name: "Suspend lead" }).click();
  const dialog = page.getByRole("dialog", { name: "Suspend lead" });
  await dialog.waitFor();
  await checked(page, "user-suspend-confirm");
  await dialog.getByRole("button", { name: "Suspend lead" }).click();
  await page.getByRole("button", { name: "Activate lead" }).waitFor();
  expect(((await bridge.admin("GET", `/users/${leadId}`)).body as { status: string }).status).toBe("suspended");
  await page.getByRole("button", { name: "Activate lead" }).click();
  await page.getByRole("dialog", { name: "Activate lead" }).getByRole("button", { name: "Activate lead" }).click();
  await page.getByRole("button", { name: "Suspend lead" }).waitFor();
  expect(((await bridge.admin("GET", `/users/${leadId}`)).body as { status: string }).status).toBe("active");
  await page.getByRole("cell", { name: "user.reactivated" }).waitFor();
  expect(page.problems).toEqual([]);
  await page.context().close();
});

it("adds a manual member to an organization and removes it after a confirmation; lists groups and their members", async () => {
  const page = await newPage(browser);
  await signIn(page, bridge.url, bridge.adminToken, "/organizations");
  await page.getByRole("link", { name: "acme" }).click();
  await page.waitForURL(/\/admin\/organizations\/acme$/);
  await page.getByText("0–0 of 0").waitFor();
  await page.getByLabel("Find a user").fill("dev");
  const pick = page.getByLabel("User to add");
  await pick.locator("option", { hasText: "dev" }).waitFor({ state: "attached" });
  await pick.selectOption("dev");
  await page.getByRole("button", { name: "Add member" }).click();
  const row = page.getByRole("row").filter({ hasText: "dev" });
  await row.filter({ hasText: "manual" }).waitFor();
  await checked(page, "organization-members");
  expect((await bridge.admin("GET", "/organizations/acme/members/dev")).status).toBe(200);

  await page.getByRole("button", { name: "Remove dev" }).click();
  const dialog = page.getByRole("dialog", { name: "Remove dev" });
  await dialog.waitFor();
  await dialog.getByRole("button", { name: "Remove", exact: true }).click();
  await page.getByText("dev was removed.").waitFor();
  await page.getByText("0–0 of 0").waitFor();
  // The removed row took its button: focus goes to the page's title, not to <body>.
  await page.waitForFunction(() => document.activeElement?.id === "page-title");
  expect((await bridge.admin("GET", "/organizations/acme/members/dev")).status).toBe(404);

  await open(page, bridge.url, "/organizations/default");
  await page.getByRole("cell", { name: "sync" }).first().waitFor();
  await checked(page, "organization-default");
  await page.getByRole("link", { name: "Everyone" }).click();
  await page.getByText("1–3 of 3").waitFor();
  await page.getByRole("cell", { name: "implicit" }).first().waitFor();
  await checked(page, "group-everyone");
  expect(page.problems).toEqual([]);
  await page.context().close();
});
