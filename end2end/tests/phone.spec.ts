import { Page } from "@playwright/test";
import { test, expect, expectAccessible, hydrated, logIncident } from "./fixtures";
import { ADMIN_EMAIL, ADMIN_PASSWORD, signIn } from "./accounts";

// A phone held upright (390 × 844 CSS pixels, as an iPhone 14's).
test.use({ viewport: { width: 390, height: 844 } });

/** Asserts that the page does not scroll sideways. */
async function fitsTheWidth(page: Page, what: string) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, `${what} scrolls sideways`).toBeLessThanOrEqual(390);
}

test("on a phone the header folds into a menu and the search box is on the first screen", async ({ page }) => {
  await page.goto("/");
  await fitsTheWidth(page, "the home page");
  const search = page.getByLabel("Search the help articles");
  const box = await search.boundingBox();
  expect(box && box.y + box.height).toBeLessThan(844);

  const report = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Report an issue" });
  await expect(report).toBeHidden();
  await page.getByText("Menu", { exact: true }).click();
  await expect(report).toBeVisible();
  await expectAccessible(page, "the home page on a phone with the menu open");
  await report.click();
  await expect(page).toHaveURL(/\/report$/);
});

test("on a phone the queue's table scrolls in its own box, never the page", async ({ page }) => {
  await page.goto("/report/incident");
  await hydrated(page, "form.report-form");
  await logIncident(page, {
    summary: "Scanner sends blank pages",
    description: "Every scan to e-mail from the second floor arrives as blank pages.",
    service: "Printing and scanning",
    category: "Toner, paper and jams",
  });
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await page.goto("/agent");
  await hydrated(page, "div.queue");
  await expect(page.getByTestId("queue")).toBeVisible();
  await fitsTheWidth(page, "the queue");
  await expectAccessible(page, "the queue on a phone");
});

test("on a phone the logging form offers matching articles before its button", async ({ page }) => {
  await page.goto("/report/incident");
  await hydrated(page, "form.report-form");
  await fitsTheWidth(page, "the logging form");
  await page.getByLabel("Summary").fill("VPN error 809");
  const suggestions = page.getByTestId("suggestions");
  await expect(suggestions).toBeVisible();
  const offered = await suggestions.boundingBox();
  const send = await page.getByRole("button", { name: "Log the incident" }).boundingBox();
  expect(offered && send && offered.y < send.y, "suggestions above the button").toBe(true);
});

test("on a phone no page scrolls sideways", async ({ page }) => {
  test.setTimeout(60_000);
  const visitor = [
    "/", "/?q=vpn", "/articles/email-mailbox-full", "/report", "/report/incident", "/report/request",
    "/status", "/notices", "/sign-in", "/register", "/forgot-password", "/welcome/x",
  ];
  const sideways = async (path: string) => {
    await page.goto(path);
    return { path, width: await page.evaluate(() => document.documentElement.scrollWidth) };
  };
  const tooWide: { path: string; width: number }[] = [];
  for (const path of visitor) {
    const seen = await sideways(path);
    if (seen.width > 390) tooWide.push(seen);
  }
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  const staff = [
    "/account", "/my-tickets", "/agent", "/knowledge", "/knowledge/new?kind=faq",
    "/knowledge/new?kind=known_error", "/admin/users", "/admin/outbox", "/admin/audit",
    "/admin/notices", "/admin/priorities", "/admin/services", "/admin/groups",
    "/admin/calendars", "/admin/models", "/admin/attachments",
  ];
  for (const path of staff) {
    const seen = await sideways(path);
    if (seen.width > 390) tooWide.push(seen);
  }
  expect(tooWide, "pages wider than the phone").toEqual([]);
});
