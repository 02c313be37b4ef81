"""Replays every conformance vector through the Python API."""
import base64
import json

import pytest

import permiso
from conftest import vector_dir

SET_KEYS = {"scopes", "missing", "roles"}
NOW = None


def matches(expect, actual, path="expect"):
    if isinstance(expect, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        for key, value in expect.items():
            assert key in actual, f"{path}.{key} is missing from {actual!r}"
            if key in SET_KEYS and isinstance(value, list) and isinstance(actual[key], list):
                assert sorted(map(json.dumps, value)) == sorted(map(json.dumps, actual[key])), \
                    f"{path}.{key}: expected the set {value!r}, got {actual[key]!r}"
            else:
                matches(value, actual[key], f"{path}.{key}")
    elif isinstance(expect, list):
        assert isinstance(actual, list) and len(actual) == len(expect), f"{path}: expected {expect!r}, got {actual!r}"
        for i, (e, a) in enumerate(zip(expect, actual)):
            matches(e, a, f"{path}[{i}]")
    elif isinstance(expect, bool) or expect is None:
        assert actual is expect, f"{path}: expected {expect!r}, got {actual!r}"
    else:
        assert expect == actual, f"{path}: expected {expect!r}, got {actual!r}"


def refused(e: permiso.PermisoError) -> dict:
    return {"ok": False, "allowed": False, "code": e.code, "message": e.message}


def headers(request: dict) -> list:
    out = []
    for name, value in request.get("headers", {}).items():
        for v in value if isinstance(value, list) else [value]:
            out.append((name, v))
    return out


def delegate(policy, now, case):
    """Resolve the delegating identity, sign with the case's HMAC key, then
    verify what was issued at `then`."""
    source = case["from"]
    principals = {p["id"]: p for p in case.get("principals", [])}
    if "identity" in source:
        identity = policy.identity(source["identity"])
    elif "token" in source:
        parent = policy.verify_jwt(source["token"], now=now)
        identity = parent.identity(principals.get(parent.principal))
    else:
        record = source["record"]
        identity = policy.verify_key(source["key"], record, now=now).identity(principals.get(record["owner"]))
    signing = case["signing"]
    secret = base64.urlsafe_b64decode(signing["secret"] + "=" * (-len(signing["secret"]) % 4))
    key = permiso.SigningKey.hmac(signing["alg"], secret, kid=signing.get("kid"))
    token = policy.delegate(case["kind"], identity, key, actor=case["actor"], scopes=case.get("scopes", []),
                            audience=case.get("audience"), lifetime=case.get("lifetime"), now=now)
    then = case.get("then", {})
    try:
        verified = policy.verify_jwt(token, revoked_sessions=then.get("revoked_sessions"),
                                     revoked_keys=then.get("revoked_keys"), now=then.get("now", now)).to_dict()
    except permiso.PermisoError as e:
        verified = refused(e)
    expires_at = verified.get("expires_at")
    return {"ok": True, "code": "allowed", "lifetime": None if expires_at is None else expires_at - now,
            "verified": verified}


def run(policy, now, case):
    op = case["op"]
    pepper = case.get("pepper")
    try:
        if op == "load_policy":
            return {"ok": True, "hash": permiso.Policy.from_dict(case["policy"]).hash}
        if op == "parse_key":
            return policy.parse_key(case["key"]).to_dict()
        if op == "hash_key":
            return {"ok": True, "hash": permiso.hash_key(case["key"], pepper=pepper)}
        if op == "verify_key":
            return policy.verify_key(case["key"], case["record"], pepper=pepper,
                                     revoked_keys=case.get("revoked_keys"), now=now).info().to_dict()
        if op == "verify_jwt":
            return policy.verify_jwt(case["token"], revoked_sessions=case.get("revoked_sessions"),
                                     kind=case.get("kind"), now=now).to_dict()
        if op == "authorize":
            resource = case.get("resource")
            if "attributes" in case:
                resource = {"id": resource, "attributes": case["attributes"]}
            return policy.authorize(case["identity"], case["action"], resource, case.get("tenant"),
                                    now=now).to_dict()
        if op == "authzen":
            host = {"principals": case.get("principals"), "resources": case.get("resources"), "now": now}
            first = policy.authzen(case["api"], case["request"], **host)
            then = case.get("then")
            if then is None:
                return first
            request = json.loads(json.dumps(then["request"]))
            if "page" in request:
                request["page"]["token"] = first.get("page", {}).get("next_token")
            return policy.authzen(then.get("api", case["api"]), request, **host)
        if op == "classify":
            r = case["request"]
            return policy.classify(r["method"], r["path"], headers(r)).to_dict()
        if op == "authorize_request":
            r = case["request"]
            return policy.authorize_request(
                r["method"], r["path"], headers(r), keys=case.get("keys"), principals=case.get("principals"),
                resources=case.get("resources"), revoked_keys=case.get("revoked_keys"), revoked_sessions=case.get("revoked_sessions"),
                pepper=pepper, now=now).to_dict()
        if op == "authorize_route":
            r = case["route"]
            return policy.authorize_route(
                r["method"], r["template"], r.get("params", {}), headers(case), keys=case.get("keys"),
                principals=case.get("principals"), resources=case.get("resources"), revoked_keys=case.get("revoked_keys"),
                revoked_sessions=case.get("revoked_sessions"), pepper=pepper, now=now).to_dict()
        if op == "rotate_key":
            new, old = policy.rotate_key(case["record"], grace=case.get("grace"), scopes=case.get("scopes"),
                                         expires_at=case.get("expires_at"), pepper=pepper,
                                         revoked_keys=case.get("revoked_keys"), now=now)
            return {"ok": True, "code": "allowed", "new": new.record, "old": old}
        if op == "delegate":
            return delegate(policy, now, case)
    except permiso.InvalidPolicy as e:
        return {**refused(e), "detail": e.detail, "path": e.path}
    except permiso.PermisoError as e:
        return refused(e)
    raise AssertionError(f"unsupported op {op!r}")


def load_cases():
    files = sorted(vector_dir().glob("*.json"))
    assert files, f"no vector files in {vector_dir()}"
    for path in files:
        doc = json.loads(path.read_text())
        assert doc["cases"], f"{path.name} has no cases"
        for i, case in enumerate(doc["cases"]):
            yield pytest.param(doc, case, id=f"{path.name}::{i}::{case['name']}")


_policies = {}


def file_policy(doc):
    key = id(doc)
    if key not in _policies:
        try:
            _policies[key] = permiso.Policy.from_dict(doc["policy"]) if "policy" in doc else None
        except permiso.InvalidPolicy as e:
            _policies[key] = e
    return _policies[key]


def case_policy(doc, case):
    if case["op"] != "load_policy" and "policy" in case:
        return permiso.Policy.from_dict(case["policy"])
    policy = file_policy(doc)
    assert not isinstance(policy, Exception), f"the vector's policy is invalid: {policy}"
    return policy


@pytest.mark.parametrize("doc,case", list(load_cases()))
def test_vector(doc, case):
    matches(case["expect"], run(case_policy(doc, case), case.get("now", doc.get("now")), case))


def _key_cases():
    for param in load_cases():
        doc, case = param.values
        if case["op"] == "verify_key":
            yield pytest.param(doc, case, id=param.id)


@pytest.mark.parametrize("doc,case", list(_key_cases()))
def test_vector_with_a_key_record(doc, case):
    """A `KeyRecord` read once verifies exactly as its dict does (a record refused at
    reading carries the code the dict gets from `verify_key`)."""
    policy = file_policy(doc)
    try:
        record = permiso.KeyRecord(case["record"])
    except permiso.PermisoError as e:
        expected = run(policy, case.get("now", doc.get("now")), case)
        assert (expected["ok"], expected["code"], expected["message"]) == (False, e.code, e.message)
        return
    matches(case["expect"], run(policy, case.get("now", doc.get("now")), {**case, "record": record}))


def _authorize_cases():
    for param in load_cases():
        doc, case = param.values
        if case["op"] == "authorize":
            yield pytest.param(doc, case, id=param.id)


def _without_id(record):
    """A decision's record without its decision id (random per decision), also in its audit record."""
    record = {k: v for k, v in record.items() if k != "decision_id"}
    if isinstance(record.get("audit"), dict):
        record["audit"] = {k: v for k, v in record["audit"].items() if k != "decision_id"}
    return record


@pytest.mark.parametrize("doc,case", list(_authorize_cases()))
def test_vector_with_an_identity(doc, case):
    """A decision on a resolved `Identity` (its record made when first read) answers
    exactly as the one made at once from the identity's dict: first `allowed`, `ok`,
    `code` and `status`, then every field but the decision's id."""
    policy = case_policy(doc, case)
    now = case.get("now", doc.get("now"))
    try:
        identity = policy.identity(case["identity"])
    except permiso.PermisoError as e:
        expected = run(policy, now, case)
        assert (expected["ok"], expected["code"], expected["message"]) == (False, e.code, e.message)
        return
    eager = run(policy, now, case)
    resolved = {**case, "identity": identity}
    decision = policy.authorize(identity, case["action"], case.get("resource"), case.get("tenant"), now=now) \
        if "attributes" not in case else None
    if decision is not None:
        early = (decision.allowed, decision.ok, decision.code, decision.status)
        assert early == (eager["allowed"], eager["ok"], eager["code"], eager["status"])
    later = run(policy, now, resolved)
    matches(case["expect"], later)
    assert _without_id(later) == _without_id(eager)
    assert later["audit"]["time"] == eager["audit"]["time"]
