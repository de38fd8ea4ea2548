import { Page } from "@playwright/test";
import { test, expect, expectAccessible, hydrated, logIncident } from "./fixtures";
import { signedInAgent } from "./accounts";

// Each page is looked at as a new user would: at 1280 × 800 and on a phone held
// upright (390 × 844), scanned by axe at both sizes, and never scrolling sideways.
// Screenshots go to end2end/screenshots/ for a person to look at after the run.
const SIZES = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
];

async function lookAt(page: Page, what: string, screenshot?: string) {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, `${what} at ${size.width} px scrolls sideways`).toBeLessThanOrEqual(size.width);
    await expectAccessible(page, `${what} at ${size.width} px`);
    if (screenshot) {
      await page.screenshot({ path: `screenshots/${screenshot}-${size.width}.png`, fullPage: true });
    }
  }
  await page.setViewportSize(SIZES[0]);
}

test("the agent's ticket page in every state, the queue and the home page, at both sizes", async ({
  page,
  browser,
}) => {
  // Six states, two sizes, an axe scan each: the slowest journey.
  test.setTimeout(120_000);
  await page.goto("/");
  await lookAt(page, "the home page", "home");

  await page.goto("/report/incident");
  await hydrated(page, "form.report-form");
  const number = await logIncident(page, {
    summary: "Meeting room screen does not find laptops",
    description: "The screen in room 4.12 shows 'no signal' for every laptop since Monday.",
    service: "Laptops and devices",
    category: "Docking stations and monitors",
  });

  const agent = await signedInAgent(browser, "Wes Workspace", "wes.e2e@example.com");
  await agent.goto("/agent");
  await hydrated(agent, "div.queue");
  await lookAt(agent, "the queue", "queue");

  await agent.goto(`/agent/tickets/${number}`);
  await hydrated(agent, "div.desk-ticket");
  await lookAt(agent, "a new ticket", "agent-ticket-new");
  // Every group of actions open at once.
  await agent.evaluate(() => document.querySelectorAll("details").forEach((d) => (d.open = true)));
  await lookAt(agent, "a new ticket with every action open", "agent-ticket-actions");

  await agent.getByTestId("take").click();
  await expect(agent.getByTestId("desk-assignee")).toHaveText("Wes Workspace");
  await agent.getByLabel("Message").fill("Does it work with the HDMI cable instead of the USB-C one?");
  await agent.getByTestId("reply").click();
  await expect(agent.getByTestId("desk-done")).toContainText("reply was sent");
  await agent.getByLabel("Message").fill("Room 4.12's adapter was replaced last week.");
  await agent.getByTestId("note").click();
  await expect(agent.getByTestId("history").locator(".voice-note")).toContainText("adapter was replaced");
  await expect(agent.getByTestId("history").locator(".voice-desk")).toContainText("HDMI cable");
  await lookAt(agent, "a ticket in progress with a reply and a note", "agent-ticket-conversation");

  await agent.locator("#act-hold summary").click();
  await agent.getByLabel("waiting for the reporter").check();
  await agent.getByLabel("What is needed (sent to the reporter)").fill("Please try the HDMI cable.");
  await agent.getByRole("button", { name: "Put on hold" }).click();
  await expect(agent.getByTestId("desk-state")).toContainText("waiting for the reporter");
  await lookAt(agent, "a ticket on hold", "agent-ticket-hold");

  await agent.getByRole("button", { name: "Resume work" }).click();
  await expect(agent.getByTestId("desk-state")).toHaveText("In progress");
  await agent.getByLabel("Resolution or workaround (sent to the reporter)").fill("Replaced the USB-C adapter.");
  await agent.getByTestId("resolve").click();
  await expect(agent.getByTestId("desk-state")).toHaveText("Resolved");
  await lookAt(agent, "a resolved ticket", "agent-ticket-resolved");

  await agent.getByRole("button", { name: "Close now" }).click();
  await expect(agent.getByTestId("desk-state")).toHaveText("Closed");
  await lookAt(agent, "a closed ticket", "agent-ticket-closed");
  await agent.context().close();
});
