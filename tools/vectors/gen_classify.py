#!/usr/bin/env python3
"""Writes tests/vectors/classify.json: what `classify` tells a host to
fetch before deciding (the route, and the credential: a key id, or a
token's kind, principal and session read from its unverified claims).

Expectations are written by hand; CI checks that re-running this script
reproduces the file.
"""
import base64
import json
import pathlib
import random

from keyformat import make

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "vectors"
rng = random.Random(2026)

POLICY = {
    "version": 1,
    "permissions": ["thing:read", "thing:write"],
    "roles": {"reader": {"permissions": ["thing:read"]}},
    "credentials": {
        "personal_key": {"type": "api_key", "prefix": "cls_pat"},
        "session": {"type": "jwt", "issuer": "https://id.example.com", "audience": "api",
                    "algorithms": ["HS256"], "subject": "user",
                    "service_accounts": {"ci": {"roles": ["reader"]}}},
        "partner": {"type": "jwt", "issuer": "https://partner.example.com", "audience": "api",
                    "algorithms": ["HS256"], "subject": "partner"},
    },
    "routes": [
        {"method": "GET", "path": "/things/{id}", "permission": "thing:read", "resource": "thing:{id}"},
        {"method": "PUT", "path": "/things/{id}", "permission": "thing:write", "resource": "thing:{id}"},
    ],
}
ROUTE = {"route": "GET /things/{id}", "permission": "thing:read", "resource": "thing:7", "tenant": None}


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(claims) -> str:
    """Signature bytes that verify nothing: classify never checks them."""
    payload = claims if isinstance(claims, bytes) else json.dumps(claims, separators=(",", ":")).encode()
    header = b64u(json.dumps({"alg": "HS256"}, separators=(",", ":")).encode())
    return f"{header}.{b64u(payload)}.{b64u(b'not-a-signature')}"


cases = []


def case(name, headers, credential, route=ROUTE, method="GET", path="/things/7"):
    cases.append({"name": name, "op": "classify",
                  "request": {"method": method, "path": path, "headers": headers},
                  "expect": {"route": route, "credential": credential}})


def bearer(t):
    return {"authorization": f"Bearer {t}"}


ISS = "https://id.example.com"
case("no credential: the route only", {}, {"type": "none"})
case("no route, no credential", {}, {"type": "none"}, route=None, path="/elsewhere")
key = make(rng, "cls_pat")
case("an API key names the record to fetch by its id", {"x-api-key": key},
     {"type": "api_key", "kind": "personal_key", "id": key.split("_")[2]})
case("a malformed key of a known prefix names no id", {"x-api-key": "cls_pat_short"},
     {"type": "api_key", "kind": "personal_key", "id": None})
case("a user's session token names the user and the session",
     bearer(token({"iss": ISS, "sub": "bob", "sid": "s-bob-1"})),
     {"type": "token", "kind": "session", "principal": "user:bob", "session": "s-bob-1"})
case("a client_credentials token names the service account",
     bearer(token({"iss": ISS, "sub": "ci", "client_id": "ci"})),
     {"type": "token", "kind": "session", "principal": "service:ci", "session": None})
case("azp equal to sub is a client too",
     bearer(token({"iss": ISS, "sub": "ci", "azp": "ci"})),
     {"type": "token", "kind": "session", "principal": "service:ci", "session": None})
case("another issuer's kind types its subjects its own way",
     bearer(token({"iss": "https://partner.example.com", "sub": "acme", "sid": "p-1"})),
     {"type": "token", "kind": "partner", "principal": "partner:acme", "session": "p-1"})
case("an unknown issuer: no kind, so no principal",
     bearer(token({"iss": "https://elsewhere.example.com", "sub": "bob"})),
     {"type": "token", "kind": None, "principal": None, "session": None})
case("a subject with a control character names nothing to fetch",
     bearer(token({"iss": ISS, "sub": "bob\u0000", "sid": "s\nx"})),
     {"type": "token", "kind": "session", "principal": None, "session": None})
case("a subject that is not a string names nothing to fetch",
     bearer(token({"iss": ISS, "sub": 42})),
     {"type": "token", "kind": "session", "principal": None, "session": None})
case("unreadable claims: neither kind nor principal (two jwt kinds)",
     bearer(token(b"not json")),
     {"type": "token", "kind": None, "principal": None, "session": None})
case("two credentials are unrecognized, with the reason",
     {"authorization": f"Bearer {token({'iss': ISS, 'sub': 'bob'})}", "x-api-key": key},
     {"type": "unrecognized", "reason": "the request carries more than one credential"})
case("a Basic credential is unrecognized", {"authorization": "Basic Ym9iOnB3"},
     {"type": "unrecognized", "reason": "the Authorization scheme is not `Bearer` or `Token`"})

(OUT / "classify.json").write_text(json.dumps({
    "description": "classify: the route and what the host should fetch (a key record by id; a token's kind, "
                   "principal and session from its unverified claims)",
    "policy": POLICY, "cases": cases}, indent=2) + "\n")
print(f"wrote {OUT / 'classify.json'}")
