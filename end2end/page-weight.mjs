// What a browser downloads to show a page and make it interactive: every request
// Chromium makes for it until the network is idle and the islands have hydrated,
// with the bytes on the wire (compressed bodies, as the server sent them).
//
//   node end2end/page-weight.mjs http://127.0.0.1:3299 / /report/incident
//
// Prints one Markdown table per page. A benchmark, not a test: scripts/bench.sh
// runs it and docs/BENCHMARKS.md records the figures.
import { chromium } from "@playwright/test";
import { launchOptions } from "./chromium.mjs";

const [base, ...paths] = process.argv.slice(2);
if (!base || paths.length === 0) {
  console.error("usage: node page-weight.mjs <base address> <path>...");
  process.exit(2);
}

const browser = await chromium.launch(launchOptions);
try {
  for (const path of paths) {
    // A fresh context per page: nothing comes from a cache.
    const context = await browser.newContext();
    const page = await context.newPage();
    const responses = [];
    page.on("requestfinished", async (request) => {
      const response = await request.response();
      const sizes = await request.sizes();
      responses.push({
        url: new URL(request.url()).pathname,
        encoding: (response && (await response.headerValue("content-encoding"))) || "none",
        body: sizes.responseBodySize,
      });
    });
    await page.goto(base + path, { waitUntil: "networkidle" });
    // Every island marks its root once hydrated.
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll("leptos-island")).every((island) =>
        island.querySelector('[data-hydrated="true"]'),
      ),
    );
    await page.waitForLoadState("networkidle");
    let total = 0;
    console.log(`### \`${path}\`\n`);
    console.log("| request | encoding | bytes |");
    console.log("|---|---|---|");
    for (const r of responses) {
      total += r.body;
      console.log(`| \`${r.url}\` | ${r.encoding} | ${r.body} |`);
    }
    console.log(`| **${responses.length} requests** | | **${total} B** |\n`);
    await context.close();
  }
} finally {
  await browser.close();
}
