import { test, expect, expectAccessible, hydrated, logIncident } from "./fixtures";

const pages = [
  "/",
  "/?q=vpn+error",
  "/?q=qqqqzzzz",
  "/report",
  "/report/incident",
  "/report/request",
  "/status",
  "/notices",
  "/no-such-page",
];

for (const path of pages) {
  test(`${path} has no WCAG 2.2 AA violations`, async ({ page }) => {
    const response = await page.goto(path);
    expect(response?.status()).toBe(path === "/no-such-page" ? 404 : 200);
    await expectAccessible(page, path);
  });
}

test("article pages have no violations", async ({ page }) => {
  await page.goto("/?q=vpn");
  for (const kind of ["FAQ", "Known error"]) {
    await page.goto("/?q=vpn");
    const hit = page.getByTestId("search-hit").filter({ hasText: kind }).first();
    await hit.getByRole("link").click();
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectAccessible(page, `a ${kind} article`);
  }
});

test("the form with errors, its live parts, the confirmation and the status pages have no violations", async ({ page }) => {
  await page.goto("/report/incident");
  await hydrated(page, "form.report-form");
  await page.getByLabel("Many people, a whole site, or customers").check();
  await page.getByLabel("I cannot work, or a deadline is at risk").check();
  await page.getByLabel("Summary").fill("Outlook keeps asking for my password");
  await expect(page.getByTestId("suggestions")).toBeVisible();
  await expectAccessible(page, "the incident form with priority and suggestions");

  await page.getByRole("button", { name: "Log the incident" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expectAccessible(page, "the incident form with errors");

  const number = await logIncident(page, {
    summary: "Outlook keeps asking for my password",
    description: "Outlook prompts for my password every few minutes since this morning.",
    service: "E-mail and calendar",
    category: "Sending and receiving",
  });
  await expectAccessible(page, "the confirmation");

  await page.goto("/status");
  await page.getByLabel("Ticket number").fill(number);
  await page.getByLabel("E-mail address").fill("ada@example.com");
  await page.getByRole("button", { name: "Check status" }).click();
  await expect(page.getByTestId("ticket-status")).toBeVisible();
  await expectAccessible(page, "the status page");

  await page.goto("/status");
  await page.getByRole("button", { name: "Check status" }).click();
  await expect(page.getByTestId("lookup-message")).toBeVisible();
  await expectAccessible(page, "the status lookup with a message");
});
