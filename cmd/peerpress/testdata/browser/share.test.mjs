// Browser test of the share panel and of accessibility (run by TestShareBrowser):
//
//   node share.test.mjs URL POSTPATH
//
// URL serves a built sample blog; POSTPATH is a post ("posts/slug/"). In
// headless Debian Chromium it opens the post, opens the employee panel,
// clicks each platform's copy button and reads the clipboard back: it must
// hold exactly that platform's employee text from share.json, which starts
// with the disclosure; each "Open PLATFORM" link must copy it too. Then axe-core checks the post page (panel closed and
// open) and the home page, in the light and the dark color scheme: no
// violations. Prints one line per check; exits 1 if any failed.
import { launch } from "./chromium.mjs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const [base, postPath] = process.argv.slice(2);
if (!base || !postPath) {
  console.error("usage: node share.test.mjs URL POSTPATH");
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const axePath = path.join(here, "node_modules", "axe-core", "axe.min.js");
const disclosure = "I work at Brightline Materials.";

const { context, close } = await launch();
await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(base).origin });

let failed = false;
function ok(msg) {
  console.log("ok   " + msg);
}
function fail(msg) {
  failed = true;
  console.log("FAIL " + msg);
}

async function axe(page, what) {
  await page.addScriptTag({ path: axePath });
  const res = await page.evaluate(async () => {
    const r = await window.axe.run(document);
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + ": " + n.failureSummary.replace(/\s+/g, " ")),
    }));
  });
  if (res.length === 0) {
    ok("axe: no violations on " + what);
    return;
  }
  for (const v of res) {
    fail("axe on " + what + ": " + v.id + " (" + v.impact + "): " + v.help + "\n       " + v.nodes.join("\n       "));
  }
}

try {
  const share = await (await fetch(new URL(postPath + "share.json", base))).json();
  const platforms = Object.keys(share.employee).sort();
  if (platforms.length !== 5) fail("share.json has " + platforms.length + " employee platforms");

  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    // Every console error counts, a failed request included (the theme
    // links its icon, so the browser asks for no /favicon.ico).
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("response", (r) => {
    if (r.status() >= 400) errors.push(r.status() + " " + r.url());
  });

  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(new URL(postPath, base).href, { waitUntil: "load" });
    await axe(page, postPath + " (" + scheme + ", share panel closed)");
    await page.click(".share-employee > summary");
    await axe(page, postPath + " (" + scheme + ", share panel open)");
    await page.goto(base, { waitUntil: "load" });
    await axe(page, "the home page (" + scheme + ")");
  }

  await page.emulateMedia({ colorScheme: "light" });
  await page.goto(new URL(postPath, base).href, { waitUntil: "load" });
  await page.bringToFront();
  await page.click(".share-employee > summary");
  for (const pl of platforms) {
    const want = share.employee[pl].text;
    const button = page.locator(`button[data-copy="share-text-${pl}"]`);
    if (!(await button.isVisible())) {
      fail(pl + ": the copy button is not visible (share.js did not unhide it)");
      continue;
    }
    await page.evaluate(() => navigator.clipboard.writeText("(clipboard not written)"));
    await button.click();
    await page.waitForFunction((pl) => {
      const b = document.querySelector(`button[data-copy="share-text-${pl}"]`);
      return b && b.textContent === "Copied";
    }, pl, { timeout: 5000 });
    const got = await page.evaluate(() => navigator.clipboard.readText());
    if (got !== want) {
      fail(pl + ": clipboard holds " + JSON.stringify(got) + ", want " + JSON.stringify(want));
    } else if (!got.startsWith(disclosure)) {
      fail(pl + ": the employee text does not start with the disclosure: " + JSON.stringify(got));
    } else {
      ok(pl + ": copied the employee text, which starts with the disclosure (" + got.length + " characters)");
    }
    const status = await page.locator(".share-status").textContent();
    if (status !== "Copied") fail(pl + ": the live region says " + JSON.stringify(status) + ", want \"Copied\"");
  }
  // "Open PLATFORM" copies the text as it opens the platform (LinkedIn's
  // link cannot carry it). The platforms are not reachable from here: their
  // requests are answered with an empty page.
  await context.route((url) => url.origin !== new URL(base).origin, (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<title>platform</title>" }));
  for (const pl of platforms) {
    const link = page.locator(`#share-text-${pl}`).locator("xpath=ancestor::li[1]").locator("a.snippet-open");
    if ((await link.count()) !== 1) {
      fail(pl + ": no Open link");
      continue;
    }
    await page.evaluate(() => navigator.clipboard.writeText("(clipboard not written)"));
    const [popup] = await Promise.all([context.waitForEvent("page"), link.click()]);
    await page.waitForFunction(() => document.querySelector(".share-status").textContent.startsWith("Copied the text"), null, { timeout: 5000 });
    const got = await page.evaluate(() => navigator.clipboard.readText());
    await popup.close();
    if (got !== share.employee[pl].text) fail(pl + ": Open left " + JSON.stringify(got) + " on the clipboard, want the employee text");
    else ok(pl + ": Open copied the employee text as it opened the platform");
  }
  if (errors.length > 0) fail("page errors: " + errors.join("; "));
  else ok("no page errors");
} catch (e) {
  fail(e.stack || String(e));
} finally {
  await close();
}
process.exit(failed ? 1 : 0);
