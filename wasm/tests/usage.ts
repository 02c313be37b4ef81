// Type-checked (never run) by `tsc --noEmit`: the published declarations must
// describe the API as users call it.
import {
  codes,
  hashKey,
  JwksRefresh,
  PermisoError,
  Policy,
  SigningKey,
  type AuthzenResponse,
  type Decision,
  type ResourceRecord,
  type GeneratedKey,
  type HostData,
  type IdentityRecord,
  type KeyInfo,
  type KeyRecord,
  type Rotation,
  type TokenInfo,
  operations,
  version,
} from "permiso";
import { init } from "permiso";
// @ts-expect-error: wasm-bindgen's plumbing is not part of the package
import { initSync } from "permiso";
import { permiso as guard, policyTemplate } from "permiso/hono";
import { Hono } from "hono";

declare const policyText: string;
declare const request: Request;

const policy: Policy = Policy.fromYAML(policyText);
const hash: string = policy.hash;
const record: IdentityRecord = { principal: { id: "user:1", roles: ["viewer"] }, credential: { kind: "session", scopes: ["a:b"] } };
const identity = policy.identity(record);
const d1: Decision = policy.authorize(identity, "deployments:read", "deployment:web");
const d2: Decision = policy.authorize(record, "deployments:read", null, "project:p1", 1767225600);
const allowed: boolean = d1.allowed && d2.allowed;
const status: number = d1.status;
const missing: string[] = d1.missing;
const auditCode: string = d1.audit.code;

const generated: GeneratedKey = policy.generateKey("project_key", "project:p1", { scopes: ["endpoints:run"], expiresAt: 1 });
const stored: KeyRecord = generated.record;
const host: HostData = { keys: [stored], principals: [{ id: "project:p1", tenant: "project:p1" }], revokedSessions: [] };
const d3: Decision = policy.authorizeRequest(request, host);
const d4: Decision = policy.authorizeRequest({ method: "GET", path: "/api/x", headers: { authorization: "Bearer x" } }, {});
const d5: Decision = policy.authorizeRoute(
  { method: "GET", template: "/api/deployments/{deployment}", params: { deployment: "web" }, headers: request.headers },
  host,
);
const honoApp = new Hono<{ Variables: { permiso: Decision } }>();
honoApp.use("*", guard(policy, async (found) => ({ keys: found.credential.type === "api_key" ? [stored] : [] })));
honoApp.get("/api/deployments/:deployment", (c) => c.json({ actor: c.get("permiso").principal }));
const template: string | null = policyTemplate("/files/:path{.+}");
const found = policy.classify({ method: "GET", path: "/x", headers: [["x-api-key", "k"]] });
if (found.credential.type === "api_key") {
  const id: string | null = found.credential.id;
}
const verified = policy.verifyKey(generated.key, stored, { now: 1 });
const principal: string = verified.principal;
const asOwner = verified.identity({ id: "project:p1" });
const keyInfo: KeyInfo = verified.toJSON();
const keyId: string = keyInfo.credential.id;
const rotation: Rotation = policy.rotateKey(stored, { grace: 60 });
const newPlaintext: string = rotation.key.key;
const oldExpiry: number | null | undefined = rotation.old.expires_at;
const names: string[] = operations();
const libraryVersion: string = version();
const route: string | null = d1.route;
const kind: string | null = d1.credential.kind;

const key = SigningKey.hmac("HS256", new Uint8Array(32), "k1");
const token: string = policy.issueSession("session", { subject: "alice", lifetime: 600 }, key);
const info: TokenInfo = policy.verifyJWT(token, { revokedSessions: ["s1"] }).toJSON();
const viaWebCrypto: Promise<TokenInfo> = policy.verifyJWTAsync(token, { now: 1 }).then((t) => t.toJSON());
const delegated: string = policy.delegate("session", asOwner, { actor: "mobile-app", scopes: ["a:b"] }, key);
policy.setJWKS("session", { keys: [] });
policy.setSecrets("session", { keys: [] });
const refresh = new JwksRefresh(300, 30);
const due: boolean = refresh.due();
const h: string = hashKey(generated.key);
const all: string[] = codes();

try {
  Policy.fromJSON("{");
} catch (e) {
  if (e instanceof PermisoError) {
    const code: string = e.code;
    const detail: string | undefined = e.detail;
  }
}

// Rules read a resource record; AuthZEN answers plain objects.
const resourceRecord: ResourceRecord = { id: "record:1", attributes: { owner: "alice", tags: ["a", 1, true] } };
const owned: Decision = policy.authorize(asOwner, "deployments:read", resourceRecord);
const answer: AuthzenResponse = policy.searchResources(
  { subject: { type: "user", id: "alice" }, action: { name: "read" }, resource: { type: "deployment" } },
  { principals: [{ id: "user:alice", attributes: { team: "a" } }], resources: [resourceRecord] },
);
const viaApi: AuthzenResponse = policy.authzen("evaluations", { evaluations: [] }, {});

// Every entry has init(): ready at import in Node, Deno and workerd.
const started: Promise<void> = init();

export { started, owned, answer, viaApi, allowed, status, missing, auditCode, d3, d4, d5, template, principal, info, viaWebCrypto, delegated, due, h, all, hash };
