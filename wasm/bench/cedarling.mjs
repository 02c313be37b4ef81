// permiso next to Cedarling (@janssenproject/cedarling_wasm) in one Node
// process, on Cedarling's own benchmark scenarios: `unsigned_simple`,
// `unsigned_batch_25` and the two-token multi-issuer one with ES256
// signatures checked by both (stores in bench/cedarling/, permiso's
// translations beside them). Before timing, both give the same decision on
// every request of a small table. Each call builds its principal from plain
// data or from the tokens, as a service does per request.
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
import { createServer } from "node:http";
import { setImmediate as tick } from "node:timers/promises";

import { initSync as cedarlingModule, init as cedarlingInit } from "@janssenproject/cedarling_wasm";
import { importPKCS8, SignJWT } from "jose";
import { Policy } from "permiso";

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

/**
 * Per-call nanoseconds: a warm-up of a tenth of the calls and at least half a
 * second (so the engine has tiered up the faster side's code as well as the
 * slower's), then `iterations` calls timed one by one.
 */
async function measure(fn, iterations) {
  const warm = process.hrtime.bigint() + (smoke ? 0n : 500_000_000n);
  for (let i = 0; i < Math.max(iterations / 10, 10) || process.hrtime.bigint() < warm; i++) {
    await fn();
    if (i % 100 === 99) await tick();
  }
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

// ---- multi_issuer_signed: two ES256 tokens, signatures checked by both --------------
// Cedarling fetches each trusted issuer's OpenID configuration and JWKS when it
// starts, so a loopback server serves them, one port per issuer (Cedarling looks
// issuers up by origin).
{
  const root = new URL("../../", here);
  const scenario = JSON.parse(read("multi-issuer.json"));
  const vectorKeys = JSON.parse(readFileSync(new URL("tests/vectors/tokens.json", root), "utf8")).policy.credentials;
  const ec256 = vectorKeys.session.jwks.keys.find((k) => k.kid === "ec256");
  const servers = await Promise.all(scenario.tokens.map(({ claims }) => new Promise((ready) => {
    const server = createServer((request, response) => {
      const { port } = server.address();
      const documents = {
        "/.well-known/openid-configuration": { issuer: claims.iss, jwks_uri: `http://127.0.0.1:${port}/jwks` },
        "/jwks": { keys: [{ ...ec256, alg: "ES256" }] },
      };
      const body = documents[request.url];
      response.writeHead(body ? 200 : 404, { "content-type": "application/json" }).end(JSON.stringify(body ?? {}));
    });
    server.listen(0, "127.0.0.1", () => ready(server));
  })));
  const store = JSON.parse(read("multi-issuer-store.json"));
  const trusted = store.policy_stores.multi_issuer_basic_store.trusted_issuers;
  scenario.tokens.forEach((token, i) => {
    trusted[token.trusted_issuer].openid_configuration_endpoint = `http://127.0.0.1:${servers[i].address().port}/.well-known/openid-configuration`;
  });
  const signedCedarling = (options = {}) => cedarlingInit({
    CEDARLING_APPLICATION_NAME: "bench",
    CEDARLING_POLICY_STORE_LOCAL: JSON.stringify(store),
    CEDARLING_LOG_TYPE: "off",
    CEDARLING_JWT_SIG_VALIDATION: "enabled",
    CEDARLING_JWT_STATUS_VALIDATION: "disabled",
    CEDARLING_JWT_SIGNATURE_ALGORITHMS_SUPPORTED: ["ES256"],
    CEDARLING_USER_AUTHZ: "disabled",
    CEDARLING_WORKLOAD_AUTHZ: "disabled",
    CEDARLING_ID_TOKEN_TRUST_MODE: "never",
    ...options,
  });
  // A maximum TTL of 0 turns Cedarling's cache of validated tokens off; it is on by default.
  const uncached = await signedCedarling({ CEDARLING_TOKEN_CACHE_MAX_TTL: 0 });
  const cached = await signedCedarling();
  for (const server of servers) server.close();

  const multi = Policy.fromObject(scenario.policy);
  for (const { kind } of scenario.tokens) multi.setJWKS(kind, { keys: [ec256] });
  const key = await importPKCS8(readFileSync(new URL("tools/vectors/keys/ec256.pem", root), "utf8"), "ES256");
  const now = Math.floor(Date.now() / 1000);
  const sign = (token, claims = {}) => new SignJWT({ ...token.claims, ...claims, iat: now, exp: now + 86400 })
    .setProtectedHeader({ alg: "ES256", kid: "ec256" }).sign(key);
  const [acme, dolphin] = await Promise.all(scenario.tokens.map((t) => sign(t)));
  const denied = await sign(scenario.tokens[0], { scope: scenario.denied_scope });
  const forged = `${acme.slice(0, acme.lastIndexOf("."))}.${"A".repeat(86)}`;

  const cedarlingMulti = async (engine, acmeToken = acme) => {
    const request = {
      tokens: scenario.tokens.map((t, i) => ({ mapping: t.mapping, payload: [acmeToken, dolphin][i] })),
      resource: scenario.cedarling.resource,
      action: scenario.cedarling.action,
    };
    return (await engine.authorize_multi_issuer(JSON.stringify(request))).decision;
  };
  const permisoMulti = async (acmeToken = acme) => {
    const [user] = await Promise.all([multi.verifyJWTAsync(acmeToken), multi.verifyJWTAsync(dolphin)]);
    return multi.authorize(user.identity(), scenario.permiso.action, scenario.permiso.resource).allowed;
  };
  // A request with a token that fails its checks is denied: Cedarling drops the token, permiso refuses it.
  const refused = (e) => {
    assert.equal(e.code, "bad_signature");
    return false;
  };
  for (const engine of [uncached, cached]) {
    const answers = [];
    for (const token of [acme, denied, forged]) {
      answers.push([await cedarlingMulti(engine, token), await permisoMulti(token).catch(refused)]);
    }
    assert.deepEqual(answers, [[true, true], [false, false], [false, false]]);
  }
  console.log("equivalence: multi_issuer_signed, 3 requests (allowed, scope missing, forged signature), same decisions");
  await compare("multi_issuer_signed", "two ES256 tokens through `verifyJWTAsync` (no token cache on either side), then `authorize`",
    permisoMulti, () => cedarlingMulti(uncached), Math.max(ITERATIONS / 10, 20));
  multi.cacheTokens(1000);
  await compare("multi_issuer_signed_cached", "the same with each engine's token cache on (`cacheTokens(1000)`)",
    permisoMulti, () => cedarlingMulti(cached), Math.max(ITERATIONS / 10, 20));
}

const jsonl = outPath("--jsonl");
if (jsonl) {
  mkdirSync(dirname(jsonl), { recursive: true });
  writeFileSync(jsonl, results.map((r) => JSON.stringify(r) + "\n").join(""));
}
const json = outPath("--json");
if (json) {
  mkdirSync(dirname(json), { recursive: true });
  writeFileSync(json, JSON.stringify({ runtime: `Node ${process.version}`, versions: { "@janssenproject/cedarling_wasm": cedarlingVersion }, smoke, rows, jsonl: results }, null, 1));
}
// Cedarling keeps timers of its own alive; the measurements are done.
process.exit(0);
