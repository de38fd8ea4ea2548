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

test("an admin renames and withdraws categories, then withdraws the service", async ({ page }) => {
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await page.goto("/admin/services");
  const name = `Projectors ${Date.now()}`;
  const add = page.getByTestId("add-service");
  await add.getByLabel("Name", { exact: true }).fill(name);
  await add.getByLabel("Categories, one per line").fill("Ceiling\nPortable");
  await page.getByTestId("add-service-button").click();
  await expect(page.getByTestId("form-done")).toContainText("The service is added");

  const service = page.getByRole("region", { name: new RegExp(name) });
  const categories = service.getByTestId("categories");
  await categories.getByLabel("Ceiling", { exact: true }).fill("Ceiling mounted");
  await categories.getByLabel("Offered: Portable").uncheck();
  await categories.getByRole("button", { name: /Save the categories/ }).click();
  await expect(page.getByTestId("form-done")).toContainText("The categories are saved.");
  await expect(categories.getByLabel("Ceiling mounted", { exact: true })).toHaveValue("Ceiling mounted");
  await expect(categories.getByLabel("Offered: Portable")).not.toBeChecked();

  // The logging form offers the renamed category and not the withdrawn one.
  await page.goto("/report/incident");
  const choices = page.getByLabel("Category", { exact: true });
  await expect(choices.locator("option", { hasText: "Ceiling mounted" })).toHaveCount(1);
  await expect(choices.locator("option", { hasText: "Portable" })).toHaveCount(0);

  // Unticking the last one is refused, with the form as typed; accessible.
  await page.goto("/admin/services");
  await categories.getByLabel("Offered: Ceiling mounted").uncheck();
  await categories.getByRole("button", { name: /Save the categories/ }).click();
  await expect(categories.getByRole("alert")).toContainText("The categories were not saved");
  await expect(categories.getByText("Keep at least one category offered")).toBeVisible();
  await expect(categories.getByLabel("Offered: Ceiling mounted")).not.toBeChecked();
  await expectAccessible(page, "the services page with a refused categories form");

  await service.getByLabel("On the logging form").selectOption({ label: "Withdrawn: kept for its tickets, articles and notices" });
  await service.getByRole("button", { name: new RegExp(`^Save ${name}`) }).click();
  await expect(page.getByTestId("form-done")).toContainText("The service is saved.");
  await expect(service.getByRole("heading", { level: 2 })).toContainText("Withdrawn");
  await page.goto("/report/incident");
  await expect(page.getByLabel("Service", { exact: true }).locator("option", { hasText: name })).toHaveCount(0);
});

test("the groups page adds a group with a member, and is accessible with a problem", async ({ page }) => {
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await page.goto("/admin/groups");
  await expectAccessible(page, "the groups page");
  const add = page.getByRole("region", { name: "Add a group" });
  await add.getByLabel("Level of support").selectOption({ label: "3rd level (specialists and suppliers)" });
  await add.getByRole("button", { name: "Add the group" }).click();
  const again = page.getByRole("region", { name: "Add a group" });
  await expect(again.getByRole("alert")).toContainText("Give the group a name of 1 to 100 characters.");
  await expect(again.getByLabel("Level of support")).toHaveValue("3");
  await expectAccessible(page, "the groups page with a problem");

  const name = `Printer suppliers ${Date.now()}`;
  await again.getByLabel("Name").fill(name);
  await again.getByRole("checkbox", { name: /Esme Admin/ }).check();
  await again.getByRole("button", { name: "Add the group" }).click();
  await expect(page.getByTestId("form-done")).toContainText("The group is added");
  const saved = page.getByRole("region", { name });
  await expect(saved.getByText("3rd level (specialists and suppliers) · 1 member · 0 open tickets")).toBeVisible();
  await expect(saved.getByRole("checkbox", { name: /Esme Admin/ })).toBeChecked();
});

test("the calendars page keeps a refused calendar as typed, and is accessible", async ({ page }) => {
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await page.goto("/admin/calendars");
  await expectAccessible(page, "the calendars page");
  const add = page.getByRole("region", { name: "Add a calendar" });
  const name = `Paris office ${Date.now()}`;
  await add.getByLabel("Name").fill(name);
  await add.getByLabel("Time zone").fill("Mars/Olympus");
  await add.getByLabel("Monday opens").fill("09:00");
  await add.getByLabel("Monday closes").fill("17:30");
  await add.getByLabel("Holidays, one per line").fill("2027-07-14 Bastille Day");
  await add.getByRole("button", { name: "Add the calendar" }).click();
  const again = page.getByRole("region", { name: "Add a calendar" });
  await expect(again.getByRole("alert")).toContainText("Give a time zone by its IANA name");
  await expect(again.getByLabel("Monday closes")).toHaveValue("17:30");
  await expect(again.getByLabel("Holidays, one per line")).toHaveValue("2027-07-14 Bastille Day");
  await expectAccessible(page, "the calendars page with a problem");

  await again.getByLabel("Time zone").fill("Europe/Paris");
  await again.getByRole("button", { name: "Add the calendar" }).click();
  await expect(page.getByTestId("form-done")).toContainText("The calendar is added");
  const saved = page.getByRole("region", { name });
  await expect(saved.getByText("Europe/Paris · No priority counts in it.")).toBeVisible();
  await expect(saved.getByLabel("Monday opens")).toHaveValue("09:00");
  await expect(saved.getByLabel("Tuesday opens")).toHaveValue("");
});

test("the incident models page adds a model, and is accessible with a problem", async ({ page }) => {
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await page.goto("/admin/models");
  await expectAccessible(page, "the incident models page");
  const add = page.getByRole("region", { name: "Add a model" });
  const name = `Projector will not start ${Date.now()}`;
  await add.getByLabel("Name").fill(name);
  await add.getByLabel("Checklist, one step per line").fill("Check the cable\nTry another laptop");
  await add.getByRole("button", { name: "Add the model" }).click();
  const again = page.getByRole("region", { name: "Add a model" });
  await expect(again.getByRole("alert")).toContainText("Choose the category the model sets.");
  await expect(again.getByLabel("Checklist, one step per line")).toHaveValue("Check the cable\nTry another laptop");
  await expectAccessible(page, "the incident models page with a problem");

  await again.getByLabel("Category it sets").selectOption({ index: 1 });
  await again.getByRole("button", { name: "Add the model" }).click();
  await expect(page.getByTestId("form-done")).toContainText("The model is added");
  await expect(page.getByRole("region", { name }).getByText("Offered to agents · 2 steps")).toBeVisible();
});

test("the attachments page, with a problem and saved, is accessible", async ({ page }) => {
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await page.goto("/admin/attachments");
  await expectAccessible(page, "the attachments page");
  const largest = page.getByLabel("Largest file (MB)");
  await expect(largest).toHaveValue("25");
  await expect(page.getByLabel("PDF", { exact: true })).toBeChecked();
  await largest.fill("0");
  await page.getByTestId("save-attachments").click();
  await expect(page.getByRole("alert")).toContainText("Give the largest file in whole MB, from 1 to 100.");
  await expect(page.getByLabel("Largest file (MB)")).toHaveValue("0");
  await expectAccessible(page, "the attachments page with a problem");

  // Saved as it was, so that the other journeys keep the defaults.
  await page.getByLabel("Largest file (MB)").fill("25");
  await page.getByTestId("save-attachments").click();
  await expect(page.getByTestId("form-done")).toContainText("The rules are saved");
});
