// Serves the test worker and the example Worker in a real workerd on
// loopback, and exercises both with HTTP requests.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { Policy } from "permiso";
import { loadInterop } from "../replay.mjs";

const here = new URL(".", import.meta.url).pathname;
const wasmDir = new URL("../../", import.meta.url).pathname;
const root = new URL("../../../", import.meta.url).pathname;
const pkg = join(wasmDir, "pkg");
const vectorDir = process.env.PERMISO_VECTORS ?? join(root, "tests/vectors");

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

let dir;
let expectedCases = 0;
let proc;
let testUrl;
let exampleUrl;
let logs = "";
const keys = {};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "permiso-workerd-"));
  for (const f of ["workerd.js", "api.js", "public.js", "permiso.js", "permiso_bg.wasm"]) copyFileSync(join(pkg, f), join(dir, f));
  copyFileSync(join(here, "worker.js"), join(dir, "worker.js"));
  copyFileSync(join(wasmDir, "tests/replay.mjs"), join(dir, "replay.mjs"));
  copyFileSync(join(root, "examples/worker/worker.js"), join(dir, "example.js"));
  copyFileSync(join(root, "examples/policy.yaml"), join(dir, "policy.yaml"));
  const files = readdirSync(vectorDir).filter((f) => f.endsWith(".json")).sort();
  assert.ok(files.length > 0, `no vector files in ${vectorDir}`);
  const vectors = files.map((name) => ({ name, doc: JSON.parse(readFileSync(join(vectorDir, name), "utf8")) }));
  expectedCases = vectors.reduce((n, { doc }) => n + (doc.cases?.length ?? 0), 0);
  writeFileSync(join(dir, "vectors.js"), `export default ${JSON.stringify(vectors)};\n`);
  // The AuthZEN interop files ride along: 68 more checks.
  const published = process.env.PERMISO_AUTHZEN;
  const interop = loadInterop(
    (f) => readFileSync(join(root, "examples/authzen", f), "utf8"),
    published && ((f) => readFileSync(join(published, f), "utf8")),
  );
  writeFileSync(join(dir, "interop.js"), `export default ${JSON.stringify(interop)};\n`);
  expectedCases += 68;

  // Host data for the example Worker, with keys minted here.
  const policy = Policy.fromYAML(readFileSync(join(root, "examples/policy.yaml"), "utf8"));
  const host = JSON.parse(readFileSync(join(root, "examples/host-data.json"), "utf8"));
  host.keys = [];
  for (const [name, kind, owner, options] of [
    ["alice", "personal_key", "user:alice", {}],
    ["project", "project_key", "project:p1", { scopes: ["endpoints:run"] }],
  ]) {
    const { key, record } = policy.generateKey(kind, owner, options);
    keys[name] = key;
    host.keys.push(record);
  }
  writeFileSync(join(dir, "host-data.json"), JSON.stringify(host));

  const [testPort, examplePort] = [await freePort(), await freePort()];
  const modules = (main) => `[
    (name = "${main}", esModule = embed "${main}"),
    (name = "replay.mjs", esModule = embed "replay.mjs"),
    (name = "vectors.js", esModule = embed "vectors.js"),
    (name = "interop.js", esModule = embed "interop.js"),
    (name = "policy.yaml", text = embed "policy.yaml"),
    (name = "permiso", esModule = embed "workerd.js"),
    (name = "api.js", esModule = embed "api.js"),
    (name = "public.js", esModule = embed "public.js"),
    (name = "permiso.js", esModule = embed "permiso.js"),
    (name = "permiso_bg.wasm", wasm = embed "permiso_bg.wasm"),
  ]`;
  writeFileSync(
    join(dir, "config.capnp"),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "tests", worker = .tests), (name = "example", worker = .example) ],
  sockets = [
    (name = "tests", address = "127.0.0.1:${testPort}", http = (), service = "tests"),
    (name = "example", address = "127.0.0.1:${examplePort}", http = (), service = "example"),
  ],
);
const tests :Workerd.Worker = (modules = ${modules("worker.js")}, compatibilityDate = "2025-09-01");
const example :Workerd.Worker = (
  modules = ${modules("example.js")},
  bindings = [ (name = "HOST_DATA", json = embed "host-data.json") ],
  compatibilityDate = "2025-09-01",
);
`,
  );
  proc = spawn(join(wasmDir, "node_modules/.bin/workerd"), ["serve", join(dir, "config.capnp")], { stdio: ["ignore", "pipe", "pipe"] });
  proc.stdout.on("data", (d) => (logs += d));
  proc.stderr.on("data", (d) => (logs += d));
  testUrl = `http://127.0.0.1:${testPort}`;
  exampleUrl = `http://127.0.0.1:${examplePort}`;
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${testUrl}/ping`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`workerd did not start:\n${logs}`);
});

after(() => {
  proc?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("workerd replays every conformance vector", async () => {
  const results = await (await fetch(`${testUrl}/vectors`)).json();
  const failed = results.filter((r) => !r.ok);
  console.log(`workerd vectors: ${results.length - failed.length} passed, ${failed.length} failed`);
  // Every case of the directory ran, whatever their number, and none failed.
  assert.ok(results.length > 0, "no case ran");
  assert.equal(results.length, expectedCases);
  assert.deepEqual(failed, []);
});

test("workerd: init plus policy compile", async () => {
  const { ms } = await (await fetch(`${testUrl}/timing`)).json();
  console.log(`workerd: instantiate + compile the example policy: ${ms.toFixed(3)} ms (clock as workerd reports it)`);
  assert.ok(ms < 5, `${ms} ms`);
});

test("the example Worker allows, refuses and explains over HTTP", async () => {
  const get = (path, init) => fetch(`${exampleUrl}${path}`, init);
  let r = await get("/api/deployments/web", { headers: { authorization: `Bearer ${keys.alice}` } });
  assert.equal(r.status, 200);
  assert.equal((await r.json()).principal, "user:alice");
  r = await get("/api/projects/p1/endpoints/nightly/run", { method: "POST", headers: { "x-api-key": keys.project } });
  assert.equal(r.status, 200);
  r = await get("/api/projects/p1/endpoints/nightly", { method: "PUT", headers: { "x-api-key": keys.project } });
  assert.equal(r.status, 403);
  assert.equal((await r.json()).message, "project_key credentials are not accepted for PUT /api/projects/{project}/endpoints/{name}");
  r = await get("/api/deployments/web");
  assert.equal(r.status, 401);
  assert.equal(r.headers.get("www-authenticate"), "Bearer");
  // The last character changed (to one it is not: keys are random).
  const mistyped = keys.alice.slice(0, -1) + (keys.alice.endsWith("x") ? "y" : "x");
  r = await get("/api/deployments/web", { headers: { authorization: `Bearer ${mistyped}` } });
  assert.equal(r.status, 401);
  r = await get("/nowhere", { headers: { authorization: `Bearer ${keys.alice}` } });
  assert.equal(r.status, 404);
  assert.equal((await r.json()).code, "no_route");
});
