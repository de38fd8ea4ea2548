import { test, expect, expectAccessible, hydrated } from "./fixtures";
import { ADMIN_EMAIL, ADMIN_PASSWORD, signIn } from "./accounts";

// The issue's own bound: an open page shows a new or changed notice within one
// second, without a reload.
const LIVE = { timeout: 1000 };

test("an admin publishes, updates and resolves a notice; an open home page follows without a reload", async ({
  page,
  browser,
}) => {
  await page.goto("/");
  await hydrated(page, "div.notices-live");
  // Set on this document: still there afterwards means the page never reloaded.
  await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
  const banner = page.getByTestId("notice-banner");

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, ADMIN_EMAIL, ADMIN_PASSWORD);
  await admin.goto("/admin/notices");
  await expectAccessible(admin, "the notices admin page");

  // A form with problems comes back with its messages, accessible.
  await admin.getByLabel("Title").fill("Prn");
  await admin.getByTestId("publish").click();
  await expect(admin.getByText("The title is too short").first()).toBeVisible();
  await expect(admin.getByLabel("Title")).toHaveValue("Prn");
  await expectAccessible(admin, "the publishing form with problems");

  await admin.getByLabel("Title").fill("Printing unavailable on the second floor");
  await admin.getByLabel("Severity").selectOption({ label: "Major disruption" });
  await admin.getByLabel("Printing and scanning").check();
  await admin.getByLabel("What users experience").fill("Print jobs to the second-floor printers stay queued.");
  await admin.getByTestId("publish").click();
  await expect(admin.getByTestId("form-done")).toContainText("The notice is published");
  await expect(banner).toContainText("Major disruption: Printing unavailable on the second floor", LIVE);
  await expectAccessible(admin, "a notice's admin page");

  await admin.getByLabel("Update", { exact: true }).fill("A technician is on the way.");
  await admin.getByLabel("New expected restoration (UTC, optional)").fill("2030-06-01T15:30");
  await admin.getByTestId("post-update").click();
  await expect(admin.getByTestId("form-done")).toContainText("The update is published");
  await expect(banner.filter({ hasText: "Printing unavailable" })).toContainText("Expected back by Sat 1 Jun 2030, 15:30 UTC", LIVE);

  expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);

  await page.goto("/notices");
  await expect(page.getByTestId("service-states")).toContainText("Major disruption");
  await expect(page.getByText("A technician is on the way.")).toBeVisible();
  await page.goto("/");
  await hydrated(page, "div.notices-live");
  await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));

  await admin.getByTestId("resolve-notice").click();
  await expect(admin.getByTestId("form-done")).toContainText("resolved");
  await expect(page.getByText("Printing unavailable on the second floor")).toHaveCount(0, LIVE);
  expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
  await admin.context().close();
});

test("the notice feed is served as Atom", async ({ request }) => {
  const response = await request.get("/notices.atom");
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toContain("application/atom+xml");
  expect(await response.text()).toContain("<feed xmlns=\"http://www.w3.org/2005/Atom\"");
});
