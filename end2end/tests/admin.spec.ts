import { test, expect, expectAccessible } from "./fixtures";
import { ADMIN_EMAIL, ADMIN_PASSWORD, signIn } from "./accounts";

test("the priorities page, with a problem and saved, is accessible", async ({ page }) => {
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await page.goto("/admin/priorities");
  await expectAccessible(page, "the priorities page");

  const p1Response = page.getByLabel("Respond within (minutes)").first();
  await expect(p1Response).toHaveValue("15");
  await p1Response.fill("0");
  await page.getByTestId("save-priorities").click();
  await expect(page.getByRole("alert")).toContainText("Give P1's response target in whole minutes");
  await expect(page.getByLabel("Respond within (minutes)").first()).toHaveValue("0");
  await expectAccessible(page, "the priorities page with a problem");

  await page.getByLabel("Respond within (minutes)").first().fill("15");
  await page.getByTestId("save-priorities").click();
  await expect(page.getByTestId("form-done")).toContainText("The settings are saved.");
});

test("the services page, with a refused service, is accessible", async ({ page }) => {
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await page.goto("/admin/services");
  await expectAccessible(page, "the services page");
  const add = page.getByTestId("add-service");
  await add.getByLabel("Address name (optional)").fill("Not A Slug");
  await page.getByTestId("add-service-button").click();
  await expect(page.getByText("The service was not added")).toBeVisible();
  await expect(page.getByTestId("add-service").getByLabel("Address name (optional)")).toHaveValue("Not A Slug");
  await expectAccessible(page, "the services page with problems");
});
