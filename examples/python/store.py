"""A tiny in-memory host store: what a service keeps in its database or KV.

permiso does no I/O; the host looks records up and hands them over. The
examples use this store; a real service would query its own tables.
"""
import json
import pathlib
from typing import Any

import permiso

HERE = pathlib.Path(__file__).resolve().parent
POLICY_PATH = HERE.parent / "policy.yaml"
HOST_DATA = HERE.parent / "host-data.json"


class HostStore:
    def __init__(self, host_data: pathlib.Path = HOST_DATA) -> None:
        data = json.loads(host_data.read_text())
        self.principals: dict[str, dict[str, Any]] = {p["id"]: p for p in data.get("principals", [])}
        self.keys: dict[str, dict[str, Any]] = {k["id"]: k for k in data.get("keys", [])}
        self.revoked_keys: list[str] = list(data.get("revoked_keys", []))
        self.revoked_sessions: list[str] = list(data.get("revoked_sessions", []))

    def add_key(self, record: dict[str, Any]) -> None:
        self.keys[record["id"]] = record

    def host_data(self, classified: permiso.Classification) -> dict[str, Any]:
        """The records `authorize_request` needs, given `policy.classify(...)`."""
        keys = []
        credential = classified.credential
        if credential["type"] == "api_key" and credential.get("id") in self.keys:
            keys.append(self.keys[credential["id"]])
        return {
            "keys": keys,
            # A real host would fetch the key's owner or the token's subject;
            # the store is small, so it hands over every principal.
            "principals": list(self.principals.values()),
            "revoked_keys": self.revoked_keys,
            "revoked_sessions": self.revoked_sessions,
        }
