#!/usr/bin/env python3
"""Writes tests/vectors/keys.json.

An implementation of the API key format written independently of the
Rust core (zlib's CRC-32, hashlib, hmac), so the vectors check the core
against a second reading of the contract. Deterministic: the secrets come
from a seeded generator, so re-running it reproduces the file byte for byte
(`make vectors-check` fails when they differ).
"""
import json
import pathlib
import random

from keyformat import adder, checksum, make as _make, mask, parts, peppered as _peppered, rand as _rand, sha

NOW = 1767225600
PEPPER = "correct horse battery staple"
rng = random.Random(20261123)


def rand(n):
    return _rand(rng, n)


def make(prefix, key_id=None, secret=None):
    return _make(rng, prefix, key_id, secret)


def peppered(key):
    return _peppered(key, PEPPER)


def record(key, kind, owner, **extra):
    from keyformat import record as _record
    return _record(key, kind, owner, NOW, **extra)


POLICY = {
    "version": 1,
    "permissions": ["endpoints:run", "flags:evaluate", "deployments:read", "deployments:write"],
    "roles": {"viewer": {"permissions": ["deployments:read"]}},
    "credentials": {
        "personal_key": {"type": "api_key", "prefix": "pmo_pat", "acts_as": "owner"},
        "project_key": {"type": "api_key", "prefix": "pmo_psk", "acts_as": "key",
                        "allowed": ["endpoints:run", "flags:evaluate"]},
    },
}

project = make("pmo_psk")
personal = make("pmo_pat")
other = make("pmo_psk")
p_prefix, p_id, p_secret = parts(project)
q_prefix, q_id, q_secret = parts(personal)
project_rec = record(project, "project_key", "project:p1", scopes=["endpoints:run"])
personal_rec = record(personal, "personal_key", "user:alice")

# Same id as `project`, another secret, valid checksum: only the hash can tell.
forged = make("pmo_psk", p_id, rand(32))
# The personal key under the project prefix, checksum recomputed.
swapped = make("pmo_psk", q_id, q_secret)
# One secret character short, checksum recomputed so it "looks valid".
short_body = f"{p_prefix}_{p_id}_{p_secret[:31]}"
truncated = short_body + checksum(short_body)
unknown_prefix = make("pmo_xyz")
bad_sum = project[:-1] + ("0" if project[-1] != "0" else "1")
lookalike = project.replace("a", "\u0430", 1) if "a" in project else project[:-1] + "\u0430"

cases = []
case = adder(cases)


case("a project key parses to its kind and id", "parse_key",
     {"ok": True, "kind": "project_key", "id": p_id, "mask": mask(project)}, key=project)
case("a personal key parses to its kind and id", "parse_key",
     {"ok": True, "kind": "personal_key", "id": q_id}, key=personal)
case("a changed last character fails the checksum", "parse_key",
     {"ok": False, "code": "bad_checksum"}, key=bad_sum)
case("a prefix no kind declares", "parse_key", {"ok": False, "code": "unknown_prefix"}, key=unknown_prefix)
case("a truncated key with a recomputed checksum is malformed", "parse_key",
     {"ok": False, "code": "malformed_key"}, key=truncated)
case("a key cut short by one character is malformed", "parse_key",
     {"ok": False, "code": "malformed_key"}, key=project[:-1])
case("a trailing newline is malformed, not trimmed", "parse_key",
     {"ok": False, "code": "malformed_key"}, key=project + "\n")
case("trailing whitespace is malformed", "parse_key", {"ok": False, "code": "malformed_key"}, key=project + " ")
case("leading whitespace is malformed", "parse_key", {"ok": False, "code": "malformed_key"}, key=" " + project)
case("a Cyrillic look-alike character is malformed", "parse_key",
     {"ok": False, "code": "malformed_key"}, key=lookalike)
case("the empty string is malformed", "parse_key", {"ok": False, "code": "malformed_key"}, key="")
case("no separators is malformed", "parse_key", {"ok": False, "code": "malformed_key"}, key="x" * 56)
case("an uppercase prefix is malformed", "parse_key",
     {"ok": False, "code": "malformed_key"}, key=make("PMO_PSK"))
case("an 11-character id is malformed", "parse_key",
     {"ok": False, "code": "malformed_key"}, key=make("pmo_psk", rand(11)))
case("a 33-character secret is malformed", "parse_key",
     {"ok": False, "code": "malformed_key"}, key=make("pmo_psk", None, rand(33)))
case("a very long input is malformed", "parse_key",
     {"ok": False, "code": "malformed_key"}, key="pmo_psk_" + "A" * 4096)
case("an empty prefix word is malformed", "parse_key",
     {"ok": False, "code": "malformed_key"}, key=make("pmo__psk"))
case("a JWT is not a key", "parse_key", {"ok": False, "code": "malformed_key"},
     key="eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln")

case("hash of a key", "hash_key", {"ok": True, "hash": sha(project)}, key=project)
case("peppered hash of a key", "hash_key", {"ok": True, "hash": peppered(project)}, key=project, pepper=PEPPER)
case("hash of a malformed key is refused", "hash_key", {"ok": False, "code": "malformed_key"}, key=project + "\n")

case("a project key acts as itself", "verify_key",
     {"ok": True, "principal": "key:" + p_id, "credential": {"kind": "project_key", "id": p_id},
      "scopes": ["endpoints:run"]}, key=project, record=project_rec)
case("a personal key acts as its owner", "verify_key",
     {"ok": True, "principal": "user:alice", "credential": {"kind": "personal_key", "id": q_id}},
     key=personal, record=personal_rec)
case("a peppered record verifies with the pepper", "verify_key", {"ok": True},
     key=personal, record=dict(personal_rec, hash=peppered(personal)), pepper=PEPPER)
case("a peppered record without the pepper is an unusable record", "verify_key",
     {"ok": False, "code": "invalid_key_record"}, key=personal, record=dict(personal_rec, hash=peppered(personal)))
case("a peppered record with the wrong pepper does not match", "verify_key",
     {"ok": False, "code": "key_mismatch"}, key=personal, record=dict(personal_rec, hash=peppered(personal)),
     pepper="wrong pepper")
case("a legacy bare SHA-256 hex hash verifies", "verify_key", {"ok": True},
     key=personal, record=dict(personal_rec, hash=sha(personal)[len("sha256:"):]))
case("a record with an unreadable hash is an unusable record", "verify_key",
     {"ok": False, "code": "invalid_key_record"}, key=personal, record=dict(personal_rec, hash="md5:abc"))
case("a record for another id", "verify_key", {"ok": False, "code": "unknown_key"},
     key=other, record=project_rec)
case("same id, another secret: hash mismatch", "verify_key", {"ok": False, "code": "key_mismatch"},
     key=forged, record=project_rec)
case("a personal key under the project prefix is a kind mismatch", "verify_key",
     {"ok": False, "code": "kind_mismatch"}, key=swapped, record=personal_rec)
case("a record whose kind disagrees with the prefix", "verify_key", {"ok": False, "code": "kind_mismatch"},
     key=project, record=dict(project_rec, kind="personal_key"))
case("expired at exactly now", "verify_key", {"ok": False, "code": "expired"},
     key=project, record=dict(project_rec, expires_at=NOW))
case("valid one second before expiry", "verify_key", {"ok": True},
     key=project, record=dict(project_rec, expires_at=NOW + 1))
case("revoked in the past", "verify_key", {"ok": False, "code": "revoked"},
     key=project, record=dict(project_rec, revoked_at=NOW - 1))
case("a revocation scheduled in the future has not taken effect", "verify_key", {"ok": True},
     key=project, record=dict(project_rec, revoked_at=NOW + 60))
case("revoked by the host's list", "verify_key", {"ok": False, "code": "revoked"},
     key=project, record=project_rec, revoked_keys=[p_id])
case("revoked wins over expired", "verify_key", {"ok": False, "code": "revoked"},
     key=project, record=dict(project_rec, revoked_at=NOW - 5, expires_at=NOW - 5))
case("a forged secret learns nothing about revocation", "verify_key", {"ok": False, "code": "key_mismatch"},
     key=forged, record=dict(project_rec, revoked_at=NOW - 1))
case("a bad checksum is caught before any record is consulted", "verify_key",
     {"ok": False, "code": "bad_checksum"}, key=bad_sum, record=project_rec)

# Revoked, then rotated: the old record stays refused, the successor verifies.
successor = make("pmo_psk")
s_id = parts(successor)[1]
case("the old key once its rotation grace has ended", "verify_key", {"ok": False, "code": "expired"},
     key=project, record=dict(project_rec, expires_at=NOW - 1))
case("a key revoked and then rotated stays revoked", "verify_key", {"ok": False, "code": "revoked"},
     key=project, record=dict(project_rec, revoked_at=NOW - 10, expires_at=NOW + 3600))
case("its successor verifies", "verify_key", {"ok": True, "principal": "key:" + s_id},
     key=successor, record=record(successor, "project_key", "project:p1", scopes=["endpoints:run"], rolled_from=p_id))
case("the old key is not accepted against its successor's record", "verify_key",
     {"ok": False, "code": "unknown_key"},
     key=project, record=record(successor, "project_key", "project:p1", rolled_from=p_id))

doc = {
    "description": "API keys: shape, checksum, prefix, hashing and verification (generated by tools/vectors/gen_keys.py)",
    "policy": POLICY,
    "now": NOW,
    "keys": {"project": project, "personal": personal, "pepper": PEPPER},
    "cases": cases,
}
out = pathlib.Path(__file__).resolve().parents[2] / "tests" / "vectors" / "keys.json"
out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
print(f"wrote {out} ({len(cases)} cases)")
