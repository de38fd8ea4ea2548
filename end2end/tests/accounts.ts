import { Browser, expect, Page } from "@playwright/test";

/** The admin that `server create-admin` makes before the tests start. */
export const ADMIN_EMAIL = "admin@example.com";
export const ADMIN_PASSWORD = "e2e admin passphrase";
export const PASSWORD = "correct horse battery staple";

export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/sign-in");
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // Attached rather than visible: on a phone the account menu is folded away.
  await expect(page.locator("header a[href=\"/my-tickets\"]")).toBeAttached();
}

/** Registers an end user through the form and signs them in. */
export async function registerAndSignIn(page: Page, name: string, email: string) {
  await page.goto("/register");
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Password again").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  // The sign-in form follows, the address filled in: only the password is left.
  await expect(page.getByTestId("form-done")).toContainText("Your account is ready: sign in below");
  await expect(page.getByLabel("E-mail address")).toHaveValue(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("header a[href=\"/my-tickets\"]")).toBeAttached();
}

/** An admin invites an agent of the 1st level; the agent sets a password and signs in. */
export async function signedInAgent(browser: Browser, name: string, email: string): Promise<Page> {
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, ADMIN_EMAIL, ADMIN_PASSWORD);
  await admin.goto("/admin/users");
  const invite = admin.locator("form[action='/admin/users']");
  await invite.getByLabel("Name").fill(name);
  await invite.getByLabel("E-mail address").fill(email);
  await invite.getByLabel("Role").selectOption("agent");
  await invite.getByLabel("Service desk (1st level)").check();
  await invite.getByRole("button", { name: "Add account" }).click();
  await expect(admin.getByTestId("form-done")).toBeVisible();
  await admin.goto("/admin/outbox");
  const body =
    (await admin.getByTestId("message").filter({ hasText: email }).first().getByTestId("message-body").textContent()) ?? "";
  const link = body.match(/\/welcome\/[A-Za-z0-9_-]{43}/)?.[0];
  expect(link, body).toBeTruthy();
  await adminContext.close();

  // The invitation signs the agent in once the password is chosen.
  const agent = await (await browser.newContext()).newPage();
  await agent.goto(link!);
  await agent.getByLabel("New password", { exact: true }).fill(PASSWORD);
  await agent.getByLabel("New password again").fill(PASSWORD);
  await agent.getByRole("button", { name: "Choose password and start" }).click();
  await expect(agent).toHaveURL(/\/agent$/);
  return agent;
}
