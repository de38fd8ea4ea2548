import { test, expect, expectAccessible, logIncident } from "./fixtures";
import { ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, registerAndSignIn, signIn } from "./accounts";

test("an end user registers, logs an incident signed in, finds it under My tickets and signs out", async ({ page }) => {
  await registerAndSignIn(page, "Grace Hopper", "grace.e2e@example.com");
  await expect(page.getByTestId("no-tickets")).toBeVisible();
  await expectAccessible(page, "My tickets, empty");

  await page.goto("/report/incident");
  const number = await logIncident(page, {
    summary: "The VPN drops every ten minutes",
    description: "Since this morning the VPN disconnects every ten minutes at home.",
    service: "VPN and remote access",
    category: "Connecting and disconnecting",
  });

  await page.getByRole("link", { name: "My tickets" }).click();
  const row = page.getByTestId("my-tickets").getByRole("row").filter({ hasText: number });
  await expect(row).toContainText("The VPN drops every ten minutes");
  await expectAccessible(page, "My tickets");
  await row.getByRole("link", { name: number }).click();
  await expect(page.getByTestId("ticket-status")).toContainText("The VPN drops every ten minutes");
  await expectAccessible(page, "one of my tickets");

  await page.getByRole("link", { name: "Grace Hopper" }).click();
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  await expectAccessible(page, "the account page");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  const response = await page.goto("/my-tickets");
  expect(response?.status()).toBe(401);
  await expect(page.getByRole("heading", { name: "Please sign in" })).toBeVisible();
  await expectAccessible(page, "the sign-in-required page");
});

test("a wrong password and an unknown account get the same message, with the address kept", async ({ page }) => {
  for (const email of [ADMIN_EMAIL, "nobody.e2e@example.com"]) {
    await page.goto("/sign-in");
    await page.getByLabel("E-mail address").fill(email);
    await page.getByLabel("Password").fill("not the password at all");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("form-problem")).toHaveText(
      "That e-mail address and password do not match an account.",
    );
    await expect(page.getByLabel("E-mail address")).toHaveValue(email);
    await expect(page.getByLabel("Password")).toHaveValue("");
  }
  await expectAccessible(page, "the sign-in page with a problem");
});

test("an admin invites an agent, who sets a password from the outbox link and signs in", async ({ page, browser }) => {
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await page.goto("/admin/users");
  await expectAccessible(page, "the accounts admin page");
  const invite = page.locator("form[action='/admin/users']");
  await invite.getByLabel("Name").fill("Alan Agent");
  await invite.getByLabel("E-mail address").fill("alan.e2e@example.com");
  await invite.getByLabel("Role").selectOption("agent");
  await invite.getByLabel("Service desk (1st level)").check();
  await invite.getByRole("button", { name: "Add account" }).click();
  await expect(page.getByTestId("form-done")).toContainText("invitation is in the outbox");
  await expect(page.getByTestId("account").filter({ hasText: "alan.e2e@example.com" })).toContainText("Agent");

  await page.getByRole("link", { name: "Outbox" }).click();
  const message = page.getByTestId("message").filter({ hasText: "alan.e2e@example.com" }).first();
  const body = (await message.getByTestId("message-body").textContent()) ?? "";
  const link = body.match(/\/welcome\/[A-Za-z0-9_-]{43}/)?.[0];
  expect(link, body).toBeTruthy();
  await expectAccessible(page, "the outbox");
  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByTestId("audit")).toContainText("account created");
  await expectAccessible(page, "the audit log");

  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await agent.goto(link!);
  // A welcome, not "choose a new password".
  await expect(agent.getByRole("heading", { level: 1 })).toHaveText("Welcome to IT Help");
  await expect(agent.getByText("Choose your password to start")).toBeVisible();
  await expectAccessible(agent, "the welcome page");
  await agent.getByLabel("New password", { exact: true }).fill("password1");
  await agent.getByLabel("New password again").fill("password1");
  await agent.getByRole("button", { name: "Choose password and start" }).click();
  await expect(agent.getByRole("alert")).toContainText("most common");
  await agent.getByLabel("New password", { exact: true }).fill(PASSWORD);
  await agent.getByLabel("New password again").fill(PASSWORD);
  await agent.getByRole("button", { name: "Choose password and start" }).click();
  // Signed in at once, where an agent's day starts.
  await expect(agent).toHaveURL(/\/agent$/);
  await agent.goto("/account");
  await expect(agent.locator("dl")).toContainText("Agent");
  const forbidden = await agent.goto("/admin/users");
  expect(forbidden?.status()).toBe(403);
  await agentContext.close();
});

for (const path of ["/sign-in", "/register", "/forgot-password", "/reset-password/x", "/welcome/x", "/verify-email/x"]) {
  test(`${path} has no WCAG 2.2 AA violations`, async ({ page }) => {
    await page.goto(path);
    await expectAccessible(page, path);
  });
}

test("the registration and reset forms with their messages have no violations", async ({ page }) => {
  await page.goto("/register");
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expectAccessible(page, "the registration form with errors");

  await page.goto("/forgot-password");
  await page.getByLabel("E-mail address").fill("nobody.e2e@example.com");
  await page.getByRole("button", { name: "Send the link" }).click();
  await expect(page.getByTestId("form-done")).toContainText("If an account uses that address");
  await expectAccessible(page, "the reset request, answered");
});
