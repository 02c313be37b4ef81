"""A Starlette app guarded by permiso's ASGI middleware.

Run it: `uvicorn asgi:app` from this directory (after installing the
permiso wheel from `make dist`, and starlette and uvicorn). The middleware authorizes the route Starlette matched
(route identity): `GET /api/deployments/%63urrent` reaches the `current`
handler, so it needs the `current` route's permission.
"""
import logging
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

import permiso
from permiso.asgi import PermisoMiddleware
from store import POLICY_PATH, HostStore

policy = permiso.Policy.from_file(POLICY_PATH)
store = HostStore()
audit_log = logging.getLogger("permiso.audit")


def audit(scope: Any, decision: permiso.Decision) -> None:
    # Every decision, allowed or denied, is one audit line.
    audit_log.info(decision.audit_json())


async def current(request: Request) -> JSONResponse:
    return JSONResponse({"current": "web", "config": {"replicas": 3}})


async def deployment(request: Request) -> JSONResponse:
    decision = request.state.permiso
    return JSONResponse({"deployment": request.path_params["deployment"], "actor": decision.principal})


app = Starlette(
    routes=[
        Route("/api/deployments/current", current),
        Route("/api/deployments/{deployment}", deployment, methods=["GET", "DELETE"]),
    ],
    middleware=[Middleware(PermisoMiddleware, policy=policy, store=store, on_decision=audit)],
)
