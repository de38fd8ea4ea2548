import { Locator, Page } from "@playwright/test";
import { test, expect, expectAccessible, hydrated, logIncident } from "./fixtures";
import { signedInAgent } from "./accounts";

/** A 24 × 16 PNG. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAABgAAAAQCAIAAACDRijCAAACrElEQVR4nA3MEROGMACA4XE0iLsw7OJgFI+jQdyF4XtxMIrHURB3w3AXB6N4P+H7nh/wCCHIBLmgEFSCRtAKOoEW9IJBMApmwSJYBZvACXbBKbgEt+ARvIJPIIQkk+SSQlJJGkkr6SRa0ksGySiZJYtklWwSJ9klp+SS3JJH8ko++Y9KspK8pCipSpqStqQr0SV9yVAylswlS8laspW4kr3kLLlK7pKn5C35yn9Uk9XkNUVNVdPUtDVdja7pa4aasWauWWrWmq3G1ew1Z81Vc9c8NW/NV/8jRabIFYWiUjSKVtEptKJXDIpRMSsWxarYFE6xK07FpbgVj+JVfOofaTJNrik0labRtJpOozW9ZtCMmlmzaFbNpnGaXXNqLs2teTSv5tP/yJAZckNhqAyNoTV0Bm3oDYNhNMyGxbAaNoMz7IbTcBluw2N4DZ/5RxPZRD5RTFQTzUQ70U3oiX5imBgn5ollYp3YJtzEPnFOXBP3xDPxTnzTP4IMciigggZa6EBDDwOMMMMCK2zgYIcTLrjhgRc+/pEls+SWwlJZGktr6Sza0lsGy2iZLYtltWwWZ9ktp+Wy3JbH8lo++48cmSN3FI7K0ThaR+fQjt4xOEbH7Fgcq2NzOMfuOB2X43Y8jtfxuX90kB3kB8VBddActAfdgT7oD4aD8WA+WA7Wg+3AHewH58F1cB88B+/Bd/wjT+bJPYWn8jSe1tN5tKf3DJ7RM3sWz+rZPM6ze07P5bk9j+f1fP4fBbJAHigCVaAJtIEuoAN9YAiMgTmwBNbAFnCBPXAGrsAdeAJv4Av/KJJF8kgRqSJNpI10ER3pI0NkjMyRJbJGtoiL7JEzckXuyBN5I1/8R4kskSeKRJVoEm2iS+hEnxgSY2JOLIk1sSVcYk+ciStxJ57Em/gSP3qQIJ9MJpaaAAAAAElFTkSuQmCC",
  "base64",
);
const LOG = "2026-12-03 08:14:02 ERROR vpn: error 809\n";

/** Waits until a (lazily loaded) image has arrived and decoded. */
async function loaded(image: Locator) {
  await image.scrollIntoViewIfNeeded();
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
}

/** Drops a file on the form's file field, as a file dragged from the desktop is. */
async function dropFile(page: Page, name: string, text: string) {
  const transfer = await page.evaluateHandle(
    ([name, text]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], name, { type: "text/plain" }));
      return dt;
    },
    [name, text],
  );
  await page.dispatchEvent(".files-field", "dragover", { dataTransfer: transfer });
  await page.dispatchEvent(".files-field", "drop", { dataTransfer: transfer });
}

/** Pastes an image into the description, as a screenshot from the clipboard is. */
async function pasteImage(page: Page, base64: string) {
  await page.getByLabel("Description").evaluate((area, data) => {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], "image.png", { type: "image/png" }));
    area.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
  }, base64);
}

test("files attached by the chooser, by dropping and by pasting reach the ticket, and the desk sees the thumbnail", async ({
  page,
  browser,
}) => {
  await page.goto("/report/incident");
  await hydrated(page, "form.report-form");
  await hydrated(page, "[data-test=file-picker]");

  await page.getByLabel("Attach files (optional)").setInputFiles([{ name: "dialog.png", mimeType: "image/png", buffer: PNG }]);
  await dropFile(page, "vpn.log", LOG);
  await pasteImage(page, PNG.toString("base64"));
  const chosen = page.getByTestId("chosen-files");
  await expect(chosen).toContainText("dialog.png");
  await expect(chosen).toContainText("vpn.log");
  await expect(chosen).toContainText("pasted screenshot 1.png");

  // Refused before anything is sent, and said so; removing one takes it out.
  await dropFile(page, "setup.exe", "MZ");
  await expect(chosen).toContainText("setup.exe is not of a type that can be attached: it was left out.");
  await chosen.getByRole("button", { name: "Remove dialog.png" }).click();
  await expect(chosen).not.toContainText("dialog.png");
  await expectAccessible(page, "the logging form with files chosen");

  const number = await logIncident(page, {
    summary: "VPN error 809 with screenshot",
    description: "The VPN client shows error 809 when I connect from home.",
    service: "VPN and remote access",
    category: "Connecting and disconnecting",
  });
  const link = (await page.getByTestId("private-link").getAttribute("href")) ?? "";
  await page.goto(link);
  const timeline = page.getByTestId("timeline");
  await expect(timeline).toContainText("vpn.log (text,");
  await expect(timeline).toContainText("pasted screenshot 1.png (PNG image,");
  await expect(timeline).not.toContainText("dialog.png");
  const thumbnail = timeline.getByRole("img", { name: "pasted screenshot 1.png (image)" });
  await expect(thumbnail).toBeVisible();
  await loaded(thumbnail);

  const agent = await signedInAgent(browser, "Tina Thumbnail", "tina@example.com");
  await agent.goto(`/agent/tickets/${number}`);
  const shown = agent.getByTestId("history").getByRole("img", { name: "pasted screenshot 1.png (image)" });
  await expect(shown).toBeVisible();
  await loaded(shown);
  const download = agent.getByTestId("history").getByRole("link", { name: /vpn\.log/ });
  const href = (await download.getAttribute("href")) ?? "";
  expect(href).toMatch(new RegExp(`^/agent/tickets/${number}/files/[0-9a-f]{32}$`));
  const answer = await agent.request.get(href);
  expect(answer.status()).toBe(200);
  expect(answer.headers()["content-disposition"]).toContain('attachment; filename="vpn.log"');
  expect(await answer.text()).toBe(LOG);
  await expectAccessible(agent, "the agent's ticket page with attachments");
  await expectAccessible(page, "the reporter's ticket page with attachments");
  await agent.context().close();
});

test("a large file's progress is shown in per cent, and a form that comes back in place keeps the file", async ({ page }) => {
  await page.goto("/report/incident");
  await hydrated(page, "form.report-form");
  await hydrated(page, "[data-test=file-picker]");
  // Held back a moment, so that the message can be read before the answer.
  await page.route("**/report/incident", async (route) => {
    if (route.request().method() === "POST") await new Promise((done) => setTimeout(done, 1500));
    await route.continue();
  });
  const big = Buffer.from("2026-12-03 08:14:02 DEBUG vpn: retrying\n".repeat(80_000));
  await page.getByLabel("Attach files (optional)").setInputFiles([{ name: "big.log", mimeType: "text/plain", buffer: big }]);
  await page.getByLabel("Only me").check();
  await page.getByLabel("I can work around it").check();
  await page.getByLabel("Service", { exact: true }).selectOption({ label: "VPN and remote access" });
  await page.getByLabel("Category").selectOption({ label: "Connecting and disconnecting" });
  await page.getByLabel("Description").fill("The VPN client retries for ever; the log is large.");
  await page.getByLabel("Your name").fill("Ada Lovelace");
  await page.getByLabel("E-mail address").fill("ada@example.com");
  await page.getByRole("button", { name: "Log the incident" }).click();

  const sending = page.locator("p.sending");
  await expect(sending).toHaveText(/Sending 3\.1 MB of files: \d+ %/);
  await expect(page.getByRole("button", { name: "Log the incident" })).toBeDisabled();
  // The summary was missing: the page comes back in place, the file kept.
  await expect(page.locator(".error-summary")).toBeVisible();
  await expect(page.getByRole("checkbox", { name: /big\.log \(text, 3\.1 MB\)/ })).toBeChecked();
  await page.getByLabel("Summary").fill("VPN retries for ever");
  await page.getByRole("button", { name: "Log the incident" }).click();
  await expect(page.getByTestId("confirmation")).toBeVisible();
  await expect(page.getByTestId("timeline")).toContainText("big.log (text, 3.1 MB)");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("files go with the plain form and are kept when it comes back with a problem", async ({ page }) => {
    await page.goto("/report/incident");
    await page.getByLabel("Only me").check();
    await page.getByLabel("I can work around it").check();
    await page.getByLabel("Service", { exact: true }).selectOption({ label: "VPN and remote access" });
    await page.getByLabel("Category").selectOption({ label: "Connecting and disconnecting" });
    await page.getByLabel("Description").fill("The VPN client shows error 809 when I connect from home.");
    await page.getByLabel("Your name").fill("Ada Lovelace");
    await page.getByLabel("E-mail address").fill("ada@example.com");
    await page.getByLabel("Attach files (optional)").setInputFiles([{ name: "vpn.log", mimeType: "text/plain", buffer: Buffer.from(LOG) }]);
    await page.getByRole("button", { name: "Log the incident" }).click();

    // The summary is missing: the form comes back, the file listed as already sent.
    await expect(page.locator(".error-summary")).toBeVisible();
    const kept = page.getByRole("checkbox", { name: /vpn\.log \(text, \d+ bytes\)/ });
    await expect(kept).toBeChecked();
    await page.getByLabel("Summary").fill("VPN error 809");
    await page.getByRole("button", { name: "Log the incident" }).click();
    await expect(page.getByTestId("confirmation")).toBeVisible();
    await expect(page.getByTestId("timeline")).toContainText("vpn.log (text,");
  });
});
