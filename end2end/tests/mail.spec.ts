import { readdirSync, readFileSync } from "fs";
import { join } from "path";
import { test, expect, expectAccessible } from "./fixtures";
import { ADMIN_EMAIL, ADMIN_PASSWORD, signIn } from "./accounts";

// These journeys run against the second portal of playwright.config.ts, which
// sends its mail through a throwaway SMTP server storing every message in
// end2end/.mail/new: what arrives is read there, as a mail client would.
const mailURL = `http://127.0.0.1:${Number(process.env.PORTAL_E2E_PORT ?? 3199) + 1}`;
test.use({ baseURL: mailURL });

/** The raw messages delivered to `to` so far. */
function delivered(to: string): string[] {
  const dir = join(__dirname, "..", ".mail", "new");
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((name) => readFileSync(join(dir, name), "utf8"))
    .filter((raw) => raw.startsWith(`X-Envelope-To: ${to}\r\n`));
}

test("an admin sends a test message and follows its delivery in the log", async ({ page }) => {
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await page.goto("/admin/outbox");
  await expect(page.getByRole("heading", { name: "Outbox and delivery log" })).toBeVisible();
  await expect(page.getByTestId("mail-status")).toContainText("E-mail is sent through smtp://127.0.0.1:");
  await expect(page.getByTestId("mail-status")).toContainText("tried again after 1 min");

  const form = page.getByTestId("test-message");
  await form.getByLabel("Send a test message to").fill("not an address");
  await form.getByRole("button", { name: "Send test message" }).click();
  await expect(page.getByText("Enter an e-mail address in the form name@example.com.").first()).toBeVisible();
  await expect(form.getByLabel("Send a test message to")).toHaveValue("not an address");

  const to = `test.${Date.now()}@example.org`;
  await form.getByLabel("Send a test message to").fill(to);
  await form.getByRole("button", { name: "Send test message" }).click();
  await expect(page.getByTestId("form-done")).toContainText("The test message is queued");
  const entry = page.getByTestId("message").filter({ hasText: to });
  await expect(entry).toHaveCount(1);

  // Delivered within seconds: the log says so once reloaded, and the mail is there.
  await expect
    .poll(async () => {
      await page.reload();
      return entry.getByTestId("delivery").textContent();
    }, { timeout: 15_000 })
    .toBe("Sent");
  await expect(entry).toContainText("1 attempt");
  await expect(entry.getByTestId("send-again")).toHaveCount(0);
  const mail = delivered(to);
  expect(mail).toHaveLength(1);
  expect(mail[0]).toContain("Subject: Test message from the IT help portal");
  expect(mail[0]).toContain("Auto-Submitted: auto-generated");
  await expectAccessible(page, "the delivery log");
});

test("a person chooses on their account page which e-mails they receive", async ({ page }) => {
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await page.goto("/account");
  const choices = page.getByTestId("mail-choices");
  await expect(page.getByRole("heading", { name: "E-mail from the portal" })).toBeVisible();
  const mine = choices.getByLabel(/^My tickets/);
  const sla = choices.getByLabel("A response or resolution target is at risk or breached");
  await expect(mine).toBeChecked();
  await expect(sla).toBeChecked();
  await expectAccessible(page, "the account page with its e-mail choices");

  await sla.uncheck();
  await choices.getByRole("button", { name: "Save my choices" }).click();
  await expect(page).toHaveURL(/\/account\?mail=saved#mail$/);
  await expect(page.getByTestId("mail-saved")).toHaveText("Your choices are saved.");
  await expect(choices.getByLabel("A response or resolution target is at risk or breached")).not.toBeChecked();
  await expect(choices.getByLabel(/^My tickets/)).toBeChecked();

  await page.reload();
  await expect(choices.getByLabel("A response or resolution target is at risk or breached")).not.toBeChecked();
  await choices.getByLabel("A response or resolution target is at risk or breached").check();
  await choices.getByRole("button", { name: "Save my choices" }).click();
  await expect(choices.getByLabel("A response or resolution target is at risk or breached")).toBeChecked();
});
