/// <reference lib="dom" />
import type { Browser } from "playwright-core";
import { axeProblems, launchBrowser, newPage, open, shot, signIn, startServedBridge, type ServedBridge } from "./support";

/**
 * IdP sync settings and reconciliation runs in the console: users provisioned over SCIM with IdP
 * group Okta-Eng; an admin maps Okta-Eng to the bridge group "engineers", previews exactly the
 * memberships that gives, saves, applies the reviewed plan; then a resync dry run's diff, filtered.
 */

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";

let bridge: ServedBridge;
let browser: Browser;
const ids: Record<string, string> = {};
let engineers = "";

interface Member {
  id: string;
  username: string;
  membership_source: string;
}

const engineersMembers = async () => ((await bridge.admin("GET", "/organizations/default/groups/engineers")).body as { members: Member[] }).members;

beforeAll(async () => {
  bridge = await startServedBridge();
  browser = await launchBrowser();
  engineers = ((await bridge.admin("POST", "/organizations/default/groups", { name: "engineers" })).body as { id: string }).id;
  for (const name of ["alice", "bob"]) {
    const res = await bridge.scim("POST", "/Users", { schemas: [USER], userName: `${name}@corp.example`, name: { givenName: name, familyName: "Example" }, emails: [{ value: `${name}@corp.example`, primary: true }] });
    expect(res.status).toBe(201);
    ids[name] = (res.body as { id: string }).id;
  }
  expect((await bridge.scim("POST", "/Groups", { schemas: [GROUP], displayName: "Okta-Eng", members: [{ value: ids.alice }] })).status).toBe(201);
  expect((await bridge.scim("POST", "/Groups", { schemas: [GROUP], displayName: "Okta-Sales", members: [{ value: ids.bob }] })).status).toBe(201);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await bridge?.stop();
});

it("maps IdP group Okta-Eng to group engineers: field problems in place, a preview of exactly the new memberships, save, apply", async () => {
  const page = await newPage(browser);
  await signIn(page, bridge.url, bridge.adminToken, "/sync");
  await open(page, bridge.url, "/sync");
  await page.getByRole("heading", { name: "Organization sync" }).waitFor();
  await page.getByRole("heading", { name: /Group sync in/ }).waitFor();
  expect(await axeProblems(page)).toEqual([]);
  await shot(page, "sync-settings");

  await page.getByLabel("Group claim field").fill("groups");
  await page.getByRole("button", { name: "Add a row to group mapping" }).click();
  await page.getByLabel("Group mapping: claim value 1").fill("Okta-Eng");
  await page.getByLabel("Group mapping: group 1").selectOption({ label: "engineers" });

  // A bad regex: the API's validation is shown next to the field, nothing is previewed.
  await page.getByLabel("Regex filter").fill("([");
  await page.getByRole("button", { name: "Preview changes" }).click();
  await page.locator(".field.invalid").filter({ has: page.getByLabel("Regex filter") }).getByRole("alert").waitFor();
  expect(await axeProblems(page)).toEqual([]);
  await shot(page, "sync-field-problem");
  await page.getByLabel("Regex filter").fill("");

  // Saving waits for a preview of exactly these settings.
  expect(await page.getByRole("button", { name: "Save settings" }).isDisabled()).toBe(true);
  await page.getByRole("button", { name: "Preview changes" }).click();
  const preview = page.getByRole("region", { name: /Preview: what saving and applying/ });
  await preview.getByRole("table").waitFor();
  expect(await preview.locator(".consequences li").allInnerTexts()).toEqual(["adds 1 user joins group engineers in default"]);
  const lines = preview.locator("table.run-lines tbody tr:not(.user-row)");
  expect(await lines.count()).toBe(1);
  expect(await lines.first().innerText()).toMatch(/alice joins group engineers in default/);
  expect(await preview.locator("table.run-lines").innerText()).not.toMatch(/bob/);
  expect(await engineersMembers()).toEqual([]);
  expect(await axeProblems(page)).toEqual([]);
  await shot(page, "sync-preview");

  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByRole("heading", { name: "Settings saved" }).waitFor();
  await page.getByText("No unsaved changes.").waitFor();
  expect(await page.getByLabel("Group mapping: claim value 1").inputValue()).toBe("Okta-Eng");
  const saved = (await bridge.admin("GET", "/organizations/default/settings/idpsync/groups")).body;
  expect(saved).toMatchObject({ field: "groups", mapping: { "Okta-Eng": [engineers] } });

  await page.getByRole("button", { name: "Apply the reviewed plan" }).click();
  const dialog = page.getByRole("dialog", { name: "Apply the reviewed plan" });
  await dialog.waitFor();
  expect(await axeProblems(page)).toEqual([]);
  await dialog.getByRole("button", { name: "Apply", exact: true }).click();
  await page.getByRole("status").filter({ hasText: "Applied: 1 change to 1 user." }).waitFor();
  expect(await axeProblems(page)).toEqual([]);
  await shot(page, "sync-applied");

  const members = await engineersMembers();
  expect(members.map((m) => [m.id, m.membership_source])).toEqual([[ids.alice, "sync"]]);
  expect(page.problems).toEqual([]);
  await page.context().close();
}, 120_000);

it("starts a resync dry run from the Reconciliations page and shows its diff by user, filtered", async () => {
  // Two more engineers (sync puts them in at provisioning), then all three taken out by hand: a resync puts them back.
  for (const name of ["carol", "dave"]) {
    const res = await bridge.scim("POST", "/Users", { schemas: [USER], userName: `${name}@corp.example`, emails: [{ value: `${name}@corp.example`, primary: true }] });
    ids[name] = (res.body as { id: string }).id;
  }
  const eng = ((await bridge.scim("GET", `/Groups?filter=${encodeURIComponent('displayName eq "Okta-Eng"')}`)).body as { Resources: { id: string }[] }).Resources[0]!.id;
  await bridge.scim("PATCH", `/Groups/${eng}`, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "add", path: "members", value: [{ value: ids.carol }, { value: ids.dave }] }] });
  expect((await engineersMembers()).length).toBe(3);
  expect((await bridge.admin("PATCH", `/groups/${engineers}`, { remove_users: [ids.alice, ids.carol, ids.dave] })).status).toBe(200);

  const page = await newPage(browser);
  await signIn(page, bridge.url, bridge.adminToken, "/reconciliations");
  await open(page, bridge.url, "/reconciliations");
  await page.getByRole("table", { name: "Reconciliation runs" }).waitFor();
  expect(await axeProblems(page)).toEqual([]);
  await shot(page, "reconciliations");

  await page.getByLabel("Kind").selectOption("resync");
  await page.getByRole("button", { name: "Start dry run" }).click();
  await page.getByRole("heading", { name: "Resync dry run" }).waitFor();
  await page.locator("dd").getByText("completed").waitFor();
  // Three users rejoin engineers; bob's IdP group names no group of the bridge (a problem line).
  await page.getByText("4 matching lines").waitFor();
  expect(await page.locator(".consequences li").allInnerTexts()).toEqual(["adds 3 users join group engineers in default"]);
  expect((await page.locator("table.run-lines th[scope=rowgroup]").allInnerTexts()).sort()).toEqual(["alice", "bob", "carol", "dave"]);
  expect(await page.getByRole("row", { name: /no group named "Okta-Sales"/ }).count()).toBe(1);

  await page.getByLabel("Kind").selectOption("change");
  await page.getByText("3 matching lines").waitFor();
  expect((await page.locator("table.run-lines th[scope=rowgroup]").allInnerTexts()).sort()).toEqual(["alice", "carol", "dave"]);
  await page.getByLabel("User").fill("CAR");
  await page.getByText("1 matching line", { exact: true }).waitFor();
  expect(await page.locator("table.run-lines th[scope=rowgroup]").allInnerTexts()).toEqual(["carol"]);
  await page.getByLabel("Change type").selectOption("group");
  await page.getByText("1 matching line", { exact: true }).waitFor();
  expect(await page.locator("table.run-lines tbody tr:not(.user-row)").allInnerTexts()).toEqual([expect.stringMatching(/carol joins group engineers in default\s+mapping: groups = Okta-Eng/)]);
  expect(await axeProblems(page)).toEqual([]);
  await shot(page, "reconciliation-diff");
  // The filters live in the address: a reload shows the same lines.
  await page.waitForURL(/kind=change/);
  await page.reload();
  await page.getByText("1 matching line", { exact: true }).waitFor();
  expect(await page.getByLabel("Kind").inputValue()).toBe("change");
  expect(await page.getByLabel("Change type").inputValue()).toBe("group");
  expect(await page.getByLabel("User").inputValue()).toBe("CAR");
  await page.getByLabel("Change type").selectOption("role");
  await page.getByText("0 matching lines").waitFor();
  await page.getByLabel("Change type").selectOption("");
  await page.getByLabel("Kind").selectOption("");
  await page.getByLabel("User").fill("");
  await page.getByText("4 matching lines").waitFor();

  // Apply the reviewed plan from the run's page: the apply run's page follows it.
  await page.getByRole("button", { name: "Apply this plan" }).click();
  await page.getByRole("dialog", { name: "Apply this plan" }).getByRole("button", { name: "Apply", exact: true }).click();
  await page.getByRole("heading", { name: "Resync apply" }).waitFor();
  await page.locator("dd").getByText("completed").waitFor();
  expect(await axeProblems(page)).toEqual([]);
  expect((await engineersMembers()).map((m) => m.id).sort()).toEqual([ids.alice, ids.carol, ids.dave].sort());
  expect(page.problems).toEqual([]);
  await page.context().close();
}, 120_000);

it("refuses to apply a reviewed plan that changed since the preview, and shows the plan as it is now", async () => {
  const page = await newPage(browser);
  await signIn(page, bridge.url, bridge.adminToken, "/sync");
  await page.getByRole("heading", { name: /Group sync in/ }).waitFor();
  await page.getByRole("button", { name: "Add a row to group mapping" }).click();
  await page.getByLabel("Group mapping: claim value 2").fill("Okta-Sales");
  await page.getByLabel("Group mapping: group 2").selectOption({ label: "engineers" });
  await page.getByRole("button", { name: "Preview changes" }).click();
  const preview = page.getByRole("region", { name: /Preview: what saving and applying/ });
  await preview.getByRole("table").waitFor();
  expect(await preview.locator(".consequences li").allInnerTexts()).toEqual(["adds 1 user joins group engineers in default"]);
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByRole("heading", { name: "Settings saved" }).waitFor();

  // The IdP takes bob out of Okta-Sales before the admin applies: the reviewed plan no longer holds.
  const sales = ((await bridge.scim("GET", `/Groups?filter=${encodeURIComponent('displayName eq "Okta-Sales"')}`)).body as { Resources: { id: string }[] }).Resources[0]!.id;
  await bridge.scim("PATCH", `/Groups/${sales}`, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "remove", path: `members[value eq "${ids.bob}"]` }] });

  await page.getByRole("button", { name: "Apply the reviewed plan" }).click();
  await page.getByRole("dialog", { name: "Apply the reviewed plan" }).getByRole("button", { name: "Apply", exact: true }).click();
  await page.getByRole("heading", { name: "The plan changed since the review" }).waitFor();
  await page.getByRole("alert").filter({ hasText: "Not applied" }).waitFor();
  await page.getByText("No organization, group or role changes.").waitFor();
  // What changed: bob's membership was in the reviewed plan and is no longer.
  const difference = page.getByRole("table", { name: /What changed since the review/ });
  expect(await difference.locator("tbody tr").allInnerTexts()).toEqual([expect.stringMatching(/^1 user joins group engineers in default\s+no longer$/)]);
  expect(await page.getByText("Applying the saved settings changes nothing now.").count()).toBe(1);
  expect(await axeProblems(page)).toEqual([]);
  await shot(page, "sync-plan-changed");
  expect((await engineersMembers()).map((m) => m.id)).not.toContain(ids.bob);
  expect(page.problems).toEqual([]);
  await page.context().close();
}, 120_000);

it("starts an import dry run from an uploaded CSV export and shows what it would create and update", async () => {
  const page = await newPage(browser);
  await signIn(page, bridge.url, bridge.adminToken, "/reconciliations");
  await page.getByLabel("Kind").selectOption("import");
  await page.getByLabel("Export file (JSON or CSV)").setInputFiles({
    name: "okta-export.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("userName,givenName,familyName,email\nerin@corp.example,Erin,Example,erin@corp.example\nalice@corp.example,Alice,Renamed,alice@corp.example\n"),
  });
  expect(await page.getByLabel("Allow suspending more than the configured share of active users").count()).toBe(0);
  await page.getByLabel("Suspend users absent from the export").check();
  await page.getByLabel("Allow suspending more than the configured share of active users").check();
  expect(await axeProblems(page)).toEqual([]);
  await page.getByRole("button", { name: "Start dry run" }).click();
  await page.getByRole("heading", { name: "Import dry run" }).waitFor();
  await page.locator("dd").getByText("completed").waitFor();
  // The apply's confirmation names the mass suspension the dry run allowed (then Cancel: nothing applied).
  await page.getByRole("button", { name: "Apply this plan" }).click();
  const confirm = page.getByRole("dialog", { name: "Apply this plan" });
  await confirm.getByText(/suspends the users absent from the export, even more than the configured share/).waitFor();
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await confirm.waitFor({ state: "hidden" });
  await page.getByLabel("Change type").selectOption("user");
  await page.getByText(/matching lines?$/).waitFor();
  const lines = await page.locator("table.run-lines tbody tr:not(.user-row)").allInnerTexts();
  expect(lines.some((l) => /erin@corp\.example is created as erin@corp\.example/.test(l))).toBe(true);
  expect(lines.some((l) => /alice is updated \(.*name.*\)/.test(l))).toBe(true);
  expect(await axeProblems(page)).toEqual([]);
  await shot(page, "reconciliation-import");
  // A dry run: nobody was created.
  const found = (await bridge.scim("GET", `/Users?filter=${encodeURIComponent('userName eq "erin@corp.example"')}`)).body as { totalResults: number };
  expect(found.totalResults).toBe(0);
  expect(page.problems).toEqual([]);
  await page.context().close();
}, 120_000);

it("follows a running run live: a progress bar of users checked while it runs, then its report", async () => {
  const run = ((await bridge.admin("GET", "/reconciliations?limit=100")).body as { runs: { id: string; kind: string; dry_run: boolean }[] }).runs.find((r) => r.kind === "resync" && r.dry_run)!;
  const page = await newPage(browser);
  await signIn(page, bridge.url, bridge.adminToken, "/reconciliations");
  // The run's first two polls answer as if it were halfway (a real run over a few users ends too fast to watch).
  let polls = 0;
  await page.route(/\/api\/v2\/reconciliations\/[0-9a-f-]+\?limit=1&consequences=false$/, async (route) => {
    const res = await route.fetch();
    const body = (await res.json()) as { status: string; finished_at: string | null; summary: Record<string, number> };
    const halfway = polls++ < 2 ? { ...body, status: "running", finished_at: null, summary: { ...body.summary, users_scanned: 2, users_total: 4 } } : body;
    await route.fulfill({ response: res, json: halfway });
  });
  await open(page, bridge.url, `/reconciliations/${run.id}`);
  const bar = page.getByRole("progressbar", { name: "Users checked" });
  await bar.waitFor();
  expect(await bar.getAttribute("value")).toBe("2");
  expect(await page.locator(".progress").innerText()).toContain("Users checked: 2 of 4");
  expect(await axeProblems(page)).toEqual([]);
  await shot(page, "reconciliation-running");
  await page.locator("dd").getByText("completed").waitFor();
  await bar.waitFor({ state: "detached" });
  expect(polls).toBeGreaterThanOrEqual(3);
  expect(page.problems).toEqual([]);
  await page.context().close();
}, 120_000);
