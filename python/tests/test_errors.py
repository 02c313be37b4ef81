"""Bad input: TypeError or a PermisoError with a code, never a panic; the
instance keeps working afterwards."""
import pytest

import permiso
from conftest import ROOT

NOW = 1767225600


@pytest.fixture(scope="module")
def policy():
    return permiso.Policy.from_file(ROOT / "examples" / "policy.yaml")


def test_hierarchy_and_codes():
    for cls in (permiso.InvalidPolicy, permiso.InvalidKey, permiso.InvalidToken, permiso.InvalidPrincipal,
                permiso.ScopeEscalation):
        assert issubclass(cls, permiso.PermisoError)
    assert not issubclass(permiso.InvalidKey, KeyError), "must not shadow builtins"
    assert "bad_checksum" in permiso.codes() and len(set(permiso.codes())) == len(permiso.codes())


def test_invalid_policies_carry_detail_path_and_issues():
    with pytest.raises(permiso.InvalidPolicy) as e:
        permiso.Policy.from_yaml("version: 1\nroles:\n  a: {inherits: [b]}\n  c: {permissions: [x:y]}\n")
    err = e.value
    assert (err.code, err.detail, err.path) == ("invalid_policy", "unknown_role", "roles.a.inherits[0]")
    assert [i[0] for i in err.issues] == ["unknown_role", "unknown_permission"]
    with pytest.raises(permiso.InvalidPolicy) as e:
        permiso.Policy.from_json("{")
    assert e.value.detail == "parse_error"
    with pytest.raises(permiso.InvalidPolicy):
        permiso.Policy.from_dict({"version": "one"})
    with pytest.raises(ValueError):
        permiso.Policy.from_file(ROOT / "README.md")
    with pytest.raises(FileNotFoundError):
        permiso.Policy.from_file(ROOT / "nope.yaml")


@pytest.mark.parametrize("call", [
    lambda p: p.authorize({"principal": {"id": "user:1"}}, 42),
    lambda p: p.authorize({"principal": {"id": "user:1"}}, None),
    lambda p: p.authorize_request("GET", "/api/audit", None),
    lambda p: p.authorize_request("GET", "/api/audit", {"authorization": b"Bearer x"}),
    lambda p: p.authorize_request("GET", "/api/audit", {b"authorization": "Bearer x"}),
    lambda p: p.authorize_request("GET", "/api/audit", [("authorization",)]),
    lambda p: p.authorize_request(None, "/api/audit", {}),
    lambda p: p.authorize_request("GET", 7, {}),
    lambda p: p.verify_jwt(123),
    lambda p: p.verify_key(None, {}),
    lambda p: p.generate_key("personal_key", 5),
    lambda p: p.generate_key("personal_key", "user:1", pepper=3.5),
    lambda p: permiso.hash_key(b"bytes"),
    lambda p: permiso.SigningKey.hmac("HS256", "not bytes"),
    lambda p: permiso.SigningKey.from_pem("RS256", 12),
])
def test_wrong_types_raise_type_error(policy, call):
    with pytest.raises(TypeError):
        call(policy)
    # The instance keeps working.
    assert policy.authorize({"principal": {"id": "user:1", "roles": ["admin"]}}, "audit:read", now=NOW).allowed


@pytest.mark.parametrize("call,exc,code", [
    (lambda p: p.authorize({"principal": {"id": 5}}, "audit:read"), permiso.InvalidPrincipal, "invalid_principal"),
    (lambda p: p.authorize({"principal": {"id": "alice"}}, "audit:read"), permiso.InvalidPrincipal,
     "invalid_principal"),
    (lambda p: p.authorize({"nope": 1}, "audit:read"), permiso.InvalidPrincipal, "invalid_principal"),
    (lambda p: p.authorize_request("GET", "/api/audit", {}, keys=[{"id": 1}]), permiso.InvalidKey,
     "invalid_key_record"),
    (lambda p: p.authorize_request("GET", "/api/audit", {}, principals="x"), permiso.InvalidPrincipal,
     "invalid_principal"),
    (lambda p: p.verify_key("pmo_pat_x", {"id": "x"}), permiso.InvalidKey, "invalid_key_record"),
    (lambda p: p.parse_key("pmo_pat_\n"), permiso.InvalidKey, "malformed_key"),
    (lambda p: p.verify_jwt("a.b"), permiso.InvalidToken, "malformed_token"),
    (lambda p: p.verify_jwt("x" * 100000), permiso.InvalidToken, "malformed_token"),
    (lambda p: p.generate_key("session", "user:1"), permiso.PermisoError, "unknown_credential_kind"),
    (lambda p: p.generate_key("project_key", "project:p1", scopes=["users:manage"]), permiso.ScopeEscalation,
     "scope_escalation"),
    (lambda p: p.set_jwks("session", {"keys": "no"}), permiso.InvalidPolicy, "invalid_policy"),
    (lambda p: permiso.SigningKey.hmac("HS256", b"short"), permiso.InvalidToken, "unknown_key"),
    (lambda p: permiso.hash_key("not a key"), permiso.InvalidKey, "malformed_key"),
])
def test_bad_values_raise_permiso_errors_with_codes(policy, call, exc, code):
    with pytest.raises(exc) as e:
        call(policy)
    assert e.value.code == code and e.value.message
    assert policy.authorize({"principal": {"id": "user:1", "roles": ["admin"]}}, "audit:read", now=NOW).allowed


def test_hostile_strings_never_panic(policy):
    weird = ["", "\x00", "\ud800" if False else "é", "a" * 70000, "Bearer " + "A" * 40000, "../../etc", "%2F%2e%2e"]
    for w in weird:
        d = policy.authorize_request("GET", "/api/deployments/" + w, {"authorization": w, "x-api-key": w}, now=NOW)
        assert not d.allowed and d.status in (401, 403, 404)
        with pytest.raises(permiso.PermisoError):
            policy.verify_jwt(w, now=NOW)


def test_yaml_aliases_count_towards_the_nesting_limit():
    doc = "a0: &a0 " + "[" * 10 + "x" + "]" * 10 + "\n"
    doc += "".join(f"a{i}: &a{i} {'[' * 10}*a{i - 1}{']' * 10}\n" for i in range(1, 20))
    with pytest.raises(permiso.InvalidPolicy) as e:
        permiso.Policy.from_yaml(doc)
    assert e.value.code == "invalid_policy" and "through an alias" in e.value.message


@pytest.mark.parametrize("call,argument", [
    (lambda p: p.authorize_request("GET", "/api/audit", 5), "headers"),
    (lambda p: p.authorize_request("GET", "/api/audit", {"a": 5}), "headers"),
    (lambda p: p.authorize_route("GET", "/api/audit", [1], {}), "params"),
    (lambda p: p.generate_key("personal_key", "user:1", pepper=3.5), "pepper"),
    (lambda p: p.verify_jwt("a.b.c", now="soon"), "time"),
    (lambda p: permiso.JwksRefresh().due(now=1767225600000), "now"),
    (lambda p: p.verify_jwt("a.b.c", now=1767225600000), "now"),
])
def test_bad_arguments_name_the_argument(policy, call, argument):
    # An argument of the wrong type or shape: InvalidArgument, which is a
    # PermisoError with a code and also a TypeError, naming the argument.
    with pytest.raises(permiso.InvalidArgument) as e:
        call(policy)
    assert isinstance(e.value, TypeError) and isinstance(e.value, permiso.PermisoError)
    assert e.value.code == "invalid_argument"
    assert f"`{argument}`" in str(e.value), str(e.value)


def test_records_hold_json_data_only(policy):
    """A record is JSON data: a dict that contains itself, a set, an object, a huge int,
    a NaN or a non-string key is refused with the record's code, never a crash."""
    looped = {"id": "user:1"}
    looped["attributes"] = {"self": looped}
    for principal, reason in [
        (looped, "nested deeper than 64"),
        ({"id": "user:1", "roles": {"admin"}}, "`set` where JSON data was expected"),
        ({"id": "user:1", "attributes": {"x": object()}}, "`object` where JSON data was expected"),
        ({"id": "user:1", "attributes": {"x": 2**70}}, "out of the 64-bit range"),
        ({"id": "user:1", "attributes": {"x": float("nan")}}, "not finite"),
        ({"id": "user:1", "attributes": {1: "x"}}, "key that is not a string"),
    ]:
        with pytest.raises(permiso.InvalidPrincipal) as e:
            policy.identity({"principal": principal})
        assert e.value.code == "invalid_principal" and reason in e.value.message, e.value.message
    # The message says where the value is.
    with pytest.raises(permiso.InvalidPrincipal) as e:
        policy.identity({"principal": {"id": "user:1", "attributes": {"x": float("nan")}}})
    assert e.value.message.startswith("`identity.principal.attributes.x`: "), e.value.message
    assert policy.identity({"principal": {"id": "user:1", "roles": ("viewer",), "attributes": {"n": 2**63 - 1}}})
