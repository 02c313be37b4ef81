#!/usr/bin/env python3
"""Writes tests/vectors/requests.json: authorize_request end to end.

Keys come from keyformat.py (independent of the Rust core); tokens are
HS256, signed with the standard library, so the file is deterministic and
CI checks that re-running this script reproduces it.
"""
import json
import pathlib
import random

from keyformat import b64u, hs256, make, mask, record

NOW = 1767225600
ISS = "https://id.example.com"
rng = random.Random(4242)
SECRET = bytes(range(32))

POLICY = {
    "version": 1,
    "permissions": ["deployments:read", "deployments:write", "deployments:delete", "endpoints:run",
                    "endpoints:configure", "apikeys:manage", "audit:read", "files:read"],
    "roles": {
        "viewer": {"permissions": ["deployments:read", "audit:read"]},
        "operator": {"inherits": ["viewer"], "permissions": ["deployments:write", "endpoints:run"]},
        "admin": {"permissions": ["*"]},
    },
    "access_levels": {"deployment": {"read": ["deployments:read"], "write": ["deployments:write"],
                                     "admin": ["deployments:*"]}},
    "credentials": {
        "personal_key": {"type": "api_key", "prefix": "pmo_pat", "acts_as": "owner"},
        "project_key": {"type": "api_key", "prefix": "pmo_psk", "acts_as": "key",
                        "allowed": ["endpoints:run"]},
        "session": {"type": "jwt", "issuer": ISS, "audience": "admin-api", "algorithms": ["HS256"],
                    "jwks": {"keys": [{"kty": "oct", "kid": "hs", "k": b64u(SECRET)}]},
                    "roles_claim": "roles", "tenant_claim": "org",
                    "service_accounts": {"ci-deployer": {"roles": ["admin"]}}},
    },
    "routes": [
        {"method": "GET", "path": "/api/deployments/{deployment}", "permission": "deployments:read",
         "resource": "deployment:{deployment}"},
        {"method": "GET", "path": "/api/deployments/current", "permission": "audit:read"},
        {"method": "POST", "path": "/api/deployments/{deployment}", "permission": "deployments:write",
         "resource": "deployment:{deployment}"},
        {"method": "DELETE", "path": "/api/deployments/{deployment}", "permission": "deployments:delete",
         "resource": "deployment:{deployment}"},
        {"method": "*", "path": "/api/deployments/{deployment}/logs", "permission": "audit:read"},
        {"method": "POST", "path": "/api/projects/{project}/endpoints/{name}/run", "permission": "endpoints:run",
         "resource": "endpoint:{name}", "tenant": "project:{project}",
         "credentials": ["project_key", "personal_key", "session"]},
        {"method": "PUT", "path": "/api/projects/{project}/endpoints/{name}", "permission": "endpoints:configure",
         "resource": "endpoint:{name}", "tenant": "project:{project}", "credentials": ["personal_key", "session"]},
        {"method": "GET", "path": "/api/keys/mine", "permission": "apikeys:manage", "credentials": ["personal_key"]},
        {"method": "GET", "path": "/files/{*path}", "permission": "files:read", "resource": "file:{path}"},
    ],
}

alice_key = make(rng, "pmo_pat")
bob_key = make(rng, "pmo_pat")
orphan_key = make(rng, "pmo_pat")
project_key = make(rng, "pmo_psk")
stranger_key = make(rng, "pmo_psk")
alice_rec = record(alice_key, "personal_key", "user:alice", NOW)
bob_rec = record(bob_key, "personal_key", "user:bob", NOW, scopes=["deployments:read"])
orphan_rec = record(orphan_key, "personal_key", "user:ghost", NOW)
project_rec = record(project_key, "project_key", "project:p1", NOW, scopes=["endpoints:run"])
KEYS = [alice_rec, bob_rec, orphan_rec, project_rec]
PRINCIPALS = [
    {"id": "user:alice", "tenant": "project:p1", "roles": ["operator"], "deny": ["deployments:delete"]},
    {"id": "user:bob", "roles": ["admin"]},
    {"id": "project:p1", "tenant": "project:p1"},
    {"id": "user:carol", "roles": ["viewer"]},
]


def claims(**extra):
    c = {"iss": ISS, "aud": "admin-api", "sub": "carol", "iat": NOW - 10, "exp": NOW + 300, "sid": "s-carol",
         "jti": "t-1", "roles": ["admin"]}
    c.update(extra)
    return {k: v for k, v in c.items() if v is not None}


def tok(**extra):
    return hs256(SECRET, claims(**extra), kid="hs")


cases = []


def req(name, method, path, expect, headers=None, **fields):
    c = {"name": name, "op": "authorize_request",
         "request": {"method": method, "path": path, "headers": headers or {}},
         "keys": KEYS, "principals": PRINCIPALS}
    c.update(fields)
    c["expect"] = expect
    cases.append(c)


def bearer(cred):
    return {"authorization": f"Bearer {cred}"}


def ok(principal, **extra):
    e = {"allowed": True, "code": "allowed", "status": 200, "principal": principal}
    e.update(extra)
    return e


def no(code, status, **extra):
    e = {"allowed": False, "code": code, "status": status}
    e.update(extra)
    return e


_, p_id = project_key.rsplit("_", 2)[0], project_key.rsplit("_", 2)[1]
a_id = alice_key.rsplit("_", 2)[1]

# routes
req("a personal key reads a deployment", "GET", "/api/deployments/web",
    ok("user:alice", action="deployments:read", resource="deployment:web", route="GET /api/deployments/{deployment}",
       credential={"kind": "personal_key", "id": a_id},
       audit={"actor": {"principal": "user:alice", "kind": "personal_key", "key_id": a_id,
                        "key_mask": mask(alice_key)}, "route": "GET /api/deployments/{deployment}",
              "allowed": True, "code": "allowed"}),
    bearer(alice_key))
req("no route", "GET", "/api/nothing", no("no_route", 404), bearer(alice_key))
req("no route is decided before credentials", "GET", "/api/nothing", no("no_route", 404))
req("a trailing slash is significant", "GET", "/api/deployments/web/", no("no_route", 404), bearer(alice_key))
req("a method the route does not have", "PATCH", "/api/deployments/web", no("no_route", 404), bearer(alice_key))
req("the method is case-insensitive", "get", "/api/deployments/web", ok("user:alice"), bearer(alice_key))
req("the query is ignored", "GET", "/api/deployments/web?x=../../admin", ok("user:alice", resource="deployment:web"),
    bearer(alice_key))
req("dot segments never match", "GET", "/api/deployments/../deployments/web", no("no_route", 404), bearer(alice_key))
req("encoded dot segments never match", "GET", "/api/deployments/%2e%2e/keys/mine", no("no_route", 404),
    bearer(alice_key))
req("an encoded slash never matches", "GET", "/api/deployments/web%2Fadmin", no("no_route", 404), bearer(alice_key))
req("an empty segment never matches", "GET", "/api//deployments/web", no("no_route", 404), bearer(alice_key))
req("parameters are percent-decoded", "GET", "/api/deployments/my%20app", ok("user:alice", resource="deployment:my app"),
    bearer(alice_key))
req("a parameter that is not UTF-8 never matches", "GET", "/api/deployments/%ff", no("no_route", 404),
    bearer(alice_key))
req("a static route beats a parameter", "GET", "/api/deployments/current",
    ok("user:alice", action="audit:read", route="GET /api/deployments/current"), bearer(alice_key))
req("a * route matches any method", "PATCH", "/api/deployments/web/logs",
    ok("user:alice", action="audit:read", route="* /api/deployments/{deployment}/logs"), bearer(alice_key))
req("a catch-all fills the rest of the path", "GET", "/files/a/b/c.txt",
    ok("service:ci-deployer", resource="file:a/b/c.txt", route="GET /files/{*path}"),
    bearer(tok(sub="ci-deployer", client_id="ci-deployer", sid=None)))
# canonical paths only: a path a framework could route elsewhere never matches
req("an encoded unreserved character never matches (%63urrent is current to a framework)", "GET",
    "/api/deployments/%63urrent", no("no_route", 404), bearer(alice_key))
req("an encoded letter in a parameter never matches", "GET", "/api/deployments/we%62", no("no_route", 404),
    bearer(alice_key))
req("an encoded sub-delimiter never matches", "GET", "/api/deployments/a%2Bb", no("no_route", 404), bearer(alice_key))
req("a path parameter (;) never matches", "GET", "/api/deployments/current;v=1", no("no_route", 404),
    bearer(alice_key))
req("a ; anywhere never matches", "GET", "/api/deployments/web;jsessionid=1", no("no_route", 404),
    bearer(alice_key))
req("a # anywhere never matches (h11 keeps it in the path)", "GET", "/files/public/readme#/../../private/key",
    no("no_route", 404), bearer(alice_key))
req("a # after the query never matches either", "GET", "/api/deployments/web?x=1#f", no("no_route", 404),
    bearer(alice_key))
req("a case variant of a static route never takes the parameter route", "GET", "/api/deployments/CURRENT",
    no("no_route", 404), bearer(alice_key))
req("a mixed-case variant of a static route never matches", "GET", "/api/deployments/Current",
    no("no_route", 404), bearer(alice_key))
req("an uppercase parameter with no static rival matches", "GET", "/api/deployments/Web",
    ok("user:alice", resource="deployment:Web"), bearer(alice_key))
req("a case variant of the literal prefix matches nothing", "GET", "/API/deployments/web", no("no_route", 404),
    bearer(alice_key))
req("an encoded character routes never hold is decoded", "GET", "/api/deployments/a%3Fb",
    ok("user:alice", resource="deployment:a?b"), bearer(alice_key))
# credentials
req("no credential", "GET", "/api/deployments/web", no("no_credentials", 401, route="GET /api/deployments/{deployment}"))
req("an unrelated header is no credential", "GET", "/api/deployments/web", no("no_credentials", 401),
    {"cookie": "session=abc"})
req("Basic auth is unrecognized", "GET", "/api/deployments/web", no("unrecognized_credential", 401),
    {"authorization": "Basic YWxpY2U6cHc="})
req("a bearer of no known shape", "GET", "/api/deployments/web", no("unrecognized_credential", 401),
    bearer("hello-world"))
req("a key of an unknown prefix is unrecognized", "GET", "/api/deployments/web", no("unrecognized_credential", 401),
    bearer(make(rng, "pmo_xyz")))
req("two Authorization headers", "GET", "/api/deployments/web", no("unrecognized_credential", 401),
    {"authorization": [f"Bearer {alice_key}", f"Bearer {alice_key}"]})
req("Authorization and X-API-Key together", "GET", "/api/deployments/web", no("unrecognized_credential", 401),
    {"authorization": f"Bearer {alice_key}", "x-api-key": alice_key})
req("a huge header is refused unread", "GET", "/api/deployments/web", no("unrecognized_credential", 401),
    bearer("eyJ" + "A" * 20000 + ".e30.c2ln"))
req("an empty bearer", "GET", "/api/deployments/web", no("unrecognized_credential", 401), {"authorization": "Bearer "})
req("X-API-Key works", "GET", "/api/deployments/web", ok("user:alice"), {"X-API-Key": alice_key})
req("header names are case-insensitive", "GET", "/api/deployments/web", ok("user:alice"),
    {"AUTHORIZATION": f"bearer {alice_key}"})
req("the Token scheme works", "GET", "/api/deployments/web", ok("user:alice"), {"Authorization": f"Token {alice_key}"})
req("surrounding whitespace of the header value is ignored", "GET", "/api/deployments/web", ok("user:alice"),
    {"authorization": f"  Bearer {alice_key} "})
# key kinds and authentication
req("a project key runs an endpoint of its project", "POST", "/api/projects/p1/endpoints/nightly/run",
    ok(f"key:{p_id}", resource="endpoint:nightly", tenant="project:p1", credential={"kind": "project_key", "id": p_id},
       audit={"actor": {"principal": f"key:{p_id}", "kind": "project_key", "key_id": p_id,
                        "key_mask": mask(project_key), "owner": "project:p1"}}),
    bearer(project_key))
req("the same project key may not configure: a clear error", "PUT", "/api/projects/p1/endpoints/nightly",
    no("credential_kind_not_allowed", 403, route="PUT /api/projects/{project}/endpoints/{name}",
       message="project_key credentials are not accepted for PUT /api/projects/{project}/endpoints/{name}"),
    bearer(project_key))
req("a project key refused before its record is even needed", "PUT", "/api/projects/p1/endpoints/nightly",
    no("credential_kind_not_allowed", 403), bearer(stranger_key))
req("a project key cannot cross into another project", "POST", "/api/projects/p2/endpoints/nightly/run",
    no("tenant_mismatch", 403, tenant="project:p2"), bearer(project_key))
req("a project key on a route that accepts every kind is still capped by its kind", "GET", "/api/deployments/web",
    no("credential_kind_not_allowed", 403), bearer(project_key))
req("a key whose record the host did not find", "GET", "/api/deployments/web", no("unknown_key", 401),
    bearer(stranger_key))
req("a revoked key", "GET", "/api/deployments/web", no("revoked", 401), bearer(alice_key), revoked_keys=[a_id])
req("an expired key", "GET", "/api/deployments/web", no("expired", 401), bearer(alice_key),
    keys=[dict(alice_rec, expires_at=NOW - 1)])
req("a mistyped key", "GET", "/api/deployments/web", no("bad_checksum", 401),
    bearer(alice_key[:-1] + ("A" if alice_key[-1] != "A" else "B")))
req("a key whose owner the host does not know", "GET", "/api/deployments/web", no("unknown_principal", 401),
    bearer(orphan_key))
req("a key's scopes cap its owner", "POST", "/api/deployments/web", no("insufficient_scope", 403), bearer(bob_key))
req("the owner's explicit deny applies", "DELETE", "/api/deployments/web", no("explicitly_denied", 403),
    bearer(alice_key))
req("a route for personal keys only refuses a session", "GET", "/api/keys/mine",
    no("credential_kind_not_allowed", 403, message="session credentials are not accepted for GET /api/keys/mine"),
    bearer(tok()))
# tokens
req("a session token; the host record is authoritative over token roles", "POST", "/api/deployments/web",
    no("missing_permission", 403, principal="user:carol"), bearer(tok()))
req("a session token reads", "GET", "/api/deployments/web", ok("user:carol", credential={"kind": "session"}),
    bearer(tok()))
req("without a host record the token's claims are used", "POST", "/api/deployments/web",
    ok("user:dave"), bearer(tok(sub="dave", sid="s-dave")))
req("a revoked session", "GET", "/api/deployments/web", no("session_revoked", 401), bearer(tok()),
    revoked_sessions=["s-carol"])
req("an expired session", "GET", "/api/deployments/web", no("expired", 401), bearer(tok(exp=NOW - 60)))
req("a tampered token", "GET", "/api/deployments/web", no("bad_signature", 401),
    bearer(tok()[:-6] + "AAAAAA"))
req("a service account deletes", "DELETE", "/api/deployments/web", ok("service:ci-deployer"),
    bearer(tok(sub="ci-deployer", client_id="ci-deployer", sid=None)))
req("an unlisted client", "DELETE", "/api/deployments/web", no("not_a_service_account", 401),
    bearer(tok(sub="cron", client_id="cron")))
req("a delegated token reads within its scope", "GET", "/api/deployments/web",
    ok("user:carol", audit={"actor": {"actor_chain": ["mobile-app"]}}),
    bearer(tok(act={"sub": "mobile-app"}, scope="deployments:read")))
req("a delegated token cannot exceed its scope", "GET", "/api/deployments/web/logs",
    no("insufficient_scope", 403), bearer(tok(act={"sub": "mobile-app"}, scope="deployments:read")))

request_cases = cases
cases = []


def route(name, method, template, params, expect, headers=None, **fields):
    c = {"name": name, "op": "authorize_route", "route": {"method": method, "template": template, "params": params},
         "headers": headers or {}, "keys": KEYS, "principals": PRINCIPALS}
    c.update(fields)
    c["expect"] = expect
    cases.append(c)


DEP = "/api/deployments/{deployment}"
route("the static route the framework matched", "GET", "/api/deployments/current", {},
      ok("user:alice", action="audit:read", route="GET /api/deployments/current"), bearer(alice_key))
route("the parameter route with a value a path could not carry", "GET", DEP, {"deployment": "current"},
      ok("user:alice", action="deployments:read", resource="deployment:current", route=f"GET {DEP}"),
      bearer(alice_key))
route("parameters are taken as decoded: no second decoding", "GET", DEP, {"deployment": "a%20b"},
      ok("user:alice", resource="deployment:a%20b"), bearer(alice_key))
route("a catch-all parameter holds slashes", "GET", "/files/{*path}", {"path": "public/readme"},
      ok("service:ci-deployer", resource="file:public/readme", route="GET /files/{*path}"),
      bearer(tok(sub="ci-deployer", client_id="ci-deployer", sid=None)))
route("the method is case-insensitive", "get", DEP, {"deployment": "web"}, ok("user:alice"), bearer(alice_key))
route("HEAD is served by the GET route, as frameworks do", "HEAD", DEP, {"deployment": "web"},
      ok("user:alice", action="deployments:read", route=f"GET {DEP}"), bearer(alice_key))
route("a * route serves any method", "PATCH", "/api/deployments/{deployment}/logs", {"deployment": "web"},
      ok("user:alice", action="audit:read", route="* /api/deployments/{deployment}/logs"), bearer(alice_key))
route("a template the policy does not have", "GET", "/api/deployments/{id}", {"id": "web"},
      no("no_route", 404), bearer(alice_key))
route("a method the template does not have", "PATCH", DEP, {"deployment": "web"}, no("no_route", 404),
      bearer(alice_key))
route("a template is exact: no case folding", "GET", "/API/deployments/current", {}, no("no_route", 404),
      bearer(alice_key))
route("a missing parameter", "GET", DEP, {}, no("no_route", 404), bearer(alice_key))
route("an unexpected parameter", "GET", DEP, {"deployment": "web", "extra": "x"}, no("no_route", 404),
      bearer(alice_key))
route("an empty parameter", "GET", DEP, {"deployment": ""}, no("no_route", 404), bearer(alice_key))
route("a control character in a parameter", "GET", DEP, {"deployment": "a\nb"}, no("no_route", 404),
      bearer(alice_key))
route("no credential", "GET", DEP, {"deployment": "web"}, no("no_credentials", 401, route=f"GET {DEP}"))
route("the owner's explicit deny applies", "DELETE", DEP, {"deployment": "web"}, no("explicitly_denied", 403),
      bearer(alice_key))
route("a project key runs an endpoint of its project", "POST", "/api/projects/{project}/endpoints/{name}/run",
      {"project": "p1", "name": "nightly"},
      ok(f"key:{p_id}", resource="endpoint:nightly", tenant="project:p1"), bearer(project_key))
route("a project key on a configuration route: a clear error", "PUT", "/api/projects/{project}/endpoints/{name}",
      {"project": "p1", "name": "nightly"},
      no("credential_kind_not_allowed", 403,
         message="project_key credentials are not accepted for PUT /api/projects/{project}/endpoints/{name}"),
      bearer(project_key))
route("a project key in another project", "POST", "/api/projects/{project}/endpoints/{name}/run",
      {"project": "p2", "name": "nightly"}, no("tenant_mismatch", 403, tenant="project:p2"), bearer(project_key))
route("a session token", "GET", DEP, {"deployment": "web"}, ok("user:carol", credential={"kind": "session"}),
      bearer(tok()))
route("a revoked session", "GET", DEP, {"deployment": "web"}, no("session_revoked", 401), bearer(tok()),
      revoked_sessions=["s-carol"])
route("a revoked key", "GET", DEP, {"deployment": "web"}, no("revoked", 401), bearer(alice_key),
      revoked_keys=[a_id])

route_doc = {"description": "authorize_route: the route the application's framework matched, by template and "
                            "decoded parameters (generated by tools/vectors/gen_requests.py)",
             "policy": POLICY, "now": NOW, "cases": cases}
out = pathlib.Path(__file__).resolve().parents[2] / "tests" / "vectors" / "routes.json"
out.write_text(json.dumps(route_doc, indent=2) + "\n")
print(f"wrote routes.json ({len(cases)} cases)")
cases = request_cases

doc = {"description": "authorize_request: routes, path rules, credential reading, authentication and decisions "
                      "(generated by tools/vectors/gen_requests.py)",
       "policy": POLICY, "now": NOW, "cases": cases}
out = pathlib.Path(__file__).resolve().parents[2] / "tests" / "vectors" / "requests.json"
out.write_text(json.dumps(doc, indent=2) + "\n")
print(f"wrote requests.json ({len(cases)} cases)")
