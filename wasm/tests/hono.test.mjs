// The Hono middleware example, through Hono's fetch interface.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { Policy } from "permiso";

import { createApp } from "../../examples/hono/app.mjs";

const root = new URL("../../", import.meta.url);
const policy = Policy.fromYAML(readFileSync(new URL("examples/policy.yaml", root), "utf8"));
const host = JSON.parse(readFileSync(new URL("examples/host-data.json", root), "utf8"));
const keys = new Map();
const app = createApp(policy, async (found) => ({
  keys: found.credential.type === "api_key" && keys.has(found.credential.id) ? [keys.get(found.credential.id)] : [],
  principals: host.principals,
  revokedSessions: host.revoked_sessions,
}));
const mint = (kind, owner, options) => {
  const { key, record } = policy.generateKey(kind, owner, options);
  keys.set(record.id, record);
  return key;
};

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
