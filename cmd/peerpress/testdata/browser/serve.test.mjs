// Browser test of `peerpress serve` (run by TestServeBrowser):
//
//   node serve.test.mjs URL SITEDIR
//
// URL is a running dev server on a copy of the sample blog in SITEDIR. In
// headless Debian Chromium it opens a post, then edits files the way an
// author's editor does and waits (bounded) for the open page to change by
// itself: a new title and body, a policy overlay, the overlay gone after the
// fix, the page following a renamed post. Prints one line per step with the
// time from the file write to the change seen in the page.
import { launch } from "./chromium.mjs";
import fs from "node:fs/promises";
import path from "node:path";

const [base, site] = process.argv.slice(2);
if (!base || !site) {
  console.error("usage: node serve.test.mjs URL SITEDIR");
  process.exit(2);
}
const posts = path.join(site, "content", "posts");
const { context, close } = await launch();

let failed = false;
function fail(msg) {
  failed = true;
  console.log("FAIL " + msg);
}

// until polls fn (which may throw while the page reloads) until it returns
// a truthy value, for at most ms milliseconds.
async function until(what, fn, ms = 10000) {
  const start = Date.now();
  for (;;) {
    try {
      const v = await fn();
      if (v) return Date.now() - start;
    } catch (e) {
      // the page is navigating; try again
    }
    if (Date.now() - start > ms) throw new Error("timed out after " + ms + "ms waiting for " + what);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function edit(file, from, to) {
  const p = path.join(posts, file);
  const data = await fs.readFile(p, "utf8");
  if (!data.includes(from)) throw new Error(file + " does not contain " + JSON.stringify(from));
  await fs.writeFile(p, data.replace(from, to));
}

// reloadedByItself marks the page; the mark is gone once the page reloads.
async function mark(page) {
  await page.evaluate(() => { window.__peerpressTestMark = true; });
}
async function reloadedByItself(page) {
  return page.evaluate(() => window.__peerpressTestMark !== true);
}

async function step(name, fn) {
  try {
    const ms = await fn();
    console.log("ok   " + name + (ms !== undefined ? " (" + ms + " ms from the write)" : ""));
  } catch (e) {
    fail(name + ": " + e.message);
  }
}

try {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(base + "posts/enig-black-pad/");
  const title = page.locator("h1.post-title");
  const overlay = page.locator("#peerpress-overlay");

  await step("the post opens without an overlay", async () => {
    if (!(await title.textContent()).includes("A Corrosion Problem Wearing a Soldering Costume")) throw new Error("unexpected title");
    if ((await overlay.count()) !== 0) throw new Error("an overlay is shown on a clean site");
    await until("the live-reload connection", () => page.evaluate(() => window.peerpress && window.peerpress.build > 0));
  });

  await step("an edit to the title and body shows without a manual reload", async () => {
    await mark(page);
    await edit("enig-black-pad.md", "A Corrosion Problem Wearing a Soldering Costume", "Edited in the Browser Test");
    await edit("enig-black-pad.md", "is a lovely surface finish on paper", "is a surface finish edited while the page was open");
    const ms = await until("the new title and body", async () =>
      (await title.textContent()).includes("Edited in the Browser Test") &&
      (await page.locator(".post-body").textContent()).includes("edited while the page was open"));
    if (!(await reloadedByItself(page))) throw new Error("the page changed without reloading?");
    return ms;
  });

  await step("a policy violation shows the overlay", async () => {
    await mark(page);
    await edit("enig-black-pad.md", "edited while the page was open", "edited while the page was open, with FlowCore");
    const ms = await until("the overlay", async () => {
      if (!(await overlay.isVisible())) return false;
      const text = await overlay.textContent();
      return text.includes("disclose.undeclared-product") && text.includes("content/posts/enig-black-pad.md:") && text.includes("FlowCore");
    });
    if (!(await reloadedByItself(page))) throw new Error("no reload");
    const box = await overlay.boundingBox();
    if (!box || box.height < 20) throw new Error("the overlay is not on screen");
    return ms;
  });

  await step("fixing it makes the overlay go away", async () => {
    await edit("enig-black-pad.md", "edited while the page was open, with FlowCore", "edited while the page was open");
    return until("the overlay to go", async () => (await overlay.count()) === 0 && (await title.count()) === 1);
  });

  await step("a renamed post is followed", async () => {
    await fs.rename(path.join(posts, "enig-black-pad.md"), path.join(posts, "enig-black-pad-renamed.md"));
    const ms = await until("the new URL", async () => new URL(page.url()).pathname === "/posts/enig-black-pad-renamed/" && (await title.count()) === 1);
    if (!(await title.textContent()).includes("Edited in the Browser Test")) throw new Error("the renamed post does not show");
    return ms;
  });

  await step("a deleted post shows a clear 404", async () => {
    await fs.rm(path.join(posts, "enig-black-pad-renamed.md"));
    return until("the 404 note", async () => {
      const t = await page.locator("#peerpress-overlay").textContent({ timeout: 200 });
      return t.includes("No page at /posts/enig-black-pad-renamed/");
    });
  });

  if (errors.length) fail("JavaScript errors: " + errors.join("; "));
} catch (e) {
  fail(e.stack || String(e));
} finally {
  await close();
}
process.exit(failed ? 1 : 0);
