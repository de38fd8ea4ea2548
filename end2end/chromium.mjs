// How Chromium is started here, for the tests (playwright.config.ts) and the
// page-weight benchmark alike: Debian's Chromium, since Playwright's own browser
// download cannot work on this kind of machine, as root, and without the
// background connections this machine's closed network refuses.
export const launchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
};
