"""Route identity, end to end: real Starlette and FastAPI apps under uvicorn
(h11, as `pip install uvicorn` gives) on loopback, driven over raw HTTP so
that request targets reach the server exactly as an attacker writes them.

The review that motivated these tests got a 200 from a handler whose route
needs a permission the caller lacks (`%63urrent` is the `current` route to
the framework), and a file outside the granted one through a `#` that h11
keeps in the path. permiso now authorizes the route the framework matched.
"""
import http.client
import socket
import threading
import time

import pytest
import uvicorn
from fastapi import Depends, FastAPI
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

import permiso
from permiso.asgi import PermisoMiddleware
from permiso.fastapi import Authorize

POLICY = """
version: 1
permissions: [deployments:read, deployments:write, files:read]
roles:
  viewer: { permissions: [deployments:read] }
  operator: { inherits: [viewer], permissions: [deployments:write] }
access_levels:
  file: { read: [files:read] }
credentials:
  personal_key: { type: api_key, prefix: pmo_pat, acts_as: owner }
routes:
  - { method: GET, path: "/api/deployments/current", permission: deployments:write }
  - { method: GET, path: "/api/deployments/{deployment}", permission: deployments:read,
      resource: "deployment:{deployment}" }
  - { method: GET, path: "/files/{*path}", permission: files:read, resource: "file:{path}" }
"""


class Store:
    def __init__(self):
        self.keys = {}
        self.principals = [
            {"id": "user:bob", "roles": ["viewer"], "grants": [{"resource": "file:public/readme", "level": "read"}]},
            {"id": "user:olga", "roles": ["operator"]},
        ]

    def host_data(self, classified):
        credential = classified.credential
        keys = [self.keys[credential["id"]]] if credential.get("id") in self.keys else []
        return {"keys": keys, "principals": self.principals}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    policy = permiso.Policy.from_yaml(POLICY)
    store = Store()

    def key(owner):
        generated = policy.generate_key("personal_key", owner)
        store.keys[generated.record["id"]] = generated.record
        return generated.key

    files = tmp_path_factory.mktemp("files")
    (files / "public").mkdir()
    (files / "private").mkdir()
    (files / "public" / "readme").write_text("hello")
    (files / "private" / "key").write_text("SECRET")
    return policy, store, key("user:bob"), key("user:olga"), files


class Server:
    """uvicorn with h11 on a loopback port of its own, in a thread."""

    def __init__(self, app):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(app, http="h11", log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)

    def get(self, target, key=None):
        """A GET with the request target sent byte for byte as given."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.putrequest("GET", target, skip_accept_encoding=True)
        if key:
            conn.putheader("Authorization", f"Bearer {key}")
        conn.endheaders()
        response = conn.getresponse()
        body = response.read()
        conn.close()
        return response.status, body


async def current(request):
    return JSONResponse({"route": "current", "config": {"replicas": 3}})


async def deployment(request):
    return JSONResponse({"route": "deployment", "deployment": request.path_params["deployment"],
                         "actor": request.state.permiso.principal})


def starlette_app(policy, store, files):
    return Starlette(
        routes=[
            Route("/api/deployments/current", current),
            Route("/api/deployments/{deployment}", deployment),
            Mount("/files", app=StaticFiles(directory=files)),
        ],
        middleware=[Middleware(PermisoMiddleware, policy=policy, store=store)],
    )


def test_starlette_an_encoded_letter_reaches_the_static_route_and_needs_its_permission(world):
    policy, store, bob, olga, files = world
    with Server(starlette_app(policy, store, files)) as server:
        assert server.get("/api/deployments/web", bob)[0] == 200
        status, body = server.get("/api/deployments/%63urrent", bob)
        assert status == 403, body
        assert b'"missing_permission"' in body and b"SECRET" not in body
        assert server.get("/api/deployments/current", bob)[0] == 403
        status, body = server.get("/api/deployments/%63urrent", olga)
        assert status == 200 and b'"current"' in body, "the operator reaches the route Starlette chose"


def test_starlette_a_hash_in_the_path_never_reaches_another_file(world):
    policy, store, bob, olga, files = world
    with Server(starlette_app(policy, store, files)) as server:
        status, body = server.get("/files/public/readme", bob)
        assert (status, body) == (200, b"hello")
        status, body = server.get("/files/public/readme#/../../private/key", bob)
        assert status == 403 and b"SECRET" not in body, (status, body)
        status, body = server.get("/files/private/key", bob)
        assert status == 403 and b"SECRET" not in body


def test_starlette_unknown_routes_and_missing_credentials(world):
    policy, store, bob, olga, files = world
    with Server(starlette_app(policy, store, files)) as server:
        status, body = server.get("/api/nowhere", bob)
        assert status == 404 and b'"no_route"' in body
        status, body = server.get("/api/deployments/web")
        assert status == 401 and b'"no_credentials"' in body


def test_fastapi_authorizes_the_route_fastapi_matched(world):
    policy, store, bob, olga, files = world
    app = FastAPI(dependencies=[Depends(Authorize(policy, store))])

    @app.get("/api/deployments/current")
    def fastapi_current():
        return {"route": "current"}

    @app.get("/api/deployments/{deployment}")
    def fastapi_deployment(deployment: str):
        return {"route": "deployment", "deployment": deployment}

    with Server(app) as server:
        status, body = server.get("/api/deployments/web", bob)
        assert status == 200 and b'"deployment"' in body
        status, body = server.get("/api/deployments/%63urrent", bob)
        assert status == 403 and b'"missing_permission"' in body, body
        status, body = server.get("/api/deployments/%63urrent", olga)
        assert status == 200 and b'"current"' in body
        status, body = server.get("/api/deployments/web")
        assert status == 401
