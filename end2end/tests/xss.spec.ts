import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test, expect, hydrated } from "./fixtures";
import { ADMIN_EMAIL, ADMIN_PASSWORD, registerAndSignIn, signIn } from "./accounts";

// The same corpus the server-side test uses (server/tests/api/xss.rs).
const payloads: string[] = JSON.parse(readFileSync(join(__dirname, "xss-payloads.json"), "utf8"));

test("stored payloads in every field run no script, server-rendered or hydrated", async ({ page, browser }) => {
  test.setTimeout(180_000);
  expect(payloads.length).toBeGreaterThanOrEqual(100);
  const dialogs: string[] = [];
  page.on("dialog", async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });

  await registerAndSignIn(page, "Xavier Reporter", "xss.reporter@example.com");
  await page.goto("/report/incident");
  // The island narrows the categories to the service chosen: wait for it.
  await hydrated(page, "form.report-form");
  await page.getByLabel("Service", { exact: true }).selectOption({ label: "E-mail and calendar" });
  await page.getByLabel("Category").selectOption({ label: "Sending and receiving" });
  const service = await page.getByLabel("Service", { exact: true }).inputValue();
  const category = await page.getByLabel("Category").inputValue();

  const numbers: string[] = [];
  for (const [n, payload] of payloads.entries()) {
    const response = await page.request.post("/report/incident", {
      // Each from another client behind the trusted proxy (the test server
      // trusts 127.0.0.1): one client may log only so many tickets at once.
      headers: { "X-Forwarded-For": `10.0.${n % 250}.1` },
      form: {
        name: payload.slice(0, 100),
        email: "xss.reporter@example.com",
        phone: "",
        service,
        category,
        summary: `XSS ${payload}`.slice(0, 150),
        description: `Steps: ${payload}`,
        impact: "low",
        urgency: "low",
      },
      maxRedirects: 0,
    });
    expect(response.status(), payload).toBe(303);
    numbers.push(response.headers()["location"]);
  }

  const admin = await (await browser.newContext()).newPage();
  admin.on("dialog", async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  await signIn(admin, ADMIN_EMAIL, ADMIN_PASSWORD);
  for (const [n, payload] of payloads.entries()) {
    const response = await admin.request.post("/admin/users", {
      form: { name: payload.slice(0, 100), email: `xss${n}.e2e@example.com`, role: "end_user" },
      maxRedirects: 0,
    });
    expect(response.status(), payload).toBe(303);
  }

  async function visit(p: typeof page, path: string) {
    await p.goto(path);
    expect(await p.locator("a[href^='javascript:' i], [src^='javascript:' i]").count(), path).toBe(0);
  }

  await visit(page, "/my-tickets");
  await expect(page.getByTestId("my-tickets")).toContainText("XSS <script>alert(1)</script>");
  for (const link of numbers) {
    await visit(page, link);
  }
  // The logging form shown again with every payload typed in, then hydrated.
  await visit(page, "/report/incident");
  await hydrated(page, "form.report-form");
  for (const payload of payloads.slice(0, 30)) {
    await page.getByLabel("Summary").fill(`XSS ${payload}`.slice(0, 150));
    await page.getByLabel("Description").fill(`Steps: ${payload}`);
    await page.getByLabel("Your name").fill(payload.slice(0, 100));
  }
  await page.getByRole("button", { name: "Log the incident" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expect(page.getByLabel("Description")).toHaveValue(`Steps: ${payloads[29]}`);
  // Searches reflect the query, in the page and in the hydrated search box.
  for (const payload of payloads.slice(0, 30)) {
    await visit(page, `/?q=${encodeURIComponent(payload)}`);
  }
  await hydrated(page, "form.search-form");
  await visit(admin, "/admin/users");
  await expect(admin.getByTestId("accounts")).toContainText("<img src=x onerror=alert(1)>");
  for (const path of ["/admin/outbox", "/admin/audit"]) {
    await visit(admin, path);
  }

  // Service-failure notices: the banner on every page, the status page, the feed,
  // the admin's pages. Resolved again at once, not to clutter other tests' pages.
  const notices: string[] = [];
  for (const payload of payloads.slice(0, 12)) {
    const response = await admin.request.post("/admin/notices", {
      form: {
        title: `XSS ${payload}`.slice(0, 150),
        severity: "minor",
        services: "email",
        experience: `Users see: ${payload}`,
        audience: "everyone",
        starts_at: "",
        restoration: "",
        major: "",
      },
      maxRedirects: 0,
    });
    expect(response.status(), payload).toBe(303);
    const notice = response.headers()["location"].split("?")[0];
    notices.push(notice);
    const update = await admin.request.post(notice, {
      form: { action: "update", body: `Update: ${payload}`, restoration: "" },
      maxRedirects: 0,
    });
    expect(update.status(), payload).toBe(303);
  }
  await visit(page, "/");
  await hydrated(page, "div.notices-live");
  await expect(page.getByTestId("notice-banner")).toContainText("XSS <img src=x onerror=alert(1)>");
  await visit(page, "/notices");
  await visit(admin, "/admin/notices");
  await visit(admin, notices[0]);
  for (const notice of notices) {
    const resolved = await admin.request.post(notice, { form: { action: "resolve", body: "" }, maxRedirects: 0 });
    expect(resolved.status()).toBe(303);
  }

  expect(dialogs, "script ran from a payload").toEqual([]);
});
