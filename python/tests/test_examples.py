"""The FastAPI dependency and the ASGI middleware, through real HTTP clients."""
import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

import permiso


@pytest.fixture(scope="module")
def fastapi_client():
    import fastapi_app
    return TestClient(fastapi_app.app), fastapi_app


def keygen(module, kind, owner, **kw):
    generated = module.policy.generate_key(kind, owner, **kw)
    module.store.add_key(generated.record)
    return generated.key


def test_fastapi_allows_and_refuses_with_codes(fastapi_client):
    client, module = fastapi_client
    alice = keygen(module, "personal_key", "user:alice")
    project = keygen(module, "project_key", "project:p1", scopes=["endpoints:run"])
    r = client.get("/api/deployments/web", headers={"Authorization": f"Bearer {alice}"})
    assert r.status_code == 200 and r.json()["actor"] == "user:alice"
    r = client.post("/api/projects/p1/endpoints/nightly/run", headers={"X-API-Key": project})
    assert r.status_code == 200 and r.json()["audit"]["actor"]["owner"] == "project:p1"
    r = client.put("/api/projects/p1/endpoints/nightly", headers={"X-API-Key": project})
    assert r.status_code == 403 and r.json()["detail"]["code"] == "credential_kind_not_allowed"
    r = client.get("/api/deployments/web")
    assert r.status_code == 401 and r.json()["detail"]["code"] == "no_credentials"
    assert r.headers["www-authenticate"] == "Bearer"
    # The last character changed (to one it is not: keys are random).
    mistyped = alice[:-1] + ("y" if alice.endswith("x") else "x")
    r = client.get("/api/deployments/web", headers={"Authorization": f"Bearer {mistyped}"})
    assert r.status_code == 401 and r.json()["detail"]["code"] in ("bad_checksum", "malformed_key")
    r = client.get("/api/internal/debug", headers={"Authorization": f"Bearer {alice}"})
    assert r.status_code == 404 and r.json()["detail"]["code"] == "no_route"
    r = client.get("/api/deployments/a%2Fb", headers={"Authorization": f"Bearer {alice}"})
    assert r.status_code == 404


async def whoami(request):
    decision = request.scope["state"]["permiso"]
    return JSONResponse({"principal": decision.principal, "code": decision.code})


def test_asgi_middleware_with_starlette():
    from permiso.asgi import PermisoMiddleware
    from store import POLICY_PATH, HostStore

    policy = permiso.Policy.from_file(POLICY_PATH)
    store = HostStore()
    app = Starlette(routes=[Route("/api/deployments/{deployment}", whoami, methods=["GET", "DELETE"])])
    client = TestClient(PermisoMiddleware(app, policy, store))
    bob = policy.generate_key("personal_key", "user:bob")
    store.add_key(bob.record)
    r = client.get("/api/deployments/web?verbose=1", headers={"Authorization": f"Token {bob.key}"})
    assert r.status_code == 200 and r.json() == {"principal": "user:bob", "code": "allowed"}
    r = client.delete("/api/deployments/web", headers={"Authorization": f"Token {bob.key}"})
    assert r.status_code == 403 and r.json()["code"] == "missing_permission"
    r = client.get("/api/deployments/web", headers={"Authorization": "Basic Ym9iOnB3"})
    assert r.status_code == 401 and r.json()["code"] == "unrecognized_credential"
    assert r.headers["www-authenticate"] == "Bearer"
    r = client.get("/elsewhere")
    assert r.status_code == 404 and r.json()["code"] == "no_route"


def test_asgi_middleware_without_a_router_decides_the_path():
    """Under a framework permiso cannot ask for its route, the canonical path rules apply."""
    from permiso.asgi import PermisoMiddleware
    from store import POLICY_PATH, HostStore

    async def bare(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    policy = permiso.Policy.from_file(POLICY_PATH)
    store = HostStore()
    bob = policy.generate_key("personal_key", "user:bob")
    store.add_key(bob.record)
    client = TestClient(PermisoMiddleware(bare, policy, store))
    r = client.get("/api/deployments/web", headers={"Authorization": f"Bearer {bob.key}"})
    assert r.status_code == 200
    r = client.get("/api/deployments/%63urrent", headers={"Authorization": f"Bearer {bob.key}"})
    assert r.status_code == 404 and r.json()["code"] == "no_route"


def test_the_examples_audit_denials_as_well_as_allowed_requests(fastapi_client, caplog):
    import json
    import logging

    client, module = fastapi_client
    alice = keygen(module, "personal_key", "user:alice")
    with caplog.at_level(logging.INFO, logger="permiso.audit"):
        allowed = client.get("/api/deployments/web", headers={"Authorization": f"Bearer {alice}"})
        denied = client.get("/api/deployments/web")
    assert (allowed.status_code, denied.status_code) == (200, 401)
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "permiso.audit"]
    assert [(r["allowed"], r["code"]) for r in records] == [(True, "allowed"), (False, "no_credentials")]
    assert alice not in caplog.text


def test_a_repeated_credential_header_is_refused_by_every_integration(fastapi_client):
    """Headers reach the core as (name, value) pairs: a second credential
    is seen and refused, never hidden by a dict keeping one of them."""
    from permiso.asgi import PermisoMiddleware
    from store import POLICY_PATH, HostStore

    client, module = fastapi_client
    alice = keygen(module, "personal_key", "user:alice")
    bob = keygen(module, "personal_key", "user:bob")
    twice = [("authorization", f"Bearer {bob}"), ("authorization", f"Bearer {alice}")]
    r = client.delete("/api/deployments/web", headers=twice)
    assert r.status_code == 401 and r.json()["detail"]["code"] == "unrecognized_credential"
    assert "more than one credential" in r.json()["detail"]["message"]
    r = client.get("/api/deployments/web", headers=[("x-api-key", bob), ("authorization", f"Bearer {alice}")])
    assert r.status_code == 401

    policy = permiso.Policy.from_file(POLICY_PATH)
    store = HostStore()
    bob_again = policy.generate_key("personal_key", "user:bob")
    store.add_key(bob_again.record)
    app = Starlette(routes=[Route("/api/deployments/{deployment}", whoami, methods=["GET"])])
    asgi = TestClient(PermisoMiddleware(app, policy, store))
    assert asgi.get("/api/deployments/web", headers={"Authorization": f"Bearer {bob_again.key}"}).status_code == 200
    r = asgi.get("/api/deployments/web", headers=[("authorization", f"Bearer {bob_again.key}")] * 2)
    assert r.status_code == 401 and r.json()["code"] == "unrecognized_credential"
