"""The route a Starlette or FastAPI router matched, as permiso names it.

Route identity: permiso authorizes the route the framework runs (its path
template and decoded parameters) instead of parsing the path a second time,
so the two can never disagree about which handler a request reaches.
"""
from __future__ import annotations

import re
from typing import Any, Dict, Iterable, Optional, Tuple

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z_]+))?\}")

Matched = Tuple[str, Dict[str, str]]


def policy_template(path: str) -> str:
    """A Starlette path template in the policy's syntax: `{name:path}` is
    the catch-all `{*name}`; other convertors (`{id:int}`) are `{id}`."""
    return _PARAM.sub(lambda m: "{*%s}" % m.group(1) if m.group(2) == "path" else "{%s}" % m.group(1), path)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _route_path(scope: Dict[str, Any]) -> str:
    """The path below the scope's `root_path` (where a mount starts)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


def match_routes(routes: Iterable[Any], scope: Dict[str, Any], prefix: str = "") -> Optional[Matched]:
    """The first route that fully matches `scope`, as Starlette's router
    picks it: `(policy template, {name: decoded value})`, or None."""
    from starlette.routing import Match, Mount

    for route in routes:
        match, child = route.matches(scope)
        if match != Match.FULL:
            continue
        params = {k: _text(v) for k, v in child.get("path_params", {}).items()}
        if isinstance(route, Mount):
            inner_scope = {**scope, **child}
            inner = getattr(route, "routes", None) or []
            if inner:
                found = match_routes(inner, inner_scope, prefix + route.path)
                if found is not None:
                    return found
                continue
            # A mounted app (StaticFiles, a sub-application) serves the rest
            # of the path: the route is the mount with a catch-all.
            remaining = _route_path(inner_scope).lstrip("/")
            return policy_template(prefix + route.path) + "/{*path}", {**params, "path": remaining}
        path = getattr(route, "path", None)
        if path is None:
            return None
        return policy_template(prefix + path), params
    return None
