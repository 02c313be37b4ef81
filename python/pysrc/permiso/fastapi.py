"""A FastAPI dependency that authorizes the route FastAPI matched.

    from permiso.fastapi import Authorize
    app = FastAPI(dependencies=[Depends(Authorize(policy, store))])

The dependency runs after FastAPI's routing, so it authorizes exactly the
route whose handler will run (its template and decoded parameters, through
`Policy.authorize_route`). A denial raises `HTTPException` with the
decision's status (401 carries `WWW-Authenticate: Bearer`) and the detail
`{"code": ..., "message": ...}`; an allowed request finds the decision in
`request.state.permiso` (and as the dependency's value).

`on_decision(request, decision)`, when given, sees every decision, allowed
or denied, before the handler runs or the denial is raised: the place to
write the audit record (`decision.audit`).
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from fastapi import HTTPException, Request

from permiso._native import Decision, Policy
from permiso._route import policy_template
from permiso.asgi import HostStore

__all__ = ["Authorize"]


class Authorize:
    """The dependency: `Depends(Authorize(policy, store))`."""

    def __init__(
        self,
        policy: Policy,
        store: HostStore,
        on_decision: Optional[Callable[[Request, Decision], None]] = None,
    ) -> None:
        self.policy = policy
        self.store = store
        self.on_decision = on_decision

    def __call__(self, request: Request) -> Decision:
        headers = list(request.headers.items())
        raw = request.scope.get("raw_path") or request.url.path.encode()
        host = self.store.host_data(self.policy.classify(request.method, raw.decode("latin-1"), headers))
        route: Any = request.scope.get("route")
        template = policy_template(route.path) if route is not None and hasattr(route, "path") else ""
        params = {k: v if isinstance(v, str) else str(v) for k, v in request.path_params.items()}
        decision = self.policy.authorize_route(request.method, template, params, headers, **host)
        if self.on_decision is not None:
            self.on_decision(request, decision)
        if not decision.allowed:
            extra = {"WWW-Authenticate": "Bearer"} if decision.status == 401 else None
            raise HTTPException(decision.status, {"code": decision.code, "message": decision.message}, extra)
        request.state.permiso = decision
        return decision
