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
