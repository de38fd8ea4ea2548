import { expect, Page } from "@playwright/test";

/** The admin that `server create-admin` makes before the tests start. */
export const ADMIN_EMAIL = "admin@example.com";
export const ADMIN_PASSWORD = "e2e admin passphrase";
export const PASSWORD = "correct horse battery staple";

export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/sign-in");
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("link", { name: "My tickets" })).toBeVisible();
}

/** Registers an end user through the form and signs them in. */
export async function registerAndSignIn(page: Page, name: string, email: string) {
  await page.goto("/register");
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Password again").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("form-done")).toContainText("Your account is ready");
  await signIn(page, email, PASSWORD);
}
