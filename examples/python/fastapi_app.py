"""A FastAPI app whose routes are guarded by one permiso dependency.

Run it: `uvicorn fastapi_app:app` from this directory (after `pip install
permiso fastapi uvicorn`). Denials come back as JSON with the decision code:
401 for authentication failures, 403 for authorization failures, 404 when
the policy has no route.
"""
from fastapi import Depends, FastAPI, HTTPException, Request

import permiso
from store import POLICY_PATH, HostStore

policy = permiso.Policy.from_file(POLICY_PATH)
store = HostStore()


def authorize(request: Request) -> permiso.Decision:
    # The raw path: permiso applies its own rules to encoded slashes and dots.
    path = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1")
    headers = list(request.headers.items())
    classified = policy.classify(request.method, path, headers)
    decision = policy.authorize_request(request.method, path, headers, **store.host_data(classified))
    if not decision.allowed:
        headers_out = {"WWW-Authenticate": "Bearer"} if decision.status == 401 else None
        raise HTTPException(decision.status, {"code": decision.code, "message": decision.message}, headers_out)
    request.state.decision = decision
    return decision


app = FastAPI(dependencies=[Depends(authorize)])


@app.get("/api/deployments/{deployment}")
def read_deployment(deployment: str, request: Request) -> dict:
    return {"deployment": deployment, "actor": request.state.decision.principal}


@app.post("/api/deployments/{deployment}")
def write_deployment(deployment: str) -> dict:
    return {"deployment": deployment, "written": True}


@app.delete("/api/deployments/{deployment}")
def delete_deployment(deployment: str) -> dict:
    return {"deployment": deployment, "deleted": True}


@app.post("/api/projects/{project}/endpoints/{name}/run")
def run_endpoint(project: str, name: str, request: Request) -> dict:
    return {"ran": name, "project": project, "audit": request.state.decision.audit}


@app.put("/api/projects/{project}/endpoints/{name}")
def configure_endpoint(project: str, name: str) -> dict:
    return {"configured": name}


@app.get("/api/internal/debug")
def debug() -> dict:
    # Exists in the app but not in the policy: permiso answers no_route (404).
    return {"debug": True}
