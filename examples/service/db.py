"""The reference service's database: SQLite by default, PostgreSQL when
DATABASE_URL names one. SQLAlchemy Core writes the same SQL for both.

The store is what permiso asks for on every request: given
`policy.classify(...)` it fetches one key record (by the presented key's
id), one principal record (the key's owner, or the principal a token
names), one resource record (the route's resource) and whether the token's
session was ended, and nothing else.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any, Optional

import permiso
from sqlalchemy import (Boolean, Column, Integer, MetaData, String, Table, Text, create_engine, delete, insert,
                        select, update)
from sqlalchemy.engine import Engine

metadata = MetaData()

users = Table(
    "users", metadata,
    Column("id", String(64), primary_key=True),             # `alice`: the principal is `user:alice`
    Column("email", String(255), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("roles", Text, nullable=False, default="[]"),     # JSON list
    Column("teams", Text, nullable=False, default="[]"),     # JSON list, an attribute rules read
)
grants = Table(
    "grants", metadata,
    Column("user_id", String(64), primary_key=True),
    Column("resource", String(255), primary_key=True),       # `deployment:web`
    Column("level", String(32), nullable=False),             # `read`, `write`, `admin`
)
projects = Table("projects", metadata, Column("id", String(64), primary_key=True))
deployments = Table(
    "deployments", metadata,
    Column("id", String(64), primary_key=True),
    Column("owner", String(255), nullable=False),            # a principal id
    Column("team", String(64), nullable=False, default=""),
    Column("frozen", Boolean, nullable=False, default=False),
)
keys = Table(
    "api_keys", metadata,
    # The key record permiso verifies against (never the key itself).
    Column("id", String(32), primary_key=True),
    Column("kind", String(64), nullable=False),
    Column("hash", String(255), nullable=False),
    Column("mask", String(128), nullable=False),
    Column("owner", String(255), nullable=False),
    Column("tenant", String(255)),
    Column("scopes", Text),                                  # JSON list, or NULL for no cap
    Column("label", String(255)),
    Column("created_at", Integer, nullable=False),
    Column("expires_at", Integer),
    Column("revoked_at", Integer),
    Column("last_used_at", Integer),
    Column("rolled_from", String(32)),
    # Who made it (a project key keeps working after its maker is removed).
    Column("created_by", String(255)),
)
sessions = Table(
    "sessions", metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", String(64), nullable=False),
    Column("created_at", Integer, nullable=False),
    Column("ended_at", Integer),
)
clients = Table(
    "clients", metadata,
    Column("id", String(64), primary_key=True),              # `ci-deployer`, `mobile-app`
    Column("secret_hash", String(255), nullable=False),
    Column("grant", String(64), nullable=False),             # `client_credentials` or `token_exchange`
)
audit = Table(
    "audit", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("decision_id", String(32), nullable=False),
    Column("time", Integer, nullable=False),
    Column("principal", String(255)),
    Column("credential_kind", String(64)),
    Column("key_id", String(32)),
    Column("token_id", String(64)),
    Column("session", String(64)),
    Column("actor_chain", Text, nullable=False, default="[]"),   # JSON list, nearest actor first
    Column("action", String(255)),
    Column("resource", String(255)),
    Column("route", String(255)),
    Column("allowed", Boolean, nullable=False),
    Column("code", String(64), nullable=False),
    Column("record", Text, nullable=False),                      # the whole audit record, JSON
)
settings = Table(
    "settings", metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

KEY_FIELDS = ("id", "kind", "hash", "mask", "owner", "tenant", "scopes", "label", "created_at", "expires_at",
              "revoked_at", "last_used_at", "rolled_from")


def hash_password(password: str, salt: Optional[bytes] = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        _, salt, _ = stored.split("$")
        return hmac.compare_digest(hash_password(password, bytes.fromhex(salt)), stored)
    except ValueError:
        return False


def owner(principal_id: str) -> dict[str, str]:
    """A typed owner id as the two attributes the ownership rules compare."""
    kind, _, name = principal_id.partition(":")
    return {"owner_type": kind, "owner": name}


def now() -> int:
    return int(time.time())


class Store:
    """The service's tables, and the host data permiso needs per request."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = create_engine(url)
        metadata.create_all(self.engine)

    # --- what permiso asks for ---------------------------------------------------------

    def host_data(self, classified: permiso.Classification) -> dict[str, Any]:
        credential = classified.credential
        found: dict[str, Any] = {"keys": [], "principals": [], "resources": [], "revoked_sessions": []}
        with self.engine.connect() as db:
            principal = None
            if credential["type"] == "api_key" and credential.get("id"):
                record = self._key(db, credential["id"])
                if record is not None:
                    found["keys"].append(record)
                    principal = record["owner"]
            elif credential["type"] == "token":
                principal = credential.get("principal")
                session = credential.get("session")
                if session and self._session_ended(db, session):
                    found["revoked_sessions"].append(session)
            if principal:
                record = self._principal(db, principal)
                if record is not None:
                    found["principals"].append(record)
            route = classified.route
            if route is not None and route.resource:
                record = self._resource(db, route.resource)
                if record is not None:
                    found["resources"].append(record)
        return found

    def principal(self, principal_id: str) -> Optional[dict[str, Any]]:
        with self.engine.connect() as db:
            return self._principal(db, principal_id)

    def session_ended(self, session: str) -> bool:
        with self.engine.connect() as db:
            return self._session_ended(db, session)

    def _principal(self, db: Any, principal_id: str) -> Optional[dict[str, Any]]:
        kind, _, name = principal_id.partition(":")
        if kind == "user":
            row = db.execute(select(users).where(users.c.id == name)).mappings().first()
            if row is None:
                return None
            held = db.execute(select(grants).where(grants.c.user_id == name)).mappings().all()
            return {"id": principal_id, "roles": json.loads(row["roles"]),
                    "grants": [{"resource": g["resource"], "level": g["level"]} for g in held],
                    "attributes": {"teams": json.loads(row["teams"])}}
        if kind == "project":
            exists = db.execute(select(projects.c.id).where(projects.c.id == name)).first()
            return {"id": principal_id} if exists else None
        return None

    def _resource(self, db: Any, resource_id: str) -> Optional[dict[str, Any]]:
        kind, _, name = resource_id.partition(":")
        if kind == "deployment":
            row = db.execute(select(deployments).where(deployments.c.id == name)).mappings().first()
            if row is None:
                return None
            return {"id": resource_id,
                    "attributes": {**owner(row["owner"]), "team": row["team"], "frozen": bool(row["frozen"])}}
        if kind == "key":
            row = db.execute(select(keys.c.owner).where(keys.c.id == name)).first()
            return {"id": resource_id, "attributes": owner(row[0])} if row else None
        return None

    def _key(self, db: Any, key_id: str) -> Optional[dict[str, Any]]:
        row = db.execute(select(keys).where(keys.c.id == key_id)).mappings().first()
        return self._key_record(row) if row is not None else None

    @staticmethod
    def _key_record(row: Any) -> dict[str, Any]:
        record = {field: row[field] for field in KEY_FIELDS}
        record["scopes"] = json.loads(record["scopes"]) if record["scopes"] is not None else None
        return record

    def _session_ended(self, db: Any, session: str) -> bool:
        row = db.execute(select(sessions.c.ended_at).where(sessions.c.id == session)).first()
        return row is None or row[0] is not None

    # --- audit --------------------------------------------------------------------------

    def record_decision(self, decision: permiso.Decision) -> None:
        record = decision.audit
        actor = record.get("actor") or {}
        with self.engine.begin() as db:
            db.execute(insert(audit).values(
                decision_id=record["decision_id"], time=record["time"], principal=actor.get("principal"),
                credential_kind=actor.get("kind"), key_id=actor.get("key_id"), token_id=actor.get("token_id"),
                session=actor.get("session"), actor_chain=json.dumps(actor.get("actor_chain", [])),
                action=record.get("action"), resource=record.get("resource"), route=record.get("route"),
                allowed=record["allowed"], code=record["code"], record=json.dumps(record)))

    def audit_log(self, *, key_id: Optional[str] = None, principal: Optional[str] = None,
                  actor: Optional[str] = None, limit: int = 100) -> list[dict[str, Any]]:
        query = select(audit.c.record).order_by(audit.c.seq.desc()).limit(limit)
        if key_id:
            query = query.where(audit.c.key_id == key_id)
        if principal:
            query = query.where(audit.c.principal == principal)
        if actor:
            # A delegation chain is a JSON list of actor names.
            query = query.where(audit.c.actor_chain.like(f"%{json.dumps(actor)}%"))
        with self.engine.connect() as db:
            return [json.loads(row[0]) for row in db.execute(query)]

    # --- the service's own records ------------------------------------------------------

    def signing_secret(self) -> bytes:
        """The HMAC secret session tokens are signed with: made once, kept in the database."""
        with self.engine.begin() as db:
            row = db.execute(select(settings.c.value).where(settings.c.name == "session_secret")).first()
            if row is not None:
                return bytes.fromhex(row[0])
            secret = secrets.token_bytes(32)
            db.execute(insert(settings).values(name="session_secret", value=secret.hex()))
            return secret

    def add_user(self, user_id: str, email: str, password: str, roles: list[str],
                 teams: Optional[list[str]] = None) -> None:
        with self.engine.begin() as db:
            db.execute(insert(users).values(id=user_id, email=email, password_hash=hash_password(password),
                                            roles=json.dumps(roles), teams=json.dumps(teams or [])))

    def remove_user(self, user_id: str) -> bool:
        with self.engine.begin() as db:
            db.execute(delete(grants).where(grants.c.user_id == user_id))
            return db.execute(delete(users).where(users.c.id == user_id)).rowcount > 0

    def user_by_email(self, email: str) -> Optional[dict[str, Any]]:
        with self.engine.connect() as db:
            row = db.execute(select(users).where(users.c.email == email)).mappings().first()
            return dict(row) if row is not None else None

    def set_grant(self, user_id: str, resource: str, level: str) -> None:
        with self.engine.begin() as db:
            db.execute(delete(grants).where(grants.c.user_id == user_id, grants.c.resource == resource))
            db.execute(insert(grants).values(user_id=user_id, resource=resource, level=level))

    def add_project(self, project_id: str) -> None:
        with self.engine.begin() as db:
            if db.execute(select(projects.c.id).where(projects.c.id == project_id)).first() is None:
                db.execute(insert(projects).values(id=project_id))

    def put_deployment(self, deployment_id: str, owner: str, team: Optional[str], frozen: Optional[bool]) -> dict[str, Any]:
        with self.engine.begin() as db:
            row = db.execute(select(deployments).where(deployments.c.id == deployment_id)).mappings().first()
            if row is None:
                values = {"id": deployment_id, "owner": owner, "team": team or "", "frozen": bool(frozen)}
                db.execute(insert(deployments).values(**values))
                return values
            changes = {k: v for k, v in (("team", team), ("frozen", frozen)) if v is not None}
            if changes:
                db.execute(update(deployments).where(deployments.c.id == deployment_id).values(**changes))
            return {**dict(row), **changes}

    def deployment(self, deployment_id: str) -> Optional[dict[str, Any]]:
        with self.engine.connect() as db:
            row = db.execute(select(deployments).where(deployments.c.id == deployment_id)).mappings().first()
            return dict(row) if row is not None else None

    def delete_deployment(self, deployment_id: str) -> bool:
        with self.engine.begin() as db:
            return db.execute(delete(deployments).where(deployments.c.id == deployment_id)).rowcount > 0

    def add_key(self, record: dict[str, Any], created_by: Optional[str]) -> None:
        values = {field: record.get(field) for field in KEY_FIELDS}
        values["scopes"] = json.dumps(record["scopes"]) if record.get("scopes") is not None else None
        with self.engine.begin() as db:
            db.execute(insert(keys).values(**values, created_by=created_by))

    def key(self, key_id: str) -> Optional[dict[str, Any]]:
        with self.engine.connect() as db:
            return self._key(db, key_id)

    def replace_key(self, record: dict[str, Any]) -> None:
        values = {field: record.get(field) for field in KEY_FIELDS if field != "id"}
        values["scopes"] = json.dumps(record["scopes"]) if record.get("scopes") is not None else None
        with self.engine.begin() as db:
            db.execute(update(keys).where(keys.c.id == record["id"]).values(**values))

    def keys_of(self, owner: str) -> list[dict[str, Any]]:
        with self.engine.connect() as db:
            rows = db.execute(select(keys).where(keys.c.owner == owner).order_by(keys.c.created_at, keys.c.id))
            return [self._key_record(row) for row in rows.mappings()]

    def revoke_key(self, key_id: str, at: int) -> None:
        with self.engine.begin() as db:
            db.execute(update(keys).where(keys.c.id == key_id, keys.c.revoked_at.is_(None)).values(revoked_at=at))

    def start_session(self, user_id: str) -> str:
        session = secrets.token_urlsafe(16)
        with self.engine.begin() as db:
            db.execute(insert(sessions).values(id=session, user_id=user_id, created_at=now()))
        return session

    def end_session(self, session: str) -> None:
        with self.engine.begin() as db:
            db.execute(update(sessions).where(sessions.c.id == session, sessions.c.ended_at.is_(None))
                       .values(ended_at=now()))

    def add_client(self, client_id: str, secret: str, grant: str) -> None:
        with self.engine.begin() as db:
            db.execute(insert(clients).values(id=client_id, secret_hash=hash_password(secret), grant=grant))

    def client(self, client_id: str, secret: str) -> Optional[str]:
        """The client's grant when the secret is right."""
        with self.engine.connect() as db:
            row = db.execute(select(clients).where(clients.c.id == client_id)).mappings().first()
        if row is None or not check_password(secret, row["secret_hash"]):
            return None
        return str(row["grant"])
