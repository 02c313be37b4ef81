// A Cloudflare Worker that authorizes every request with permiso before it
// reaches the origin. The policy is compiled once per isolate; each request
// is one call, `authorizeRequestAsync`, which checks a bearer token's RS*,
// PS*, ES* or EdDSA signature with the runtime's WebCrypto (everything else
// is the core's). Signatures already checked are remembered (a bounded
// cache; expiry and revocations are still checked on every request).
//
// Bindings: POLICY (text: the policy document) and HOST_DATA (JSON: key
// records, principals, revoked ids). In production HOST_DATA would be KV or
// D1 lookups by the key id that `policy.classify` returns.
import { Policy } from "permiso";
import policyText from "./policy.yaml";

const policy = Policy.fromYAML(policyText);
policy.cacheTokens(10_000);

export default {
  async fetch(request, env) {
    const host = env.HOST_DATA;
    const found = policy.classify(request);
    const keys =
      found.credential.type === "api_key" && found.credential.id
        ? host.keys.filter((k) => k.id === found.credential.id)
        : [];
    const decision = await policy.authorizeRequestAsync(request, {
      keys,
      principals: host.principals,
      revokedKeys: host.revoked_keys,
      revokedSessions: host.revoked_sessions,
    });
    console.log(JSON.stringify(decision.audit));
    if (!decision.allowed) {
      const headers = decision.status === 401 ? { "www-authenticate": "Bearer" } : {};
      return Response.json({ code: decision.code, message: decision.message }, { status: decision.status, headers });
    }
    // A real Worker would `return fetch(request)` to the origin here.
    return Response.json({ ok: true, principal: decision.principal, route: decision.route, resource: decision.resource });
  },
};
