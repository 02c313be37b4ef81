"""ASGI middleware that authorizes every HTTP request with permiso.

    from permiso.asgi import PermisoMiddleware
    app = Starlette(routes=..., middleware=[Middleware(PermisoMiddleware, policy=policy, store=store)])

With Starlette or FastAPI it authorizes the route the application's router
matched (its template and decoded parameters, through
`Policy.authorize_route`), so permiso and the router never disagree about
which handler runs: `/api/deployments/%63urrent` is the `current` route for
both. Under any other ASGI framework (Django) it authorizes the path
(`Policy.authorize_request`), which refuses every path a router could read
differently.

`store.host_data(classified)` returns the host data a request needs
(`keys`, `principals`, `revoked_keys`, `revoked_sessions`, ...) given
`policy.classify(...)`, so only the presented key's record is fetched.

A denial is answered with the decision's status (401 with
`WWW-Authenticate: Bearer`, 403, or 404 when the policy has no such route)
and a JSON body `{"code": ..., "message": ...}`; an allowed request reaches
the app with the decision in `scope["state"]["permiso"]`
(`request.state.permiso` in Starlette). `on_decision(scope, decision)`,
when given, sees every decision, allowed or denied: the place to write the
audit record.
"""
from __future__ import annotations

import json
from typing import Any, Awaitable, Callable, Dict, List, Optional, Protocol, Tuple

from permiso._native import Classification, Decision, Policy
from permiso._route import match_routes

Scope = Dict[str, Any]
Receive = Callable[[], Awaitable[Dict[str, Any]]]
Send = Callable[[Dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

__all__ = ["HostStore", "PermisoMiddleware", "decide"]


class HostStore(Protocol):
    """Looks up what a request needs, given `policy.classify(...)`."""

    def host_data(self, classified: Classification) -> dict[str, Any]: ...


def _router_routes(scope: Scope, app: Any) -> Any:
    for candidate in (scope.get("app"), app):
        routes = getattr(getattr(candidate, "router", None), "routes", None)
        if routes is not None:
            return routes
    return None


def decide(policy: Policy, store: HostStore, scope: Scope, app: Any = None) -> Decision:
    """The decision for an HTTP scope: the matched route when a Starlette
    router is reachable (through `scope["app"]` or `app`), else the path."""
    # ASGI gives bytes; HTTP header bytes are latin-1 by definition.
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers", [])]
    raw = scope.get("raw_path") or scope["path"].encode()
    path = raw.decode("latin-1")
    query = scope.get("query_string", b"")
    target = f"{path}?{query.decode('latin-1')}" if query else path
    method = scope["method"]
    host = store.host_data(policy.classify(method, target, headers))
    routes = _router_routes(scope, app)
    if routes is None:
        return policy.authorize_request(method, target, headers, **host)
    matched = match_routes(routes, scope)
    # Nothing matched: an empty template is no route of any policy (404).
    template, params = matched if matched is not None else ("", {})
    return policy.authorize_route(method, template, params, headers, **host)


def _denial(decision: Decision) -> Tuple[List[Tuple[bytes, bytes]], bytes]:
    body = json.dumps({"code": decision.code, "message": decision.message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if decision.status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    return headers, body


class PermisoMiddleware:
    """Decides every HTTP request before the app sees it (see the module)."""

    def __init__(
        self,
        app: ASGIApp,
        policy: Policy,
        store: HostStore,
        on_decision: Optional[Callable[[Scope, Decision], None]] = None,
    ) -> None:
        self.app = app
        self.policy = policy
        self.store = store
        self.on_decision = on_decision

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        decision = decide(self.policy, self.store, scope, self.app)
        if self.on_decision is not None:
            self.on_decision(scope, decision)
        if not decision.allowed:
            headers, body = _denial(decision)
            await send({"type": "http.response.start", "status": decision.status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        scope.setdefault("state", {})["permiso"] = decision
        await self.app(scope, receive, send)
