// `permiso/hono` in a real Hono app served over HTTP on loopback (Node's
// http server and Hono's fetch interface), and through `app.request`.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import { after, before, test } from "node:test";

import { Policy, SigningKey } from "permiso";
import { policyTemplate } from "permiso/hono";

import { createApp } from "../../examples/hono/app.mjs";

const root = new URL("../../", import.meta.url);
const policy = Policy.fromYAML(readFileSync(new URL("examples/policy.yaml", root), "utf8"));
const host = JSON.parse(readFileSync(new URL("examples/host-data.json", root), "utf8"));
const keys = new Map();
const audited = [];
const app = createApp(
  policy,
  async (found) => ({
    keys: found.credential.type === "api_key" && keys.has(found.credential.id) ? [keys.get(found.credential.id)] : [],
    principals: host.principals,
    revokedSessions: host.revoked_sessions,
  }),
  (line) => audited.push(JSON.parse(line)),
);
const mint = (kind, owner, options) => {
  const { key, record } = policy.generateKey(kind, owner, options);
  keys.set(record.id, record);
  return key;
};

let server;
let port;
before(async () => {
  server = createServer(async (req, res) => {
    const response = await app.fetch(
      new Request(`http://127.0.0.1:${port}${req.url}`, { method: req.method, headers: req.headers }),
    );
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = server.address().port;
});
after(() => server?.close());

// A request whose target is sent byte for byte as written.
function get(path, key, method = "GET") {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, method, headers: key ? { authorization: `Bearer ${key}` } : {} }, (res) => {
      let body = "";
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("hono over HTTP: an encoded letter reaches the static route and needs its permission", async () => {
  const bob = mint("personal_key", "user:bob");
  const alice = mint("personal_key", "user:alice");
  assert.equal((await get("/api/deployments/web", bob)).status, 200);
  let r = await get("/api/deployments/%63urrent", bob);
  assert.equal(r.status, 403, r.body);
  assert.equal(JSON.parse(r.body).code, "missing_permission");
  assert.ok(!r.body.includes("replicas"));
  r = await get("/api/deployments/%63urrent", alice);
  assert.equal(r.status, 200);
  assert.ok(r.body.includes("replicas"), "the operator reaches the route Hono chose");
  r = await get("/api/deployments/web", bob, "HEAD");
  assert.equal(r.status, 200, "HEAD is served by the GET route");
  r = await get("/api/deployments/web");
  assert.equal(r.status, 401);
  assert.equal(r.headers["www-authenticate"], "Bearer");
});

test("hono: allowed, refused with the clear error, unauthenticated, unrouted", async () => {
  const alice = mint("personal_key", "user:alice");
  const project = mint("project_key", "project:p1", { scopes: ["endpoints:run"] });
  let r = await app.request("/api/deployments/web", { headers: { authorization: `Bearer ${alice}` } });
  assert.equal(r.status, 200);
  assert.equal((await r.json()).actor, "user:alice");
  r = await app.request("/api/projects/p1/endpoints/nightly/run", { method: "POST", headers: { "x-api-key": project } });
  assert.equal(r.status, 200);
  assert.equal((await r.json()).audit.actor.owner, "project:p1");
  r = await app.request("/api/projects/p1/endpoints/nightly", { method: "PUT", headers: { "x-api-key": project } });
  assert.equal(r.status, 403);
  assert.deepEqual(await r.json(), {
    code: "credential_kind_not_allowed",
    message: "project_key credentials are not accepted for PUT /api/projects/{project}/endpoints/{name}",
  });
  r = await app.request("/api/deployments/web");
  assert.equal(r.status, 401);
  assert.equal((await r.json()).code, "no_credentials");
  r = await app.request("/api/nowhere", { headers: { authorization: `Bearer ${alice}` } });
  assert.equal(r.status, 404);
  assert.equal((await r.json()).code, "no_route");
});

test("hono: a signed bearer token is checked (its ES256 signature by WebCrypto), forged ones refused", async () => {
  const signed = Policy.fromYAML(readFileSync(new URL("examples/policy.yaml", root), "utf8"));
  const vectors = JSON.parse(readFileSync(new URL("tests/vectors/tokens.json", root), "utf8"));
  const ec256 = vectors.policy.credentials.session.jwks.keys.find((k) => k.kid === "ec256");
  signed.setJWKS("session", { keys: [ec256] });
  signed.cacheTokens(8);
  const es = SigningKey.fromPEM("ES256", readFileSync(new URL("tools/vectors/keys/ec256.pem", root), "utf8"), "ec256");
  const token = signed.issueSession("session", { subject: "alice", roles: ["operator"], session: "s-hono" }, es);
  const signedApp = createApp(signed, async () => ({ principals: host.principals, revokedSessions: host.revoked_sessions }), () => {});
  const call = (t) => signedApp.request("/api/deployments/web", { headers: { authorization: `Bearer ${t}` } });
  let r = await call(token);
  assert.equal(r.status, 200);
  assert.equal((await r.json()).actor, "user:alice");
  assert.equal(signed.cachedTokens(), 1, "the verified signature is remembered");
  r = await call(`${token.slice(0, token.lastIndexOf("."))}.${"A".repeat(86)}`);
  assert.equal(r.status, 401);
  assert.equal((await r.json()).code, "bad_signature");
});

test("hono route paths in the policy's syntax", () => {
  assert.equal(policyTemplate("/api/deployments/:deployment"), "/api/deployments/{deployment}");
  assert.equal(policyTemplate("/files/:path{.+}"), "/files/{*path}");
  assert.equal(policyTemplate("/a/:id{[0-9]+}/b"), "/a/{id}/b");
  assert.equal(policyTemplate("/files/*"), null);
  assert.equal(policyTemplate("/api/deployments/current"), "/api/deployments/current");
});

test("hono: every decision, allowed or denied, reaches onDecision (the audit line)", async () => {
  const bob = mint("personal_key", "user:bob");
  audited.length = 0;
  assert.equal((await get("/api/deployments/web", bob)).status, 200);
  assert.equal((await get("/api/deployments/web")).status, 401);
  assert.deepEqual(audited.map((a) => [a.allowed, a.code]), [[true, "allowed"], [false, "no_credentials"]]);
  assert.ok(!JSON.stringify(audited).includes(bob));
});

test("hono: a repeated credential header is refused, never one of them picked", async () => {
  const bob = mint("personal_key", "user:bob");
  const alice = mint("personal_key", "user:alice");
  // Node's own server answers 400 to a repeated Authorization; a runtime
  // that passes both on (Workers, Deno) hands Hono a Headers that joins them.
  const headers = new Headers();
  headers.append("authorization", `Bearer ${bob}`);
  headers.append("authorization", `Bearer ${alice}`);
  let r = await app.request("/api/deployments/web", { headers });
  assert.equal(r.status, 401);
  assert.equal((await r.json()).code, "unrecognized_credential");
  const mixed = new Headers([["x-api-key", bob], ["authorization", `Bearer ${alice}`]]);
  r = await app.request("/api/deployments/web", { headers: mixed });
  assert.equal(r.status, 401);
  assert.match((await r.json()).message, /more than one credential/);
});
