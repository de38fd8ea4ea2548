import { test, expect, expectAccessible, hydrated } from "./fixtures";
import { ADMIN_EMAIL, ADMIN_PASSWORD, signIn } from "./accounts";

// An admin writes an FAQ, a visitor's live search finds it once published, and
// no longer once archived; agents-only articles never reach a visitor.
test("an admin writes, publishes and archives an FAQ; a visitor's search follows", async ({ page, browser }) => {
  // Two browsers, five accessibility scans and three saves: over 30 s on a loaded
  // 2-core machine.
  test.setTimeout(60_000);
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, ADMIN_EMAIL, ADMIN_PASSWORD);
  await admin.goto("/knowledge");
  await expectAccessible(admin, "the knowledge articles list");
  await admin.getByRole("link", { name: "Write an FAQ" }).click();
  await expectAccessible(admin, "the new FAQ form");

  // A form with problems comes back with its messages and the text typed.
  await admin.getByLabel("Title").fill("Xylophone headset pairing");
  await admin.getByRole("button", { name: "Publish" }).click();
  await expect(admin.getByRole("alert").first()).toContainText("Choose the service this article is about.");
  await expect(admin.getByLabel("Title")).toHaveValue("Xylophone headset pairing");
  await expectAccessible(admin, "the FAQ form with problems");

  await admin.getByLabel("Service", { exact: true }).selectOption({ label: "Laptops and devices" });
  await admin.getByLabel("Answer").fill("1. Hold the **power** button for five seconds.\n2. Choose *Pair* on the laptop.");
  await admin.getByRole("button", { name: "Save as draft" }).click();
  await expect(admin.getByTestId("form-done")).toContainText("The draft is saved");
  await expectAccessible(admin, "an article's editor");

  await page.goto("/");
  await hydrated(page, "form.search-form");
  const box = page.getByLabel("Search the help articles");
  await box.fill("xylophone ");
  await expect(page.getByRole("heading", { name: "No matching articles" })).toBeVisible();

  await admin.getByRole("button", { name: "Publish" }).click();
  await expect(admin.getByTestId("form-done")).toContainText("The article is published");
  await box.fill("xylophne headset ");
  const hit = page.getByTestId("search-hit").filter({ hasText: "Xylophone headset pairing" });
  await expect(hit).toBeVisible();
  await hit.getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Xylophone headset pairing");
  await expect(page.locator(".prose strong")).toHaveText("power");

  await admin.getByRole("button", { name: "Archive" }).click();
  await expect(admin.getByTestId("form-done")).toContainText("The article is archived");
  await page.goto("/");
  await hydrated(page, "form.search-form");
  await page.getByLabel("Search the help articles").fill("xylophone ");
  await expect(page.getByRole("heading", { name: "No matching articles" })).toBeVisible();
});

test("an agents-only known error is found by the desk and never by a visitor", async ({ page, browser }) => {
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, ADMIN_EMAIL, ADMIN_PASSWORD);
  await admin.goto("/knowledge/new?kind=known_error");
  await expectAccessible(admin, "the new known-error form");
  await admin.getByLabel("Title").fill("Marmoset relay rejects large attachments");
  await admin.getByLabel("Service", { exact: true }).selectOption({ label: "E-mail and calendar" });
  await admin.getByLabel("Who may read it").selectOption({ label: "Agents only" });
  await admin.getByLabel("Status of the fix").selectOption({ label: "Fix scheduled" });
  await admin.getByLabel("Symptoms").fill("Messages over 20 MB bounce with 552.");
  await admin.getByRole("button", { name: "Publish" }).click();
  await expect(admin.getByTestId("form-done")).toContainText("The article is published");

  await admin.goto("/?q=marmoset");
  await expect(admin.getByTestId("search-hit").first()).toContainText("Marmoset relay");

  await page.goto("/?q=marmoset");
  await expect(page.getByTestId("search-hit")).toHaveCount(0);
  const response = await page.goto("/articles/marmoset-relay-rejects-large-attachments");
  expect(response?.status()).toBe(404);
});

for (const size of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
  test(`a reader says whether an article answered their question (${size.width} px)`, async ({ page }) => {
    await page.setViewportSize(size);
    await page.goto("/articles/email-mailbox-full");
    const feedback = page.getByRole("region", { name: "Did this answer your question?" });
    await expect(feedback).toBeVisible();
    await feedback.getByRole("button", { name: size.width > 400 ? "Yes" : "No" }).click();
    await expect(page).toHaveURL(/answered=(yes|no)#feedback$/);
    await expect(page.getByTestId("feedback-thanks")).toContainText("Thank you");
    await expectAccessible(page, "an article after answering");
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(size.width);
  });
}
