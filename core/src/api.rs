//! The façade: every public operation of [`Policy`], on one page. Each is a
//! few lines handing over to the layer that owns the rule (the model in
//! `policy`, identities and decisions in `authz`, keys in `apikeys`, tokens
//! in `jwt`, requests in `request`).

use std::sync::Arc;

use crate::apikeys::{NewKey, ParsedKey, RotateKey, VerifiedKey, VerifyKeyOptions};
use crate::authz::{Check, Evaluation, Identity, IdentityError, IdentityRecord, PrincipalRecord};
use crate::code::Code;
use crate::decision::Decision;
use crate::jwt::{
    DelegationRequest, KeySet, PendingToken, SessionRequest, SigningKey, TokenError, VerifiedToken, VerifyTokenOptions,
};
use crate::key::{GeneratedKey, KeyError, KeyRecord, Rotation};
use crate::policy::rules::RuleTrace;
use crate::policy::{Format, Policy, PolicyDocument, PolicyError, PolicyHash, RouteMatch};
use crate::request::{Classified, HostData, Request, RequestOutcome, RouteRequest};

impl Policy {
    // Compiling a policy

    /// Parses, validates and compiles a document in the given format.
    pub fn from_str(text: &str, format: Format) -> Result<Policy, PolicyError> {
        crate::policy::from_str(text, format)
    }

    /// Parses a JSON document.
    pub fn from_json(text: &str) -> Result<Policy, PolicyError> {
        crate::policy::from_json(text)
    }

    /// Parses a YAML document.
    pub fn from_yaml(text: &str) -> Result<Policy, PolicyError> {
        crate::policy::from_yaml(text)
    }

    /// Parses a TOML document.
    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        crate::policy::from_toml(text)
    }

    /// Compiles a JSON value (as found inline in conformance vectors).
    pub fn from_value(value: &serde_json::Value) -> Result<Policy, PolicyError> {
        crate::policy::from_value(value)
    }

    /// Validates and compiles a parsed document.
    pub fn compile(doc: PolicyDocument) -> Result<Policy, PolicyError> {
        crate::policy::compile(doc)
    }

    // Reading the compiled policy

    /// SHA-256 of the canonical form of the document; identical whichever
    /// format the document was written in.
    pub fn hash(&self) -> PolicyHash {
        crate::policy::hash(self)
    }

    /// The validated document.
    pub fn document(&self) -> &PolicyDocument {
        crate::policy::document(self)
    }

    /// The declared permissions, in document order.
    pub fn permissions(&self) -> impl Iterator<Item = &str> {
        crate::policy::permissions(self)
    }

    /// The effective (inherited) permissions of a role, or `None` if undefined.
    pub fn role_permissions(&self, role: &str) -> Option<Vec<&str>> {
        crate::policy::role_permissions(self, role)
    }

    /// Names of the credential kinds.
    pub fn credential_kinds(&self) -> impl Iterator<Item = &str> {
        crate::policy::credential_kinds(self)
    }

    /// Matches a request's method and target (path, optionally with a
    /// query) to the most specific route. A path a framework could route
    /// differently (an escaped route character, `..`, `%2F`, `;`, `#`, a case
    /// variant of a more literal route) matches nothing.
    pub fn match_route(&self, method: &str, target: &str) -> Option<RouteMatch<'_>> {
        crate::policy::match_route(self, method, target)
    }

    /// The route an application's framework matched: `method` and the path
    /// `template` exactly as the policy writes them, with the decoded
    /// parameter values. No path is parsed. `Err` says why nothing matched:
    /// an unknown template, or parameters that are missing, unexpected,
    /// empty or hold control characters.
    pub fn route_by_template(
        &self,
        method: &str,
        template: &str,
        params: &[(&str, &str)],
    ) -> Result<RouteMatch<'_>, String> {
        crate::policy::route_by_template(self, method, template, params)
    }

    /// The accepted credential kinds of a matched route (`None`: all).
    pub fn route_kinds<'p>(&'p self, route: &RouteMatch<'p>) -> Option<Vec<&'p str>> {
        crate::policy::route_kinds(self, route)
    }

    // Identities and checks

    /// Resolves host data into an [`Identity`] for this policy.
    pub fn identity(&self, record: IdentityRecord) -> Result<Identity, IdentityError> {
        crate::authz::identity(self, record)
    }

    /// The permissions `identity` holds (roles, inherited roles and `allow`,
    /// less `deny`, capped by its credential kind's `allowed` list and its
    /// scopes), in declaration order.
    pub fn effective_permission_names(&self, identity: &Identity) -> Vec<&str> {
        crate::authz::effective_permission_names(self, identity)
    }

    /// Runs every row of the evaluation table.
    pub fn evaluate(&self, identity: &Identity, check: Check<'_>) -> Evaluation {
        crate::authz::evaluate(self, identity, check)
    }

    /// Whether `identity` may perform `check`: the evaluation table without
    /// building a decision (no audit record). For UI checks and hot loops.
    pub fn is_allowed(&self, identity: &Identity, check: Check<'_>) -> bool {
        crate::authz::is_allowed(self, identity, check)
    }

    /// The code [`Policy::authorize`] gives for `check`, from the same
    /// evaluation, without building the decision: for a binding that hands
    /// back the answer at once and builds the decision's record (message,
    /// audit, id) only when it is read.
    pub fn decision_code(&self, identity: &Identity, check: Check<'_>) -> Code {
        crate::authz::evaluate(self, identity, check).code()
    }

    /// Every rule granting the check's action and how it fared: the roles it
    /// needs, or the first `when` entry that failed (for `explain`).
    pub fn explain_rules(&self, identity: &Identity, check: Check<'_>) -> Vec<RuleTrace> {
        crate::authz::rule_trace(self, identity, check)
    }

    /// Decides whether `identity` may perform `check` (the evaluation table), at `now`
    /// (unix seconds, recorded in the audit record).
    pub fn authorize<'a>(&'a self, identity: &'a Identity, check: Check<'a>, now: i64) -> Decision<'a> {
        crate::authz::authorize(self, identity, check, now)
    }

    // AuthZEN

    /// Answers an AuthZEN 1.0 request of `api` (evaluation, batch or
    /// search) from the host's principal and resource records, at `host.now`.
    pub fn authzen(
        &self,
        api: crate::authzen::Api,
        request: &serde_json::Value,
        host: &HostData<'_>,
    ) -> Result<crate::authzen::AuthzenResponse, crate::wire::Error> {
        crate::authzen::answer(self, api, request, host)
    }

    /// [`Policy::authzen`], handing each decision of an evaluation or a
    /// batch to `audit` with its index in the batch (a search's candidates
    /// are not decisions the caller acts on, and are not handed over).
    pub fn authzen_audited(
        &self,
        api: crate::authzen::Api,
        request: &serde_json::Value,
        host: &HostData<'_>,
        audit: &mut dyn FnMut(usize, &Decision<'_>),
    ) -> Result<crate::authzen::AuthzenResponse, crate::wire::Error> {
        crate::authzen::answer_audited(self, api, request, host, audit)
    }

    // HTTP requests and routes

    /// Step one of the two-step form: the route and what to fetch (a key
    /// record by id, or nothing for a token) before [`Policy::authorize_request`].
    pub fn classify(&self, request: &Request<'_>) -> Classified<'_> {
        crate::request::classify(self, request)
    }

    /// [`Policy::classify`] for a route the framework matched.
    pub fn classify_route(&self, request: &RouteRequest<'_>) -> Classified<'_> {
        crate::request::classify_route(self, request)
    }

    /// Authorizes an HTTP request: route (`no_route`, 404), credential
    /// (`no_credentials`, `unrecognized_credential`, 401; a kind the route
    /// does not accept is `credential_kind_not_allowed`, 403),
    /// authentication (key and token codes, `unknown_principal`, 401), then
    /// the evaluation table (403).
    pub fn authorize_request<'p>(&'p self, request: &Request<'_>, host: &HostData<'_>) -> Decision<'p> {
        crate::request::authorize_request(self, request, host)
    }

    /// The first half of [`Policy::authorize_request`] (and of
    /// [`Policy::authorize_route`]) for a host that checks public-key
    /// signatures itself (WebCrypto in a Worker): the bearer token the
    /// request's headers present, staged up to its signature
    /// ([`Policy::begin_jwt`]). `None` when it presents none, or one refused
    /// before its signature: [`Policy::authorize_request`] then answers
    /// without any signature check.
    pub fn begin_request(&self, headers: &[(&str, &str)]) -> Option<PendingToken> {
        crate::request::begin_request(self, headers)
    }

    /// The second half: [`Policy::authorize_request`] with the host's
    /// verdict on the signature of `pending` (`None`: permiso checks it, as
    /// it always does for HMAC). Every other step is the same.
    pub fn complete_request<'p>(
        &'p self,
        request: &Request<'_>,
        host: &HostData<'_>,
        pending: &PendingToken,
        verdict: Option<bool>,
    ) -> Decision<'p> {
        crate::request::complete_request(self, request, host, pending, verdict)
    }

    /// Authorizes the route an application's framework matched (route
    /// identity): the same steps as [`Policy::authorize_request`], with the
    /// route found by its template and filled from the decoded parameters.
    /// A template the policy does not have, or parameters that do not fit
    /// it, are `no_route` (404).
    pub fn authorize_route<'p>(&'p self, request: &RouteRequest<'_>, host: &HostData<'_>) -> Decision<'p> {
        crate::request::authorize_route(self, request, host)
    }

    /// [`Policy::authorize_route`] with the host's verdict on the signature
    /// of the token [`Policy::begin_request`] staged from the route
    /// request's headers (`None`: permiso checks it). Every other step is
    /// the same.
    pub fn complete_route<'p>(
        &'p self,
        request: &RouteRequest<'_>,
        host: &HostData<'_>,
        pending: &PendingToken,
        verdict: Option<bool>,
    ) -> Decision<'p> {
        crate::request::complete_route(self, request, host, pending, verdict)
    }

    /// Authenticates a request's one credential when no route is involved
    /// (a caller of a service that is not routed by this policy): the
    /// credential must be of one of `kinds` (`credential_kind_not_allowed`,
    /// 403), then the same credential and authentication steps as
    /// [`Policy::authorize_request`] (401). The refusal is a decision, for
    /// the audit log.
    pub fn authenticate(
        &self,
        headers: &[(&str, &str)],
        kinds: &[&str],
        host: &HostData<'_>,
    ) -> Result<Identity, Box<Decision<'static>>> {
        crate::request::authenticate(self, headers, kinds, host)
    }

    /// [`Policy::authorize_route`], also returning the evaluation table and
    /// what was read from the request.
    pub fn explain_route<'p>(&'p self, request: &RouteRequest<'_>, host: &HostData<'_>) -> RequestOutcome<'p> {
        crate::request::explain_route(self, request, host)
    }

    /// [`Policy::authorize_request`], also returning the evaluation table
    /// and what was read from the request.
    pub fn explain_request<'p>(&'p self, request: &Request<'_>, host: &HostData<'_>) -> RequestOutcome<'p> {
        crate::request::explain_request(self, request, host)
    }

    // API keys

    /// Parses a key and resolves its prefix to an API-key credential kind.
    pub fn parse_key(&self, text: &str) -> Result<ParsedKey, KeyError> {
        crate::apikeys::parse_key(self, text)
    }

    /// Verifies a presented key against the record the host looked up by id.
    ///
    /// Order: shape and checksum, prefix, record id, kind, hash (constant
    /// time), revocation, expiry. Revocation and expiry are only reported to
    /// someone who holds the secret.
    ///
    /// The record is taken as it is kept: a `KeyRecord`, or an
    /// `Arc<KeyRecord>` the verified key then shares without a copy.
    pub fn verify_key(
        &self,
        text: &str,
        record: impl Into<Arc<KeyRecord>>,
        options: &VerifyKeyOptions<'_>,
    ) -> Result<VerifiedKey, KeyError> {
        crate::apikeys::verify_key(self, text, record.into(), options)
    }

    /// The identity a verified key authenticates.
    ///
    /// The owner's principal record is required (`unknown_principal`
    /// without it). `acts_as: owner`: the owner, capped by the key's scopes.
    /// `acts_as: key`: the principal `key:<id>`, in its owner's tenant (the
    /// owner record's `tenant`, else the owner id itself), allowed exactly
    /// its scopes (or the kind's `allowed` list when it has none), and
    /// subject to the owner's `deny` entries. A record whose `tenant` is not
    /// its owner's is refused (`invalid_key_record`).
    pub fn key_identity(&self, key: &VerifiedKey, owner: Option<&PrincipalRecord>) -> Result<Identity, IdentityError> {
        crate::apikeys::key_identity(self, key, owner)
    }

    /// Generates a key of an `api_key` kind for `owner` (a typed principal id).
    /// The plaintext is returned once; the record holds only its hash.
    pub fn generate_key(
        &self,
        kind: &str,
        owner: &str,
        options: &NewKey<'_>,
        now: i64,
    ) -> Result<GeneratedKey, KeyError> {
        crate::apikeys::generate_key(self, kind, owner, options, now)
    }

    /// Rotates a key: a new key that never outlives or out-scopes the old
    /// one, and the old record with its expiry brought forward to `now +
    /// grace`. The new key inherits a scheduled revocation (`revoked_at`);
    /// a revoked or expired key cannot be rotated (`revoked`, `expired`).
    pub fn rotate_key(&self, old: &KeyRecord, options: &RotateKey<'_>, now: i64) -> Result<Rotation, KeyError> {
        crate::apikeys::rotate_key(self, old, options, now)
    }

    // Tokens

    /// Verifies a compact JWS and maps its claims to a principal.
    ///
    /// Order: size and shape, header (`alg` on the allow-list, never `none`;
    /// `typ`; no nested tokens; `crit`), kind (by issuer, then audience),
    /// key (by `kid`), signature, then claims (`iss`, `aud`, `exp`, `nbf`,
    /// `iat`, `sub`, types of the others), session revocation and the
    /// service-account mapping.
    pub fn verify_jwt(&self, token: &str, options: &VerifyTokenOptions<'_>) -> Result<VerifiedToken, TokenError> {
        crate::jwt::verify::verify_jwt(self, token, options)
    }

    /// The first half of [`Policy::verify_jwt`]: every rule up to the
    /// signature. The host checks the signature (say with WebCrypto) and
    /// calls [`Policy::complete_jwt`], which applies every remaining rule.
    pub fn begin_jwt(&self, token: &str, options: &VerifyTokenOptions<'_>) -> Result<PendingToken, TokenError> {
        crate::jwt::verify::begin_jwt(self, token, options)
    }

    /// The second half: `verdict` is the host's verdict on the
    /// signature, or `None` to have permiso check it itself (always the case
    /// for HMAC, whose secret never leaves the core).
    pub fn complete_jwt(
        &self,
        pending: PendingToken,
        verdict: Option<bool>,
        options: &VerifyTokenOptions<'_>,
    ) -> Result<VerifiedToken, TokenError> {
        crate::jwt::verify::complete_jwt(self, pending, verdict, options)
    }

    /// The identity a verified token authenticates. When the host supplies
    /// a principal record for the subject it is authoritative (roles,
    /// tenant, grants, denies); otherwise the token's claims are used.
    pub fn token_identity(
        &self,
        token: &VerifiedToken,
        principal: Option<&PrincipalRecord>,
    ) -> Result<Identity, IdentityError> {
        crate::jwt::verify::token_identity(self, token, principal)
    }

    /// Signs a session token (`sid`, `jti`, `iat`, `exp`) for a jwt kind.
    pub fn issue_session(
        &self,
        kind: &str,
        request: &SessionRequest,
        key: &SigningKey,
        now: i64,
    ) -> Result<String, TokenError> {
        crate::jwt::issue::issue_session(self, kind, request, key, now)
    }

    /// Signs a delegated token: `identity` lets `request.actor` act for it
    /// with at most the requested scopes, each of which the identity must
    /// hold right now (`scope_escalation` otherwise). The token keeps the
    /// identity's session, so revoking that session revokes it too, and it
    /// extends an existing `act` chain.
    ///
    /// It never outlives the credential it was made from: `exp` is at most
    /// the credential's `expires_at` (a token's `exp`, a key's expiry), so
    /// the cap holds through every hop of a re-delegation; an expired
    /// credential delegates nothing (`expired`). A delegation made with an
    /// API key carries the key id (claim `key_id`): it is refused once the
    /// key is revoked, and its audit records name the key.
    pub fn delegate(
        &self,
        kind: &str,
        identity: &Identity,
        request: &DelegationRequest,
        key: &SigningKey,
        now: i64,
    ) -> Result<String, TokenError> {
        crate::jwt::issue::delegate(self, kind, identity, request, key, now)
    }

    // Key sets at runtime

    /// Replaces the public verification keys of a jwt kind at runtime (a
    /// JWK Set fetched from the issuer, key rotation) without recompiling
    /// the policy. The set may hold public keys only: an `oct` key in a
    /// fetched set would let its publisher forge tokens. The kind's HMAC
    /// secrets (from the policy or [`Policy::set_secrets`]) stay. An invalid
    /// set is refused and the current keys keep serving.
    pub fn set_jwks(&self, kind: &str, jwks: &serde_json::Value) -> Result<(), PolicyError> {
        crate::policy::set_jwks(self, kind, jwks)?;
        self.token_cache.clear();
        Ok(())
    }

    /// Replaces the HMAC secrets of a jwt kind at runtime: a JWK Set of
    /// `oct` keys from the operator's secret store (never a fetched set).
    /// The public keys stay. An invalid set is refused and the current keys
    /// keep serving.
    pub fn set_secrets(&self, kind: &str, jwks: &serde_json::Value) -> Result<(), PolicyError> {
        crate::policy::set_secrets(self, kind, jwks)?;
        self.token_cache.clear();
        Ok(())
    }

    /// Turns on a bounded cache of verified tokens, holding at most
    /// `capacity` tokens (0 turns it off; at most
    /// [`crate::limits::MAX_CACHED_TOKENS`]) and at most
    /// [`crate::limits::MAX_CACHED_TOKEN_BYTES`] of them by length. A token
    /// whose signature verified once is not checked against the same key
    /// again, and its header and claims are not decoded again; the kind its
    /// claims select, the issuer, audience, expiry, `nbf`, `iat`, revoked
    /// sessions and keys still are checked, on every use. A new JWK Set or
    /// secret set empties it. Changing the capacity empties it too.
    pub fn cache_tokens(&self, capacity: usize) {
        self.token_cache.resize(capacity);
    }

    /// How many tokens the cache holds now.
    pub fn cached_tokens(&self) -> usize {
        self.token_cache.len()
    }

    /// The verification keys a jwt kind uses now.
    pub fn jwks(&self, kind: &str) -> Option<std::sync::Arc<KeySet>> {
        crate::policy::jwks(self, kind)
    }
}
