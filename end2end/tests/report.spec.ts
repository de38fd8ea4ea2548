import { test, expect, hydrated, logIncident } from "./fixtures";

test("triage, log an incident, see the confirmation, then check its status", async ({ page }) => {
  await page.goto("/report");
  await page.getByRole("link", { name: "Something is broken or worse than usual" }).click();
  await expect(page).toHaveURL("/report/incident");
  await hydrated(page, "form.report-form");

  // The priority follows the answers, in words.
  await page.getByLabel("Many people, a whole site, or customers").check();
  await page.getByLabel("I cannot work, or a deadline is at risk").check();
  await expect(page.getByTestId("priority-preview")).toContainText("Priority P1 – Critical");
  await expect(page.getByTestId("priority-preview")).toContainText(
    "We aim to respond within 15 minutes and resolve within 4 hours.",
  );
  // Lower priorities count office hours, and say which.
  await page.getByLabel("I can work around it").check();
  await expect(page.getByTestId("priority-preview")).toContainText("Priority P2 – High");
  await expect(page.getByTestId("priority-preview")).toContainText(
    "We aim to respond within 30 working minutes and resolve within 8 working hours (Mon–Fri 08:00–18:00 London time).",
  );
  await page.getByLabel("I cannot work, or a deadline is at risk").check();

  // Matching articles appear beside the form while the issue is described.
  await page.getByLabel("Summary").fill("VPN disconnects after sleep");
  await expect(page.getByTestId("suggestions")).toBeVisible();
  await expect(page.getByTestId("suggestions")).toContainText("VPN");

  await page.getByLabel("Service", { exact: true }).selectOption({ label: "VPN and remote access" });
  await page.getByLabel("Category").selectOption({ label: "Connecting and disconnecting" });
  await page.getByLabel("Description").fill("Every time my laptop wakes up the VPN is gone and I must sign in again.");
  await page.getByLabel("Your name").fill("Grace Hopper");
  await page.getByLabel("E-mail address").fill("grace@example.com");
  await page.getByRole("button", { name: "Log the incident" }).click();

  await expect(page.getByTestId("confirmation")).toBeVisible();
  const number = (await page.getByTestId("ticket-number").textContent()) ?? "";
  expect(number).toMatch(/^INC\d{7}$/);
  await expect(page.getByTestId("ticket-priority")).toHaveText("P1 – Critical");

  // "Copy link" puts the whole private link on the clipboard.
  const link = (await page.getByTestId("private-link").getAttribute("href")) ?? "";
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await hydrated(page, "span.copy-link");
  await page.getByTestId("copy-link").click();
  await expect(page.locator("span.copy-link")).toContainText("Copied.");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(new URL(link, page.url()).href);

  // The private link opens the status page.
  await page.goto(link);
  await expect(page.getByTestId("ticket-state")).toHaveText("New");
  await expect(page.getByTestId("ticket-status")).toContainText(number);

  // So does the number with the e-mail address.
  await page.goto("/status");
  await page.getByLabel("Ticket number").fill(number.toLowerCase());
  await page.getByLabel("E-mail address").fill("GRACE@example.com");
  await page.getByRole("button", { name: "Check status" }).click();
  await expect(page.getByTestId("ticket-status")).toContainText("VPN disconnects after sleep");
});

test("a request is logged with its own number", async ({ page }) => {
  await page.goto("/report");
  await page.getByRole("link", { name: "I need something new or changed" }).click();
  await hydrated(page, "form.report-form");
  await page.getByLabel("Service", { exact: true }).selectOption({ label: "Laptops and devices" });
  await page.getByLabel("Category").selectOption({ label: "Software" });
  await page.getByLabel("Summary").fill("Need Visio installed");
  await page.getByLabel("Description").fill("I need Visio for the network diagrams of the new office.");
  await page.getByLabel("Your name").fill("Ada Lovelace");
  await page.getByLabel("E-mail address").fill("ada@example.com");
  await page.getByRole("button", { name: "Send the request" }).click();
  await expect(page.getByTestId("ticket-number")).toHaveText(/^REQ\d{7}$/);
});

test("the category list follows the chosen service", async ({ page }) => {
  await page.goto("/report/incident");
  await hydrated(page, "form.report-form");
  await page.getByLabel("Service", { exact: true }).selectOption({ label: "Printing and scanning" });
  const category = page.getByLabel("Category");
  await expect(category.locator("optgroup:not([hidden])")).toHaveCount(1);
  await expect(category.locator("optgroup:not([hidden])")).toHaveAttribute("label", "Printing and scanning");
});

test("a wrong number and e-mail pair finds nothing", async ({ page }) => {
  await page.goto("/status");
  await page.getByLabel("Ticket number").fill("INC0999999");
  await page.getByLabel("E-mail address").fill("nobody@example.com");
  await page.getByRole("button", { name: "Check status" }).click();
  await expect(page.getByTestId("lookup-message")).toContainText("We found no ticket");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a form with problems comes back with messages and everything typed", async ({ page }) => {
    await page.goto("/report/incident");
    await page.getByLabel("Only me").check();
    await page.getByLabel("I can work around it").check();
    await page.getByLabel("Summary").fill("Printer eats paper");
    await page.getByLabel("E-mail address").fill("not-an-address");
    await page.getByRole("button", { name: "Log the incident" }).click();

    await expect(page.getByRole("alert")).toContainText("There are");
    // Focus is on the summary of problems; a text box with a problem is red like a list.
    await expect(page.locator(".error-summary")).toBeFocused();
    const red = "rgb(179, 38, 30)";
    await expect(page.getByLabel("E-mail address")).toHaveCSS("border-top-color", red);
    await expect(page.getByLabel("Service", { exact: true })).toHaveCSS("border-top-color", red);
    await expect(page.locator("#name-error")).toContainText("Enter your name.");
    await expect(page.locator("#email-error")).toContainText("name@example.com");
    await expect(page.locator("#description-error")).toContainText("Tell us what happened");
    await expect(page.getByLabel("Summary")).toHaveValue("Printer eats paper");
    await expect(page.getByLabel("E-mail address")).toHaveValue("not-an-address");
    await expect(page.getByLabel("Only me")).toBeChecked();
    await expect(page.getByLabel("I can work around it")).toBeChecked();

    const number = await logIncident(page, {
      summary: "Printer eats paper",
      description: "The second-floor printer jams on every job and shreds the paper.",
      service: "Printing and scanning",
      category: "Toner, paper and jams",
    });
    await expect(page.getByTestId("ticket-priority")).toHaveText("P4 – Low");
    expect(number).toMatch(/^INC/);
  });
});
