// permiso (wasm) next to jose and casbin in one Node process. Before timing,
// every input is checked to get the same answer from permiso and the peer.
//
//   node wasm/bench/bench.mjs            writes wasm/bench/REPORT.md
//   node wasm/bench/bench.mjs --smoke    a few iterations, no report (tests)
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";

import { newEnforcer, newModelFromString, StringAdapter } from "casbin";
import * as jose from "jose";
import { Policy, SigningKey } from "permiso";

const smoke = process.argv.includes("--smoke");
const root = new URL("../../", import.meta.url);
const read = (p) => readFileSync(new URL(p, root), "utf8");

function time(fn, minMs = smoke ? 5 : 400) {
  for (let i = 0; i < (smoke ? 10 : 2000); i++) fn();
  let n = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  do {
    for (let i = 0; i < 200; i++) fn();
    n += 200;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < BigInt(minMs) * 1_000_000n);
  return Number(elapsed) / n; // ns per op
}

async function timeAsync(fn, minMs = smoke ? 5 : 400) {
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
const row = (what, permisoNs, peer, peerNs) => {
  rows.push({ what, permisoNs, peer, peerNs });
  console.log(`${what}: permiso ${(permisoNs / 1000).toFixed(2)} us, ${peer} ${(peerNs / 1000).toFixed(2)} us, ratio ${(peerNs / permisoNs).toFixed(1)}x`);
};

// ---- RBAC: authorize vs casbin enforce on the same roles -------------------
const policy = Policy.fromYAML(read("examples/policy.yaml"));
const roles = {
  viewer: { permissions: ["deployments:read", "audit:read"] },
  operator: { inherits: ["viewer"], permissions: ["deployments:write", "endpoints:run", "flags:evaluate"] },
  admin: { permissions: policy.permissions },
};
const model = newModelFromString(`
[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act
`);
const lines = [];
for (const [role, def] of Object.entries(roles)) {
  for (const perm of def.permissions) {
    const [obj, act] = perm.split(":");
    lines.push(`p, ${role}, ${obj}, ${act}`);
  }
  for (const parent of def.inherits ?? []) lines.push(`g, ${role}, ${parent}`);
}
const users = { "user:v": "viewer", "user:o": "operator", "user:a": "admin" };
for (const [user, role] of Object.entries(users)) lines.push(`g, ${user}, ${role}`);
const enforcer = await newEnforcer(model, new StringAdapter(lines.join("\n")));
const identities = Object.fromEntries(
  Object.entries(users).map(([user, role]) => [user, policy.identity({ principal: { id: user, roles: [role] } })]),
);
const inputs = [];
for (const user of Object.keys(users)) for (const perm of policy.permissions) inputs.push([user, perm]);
for (const [user, perm] of inputs) {
  const [obj, act] = perm.split(":");
  const expected = await enforcer.enforce(user, obj, act);
  assert.equal(policy.authorize(identities[user], perm).allowed, expected, `${user} ${perm}`);
  assert.equal(policy.isAllowed(identities[user], perm), expected, `${user} ${perm}`);
}
console.log(`equivalence: ${inputs.length} RBAC inputs, same answers`);
let k = 0;
const casbinEnforce = time(() => {
  const [user, perm] = inputs[k++ % inputs.length];
  const i = perm.indexOf(":");
  enforcer.enforceSync(user, perm.slice(0, i), perm.slice(i + 1));
});
k = 0;
const permisoCheck = time(() => {
  const [user, perm] = inputs[k++ % inputs.length];
  policy.isAllowed(identities[user], perm);
});
k = 0;
const permisoAuthorize = time(() => {
  const [user, perm] = inputs[k++ % inputs.length];
  policy.authorize(identities[user], perm);
});
row("RBAC check, yes/no (`isAllowed`)", permisoCheck, "casbin enforceSync", casbinEnforce);
row("RBAC authorize, full decision with audit record", permisoAuthorize, "casbin enforceSync (yes/no only)", casbinEnforce);

// ---- JWT: verifyJWT vs jose.jwtVerify ---------------------------------------
const tokens = JSON.parse(read("tests/vectors/tokens.json"));
const tokenPolicy = Policy.fromObject(tokens.policy);
const hmac = JSON.parse(read("tools/vectors/keys/hmac.json"));
const secret = jose.base64url.decode(hmac.hs32);
const now = Math.floor(Date.now() / 1000);
const ecJwk = tokens.policy.credentials.session.jwks.keys.find((k) => k.kid === "ec256");
const cases = [
  ["HS256", SigningKey.hmac("HS256", secret, "hs32"), secret],
  ["ES256", SigningKey.fromPEM("ES256", read("tools/vectors/keys/ec256.pem"), "ec256"), await jose.importJWK({ ...ecJwk, alg: "ES256" }, "ES256")],
];
for (const [alg, signing, joseKey] of cases) {
  const token = tokenPolicy.issueSession("session", { subject: "alice", scopes: ["deployments:read"], roles: ["viewer"], lifetime: 600 }, signing, now);
  const options = { issuer: "https://id.example.com", audience: "admin-api", algorithms: [alg] };
  const ours = tokenPolicy.verifyJWT(token, { now }).toJSON();
  const theirs = await jose.jwtVerify(token, joseKey, options);
  assert.equal(ours.principal, `user:${theirs.payload.sub}`);
  await assert.rejects(jose.jwtVerify(token + "x", joseKey, options));
  assert.throws(() => tokenPolicy.verifyJWT(token + "x", { now }));
  const p = time(() => tokenPolicy.verifyJWT(token, { now }), smoke ? 5 : alg === "ES256" ? 1500 : 400);
  const j = await timeAsync(() => jose.jwtVerify(token, joseKey, options));
  row(`JWT verify ${alg}`, p, "jose jwtVerify (WebCrypto)", j);
  if (alg === "ES256") {
    assert.equal((await tokenPolicy.verifyJWTAsync(token, { now })).principal, ours.principal);
    const a = await timeAsync(() => tokenPolicy.verifyJWTAsync(token, { now }));
    row(`JWT verify ${alg}, \`verifyJWTAsync\` (WebCrypto signature, core rules)`, a, "jose jwtVerify (WebCrypto)", j);
  }
}

if (!smoke) {
  const wasm = readFileSync(new URL("wasm/pkg/permiso_bg.wasm", root));
  const { gzipSync } = await import("node:zlib");
  const lines = [
    "# permiso (npm, WebAssembly) next to its peers",
    "",
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus()[0]?.model ?? "unknown CPU"} (${os.cpus().length} cores), Node ${process.version}, by \`node wasm/bench/bench.mjs\`.`,
    "Every input is first checked to get the same answer from both sides. Ratio = peer time / permiso time (above 1: permiso is faster).",
    "",
    "| operation | peer | ratio |",
    "|---|---|---|",
    ...rows.map((r) => `| ${r.what} | ${r.peer} | ${(r.peerNs / r.permisoNs).toFixed(1)}x |`),
    "",
    `\`permiso_bg.wasm\`: ${(wasm.length / 1024).toFixed(0)} KB, ${(gzipSync(wasm, { level: 9 }).length / 1024).toFixed(0)} KB gzipped.`,
    "",
    "Notes: permiso's verify is synchronous and checks every claim rule of the policy; jose's is asynchronous",
    "and uses the runtime's WebCrypto. ES256 in pure-Rust crypto inside wasm is slow; `verifyJWTAsync` hands",
    "the signature of public-key tokens to WebCrypto while the core keeps every other rule.",
    "",
  ];
  writeFileSync(new URL("REPORT.md", import.meta.url), lines.join("\n"));
  console.log("wrote wasm/bench/REPORT.md");
}
