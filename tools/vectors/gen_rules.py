#!/usr/bin/env python3
"""Writes tests/vectors/rules.json (ownership and attribute rules) and
tests/vectors/authzen.json (the AuthZEN 1.0 API: evaluation, batches with
each semantic, the three searches, pagination and bad requests).

Expectations are written by hand from the rules' definition, not computed
by permiso; CI checks that re-running this script reproduces the files.
"""
import hashlib
import json
import pathlib
import random

from keyformat import make, record

NOW = 1767225600
OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "vectors"
rng = random.Random(1010)

POLICY = {
    "version": 1,
    "permissions": ["record:view", "record:edit", "record:delete", "record:publish", "report:view",
                    "report:export"],
    "roles": {
        "member": {"permissions": ["report:view"]},
        "manager": {"inherits": ["member"]},
        "director": {"inherits": ["manager"]},
        "auditor": {"permissions": ["record:view"]},
    },
    "credentials": {
        "personal_key": {"type": "api_key", "prefix": "rul_pat"},
        "viewer_key": {"type": "api_key", "prefix": "rul_view", "allowed": ["record:view", "report:*"]},
    },
    "routes": [
        {"method": "GET", "path": "/records/{id}", "permission": "record:view", "resource": "record:{id}"},
        {"method": "PUT", "path": "/records/{id}", "permission": "record:edit", "resource": "record:{id}"},
        {"method": "DELETE", "path": "/records/{id}", "permission": "record:delete", "resource": "record:{id}"},
        {"method": "GET", "path": "/reports", "permission": "report:view"},
    ],
    "rules": [
        {"permissions": ["record:view", "record:edit", "record:delete"],
         "when": {"resource.owner": "principal.id"}},
        {"permissions": ["record:view"], "when": {"resource.department": "principal.department"}},
        {"roles": ["manager"], "permissions": ["record:edit"],
         "when": {"resource.department": "principal.department", "resource.status": {"equals": "published"},
                  "resource.team": {"in": "principal.teams"}}},
        {"roles": ["director"], "permissions": ["record:publish"],
         "when": {"resource.level": {"equals": 3}, "resource.locked": {"equals": False}}},
        {"permissions": ["report:export"], "when": {"principal.type": {"equals": "user"},
                                                    "resource.type": {"equals": "report"}}},
    ],
}

ALICE = {"id": "user:alice", "roles": ["member"], "attributes": {"department": "Sales", "teams": ["a", "b"]}}
BOB = {"id": "user:bob", "roles": ["manager"], "attributes": {"department": "Sales", "teams": ["b", "c"]}}
CAROL = {"id": "user:carol", "roles": ["director"], "attributes": {"department": "Ops", "teams": []}}
DAN = {"id": "user:dan", "roles": ["member"], "deny": ["record:delete"], "attributes": {"department": "Ops"}}
SVC = {"id": "service:sync", "roles": ["auditor"], "attributes": {"department": "Sales"}}
PRINCIPALS = [ALICE, BOB, CAROL, DAN, SVC]

R101 = {"id": "record:101", "attributes": {"owner": "alice", "department": "Sales", "status": "published",
                                           "team": "b", "level": 3, "locked": False}}
R102 = {"id": "record:102", "attributes": {"owner": "bob", "department": "Sales", "status": "draft", "team": "c"}}
R103 = {"id": "record:103", "attributes": {"owner": "dan", "department": "Ops", "level": "3", "locked": False}}
R104 = {"id": "record:104", "attributes": {"owner": ["alice"], "department": "Legal", "level": 3}}
R105 = {"id": "record:105", "attributes": {}}
RESOURCES = [R101, R102, R103, R104, R105]


def identity(principal, **credential):
    out = {"principal": principal}
    if credential:
        out["credential"] = credential
    return out


def ok(**extra):
    return {"allowed": True, "code": "allowed", **extra}


def no(code, **extra):
    return {"allowed": False, "code": code, **extra}


cases = []


def authorize(name, principal, action, resource, expect, attributes=None, **credential):
    c = {"name": name, "op": "authorize", "identity": identity(principal, **credential), "action": action}
    if resource is not None:
        c["resource"] = resource["id"] if isinstance(resource, dict) else resource
        if isinstance(resource, dict):
            c["attributes"] = resource["attributes"]
    if attributes is not None:
        c["attributes"] = attributes
    c["expect"] = expect
    cases.append(c)


authorize("the owner may edit their record", ALICE, "record:edit", R101, ok())
authorize("the owner may delete their record", ALICE, "record:delete", R101, ok())
authorize("someone else's record is not theirs to edit", ALICE, "record:edit", R102,
          no("missing_permission", missing=["record:edit"]))
authorize("the department may view", ALICE, "record:view", R102, ok())
authorize("another department may not view", CAROL, "record:view", R101, no("missing_permission"))
authorize("a manager edits published records of a team they are in", BOB, "record:edit", R101, ok())
authorize("a manager may not edit a draft (one entry fails)", BOB, "record:edit", R102, ok(),)
cases[-1]["name"] = "the owner rule still lets bob edit his own draft"
authorize("a member is not a manager: the role-bound rule does not apply", ALICE, "record:edit",
          {"id": "record:106", "attributes": {"owner": "zed", "department": "Sales", "status": "published",
                                              "team": "a"}},
          no("missing_permission"))
authorize("a manager outside the record's team may not edit it", BOB, "record:edit",
          {"id": "record:107", "attributes": {"owner": "zed", "department": "Sales", "status": "published",
                                              "team": "a"}},
          no("missing_permission"))
authorize("roles count by inheritance: a director is a manager", CAROL, "record:publish", R101, ok())
authorize("a literal compares as JSON: \"3\" is not 3", CAROL, "record:publish", R103, no("missing_permission"))
authorize("a missing attribute makes the entry false", CAROL, "record:publish", R104, no("missing_permission"))
authorize("a list is never equal to anything", ALICE, "record:edit", R104, no("missing_permission"))
authorize("a record without attributes matches no rule", ALICE, "record:view", R105, no("missing_permission"))
authorize("without the resource's record, rules needing attributes do not apply", ALICE, "record:edit",
          "record:101", no("missing_permission"))
authorize("without any resource, rules over the resource do not apply", ALICE, "record:view", None,
          no("missing_permission"))
authorize("principal.type and resource.type are the halves of the typed ids", ALICE, "report:export",
          {"id": "report:q1", "attributes": {}}, ok())
authorize("a service principal is not of type user", SVC, "report:export",
          {"id": "report:q1", "attributes": {}}, no("missing_permission"))
authorize("a role still allows without any rule", SVC, "record:view", R105, ok())
authorize("deny beats a rule", DAN, "record:delete", R103, no("explicitly_denied"))
authorize("a rule is not a deny: the owner may still view", DAN, "record:view", R103, ok())
authorize("a scope caps a rule", ALICE, "record:edit", R101, no("insufficient_scope", missing=["record:edit"]),
          kind="personal_key", scopes=["record:view"])
authorize("a scope that covers the action lets the rule allow", ALICE, "record:edit", R101, ok(),
          kind="personal_key", scopes=["record:*"])
authorize("a credential kind's allowed list caps a rule", ALICE, "record:edit", R101,
          no("credential_kind_not_allowed"), kind="viewer_key")
authorize("the kind's allowed list lets a rule allow what it lists", ALICE, "record:view", R101, ok(),
          kind="viewer_key")
authorize("an undeclared action stays unknown whatever the rules", ALICE, "record:archive", R101,
          no("unknown_permission"))
authorize("an integer attribute equals an integer literal", CAROL, "record:publish",
          {"id": "record:108", "attributes": {"level": 3, "locked": False}}, ok())
authorize("false is not 0", CAROL, "record:publish",
          {"id": "record:109", "attributes": {"level": 3, "locked": 0}}, no("missing_permission"))
authorize("`in` needs a list on its right", BOB, "record:edit",
          {"id": "record:110", "attributes": {"owner": "zed", "department": "Sales", "status": "published",
                                              "team": "b"}},
          no("missing_permission"))
cases[-1]["identity"]["principal"] = {**BOB, "attributes": {"department": "Sales", "teams": "b"}}
authorize("an attribute value that is not a string, integer, boolean or list is refused", ALICE, "record:view",
          None, no("invalid_principal"))
cases[-1]["identity"]["principal"] = {**ALICE, "attributes": {"department": {"name": "Sales"}}}
authorize("a nested list is refused", ALICE, "record:view", None, no("invalid_principal"))
cases[-1]["identity"]["principal"] = {**ALICE, "attributes": {"teams": [["a"]]}}
authorize("an attribute name outside [A-Za-z0-9_-] is refused", ALICE, "record:view", None,
          no("invalid_principal"))
cases[-1]["identity"]["principal"] = {**ALICE, "attributes": {"de pt": "Sales"}}
authorize("a float is refused", ALICE, "record:view", None, no("invalid_principal"))
cases[-1]["identity"]["principal"] = {**ALICE, "attributes": {"level": 1.5}}

# Requests: the route's resource record comes from the host's `resources`.
alice_key = make(rng, "rul_pat")
bob_key = make(rng, "rul_pat")
KEYS = [record(alice_key, "personal_key", "user:alice", NOW), record(bob_key, "personal_key", "user:bob", NOW)]


def request(name, method, path, key, expect, resources=RESOURCES):
    cases.append({"name": name, "op": "authorize_request",
                  "request": {"method": method, "path": path, "headers": {"authorization": f"Bearer {key}"}},
                  "keys": KEYS, "principals": PRINCIPALS, "resources": resources, "expect": expect})


request("a request on an owned record is allowed by the rule", "DELETE", "/records/101", alice_key,
        ok(status=200, principal="user:alice", resource="record:101"))
request("a request on another's record is refused", "DELETE", "/records/102", alice_key,
        no("missing_permission", status=403, resource="record:102"))
request("without the record in host data the rule cannot apply", "DELETE", "/records/101", alice_key,
        no("missing_permission", status=403), resources=[])
request("the manager rule through a request", "PUT", "/records/101", bob_key, ok(status=200))

# Policies: rules are validated with paths.


def bad(name, rules, detail, path):
    policy = json.loads(json.dumps(POLICY))
    policy["rules"] = rules
    cases.append({"name": name, "op": "load_policy", "policy": policy,
                  "expect": {"ok": False, "code": "invalid_policy", "detail": detail, "path": path}})


bad("an empty when is refused", [{"permissions": ["record:view"], "when": {}}], "invalid_condition",
    "rules[0].when")
bad("a rule without permissions is refused", [{"permissions": [], "when": {"resource.owner": "principal.id"}}],
    "invalid_condition", "rules[0].permissions")
bad("an unknown permission is refused", [{"permissions": ["record:fly"], "when": {"resource.a": "principal.a"}}],
    "unknown_permission", "rules[0].permissions[0]")
bad("an unknown role is refused",
    [{"roles": ["ghost"], "permissions": ["record:view"], "when": {"resource.a": "principal.a"}}],
    "unknown_role", "rules[0].roles[0]")
bad("a reference must start with principal. or resource.",
    [{"permissions": ["record:view"], "when": {"request.ip": "principal.ip"}}], "invalid_condition",
    "rules[0].when.request.ip")
bad("a reference's value must be a reference", [{"permissions": ["record:view"], "when": {"resource.a": "alice"}}],
    "invalid_condition", "rules[0].when.resource.a")
bad("an unknown test is refused",
    [{"permissions": ["record:view"], "when": {"resource.a": {"matches": "a.*"}}}], "invalid_condition",
    "rules[0].when.resource.a")
bad("in takes a reference, not a literal list",
    [{"permissions": ["record:view"], "when": {"resource.a": {"in": ["x", "y"]}}}], "invalid_condition",
    "rules[0].when.resource.a")
bad("equals takes a scalar", [{"permissions": ["record:view"], "when": {"resource.a": {"equals": [1]}}}],
    "invalid_condition", "rules[0].when.resource.a")
bad("an attribute name outside [A-Za-z0-9_-] is refused",
    [{"permissions": ["record:view"], "when": {"resource.a b": "principal.id"}}], "invalid_condition",
    "rules[0].when.resource.a b")
bad("a float literal is refused", [{"permissions": ["record:view"], "when": {"resource.a": {"equals": 1.5}}}],
    "invalid_condition", "rules[0].when.resource.a")
bad("two tests in one entry are refused",
    [{"permissions": ["record:view"], "when": {"resource.a": {"equals": 1, "in": "principal.b"}}}],
    "invalid_condition", "rules[0].when.resource.a")
CANONICAL = '{"access_levels":{},"credentials":{},"permissions":["a:b"],"roles":{},"routes":[],"version":1}'
cases.append({"name": "an empty rules list leaves the document's hash as it was", "op": "load_policy",
              "policy": {"version": 1, "permissions": ["a:b"], "rules": []},
              "expect": {"ok": True, "hash": "sha256:" + hashlib.sha256(CANONICAL.encode()).hexdigest()}})

(OUT / "rules.json").write_text(json.dumps({
    "description": "rules: ownership, departments and attribute equality, in authorize and authorize_request",
    "policy": POLICY, "now": NOW, "cases": cases}, indent=2) + "\n")

# ---------------------------------------------------------------- AuthZEN

cases = []


def subject(pid):
    t, i = pid["id"].split(":", 1)
    return {"type": t, "id": i}


def res(record):
    t, i = record["id"].split(":", 1)
    return {"type": t, "id": i}


def authzen(name, api, request, expect, principals=PRINCIPALS, resources=RESOURCES, then=None):
    """`then`: `{request, api?}`, a second request (of the same API unless
    `api` names another) sent with the first response's `page.next_token` as
    its `page.token`; `expect` then describes the second response."""
    c = {"name": name, "op": "authzen", "api": api, "request": request, "principals": principals,
         "resources": resources}
    if then is not None:
        c["then"] = then
    c["expect"] = expect
    cases.append(c)


def yes(code="allowed"):
    return {"decision": True, "context": {"code": code}}


def nay(code):
    return {"decision": False, "context": {"code": code}}


def refused(code, status, message=None):
    """A refused request; `status` is the HTTP status of `code` (what
    `permiso serve` answers), noted here for the reader."""
    del status
    out = {"ok": False, "code": code}
    if message is not None:
        out["message"] = message
    return out


authzen("evaluation: the owner may edit", "evaluation",
        {"subject": subject(ALICE), "action": {"name": "edit"}, "resource": res(R101)}, yes())
authzen("evaluation: a denial is a response with its code and reason", "evaluation",
        {"subject": subject(ALICE), "action": {"name": "edit"}, "resource": res(R102)},
        {"decision": False, "context": {"code": "missing_permission",
                                        "reason_admin": {"en": "`user:alice` lacks `record:edit` on `record:102`"}}})
authzen("evaluation: an unknown subject is a denial", "evaluation",
        {"subject": {"type": "user", "id": "zed"}, "action": {"name": "view"}, "resource": res(R101)},
        nay("unknown_principal"))
authzen("evaluation: an unknown action is a denial", "evaluation",
        {"subject": subject(ALICE), "action": {"name": "fly"}, "resource": res(R101)}, nay("unknown_permission"))
authzen("evaluation: an unknown resource gets role permissions only", "evaluation",
        {"subject": subject(SVC), "action": {"name": "view"}, "resource": {"type": "record", "id": "999"}}, yes())
authzen("evaluation: an unknown resource matches no rule", "evaluation",
        {"subject": subject(ALICE), "action": {"name": "view"}, "resource": {"type": "record", "id": "999"}},
        nay("missing_permission"))
authzen("evaluation: properties stand in for a resource without a host record", "evaluation",
        {"subject": subject(ALICE), "action": {"name": "edit"},
         "resource": {"type": "record", "id": "999", "properties": {"owner": "alice"}}}, yes())
authzen("evaluation: the host's record wins over properties", "evaluation",
        {"subject": subject(ALICE), "action": {"name": "edit"},
         "resource": {"type": "record", "id": "102", "properties": {"owner": "alice"}}}, nay("missing_permission"))
authzen("evaluation: properties that are not attribute values are ignored", "evaluation",
        {"subject": subject(ALICE), "action": {"name": "edit"},
         "resource": {"type": "record", "id": "999", "properties": {"owner": {"id": "alice"}}}},
        nay("missing_permission"))
authzen("evaluation: subject properties do not enter the decision", "evaluation",
        {"subject": {**subject(CAROL), "properties": {"department": "Sales"}}, "action": {"name": "view"},
         "resource": res(R101)}, nay("missing_permission"))
authzen("evaluation: deny beats a rule", "evaluation",
        {"subject": subject(DAN), "action": {"name": "delete"}, "resource": res(R103)}, nay("explicitly_denied"))
authzen("evaluation: a route resource checks the route's permission", "evaluation",
        {"subject": subject(SVC), "action": {"name": "GET"}, "resource": {"type": "route", "id": "/records/{id}"}},
        yes())
authzen("evaluation: a route's permission without a resource gets no rule", "evaluation",
        {"subject": subject(ALICE), "action": {"name": "DELETE"},
         "resource": {"type": "route", "id": "/records/{id}"}}, nay("missing_permission"))
authzen("evaluation: a method without a route is no_route", "evaluation",
        {"subject": subject(ALICE), "action": {"name": "POST"}, "resource": {"type": "route", "id": "/reports"}},
        nay("no_route"))
authzen("evaluation: outside text in a reason is escaped", "evaluation",
        {"subject": subject(ALICE), "action": {"name": "edit"}, "resource": {"type": "record", "id": "9\nOK \u202e"}},
        {"decision": False, "context": {"code": "missing_permission",
                                        "reason_admin": {"en": "`user:alice` lacks `record:edit` on `record:9\\u{a}OK \\u{202e}`"}}})
authzen("evaluation: an unknown action's name is escaped in the reason", "evaluation",
        {"subject": subject(ALICE), "action": {"name": "fly`\u0007"}, "resource": res(R101)},
        {"decision": False, "context": {"code": "unknown_permission",
                                        "reason_admin": {"en": "`record:fly\\`\\u{7}` is not a permission of this policy"}}})
authzen("evaluation: a missing subject is an invalid request", "evaluation",
        {"action": {"name": "view"}, "resource": res(R101)},
        refused("invalid_request", 400, "`request.subject`: is missing"))
authzen("evaluation: a missing subject id is an invalid request", "evaluation",
        {"subject": {"type": "user"}, "action": {"name": "view"}, "resource": res(R101)},
        refused("invalid_request", 400))
authzen("evaluation: a wrong type is an invalid request", "evaluation",
        {"subject": {"type": "user", "id": 5}, "action": {"name": "view"}, "resource": res(R101)},
        refused("invalid_request", 400, "`request.subject.id`: is not a string"))
authzen("evaluation: a request that is not an object is invalid", "evaluation", [1, 2],
        refused("invalid_request", 400))

BATCH = {"subject": subject(ALICE), "action": {"name": "edit"},
         "evaluations": [{"resource": res(R101)}, {"resource": res(R102)}, {"resource": res(R101)}]}
authzen("evaluations: execute_all answers every item", "evaluations", BATCH,
        {"evaluations": [yes(), nay("missing_permission"), yes()]})
authzen("evaluations: deny_on_first_deny stops after the first denial", "evaluations",
        {**BATCH, "options": {"evaluations_semantic": "deny_on_first_deny"}},
        {"evaluations": [yes(), nay("missing_permission")]})
authzen("evaluations: permit_on_first_permit stops after the first permit", "evaluations",
        {**BATCH, "options": {"evaluations_semantic": "permit_on_first_permit"}}, {"evaluations": [yes()]})
authzen("evaluations: an item replaces a default", "evaluations",
        {**BATCH, "evaluations": [{"subject": subject(CAROL), "resource": res(R101)}, {"action": {"name": "view"},
                                                                                      "resource": res(R102)}]},
        {"evaluations": [nay("missing_permission"), yes()]})
authzen("evaluations: a bad item gets an error and never fails the others", "evaluations",
        {"action": {"name": "view"}, "resource": res(R101),
         "evaluations": [{"subject": subject(ALICE)}, {"subject": {"type": "user"}}, "x", {"subject": subject(BOB)}]},
        {"evaluations": [yes(), {"decision": False, "context": {"error": {"status": 400, "code": "invalid_request"}}},
                         {"decision": False, "context": {"error": {"status": 400}}}, yes()]})
authzen("evaluations: an error counts as a denial for deny_on_first_deny", "evaluations",
        {"action": {"name": "view"}, "resource": res(R101), "options": {"evaluations_semantic": "deny_on_first_deny"},
         "evaluations": [{"subject": {"type": "user"}}, {"subject": subject(BOB)}]},
        {"evaluations": [{"decision": False, "context": {"error": {"status": 400}}}]})
authzen("evaluations: without items the request is one evaluation", "evaluations",
        {"subject": subject(ALICE), "action": {"name": "edit"}, "resource": res(R101)}, yes())
authzen("evaluations: an unknown semantic is an invalid request", "evaluations",
        {**BATCH, "options": {"evaluations_semantic": "first_wins"}}, refused("invalid_request", 400))
authzen("evaluations: evaluations must be a list", "evaluations", {**BATCH, "evaluations": {"a": 1}},
        refused("invalid_request", 400))
authzen("evaluations: a batch over 1000 items is refused", "evaluations",
        {**BATCH, "evaluations": [{}] * 1001}, refused("limit_exceeded", 413))
authzen("evaluations: 1000 items are accepted", "evaluations",
        {"subject": subject(ALICE), "action": {"name": "edit"}, "resource": res(R101), "evaluations": [{}] * 1000,
         "options": {"evaluations_semantic": "permit_on_first_permit"}},
        {"evaluations": [yes()]})


def found(*records):
    return [res(r) for r in records]


authzen("search/resource: the records alice may edit (her own)", "search/resource",
        {"subject": subject(ALICE), "action": {"name": "edit"}, "resource": {"type": "record"}},
        {"results": found(R101)})
authzen("search/resource: the records bob may edit (his own and the team rule)", "search/resource",
        {"subject": subject(BOB), "action": {"name": "edit"}, "resource": {"type": "record"}},
        {"results": found(R101, R102)})
authzen("search/resource: the records alice may view (own and department)", "search/resource",
        {"subject": subject(ALICE), "action": {"name": "view"}, "resource": {"type": "record"}},
        {"results": found(R101, R102)})
authzen("search/resource: a role permission finds every record of the type", "search/resource",
        {"subject": subject(SVC), "action": {"name": "view"}, "resource": {"type": "record"}},
        {"results": found(*RESOURCES)})
authzen("search/resource: deny removes what a rule would allow", "search/resource",
        {"subject": subject(DAN), "action": {"name": "delete"}, "resource": {"type": "record"}}, {"results": []})
authzen("search/resource: an unknown subject finds nothing", "search/resource",
        {"subject": {"type": "user", "id": "zed"}, "action": {"name": "view"}, "resource": {"type": "record"}},
        {"results": []})
authzen("search/resource: an unknown action finds nothing", "search/resource",
        {"subject": subject(ALICE), "action": {"name": "fly"}, "resource": {"type": "record"}}, {"results": []})
authzen("search/subject: who may edit record 101", "search/subject",
        {"subject": {"type": "user"}, "action": {"name": "edit"}, "resource": res(R101)},
        {"results": [subject(ALICE), subject(BOB)]})
authzen("search/subject: only principals of the requested type", "search/subject",
        {"subject": {"type": "service"}, "action": {"name": "view"}, "resource": res(R101)},
        {"results": [subject(SVC)]})
authzen("search/subject: an unknown action finds nobody", "search/subject",
        {"subject": {"type": "user"}, "action": {"name": "fly"}, "resource": res(R101)}, {"results": []})
authzen("search/action: what alice may do to record 101, in declaration order", "search/action",
        {"subject": subject(ALICE), "resource": res(R101)},
        {"results": [{"name": "view"}, {"name": "edit"}, {"name": "delete"}]})
authzen("search/action: what carol may do to record 101", "search/action",
        {"subject": subject(CAROL), "resource": res(R101)}, {"results": [{"name": "publish"}]})
authzen("search/action: the methods of a route", "search/action",
        {"subject": subject(SVC), "resource": {"type": "route", "id": "/records/{id}"}},
        {"results": [{"name": "GET"}]})
authzen("search/action: an unknown subject may do nothing", "search/action",
        {"subject": {"type": "user", "id": "zed"}, "resource": res(R101)}, {"results": []})
authzen("search/action: a missing resource id is an invalid request", "search/action",
        {"subject": subject(ALICE), "resource": {"type": "record"}}, refused("invalid_request", 400))
authzen("search/resource: a missing action is an invalid request", "search/resource",
        {"subject": subject(ALICE), "resource": {"type": "record"}}, refused("invalid_request", 400))

PAGED = {"subject": subject(SVC), "action": {"name": "view"}, "resource": {"type": "record"}}
authzen("search: the first page and a token for the next", "search/resource", {**PAGED, "page": {"limit": 2}},
        {"results": found(R101, R102), "page": {"count": 2, "total": 5}})
authzen("search: a page that holds everything has an empty next token", "search/resource",
        {**PAGED, "page": {"limit": 5}}, {"results": found(*RESOURCES), "page": {"next_token": "", "count": 5,
                                                                                  "total": 5}})
authzen("search: page without a limit answers up to 100", "search/resource", {**PAGED, "page": {}},
        {"page": {"next_token": "", "count": 5, "total": 5}})
authzen("search: the token of the first page gives the second", "search/resource",
        {**PAGED, "page": {"limit": 2}}, {"results": found(R103, R104), "page": {"count": 2, "total": 5}},
        then={"request": {**PAGED, "page": {"limit": 2}}})
authzen("search: the last page's next token is empty", "search/resource",
        {**PAGED, "page": {"limit": 3}}, {"results": found(R104, R105), "page": {"next_token": "", "count": 2,
                                                                                  "total": 5}},
        then={"request": {**PAGED, "page": {"limit": 3}}})
authzen("search: a page size may change between pages", "search/resource",
        {**PAGED, "page": {"limit": 1}}, {"results": found(R102, R103, R104, R105), "page": {"count": 4}},
        then={"request": {**PAGED, "page": {"limit": 10}}})
authzen("search: a token from another request is refused", "search/resource",
        {**PAGED, "page": {"limit": 2}}, refused("invalid_page_token", 400),
        then={"request": {**PAGED, "action": {"name": "edit"}, "page": {"limit": 2}}})
authzen("search: a token from another search API is refused", "search/resource",
        {**PAGED, "page": {"limit": 2}}, refused("invalid_page_token", 400),
        then={"api": "search/action", "request": {"subject": subject(SVC), "resource": res(R101),
                                                  "page": {"limit": 2}}})
authzen("search: a token that is not base64url is refused", "search/resource",
        {**PAGED, "page": {"limit": 2, "token": "not a token"}}, refused("invalid_page_token", 400))
authzen("search: a page limit of 0 is refused", "search/resource", {**PAGED, "page": {"limit": 0}},
        refused("invalid_request", 400))
authzen("search: a page limit over 1000 is refused", "search/resource", {**PAGED, "page": {"limit": 1001}},
        refused("limit_exceeded", 413))

(OUT / "authzen.json").write_text(json.dumps({
    "description": "AuthZEN 1.0: evaluation, evaluations (three semantics, per-item errors), the three searches "
                   "and pagination, over host principal and resource records",
    "policy": POLICY, "now": NOW, "cases": cases}, indent=2) + "\n")
print(f"wrote {OUT / 'rules.json'} and {OUT / 'authzen.json'}")
