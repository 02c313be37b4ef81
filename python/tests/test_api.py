"""The Python API: keys, identities, requests, tokens, JWKS."""
import base64
import doctest
import hashlib
import json
import threading

import pytest

import permiso
from conftest import ROOT

NOW = 1767225600
POLICY = ROOT / "examples" / "policy.yaml"
KEYS = ROOT / "tools" / "vectors" / "keys"


@pytest.fixture(scope="module")
def policy():
    return permiso.Policy.from_file(POLICY)


def test_docstring_examples_run():
    failures, tried = doctest.testmod(permiso)
    assert tried > 0 and failures == 0


def test_one_policy_in_every_format_has_one_hash(tmp_path):
    yaml_policy = permiso.Policy.from_file(POLICY)
    doc = {"version": 1, "permissions": ["a:b", "a:c"], "roles": {"r": {"permissions": ["a:*"]}}}
    (tmp_path / "p.json").write_text(json.dumps(doc))
    (tmp_path / "p.toml").write_text('version = 1\npermissions = ["a:b", "a:c"]\n[roles.r]\npermissions = ["a:*"]\n')
    (tmp_path / "p.yml").write_text("version: 1\npermissions: [a:b, a:c]\nroles: {r: {permissions: ['a:*']}}\n")
    hashes = {permiso.Policy.from_file(tmp_path / n).hash for n in ("p.json", "p.toml", "p.yml")}
    assert len(hashes) == 1 and permiso.Policy.from_dict(doc).hash in hashes
    assert yaml_policy.hash.startswith("sha256:")
    assert "endpoints:run" in yaml_policy.permissions
    assert set(yaml_policy.credential_kinds) == {"personal_key", "project_key", "session"}


def test_keys_generate_verify_rotate(policy):
    generated = policy.generate_key("project_key", "project:p1", scopes=["endpoints:run"], label="ci",
                                    expires_at=NOW + 1000, now=NOW)
    key, record = generated.key, generated.record
    assert key.startswith("pmo_psk_") and key not in json.dumps(record) and "redacted" in repr(generated)
    assert permiso.hash_key(key) == record["hash"]
    parsed = policy.parse_key(key)
    assert isinstance(parsed, permiso.ParsedKeyInfo) and parsed.kind == "project_key"
    assert parsed.to_dict() == {"ok": True, "kind": "project_key", "id": parsed.id, "mask": parsed.mask,
                                "prefix": parsed.prefix}
    verified = policy.verify_key(key, record, now=NOW)
    assert (verified.principal, verified.kind, verified.scopes) == (f"key:{record['id']}", "project_key",
                                                                    ["endpoints:run"])
    identity = verified.identity({"id": "project:p1", "tenant": "project:p1"})
    assert policy.authorize(identity, "endpoints:run", "endpoint:x", "project:p1", now=NOW).allowed
    new, old = policy.rotate_key(record, grace=60, now=NOW + 10)
    assert old["expires_at"] == NOW + 70 and new.record["rolled_from"] == record["id"]
    assert new.record["expires_at"] == NOW + 1000
    with pytest.raises(permiso.ScopeEscalation) as e:
        policy.rotate_key(record, scopes=["endpoints:run", "flags:evaluate", "users:manage"], now=NOW)
    assert e.value.code == "scope_escalation"
    with pytest.raises(permiso.InvalidKey) as e:
        policy.verify_key(key, record, now=NOW + 1000)
    assert e.value.code == "expired"
    read_once = permiso.KeyRecord(record)
    assert (read_once.id, read_once.kind, read_once.owner, read_once.to_dict()) == (
        record["id"], "project_key", "project:p1", record)
    assert "sha256" not in repr(read_once) and record["id"] in repr(read_once)
    assert policy.verify_key(key, read_once, now=NOW).info().to_dict() == verified.info().to_dict()
    with pytest.raises(permiso.InvalidKey) as e:
        policy.verify_key(key, read_once, now=NOW + 1000)
    assert e.value.code == "expired"
    with pytest.raises(permiso.InvalidKey) as e:
        permiso.KeyRecord({**record, "scopes": "endpoints:run"})
    assert e.value.code == "invalid_key_record"
    peppered = policy.generate_key("personal_key", "user:alice", pepper=b"secret pepper", now=NOW)
    assert peppered.record["hash"].startswith("hmac-sha256:")
    assert policy.verify_key(peppered.key, peppered.record, pepper="secret pepper", now=NOW).principal == "user:alice"
    with pytest.raises(permiso.InvalidKey) as e:
        policy.verify_key(peppered.key, peppered.record, now=NOW)
    assert e.value.code == "invalid_key_record"


def test_identities_are_resolved_once_and_reused(policy):
    alice = policy.identity({"principal": {"id": "user:alice", "roles": ["viewer"],
                                           "grants": [{"resource": "deployment:web", "level": "write"}]}})
    assert alice.principal == "user:alice" and alice.to_dict()["principal"]["roles"] == ["viewer"]
    assert policy.authorize(alice, "deployments:write", "deployment:web").allowed
    assert policy.is_allowed(alice, "deployments:write", "deployment:web")
    assert not policy.is_allowed(alice, "deployments:write", "deployment:api")
    d = policy.authorize(alice, "deployments:write", "deployment:api")
    assert (d.allowed, d.code, d.status, d.missing, bool(d)) == (False, "missing_permission", 403,
                                                                 ["deployments:write"], False)
    assert d.audit["actor"]["principal"] == "user:alice" and json.loads(d.audit_json()) == d.audit
    assert len(d.decision_id) == 32


def test_a_decision_on_an_identity_makes_its_record_when_read(policy):
    """The record is made from the call's arguments and time, whatever happens to the
    caller's names afterwards; it is made once, and a record argument is read at once."""
    identity = policy.identity({"principal": {"id": "user:bob", "tenant": "acme", "roles": ["viewer"]}})
    action, resource, tenant = "deployments:write", "deployment:web", "acme"
    d = policy.authorize(identity, action, resource, tenant, now=NOW)
    del identity
    action = resource = tenant = None
    assert (d.allowed, d.ok, d.code, d.status, bool(d)) == (False, False, "missing_permission", 403, False)
    assert "allowed=False" in repr(d) and "missing_permission" in repr(d)
    assert (d.action, d.resource, d.tenant, d.principal) == ("deployments:write", "deployment:web", "acme",
                                                             "user:bob")
    assert d.audit["time"] == NOW and d.missing == ["deployments:write"]
    assert d.decision_id == d.audit["decision_id"] == d.to_dict()["audit"]["decision_id"]
    later = policy.authorize(policy.identity({"principal": {"id": "user:bob", "roles": ["viewer"]}}),
                             "deployments:read", "deployment:web", now=NOW + 60)
    assert later.allowed and later.audit["time"] == NOW + 60 and later.tenant is None
    with pytest.raises(TypeError):
        policy.authorize(policy.identity({"principal": {"id": "user:bob"}}), 42)

def test_requests_and_classify(policy):
    generated = policy.generate_key("project_key", "project:p1", now=NOW)
    headers = {"Authorization": f"Bearer {generated.key}"}
    classified = policy.classify("PUT", "/api/projects/p1/endpoints/nightly", headers)
    assert classified.route.permission == "endpoints:configure"
    assert classified.credential == {"type": "api_key", "kind": "project_key", "id": generated.record["id"]}
    d = policy.authorize_request("PUT", "/api/projects/p1/endpoints/nightly", headers,
                                 keys=[generated.record], now=NOW)
    assert (d.code, d.status) == ("credential_kind_not_allowed", 403)
    assert d.message == "project_key credentials are not accepted for PUT /api/projects/{project}/endpoints/{name}"
    d = policy.authorize_request("POST", "/api/projects/p1/endpoints/nightly/run", list(headers.items()),
                                 keys=[generated.record], principals=[{"id": "project:p1", "tenant": "project:p1"}],
                                 now=NOW)
    assert d.allowed and d.route == "POST /api/projects/{project}/endpoints/{name}/run"
    assert d.principal == f"key:{generated.record['id']}" and d.key_id == generated.record["id"]
    # The field names of every runtime's decision record.
    assert d.ok and d.credential == {"kind": "project_key", "id": generated.record["id"]}
    assert {k: v for k, v in d.to_dict().items() if k in ("ok", "credential")} == {"ok": d.ok, "credential": d.credential}
    assert policy.authorize_request("GET", "/nowhere", {}, now=NOW).code == "no_route"
    assert policy.authorize_request("GET", "/api/audit", {"authorization": ["Bearer a.b.c", "Bearer d.e.f"]},
                                    now=NOW).code == "unrecognized_credential"


def hmac_secret(name):
    k = json.loads((KEYS / "hmac.json").read_text())[name]
    return base64.urlsafe_b64decode(k + "=" * (-len(k) % 4))


@pytest.fixture(scope="module")
def token_policy():
    doc = json.loads((ROOT / "tests" / "vectors" / "tokens.json").read_text())
    return permiso.Policy.from_dict(doc["policy"])


@pytest.mark.parametrize("alg,pem,kid", [("RS256", "rsa.pem", "rsa"), ("PS384", "rsa.pem", "rsa"),
                                         ("ES256", "ec256.pem", "ec256"), ("EdDSA", "ed25519.pem", "ed")])
def test_tokens_round_trip(token_policy, alg, pem, kid):
    key = permiso.SigningKey.from_pem(alg, (KEYS / pem).read_bytes(), kid=kid)
    assert key.algorithm == alg and "redacted" in repr(key)
    token = token_policy.issue_session("session", "alice", key, scopes=["deployments:read"], roles=["viewer"],
                                       session="s1", now=NOW)
    verified = token_policy.verify_jwt(token, now=NOW)
    assert (verified.principal, verified.algorithm, verified.scopes, verified.session) == (
        "user:alice", alg, ["deployments:read"], "s1")
    assert verified.claims["iss"] == "https://id.example.com"
    with pytest.raises(permiso.InvalidToken) as e:
        token_policy.verify_jwt(token, revoked_sessions=["s1"], now=NOW)
    assert e.value.code == "session_revoked"


@pytest.mark.parametrize("name", ["claims the rules do not read may hold any JSON",
                                  "a repeated claim: the last one counts"])
def test_claims_are_every_claim_of_the_payload(name):
    doc = json.loads((ROOT / "tests" / "vectors" / "tokens.json").read_text())
    policy = permiso.Policy.from_dict(doc["policy"])
    token = next(c for c in doc["cases"] if c["name"] == name)["token"]
    payload = token.split(".")[1]
    expected = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims = policy.verify_jwt(token, now=doc["now"]).claims
    assert claims == expected and claims["sub"] == "alice"


def test_token_cache_remembers_signatures_only():
    doc = json.loads((ROOT / "tests" / "vectors" / "tokens.json").read_text())
    policy = permiso.Policy.from_dict(doc["policy"])
    key = permiso.SigningKey.from_pem("ES256", (KEYS / "ec256.pem").read_bytes(), kid="ec256")
    token = policy.issue_session("session", "alice", key, session="s1", now=NOW)
    assert policy.cached_tokens() == 0
    policy.cache_tokens(8)
    first = policy.verify_jwt(token, now=NOW).to_dict()
    assert policy.cached_tokens() == 1 and policy.verify_jwt(token, now=NOW).to_dict() == first
    for options, code in [({"now": NOW + 100_000}, "expired"), ({"now": NOW, "revoked_sessions": ["s1"]},
                                                                   "session_revoked")]:
        with pytest.raises(permiso.InvalidToken) as e:
            policy.verify_jwt(token, **options)
        assert e.value.code == code
    public = {"keys": [k for k in doc["policy"]["credentials"]["session"]["jwks"]["keys"]
                       if k["kty"] != "oct" and k["kid"] != "ec256"]}
    policy.set_jwks("session", public)
    assert policy.cached_tokens() == 0
    with pytest.raises(permiso.InvalidToken) as e:
        policy.verify_jwt(token, now=NOW)
    assert e.value.code == "unknown_key"
    for bad in (-1, 10**7):
        with pytest.raises(permiso.InvalidArgument) as e:
            policy.cache_tokens(bad)
        assert e.value.code == "invalid_argument" and "capacity" in e.value.message


def test_a_request_whose_signature_the_host_checks():
    doc = json.loads((ROOT / "tests" / "vectors" / "tokens.json").read_text())
    routes = [{"method": "GET", "path": "/api/deployments/{deployment}", "permission": "deployments:read",
               "resource": "deployment:{deployment}"}]
    policy = permiso.Policy.from_dict({**doc["policy"], "routes": routes})
    key = permiso.SigningKey.from_pem("ES256", (KEYS / "ec256.pem").read_bytes(), kid="ec256")
    token = policy.issue_session("session", "alice", key, roles=["viewer"], session="s1", now=NOW)
    headers = {"authorization": f"Bearer {token}"}
    assert policy.begin_request({}) is None
    pending = policy.begin_request(headers)
    assert pending.algorithm == "ES256" and pending.public_jwk["kty"] == "EC"
    # RFC 7638: SHA-256 of the required members, sorted, without whitespace.
    canonical = json.dumps({m: pending.public_jwk[m] for m in ("crv", "kty", "x", "y")},
                           separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode()).digest()
    assert pending.key_thumbprint == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    by_path = lambda verdict, **host: policy.complete_request(  # noqa: E731
        "GET", "/api/deployments/web", headers, pending, verdict, **{"now": NOW, **host})
    by_route = lambda verdict, **host: policy.complete_route(  # noqa: E731
        "GET", "/api/deployments/{deployment}", {"deployment": "web"}, headers, pending, verdict,
        **{"now": NOW, **host})
    for decide in (by_path, by_route):
        assert decide(True).allowed and decide(None).allowed
        assert decide(True).resource == "deployment:web"
        assert decide(False).code == "bad_signature"
        assert decide(True, revoked_sessions=["s1"]).code == "session_revoked"
        assert decide(True, now=NOW + 100_000).code == "expired"
    assert policy.complete_route("GET", "/api/nowhere", {}, headers, pending, True, now=NOW).code == "no_route"
    policy.cache_tokens(4)
    assert by_route(True).allowed and policy.cached_tokens() == 1
    assert policy.begin_request(headers).public_jwk is None, "a known signature is not handed over again"
    assert policy.begin_request(headers).key_thumbprint is None
    assert policy.authorize_route("GET", "/api/deployments/{deployment}", {"deployment": "web"}, headers,
                                  now=NOW).allowed


def test_delegation(token_policy):
    key = permiso.SigningKey.hmac("HS512", hmac_secret("hs64"), kid="hs64")
    token = token_policy.issue_session("session", "alice", key, roles=["viewer"], now=NOW)
    alice = token_policy.verify_jwt(token, now=NOW).identity()
    delegated = token_policy.delegate("session", alice, key, actor="mobile-app", scopes=["deployments:read"], now=NOW)
    verified = token_policy.verify_jwt(delegated, now=NOW)
    assert verified.actor_chain == ["mobile-app"] and verified.scopes == ["deployments:read"]
    with pytest.raises(permiso.ScopeEscalation):
        token_policy.delegate("session", alice, key, actor="mobile-app", scopes=["deployments:write"], now=NOW)
    host = {"id": "user:alice", "deny": ["deployments:read"]}
    assert token_policy.authorize(verified.identity(host), "deployments:read", now=NOW).code == "explicitly_denied"


def test_jwks_rotation_and_refresh(token_policy):
    doc = json.loads((ROOT / "tests" / "vectors" / "tokens.json").read_text())
    # A runtime key set holds public keys only; the policy's HMAC secrets stay.
    jwks = {"keys": [k for k in doc["policy"]["credentials"]["session"]["jwks"]["keys"] if k["kty"] != "oct"]}
    key = permiso.SigningKey.from_pem("EdDSA", (KEYS / "ed25519.pem").read_text(), kid="ed")
    token = token_policy.issue_session("session", "alice", key, now=NOW)
    with pytest.raises(permiso.InvalidPolicy) as e:
        token_policy.set_jwks("session", doc["policy"]["credentials"]["session"]["jwks"])
    assert e.value.detail == "invalid_jwk" and "public keys only" in e.value.message
    with pytest.raises(permiso.InvalidPolicy) as e:
        token_policy.set_secrets("session", jwks)
    assert e.value.detail == "invalid_jwk" and "`oct` keys only" in e.value.message
    token_policy.set_jwks("session", {"keys": [k for k in jwks["keys"] if k["kid"] != "ed"]})
    try:
        with pytest.raises(permiso.InvalidToken) as e:
            token_policy.verify_jwt(token, now=NOW)
        assert e.value.code == "unknown_key"
        with pytest.raises(permiso.InvalidPolicy) as e:
            token_policy.set_jwks("session", {"keys": [{"kty": "oct", "k": "c2hvcnQ"}]})
        assert e.value.detail == "invalid_jwk"
        assert "ed" not in token_policy.jwks_kids("session")
    finally:
        token_policy.set_jwks("session", jwks)
    assert token_policy.verify_jwt(token, now=NOW).principal == "user:alice"
    refresh = permiso.JwksRefresh(max_age=300, cooldown=30)
    assert refresh.due(0)
    refresh.succeeded(100)
    assert not refresh.due(399) and refresh.due(400)
    assert not refresh.on_unknown_kid(110) and refresh.on_unknown_kid(130)
    refresh.failed(130)
    assert refresh.failures == 1 and refresh.next_fetch_at == 190


def test_verification_releases_the_gil(token_policy):
    key = permiso.SigningKey.from_pem("RS256", (KEYS / "rsa.pem").read_bytes(), kid="rsa")
    token = token_policy.issue_session("session", "alice", key, now=NOW)
    results = []

    def work():
        for _ in range(50):
            results.append(token_policy.verify_jwt(token, now=NOW).principal)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["user:alice"] * 200


def test_a_string_never_stands_for_a_list(policy):
    """A text column read back as `"deployments:*"` is not the scopes d, e, ..., *."""
    generated = policy.generate_key("personal_key", "user:alice", now=NOW)
    record = dict(generated.record, scopes="deployments:*")
    with pytest.raises(permiso.InvalidKey) as e:
        policy.verify_key(generated.key, record, now=NOW)
    assert e.value.code == "invalid_key_record"
    with pytest.raises(permiso.InvalidKey) as e:
        policy.authorize_request("GET", "/api/deployments/web", {"authorization": f"Bearer {generated.key}"},
                                 keys=[record], now=NOW)
    assert e.value.code == "invalid_key_record"
    for field in ("roles", "allow", "deny", "grants"):
        with pytest.raises(permiso.InvalidPrincipal) as e:
            policy.identity({"principal": {"id": "user:alice", field: "admin"}})
        assert e.value.code == "invalid_principal", field
    with pytest.raises(permiso.InvalidPrincipal):
        policy.identity({"principal": {"id": "user:alice"}, "credential": {"scopes": "deployments:*"}})


def test_times_are_unix_seconds(policy):
    import time
    alice = policy.identity({"principal": {"id": "user:alice", "roles": ["viewer"]}})
    assert policy.authorize(alice, "deployments:read", now=time.time()).allowed
    assert policy.authorize(alice, "deployments:read", now=1767225600.9).audit["time"] == 1767225600
    with pytest.raises(permiso.PermisoError) as e:
        policy.authorize(alice, "deployments:read", now=time.time() * 1000)
    assert e.value.code == "invalid_argument" and "milliseconds" in e.value.message
    with pytest.raises(permiso.PermisoError) as e:
        policy.generate_key("personal_key", "user:alice", expires_at=(NOW + 3600) * 1000, now=NOW)
    assert e.value.code == "invalid_argument"
    generated = policy.generate_key("personal_key", "user:alice", expires_at=NOW + 3600.5, now=NOW)
    assert generated.record["expires_at"] == NOW + 3600


def test_every_operation_of_the_core_is_exposed():
    # Each listed operation is a method of Policy or a function of the
    # package, spelled as the core spells it.
    operations = permiso.operations()
    assert len(operations) >= 20 and "authorize_route" in operations
    missing = [op for op in operations if not hasattr(permiso.Policy, op) and not hasattr(permiso, op)]
    assert missing == []
    assert permiso.version() == permiso.__version__


def test_defaults_come_from_the_core(token_policy):
    key = permiso.SigningKey.hmac("HS512", hmac_secret("hs64"), kid="hs64")
    session = token_policy.issue_session("session", "alice", key, roles=["viewer"], now=NOW)
    verified = token_policy.verify_jwt(session, now=NOW)
    assert verified.to_dict()["expires_at"] == NOW + 900
    delegated = token_policy.delegate("session", verified.identity(), key, actor="app", scopes=["deployments:read"],
                                      now=NOW)
    assert token_policy.verify_jwt(delegated, now=NOW).to_dict()["expires_at"] == NOW + 300


def test_rotation_grace_defaults_to_a_day(policy):
    generated = policy.generate_key("personal_key", "user:alice", now=NOW)
    _, old = policy.rotate_key(generated.record, now=NOW)
    assert old["expires_at"] == NOW + 86400


def test_the_signature_may_be_checked_elsewhere(token_policy):
    key = permiso.SigningKey.hmac("HS512", hmac_secret("hs64"), kid="hs64")
    token = token_policy.issue_session("session", "alice", key, now=NOW)
    pending = token_policy.begin_jwt(token, now=NOW)
    assert pending.algorithm == "HS512" and pending.public_jwk is None
    assert pending.signing_input == token.rsplit(".", 1)[0].encode()
    assert token_policy.complete_jwt(pending, now=NOW).principal == "user:alice"
    with pytest.raises(permiso.PermisoError) as e:
        token_policy.complete_jwt(pending, now=NOW)
    assert e.value.code == "invalid_argument"
    ed = permiso.SigningKey.from_pem("EdDSA", (KEYS / "ed25519.pem").read_bytes(), kid="ed")
    refused = token_policy.begin_jwt(token_policy.issue_session("session", "alice", ed, now=NOW), now=NOW)
    assert refused.public_jwk["kty"] == "OKP"
    with pytest.raises(permiso.InvalidToken) as e:
        token_policy.complete_jwt(refused, False, now=NOW)
    assert e.value.code == "bad_signature"
