"""The reference service: an admin API for deployments, project endpoints,
users, API keys, sessions, service accounts and delegation, on a real
database, with every authorization through `permiso.fastapi`.

    DATABASE_URL=sqlite:///service.db uvicorn --factory app:create_app

Public endpoints (no permiso route): `POST /auth/sign-in` (email and
password -> a session token) and `POST /oauth/token` (client_credentials
for service accounts; RFC 8693 token exchange for third-party apps acting
for a user). Everything under `/api` is authorized by the route FastAPI
matched, and every decision, allowed or denied, is written to the audit
table.
"""
from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any, Optional
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

import permiso
from permiso.fastapi import Authorize

from db import Store, check_password, now

POLICY = Path(__file__).resolve().parent / "policy.yaml"
KIND = "session"
SESSION_LIFETIME = 900
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token"


def oauth_error(status: int, error: str, description: str) -> JSONResponse:
    """An OAuth 2.0 error response (RFC 6749 section 5.2)."""
    return JSONResponse({"error": error, "error_description": description}, status_code=status,
                        headers={"Cache-Control": "no-store"})


def create_app(database_url: Optional[str] = None) -> FastAPI:
    store = Store(database_url or os.environ.get("DATABASE_URL") or "sqlite:///service.db")
    policy = permiso.Policy.from_file(POLICY)
    secret = store.signing_secret()
    k = base64.urlsafe_b64encode(secret).rstrip(b"=").decode()
    policy.set_secrets(KIND, {"keys": [{"kty": "oct", "kid": "service-1", "alg": "HS256", "k": k}]})
    signer = permiso.SigningKey.hmac("HS256", secret, kid="service-1")

    def audit(_request: Request, decision: permiso.Decision) -> None:
        store.record_decision(decision)

    app = FastAPI(title="permiso reference service")
    api = APIRouter(prefix="/api", dependencies=[Depends(Authorize(policy, store, on_decision=audit))])

    def decision_of(request: Request) -> permiso.Decision:
        decision: permiso.Decision = request.state.permiso
        return decision

    # --- public: sign-in and the token endpoint ------------------------------------------

    @app.post("/auth/sign-in")
    async def sign_in(request: Request) -> Any:
        body = await request.json()
        user = store.user_by_email(str(body.get("email", "")))
        if user is None or not check_password(str(body.get("password", "")), user["password_hash"]):
            raise HTTPException(401, {"code": "invalid_credentials", "message": "wrong email or password"})
        session = store.start_session(user["id"])
        token = policy.issue_session(KIND, user["id"], signer, session=session, lifetime=SESSION_LIFETIME)
        return {"access_token": token, "token_type": "Bearer", "expires_in": SESSION_LIFETIME, "session": session}

    @app.post("/oauth/token")
    async def token(request: Request) -> Any:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("latin-1")).items()}
        client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
        grant = store.client(client_id, client_secret) if client_id and client_secret else None
        if grant is None:
            return oauth_error(401, "invalid_client", "unknown client or wrong secret")
        if form.get("grant_type") == "client_credentials" and grant == "client_credentials":
            # Every token the service issues names a session it keeps, so any can be ended.
            session = store.start_session(f"service:{client_id}")
            issued = policy.issue_session(KIND, client_id, signer, client_id=client_id, session=session,
                                          lifetime=SESSION_LIFETIME)
            return {"access_token": issued, "token_type": "Bearer", "expires_in": SESSION_LIFETIME}
        if form.get("grant_type") == TOKEN_EXCHANGE and grant == "token_exchange":
            return exchange(form, client_id)
        return oauth_error(400, "unauthorized_client", "this client may not use this grant type")

    def exchange(form: dict[str, str], client_id: str) -> Any:
        """RFC 8693: a third-party app acts for the user whose token it holds,
        with at most the scopes it asks for and the user holds right now."""
        if form.get("subject_token_type") != ACCESS_TOKEN:
            return oauth_error(400, "invalid_request", f"subject_token_type must be {ACCESS_TOKEN}")
        scopes = form.get("scope", "").split()
        if not scopes:
            return oauth_error(400, "invalid_scope", "ask for at least one scope")
        subject_token = form.get("subject_token", "")
        try:
            verified = policy.verify_jwt(subject_token)
            if verified.session and store.session_ended(verified.session):
                return oauth_error(400, "invalid_grant", "session_revoked: the subject token's session has ended")
            identity = verified.identity(store.principal(verified.principal))
            issued = policy.delegate(KIND, identity, signer, actor=client_id, scopes=scopes)
        except permiso.ScopeEscalation as e:
            return oauth_error(400, "invalid_scope", e.message)
        except permiso.PermisoError as e:
            return oauth_error(400, "invalid_grant", f"{e.code}: {e.message}")
        return {"access_token": issued, "issued_token_type": ACCESS_TOKEN, "token_type": "Bearer",
                "expires_in": 300, "scope": " ".join(scopes)}

    # --- deployments ----------------------------------------------------------------------

    @api.get("/deployments/{deployment}")
    def read_deployment(deployment: str, request: Request) -> Any:
        found = store.deployment(deployment)
        if found is None:
            raise HTTPException(404, {"code": "not_found", "message": f"no deployment {deployment}"})
        return {**found, "read_by": decision_of(request).principal}

    @api.put("/deployments/{deployment}")
    async def write_deployment(deployment: str, request: Request) -> Any:
        body = await request.json() if await request.body() else {}
        return store.put_deployment(deployment, str(decision_of(request).principal), body.get("team"),
                                    body.get("frozen"))

    @api.delete("/deployments/{deployment}")
    def delete_deployment(deployment: str) -> Any:
        return {"deployment": deployment, "deleted": store.delete_deployment(deployment)}

    # --- project endpoints and project keys ------------------------------------------------

    @api.post("/projects/{project}/endpoints/{name}/run")
    def run_endpoint(project: str, name: str, request: Request) -> Any:
        decision = decision_of(request)
        return {"ran": name, "project": project, "principal": decision.principal, "key_id": decision.key_id}

    @api.put("/projects/{project}/endpoints/{name}")
    def configure_endpoint(project: str, name: str) -> Any:
        return {"configured": name, "project": project}

    @api.post("/projects/{project}/keys")
    async def create_project_key(project: str, request: Request) -> Any:
        body = await request.json() if await request.body() else {}
        store.add_project(project)
        generated = policy.generate_key("project_key", f"project:{project}", label=body.get("label"),
                                        scopes=body.get("scopes"))
        store.add_key(generated.record, created_by=decision_of(request).principal)
        return {"key": generated.key, **shown_key(generated.record)}

    # --- API keys: created, listed (masks only), revoked, rotated --------------------------

    def shown_key(record: dict[str, Any]) -> dict[str, Any]:
        return {f: record.get(f) for f in ("id", "kind", "mask", "owner", "label", "scopes", "created_at",
                                           "expires_at", "revoked_at", "rolled_from")}

    @api.get("/keys")
    def list_keys(request: Request) -> Any:
        return {"keys": [shown_key(r) for r in store.keys_of(str(decision_of(request).principal))]}

    @api.post("/keys")
    async def create_key(request: Request) -> Any:
        body = await request.json() if await request.body() else {}
        expires_in = body.get("expires_in")
        generated = policy.generate_key("personal_key", str(decision_of(request).principal),
                                        label=body.get("label"), scopes=body.get("scopes"),
                                        expires_at=now() + int(expires_in) if expires_in else None)
        store.add_key(generated.record, created_by=decision_of(request).principal)
        # The plaintext key is in this response and nowhere else, ever.
        return {"key": generated.key, **shown_key(generated.record)}

    @api.delete("/keys/{key}")
    def revoke_key(key: str) -> Any:
        store.revoke_key(key, now())
        return shown_key(store.key(key) or {"id": key})

    @api.post("/keys/{key}/rotate")
    async def rotate_key(key: str, request: Request) -> Any:
        body = await request.json() if await request.body() else {}
        record = store.key(key)
        if record is None:
            raise HTTPException(404, {"code": "not_found", "message": f"no key {key}"})
        try:
            rotation = policy.rotate_key(record, grace=body.get("grace"))
        except permiso.PermisoError as e:
            raise HTTPException(409, {"code": e.code, "message": e.message}) from e
        store.add_key(rotation.key.record, created_by=decision_of(request).principal)
        store.replace_key(rotation.old)
        return {"key": rotation.key.key, **shown_key(rotation.key.record), "old": shown_key(rotation.old)}

    # --- users and grants -----------------------------------------------------------------

    @api.post("/users")
    async def create_user(request: Request) -> Any:
        body = await request.json()
        store.add_user(body["id"], body["email"], body["password"], body.get("roles", []), body.get("teams"))
        return {"id": body["id"], "principal": f"user:{body['id']}"}

    @api.delete("/users/{user}")
    def remove_user(user: str) -> Any:
        return {"user": user, "removed": store.remove_user(user)}

    @api.put("/users/{user}/grants/{deployment}")
    async def grant(user: str, deployment: str, request: Request) -> Any:
        level = (await request.json())["level"]
        store.set_grant(user, f"deployment:{deployment}", level)
        return {"user": user, "resource": f"deployment:{deployment}", "level": level}

    # --- audit and sessions ---------------------------------------------------------------

    @api.get("/audit")
    def read_audit(key_id: Optional[str] = None, principal: Optional[str] = None, actor: Optional[str] = None,
                   limit: int = 100) -> Any:
        """Which key did that? Decisions by key id, by principal, or by an actor of a delegation chain."""
        return {"decisions": store.audit_log(key_id=key_id, principal=principal, actor=actor,
                                             limit=max(1, min(limit, 1000)))}

    @api.delete("/session")
    def sign_out(request: Request) -> Any:
        session = decision_of(request).audit["actor"].get("session")
        if session:
            store.end_session(session)
        return {"session": session, "ended": bool(session)}

    app.include_router(api)
    return app
