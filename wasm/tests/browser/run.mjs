// Replays every conformance vector in a real headless Chromium (Debian's,
// driven by playwright-core; no browser download): the npm package's browser
// entry is loaded by a page from a loopback HTTP server, as a plain
// <script type="module"> would load it. Reads PERMISO_VECTORS for another
// directory. Prints "browser: N passed, N failed"; exits 1 on any failure
// or when no case ran.
import { createServer } from "node:http";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, normalize } from "node:path";

import { chromium } from "playwright-core";

const here = new URL(".", import.meta.url).pathname;
const wasmDir = new URL("../../", import.meta.url).pathname;
const root = new URL("../../../", import.meta.url).pathname;
const vectorDir = process.env.PERMISO_VECTORS ?? join(root, "tests/vectors");
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";

const files = readdirSync(vectorDir).filter((f) => f.endsWith(".json")).sort();
if (files.length === 0) throw new Error(`no vector files in ${vectorDir}`);
const expected = files.reduce((n, f) => n + (JSON.parse(readFileSync(join(vectorDir, f), "utf8")).cases?.length ?? 0), 0);

const types = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json", ".wasm": "application/wasm" };
// Only these paths are served: the page, the replayer, the package and the vectors.
function resolve(url) {
  const path = decodeURIComponent(new URL(url, "http://x").pathname);
  if (path === "/" || path === "/index.html") return join(here, "index.html");
  if (path === "/replay.mjs") return join(wasmDir, "tests/replay.mjs");
  if (path === "/vectors/index.json") return null;
  const [, top, ...rest] = path.split("/");
  const name = normalize(rest.join("/"));
  if (name.startsWith("..") || name.includes("/..")) return undefined;
  if (top === "pkg") return join(wasmDir, "pkg", name);
  if (top === "vectors" && files.includes(name)) return join(vectorDir, name);
  return undefined;
}

const server = createServer((req, res) => {
  const file = resolve(req.url);
  if (file === null) {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(files));
    return;
  }
  if (!file || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
    res.writeHead(404);
    res.end();
    return;
  }
  res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
  res.end(readFileSync(file));
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const { port } = server.address();

const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });
let failed = 0;
let passed = 0;
try {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => window.__results || window.__error, null, { timeout: 120_000 });
  const error = await page.evaluate(() => window.__error);
  if (error) throw new Error(`the page failed: ${error}\n${errors.join("\n")}`);
  const preinit = await page.evaluate(() => window.__preinit);
  if (preinit !== "not_initialized") {
    console.error(`before init(): expected a PermisoError with code not_initialized, got ${preinit}`);
    failed++;
  }
  const results = await page.evaluate(() => window.__results);
  for (const r of results) {
    if (r.ok) passed++;
    else {
      failed++;
      console.error(`FAIL ${r.id}: ${r.error}`);
    }
  }
  if (results.length !== expected) {
    console.error(`the page ran ${results.length} cases of ${expected}`);
    failed += Math.max(expected - results.length, 1);
  }
  const version = browser.version();
  console.log(`browser (Chromium ${version}): the package's browser entry loaded by a <script type="module"> through an import map; before init() it refused with not_initialized`);
} finally {
  await browser.close();
  server.close();
}
console.log(`browser: ${passed} passed, ${failed} failed`);
if (failed > 0 || passed === 0) process.exit(1);
