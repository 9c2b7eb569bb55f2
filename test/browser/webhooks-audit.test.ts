/// <reference lib="dom" />
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { axeProblems, launchBrowser, newPage, open, shot, signIn, startServedBridge, type ServedBridge, type TestPage } from "./support";

/**
 * Webhooks and the audit log: an endpoint added in the console, a SCIM write's delivery failing (its
 * attempts shown) then sent again from the console once the receiver recovers, a test event, the
 * secret rotated (shown once), disable/enable, delete; the audit log filtered to the SCIM write.
 */

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";

interface Received {
  headers: IncomingHttpHeaders;
  body: { type?: string };
  answered: number;
}

/** A receiver on loopback that answers `status` (500 at first) and records what it got. */
function startReceiver(): Promise<{ server: Server; url: string; got: Received[]; setStatus(s: number): void }> {
  const got: Received[] = [];
  let status = 500;
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c.toString()));
    req.on("end", () => {
      got.push({ headers: req.headers, body: JSON.parse(text) as Received["body"], answered: status });
      res.statusCode = status;
      res.end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got, setStatus: (s) => (status = s) }),
    ),
  );
}

/** Waits for a condition outside the page (the receiver's log), polling; never a fixed sleep. */
async function until(what: string, done: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let bridge: ServedBridge;
let browser: Browser;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  receiver = await startReceiver();
  // Loopback targets allowed; one quick retry and a short poll, so that a delivery fails for good in well under a second.
  bridge = await startServedBridge({ WEBHOOK_ALLOW_PRIVATE_TARGETS: "true", WEBHOOK_RETRY_SCHEDULE: "100ms", WEBHOOK_POLL_INTERVAL: "100ms", WEBHOOK_TIMEOUT: "2s" });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await bridge?.stop();
  receiver?.server.closeAllConnections();
  await new Promise((r) => receiver?.server.close(r));
});

const facts = (page: TestPage) => page.locator("dl.facts");

it("adds an endpoint, shows a failed delivery with its attempts, redelivers it, sends a test event, rotates the secret, disables, enables and deletes", async () => {
  const page = await newPage(browser);
  await signIn(page, bridge.url, bridge.adminToken, "/webhooks");
  await open(page, bridge.url, "/webhooks");
  await page.getByText("No endpoints yet.").waitFor();
  expect(await axeProblems(page)).toEqual([]);

  await page.getByLabel("URL").fill(receiver.url);
  await page.getByLabel("Event types").fill("user.created");
  await page.getByLabel("Description").fill("browser test receiver");
  await page.getByRole("button", { name: "Add endpoint" }).click();
  const shown = page.getByRole("region", { name: `Signing secret of ${receiver.url}` });
  const secret = await shown.getByRole("textbox").inputValue();
  await shown.getByText(/keeps it encrypted, to sign with/).waitFor();
  expect(secret).toMatch(/^whsec_/);
  const row = page.getByRole("row", { name: new RegExp(receiver.url) });
  await row.getByText("enabled", { exact: true }).waitFor();
  expect(await row.getByRole("cell").allInnerTexts()).toEqual([`${receiver.url}\nbrowser test receiver`, "user.created", "enabled", "0", "0", "none"]);
  expect(await axeProblems(page)).toEqual([]);
  await shot(page, "webhooks-added");

  // The endpoint page polls its deliveries: a timer's requests say so (X-Background: not session activity).
  const polled = page.waitForRequest((r) => /\/api\/v2\/webhooks\/[^/]+\/deliveries/.test(r.url()) && r.headers()["x-background"] === "1");
  await row.getByRole("link", { name: receiver.url }).click();
  await facts(page).getByText(receiver.url).waitFor();
  await polled;

  // A SCIM write: its user.created delivery fails twice (the attempt and its one retry) and the bridge disables the endpoint.
  const created = await bridge.scim("POST", "/Users", { schemas: [USER], userName: "ada.webhook@corp.example" });
  expect(created.status).toBe(201);
  const delivery = page.getByRole("row", { name: /user\.created/ });
  await delivery.getByText("failed", { exact: true }).waitFor();
  expect(await delivery.locator("ol.attempts li").allInnerTexts()).toEqual([expect.stringMatching(/— HTTP 500 \(\d+ ms\)$/), expect.stringMatching(/— HTTP 500 \(\d+ ms\)$/)]);
  await facts(page).getByText("disabled", { exact: true }).waitFor();
  await facts(page).getByText(/failed 2 attempts \(last: HTTP 500\)/).waitFor();
  await facts(page).getByText(/— HTTP 500/).waitFor();
  expect(receiver.got.map((g) => [g.body.type, g.answered])).toEqual([
    ["user.created", 500],
    ["user.created", 500],
  ]);
  expect(await axeProblems(page)).toEqual([]);
  await shot(page, "webhook-delivery-failed");

  // The receiver recovers: enable the endpoint, send the failed delivery again, and see it delivered.
  receiver.setStatus(200);
  await page.getByRole("button", { name: "Enable endpoint" }).click();
  await facts(page).getByText("enabled", { exact: true }).waitFor();
  await delivery.getByRole("button", { name: /^Redeliver user\.created/ }).click();
  await delivery.getByText("succeeded", { exact: true }).waitFor();
  expect(await delivery.locator("ol.attempts li").count()).toBe(3);
  await until("the redelivery", () => receiver.got.some((g) => g.answered === 200 && g.body.type === "user.created"));
  // The same event, so the same webhook-id: a receiver deduplicates on it.
  expect(new Set(receiver.got.map((g) => g.headers["webhook-id"])).size).toBe(1);
  expect(await axeProblems(page)).toEqual([]);
  await shot(page, "webhook-redelivered");

  await page.getByRole("button", { name: "Send test event" }).click();
  await page.getByRole("status").filter({ hasText: "Test event queued" }).waitFor();
  await until("the test event", () => receiver.got.some((g) => g.body.type === "webhook.test"));
  await page.getByRole("row", { name: /webhook\.test/ }).getByText("succeeded", { exact: true }).waitFor();

  await page.getByRole("button", { name: "Rotate signing secret" }).click();
  const rotate = page.getByRole("dialog", { name: "Rotate signing secret" });
  await rotate.waitFor();
  expect(await axeProblems(page)).toEqual([]);
  await rotate.getByRole("button", { name: "Rotate", exact: true }).click();
  await rotate.waitFor({ state: "hidden" });
  const rotated = await page.getByRole("region", { name: "New signing secret" }).getByRole("textbox").inputValue();
  expect(rotated).toMatch(/^whsec_/);
  expect(rotated).not.toBe(secret);
  await shot(page, "webhook-secret-rotated");
  await page.reload();
  await facts(page).getByText(receiver.url).waitFor();
  expect(await page.evaluate(() => document.body.innerText)).not.toContain(rotated);

  await page.getByRole("button", { name: "Disable endpoint" }).click();
  const disable = page.getByRole("dialog", { name: "Disable endpoint" });
  await disable.getByRole("button", { name: "Disable", exact: true }).click();
  await facts(page).getByText("disabled", { exact: true }).waitFor();
  expect(await page.getByRole("button", { name: "Send test event" }).isDisabled()).toBe(true);
  // Why it is disabled is said in words on the page (not only in a tooltip).
  await page.getByText("Send test event: enable the endpoint first (its queue is paused).").waitFor();
  expect(((await bridge.admin("GET", "/webhooks")).body as { webhooks: { enabled: boolean }[] }).webhooks[0]!.enabled).toBe(false);
  await page.getByRole("button", { name: "Enable endpoint" }).click();
  await facts(page).getByText("enabled", { exact: true }).waitFor();

  // The deliveries filter is kept in the URL.
  await page.getByLabel("Status").selectOption("failed");
  await page.getByText("No deliveries failed.").waitFor();
  expect(new URL(page.url()).searchParams.get("status")).toBe("failed");
  expect(await axeProblems(page)).toEqual([]);

  await page.getByRole("button", { name: "Delete endpoint" }).click();
  const remove = page.getByRole("dialog", { name: "Delete endpoint" });
  await remove.getByRole("button", { name: "Delete", exact: true }).click();
  await page.getByText("No endpoints yet.").waitFor();
  expect(new URL(page.url()).pathname).toBe("/admin/webhooks");
  expect(page.problems).toEqual([]);
  await page.context().close();
});

it("filters the audit log to the SCIM write, keeps the filters in the URL, and expands an entry's details", async () => {
  const page = await newPage(browser);
  const made = await bridge.scim("POST", "/Users", { schemas: [USER], userName: "grace.audit@corp.example" });
  expect(made.status).toBe(201);
  const userId = (made.body as { id: string }).id;
  await signIn(page, bridge.url, bridge.adminToken, "/audit");
  await open(page, bridge.url, "/audit");
  await page.getByRole("row", { name: /webhook\.created/ }).waitFor();
  expect(await axeProblems(page)).toEqual([]);

  await page.getByLabel("User").fill(userId);
  await page.getByLabel("Action").fill("user.");
  await page.waitForURL((u) => u.searchParams.get("user") === userId && u.searchParams.get("action") === "user.");
  const rows = page.getByRole("table", { name: "Audit entries" }).getByRole("row");
  await page.getByRole("navigation", { name: "Audit log pages" }).getByText("1–1 of 1").waitFor();
  expect(await rows.nth(1).getByRole("cell").nth(2).innerText()).toBe("user.created");
  expect(await rows.nth(1).innerText()).toContain(userId);
  await shot(page, "audit-filtered");

  // A reload keeps the filters; the sync-dimension filter narrows to nothing here.
  await page.reload();
  await page.getByRole("navigation", { name: "Audit log pages" }).getByText("1–1 of 1").waitFor();
  expect(await page.getByLabel("User").inputValue()).toBe(userId);
  await page.getByLabel("Sync dimension").selectOption("group");
  await page.getByText("No audit entries match.").waitFor();
  expect(new URL(page.url()).searchParams.get("dimension")).toBe("group");

  // An unknown user is an error in words.
  await page.getByLabel("Sync dimension").selectOption("");
  await page.getByLabel("User").fill("nobody-here");
  await page.getByRole("alert").filter({ hasText: "nobody-here" }).waitFor();

  await open(page, bridge.url, "/audit?action=webhook.created");
  const entry = page.getByRole("row", { name: /webhook\.created/ });
  await entry.getByText("Details of webhook.created").click();
  await entry.locator("pre").getByText(/url_sha256/).waitFor();
  expect(await axeProblems(page)).toEqual([]);
  await shot(page, "audit-details");
  expect(page.problems).toEqual([]);
  await page.context().close();
});
