"""The reference service under uvicorn on loopback, driven over HTTP by
httpx through each story, on SQLite and on PostgreSQL
(PERMISO_SERVICE_POSTGRES names a server the test script started)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

SERVICE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(SERVICE))

from db import Store  # noqa: E402
from seed import seed  # noqa: E402

BACKENDS = ["sqlite", "postgresql"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_url(backend: str, tmp: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp / 'service.db'}"
    url = os.environ.get("PERMISO_SERVICE_POSTGRES")
    if not url:
        if os.environ.get("PERMISO_REQUIRE_POSTGRES") == "1":
            raise AssertionError("PERMISO_SERVICE_POSTGRES is not set: the test script starts PostgreSQL")
        pytest.skip("no PostgreSQL server (scripts/test-service.sh starts one)")
    from sqlalchemy import create_engine, text
    engine = create_engine(url)
    with engine.begin() as db:
        db.execute(text("DROP SCHEMA public CASCADE"))
        db.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(scope="module", params=BACKENDS)
def service(request: Any, tmp_path_factory: Any) -> Iterator[httpx.Client]:
    url = database_url(request.param, tmp_path_factory.mktemp(request.param))
    seed(Store(url))
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "app:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--app-dir", str(SERVICE), "--log-level", "warning"],
        env={**os.environ, "DATABASE_URL": url}, cwd=SERVICE)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
    deadline = time.monotonic() + 30
    while True:
        try:
            client.post("/auth/sign-in", json={})
            break
        except httpx.TransportError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise AssertionError(f"the service did not start on {request.param}")
            time.sleep(0.1)
    client.backend = request.param  # type: ignore[attr-defined]
    yield client
    client.close()
    process.terminate()
    process.wait(15)


def sign_in(service: httpx.Client, user: str) -> dict[str, str]:
    answer = service.post("/auth/sign-in", json={"email": f"{user}@example.com", "password": f"{user}-password"})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def key_header(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def code(answer: httpx.Response) -> str:
    body = answer.json()
    return str(body.get("detail", body).get("code"))


def test_api_keys_are_created_once_listed_as_masks_revoked_and_rotated_with_grace(service: httpx.Client) -> None:
    assert service.post("/auth/sign-in", json={"email": "bob@example.com", "password": "nope"}).status_code == 401
    bob = sign_in(service, "bob")
    created = service.post("/api/keys", json={"label": "laptop"}, headers=bob)
    assert created.status_code == 200, created.text
    key, key_id = created.json()["key"], created.json()["id"]
    assert key.startswith("svc_pat_") and created.json()["owner"] == "user:bob"
    listed = service.get("/api/keys", headers=bob)
    assert key_id in [k["id"] for k in listed.json()["keys"]]
    assert key not in listed.text and "hash" not in listed.text
    assert all(k["mask"].endswith(key[-4:]) for k in listed.json()["keys"] if k["id"] == key_id)
    read = service.get("/api/deployments/billing", headers=key_header(key))
    assert read.status_code == 200 and read.json()["read_by"] == "user:bob"

    rotated = service.post(f"/api/keys/{key_id}/rotate", json={"grace": 3600}, headers=bob)
    assert rotated.status_code == 200, rotated.text
    new_key, new_id = rotated.json()["key"], rotated.json()["id"]
    assert rotated.json()["rolled_from"] == key_id
    assert 3500 < rotated.json()["old"]["expires_at"] - time.time() <= 3600
    # During the grace period both keys work.
    assert service.get("/api/deployments/billing", headers=key_header(key)).status_code == 200
    assert service.get("/api/deployments/billing", headers=key_header(new_key)).status_code == 200

    revoked = service.delete(f"/api/keys/{new_id}", headers=bob)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    refused = service.get("/api/deployments/billing", headers=key_header(new_key))
    assert refused.status_code == 401 and code(refused) == "revoked"
    assert refused.headers["www-authenticate"] == "Bearer"
    rotate_revoked = service.post(f"/api/keys/{new_id}/rotate", json={}, headers=bob)
    assert rotate_revoked.status_code == 409 and code(rotate_revoked) == "revoked"


def test_keys_are_revoked_by_their_owner_or_an_admin_only(service: httpx.Client) -> None:
    alice, bob = sign_in(service, "alice"), sign_in(service, "bob")
    carol = sign_in(service, "carol")
    carol_key = service.post("/api/keys", json={"label": "ci"}, headers=carol).json()["id"]
    refused = service.delete(f"/api/keys/{carol_key}", headers=bob)
    assert refused.status_code == 403 and code(refused) == "missing_permission"
    assert service.delete(f"/api/keys/{carol_key}", headers=alice).status_code == 200
    bob_key = service.post("/api/keys", json={"label": "tmp"}, headers=bob).json()["id"]
    assert service.delete(f"/api/keys/{bob_key}", headers=bob).status_code == 200


def test_project_keys_run_endpoints_only_and_outlive_the_user_who_made_them(service: httpx.Client) -> None:
    alice, dave = sign_in(service, "alice"), sign_in(service, "dave")
    made = service.post("/api/projects/p1/keys", json={"label": "nightly", "scopes": ["endpoints:run"]},
                        headers=dave)
    assert made.status_code == 200, made.text
    project_key, project_key_id = made.json()["key"], made.json()["id"]
    assert made.json()["owner"] == "project:p1"
    dave_key = service.post("/api/keys", json={"label": "dave"}, headers=dave).json()["key"]
    ran = service.post("/api/projects/p1/endpoints/nightly/run", headers=key_header(project_key))
    assert ran.status_code == 200 and ran.json()["principal"] == f"key:{project_key_id}"
    configure = service.put("/api/projects/p1/endpoints/nightly", headers=key_header(project_key))
    assert configure.status_code == 403 and code(configure) == "credential_kind_not_allowed"
    elsewhere = service.post("/api/projects/p2/endpoints/nightly/run", headers=key_header(project_key))
    assert elsewhere.status_code == 403 and code(elsewhere) == "tenant_mismatch"
    deployments = service.get("/api/deployments/web", headers=key_header(project_key))
    assert deployments.status_code == 403
    # Dave leaves: his personal key dies with him, the project's key does not.
    assert service.delete("/api/users/dave", headers=alice).json()["removed"] is True
    gone = service.get("/api/deployments/web", headers=key_header(dave_key))
    assert gone.status_code == 401 and code(gone) == "unknown_principal"
    still = service.post("/api/projects/p1/endpoints/nightly/run", headers=key_header(project_key))
    assert still.status_code == 200


def test_signing_out_ends_the_session(service: httpx.Client) -> None:
    carol = sign_in(service, "carol")
    assert service.get("/api/deployments/ledger", headers=carol).status_code == 200
    ended = service.delete("/api/session", headers=carol)
    assert ended.status_code == 200 and ended.json()["ended"] is True
    after = service.get("/api/deployments/ledger", headers=carol)
    assert after.status_code == 401 and code(after) == "session_revoked"


def test_a_service_account_through_client_credentials(service: httpx.Client) -> None:
    form = {"grant_type": "client_credentials", "client_id": "ci-deployer", "client_secret": "ci-deployer-secret"}
    issued = service.post("/oauth/token", data=form)
    assert issued.status_code == 200, issued.text
    ci = {"Authorization": f"Bearer {issued.json()['access_token']}"}
    deployed = service.put("/api/deployments/web", json={"frozen": False}, headers=ci)
    assert deployed.status_code == 200
    deleted = service.delete("/api/deployments/web", headers=ci)
    assert deleted.status_code == 403 and code(deleted) == "missing_permission"
    wrong = service.post("/oauth/token", data={**form, "client_secret": "guess"})
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    other = service.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": "mobile-app",
                                                "client_secret": "mobile-app-secret"})
    assert other.status_code == 400 and other.json()["error"] == "unauthorized_client"
    log = service.get("/api/audit", params={"principal": "service:ci-deployer"}, headers=sign_in(service, "alice"))
    assert {d["code"] for d in log.json()["decisions"]} >= {"allowed", "missing_permission"}


def test_a_third_party_app_gets_at_most_what_the_user_holds(service: httpx.Client) -> None:
    bob = sign_in(service, "bob")
    subject_token = bob["Authorization"].split()[1]

    def exchange(scope: str, token: str = subject_token) -> httpx.Response:
        return service.post("/oauth/token", data={
            "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
            "client_id": "mobile-app", "client_secret": "mobile-app-secret",
            "subject_token": token, "subject_token_type": "urn:ietf:params:oauth:token-type:access_token",
            "scope": scope})

    granted = exchange("deployments:read")
    assert granted.status_code == 200, granted.text
    assert granted.json()["issued_token_type"] == "urn:ietf:params:oauth:token-type:access_token"
    app = {"Authorization": f"Bearer {granted.json()['access_token']}"}
    assert service.get("/api/deployments/billing", headers=app).status_code == 200
    write = service.put("/api/deployments/billing", json={}, headers=app)
    assert write.status_code == 403 and code(write) == "insufficient_scope"
    more = exchange("deployments:read users:manage")
    assert more.status_code == 400 and more.json()["error"] == "invalid_scope"
    assert "users:manage" in more.json()["error_description"]
    assert exchange("deployments:read", "not-a-token").json()["error"] == "invalid_grant"
    # Which app did that, for whom? The delegation chain is in the audit log.
    log = service.get("/api/audit", params={"actor": "mobile-app"}, headers=sign_in(service, "alice")).json()
    assert log["decisions"] and all(d["actor"]["actor_chain"] == ["mobile-app"] for d in log["decisions"])
    assert {d["actor"]["principal"] for d in log["decisions"]} == {"user:bob"}
    assert {(d["action"], d["allowed"]) for d in log["decisions"]} == {
        ("deployments:read", True), ("deployments:write", False)}
    # Once Bob signs out, his session can no longer be exchanged.
    assert service.delete("/api/session", headers=bob).status_code == 200
    ended = exchange("deployments:read")
    assert ended.status_code == 400 and ended.json()["error"] == "invalid_grant"


def test_owners_and_grants_decide_deployments(service: httpx.Client) -> None:
    carol = sign_in(service, "carol")
    # Carol is a viewer: she changes the deployment she owns (the ownership
    # rule), billing through her per-deployment `write` grant, nothing else.
    assert service.put("/api/deployments/ledger", json={"frozen": True}, headers=carol).status_code == 200
    assert service.put("/api/deployments/billing", json={}, headers=carol).status_code == 200
    web = service.put("/api/deployments/web", json={}, headers=carol)
    assert web.status_code == 403 and code(web) == "missing_permission"
    delete = service.delete("/api/deployments/billing", headers=carol)
    assert delete.status_code == 403
    missing = service.get("/api/deployments/nothing-here", headers=carol)
    assert missing.status_code == 404
    assert service.get("/api/internal", headers=carol).status_code == 404


def test_which_key_did_that(service: httpx.Client) -> None:
    bob, alice = sign_in(service, "bob"), sign_in(service, "alice")
    key = service.post("/api/keys", json={"label": "script"}, headers=bob).json()
    assert service.get("/api/deployments/billing", headers=key_header(key["key"])).status_code == 200
    denied = service.delete("/api/deployments/web", headers=key_header(key["key"]))
    assert denied.status_code == 403
    log = service.get("/api/audit", params={"key_id": key["id"]}, headers=alice)
    assert log.status_code == 200
    decisions = log.json()["decisions"]
    assert [(d["action"], d["allowed"]) for d in decisions] == [("deployments:delete", False),
                                                               ("deployments:read", True)]
    assert {d["actor"]["key_mask"] for d in decisions} == {key["mask"]}
    assert key["key"] not in log.text
    # Reading the audit log is for admins.
    refused = service.get("/api/audit", headers=bob)
    assert refused.status_code == 403 and code(refused) == "missing_permission"
    unauthenticated = service.get("/api/audit")
    assert unauthenticated.status_code == 401 and code(unauthenticated) == "no_credentials"


def test_make_service_starts_on_sqlite_with_the_sample_data(tmp_path: Path) -> None:
    """`make service` (examples/service/run.sh): seeds, prints how to call it, serves."""
    port = free_port()
    env = {**os.environ, "PORT": str(port), "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}"}
    process = subprocess.Popen(["bash", str(SERVICE / "run.sh")], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        printed = []
        for line in process.stdout:  # type: ignore[union-attr]
            printed.append(line)
            if "Stop with Ctrl-C" in line:
                break
        assert any("bob@example.com" in line for line in printed), printed
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = client.post("/auth/sign-in", json={"email": "bob@example.com", "password": "bob-password"})
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and process.poll() is None, "make service did not start"
                time.sleep(0.1)
        assert answer.status_code == 200
        bob = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        assert client.get("/api/deployments/billing", headers=bob).json()["owner"] == "user:bob"
    finally:
        process.terminate()
        process.wait(15)
