import { Page } from "@playwright/test";
import { test, expect, expectAccessible, hydrated, logIncident } from "./fixtures";
import { ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, signIn, signedInAgent } from "./accounts";

test("an agent takes, answers, escalates and resolves a ticket while the reporter follows it live and confirms", async ({
  page,
  browser,
}) => {
  // The longest journey (two people, a dozen live round trips, four axe scans):
  // about 25 s alone, more with the other worker sharing the two cores.
  test.setTimeout(60_000);
  const agent = await signedInAgent(browser, "Dana Desk", "dana.e2e@example.com");
  await agent.goto("/agent?state=new");
  await hydrated(agent, "div.queue");
  await expectAccessible(agent, "the queue");

  // The reporter logs an incident; it appears in the agent's open queue by itself.
  await page.goto("/report/incident");
  await hydrated(page, "form.report-form");
  const number = await logIncident(page, {
    summary: "Docking station screens stay black",
    description: "Since this morning both monitors on my dock stay black; the laptop screen works.",
    service: "Laptops and devices",
    category: "Docking stations and monitors",
  });
  const row = agent.locator(`tr[data-number="${number}"]`);
  await expect(row).toBeVisible();

  const link = (await page.getByTestId("private-link").textContent()) ?? "";
  await page.goto(link);
  await hydrated(page, "div.live-ticket");
  await expect(page.getByTestId("response-target")).toContainText("We aim to respond by");

  await row.getByRole("link", { name: number }).click();
  await expect(agent.getByTestId("desk-number")).toHaveText(number);
  await hydrated(agent, "div.desk-ticket");
  await expectAccessible(agent, "the desk's ticket page");
  await agent.getByTestId("take").click();
  await expect(agent.getByTestId("desk-assignee")).toHaveText("Dana Desk");

  await agent.getByLabel("Message").fill("Which dock model is it? The number is on its underside.");
  await agent.getByTestId("reply").click();
  await expect(agent.getByTestId("desk-done")).toContainText("reply was sent");
  // The reporter's open page shows the reply without a reload.
  await expect(page.getByTestId("timeline")).toContainText("Which dock model is it?");

  // The reporter answers while the agent types: the agent's page shows the answer
  // by itself and leaves the text being typed alone.
  await hydrated(agent, "div.desk-ticket");
  const draft = agent.getByLabel("Message");
  await draft.fill("Thanks, I will look");
  await page.getByLabel("Message").fill("It is a WD19 dock.");
  await page.getByTestId("add-information").click();
  await expect(page.getByTestId("reporter-done")).toContainText("your information was added");
  await expect(agent.getByTestId("history")).toContainText("It is a WD19 dock.");
  await expect(draft).toHaveValue("Thanks, I will look");
  await draft.fill("");

  await agent.locator("summary", { hasText: "Escalate" }).click();
  await agent.getByTestId("escalate-group").selectOption({ label: "Technical support (2nd level)" });
  await agent.getByLabel("Why", { exact: true }).fill("Needs a firmware update on the dock");
  await agent.getByTestId("escalate").click();
  await expect(agent.getByTestId("desk-group")).toHaveText("Technical support (2nd level)");
  await expect(page.getByTestId("ticket-group")).toHaveText("Technical support (2nd level)");

  // A refused change comes back with the reason and the page stays accessible.
  await agent.getByTestId("resolve").click();
  await expect(agent.getByTestId("desk-problem")).toContainText("Describe the resolution");
  await expectAccessible(agent, "the desk's ticket page with a problem");
  await agent.getByLabel("Resolution or workaround (sent to the reporter)").fill("Updated the dock firmware to 1.0.29.");
  await agent.getByTestId("resolve").click();
  await expect(agent.getByTestId("desk-state")).toHaveText("Resolved");

  await expect(page.getByTestId("ticket-state")).toContainText("Resolved");
  await expect(page.getByTestId("ticket-resolution")).toContainText("dock firmware");
  await expectAccessible(page, "the reporter's page with the resolution");
  await page.getByTestId("confirm").click();
  await expect(page.getByTestId("reporter-done")).toContainText("the ticket is closed");
  // The reporter's timeline speaks to them.
  await expect(page.getByTestId("timeline")).toContainText("You confirmed the resolution.");

  // The agent, still on the ticket, sees the confirmation without a reload.
  await expect(agent.getByTestId("desk-state")).toHaveText("Closed");
  await expect(agent.getByTestId("history")).toContainText("Resolution confirmed");
  await agent.context().close();
});

test("the logging form offers an ongoing major incident instead of a duplicate", async ({ page, browser }) => {
  // The admin, on the desk, logs and declares a major incident.
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, ADMIN_EMAIL, ADMIN_PASSWORD);
  await admin.goto("/report/incident");
  await hydrated(admin, "form.report-form");
  const major = await logIncident(admin, {
    summary: "Wi-Fi down on the whole third floor",
    description: "No device on the third floor can join the staff Wi-Fi since 09:00.",
    service: "Wi-Fi and network",
    category: "Staff Wi-Fi",
  });
  await admin.goto(`/agent/tickets/${major}`);
  await admin.locator("summary", { hasText: "Major incident" }).click();
  await admin.getByLabel("Why it is a major incident").fill("A whole floor is affected");
  await admin.getByTestId("declare-major").click();
  await expect(admin.getByTestId("major-tag")).toBeVisible();

  await page.goto("/report/incident");
  await hydrated(page, "form.report-form");
  await page.getByLabel("Service", { exact: true }).selectOption({ label: "Wi-Fi and network" });
  const offer = page.getByTestId("majors");
  await expect(offer).toContainText("Wi-Fi down on the whole third floor");
  await expectAccessible(page, "the logging form with a major incident offered");
  await page.getByLabel("Your name").fill("Grace Hopper");
  await page.getByLabel("E-mail address").fill("grace@example.com");
  await offer.getByTestId("my-problem-too").click();
  await expect(page.getByTestId("joined")).toContainText(`You are following ${major}`);
  await hydrated(page, "div.live-ticket");

  // An update on the major incident reaches the follower's open page.
  await admin.goto(`/agent/tickets/${major}`);
  await admin.getByLabel("Message").fill("The access point is being replaced; back by 11:00.");
  await admin.getByTestId("reply").click();
  await expect(page.getByTestId("timeline")).toContainText("access point is being replaced");
  await admin.reload();
  await expect(admin.getByTestId("affected")).toContainText("1 people");
  await admin.context().close();
});

test("a reply arriving while the reporter types updates the ticket but never the text being typed", async ({
  page,
  browser,
}) => {
  await page.goto("/report/incident");
  await hydrated(page, "form.report-form");
  const number = await logIncident(page, {
    summary: "Teams calls drop after a minute",
    description: "Every Teams call drops after about a minute, on Wi-Fi and on the cable.",
    service: "E-mail and calendar",
    category: "Sending and receiving",
  });
  const link = (await page.getByTestId("private-link").textContent()) ?? "";
  await page.goto(link);
  await hydrated(page, "div.live-ticket");
  const message = page.getByLabel("Message");
  await message.fill("It also happens on my phone's hotspot.");

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, ADMIN_EMAIL, ADMIN_PASSWORD);
  await admin.goto(`/agent/tickets/${number}`);
  await admin.getByLabel("Message").fill("Does it happen in the browser version of Teams too?");
  await admin.getByTestId("reply").click();
  await expect(admin.getByTestId("desk-done")).toContainText("reply was sent");

  // The ticket shows the reply; the form being typed in is left alone.
  await expect(page.getByTestId("timeline")).toContainText("browser version of Teams");
  await expect(message).toHaveValue("It also happens on my phone's hotspot.");
  // Sent from the form of before the reply, it comes back as a conflict, text kept;
  // sent again from the fresh form, it is saved.
  await page.getByTestId("add-information").click();
  await expect(page.getByTestId("reporter-problem")).toContainText("Someone else changed this ticket");
  await expect(page.getByLabel("Message")).toHaveValue("It also happens on my phone's hotspot.");
  await page.getByTestId("add-information").click();
  await expect(page.getByTestId("reporter-done")).toContainText("your information was added");
  await expect(page.getByTestId("timeline")).toContainText("phone's hotspot");
  await admin.context().close();
});
