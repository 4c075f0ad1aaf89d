// The browser every browser test drives: Debian's headless Chromium with a
// fresh profile. close() closes it and removes the profile.
import { chromium } from "playwright-core";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export async function launch() {
  const userDataDir = await fs.mkdtemp(path.join(os.tmpdir(), "peerpress-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run",
    ],
  });
  const close = async () => {
    await context.close();
    await fs.rm(userDataDir, { recursive: true, force: true });
  };
  return { context, close };
}
