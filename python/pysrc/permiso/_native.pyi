# Hand-written stubs of the native module, checked by `mypy.stubtest`.
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Iterator, Optional, Union

from typing_extensions import final

__all__ = [
    "PermisoError",
    "InvalidPolicy",
    "InvalidKey",
    "InvalidToken",
    "InvalidPrincipal",
    "ScopeEscalation",
    "InvalidArgument",
    "Policy",
    "Identity",
    "Decision",
    "GeneratedKey",
    "VerifiedKey",
    "VerifiedToken",
    "PendingToken",
    "Rotation",
    "ParsedKeyInfo",
    "KeyInfo",
    "KeyRecord",
    "KeyCredential",
    "TokenInfo",
    "TokenCredential",
    "RouteInfo",
    "Classification",
    "SigningKey",
    "JwksRefresh",
    "hash_key",
    "codes",
    "operations",
    "version",
    "__version__",
    "BACKEND",
]

__version__: str
BACKEND: str

_Headers = Union[Mapping[str, Union[str, Sequence[str]]], Iterable[tuple[str, str]]]
_Secret = Union[str, bytes]

class PermisoError(Exception):
    code: str
    message: str

class InvalidArgument(PermisoError, TypeError): ...
class InvalidPolicy(PermisoError):
    detail: str
    path: str
    issues: list[tuple[str, str, str]]

class InvalidKey(PermisoError): ...
class InvalidToken(PermisoError): ...
class InvalidPrincipal(PermisoError): ...
class ScopeEscalation(PermisoError): ...

@final
class Decision:
    @property
    def allowed(self) -> bool: ...
    @property
    def ok(self) -> bool: ...
    @property
    def credential(self) -> dict[str, Optional[str]]: ...
    @property
    def code(self) -> str: ...
    @property
    def status(self) -> int: ...
    @property
    def message(self) -> str: ...
    @property
    def missing(self) -> list[str]: ...
    @property
    def action(self) -> Optional[str]: ...
    @property
    def resource(self) -> Optional[str]: ...
    @property
    def tenant(self) -> Optional[str]: ...
    @property
    def route(self) -> Optional[str]: ...
    @property
    def principal(self) -> Optional[str]: ...
    @property
    def credential_kind(self) -> Optional[str]: ...
    @property
    def key_id(self) -> Optional[str]: ...
    @property
    def decision_id(self) -> str: ...
    @property
    def audit(self) -> dict[str, Any]: ...
    def audit_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __bool__(self) -> bool: ...

@final
class Identity:
    @property
    def principal(self) -> str: ...
    @property
    def credential_kind(self) -> Optional[str]: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class GeneratedKey:
    @property
    def key(self) -> str: ...
    @property
    def record(self) -> dict[str, Any]: ...

@final
class KeyRecord:
    def __new__(cls, record: Mapping[str, Any]) -> KeyRecord: ...
    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def owner(self) -> str: ...
    @property
    def mask(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class VerifiedKey:
    @property
    def principal(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def id(self) -> str: ...
    @property
    def mask(self) -> str: ...
    @property
    def scopes(self) -> Optional[list[str]]: ...
    def info(self) -> KeyInfo: ...
    def identity(self, owner: Optional[Mapping[str, Any]] = None) -> Identity: ...

@final
class VerifiedToken:
    @property
    def principal(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def algorithm(self) -> str: ...
    @property
    def scopes(self) -> Optional[list[str]]: ...
    @property
    def actor_chain(self) -> list[str]: ...
    @property
    def session(self) -> Optional[str]: ...
    @property
    def service_account(self) -> bool: ...
    @property
    def claims(self) -> dict[str, Any]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def info(self) -> TokenInfo: ...
    def identity(self, principal: Optional[Mapping[str, Any]] = None) -> Identity: ...

@final
class Rotation:
    @property
    def key(self) -> GeneratedKey: ...
    @property
    def old(self) -> dict[str, Any]: ...
    def __iter__(self) -> Iterator[Any]: ...

# The result records every runtime shows, with the same field names.
@final
class ParsedKeyInfo:
    @property
    def ok(self) -> bool: ...
    @property
    def kind(self) -> str: ...
    @property
    def id(self) -> str: ...
    @property
    def mask(self) -> str: ...
    @property
    def prefix(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class KeyCredential:
    @property
    def kind(self) -> str: ...
    @property
    def id(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class KeyInfo:
    @property
    def ok(self) -> bool: ...
    @property
    def code(self) -> str: ...
    @property
    def principal(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def id(self) -> str: ...
    @property
    def mask(self) -> str: ...
    @property
    def scopes(self) -> Optional[list[str]]: ...
    @property
    def credential(self) -> KeyCredential: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class TokenCredential:
    @property
    def kind(self) -> str: ...
    @property
    def id(self) -> Optional[str]: ...
    @property
    def session(self) -> Optional[str]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class TokenInfo:
    @property
    def ok(self) -> bool: ...
    @property
    def code(self) -> str: ...
    @property
    def principal(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def algorithm(self) -> str: ...
    @property
    def scopes(self) -> Optional[list[str]]: ...
    @property
    def roles(self) -> list[str]: ...
    @property
    def tenant(self) -> Optional[str]: ...
    @property
    def service_account(self) -> bool: ...
    @property
    def actor_chain(self) -> list[str]: ...
    @property
    def expires_at(self) -> Optional[int]: ...
    @property
    def key_id(self) -> Optional[str]: ...
    @property
    def credential(self) -> TokenCredential: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class RouteInfo:
    @property
    def route(self) -> str: ...
    @property
    def permission(self) -> str: ...
    @property
    def resource(self) -> Optional[str]: ...
    @property
    def tenant(self) -> Optional[str]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class Classification:
    @property
    def route(self) -> Optional[RouteInfo]: ...
    @property
    def credential(self) -> dict[str, Any]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class PendingToken:
    @property
    def algorithm(self) -> Optional[str]: ...
    @property
    def public_jwk(self) -> Optional[dict[str, Any]]: ...
    @property
    def key_thumbprint(self) -> Optional[str]: ...
    @property
    def signing_input(self) -> Optional[bytes]: ...
    @property
    def signature(self) -> Optional[bytes]: ...

@final
class SigningKey:
    @staticmethod
    def hmac(algorithm: str, secret: bytes, *, kid: Optional[str] = None) -> SigningKey: ...
    @staticmethod
    def from_pem(algorithm: str, pem: _Secret, *, kid: Optional[str] = None) -> SigningKey: ...
    @property
    def algorithm(self) -> str: ...

@final
class JwksRefresh:
    def __new__(cls, *, max_age: Optional[int] = None, cooldown: Optional[int] = None) -> JwksRefresh: ...
    def due(self, now: Optional[float] = None) -> bool: ...
    def on_unknown_kid(self, now: Optional[float] = None) -> bool: ...
    def succeeded(self, now: Optional[float] = None) -> None: ...
    def failed(self, now: Optional[float] = None) -> None: ...
    @property
    def next_fetch_at(self) -> int: ...
    @property
    def failures(self) -> int: ...

@final
class Policy:
    @staticmethod
    def from_file(path: Union[str, os.PathLike[str]]) -> Policy: ...
    @staticmethod
    def from_json(text: str) -> Policy: ...
    @staticmethod
    def from_yaml(text: str) -> Policy: ...
    @staticmethod
    def from_toml(text: str) -> Policy: ...
    @staticmethod
    def from_dict(document: Mapping[str, Any]) -> Policy: ...
    @property
    def hash(self) -> str: ...
    @property
    def permissions(self) -> list[str]: ...
    @property
    def credential_kinds(self) -> list[str]: ...
    def identity(self, record: Union[Identity, Mapping[str, Any]]) -> Identity: ...
    def authorize(
        self,
        identity: Union[Identity, Mapping[str, Any]],
        action: str,
        resource: Union[str, Mapping[str, Any], None] = None,
        tenant: Optional[str] = None,
        *,
        now: Optional[float] = None,
    ) -> Decision: ...
    def is_allowed(
        self,
        identity: Identity,
        action: str,
        resource: Union[str, Mapping[str, Any], None] = None,
        tenant: Optional[str] = None,
    ) -> bool: ...
    def authzen(
        self,
        api: str,
        request: Mapping[str, Any],
        *,
        principals: Optional[Sequence[Mapping[str, Any]]] = None,
        resources: Optional[Sequence[Mapping[str, Any]]] = None,
        now: Optional[float] = None,
    ) -> dict[str, Any]: ...
    def access_evaluation(
        self,
        request: Mapping[str, Any],
        *,
        principals: Optional[Sequence[Mapping[str, Any]]] = None,
        resources: Optional[Sequence[Mapping[str, Any]]] = None,
        now: Optional[float] = None,
    ) -> dict[str, Any]: ...
    def access_evaluations(
        self,
        request: Mapping[str, Any],
        *,
        principals: Optional[Sequence[Mapping[str, Any]]] = None,
        resources: Optional[Sequence[Mapping[str, Any]]] = None,
        now: Optional[float] = None,
    ) -> dict[str, Any]: ...
    def search_subjects(
        self,
        request: Mapping[str, Any],
        *,
        principals: Optional[Sequence[Mapping[str, Any]]] = None,
        resources: Optional[Sequence[Mapping[str, Any]]] = None,
        now: Optional[float] = None,
    ) -> dict[str, Any]: ...
    def search_resources(
        self,
        request: Mapping[str, Any],
        *,
        principals: Optional[Sequence[Mapping[str, Any]]] = None,
        resources: Optional[Sequence[Mapping[str, Any]]] = None,
        now: Optional[float] = None,
    ) -> dict[str, Any]: ...
    def search_actions(
        self,
        request: Mapping[str, Any],
        *,
        principals: Optional[Sequence[Mapping[str, Any]]] = None,
        resources: Optional[Sequence[Mapping[str, Any]]] = None,
        now: Optional[float] = None,
    ) -> dict[str, Any]: ...
    def classify(self, method: str, path: str, headers: _Headers) -> Classification: ...
    def authorize_request(
        self,
        method: str,
        path: str,
        headers: _Headers,
        *,
        keys: Optional[Sequence[Mapping[str, Any]]] = None,
        principals: Optional[Sequence[Mapping[str, Any]]] = None,
        resources: Optional[Sequence[Mapping[str, Any]]] = None,
        revoked_keys: Optional[Sequence[str]] = None,
        revoked_sessions: Optional[Sequence[str]] = None,
        pepper: Optional[_Secret] = None,
        now: Optional[float] = None,
    ) -> Decision: ...
    def begin_request(self, headers: _Headers) -> Optional[PendingToken]: ...
    def complete_request(
        self,
        method: str,
        path: str,
        headers: _Headers,
        pending: PendingToken,
        verdict: Optional[bool] = None,
        *,
        keys: Optional[Sequence[Mapping[str, Any]]] = None,
        principals: Optional[Sequence[Mapping[str, Any]]] = None,
        resources: Optional[Sequence[Mapping[str, Any]]] = None,
        revoked_keys: Optional[Sequence[str]] = None,
        revoked_sessions: Optional[Sequence[str]] = None,
        pepper: Optional[_Secret] = None,
        now: Optional[float] = None,
    ) -> Decision: ...
    def authorize_route(
        self,
        method: str,
        template: str,
        params: _Headers,
        headers: _Headers,
        *,
        keys: Optional[Sequence[Mapping[str, Any]]] = None,
        principals: Optional[Sequence[Mapping[str, Any]]] = None,
        resources: Optional[Sequence[Mapping[str, Any]]] = None,
        revoked_keys: Optional[Sequence[str]] = None,
        revoked_sessions: Optional[Sequence[str]] = None,
        pepper: Optional[_Secret] = None,
        now: Optional[float] = None,
    ) -> Decision: ...
    def complete_route(
        self,
        method: str,
        template: str,
        params: _Headers,
        headers: _Headers,
        pending: PendingToken,
        verdict: Optional[bool] = None,
        *,
        keys: Optional[Sequence[Mapping[str, Any]]] = None,
        principals: Optional[Sequence[Mapping[str, Any]]] = None,
        resources: Optional[Sequence[Mapping[str, Any]]] = None,
        revoked_keys: Optional[Sequence[str]] = None,
        revoked_sessions: Optional[Sequence[str]] = None,
        pepper: Optional[_Secret] = None,
        now: Optional[float] = None,
    ) -> Decision: ...
    def generate_key(
        self,
        kind: str,
        owner: str,
        *,
        scopes: Optional[Sequence[str]] = None,
        label: Optional[str] = None,
        expires_at: Optional[float] = None,
        pepper: Optional[_Secret] = None,
        now: Optional[float] = None,
    ) -> GeneratedKey: ...
    def rotate_key(
        self,
        record: Mapping[str, Any],
        *,
        grace: int | None = None,  # 86400 s when None
        scopes: Optional[Sequence[str]] = None,
        expires_at: Optional[float] = None,
        label: Optional[str] = None,
        pepper: Optional[_Secret] = None,
        revoked_keys: Optional[Sequence[str]] = None,
        now: Optional[float] = None,
    ) -> Rotation: ...
    def parse_key(self, key: str) -> ParsedKeyInfo: ...
    def verify_key(
        self,
        key: str,
        record: Union[Mapping[str, Any], KeyRecord],
        *,
        pepper: Optional[_Secret] = None,
        revoked_keys: Optional[Sequence[str]] = None,
        now: Optional[float] = None,
    ) -> VerifiedKey: ...
    def verify_jwt(
        self,
        token: str,
        *,
        revoked_sessions: Optional[Sequence[str]] = None,
        revoked_keys: Optional[Sequence[str]] = None,
        kind: Optional[str] = None,
        now: Optional[float] = None,
    ) -> VerifiedToken: ...
    def begin_jwt(
        self,
        token: str,
        *,
        revoked_sessions: Optional[Sequence[str]] = None,
        revoked_keys: Optional[Sequence[str]] = None,
        kind: Optional[str] = None,
        now: Optional[float] = None,
    ) -> PendingToken: ...
    def complete_jwt(
        self,
        pending: PendingToken,
        verdict: Optional[bool] = None,
        *,
        revoked_sessions: Optional[Sequence[str]] = None,
        revoked_keys: Optional[Sequence[str]] = None,
        kind: Optional[str] = None,
        now: Optional[float] = None,
    ) -> VerifiedToken: ...
    def issue_session(
        self,
        kind: str,
        subject: str,
        signing_key: SigningKey,
        *,
        scopes: Optional[Sequence[str]] = None,
        roles: Optional[Sequence[str]] = None,
        tenant: Optional[str] = None,
        session: Optional[str] = None,
        client_id: Optional[str] = None,
        lifetime: int | None = None,  # 900 s when None, capped by the kind
        now: Optional[float] = None,
    ) -> str: ...
    def delegate(
        self,
        kind: str,
        identity: Union[Identity, Mapping[str, Any]],
        signing_key: SigningKey,
        *,
        actor: str,
        scopes: Sequence[str],
        audience: Optional[str] = None,
        lifetime: int | None = None,  # 300 s when None, capped by the kind and the credential
        now: Optional[float] = None,
    ) -> str: ...
    def set_jwks(self, kind: str, jwks: Mapping[str, Any]) -> None: ...
    def set_secrets(self, kind: str, jwks: Mapping[str, Any]) -> None: ...
    def jwks_kids(self, kind: str) -> Optional[list[str]]: ...
    def cache_tokens(self, capacity: int) -> None: ...
    def cached_tokens(self) -> int: ...

def hash_key(key: str, *, pepper: Optional[_Secret] = None) -> str: ...
def codes() -> list[str]: ...
def operations() -> list[str]: ...
def version() -> str: ...
