"""The API key and token formats, written independently of the Rust
core (zlib's CRC-32, hashlib, hmac). Shared by the vector generators."""
import base64
import hashlib
import hmac
import json
import zlib

B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def b62(n, width):
    out = ""
    while n:
        out = B62[n % 62] + out
        n //= 62
    return out.rjust(width, "0")


def rand(rng, n):
    return "".join(rng.choice(B62) for _ in range(n))


def checksum(body):
    return b62(zlib.crc32(body.encode()) & 0xFFFFFFFF, 6)


def make(rng, prefix, key_id=None, secret=None):
    body = f"{prefix}_{key_id or rand(rng, 12)}_{secret or rand(rng, 32)}"
    return body + checksum(body)


def parts(key):
    head, tail = key.rsplit("_", 1)
    prefix, key_id = head.rsplit("_", 1)
    return prefix, key_id, tail[:32]


def sha(key):
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def peppered(key, pepper):
    return "hmac-sha256:" + hmac.new(pepper.encode(), key.encode(), hashlib.sha256).hexdigest()


def mask(key):
    prefix, key_id, _ = parts(key)
    return f"{prefix}_{key_id}_...{key[-4:]}"


def record(key, kind, owner, now, **extra):
    _, key_id, _ = parts(key)
    rec = {"id": key_id, "kind": kind, "hash": sha(key), "mask": mask(key), "owner": owner,
           "scopes": None, "label": None, "created_at": now - 86400, "expires_at": None,
           "revoked_at": None, "last_used_at": None, "rolled_from": None}
    rec.update(extra)
    return rec


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256(secret: bytes, claims: dict, kid=None) -> str:
    header = {"alg": "HS256", "typ": "JWT"}
    if kid:
        header["kid"] = kid
    msg = b64u(json.dumps(header, separators=(",", ":")).encode()) + "." + \
        b64u(json.dumps(claims, separators=(",", ":")).encode())
    return msg + "." + b64u(hmac.new(secret, msg.encode(), hashlib.sha256).digest())


def adder(cases):
    """`case(name, op, expect, **fields)` appending one vector case to `cases`
    (fields in the order name, op, the case's own, expect)."""
    def case(name, op, expect, **fields):
        c = {"name": name, "op": op}
        c.update(fields)
        c["expect"] = expect
        cases.append(c)
    return case
