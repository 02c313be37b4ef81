// The npm package's API in Node: keys, identities, requests, tokens, errors.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { test } from "node:test";

import * as permiso from "permiso";
import { codes, Decision, hashKey, JwksRefresh, operations, PermisoError, Policy, SigningKey, version } from "permiso";

const root = new URL("../../", import.meta.url);
const read = (p) => readFileSync(new URL(p, root), "utf8");
const NOW = 1767225600;
const policy = Policy.fromYAML(read("examples/policy.yaml"));
const tokens = JSON.parse(read("tests/vectors/tokens.json"));
const tokenPolicy = Policy.fromObject(tokens.policy);
const b64 = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (s.length % 4)) % 4)), (c) => c.charCodeAt(0));

test("one policy in three formats has one hash", () => {
  const doc = { version: 1, permissions: ["a:b", "a:c"], roles: { r: { permissions: ["a:*"] } } };
  const hashes = new Set([
    Policy.fromObject(doc).hash,
    Policy.fromJSON(JSON.stringify(doc)).hash,
    Policy.fromYAML("version: 1\npermissions: [a:b, a:c]\nroles: {r: {permissions: ['a:*']}}\n").hash,
    Policy.fromTOML('version = 1\npermissions = ["a:b", "a:c"]\n[roles.r]\npermissions = ["a:*"]\n').hash,
  ]);
  assert.equal(hashes.size, 1);
  assert.match(policy.hash, /^sha256:[0-9a-f]{64}$/);
  assert.deepEqual(policy.credentialKinds.sort(), ["personal_key", "project_key", "session"]);
});

test("keys: generate, verify, identity, rotate", () => {
  const { key, record } = policy.generateKey("project_key", "project:p1", { scopes: ["endpoints:run"], expiresAt: NOW + 1000, now: NOW });
  assert.ok(key.startsWith("pmo_psk_"));
  assert.ok(!JSON.stringify(record).includes(key));
  assert.equal(hashKey(key), record.hash);
  assert.equal(policy.parseKey(key).kind, "project_key");
  const verified = policy.verifyKey(key, record, { now: NOW });
  assert.equal(verified.principal, `key:${record.id}`);
  const identity = verified.identity({ id: "project:p1", tenant: "project:p1" });
  assert.equal(policy.authorize(identity, "endpoints:run", "endpoint:x", "project:p1", NOW).allowed, true);
  const rotation = policy.rotateKey(record, { grace: 60, now: NOW + 10 });
  assert.equal(rotation.old.expires_at, NOW + 70);
  assert.equal(rotation.key.record.rolled_from, record.id);
  assert.throws(() => policy.verifyKey(key, record, { now: NOW + 1000 }), (e) => e instanceof PermisoError && e.code === "expired");
  // An option given as null is absent; a list option is still a list; an unknown option is refused by name.
  assert.equal(policy.verifyKey(key, record, { now: NOW, pepper: null }).principal, `key:${record.id}`);
  assert.throws(() => policy.verifyKey(key, record, { now: null }), (e) => e.code === "expired"); // the clock's now, as with {}
  assert.throws(() => policy.verifyKey(key, record, { now: NOW, revokedKeys: "x" }), (e) => e.code === "invalid_argument" && /revoked_keys/.test(e.message));
  assert.throws(() => policy.verifyKey(key, record, { now: NOW, revokedKey: [] }), (e) => e.code === "invalid_argument" && /revoked_key\b/.test(e.message));
  // An option given as undefined is absent too; options that are not an object of JSON values are refused.
  assert.equal(policy.verifyKey(key, record, { now: NOW, revokedKeys: undefined }).principal, `key:${record.id}`);
  for (const bad of [[], "x", 7, { now: 10n }]) {
    assert.throws(() => policy.verifyKey(key, record, bad), (e) => e instanceof PermisoError && e.code === "invalid_argument", String(bad));
  }
  // Host data's lists are read apart: a bad key record is named by its place, not as an option.
  const badKeys = { keys: [{ id: 1 }], now: NOW };
  assert.throws(() => policy.authorizeRequest({ method: "GET", path: "/", headers: {} }, badKeys), (e) => e.code === "invalid_key_record");
  const peppered = policy.generateKey("personal_key", "user:alice", { pepper: new TextEncoder().encode("pepper"), now: NOW });
  assert.equal(policy.verifyKey(peppered.key, peppered.record, { pepper: "pepper", now: NOW }).principal, "user:alice");
  // Options of an operation without a pepper refuse one, like any option they do not have.
  assert.throws(() => tokenPolicy.verifyJWT("a.b.c", { pepper: "pepper" }), (e) => e.code === "invalid_argument" && /pepper/.test(e.message));
});

test("identities are resolved once and reused; a decision converts what is read", () => {
  const alice = policy.identity({ principal: { id: "user:alice", roles: ["viewer"], grants: [{ resource: "deployment:web", level: "write" }] } });
  assert.equal(alice.principal, "user:alice");
  assert.equal(policy.authorize(alice, "deployments:write", "deployment:web").allowed, true);
  assert.equal(policy.isAllowed(alice, "deployments:write", "deployment:web"), true);
  assert.equal(policy.isAllowed(alice, "deployments:write", "deployment:api"), false);
  const d = policy.authorize(alice, "deployments:write", "deployment:api");
  assert.deepEqual([d.allowed, d.code, d.status, d.missing], [false, "missing_permission", 403, ["deployments:write"]]);
  assert.equal(d.audit.actor.principal, "user:alice");
  assert.ok(Math.abs(d.audit.time - Date.now() / 1000) < 5, "now defaults to Date.now()");
  const record = d.toJSON();
  assert.deepEqual(JSON.parse(JSON.stringify(d)), record);
  assert.deepEqual(Object.keys(record), ["allowed", "ok", "code", "status", "message", "principal", "action", "resource", "tenant", "route", "missing", "credential", "audit"]);
  for (const [name, value] of Object.entries(record)) assert.deepEqual(d[name], value, name);
  assert.equal(JSON.parse(d.auditJSON()).decision_id, record.audit.decision_id);
  assert.ok(d instanceof Decision);
  assert.match(inspect(d), /missing_permission/);
});

test("a decision made with an Identity answers at once and makes its record, at the call's time, when read", (t) => {
  const alice = policy.identity({ principal: { id: "user:alice", roles: ["viewer"] } });
  t.mock.method(Date, "now", () => NOW * 1000);
  const denied = policy.authorize(alice, "deployments:write", "deployment:api");
  const allowed = policy.authorize(alice, "deployments:read", "deployment:api", null);
  Date.now.mock.mockImplementation(() => (NOW + 3600) * 1000);
  assert.deepEqual([denied.allowed, denied.ok, denied.code, denied.status], [false, false, "missing_permission", 403]);
  assert.deepEqual([allowed.allowed, allowed.ok, allowed.code, allowed.status], [true, true, "allowed", 200]);
  assert.equal(denied.audit.time, NOW, "the decision's time is the call's, not the first read's");
  assert.deepEqual(denied.missing, ["deployments:write"]);
  assert.match(denied.message, /deployments:write/);
  assert.ok(denied instanceof Decision);
  assert.match(inspect(denied), /missing_permission/);
  // One record, made once: the id does not change between reads.
  assert.equal(denied.audit.decision_id, denied.toJSON().audit.decision_id);
  assert.notEqual(denied.audit.decision_id, allowed.audit.decision_id);
  // Bad arguments are refused at the call, not at the first read.
  assert.throws(() => policy.authorize(alice, 42, "deployment:api"), (e) => e instanceof PermisoError && e.code === "invalid_argument");
  assert.throws(() => policy.authorize(alice, "deployments:read", "deployment:api", 7), (e) => e.code === "invalid_argument");
  assert.throws(() => policy.authorize(alice, "deployments:read", null, null, Date.now()), (e) => e.code === "invalid_argument");
});

test("a decision made with an Identity borrows it: its record is read before the Identity or the decision is freed", () => {
  const bob = policy.identity({ principal: { id: "user:bob", roles: ["viewer"] } });
  const read = policy.authorize(bob, "deployments:write", "deployment:api");
  const unread = policy.authorize(bob, "deployments:write", "deployment:api");
  assert.equal(read.message.length > 0, true);
  bob.free();
  assert.equal(read.audit.actor.principal, "user:bob", "a record already made outlives the identity");
  assert.equal(unread.code, "missing_permission");
  assert.throws(() => unread.audit, (e) => e instanceof PermisoError && e.code === "invalid_argument" && /freed/.test(e.message));
  read.free();
  assert.throws(() => read.message, (e) => e instanceof PermisoError && /freed/.test(e.message));
  const carol = policy.identity({ principal: { id: "user:carol", roles: ["viewer"] } });
  const disposed = policy.authorize(carol, "deployments:read");
  assert.equal(disposed.principal, "user:carol");
  disposed[Symbol.dispose]();
  assert.throws(() => disposed.principal, (e) => e instanceof PermisoError && /freed/.test(e.message));
});

test("authorizeRequest takes a Request, a Headers, pairs or an object", () => {
  const { key, record } = policy.generateKey("project_key", "project:p1", { now: NOW });
  const host = { keys: [record], principals: [{ id: "project:p1", tenant: "project:p1" }], now: NOW };
  const url = "https://api.example.com/api/projects/p1/endpoints/nightly/run?x=1";
  const viaRequest = policy.authorizeRequest(new Request(url, { method: "POST", headers: { "X-API-Key": key } }), host);
  assert.equal(viaRequest.allowed, true, viaRequest.message);
  assert.equal(viaRequest.route, "POST /api/projects/{project}/endpoints/{name}/run");
  const viaPairs = policy.authorizeRequest({ method: "POST", path: "/api/projects/p1/endpoints/nightly/run", headers: [["authorization", `Bearer ${key}`]] }, host);
  assert.equal(viaPairs.allowed, true);
  const refused = policy.authorizeRequest({ method: "PUT", path: "/api/projects/p1/endpoints/nightly", headers: new Headers({ authorization: `Bearer ${key}` }) }, host);
  assert.equal(refused.code, "credential_kind_not_allowed");
  assert.equal(refused.message, "project_key credentials are not accepted for PUT /api/projects/{project}/endpoints/{name}");
  const found = policy.classify(new Request(url, { method: "POST", headers: { authorization: `Bearer ${key}` } }));
  assert.deepEqual(found.credential, { type: "api_key", kind: "project_key", id: record.id });
  assert.equal(found.route.tenant, "project:p1");
  const dotted = policy.authorizeRequest({ method: "GET", url: "https://x/api/deployments/../audit", headers: {} }, host);
  assert.equal(dotted.code, "no_route", "the URL path is not normalised before the core sees it");
  const twice = policy.authorizeRequest(new Request("https://x/api/audit", { headers: [["authorization", "Bearer a.b.c"], ["authorization", "Bearer d.e.f"]] }), host);
  assert.equal(twice.code, "unrecognized_credential");
});

test("a verified token's claims are every claim of its payload", () => {
  for (const name of ["claims the rules do not read may hold any JSON", "a repeated claim: the last one counts"]) {
    const { token } = tokens.cases.find((c) => c.name === name);
    const expected = JSON.parse(new TextDecoder().decode(b64(token.split(".")[1])));
    const claims = tokenPolicy.verifyJWT(token, { now: tokens.now }).claims;
    assert.deepEqual(claims, expected, name);
    assert.equal(claims.sub, "alice", name);
  }
});

test("tokens: issue, verify, delegate, rotate keys", () => {
  const secrets = JSON.parse(read("tools/vectors/keys/hmac.json"));
  const hs = SigningKey.hmac("HS512", b64(secrets.hs64), "hs64");
  const ed = SigningKey.fromPEM("EdDSA", read("tools/vectors/keys/ed25519.pem"), "ed");
  const es = SigningKey.fromPEM("ES256", read("tools/vectors/keys/ec256.pem"), "ec256");
  const rs = SigningKey.fromPEM("PS256", read("tools/vectors/keys/rsa.pem"), "rsa");
  for (const key of [hs, ed, es, rs]) {
    const token = tokenPolicy.issueSession("session", { subject: "alice", roles: ["viewer"], session: "s1", lifetime: 600 }, key, NOW);
    const v = tokenPolicy.verifyJWT(token, { now: NOW });
    assert.equal(v.principal, "user:alice");
    assert.equal(v.toJSON().algorithm, key.algorithm);
    assert.throws(() => tokenPolicy.verifyJWT(token, { now: NOW, revokedSessions: ["s1"] }), (e) => e.code === "session_revoked");
  }
  const token = tokenPolicy.issueSession("session", { subject: "alice", roles: ["viewer"] }, hs, NOW);
  const alice = tokenPolicy.verifyJWT(token, { now: NOW }).identity(null);
  const delegated = tokenPolicy.delegate("session", alice, { actor: "mobile-app", scopes: ["deployments:read"] }, hs, NOW);
  assert.deepEqual(tokenPolicy.verifyJWT(delegated, { now: NOW }).toJSON().actor_chain, ["mobile-app"]);
  assert.throws(() => tokenPolicy.delegate("session", alice, { actor: "m", scopes: ["deployments:write"] }, hs, NOW), (e) => e.code === "scope_escalation");
  const record = alice.toJSON();
  assert.equal(tokenPolicy.delegate("session", record, { actor: "m", scopes: ["deployments:read"] }, hs, NOW).split(".").length, 3);
  // A runtime key set holds public keys only; the policy's HMAC secrets stay.
  const jwks = tokens.policy.credentials.session.jwks;
  const publicKeys = { keys: jwks.keys.filter((k) => k.kty !== "oct") };
  assert.throws(() => tokenPolicy.setJWKS("session", jwks), (e) => e.detail === "invalid_jwk" && /public keys only/.test(e.message));
  const edKey = SigningKey.fromPEM("EdDSA", read("tools/vectors/keys/ed25519.pem"), "ed");
  const edToken = tokenPolicy.issueSession("session", { subject: "alice" }, edKey, NOW);
  tokenPolicy.setJWKS("session", { keys: publicKeys.keys.filter((k) => k.kid !== "ed") });
  assert.throws(() => tokenPolicy.verifyJWT(edToken, { now: NOW }), (e) => e.code === "unknown_key");
  assert.equal(tokenPolicy.verifyJWT(token, { now: NOW }).principal, "user:alice");
  assert.throws(() => tokenPolicy.setJWKS("session", { keys: [{ kty: "oct", k: "c2hvcnQ" }] }), (e) => e.code === "invalid_policy" && e.detail === "invalid_jwk");
  assert.throws(() => tokenPolicy.setSecrets("session", publicKeys), (e) => e.detail === "invalid_jwk");
  tokenPolicy.setJWKS("session", publicKeys);
  assert.equal(tokenPolicy.verifyJWT(edToken, { now: NOW }).principal, "user:alice");
  const refresh = new JwksRefresh(300, 30);
  refresh.succeeded(100);
  assert.deepEqual([refresh.due(399), refresh.due(400), refresh.onUnknownKid(110), refresh.onUnknownKid(130)], [false, true, false, true]);
});

test("wrong types throw PermisoError with a code and the instance keeps working", () => {
  const wrong = [
    () => Policy.fromJSON(42),
    () => Policy.fromYAML(undefined),
    () => policy.authorize({ principal: { id: "user:1" } }, 42),
    () => policy.authorize({ principal: { id: 5 } }, "audit:read"),
    () => policy.authorize(null, "audit:read"),
    () => policy.authorizeRequest({ method: "GET", path: "/api/audit" }, {}),
    () => policy.authorizeRequest({ method: "GET", path: "/api/audit", headers: undefined }, {}),
    () => policy.authorizeRequest({ method: 7, path: "/api/audit", headers: {} }, {}),
    () => policy.authorizeRequest({ method: "GET", path: "/api/audit", headers: { authorization: 5 } }, {}),
    () => policy.authorizeRequest({ method: "GET", path: "/api/audit", headers: {} }, { keys: [{ id: 1 }] }),
    () => policy.authorizeRequest({ method: "GET", path: "/api/audit", headers: {} }, { now: "soon" }),
    () => policy.authorizeRequest("GET /api/audit", {}),
    () => policy.generateKey("personal_key", 5),
    () => policy.generateKey("personal_key", "user:1", { pepper: 3 }),
    () => policy.verifyKey("k", null),
    () => policy.verifyJWT(123),
    () => policy.verifyJWT("a.b.c", { revokedSessions: "s1" }),
    () => hashKey("nope"),
    () => SigningKey.hmac("HS256", "not bytes"),
    () => SigningKey.fromPEM("RS256", 12),
    () => policy.setJWKS("session", 7),
  ];
  for (const call of wrong) {
    assert.throws(call, (e) => e instanceof PermisoError && typeof e.code === "string" && codes().includes(e.code), String(call));
    assert.equal(policy.authorize({ principal: { id: "user:1", roles: ["admin"] } }, "audit:read").allowed, true);
  }
  assert.throws(() => Policy.fromYAML("version: 1\nroles:\n  a: {inherits: [b]}\n"), (e) => e.code === "invalid_policy" && e.detail === "unknown_role" && e.path === "roles.a.inherits[0]" && e.issues.length === 1);
});

test("hostile input never traps", () => {
  for (const w of ["", "\u0000", "é", "a".repeat(70000), "Bearer " + "A".repeat(40000), "../../etc", "%2F%2e%2e", "\ud800"]) {
    const d = policy.authorizeRequest({ method: "GET", path: "/api/deployments/" + w, headers: { authorization: w, "x-api-key": w } }, { now: NOW });
    assert.equal(d.allowed, false);
    assert.throws(() => policy.verifyJWT(w, { now: NOW }), PermisoError);
  }
  assert.equal(policy.authorize({ principal: { id: "user:1", roles: ["admin"] } }, "audit:read").allowed, true);
});

test("verifyJWTAsync (the runtime's own signature check) agrees with verifyJWT on every token vector", async () => {
  const outcome = async (fn) => {
    try {
      return (await fn()).toJSON();
    } catch (e) {
      assert.ok(e instanceof PermisoError, String(e));
      return { code: e.code };
    }
  };
  let compared = 0;
  for (const c of tokens.cases) {
    const options = { revokedSessions: c.revoked_sessions, kind: c.kind, now: c.now ?? tokens.now };
    const sync = await outcome(() => tokenPolicy.verifyJWT(c.token, options));
    const viaRuntime = await outcome(() => tokenPolicy.verifyJWTAsync(c.token, options));
    assert.deepEqual(viaRuntime, sync, c.name);
    compared++;
  }
  assert.equal(compared, tokens.cases.length);
});

test("the token cache remembers signatures only: expiry and revocation still refuse a cached token", async () => {
  const tp = Policy.fromObject(tokens.policy);
  const es = SigningKey.fromPEM("ES256", read("tools/vectors/keys/ec256.pem"), "ec256");
  const token = tp.issueSession("session", { subject: "alice", session: "s1" }, es, NOW);
  assert.equal(tp.cachedTokens(), 0);
  tp.cacheTokens(4);
  const first = tp.verifyJWT(token, { now: NOW }).toJSON();
  assert.equal(tp.cachedTokens(), 1);
  assert.deepEqual((await tp.verifyJWTAsync(token, { now: NOW })).toJSON(), first);
  assert.equal(tp.beginJWT(token).publicJwk, null, "a known signature is not handed to WebCrypto");
  assert.equal(tp.beginJWT(token).keyThumbprint, null);
  assert.throws(() => tp.verifyJWT(token, { now: NOW + 100_000 }), (e) => e.code === "expired");
  await assert.rejects(tp.verifyJWTAsync(token, { now: NOW, revokedSessions: ["s1"] }), (e) => e.code === "session_revoked");
  for (const bad of [-1, 1.5, "8", 10_000_000]) {
    assert.throws(() => tp.cacheTokens(bad), (e) => e instanceof PermisoError && e.code === "invalid_argument", String(bad));
  }
  const publicKeys = { keys: tokens.policy.credentials.session.jwks.keys.filter((k) => k.kty !== "oct" && k.kid !== "ec256") };
  tp.setJWKS("session", publicKeys);
  assert.equal(tp.cachedTokens(), 0);
  assert.throws(() => tp.verifyJWT(token, { now: NOW }), (e) => e.code === "unknown_key");
});

test("authorizeRequestAsync and authorizeRouteAsync decide every request and route vector as their sync forms do", async () => {
  const same = (d) => {
    const { audit, ...rest } = d.toJSON();
    return { ...rest, audit: { ...audit, decision_id: null } };
  };
  const compared = { authorize_request: 0, authorize_route: 0 };
  const forms = {
    authorize_request: [(c) => c.request, "authorizeRequest", "authorizeRequestAsync"],
    authorize_route: [(c) => ({ ...c.route, headers: c.headers }), "authorizeRoute", "authorizeRouteAsync"],
  };
  for (const name of ["requests.json", "lifecycle.json", "rules.json", "routes.json"]) {
    const doc = JSON.parse(read(`tests/vectors/${name}`));
    const p = Policy.fromObject(doc.policy);
    for (const c of doc.cases.filter((c) => c.op in forms)) {
      const [input, sync, async] = forms[c.op];
      const host = {
        keys: c.keys, principals: c.principals, resources: c.resources, revokedKeys: c.revoked_keys,
        revokedSessions: c.revoked_sessions, pepper: c.pepper, now: c.now ?? doc.now,
      };
      let expected;
      try {
        expected = same(p[sync](input(c), host));
      } catch (e) {
        await assert.rejects(p[async](input(c), host), (f) => f.code === e.code, c.name);
        compared[c.op]++;
        continue;
      }
      assert.deepEqual(same(await p[async](input(c), host)), expected, c.name);
      compared[c.op]++;
    }
  }
  assert.ok(compared.authorize_request >= 70 && compared.authorize_route >= 20, JSON.stringify(compared));
  // A public-key token: its signature is WebCrypto's verdict, everything else the core's.
  const routes = [{ method: "GET", path: "/api/deployments/{deployment}", permission: "deployments:read", resource: "deployment:{deployment}" }];
  const es = SigningKey.fromPEM("ES256", read("tools/vectors/keys/ec256.pem"), "ec256");
  const asRequest = (t) => ({ method: "GET", path: "/api/deployments/web", headers: { authorization: `Bearer ${t}` } });
  const asRoute = (t) => ({ method: "GET", template: "/api/deployments/{deployment}", params: { deployment: "web" }, headers: { authorization: `Bearer ${t}` } });
  for (const [request, sync, async] of [[asRequest, "authorizeRequest", "authorizeRequestAsync"], [asRoute, "authorizeRoute", "authorizeRouteAsync"]]) {
    const p = Policy.fromObject({ ...tokens.policy, routes });
    const token = p.issueSession("session", { subject: "alice", roles: ["viewer"], session: "s1" }, es, NOW);
    assert.ok(p.beginRequest(request(token)).publicJwk, `${async}: an ES256 token is staged for WebCrypto`);
    assert.equal(p.beginRequest({ method: "GET", path: "/", headers: {} }), undefined);
    assert.equal(p.beginRequest({ method: "GET", template: "/" }), undefined, "a route request without headers presents nothing");
    const decision = await p[async](request(token), { now: NOW });
    assert.equal(decision.allowed, true, async);
    assert.equal(decision.resource, "deployment:web", async);
    const signed = token.slice(0, token.lastIndexOf("."));
    const forged = `${signed}.${"A".repeat(86)}`;
    assert.equal((await p[async](request(forged), { now: NOW })).code, "bad_signature");
    assert.equal((await p[async](request(token), { now: NOW + 100_000 })).code, "expired");
    assert.equal((await p[async](request(token), { now: NOW, revokedSessions: ["s1"] })).code, "session_revoked");
    p.cacheTokens(8);
    assert.equal((await p[async](request(token), { now: NOW })).allowed, true);
    assert.equal(p.cachedTokens(), 1, "a WebCrypto verdict is remembered");
    assert.equal(p[sync](request(token), { now: NOW }).allowed, true);
    assert.equal(p[sync](request(token), { now: NOW, revokedSessions: ["s1"] }).code, "session_revoked");
    assert.equal((await p[async](request(forged), { now: NOW })).code, "bad_signature");
  }
});

test("a string never stands for a list in a record", () => {
  const { key, record } = policy.generateKey("personal_key", "user:alice", { now: NOW });
  assert.throws(() => policy.verifyKey(key, { ...record, scopes: "deployments:*" }, { now: NOW }), (e) => e.code === "invalid_key_record");
  for (const field of ["roles", "allow", "deny", "grants"]) {
    assert.throws(() => policy.identity({ principal: { id: "user:alice", [field]: "admin" } }), (e) => e.code === "invalid_principal", field);
  }
});

test("times are unix seconds: Date.now() is refused, fractions are floored", () => {
  const alice = policy.identity({ principal: { id: "user:alice", roles: ["viewer"] } });
  assert.equal(policy.authorize(alice, "deployments:read", null, null, Date.now() / 1000).allowed, true);
  assert.equal(policy.authorize(alice, "deployments:read", null, null, NOW + 0.9).audit.time, NOW);
  assert.throws(() => policy.authorize(alice, "deployments:read", null, null, Date.now()), (e) => e.code === "invalid_argument" && /milliseconds/.test(e.message));
  assert.throws(() => policy.generateKey("personal_key", "user:alice", { expiresAt: Date.now() + 3_600_000 }), (e) => e.code === "invalid_argument");
});

test("authorizeRoute: the route the framework matched, not the path", () => {
  const { key, record } = policy.generateKey("personal_key", "user:bob", { now: NOW });
  const host = { keys: [record], principals: JSON.parse(read("examples/host-data.json")).principals, now: NOW };
  const headers = { authorization: `Bearer ${key}` };
  let d = policy.authorizeRoute({ method: "GET", template: "/api/deployments/{deployment}", params: { deployment: "web" }, headers }, host);
  assert.equal(d.allowed, true);
  assert.equal(d.resource, "deployment:web");
  d = policy.authorizeRoute({ method: "GET", template: "/api/deployments/current", headers }, host);
  assert.equal(d.code, "missing_permission");
  d = policy.authorizeRequest({ method: "GET", path: "/api/deployments/%63urrent", headers }, host);
  assert.equal(d.code, "no_route");
  assert.throws(() => policy.authorizeRoute({ method: "GET", template: "/x", params: ["a"] }, host), (e) => e.code === "invalid_argument");
});

test("YAML aliases count towards the nesting limit", () => {
  let doc = `a0: &a0 ${"[".repeat(10)}x${"]".repeat(10)}\n`;
  for (let i = 1; i < 20; i++) doc += `a${i}: &a${i} ${"[".repeat(10)}*a${i - 1}${"]".repeat(10)}\n`;
  assert.throws(() => Policy.fromYAML(doc), (e) => e.code === "invalid_policy" && /through an alias/.test(e.message));
});

test("a pending token names its key by the RFC 7638 thumbprint jose computes", async () => {
  const { calculateJwkThumbprint } = await import("jose");
  for (const [alg, file, kid] of [["ES256", "ec256.pem", "ec256"], ["RS256", "rsa.pem", "rsa"], ["EdDSA", "ed25519.pem", "ed"]]) {
    const key = SigningKey.fromPEM(alg, read(`tools/vectors/keys/${file}`), kid);
    const pending = tokenPolicy.beginJWT(tokenPolicy.issueSession("session", { subject: "alice" }, key, NOW), { now: NOW });
    assert.equal(pending.keyThumbprint, await calculateJwkThumbprint(pending.publicJwk, "sha256"), alg);
  }
  const hs = SigningKey.hmac("HS256", b64(tokens.policy.credentials.session.jwks.keys.find((k) => k.kid === "hs32").k), "hs32");
  const hmac = tokenPolicy.beginJWT(tokenPolicy.issueSession("session", { subject: "alice" }, hs, NOW), { now: NOW });
  assert.equal(hmac.keyThumbprint, null, "a secret is never handed out, nor named");
});

test("a pending token completes only with the policy that began it", () => {
  const hs = SigningKey.hmac("HS256", b64(tokens.policy.credentials.session.jwks.keys.find((k) => k.kid === "hs32").k), "hs32");
  const token = tokenPolicy.issueSession("session", { subject: "alice" }, hs, NOW);
  const other = Policy.fromObject(tokens.policy);
  const pending = tokenPolicy.beginJWT(token, { now: NOW });
  assert.throws(() => other.completeJWT(pending, undefined, { now: NOW }), (e) => e.code === "invalid_argument");
});

// snake_case to camelCase; the words JWT, JSON, YAML, TOML and JWKS are
// capitals after the first word (verifyJWT, fromJSON, setJWKS, jwksKids).
const ACRONYMS = new Set(["jwt", "json", "yaml", "toml", "jwks"]);
const camel = (name) =>
  name
    .split("_")
    .map((w, i) => (i === 0 ? w : ACRONYMS.has(w) ? w.toUpperCase() : w[0].toUpperCase() + w.slice(1)))
    .join("");

test("the package exposes every operation of the core", () => {
  const ops = operations();
  assert.ok(ops.length >= 20 && ops.includes("authorize_route"), String(ops));
  const missing = ops.map(camel).filter((name) => !(name in Policy.prototype) && !(name in Policy) && !(name in permiso));
  assert.deepEqual(missing, []);
  assert.match(version(), /^\d+\.\d+\.\d+/);
});

test("defaults come from the core: session 900 s, delegation 300 s, rotation grace a day", () => {
  const hs = SigningKey.hmac("HS256", b64(tokens.policy.credentials.session.jwks.keys.find((k) => k.kid === "hs32").k), "hs32");
  const session = tokenPolicy.issueSession("session", { subject: "alice", roles: ["viewer"] }, hs, NOW);
  const verified = tokenPolicy.verifyJWT(session, { now: NOW });
  assert.equal(verified.toJSON().expires_at, NOW + 900);
  const delegated = tokenPolicy.delegate("session", verified.identity(), { actor: "app", scopes: ["deployments:read"] }, hs, NOW);
  assert.equal(tokenPolicy.verifyJWT(delegated, { now: NOW }).toJSON().expires_at, NOW + 300);
  const generated = policy.generateKey("personal_key", "user:alice", { now: NOW });
  assert.equal(policy.rotateKey(generated.record, { now: NOW }).old.expires_at, NOW + 86400);
  assert.throws(() => policy.rotateKey(generated.record, { now: NOW, graceSeconds: 1 }), (e) => e.code === "invalid_argument" && /grace/.test(e.message));
});

test("rules: an owner edits their record, a department views; search equals evaluation", () => {
  const rules = Policy.fromObject({
    version: 1,
    permissions: ["record:view", "record:edit"],
    rules: [
      { permissions: ["record:view", "record:edit"], when: { "resource.owner": "principal.id" } },
      { permissions: ["record:view"], when: { "resource.department": "principal.department" } },
    ],
  });
  const alice = { id: "user:alice", attributes: { department: "Sales" } };
  const records = [
    { id: "record:1", attributes: { owner: "alice", department: "Ops" } },
    { id: "record:2", attributes: { owner: "bob", department: "Sales" } },
    { id: "record:3", attributes: { owner: "bob", department: "Ops" } },
  ];
  const identity = rules.identity({ principal: alice });
  assert.equal(rules.authorize(identity, "record:edit", records[0], null, NOW).allowed, true);
  assert.equal(rules.authorize(identity, "record:edit", records[1], null, NOW).code, "missing_permission");
  assert.equal(rules.isAllowed(identity, "record:view", records[1]), true);
  assert.equal(rules.isAllowed(identity, "record:edit", "record:1"), false, "no attributes, no rule");

  const host = { principals: [alice], resources: records, now: NOW };
  const found = rules.searchResources({ subject: { type: "user", id: "alice" }, action: { name: "view" }, resource: { type: "record" } }, host);
  assert.deepEqual(found.results.map((r) => r.id), ["1", "2"]);
  for (const r of records) {
    const id = r.id.split(":")[1];
    const one = rules.accessEvaluation({ subject: { type: "user", id: "alice" }, action: { name: "view" }, resource: { type: "record", id } }, host);
    assert.equal(one.decision, found.results.some((f) => f.id === id));
  }
  const batch = rules.accessEvaluations({
    subject: { type: "user", id: "alice" }, action: { name: "edit" },
    options: { evaluations_semantic: "deny_on_first_deny" },
    evaluations: [{ resource: { type: "record", id: "1" } }, { resource: { type: "record", id: "2" } }, { resource: { type: "record", id: "1" } }],
  }, host);
  assert.deepEqual(batch.evaluations.map((e) => e.decision), [true, false]);
  assert.throws(() => rules.authzen("evaluation", { action: { name: "view" } }, host),
    (e) => e instanceof PermisoError && e.code === "invalid_request" && e.message.includes("request.subject"));
  assert.throws(() => rules.authzen("search/all", {}, host), (e) => e instanceof PermisoError && e.code === "invalid_argument");
  assert.throws(() => rules.authorizeRequest({ method: "GET", path: "/" }, { resources: [{ id: "x", color: 1 }] }),
    (e) => e instanceof PermisoError && e.code === "invalid_argument");
});

test("the package exports its API and none of wasm-bindgen's plumbing", () => {
  assert.deepEqual(Object.keys(permiso).sort(), [
    "Decision", "Identity", "JwksRefresh", "PendingToken", "PermisoError", "Policy", "SigningKey", "VerifiedKey",
    "VerifiedToken", "codes", "hashKey", "init", "operations", "version",
  ]);
  const declared = read("wasm/pkg/public.d.ts");
  for (const internal of ["initSync", "InitInput", "InitOutput", "__setErrorFactory"]) {
    assert.ok(!new RegExp(`\\b${internal}\\b`).test(declared), internal);
  }
});

test("the browser entry refuses with a PermisoError until init() has resolved", async () => {
  const web = await import(new URL("wasm/pkg/web.js", root).href);
  for (const call of [() => web.Policy.fromJSON("{}"), () => web.codes(), () => new web.JwksRefresh(300, 30),
    () => web.SigningKey.hmac("HS256", new Uint8Array(32))]) {
    assert.throws(call, (e) => e instanceof web.PermisoError && e.code === "not_initialized" && /await init\(\)/.test(e.message));
  }
  await Promise.all([web.init(readFileSync(new URL("wasm/pkg/permiso_bg.wasm", root))), web.init()]);
  assert.equal(web.Policy.fromYAML(read("examples/policy.yaml")).hash, policy.hash);
  assert.throws(() => web.Policy.fromJSON("{"), (e) => e instanceof web.PermisoError && e.code === "invalid_policy");
});
