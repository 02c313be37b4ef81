"""A FastAPI app whose routes are guarded by permiso's FastAPI dependency.

Run it: `uvicorn fastapi_app:app` from this directory (after installing the
permiso wheel from `make dist`, and fastapi and uvicorn). Denials come back as JSON with the decision code:
401 for authentication failures, 403 for authorization failures, 404 when
the policy has no route.
"""
import logging

from fastapi import Depends, FastAPI, Request

import permiso
from permiso.fastapi import Authorize
from store import POLICY_PATH, HostStore

policy = permiso.Policy.from_file(POLICY_PATH)
store = HostStore()
audit_log = logging.getLogger("permiso.audit")


def audit(request: Request, decision: permiso.Decision) -> None:
    # Every decision, allowed or denied, is one audit line.
    audit_log.info(decision.audit_json())


# Every route is authorized as FastAPI matched it (route identity).
app = FastAPI(dependencies=[Depends(Authorize(policy, store, on_decision=audit))])


@app.get("/api/deployments/current")
def current_deployment() -> dict:
    return {"current": "web", "config": {"replicas": 3}}


@app.get("/api/deployments/{deployment}")
def read_deployment(deployment: str, request: Request) -> dict:
    return {"deployment": deployment, "actor": request.state.permiso.principal}


@app.post("/api/deployments/{deployment}")
def write_deployment(deployment: str) -> dict:
    return {"deployment": deployment, "written": True}


@app.delete("/api/deployments/{deployment}")
def delete_deployment(deployment: str) -> dict:
    return {"deployment": deployment, "deleted": True}


@app.post("/api/projects/{project}/endpoints/{name}/run")
def run_endpoint(project: str, name: str, request: Request) -> dict:
    return {"ran": name, "project": project, "audit": request.state.permiso.audit}


@app.put("/api/projects/{project}/endpoints/{name}")
def configure_endpoint(project: str, name: str) -> dict:
    return {"configured": name}


@app.get("/api/internal/debug")
def debug() -> dict:
    # Exists in the app but not in the policy: permiso answers no_route (404).
    return {"debug": True}
