import { defineConfig } from "@playwright/test";
import { ADMIN_EMAIL, ADMIN_PASSWORD } from "./tests/accounts";
import { launchOptions } from "./chromium.mjs";

// The release build of the portal, started on its own port with an empty data
// folder (demo content is loaded on first start), so every run begins fresh.
const port = Number(process.env.PORTAL_E2E_PORT ?? 3199);
const baseURL = `http://127.0.0.1:${port}`;
const server = process.env.PORTAL_SERVER_BIN ?? "../target/release/server";
// A second portal that sends its mail through a throwaway SMTP server (aiosmtpd,
// `server/tests/api/smtp_sink.py`, on a port it picks), which stores every
// message in `.mail/new`: the journeys of e-mail read what was delivered there.
export const mailPort = port + 1;
export const MAILDIR = ".mail";

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 5_000 },
  fullyParallel: true,
  forbidOnly: true,
  retries: 0,
  workers: 2,
  reporter: [["list"]],
  use: {
    baseURL,
    testIdAttribute: "data-test",
    trace: "off",
    launchOptions,
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
  webServer: [{
    // The first admin is made as an operator makes one: `server create-admin`,
    // password on standard input.
    command:
      `rm -rf .data && printf '%s' '${ADMIN_PASSWORD}' | ${server} --data-dir .data --log warn` +
      ` create-admin --email ${ADMIN_EMAIL} --name 'Esme Admin'` +
      ` && ${server} --data-dir .data --addr 127.0.0.1:${port}` +
      ` --site-root ../target/site --output-name portal --log warn` +
      // Journeys that stand for many people (the XSS corpus logs 100+ tickets)
      // name each client in X-Forwarded-For, as a proxy on 127.0.0.1 would.
      ` --trusted-proxies 127.0.0.1`,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
  }, {
    command:
      `rm -rf .data-mail ${MAILDIR} .smtp-port && (/usr/bin/python3 ../server/tests/api/smtp_sink.py ${MAILDIR} > .smtp-port &)` +
      ` && until [ -s .smtp-port ]; do sleep 0.1; done` +
      ` && printf '%s' '${ADMIN_PASSWORD}' | ${server} --data-dir .data-mail --log warn` +
      ` create-admin --email ${ADMIN_EMAIL} --name 'Esme Admin'` +
      ` && ${server} --data-dir .data-mail --addr 127.0.0.1:${mailPort}` +
      ` --site-root ../target/site --output-name portal --log warn` +
      ` --smtp-url smtp://127.0.0.1:$(cat .smtp-port) --mail-from 'IT Help <help@portal.test>'`,
    url: `http://127.0.0.1:${mailPort}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
  }],
});
