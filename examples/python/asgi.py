"""A plain ASGI middleware: works with Starlette, FastAPI and Django (ASGI).

    app = PermisoMiddleware(app, permiso.Policy.from_file("policy.yaml"), HostStore())

Every HTTP request is decided before it reaches the app; denials are JSON
`{"code": ..., "message": ...}` with the decision's status. The decision is
left in `scope["state"]["permiso"]` for the app (Starlette exposes it as
`request.state.permiso`).
"""
import json
from typing import Any, Awaitable, Callable

import permiso

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class PermisoMiddleware:
    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], policy: permiso.Policy, store: Any) -> None:
        self.app = app
        self.policy = policy
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # ASGI gives bytes; HTTP header bytes are latin-1 by definition.
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers", [])]
        path = scope.get("raw_path") or scope["path"].encode()
        path = path.decode("latin-1")
        query = scope.get("query_string", b"")
        target = f"{path}?{query.decode('latin-1')}" if query else path
        classified = self.policy.classify(scope["method"], target, headers)
        decision = self.policy.authorize_request(scope["method"], target, headers, **self.store.host_data(classified))
        if not decision.allowed:
            body = json.dumps({"code": decision.code, "message": decision.message}).encode()
            response_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            if decision.status == 401:
                response_headers.append((b"www-authenticate", b"Bearer"))
            await send({"type": "http.response.start", "status": decision.status, "headers": response_headers})
            await send({"type": "http.response.body", "body": body})
            return
        scope.setdefault("state", {})["permiso"] = decision
        await self.app(scope, receive, send)
