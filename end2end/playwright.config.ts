import { defineConfig, devices } from "@playwright/test";
import * as os from "node:os";
import * as path from "node:path";
import * as fs from "node:fs";

// The server under test: the binary scripts/build.sh (or test.sh) built, on a fresh SQLite database with the
// demo data. test.sh passes DIKLAT_BIN; the defaults fit a plain `npx playwright test`.
const root = path.resolve(__dirname, "..");
const bin = process.env.DIKLAT_BIN ?? path.join(root, "target", "debug", "diklat");
const port = Number(process.env.E2E_PORT ?? 3100);
// Made once and handed to the workers through the environment, so a spec can read the server's
// database (tests/db.ts) to check what a download holds.
if (!process.env.DIKLAT_E2E_DATA_DIR) {
  process.env.DIKLAT_E2E_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "diklat-e2e-"));
}
const dataDir = process.env.DIKLAT_E2E_DATA_DIR;
export const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  retries: 0,
  workers: 2,
  reporter: [["list"]],
  use: {
    baseURL,
    locale: "id-ID",
    launchOptions: {
      // Playwright cannot download its own browsers here; Debian's Chromium is used instead.
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"], channel: undefined } }],
  webServer: {
    command: `"${bin}" serve --demo --listen 127.0.0.1:${port} --public-url ${baseURL} --data-dir "${dataDir}" --content-dir "${path.join(root, "content")}" --site-root "${path.join(root, "target", "site")}"`,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore",
    stderr: "pipe",
  },
});
