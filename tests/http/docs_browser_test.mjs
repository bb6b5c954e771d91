// The docs page in a real browser: Debian's chromium, headless, driven by playwright-core. Opens
// /api/v1/docs/, checks that Swagger UI lists the routes of the OpenAPI document, sends requests
// through "Try it out" (the resource API, the command API at the root, the admin port), and
// saves a screenshot as a test artefact ($BASALT_ARTIFACT_DIR, set by ctest to
// <build>/artifacts; default the system's temporary directory).

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";

import { requireFromUi, startServer } from "./server.mjs";

const { chromium } = requireFromUi("playwright-core");
const chromiumPath = process.env.BASALT_CHROMIUM || "/usr/bin/chromium";
const artifactDir = process.env.BASALT_ARTIFACT_DIR || os.tmpdir();

let server, browser;

before(async () => {
  server = await startServer();
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // As root, without a sandbox; no background traffic to hosts this machine cannot reach.
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

// Opens an operation, fills its parameters, presses Execute; returns the status and body shown.
async function tryItOut(page, selector, params) {
  const op = page.locator(selector);
  await op.locator(".opblock-summary").click();
  await op.locator(".try-out__btn").click();
  for (const [name, value] of Object.entries(params)) {
    await op.locator(`tr[data-param-name="${name}"] input`).fill(value);
  }
  await op.locator(".execute").click();
  const status = op.locator(".live-responses-table tr.response .response-col_status").first();
  await status.waitFor({ timeout: 10000 });
  const body = await op
    .locator(".live-responses-table tr.response .response-col_description pre")
    .first()
    .textContent();
  return { status: (await status.textContent()).trim(), body };
}

test("the docs page lists the routes and sends a request", async () => {
  // A key for the request sent from the page.
  const put = await fetch(server.url("/api/v1/keys/greeting"), {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ value: "hello from the docs page" }),
  });
  assert.equal(put.status, 201);

  const page = await browser.newPage({ viewport: { width: 1280, height: 1800 } });
  const external = [];
  page.on("request", (req) => {
    const url = new URL(req.url());
    if (url.hostname !== "127.0.0.1") external.push(req.url());
  });
  await page.goto(server.url("/api/v1/docs/"), { waitUntil: "load" });
  await page.waitForSelector(".opblock", { timeout: 20000 });

  assert.match(await page.textContent(".info .title"), /Basalt HTTP API/);
  fs.mkdirSync(artifactDir, { recursive: true });
  await page.screenshot({ path: path.join(artifactDir, "http-docs-overview.png") });
  const paths = await page.$$eval(".opblock-summary-path", (els) =>
    els.map((e) => e.getAttribute("data-path") || e.textContent.trim()));
  for (const p of ["/keys", "/keys/{key}", "/keys/{key}/ttl", "/keys/{key}/items", "/redis",
                   "/redis/pipeline", "/redis/multi-exec", "/redis/{command}/{args}",
                   "/", "/pipeline", "/{command}/{args}", "/healthz", "/metrics"]) {
    assert.ok(paths.some((x) => x.replace(/\u200b/g, "") === p), `${p} is listed (${paths.length} paths)`);
  }

  // GET /keys/{key} through "Try it out".
  const op = await tryItOut(page, "#operations-keys-getKey", { key: "greeting" });
  assert.equal(op.status, "200");
  assert.match(op.body, /hello from the docs page/);

  // The command API at the root, through its own server ("/").
  const ping = await tryItOut(page, "#operations-root-rootCommandPathNoArgs", { command: "ping" });
  assert.deepEqual([ping.status, JSON.parse(ping.body)], ["200", { result: "PONG" }]);

  // An admin route: the page must send it to this server's admin port (not a fixed
  // 127.0.0.1:8081), and the admin port must let the page read the answer (CORS).
  const health = await tryItOut(page, "#operations-admin-healthz", {});
  assert.deepEqual([health.status, JSON.parse(health.body)], ["200", { status: "ok" }]);
  const url = await page.locator("#operations-admin-healthz .request-url pre").textContent();
  assert.equal(url.trim(), `http://127.0.0.1:${server.adminPort}/healthz`);
  await page.locator("#operations-keys-getKey").scrollIntoViewIfNeeded();

  const shot = path.join(artifactDir, "http-docs-page.png");
  await page.screenshot({ path: shot, fullPage: false });
  assert.ok(fs.statSync(shot).size > 10000);
  console.log(`screenshot: ${shot}`);
  assert.deepEqual(external, [], "the page loads nothing from outside (no CDN)");
});
