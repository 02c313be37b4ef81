// permiso (wasm) next to casbin, Cedar (@cedar-policy/cedar-wasm) and jose in
// one Node process, and the gzipped .wasm sizes of permiso, Cedar and Biscuit.
// The roles and grants of the example policy come translated for each engine
// from bench/peers/example.json (written by the Rust benchmark crate). Before
// timing, every input is checked to get the same answer from permiso and the
// peer.
//
//   node wasm/bench/bench.mjs                     prints the ratios
//   node wasm/bench/bench.mjs --json out.json     and writes them for bench/report.py
//   node wasm/bench/bench.mjs --smoke             a few iterations (tests)
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { setImmediate as tick } from "node:timers/promises";
import { gzipSync } from "node:zlib";

import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { newEnforcer, newModelFromString, StringAdapter } from "casbin";
import * as jose from "jose";
import { Policy, SigningKey } from "permiso";

const args = process.argv.slice(2);
const smoke = args.includes("--smoke");
const jsonOut = args.includes("--json") ? resolve(args[args.indexOf("--json") + 1]) : null;
const root = new URL("../../", import.meta.url);
const read = (p) => readFileSync(new URL(p, root), "utf8");

/**
 * Nanoseconds per call: warm up, then run for at least `minMs`. Every 100
 * calls the event loop turns, as between a server's requests, so objects
 * the bindings hand out are finalized as they would be in service.
 */
async function time(fn, minMs = smoke ? 5 : 500) {
  for (let i = 0; i < (smoke ? 10 : 2000); i++) fn();
  await tick();
  let n = 0;
  let elapsed = 0n;
  do {
    const start = process.hrtime.bigint();
    for (let i = 0; i < 100; i++) fn();
    elapsed += process.hrtime.bigint() - start;
    n += 100;
    await tick();
  } while (elapsed < BigInt(minMs) * 1_000_000n);
  return Number(elapsed) / n;
}

async function timeAsync(fn, minMs = smoke ? 5 : 500) {
  for (let i = 0; i < (smoke ? 10 : 500); i++) await fn();
  let n = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  do {
    for (let i = 0; i < 50; i++) await fn();
    n += 50;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < BigInt(minMs) * 1_000_000n);
  return Number(elapsed) / n;
}

const rows = [];
const row = (table, what, permisoNs, peer, peerNs, extra = {}) => {
  rows.push({ table, what, permiso_s: permisoNs / 1e9, peer, peer_s: peerNs / 1e9, ...extra });
  console.log(`${what}: permiso ${(permisoNs / 1000).toFixed(2)} us, ${peer} ${(peerNs / 1000).toFixed(2)} us, ratio ${(peerNs / permisoNs).toFixed(1)}x`);
};
const cycle = (items) => {
  let i = 0;
  return () => items[(i = (i + 1) % items.length)];
};

// ---- authorize vs casbin enforce vs Cedar isAuthorized ----------------------
const world = JSON.parse(read("bench/peers/example.json"));
const policy = Policy.fromYAML(read("examples/policy.yaml"));
const identities = Object.fromEntries(world.principals.map((r) => [r.principal.id, policy.identity(r)]));
const csv = world.casbin.rules.map((r) => r.join(", ")).join("\n");
const enforcer = await newEnforcer(newModelFromString(world.casbin.model), new StringAdapter(csv));
const preparsed = cedar.preparsePolicySet("example", { staticPolicies: world.cedar.policies });
assert.equal(preparsed.type, "success", JSON.stringify(preparsed));
const cedarEntities = world.cedar.entities;
const cedarCall = (i) => {
  const at = i.resource.indexOf(":");
  return {
    principal: { type: "Principal", id: i.principal },
    action: { type: "Action", id: i.permission },
    resource: { type: i.resource.slice(0, at), id: i.resource.slice(at + 1) },
    context: {},
    preparsedPolicySetId: "example",
    entities: cedarEntities,
  };
};
const cedarAllows = (call) => {
  const answer = cedar.statefulIsAuthorized(call);
  assert.equal(answer.type, "success");
  return answer.response.decision === "allow";
};
const inputs = world.inputs.map((i) => ({ ...i, cedar: cedarCall(i) }));
let allowed = 0;
for (const i of inputs) {
  const ours = policy.authorize(identities[i.principal], i.permission, i.resource).allowed;
  assert.equal(policy.isAllowed(identities[i.principal], i.permission, i.resource), ours);
  assert.equal(enforcer.enforceSync(i.principal, i.resource, i.permission), ours, `casbin: ${JSON.stringify(i)}`);
  assert.equal(cedarAllows(i.cedar), ours, `cedar: ${JSON.stringify(i)}`);
  allowed += ours;
}
assert.ok(allowed > 0 && allowed < inputs.length);
console.log(`equivalence: ${inputs.length} inputs (${allowed} allowed), same answers from permiso, casbin and Cedar`);

let next = cycle(inputs);
const oursFull = await time(() => {
  const i = next();
  policy.authorize(identities[i.principal], i.permission, i.resource);
});
next = cycle(inputs);
const oursLogged = await time(() => {
  const i = next();
  return policy.authorize(identities[i.principal], i.permission, i.resource).audit;
});
next = cycle(inputs);
const oursCheck = await time(() => {
  const i = next();
  policy.isAllowed(identities[i.principal], i.permission, i.resource);
});
next = cycle(inputs);
const theirsCasbin = await time(() => {
  const i = next();
  enforcer.enforceSync(i.principal, i.resource, i.permission);
});
next = cycle(inputs);
const theirsCedar = await time(() => cedar.statefulIsAuthorized(next().cedar));
// A decision made with an Identity makes its record when first read; the
// second pair of rows reads it every time (a service that logs every decision).
row("authorize", "`authorize` (a decision; its audit record made when read)", oursFull, "casbin `enforceSync`", theirsCasbin);
row("authorize", "`authorize` (a decision; its audit record made when read)", oursFull, "Cedar `statefulIsAuthorized`", theirsCedar);
row("authorize", "`authorize`, then its `audit` record read", oursLogged, "casbin `enforceSync`", theirsCasbin);
row("authorize", "`authorize`, then its `audit` record read", oursLogged, "Cedar `statefulIsAuthorized`", theirsCedar);
row("authorize", "`isAllowed` (yes/no)", oursCheck, "casbin `enforceSync`", theirsCasbin);
row("authorize", "`isAllowed` (yes/no)", oursCheck, "Cedar `statefulIsAuthorized`", theirsCedar);

// ---- AuthZEN: a batch of 25 in one call vs 25 single calls -----------------
{
  const todo = Policy.fromYAML(read("examples/authzen/todo-policy.yaml"));
  const host = JSON.parse(read("examples/authzen/todo-host.json"));
  const subject = { type: "user", id: host.principals[1].id.split(":")[1] };
  const items = Array.from({ length: 25 }, (_, i) => ({
    resource: { type: "todo", id: String(i), properties: { ownerID: i % 2 ? "morty@the-citadel.com" : "x" } },
  }));
  const batch = { subject, action: { name: "can_update_todo" }, evaluations: items };
  const singles = items.map((item) => ({ subject, action: { name: "can_update_todo" }, ...item }));
  const answers = todo.accessEvaluations(batch, host).evaluations.map((e) => e.decision);
  assert.deepEqual(answers, singles.map((r) => todo.accessEvaluation(r, host).decision));
  assert.equal(answers.filter(Boolean).length, 12);
  const oursBatch = await time(() => todo.accessEvaluations(batch, host));
  const oursSingles = await time(() => singles.forEach((r) => todo.accessEvaluation(r, host)));
  row("authzen", "`accessEvaluations`, 25 items in one call", oursBatch, "25 `accessEvaluation` calls", oursSingles);
}

// ---- JWT: verifyJWT vs jose.jwtVerify ---------------------------------------
const tokens = JSON.parse(read("tests/vectors/tokens.json"));
const tokenPolicy = Policy.fromObject(tokens.policy);
const cachedPolicy = Policy.fromObject(tokens.policy);
cachedPolicy.cacheTokens(1000);
const secret = jose.base64url.decode(JSON.parse(read("tools/vectors/keys/hmac.json")).hs32);
const now = Math.floor(Date.now() / 1000);
const jwks = Object.fromEntries(tokens.policy.credentials.session.jwks.keys.map((k) => [k.kid, k]));
const pem = (file) => read(`tools/vectors/keys/${file}`);
const cases = [
  ["HS256", "hs32", SigningKey.hmac("HS256", secret, "hs32")],
  ["RS256", "rsa", SigningKey.fromPEM("RS256", pem("rsa.pem"), "rsa")],
  ["ES256", "ec256", SigningKey.fromPEM("ES256", pem("ec256.pem"), "ec256")],
  ["EdDSA", "ed", SigningKey.fromPEM("EdDSA", pem("ed25519.pem"), "ed")],
];
for (const [alg, kid, signing] of cases) {
  const joseKey = alg === "HS256" ? secret : await jose.importJWK({ ...jwks[kid], alg }, alg);
  const session = { subject: "alice", scopes: ["deployments:read"], roles: ["viewer"], lifetime: 600 };
  const token = tokenPolicy.issueSession("session", session, signing, now);
  const expired = tokenPolicy.issueSession("session", session, signing, now - 3600);
  const options = { issuer: "https://id.example.com", audience: "admin-api", algorithms: [alg], clockTolerance: 30 };
  // Each side reads its own clock, as a service does: jose is given no `currentDate`, permiso no `now`.
  const ours = tokenPolicy.verifyJWT(token).toJSON();
  const theirs = await jose.jwtVerify(token, joseKey, options);
  assert.equal(ours.principal, `user:${theirs.payload.sub}`);
  for (const bad of [token + "x", token.slice(0, -3), expired]) {
    await assert.rejects(jose.jwtVerify(bad, joseKey, options));
    assert.throws(() => tokenPolicy.verifyJWT(bad));
  }
  const slow = alg === "ES256" || alg === "RS256";
  const p = await time(() => tokenPolicy.verifyJWT(token), smoke ? 5 : slow ? 1500 : 500);
  // jose and verifyJWTAsync take turns, each the median of its rounds, so a
  // drift of the VM's speed falls on both sides alike.
  const sides = { jose: () => jose.jwtVerify(token, joseKey, options) };
  if (alg !== "HS256") {
    assert.equal((await tokenPolicy.verifyJWTAsync(token)).principal, ours.principal);
    await assert.rejects(tokenPolicy.verifyJWTAsync(token.slice(0, -3)));
    sides.async = () => tokenPolicy.verifyJWTAsync(token);
  }
  const rounds = Object.fromEntries(Object.keys(sides).map((side) => [side, []]));
  for (let round = 0; round < (smoke ? 1 : 5); round++) {
    for (const [side, fn] of Object.entries(sides)) rounds[side].push(await timeAsync(fn, smoke ? 5 : 200));
  }
  const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
  const j = median(rounds.jose);
  row("jwt", `JWT verify ${alg}, \`verifyJWT\` (sync, pure-Rust crypto in wasm)`, p, "jose `jwtVerify` (WebCrypto)", j);
  if (alg !== "HS256") {
    const a = median(rounds.async);
    row("jwt", `JWT verify ${alg}, \`verifyJWTAsync\` (signature by Node's crypto module, core rules)`, a, "jose `jwtVerify` (WebCrypto)", j, { kind: "async" });
    // A client presents its token on every request: with the token cache on, a token seen before is
    // neither signature-checked nor decoded again (its claims, expiry and revocations still are).
    assert.equal((await cachedPolicy.verifyJWTAsync(token)).principal, ours.principal);
    const c = await timeAsync(() => cachedPolicy.verifyJWTAsync(token));
    row("jwt", `JWT verify ${alg}, \`verifyJWTAsync\`, the same token again with \`cacheTokens\` on`, c, "jose `jwtVerify` (WebCrypto)", j);
  }
}

// ---- .wasm sizes -------------------------------------------------------------
// The peers are dev dependencies of wasm/ (some export no package.json).
const packageFile = (name, file) => new URL(`../node_modules/${name}/${file}`, import.meta.url);
const version = (name) => JSON.parse(readFileSync(packageFile(name, "package.json"), "utf8")).version;
const sizes = [
  ["permiso", new URL("wasm/pkg/permiso_bg.wasm", root), JSON.parse(read("wasm/pkg/package.json")).version],
  ["@cedar-policy/cedar-wasm", packageFile("@cedar-policy/cedar-wasm", "nodejs/cedar_wasm_bg.wasm"), version("@cedar-policy/cedar-wasm")],
  ["@biscuit-auth/biscuit-wasm", packageFile("@biscuit-auth/biscuit-wasm", "module/biscuit_bg.wasm"), version("@biscuit-auth/biscuit-wasm")],
].map(([name, file, v]) => {
  const bytes = readFileSync(file);
  return { package: name, version: v, bytes: bytes.length, gzip_bytes: gzipSync(bytes, { level: 9 }).length };
});
for (const s of sizes) console.log(`${s.package} ${s.version}: ${(s.bytes / 1024).toFixed(0)} KB, ${(s.gzip_bytes / 1024).toFixed(0)} KB gzipped`);

if (jsonOut) {
  mkdirSync(dirname(jsonOut), { recursive: true });
  const versions = Object.fromEntries(["casbin", "jose", "@cedar-policy/cedar-wasm"].map((n) => [n, version(n)]));
  writeFileSync(jsonOut, JSON.stringify({ runtime: `Node ${process.version}`, versions, smoke, rows, sizes }, null, 2) + "\n");
  console.log(`wrote ${jsonOut}`);
}
