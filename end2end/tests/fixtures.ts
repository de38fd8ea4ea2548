import { test as base, expect, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

/**
 * Every test fails if the page throws or logs an error: a hydration failure shows
 * up there first.
 */
export const test = base.extend<{ pageErrors: string[] }>({
  pageErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
      page.on("console", (m) => {
        // Pages answered with 401, 403, 404, 409 or 422 on purpose are logged by Chromium as failed loads.
        const expectedStatus = /Failed to load resource: .*status of (401|403|404|409|422)/.test(m.text());
        if (m.type() === "error" && !expectedStatus) errors.push(`console: ${m.text()}`);
      });
      await use(errors);
      expect(errors, "errors in the browser").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Waits until the island around `selector` runs in the browser. */
export async function hydrated(page: Page, selector: string) {
  await expect(page.locator(`${selector}[data-hydrated="true"]`)).toBeAttached();
}

/** Asserts that axe finds no WCAG 2.2 A/AA violation on the page as it is now. */
export async function expectAccessible(page: Page, what: string) {
  // axe measures the layout (target sizes, contrast): scan only once the style sheet
  // has loaded, or a page reached by a click is judged unstyled.
  await page.waitForLoadState("load");
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
    .analyze();
  const summary = results.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`,
  );
  expect(summary, `accessibility of ${what}`).toEqual([]);
  expect(results.passes.length, `axe checked ${what}`).toBeGreaterThan(10);
}

/** Fills and submits the incident form; returns the ticket number shown. */
export async function logIncident(
  page: Page,
  details: { summary: string; description: string; service: string; category: string },
) {
  await page.getByLabel("Only me").check();
  await page.getByLabel("I can work around it").check();
  await page.getByLabel("Service", { exact: true }).selectOption({ label: details.service });
  await page.getByLabel("Category").selectOption({ label: details.category });
  await page.getByLabel("Summary").fill(details.summary);
  await page.getByLabel("Description").fill(details.description);
  await page.getByLabel("Your name").fill("Ada Lovelace");
  await page.getByLabel("E-mail address").fill("ada@example.com");
  await page.getByRole("button", { name: "Log the incident" }).click();
  await expect(page.getByTestId("confirmation")).toBeVisible();
  const number = (await page.getByTestId("ticket-number").textContent()) ?? "";
  expect(number).toMatch(/^INC\d{7}$/);
  return number;
}
