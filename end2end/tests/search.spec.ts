import { test, expect, hydrated } from "./fixtures";

test("results appear while typing, typos and all, and lead to the article", async ({ page }) => {
  await page.goto("/");
  await hydrated(page, "form.search-form");
  await page.getByLabel("Search the help articles").pressSequentially("forgot my pasword", { delay: 20 });
  const hits = page.getByTestId("search-hit");
  await expect(hits.first()).toContainText("password");
  // The address follows the search without a reload, so it can be shared.
  await expect(page).toHaveURL(/\?q=forgot%20my%20pasword/);
  await expect(page.locator("mark").first()).toBeVisible();

  const first = hits.first().getByRole("link");
  const title = (await first.textContent()) ?? "";
  await first.click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
});

test("the type and service filters narrow the results", async ({ page }) => {
  await page.goto("/?q=vpn");
  await hydrated(page, "form.search-form");
  await page.getByLabel("Type").selectOption({ label: "Known errors" });
  await expect(page).toHaveURL(/kind=known_error/);
  await expect(page.getByTestId("search-hit").filter({ hasText: "FAQ" })).toHaveCount(0);
  await expect(page.getByTestId("search-hit").first()).toContainText("Known error");
  const badges = page.getByTestId("search-hit").locator(".badge");
  for (const badge of await badges.all()) {
    await expect(badge).toHaveText("Known error");
  }
});

test("a search with no answer offers to report the issue", async ({ page }) => {
  await page.goto("/");
  await hydrated(page, "form.search-form");
  // Two letters are not searched yet: nothing flashes "No matching articles".
  await page.getByLabel("Search the help articles").fill("qz");
  await expect(page).toHaveURL(/\?q=qz/);
  await page.waitForTimeout(500);
  await expect(page.getByRole("heading", { name: "No matching articles" })).toHaveCount(0);
  await page.getByLabel("Search the help articles").fill("qqqqzzzz ");
  await expect(page.getByRole("heading", { name: "No matching articles" })).toBeVisible();
  await page.getByRole("link", { name: "Report an issue" }).last().click();
  await expect(page).toHaveURL("/report");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the search form still answers", async ({ page }) => {
    await page.goto("/");
    await page.getByLabel("Search the help articles").fill("printer offline");
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page).toHaveURL(/\?q=printer\+offline/);
    await expect(page.getByTestId("search-hit").first()).toBeVisible();
  });
});
