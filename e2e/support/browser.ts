import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's Chromium, which `npm test`'s prerequisites install when missing. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Chromium headless as root on a closed network: no sandbox (root), no GPU, and none of the background
 * connections (updates, sync, QUIC) whose attempts would otherwise pile up. Playwright gives each launch a
 * fresh profile directory of its own.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A browser of its own (cookies, storage) at the BFF's URL, as a second buyer on another computer is. */
export async function newBuyer(browser: Browser, baseURL: string, locale = "en-GB"): Promise<BrowserContext> {
  return browser.newContext({ baseURL, locale, viewport: { width: 1280, height: 900 } });
}

/**
 * Screenshots of each step of a test, numbered, under `e2e/test-output/web/<test>/`: what a reviewer
 * opens to see what the browser saw when a test failed, or what a flow looks like.
 */
export function stepShots(testName: string) {
  const dir = join(import.meta.dirname, "..", "test-output", "web", testName.replace(/[^\w-]+/g, "-"));
  mkdirSync(dir, { recursive: true });
  let step = 0;
  return async (page: Page, name: string) => {
    step += 1;
    await page.screenshot({ path: join(dir, `${String(step).padStart(2, "0")}-${name}.png`), fullPage: true });
  };
}

/** Signs in on the app's sign-in page as a person does. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/sign-in");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByTestId("signed-in-as").waitFor();
}
