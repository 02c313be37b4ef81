#!/usr/bin/env python3
"""Writes tests/vectors/policy.json and tests/vectors/authorize.json.

The expectations here are written by hand from the rules of the policy document and the evaluation table; this script
only saves typing JSON. Deterministic: re-running reproduces the files.
"""
import copy
import json
import pathlib

NOW = 1767225600
OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "vectors"

BASE = {
    "version": 1,
    "permissions": ["deployments:read", "deployments:write", "deployments:delete", "users:manage",
                    "apikeys:manage", "endpoints:run", "flags:evaluate", "audit:read"],
    "roles": {
        "viewer": {"permissions": ["deployments:read", "audit:read"]},
        "operator": {"inherits": ["viewer"], "permissions": ["deployments:write"]},
        "admin": {"permissions": ["*"]},
    },
    "access_levels": {
        "deployment": {"read": ["deployments:read"], "write": ["deployments:write"], "admin": ["deployments:*"]},
    },
    "credentials": {
        "personal_key": {"type": "api_key", "prefix": "pmo_pat", "acts_as": "owner"},
        "project_key": {"type": "api_key", "prefix": "pmo_psk", "acts_as": "key",
                        "allowed": ["endpoints:run", "flags:evaluate"]},
        "session": {"type": "jwt", "issuer": "https://id.example.com", "audience": "admin-api",
                    "algorithms": ["HS256"], "service_accounts": {"ci-deployer": {"roles": ["admin"]}}},
    },
    "routes": [
        {"method": "GET", "path": "/api/deployments/{deployment}", "permission": "deployments:read",
         "resource": "deployment:{deployment}"},
        {"method": "POST", "path": "/api/projects/{project}/endpoints/{name}/run", "permission": "endpoints:run",
         "resource": "endpoint:{name}", "tenant": "project:{project}",
         "credentials": ["project_key", "personal_key", "session"]},
    ],
}


def with_changes(fn):
    doc = copy.deepcopy(BASE)
    fn(doc)
    return doc


def write(name, description, cases, policy=None):
    doc = {"description": description}
    if policy is not None:
        doc["policy"] = policy
    doc["now"] = NOW
    doc["cases"] = cases
    (OUT / name).write_text(json.dumps(doc, indent=2) + "\n")
    print(f"wrote {name} ({len(cases)} cases)")


# ---------------------------------------------------------------- policy.json
policy_cases = []


def invalid(name, detail, path, change):
    policy_cases.append({"name": name, "op": "load_policy", "policy": with_changes(change),
                         "expect": {"ok": False, "code": "invalid_policy", "detail": detail, "path": path}})


policy_cases.append({"name": "the base policy is valid", "op": "load_policy", "policy": BASE,
                     "expect": {"ok": True}})
policy_cases.append({"name": "a minimal policy is valid", "op": "load_policy",
                     "policy": {"version": 1, "permissions": ["a:b"]}, "expect": {"ok": True}})
invalid("version 2 is not supported", "unsupported_version", "version", lambda d: d.update(version=2))
invalid("uppercase permission", "invalid_permission", "permissions[8]",
        lambda d: d["permissions"].append("Deployments:Read"))
invalid("a declared permission must be concrete", "invalid_permission", "permissions[8]",
        lambda d: d["permissions"].append("deployments:*"))
invalid("three segments", "invalid_permission", "permissions[8]", lambda d: d["permissions"].append("a:b:c"))
invalid("duplicate permission", "duplicate_permission", "permissions[8]",
        lambda d: d["permissions"].append("audit:read"))
invalid("role with an unknown permission", "unknown_permission", "roles.viewer.permissions[1]",
        lambda d: d["roles"]["viewer"].update(permissions=["deployments:read", "audit:write"]))
invalid("role wildcard over an undeclared resource", "unknown_permission", "roles.viewer.permissions[0]",
        lambda d: d["roles"]["viewer"].update(permissions=["billing:*"]))
invalid("role with a malformed pattern", "invalid_permission", "roles.viewer.permissions[0]",
        lambda d: d["roles"]["viewer"].update(permissions=["deployments read"]))
invalid("inherits an undefined role", "unknown_role", "roles.operator.inherits[0]",
        lambda d: d["roles"]["operator"].update(inherits=["watcher"]))
invalid("two roles inherit each other (reported at the edge closing the cycle)", "role_cycle", "roles.operator.inherits[0]",
        lambda d: d["roles"]["viewer"].update(inherits=["operator"]))
invalid("a role inherits itself", "role_cycle", "roles.admin.inherits[0]",
        lambda d: d["roles"]["admin"].update(inherits=["admin"]))
invalid("a misspelt field is not ignored", "invalid_document", "roles.operator.inherit",
        lambda d: d["roles"]["operator"].update(inherit=["viewer"]))
invalid("permissions must be a list", "invalid_document", "permissions", lambda d: d.update(permissions="a:b"))
policy_cases.append({
    "name": "a role name with control characters is named escaped in the path and the message",
    "op": "load_policy", "policy": with_changes(lambda d: d["roles"].update({"ad\u001bmin\n": {"permissions": []}})),
    "expect": {"ok": False, "code": "invalid_policy", "detail": "invalid_name", "path": "roles.ad\\u{1b}min\\u{a}",
               "message": "invalid policy: roles.ad\\u{1b}min\\u{a}: `ad\\u{1b}min\\u{a}` is not a valid role name "
                          "(invalid_name)"}})
policy_cases.append({
    "name": "a document's unknown field is named escaped: its control characters cannot forge a log line",
    "op": "load_policy", "policy": with_changes(lambda d: d["roles"]["operator"].update({"inh\u001berit\n": []})),
    "expect": {"ok": False, "code": "invalid_policy", "detail": "invalid_document",
               "path": "roles.operator.inh\\u{1b}erit\\u{a}",
               "message": "invalid policy: roles.operator.inh\\u{1b}erit\\u{a}: unknown field `inh\\u{1b}erit\\u{a}`, "
                          "expected one of `inherits`, `permissions`, `description` (invalid_document)"}})
invalid("access level with an unknown permission", "unknown_permission", "access_levels.deployment.read[0]",
        lambda d: d["access_levels"]["deployment"].update(read=["deployments:view"]))
invalid("resource type without levels", "invalid_access_level", "access_levels.endpoint",
        lambda d: d["access_levels"].update(endpoint={}))
invalid("an api_key kind needs a prefix", "invalid_credential", "credentials.personal_key.prefix",
        lambda d: d["credentials"]["personal_key"].pop("prefix"))
invalid("an uppercase prefix", "invalid_prefix", "credentials.personal_key.prefix",
        lambda d: d["credentials"]["personal_key"].update(prefix="PMO_pat"))
invalid("a prefix with an empty word", "invalid_prefix", "credentials.personal_key.prefix",
        lambda d: d["credentials"]["personal_key"].update(prefix="pmo__pat"))
invalid("two kinds share a prefix", "duplicate_prefix", "credentials.project_key.prefix",
        lambda d: d["credentials"]["project_key"].update(prefix="pmo_pat"))
invalid("one prefix followed by _ starts another", "ambiguous_prefix", "credentials.project_key.prefix",
        lambda d: d["credentials"]["project_key"].update(prefix="pmo_pat_ci"))
invalid("an api_key kind with a jwt field", "invalid_credential", "credentials.personal_key.issuer",
        lambda d: d["credentials"]["personal_key"].update(issuer="https://id.example.com"))
invalid("a jwt kind with a key field", "invalid_credential", "credentials.session.prefix",
        lambda d: d["credentials"]["session"].update(prefix="pmo_s"))
invalid("kind allowed list with an unknown permission", "unknown_permission", "credentials.project_key.allowed[1]",
        lambda d: d["credentials"]["project_key"].update(allowed=["endpoints:run", "endpoints:stop"]))
invalid("alg none is never supported", "unsupported_algorithm", "credentials.session.algorithms[1]",
        lambda d: d["credentials"]["session"].update(algorithms=["HS256", "none"]))
invalid("algorithm names are case-sensitive", "unsupported_algorithm", "credentials.session.algorithms[0]",
        lambda d: d["credentials"]["session"].update(algorithms=["hs256"]))
invalid("a jwt kind needs an issuer", "invalid_credential", "credentials.session.issuer",
        lambda d: d["credentials"]["session"].pop("issuer"))
invalid("a jwt kind needs an audience", "invalid_credential", "credentials.session.audience",
        lambda d: d["credentials"]["session"].pop("audience"))
invalid("a jwt kind needs algorithms", "invalid_credential", "credentials.session.algorithms",
        lambda d: d["credentials"]["session"].update(algorithms=[]))
invalid("a service account with an unknown role", "unknown_role",
        "credentials.session.service_accounts.ci-deployer.roles[0]",
        lambda d: d["credentials"]["session"]["service_accounts"]["ci-deployer"].update(roles=["root"]))
invalid("a route naming an unknown credential kind", "unknown_credential_kind", "routes[1].credentials[1]",
        lambda d: d["routes"][1].update(credentials=["project_key", "team_key"]))
invalid("a route path must start with /", "invalid_route", "routes[0].path",
        lambda d: d["routes"][0].update(path="api/deployments/{deployment}"))
invalid("a resource template naming a parameter the path lacks", "invalid_route", "routes[0].resource",
        lambda d: d["routes"][0].update(resource="deployment:{id}"))
invalid("an unclosed template brace", "invalid_route", "routes[1].tenant",
        lambda d: d["routes"][1].update(tenant="project:{project"))
invalid("a catch-all must be last", "invalid_route", "routes[0].path",
        lambda d: d["routes"][0].update(path="/api/{*rest}/x", resource=None))
invalid("a lowercase method", "invalid_route", "routes[0].method", lambda d: d["routes"][0].update(method="get"))
invalid("the same method and path twice", "route_conflict", "routes[2].path",
        lambda d: d["routes"].append(dict(d["routes"][0])))
invalid("two parameter names for one segment", "route_conflict", "routes[2].path",
        lambda d: d["routes"].append({"method": "GET", "path": "/api/deployments/{name}",
                                      "permission": "deployments:read"}))
invalid("a route requiring an undeclared permission", "unknown_permission", "routes[0].permission",
        lambda d: d["routes"][0].update(permission="deployments:view"))
invalid("a route requiring a wildcard", "invalid_permission", "routes[0].permission",
        lambda d: d["routes"][0].update(permission="deployments:*"))
for c in policy_cases:  # drop `resource: None` left by updates
    for r in c["policy"].get("routes", []):
        if r.get("resource", "") is None:
            del r["resource"]
# JWKs (fixed, made-up key material: only the shape matters here)
B64_16 = "AAECAwQFBgcICQoLDA0ODw"  # 16 bytes
B64_32 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"  # 32 bytes
B64_64 = B64_32 * 2 + "A"  # not a valid length on purpose is avoided below


def jwk_case(name, key, path="credentials.session.jwks.keys[0]", algorithms=None, extra_keys=()):
    def change(d):
        d["credentials"]["session"]["jwks"] = {"keys": [key, *extra_keys]}
        if algorithms:
            d["credentials"]["session"]["algorithms"] = algorithms
    invalid(name, "invalid_jwk", path, change)


policy_cases.append({"name": "a valid oct key", "op": "load_policy", "policy": with_changes(
    lambda d: d["credentials"]["session"].update(jwks={"keys": [{"kty": "oct", "kid": "a", "k": B64_32}]})),
    "expect": {"ok": True}})
jwk_case("an HMAC secret shorter than the hash", {"kty": "oct", "k": B64_16})
jwk_case("private key material in the policy", {"kty": "oct", "k": B64_32, "d": B64_32})
jwk_case("an RSA key below 2048 bits", {"kty": "RSA", "n": B64_32, "e": "AQAB"}, algorithms=["RS256"])
jwk_case("an RSA key for a kind allowing only HMAC", {"kty": "RSA", "n": "A" * 342 + "Q", "e": "AQAB"})
jwk_case("an unsupported EC curve", {"kty": "EC", "crv": "P-521", "x": B64_32, "y": B64_32},
         algorithms=["ES256"])
jwk_case("an unsupported key type", {"kty": "XYZ"})
jwk_case("a key whose alg the kind does not allow", {"kty": "oct", "k": B64_32, "alg": "HS384"})
jwk_case("a key whose alg does not fit its type", {"kty": "oct", "k": B64_32, "alg": "RS256"},
         algorithms=["HS256", "RS256"])
jwk_case("a key for encryption", {"kty": "oct", "k": B64_32, "use": "enc"})
jwk_case("key material that is not base64url", {"kty": "oct", "k": "not base64!"})
jwk_case("a kid used twice", {"kty": "oct", "kid": "a", "k": B64_32}, path="credentials.session.jwks.keys[1]",
         extra_keys=[{"kty": "oct", "kid": "a", "k": B64_32}])
invalid("a JWK Set without keys", "invalid_jwk", "credentials.session.jwks",
        lambda d: d["credentials"]["session"].update(jwks={"kid": "x"}))
write("policy.json", "policy validation: every detail code with its path", policy_cases)

# ------------------------------------------------------------- authorize.json
auth_cases = []


def authz(name, principal, action, expect, credential=None, resource=None, tenant=None):
    identity = {"principal": principal}
    if credential is not None:
        identity["credential"] = credential
    c = {"name": name, "op": "authorize", "identity": identity, "action": action}
    if resource is not None:
        c["resource"] = resource
    if tenant is not None:
        c["tenant"] = tenant
    c["expect"] = expect
    auth_cases.append(c)


ALLOW = {"allowed": True, "code": "allowed", "status": 200}


def deny(code, **extra):
    d = {"allowed": False, "code": code, "status": 403}
    d.update(extra)
    return d


viewer = {"id": "user:1", "roles": ["viewer"]}
operator = {"id": "user:2", "roles": ["operator"], "tenant": "project:p1"}
admin = {"id": "user:3", "roles": ["admin"]}
nobody = {"id": "user:4"}

authz("a viewer reads", viewer, "deployments:read", dict(ALLOW, principal="user:1", missing=[]),
      resource="deployment:web")
authz("a viewer may not write", viewer, "deployments:write",
      deny("missing_permission", missing=["deployments:write"]), resource="deployment:web")
authz("an operator inherits read from viewer", operator, "audit:read", ALLOW)
authz("an operator writes", operator, "deployments:write", ALLOW)
authz("an operator may not delete", operator, "deployments:delete", deny("missing_permission"))
authz("* grants every permission", admin, "users:manage", ALLOW)
authz("a principal with nothing is denied", nobody, "deployments:read", deny("missing_permission"))
authz("an undeclared action", admin, "deployments:launch", deny("unknown_permission", missing=[]))
authz("a wildcard is never a required action", admin, "deployments:*", deny("unknown_permission"))
authz("* is never a required action", admin, "*", deny("unknown_permission"))
authz("an empty action", admin, "", deny("unknown_permission"))
authz("allow entries grant", dict(nobody, allow=["audit:read"]), "audit:read", ALLOW)
authz("allow wildcards grant", dict(nobody, allow=["deployments:*"]), "deployments:delete", ALLOW)
authz("unknown roles grant nothing", dict(nobody, roles=["superuser"]), "audit:read", deny("missing_permission"))
authz("deny wins over *", dict(admin, deny=["deployments:delete"]), "deployments:delete",
      deny("explicitly_denied", missing=[]))
authz("a deny wildcard covers the resource", dict(admin, deny=["deployments:*"]), "deployments:read",
      deny("explicitly_denied"))
authz("deny * denies everything", dict(admin, deny=["*"]), "audit:read", deny("explicitly_denied"))
authz("deny of something else does not interfere", dict(admin, deny=["users:manage"]), "audit:read", ALLOW)
authz("deny wins over a resource grant",
      dict(nobody, deny=["deployments:write"], grants=[{"resource": "deployment:web", "level": "admin"}]),
      "deployments:write", deny("explicitly_denied"), resource="deployment:web")
authz("deny is checked before the credential kind", dict(admin, deny=["deployments:read"]), "deployments:read",
      deny("explicitly_denied"), credential={"kind": "project_key"})
# per-resource grants
web_write = dict(nobody, grants=[{"resource": "deployment:web", "level": "write"}])
authz("a write grant allows write on that deployment", web_write, "deployments:write", ALLOW,
      resource="deployment:web")
authz("levels are cumulative: write includes read", web_write, "deployments:read", ALLOW, resource="deployment:web")
authz("write does not include admin", web_write, "deployments:delete", deny("missing_permission"),
      resource="deployment:web")
authz("a grant covers only its resource", web_write, "deployments:write", deny("missing_permission"),
      resource="deployment:api")
authz("a grant needs the resource named", web_write, "deployments:write", deny("missing_permission"))
authz("an admin grant includes delete", dict(nobody, grants=[{"resource": "deployment:web", "level": "admin"}]),
      "deployments:delete", ALLOW, resource="deployment:web")
authz("a type:* grant covers every resource of the type",
      dict(nobody, grants=[{"resource": "deployment:*", "level": "read"}]), "deployments:read", ALLOW,
      resource="deployment:anything")
authz("a type:* grant does not cover another type",
      dict(nobody, grants=[{"resource": "deployment:*", "level": "admin"}]), "deployments:read",
      deny("missing_permission"), resource="endpoint:web")
authz("a grant never exceeds its level's permissions",
      dict(nobody, grants=[{"resource": "deployment:web", "level": "admin"}]), "users:manage",
      deny("missing_permission"), resource="deployment:web")
authz("an unknown level grants nothing", dict(nobody, grants=[{"resource": "deployment:web", "level": "owner"}]),
      "deployments:read", deny("missing_permission"), resource="deployment:web")
authz("a grant on a resource named like a wildcard is not a wildcard",
      dict(nobody, grants=[{"resource": "deployment:web", "level": "admin"}]), "deployments:read",
      deny("missing_permission"), resource="deployment:*")
# credential kinds
authz("a project key may run endpoints", dict(nobody, allow=["endpoints:run"]), "endpoints:run",
      dict(ALLOW, credential={"kind": "project_key", "id": "4fT9kQ2mX8aB"}),
      credential={"kind": "project_key", "id": "4fT9kQ2mX8aB", "mask": "pmo_psk_4fT9kQ2mX8aB_...x9Zq"})
authz("a project key may never configure, even with admin roles", admin, "deployments:write",
      deny("credential_kind_not_allowed", missing=["deployments:write"]), credential={"kind": "project_key"})
authz("an unknown credential kind permits nothing", admin, "audit:read", deny("credential_kind_not_allowed"),
      credential={"kind": "team_key"})
authz("a kind without an allowed list does not cap", admin, "users:manage", ALLOW,
      credential={"kind": "personal_key"})
authz("the kind is checked before scopes", admin, "audit:read", deny("credential_kind_not_allowed"),
      credential={"kind": "project_key", "scopes": []})
# scopes
authz("scopes cap the roles", operator, "deployments:write",
      deny("insufficient_scope", missing=["deployments:write"]),
      credential={"kind": "session", "scopes": ["deployments:read"]})
authz("a scope within the roles passes", operator, "deployments:read", ALLOW,
      credential={"kind": "session", "scopes": ["deployments:read"]})
authz("scope wildcards cover", operator, "deployments:write", ALLOW,
      credential={"kind": "session", "scopes": ["deployments:*"]})
authz("an empty scope list permits nothing", admin, "audit:read", deny("insufficient_scope"),
      credential={"kind": "session", "scopes": []})
authz("scopes that are not permissions are ignored", admin, "audit:read", deny("insufficient_scope"),
      credential={"kind": "session", "scopes": ["openid", "profile"]})
authz("scopes never grant beyond the roles", viewer, "deployments:write", deny("missing_permission"),
      credential={"kind": "session", "scopes": ["deployments:write"]})
authz("scopes are checked before the tenant", operator, "deployments:write", deny("insufficient_scope"),
      credential={"kind": "session", "scopes": []}, tenant="project:p2")
# tenants
authz("the principal's tenant passes", operator, "deployments:read", dict(ALLOW, tenant="project:p1"),
      tenant="project:p1")
authz("another tenant is refused", operator, "deployments:read", deny("tenant_mismatch", missing=[]),
      tenant="project:p2")
authz("a principal without a tenant is refused when one is required", admin, "audit:read",
      deny("tenant_mismatch"), tenant="project:p1")
authz("the tenant is checked before permissions", viewer, "deployments:write", deny("tenant_mismatch"),
      tenant="project:p1")
# host data errors
authz("an untyped principal id is refused", {"id": "alice", "roles": ["admin"]}, "audit:read",
      {"allowed": False, "code": "invalid_principal"})
authz("a record's unknown field is named escaped: its control characters cannot forge a log line",
      {"id": "user:3", "ev\u001b[2Kil\n": ["admin"]}, "audit:read",
      {"allowed": False, "code": "invalid_principal",
       "message": "`identity.principal.ev\\u{1b}[2Kil\\u{a}`: unknown field `ev\\u{1b}[2Kil\\u{a}`, expected one of "
                  "`id`, `tenant`, `roles`, `allow`, `deny`, `grants`, `attributes`"})
authz("a malformed deny entry is refused, never dropped",
      dict(admin, deny=["deployments write"]), "deployments:write", {"allowed": False, "code": "invalid_principal"})
authz("a malformed grant resource is refused",
      dict(nobody, grants=[{"resource": "web", "level": "read"}]), "deployments:read",
      {"allowed": False, "code": "invalid_principal"})
# audit
authz("the audit record names the actor and the key", dict(nobody, allow=["endpoints:run"], tenant="project:p1"),
      "endpoints:run",
      dict(ALLOW, audit={"actor": {"principal": "user:4", "kind": "project_key", "key_id": "4fT9kQ2mX8aB",
                                   "key_mask": "pmo_psk_4fT9kQ2mX8aB_...x9Zq"},
                         "action": "endpoints:run", "resource": "endpoint:e1", "tenant": "project:p1",
                         "allowed": True, "code": "allowed", "time": NOW}),
      credential={"kind": "project_key", "id": "4fT9kQ2mX8aB", "mask": "pmo_psk_4fT9kQ2mX8aB_...x9Zq"},
      resource="endpoint:e1", tenant="project:p1")
authz("the audit record of a session names the session", viewer, "deployments:write",
      deny("missing_permission", audit={"actor": {"principal": "user:1", "kind": "session", "session": "s-1"},
                                        "allowed": False, "code": "missing_permission"}),
      credential={"kind": "session", "session": "s-1"})
write("authorize.json", "authorize: every row of the evaluation table, in order", auth_cases, policy=BASE)
