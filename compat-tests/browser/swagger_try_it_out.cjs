// Drives Swagger UI at <base>/docs/ in Debian's headless Chromium through
// playwright-core, as a person would: waits until the namespaces render
// (and takes a screenshot), logs in with "Try it out" on auth/login (the
// browser keeps the session cookie the gateway sets), then runs
// system/listSystems with "Try it out" and reads the answer shown (and
// takes a second screenshot).
//
// Usage: node swagger_try_it_out.cjs BASE_URL DOCS.png TRY.png USER_DATA_DIR
// Env: PLAYWRIGHT_CORE (path of the playwright-core package), CHROMIUM.
// Prints one JSON line: {"tags": [...], "login": status, "cookie": bool,
// "list": status, "success": bool, "systems": n}; exits non-zero on any
// failure.
"use strict";

const { chromium } = require(process.env.PLAYWRIGHT_CORE || "playwright-core");

const [base, docsShot, tryShot, userDataDir] = process.argv.slice(2);
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Opens the tag and the operation at `path`, in "Try it out" mode. */
async function tryItOut(page, tag, path) {
  await page.locator(`[id="operations-tag-${tag}"]`).click();
  const op = page.locator(".opblock").filter({
    has: page.locator(`.opblock-summary-path[data-path="${path}"]`),
  });
  await op.locator(".opblock-summary-control").first().click();
  // The UI opens operations in "Try it out" mode (tryItOutEnabled); press
  // the button only where it still offers it.
  const button = op.locator("button.try-out__btn");
  if ((await button.innerText()).includes("Try it out")) {
    await button.click();
  }
  return op;
}

/** Presses "Execute" and waits for the answer's status code. */
async function execute(op) {
  await op.locator("button.execute").click();
  const status = op.locator(".live-responses-table tbody .response-col_status").first();
  await status.waitFor({ timeout: 20000 });
  return Number((await status.innerText()).trim());
}

(async () => {
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 1400 },
  });
  try {
    const page = await context.newPage();
    await page.goto(`${base}/docs/`);
    await page.locator(".opblock-tag-section").first().waitFor({ timeout: 60000 });
    const tags = await page
      .locator('[id^="operations-tag-"]')
      .evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-tag")));
    await page.screenshot({ path: docsShot });

    const login = await tryItOut(page, "auth", "/rhn/manager/api/auth/login");
    await login.locator("textarea.body-param__text").fill('{"login": "admin", "password": "admin"}');
    const loginStatus = await execute(login);
    const cookies = await context.cookies(base);
    const cookie = cookies.some((c) => c.name === "pxt-session-cookie" && c.value.includes("x"));

    const list = await tryItOut(page, "system", "/rhn/manager/api/system/listSystems");
    const listStatus = await execute(list);
    const shown = list.locator(".live-responses-table tbody .response-col_description");
    const code = shown.locator(".highlight-code code");
    let answer = {};
    if ((await code.count()) > 0) {
      answer = JSON.parse(await code.first().innerText());
    } else {
      console.error(`no response body shown: ${await shown.first().innerText()}`);
    }
    await list.scrollIntoViewIfNeeded();
    await page.screenshot({ path: tryShot });
    const result = {
      tags,
      login: loginStatus,
      cookie,
      list: listStatus,
      success: answer.success,
      systems: Array.isArray(answer.result) ? answer.result.length : -1,
    };
    console.log(JSON.stringify(result));
    const ok = loginStatus === 200 && cookie && listStatus === 200 && answer.success === true;
    process.exitCode = ok ? 0 : 1;
  } finally {
    await context.close();
  }
})().catch((e) => {
  console.error(e);
  process.exit(2);
});
