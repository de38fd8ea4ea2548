import { test, expect, hydrated, logIncident } from "./fixtures";
import { ADMIN_EMAIL, ADMIN_PASSWORD, signIn } from "./accounts";

// A reader in Tokyo: the portal's own zone is UTC.
test.use({ timezoneId: "Asia/Tokyo" });

for (const size of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
  test(`times follow the browser's zone, named, and targets say which hours count (${size.width} px)`, async ({ page }) => {
    await page.setViewportSize(size);
    // The first page was written before the browser could say its zone: its
    // script shows the times in Tokyo's at once.
    await page.goto("/articles/email-mailbox-full");
    await expect(page.locator(".article-footer time")).toContainText(/GMT\+9|JST/);

    // Every later page is written in it.
    await page.goto("/report/incident");
    await hydrated(page, "form.report-form");
    await expect(page.locator("html")).toHaveAttribute("data-zone", "Asia/Tokyo");
    await logIncident(page, {
      summary: "Shared calendar shows the wrong week",
      description: "The team calendar opens on last week for everyone on the third floor.",
      service: "E-mail and calendar",
      category: "Calendar and meetings",
    });
    await expect(page.locator("[data-test=timeline] time").first()).toContainText("JST");
    // A P4 counts office hours in London: the promise says so beside the date.
    await expect(page.getByTestId("response-target")).toContainText(
      "within 8 working hours, Mon–Fri 08:00–18:00 London time",
    );
    await expect(page.getByTestId("response-target")).toContainText("JST");
  });
}

test("a zone chosen on the account page wins over the browser's", async ({ page }) => {
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await page.goto("/account");
  await expect(page.getByText("Times are shown in Asia/Tokyo")).toBeVisible();
  await page.getByLabel("Show times in").selectOption("America/New_York");
  await page.getByRole("button", { name: "Save my time zone" }).click();
  await expect(page.getByTestId("zone-saved")).toBeVisible();
  await expect(page.getByText("Times are shown in America/New_York, as you chose.")).toBeVisible();
  await page.goto("/admin/audit");
  await expect(page.locator("[data-test=audit] time").first()).toContainText(/EST|EDT/);
  // Back to the browser's zone, as the other journeys expect of this account.
  await page.goto("/account");
  await page.getByLabel("Show times in").selectOption("");
  await page.getByRole("button", { name: "Save my time zone" }).click();
  await expect(page.getByText("Times are shown in Asia/Tokyo")).toBeVisible();
});
