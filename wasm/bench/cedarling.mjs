// permiso next to Cedarling (@janssenproject/cedarling_wasm) in one Node
// process, on Cedarling's own benchmark scenarios: `unsigned_simple` and
// `unsigned_batch_25` (stores in bench/cedarling/, permiso's translations
// beside them). Before timing, both give the same decision on every request
// of a small table. Each call builds its principal from plain data, as a
// service does per request.
//
//   node wasm/bench/cedarling.mjs --json out.json --jsonl out.jsonl
//   node wasm/bench/cedarling.mjs --smoke
//
// `--jsonl` writes one line per binding and scenario in Cedarling's
// benchmark schema, so the figures compare with its published files.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { setImmediate as tick } from "node:timers/promises";

import { initSync as cedarlingModule, init as cedarlingInit } from "@janssenproject/cedarling_wasm";
import { Policy, SigningKey } from "permiso";

const args = process.argv.slice(2);
const smoke = args.includes("--smoke");
const outPath = (flag) => (args.includes(flag) ? resolve(args[args.indexOf(flag) + 1]) : null);
const here = new URL("../../bench/cedarling/", import.meta.url);
const read = (name) => readFileSync(new URL(name, here), "utf8");
const require = createRequire(import.meta.url);
const cedarlingVersion = require("@janssenproject/cedarling_wasm/package.json").version;
cedarlingModule({ module: readFileSync(require.resolve("@janssenproject/cedarling_wasm/cedarling_wasm_bg.wasm")) });
const ITERATIONS = smoke ? 200 : 20_000;

const cedarling = (store) => cedarlingInit({
  CEDARLING_APPLICATION_NAME: "bench",
  CEDARLING_POLICY_STORE_LOCAL: read(store),
  CEDARLING_LOG_TYPE: "off",
  CEDARLING_JWT_SIG_VALIDATION: "disabled",
  CEDARLING_JWT_STATUS_VALIDATION: "disabled",
});

/** Per-call nanoseconds: a warm-up, then `iterations` calls timed one by one. */
async function measure(fn, iterations) {
  for (let i = 0; i < Math.max(iterations / 10, 10); i++) await fn();
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - start));
    if (i % 100 === 99) await tick();
  }
  samples.sort((a, b) => a - b);
  const pick = (q) => samples[Math.min(Math.floor(q * samples.length), samples.length - 1)];
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return { iter: iterations, mean_ns: Math.round(mean), p50_ns: pick(0.5), p95_ns: pick(0.95), p99_ns: pick(0.99), min_ns: samples[0], max_ns: samples[samples.length - 1] };
}

const results = [];
const rows = [];
async function compare(scenario, what, ours, theirs, iterations = ITERATIONS) {
  const mine = await measure(ours, iterations);
  const peer = await measure(theirs, iterations);
  for (const [binding, figures] of [["permiso-wasm", mine], ["cedarling-wasm", peer]]) {
    results.push({ binding, scenario, ...figures, allocs_per_op: null, status: "ok" });
  }
  rows.push({ table: "cedarling", what, permiso_s: mine.mean_ns / 1e9, peer: `Cedarling \`${scenario}\``, peer_s: peer.mean_ns / 1e9 });
  console.log(`${scenario}: permiso ${(mine.mean_ns / 1000).toFixed(2)} us, Cedarling ${(peer.mean_ns / 1000).toFixed(2)} us, ratio ${(peer.mean_ns / mine.mean_ns).toFixed(1)}x`);
}

// ---- unsigned_simple --------------------------------------------------------------
const simple = await cedarling("unsigned-store.json");
const policy = Policy.fromYAML(read("unsigned.yaml"));
const USER = { country: "US", department: "engineering", active: true, suspended: false };
const ISSUE = { org_id: "some_long_id", country: "US", priority: 1 };
const PRINCIPAL_ID = "boG8dfc5MKTn37o7gsdCeyqL8LpWQtgoO41m1KZwdq0";

async function cedarlingSimple(user = USER, action = "Read", issue = ISSUE) {
  const request = {
    principal: { cedar_entity_mapping: { entity_type: "Jans::User", id: PRINCIPAL_ID }, ...user },
    action: `Jans::Action::"${action}"`,
    resource: { cedar_entity_mapping: { entity_type: "Jans::Issue", id: "random_id" }, ...issue },
    context: {},
  };
  return (await simple.authorize_unsigned(JSON.stringify(request))).decision;
}

function permisoSimple(user = USER, action = "Read", issue = ISSUE) {
  const identity = { principal: { id: `user:${PRINCIPAL_ID}`, attributes: user } };
  return policy.authorize(identity, `issue:${action.toLowerCase()}`, { id: "issue:random_id", attributes: issue }).allowed;
}

const table = [
  [USER, "Read", ISSUE],
  [{ ...USER, suspended: true }, "Read", ISSUE],
  [{ ...USER, active: false }, "Read", ISSUE],
  [USER, "Update", ISSUE],
  [{ ...USER, country: "DE" }, "Update", ISSUE],
];
const answers = [];
for (const t of table) answers.push([await cedarlingSimple(...t), permisoSimple(...t)]);
assert.deepEqual(answers.map(([a]) => a), [true, false, false, false, false]);
assert.deepEqual(answers.map(([, b]) => b), answers.map(([a]) => a));
console.log(`equivalence: unsigned_simple, ${table.length} requests, same decisions`);
await compare("unsigned_simple", "`authorize`, identity and resource records built per call", permisoSimple, cedarlingSimple);

// ---- unsigned_batch_25 ------------------------------------------------------------
const batchStore = await cedarling("batch-store.json");
const batchPolicy = Policy.fromYAML(read("batch.yaml"));

async function cedarlingBatch(isOk = true, n = 25) {
  const request = {
    principal: { cedar_entity_mapping: { entity_type: "Jans::TestPrincipal1", id: "bench_principal" }, is_ok: isOk },
    items: Array.from({ length: n }, (_, i) => ({
      resource: { cedar_entity_mapping: { entity_type: "Jans::Issue", id: `resource-${i}` }, org_id: "some_long_id", country: "US" },
      action: 'Jans::Action::"UpdateForTestPrincipals"',
      context: {},
    })),
  };
  const out = await batchStore.authorize_unsigned_batch(JSON.stringify(request));
  return out.results.map((r) => r.is_ok && r.unwrap().decision);
}

function permisoBatch(isOk = true, n = 25) {
  const request = {
    subject: { type: "user", id: "bench_principal" },
    action: { name: "update_for_test_principals" },
    evaluations: Array.from({ length: n }, (_, i) => ({
      resource: { type: "issue", id: `resource-${i}`, properties: { org_id: "some_long_id", country: "US" } },
    })),
  };
  const out = batchPolicy.accessEvaluations(request, { principals: [{ id: "user:bench_principal", attributes: { is_ok: isOk } }] });
  return out.evaluations.map((e) => e.decision);
}

assert.deepEqual(await cedarlingBatch(true), Array(25).fill(true));
assert.deepEqual(permisoBatch(true), Array(25).fill(true));
assert.deepEqual(await cedarlingBatch(false), Array(25).fill(false));
assert.deepEqual(permisoBatch(false), Array(25).fill(false));
console.log("equivalence: unsigned_batch_25, 50 items, same decisions");
await compare("unsigned_batch_25", "AuthZEN `accessEvaluations` of 25, host data built per call", permisoBatch, cedarlingBatch, Math.max(ITERATIONS / 10, 20));

// ---- multi_issuer, signatures on (permiso's side) ---------------------------------
// Cedarling's own run of this scenario needs its issuers' discovery endpoints
// served; permiso's figures go to the JSONL for comparison with its files.
const tokensRows = [];
{
  const root = new URL("../../", here);
  const multi = Policy.fromObject(JSON.parse(read("multi-issuer.json")).policy);
  const vectorKeys = JSON.parse(readFileSync(new URL("tests/vectors/tokens.json", root), "utf8")).policy.credentials;
  const ec256 = vectorKeys.session.jwks.keys.find((k) => k.kid === "ec256");
  for (const kind of ["acme", "dolphin"]) multi.setJWKS(kind, { keys: [ec256] });
  const signer = SigningKey.fromPEM("ES256", readFileSync(new URL("tools/vectors/keys/ec256.pem", root), "utf8"), "ec256");
  const acme = multi.issueSession("acme", { subject: "acme_user_multi", roles: ["reader"], scopes: ["wiki:read_profile"] }, signer);
  const dolphin = multi.issueSession("dolphin", { subject: "dolphin_user_multi" }, signer);
  const unscoped = multi.issueSession("acme", { subject: "acme_user_multi", roles: ["reader"], scopes: [] }, signer);
  const permisoMulti = async (acmeToken = acme) => {
    const [user] = await Promise.all([multi.verifyJWTAsync(acmeToken), multi.verifyJWTAsync(dolphin)]);
    return multi.authorize(user.identity(), "wiki:read_profile", "wiki:WikiPages").allowed;
  };
  assert.equal(await permisoMulti(), true);
  assert.equal(await permisoMulti(unscoped), false);
  await assert.rejects(permisoMulti(`${acme.slice(0, acme.lastIndexOf("."))}.${"A".repeat(86)}`), (e) => e.code === "bad_signature");
  console.log("multi_issuer: both tokens' ES256 signatures checked (WebCrypto); a forged one is refused");
  for (const [scenario, capacity] of [["multi_issuer_signed", 0], ["multi_issuer_signed_cached", 1000]]) {
    multi.cacheTokens(capacity);
    const figures = await measure(permisoMulti, Math.max(ITERATIONS / 10, 20));
    results.push({ binding: "permiso-wasm", scenario, ...figures, allocs_per_op: null, status: "ok" });
    tokensRows.push({ scenario, mean_s: figures.mean_ns / 1e9 });
    console.log(`${scenario}: permiso ${(figures.mean_ns / 1000).toFixed(2)} us`);
  }
}

const jsonl = outPath("--jsonl");
if (jsonl) {
  mkdirSync(dirname(jsonl), { recursive: true });
  writeFileSync(jsonl, results.map((r) => JSON.stringify(r) + "\n").join(""));
}
const json = outPath("--json");
if (json) {
  mkdirSync(dirname(json), { recursive: true });
  writeFileSync(json, JSON.stringify({ runtime: `Node ${process.version}`, versions: { "@janssenproject/cedarling_wasm": cedarlingVersion }, smoke, rows, jsonl: results, tokens: tokensRows }, null, 1));
}
// Cedarling keeps timers of its own alive; the measurements are done.
process.exit(0);
