"""Rules and the AuthZEN API through the Python package: the interop files,
ownership, search with pages, and bad requests."""
import json
import os
from pathlib import Path

import pytest

import permiso

ROOT = Path(__file__).resolve().parents[2]
AUTHZEN = ROOT / "examples" / "authzen"
# The published decision files when PERMISO_AUTHZEN names their directory.
DECISIONS = Path(os.environ.get("PERMISO_AUTHZEN", AUTHZEN / "interop"))


def replay(policy_file, host_file, decisions_file):
    policy = permiso.Policy.from_file(str(AUTHZEN / policy_file))
    host = json.loads((AUTHZEN / host_file).read_text())
    decisions = json.loads((DECISIONS / decisions_file).read_text())
    passed, failures = 0, []
    for i, entry in enumerate(decisions.get("evaluation", [])):
        got = policy.access_evaluation(entry["request"], principals=host["principals"])["decision"]
        if got == entry["expected"]:
            passed += 1
        else:
            failures.append(f"evaluation[{i}]: expected {entry['expected']}, got {got}")
    for i, entry in enumerate(decisions.get("evaluations", [])):
        got = [{"decision": e["decision"]}
               for e in policy.access_evaluations(entry["request"], principals=host["principals"])["evaluations"]]
        if got == entry["expected"]:
            passed += 1
        else:
            failures.append(f"evaluations[{i}]: expected {entry['expected']}, got {got}")
    return passed, failures


def test_the_interop_files_pass():
    todo, todo_failures = replay("todo-policy.yaml", "todo-host.json", "todo-decisions-1_0-02.json")
    gateway, gateway_failures = replay("gateway-policy.yaml", "gateway-host.json", "gateway-decisions.json")
    assert todo_failures == [] and gateway_failures == []
    assert (todo, gateway) == (43, 25)


POLICY = permiso.Policy.from_dict({
    "version": 1,
    "permissions": ["record:view", "record:edit"],
    "roles": {"auditor": {"permissions": ["record:view"]}},
    "rules": [
        {"permissions": ["record:view", "record:edit"], "when": {"resource.owner": "principal.id"}},
        {"permissions": ["record:view"], "when": {"resource.department": "principal.department"}},
    ],
})
ALICE = {"id": "user:alice", "attributes": {"department": "Sales"}}
RECORDS = [
    {"id": "record:1", "attributes": {"owner": "alice", "department": "Ops"}},
    {"id": "record:2", "attributes": {"owner": "bob", "department": "Sales"}},
    {"id": "record:3", "attributes": {"owner": "bob", "department": "Ops"}},
]


def test_an_owner_rule_decides_with_the_resource_record():
    identity = POLICY.identity({"principal": ALICE})
    assert POLICY.authorize(identity, "record:edit", RECORDS[0]).allowed
    refused = POLICY.authorize(identity, "record:edit", RECORDS[1])
    assert not refused.allowed and refused.code == "missing_permission"
    assert POLICY.is_allowed(identity, "record:view", RECORDS[1])
    # Without the record's attributes a rule has nothing to compare.
    assert not POLICY.is_allowed(identity, "record:edit", "record:1")


def test_search_returns_exactly_what_evaluation_allows_page_by_page():
    request = {"subject": {"type": "user", "id": "alice"}, "action": {"name": "view"},
               "resource": {"type": "record"}, "page": {"limit": 1}}
    seen = []
    while True:
        response = POLICY.search_resources(request, principals=[ALICE], resources=RECORDS)
        seen += [r["id"] for r in response["results"]]
        assert response["page"]["total"] == 2
        if not response["page"]["next_token"]:
            break
        request["page"]["token"] = response["page"]["next_token"]
    assert seen == ["1", "2"]
    for record in RECORDS:
        one = {"subject": {"type": "user", "id": "alice"}, "action": {"name": "view"},
               "resource": {"type": "record", "id": record["id"].split(":")[1]}}
        decided = POLICY.access_evaluation(one, principals=[ALICE], resources=RECORDS)["decision"]
        assert decided == (record["id"].split(":")[1] in seen)


def test_a_batch_crosses_once_and_a_bad_item_fails_alone():
    response = POLICY.access_evaluations({
        "subject": {"type": "user", "id": "alice"}, "action": {"name": "edit"},
        "evaluations": [{"resource": {"type": "record", "id": "1"}}, {"resource": {"type": "record"}},
                        {"resource": {"type": "record", "id": "2"}}],
    }, principals=[ALICE], resources=RECORDS)
    decisions = [e["decision"] for e in response["evaluations"]]
    assert decisions == [True, False, False]
    assert response["evaluations"][1]["context"]["error"]["status"] == 400


@pytest.mark.parametrize("api,request_,code", [
    ("evaluation", {"action": {"name": "view"}, "resource": {"type": "record", "id": "1"}}, "invalid_request"),
    ("evaluation", {"subject": {"type": 5, "id": "a"}, "action": {"name": "view"},
                    "resource": {"type": "record", "id": "1"}}, "invalid_request"),
    ("evaluations", {"evaluations": [], "options": {"evaluations_semantic": "some"}}, "invalid_request"),
    ("search/resource", {"subject": {"type": "user", "id": "alice"}, "action": {"name": "view"},
                         "resource": {"type": "record"}, "page": {"token": "AAAA"}}, "invalid_page_token"),
    ("search/everything", {}, "invalid_argument"),
])
def test_bad_requests_raise_with_their_code(api, request_, code):
    with pytest.raises(permiso.PermisoError) as raised:
        POLICY.authzen(api, request_, principals=[ALICE], resources=RECORDS)
    assert raised.value.code == code
    assert POLICY.is_allowed(POLICY.identity({"principal": ALICE}), "record:view", RECORDS[0])


def test_rules_are_validated_with_paths():
    with pytest.raises(permiso.InvalidPolicy) as raised:
        permiso.Policy.from_dict({"version": 1, "permissions": ["a:b"],
                                  "rules": [{"permissions": ["a:b"], "when": {"owner": "principal.id"}}]})
    assert raised.value.detail == "invalid_condition"
    assert raised.value.path == "rules[0].when.owner"


def without_ids(response):
    """A response with its decision ids (unique per decision) replaced."""
    if isinstance(response, dict):
        return {k: ("<id>" if k == "decision_id" else without_ids(v)) for k, v in response.items()}
    if isinstance(response, list):
        return [without_ids(v) for v in response]
    return response


BATCH = {
    "subject": {"type": "user", "id": "alice", "properties": {"ip": "10.0.0.1"}},
    "action": {"name": "view"},
    "resource": {"type": "record", "id": "3"},
    "context": {"time": 1.5, "tags": ["a", None, True]},
    "options": {"evaluations_semantic": "execute_all"},
    "evaluations": [
        {"resource": {"type": "record", "id": "1"}},
        {"resource": {"type": "record", "id": "2"}, "action": {"name": "edit"}},
        {"resource": {"type": "record", "id": "9", "properties": {"owner": "alice"}}, "action": {"name": "edit"}},
        {"resource": {"type": "record"}},
        {"subject": None, "resource": {"type": "record", "id": "3", "properties": None}},
    ],
}


def as_tuples(value):
    """The same data with every list a tuple."""
    if isinstance(value, dict):
        return {k: as_tuples(v) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(as_tuples(v) for v in value)
    return value


@pytest.mark.parametrize("api", ["evaluation", "evaluations"])
def test_python_data_is_answered_as_the_json_it_stands_for(api):
    expected = without_ids(POLICY.authzen(api, json.loads(json.dumps(BATCH)), principals=[ALICE], resources=RECORDS))
    assert [e["decision"] for e in expected.get("evaluations", [expected])] == (
        [True, False, True, False, False] if api == "evaluations" else [False])
    for request in (BATCH, as_tuples(BATCH)):
        got = POLICY.authzen(api, request, principals=[ALICE], resources=RECORDS)
        assert without_ids(got) == expected


@pytest.mark.parametrize("where,value,message", [
    ("context", {1, 2}, "has a `set` where JSON data was expected"),
    ("context", {"at": float("nan")}, "has a float that is not finite"),
    ("context", {1: "a"}, "has a key that is not a string"),
    ("subject", {"type": "user", "id": b"alice"}, "has a `bytes` where JSON data was expected"),
    ("resource", {"type": "record", "id": "1", "properties": {"n": 2 ** 70}}, "has an integer out of the 64-bit range"),
])
def test_a_request_that_is_not_json_data_is_refused_naming_what(where, value, message):
    request = {**BATCH, where: value}
    for api in ("evaluation", "evaluations"):
        with pytest.raises(permiso.PermisoError) as raised:
            POLICY.authzen(api, request, principals=[ALICE], resources=RECORDS)
        assert raised.value.code == "invalid_request"
        assert message in str(raised.value)


@pytest.mark.parametrize("item,message", [
    ({"resource": ("record", "1")}, "`evaluations[0].resource`: is not an object"),
    ({"resource": {"type": "record", "id": 1}}, "`evaluations[0].resource.id`: is not a string"),
    ({"resource": {"type": "record", "id": "1"}, "page": {"limit": 1.5}},
     "`evaluations[0].page.limit`: is not a whole number"),
])
def test_a_bad_item_is_answered_with_its_place(item, message):
    response = POLICY.access_evaluations({**BATCH, "evaluations": [item, BATCH["evaluations"][0]]},
                                         principals=[ALICE], resources=RECORDS)
    first, second = response["evaluations"]
    assert (first["decision"], first["context"]["error"]["message"]) == (False, message)
    assert second["decision"] is True


def test_a_batch_answer_shares_its_key_strings():
    # Each field name is one str object across the answer's dicts, not one
    # made per dict.
    answers = POLICY.access_evaluations(BATCH, principals=[ALICE], resources=RECORDS)["evaluations"]
    first, second = (list(a["context"].keys()) for a in answers[:2])
    assert first == second and all(a is b for a, b in zip(first, second))
