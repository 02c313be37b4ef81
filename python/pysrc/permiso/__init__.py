"""permiso: one authorization core for API keys, roles, scopes, service
accounts and delegated tokens, deciding exactly as the Rust, JavaScript and
Kotlin runtimes do.

    >>> import permiso
    >>> policy = permiso.Policy.from_yaml('''
    ... version: 1
    ... permissions: [deployments:read, deployments:write]
    ... roles:
    ...   viewer: { permissions: [deployments:read] }
    ... ''')
    >>> viewer = policy.identity({"principal": {"id": "user:1", "roles": ["viewer"]}})
    >>> policy.authorize(viewer, "deployments:read").allowed
    True
    >>> denied = policy.authorize(viewer, "deployments:write")
    >>> (denied.code, denied.status, denied.missing)
    ('missing_permission', 403, ['deployments:write'])
"""

from permiso._native import (
    BACKEND,
    Classification,
    Decision,
    GeneratedKey,
    Identity,
    InvalidArgument,
    InvalidKey,
    InvalidPolicy,
    InvalidPrincipal,
    InvalidToken,
    JwksRefresh,
    KeyCredential,
    KeyInfo,
    KeyRecord,
    ParsedKeyInfo,
    PendingToken,
    PermisoError,
    Policy,
    Rotation,
    RouteInfo,
    ScopeEscalation,
    SigningKey,
    TokenCredential,
    TokenInfo,
    VerifiedKey,
    VerifiedToken,
    __version__,
    codes,
    hash_key,
    operations,
    version,
)

__all__ = [
    "BACKEND",
    "Classification",
    "Decision",
    "GeneratedKey",
    "Identity",
    "InvalidArgument",
    "InvalidKey",
    "InvalidPolicy",
    "InvalidPrincipal",
    "InvalidToken",
    "JwksRefresh",
    "KeyCredential",
    "KeyInfo",
    "KeyRecord",
    "ParsedKeyInfo",
    "PendingToken",
    "PermisoError",
    "Policy",
    "Rotation",
    "RouteInfo",
    "ScopeEscalation",
    "SigningKey",
    "TokenCredential",
    "TokenInfo",
    "VerifiedKey",
    "VerifiedToken",
    "__version__",
    "codes",
    "hash_key",
    "operations",
    "version",
]
