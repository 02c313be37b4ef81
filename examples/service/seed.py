"""Sample data for the reference service: users with roles, teams and a
per-deployment grant, deployments with owners, projects, and two OAuth
clients. `python seed.py DATABASE_URL` seeds an empty database."""
from __future__ import annotations

import sys

from db import Store

USERS = [
    # id, email, password, roles, teams
    ("alice", "alice@example.com", "alice-password", ["admin"], ["platform"]),
    ("bob", "bob@example.com", "bob-password", ["operator"], ["payments"]),
    ("carol", "carol@example.com", "carol-password", ["viewer"], ["payments"]),
    ("dave", "dave@example.com", "dave-password", ["admin"], ["platform"]),
]
DEPLOYMENTS = [("web", "user:alice", "platform"), ("billing", "user:bob", "payments"),
               ("ledger", "user:carol", "payments")]
CLIENTS = [("ci-deployer", "ci-deployer-secret", "client_credentials"),
           ("mobile-app", "mobile-app-secret", "token_exchange")]


def seed(store: Store) -> bool:
    """Seeds once; False when the database already has users."""
    if store.user_by_email(USERS[0][1]) is not None:
        return False
    for user_id, email, password, roles, teams in USERS:
        store.add_user(user_id, email, password, roles, teams)
    store.set_grant("carol", "deployment:billing", "write")
    for deployment, owner, team in DEPLOYMENTS:
        store.put_deployment(deployment, owner, team, False)
    for project in ("p1", "p2"):
        store.add_project(project)
    for client_id, secret, grant in CLIENTS:
        store.add_client(client_id, secret, grant)
    return True


if __name__ == "__main__":
    print("seeded" if seed(Store(sys.argv[1])) else "already seeded")
