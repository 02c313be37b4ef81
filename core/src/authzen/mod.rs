//! The OpenID AuthZEN Authorization API 1.0, answered in-process: access
//! evaluation, batch evaluations and subject, resource and action search.
//!
//! Mapping onto the policy:
//! - a subject `{type, id}` is the principal `type:id`, looked up in the
//!   host's principal records (absent: `decision: false`,
//!   `unknown_principal`); subject `properties` and the request `context`
//!   do not enter the decision, the host's records are authoritative;
//! - a resource `{type, id, properties}` is the resource `type:id`; its
//!   attributes are the host's resource record's when there is one, else
//!   its `properties` (entries that are not attribute values are ignored,
//!   so they can only fail a rule's condition, never satisfy one);
//! - an action `{name}` is the permission `{resource.type}:{name}`;
//! - a resource of type `route` names a route template of the policy and
//!   the action an HTTP method: the route's permission is checked without
//!   a resource.
//!
//! A search returns exactly the candidates for which evaluation says true:
//! both go through `Target` and one decision function. Subject and
//! resource candidates are the host's records of the requested type, in
//! host order; action candidates the declared actions of the resource's
//! type (for a route, its methods), in declaration order.

use std::borrow::Cow;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::authz::{Attributes, Check, Identity, IdentityRecord, PrincipalRecord, ResourceRecord};
use crate::code::Code;
use crate::decision::{Actor, Decision};
use crate::policy::canonical::sorted_json;
use crate::policy::Policy;
use crate::request::HostData;
use crate::text::shown;
use crate::wire::Error;

mod fields;
#[cfg(test)]
mod tests;

/// Most items a batch (`evaluations`) may hold.
pub const MAX_EVALUATIONS: usize = 1000;
/// Largest page a search answers (`page.limit`).
pub const MAX_PAGE_SIZE: usize = 1000;
/// The page size when a request has `page` without a `limit`.
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// The AuthZEN API a request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// `evaluation`: one decision.
    Evaluation,
    /// `evaluations`: a batch.
    Evaluations,
    /// `search/subject`.
    SearchSubject,
    /// `search/resource`.
    SearchResource,
    /// `search/action`.
    SearchAction,
}

impl Api {
    /// Every API, by name.
    pub const ALL: [Api; 5] = [
        Api::Evaluation,
        Api::Evaluations,
        Api::SearchSubject,
        Api::SearchResource,
        Api::SearchAction,
    ];

    /// The API's name: `evaluation`, `evaluations`, `search/subject`, ...
    pub const fn as_str(self) -> &'static str {
        match self {
            Api::Evaluation => "evaluation",
            Api::Evaluations => "evaluations",
            Api::SearchSubject => "search/subject",
            Api::SearchResource => "search/resource",
            Api::SearchAction => "search/action",
        }
    }

    /// The API named `name`, or `invalid_argument`.
    pub fn parse(name: &str) -> Result<Api, Error> {
        Api::ALL.into_iter().find(|a| a.as_str() == name).ok_or_else(|| {
            Error::argument(
                "api",
                format_args!(
                    "`{}` is not `evaluation`, `evaluations`, `search/subject`, `search/resource` or `search/action`",
                    shown(name)
                ),
            )
        })
    }
}

// Requests are read from the JSON value by hand, each field borrowed:
// precise messages naming the field, and no deserializer per shape. The
// usual evaluation and batch shapes are also read in one pass from the
// caller's own format (`fields`), into the same `Query`; whatever that
// pass refuses comes here.

struct Subject<'v> {
    kind: &'v str,
    id: Option<&'v str>,
}

struct Resource<'v> {
    kind: &'v str,
    id: Option<&'v str>,
    properties: Option<&'v Map<String, Value>>,
}

struct Action<'v> {
    name: Option<&'v str>,
}

struct Page<'v> {
    token: Option<&'v str>,
    limit: Option<u64>,
}

/// Where in a request a field is (`evaluations[3].resource.id`): written
/// out only for an error message, so reading a valid request formats nothing.
#[derive(Clone, Copy)]
enum Place<'a> {
    /// The request itself.
    Request,
    /// An item of a batch.
    Item(usize),
    /// A field of a place.
    Field(&'a Place<'a>, &'a str),
}

impl std::fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Request => f.write_str("request"),
            Place::Item(i) => write!(f, "evaluations[{i}]"),
            Place::Field(parent, key) => write!(f, "{parent}.{key}"),
        }
    }
}

/// A request of any API; which fields are required depends on the API.
struct Query<'v> {
    /// Where the request is: `request`, or `evaluations[3]` in a batch.
    at: Place<'static>,
    subject: Option<Subject<'v>>,
    action: Option<Action<'v>>,
    resource: Option<Resource<'v>>,
    page: Option<Page<'v>>,
}

fn invalid_at(at: impl std::fmt::Display, why: &str) -> Error {
    Error::record(Code::InvalidRequest, &at.to_string(), why)
}

fn object<'v>(value: &'v Value, at: &Place<'_>) -> Result<&'v Map<String, Value>, Error> {
    value.as_object().ok_or_else(|| invalid_at(at, "is not an object"))
}

fn member<'v>(map: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    map.get(key).filter(|v| !v.is_null())
}

fn text<'v>(map: &'v Map<String, Value>, key: &str, at: &Place<'_>) -> Result<Option<&'v str>, Error> {
    match member(map, key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid_at(Place::Field(at, key), "is not a string")),
    }
}

fn required_text<'v>(map: &'v Map<String, Value>, key: &str, at: &Place<'_>) -> Result<&'v str, Error> {
    text(map, key, at)?.ok_or_else(|| invalid_at(Place::Field(at, key), "is missing"))
}

fn part<'v, T>(
    value: Option<&'v Value>,
    key: &str,
    at: &Place<'_>,
    read: impl FnOnce(&'v Map<String, Value>, &Place<'_>) -> Result<T, Error>,
) -> Result<Option<T>, Error> {
    match value {
        None => Ok(None),
        Some(value) => {
            let at = Place::Field(at, key);
            read(object(value, &at)?, &at).map(Some)
        }
    }
}

fn read_query(request: &Value) -> Result<Query<'_>, Error> {
    read_fields(object(request, &Place::Request)?, None, Place::Request)
}

/// Reads a request's fields, each from `map` or else from `defaults` (a
/// batch's top level), borrowing instead of merging copies.
fn read_fields<'v>(
    map: &'v Map<String, Value>,
    defaults: Option<&'v Map<String, Value>>,
    place: Place<'static>,
) -> Result<Query<'v>, Error> {
    let field = |key: &str| member(map, key).or_else(|| defaults.and_then(|d| member(d, key)));
    let at = &place;
    Ok(Query {
        at: place,
        subject: part(field("subject"), "subject", at, |m, at| {
            Ok(Subject {
                kind: required_text(m, "type", at)?,
                id: text(m, "id", at)?,
            })
        })?,
        action: part(field("action"), "action", at, |m, at| {
            Ok(Action {
                name: text(m, "name", at)?,
            })
        })?,
        resource: part(field("resource"), "resource", at, |m, at| {
            Ok(Resource {
                kind: required_text(m, "type", at)?,
                id: text(m, "id", at)?,
                properties: part(member(m, "properties"), "properties", at, |p, _| Ok(p))?,
            })
        })?,
        page: part(member(map, "page"), "page", at, |m, at| {
            Ok(Page {
                token: text(m, "token", at)?,
                limit: match member(m, "limit") {
                    None => None,
                    Some(v) => Some(
                        v.as_u64()
                            .ok_or_else(|| invalid_at(Place::Field(at, "limit"), "is not a whole number"))?,
                    ),
                },
            })
        })?,
    })
}

/// The `context` of a response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ResponseContext {
    /// The decision's code (`allowed`, `missing_permission`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Code>,
    /// Why, for administrators: `{"en": message}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason_admin: Option<Reason>,
    /// The decision id of the audit record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision_id: Option<String>,
    /// Why an item of a batch could not be evaluated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ItemError>,
}

/// A reason in words, by language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Reason {
    /// English.
    pub en: String,
}

/// Why one item of a batch could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ItemError {
    /// The HTTP status the item alone would have had.
    pub status: u16,
    /// The code.
    pub code: Code,
    /// What is wrong.
    pub message: String,
}

/// One decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct EvaluationResponse {
    /// Whether the subject may perform the action on the resource.
    pub decision: bool,
    /// The code, the reason and the decision id (or the item's error).
    pub context: ResponseContext,
}

/// A found subject or resource (`{type, id}`), or action (`{name}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(untagged)]
pub enum Found {
    /// A subject or a resource.
    Entity {
        /// Its type.
        #[serde(rename = "type")]
        kind: String,
        /// Its id (without the type).
        id: String,
    },
    /// An action.
    Action {
        /// The action's name.
        name: String,
    },
}

/// A page of a search's results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct PageInfo {
    /// The token of the next page; empty on the last page.
    pub next_token: String,
    /// Results on this page.
    pub count: usize,
    /// Results on every page.
    pub total: usize,
}

/// The answer of any AuthZEN API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(untagged)]
pub enum AuthzenResponse {
    /// `evaluation` (and `evaluations` without items).
    Evaluation(EvaluationResponse),
    /// `evaluations`.
    Evaluations {
        /// One response per item, in order (fewer when a semantic stopped early).
        evaluations: Vec<EvaluationResponse>,
    },
    /// A search.
    Search {
        /// What is allowed.
        results: Vec<Found>,
        /// Present when the request had `page`.
        #[serde(skip_serializing_if = "Option::is_none")]
        page: Option<PageInfo>,
    },
}

fn parse_query(request: &Value) -> Result<Query<'_>, Error> {
    read_query(request)
}

/// What a decision is about, resolved once per request: the permission,
/// the resource and its attributes, or why there is nothing to check.
enum Target<'a> {
    Check {
        permission: Cow<'a, str>,
        resource: Option<Cow<'a, str>>,
        attributes: Option<Cow<'a, Attributes>>,
    },
    /// A route template with no route for the method.
    NoRoute(String),
}

impl<'a> Target<'a> {
    fn resolve(policy: &'a Policy, host: &HostData<'a>, action: &str, query: &Query<'a>) -> Result<Self, Error> {
        let resource = query.need(&query.resource, "resource")?;
        let id = *query.need(&resource.id, "resource.id")?;
        if resource.kind == "route" {
            return Ok(match policy.router.by_template(action, id) {
                Some(route) => Target::Check {
                    permission: Cow::Borrowed(policy.perm_name(route.permission)),
                    resource: None,
                    attributes: None,
                },
                None => Target::NoRoute(format!("no route of this policy is `{} {}`", shown(action), shown(id))),
            });
        }
        let typed = [resource.kind, ":", id].concat();
        let attributes = match host.resources.iter().find(|r| r.id == typed) {
            Some(record) => Some(Cow::Borrowed(&record.attributes)),
            // Properties are read as they are: an entry that is not an
            // attribute value (a fraction, an object, a nested list) equals
            // nothing, exactly as if it were absent.
            None => resource.properties.map(Cow::Borrowed),
        };
        Ok(Target::Check {
            permission: Cow::Owned([resource.kind, ":", action].concat()),
            resource: Some(Cow::Owned(typed)),
            attributes,
        })
    }

    fn of_record(permission: &'a str, record: &'a ResourceRecord) -> Self {
        Target::Check {
            permission: Cow::Borrowed(permission),
            resource: Some(Cow::Borrowed(&record.id)),
            attributes: Some(Cow::Borrowed(&record.attributes)),
        }
    }
}

/// The one decision function evaluation and search share.
fn decide<'a>(policy: &'a Policy, identity: &'a Identity, target: &'a Target<'_>, now: i64) -> Decision<'a> {
    match target {
        Target::NoRoute(why) => policy.refusal(Code::NoRoute, why.clone(), None, Actor::default(), now),
        Target::Check {
            permission,
            resource,
            attributes,
        } => {
            let check = Check::new(permission)
                .resource(resource.as_deref())
                .attributes(attributes.as_deref());
            policy.authorize(identity, check, now)
        }
    }
}

fn response(decision: &Decision<'_>) -> EvaluationResponse {
    EvaluationResponse {
        decision: decision.allowed(),
        context: ResponseContext {
            code: Some(decision.code()),
            reason_admin: Some(Reason {
                en: decision.message().to_owned(),
            }),
            decision_id: Some(decision.id().to_string()),
            error: None,
        },
    }
}

fn item_error(e: &Error) -> EvaluationResponse {
    EvaluationResponse {
        decision: false,
        context: ResponseContext {
            code: Some(e.code),
            reason_admin: None,
            decision_id: None,
            error: Some(ItemError {
                status: e.status(),
                code: e.code,
                message: e.message.clone(),
            }),
        },
    }
}

fn action_name<'v>(query: &Query<'v>) -> Result<&'v str, Error> {
    let action = query.need(&query.action, "action")?;
    query.need(&action.name, "action.name").copied()
}

fn principal_id(query: &Query<'_>) -> Result<String, Error> {
    let subject = query.need(&query.subject, "subject")?;
    let id = query.need(&subject.id, "subject.id")?;
    Ok([subject.kind, ":", id].concat())
}

fn identity_of(policy: &Policy, record: &PrincipalRecord) -> Result<Identity, Error> {
    Ok(policy.identity(IdentityRecord {
        principal: record.clone(),
        credential: None,
    })?)
}

/// Identities already built in this request, by principal id (a batch
/// usually asks about one subject many times).
#[derive(Default)]
struct Identities {
    last: Option<(String, Identity)>,
}

impl Identities {
    fn get(&mut self, policy: &Policy, host: &HostData<'_>, id: &str) -> Result<Option<&Identity>, Error> {
        if self.last.as_ref().is_none_or(|(known, _)| known != id) {
            let Some(record) = host.principals.iter().find(|p| p.id == id) else {
                return Ok(None);
            };
            self.last = Some((id.to_owned(), identity_of(policy, record)?));
        }
        Ok(self.last.as_ref().map(|(_, identity)| identity))
    }
}

impl Query<'_> {
    /// A field the API requires: `invalid_request` naming it when absent.
    fn need<'q, T>(&self, field: &'q Option<T>, name: &str) -> Result<&'q T, Error> {
        field
            .as_ref()
            .ok_or_else(|| invalid_at(Place::Field(&self.at, name), "is missing"))
    }
}

/// Where each decision of an evaluation or a batch goes, with its index.
type Audit<'s> = dyn FnMut(usize, &Decision<'_>) + 's;

fn evaluate_query(
    policy: &Policy,
    host: &HostData<'_>,
    identities: &mut Identities,
    query: &Query,
    index: usize,
    audit: &mut Audit<'_>,
) -> Result<EvaluationResponse, Error> {
    let principal = principal_id(query)?;
    let target = Target::resolve(policy, host, action_name(query)?, query)?;
    let decision = match identities.get(policy, host, &principal)? {
        Some(identity) => decide(policy, identity, &target, host.now),
        None => {
            let why = format!("no principal record for `{}`", shown(&principal));
            policy.refusal(Code::UnknownPrincipal, why, None, Actor::default(), host.now)
        }
    };
    audit(index, &decision);
    Ok(response(&decision))
}

/// One access evaluation.
pub fn evaluation(policy: &Policy, request: &Value, host: &HostData<'_>) -> Result<EvaluationResponse, Error> {
    evaluation_audited(policy, request, host, &mut |_, _| {})
}

fn evaluation_audited(
    policy: &Policy,
    request: &Value,
    host: &HostData<'_>,
    audit: &mut Audit<'_>,
) -> Result<EvaluationResponse, Error> {
    evaluate_query(
        policy,
        host,
        &mut Identities::default(),
        &parse_query(request)?,
        0,
        audit,
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Semantic {
    ExecuteAll,
    DenyOnFirstDeny,
    PermitOnFirstPermit,
}

impl Semantic {
    fn named(name: &str) -> Option<Semantic> {
        match name {
            "execute_all" => Some(Semantic::ExecuteAll),
            "deny_on_first_deny" => Some(Semantic::DenyOnFirstDeny),
            "permit_on_first_permit" => Some(Semantic::PermitOnFirstPermit),
            _ => None,
        }
    }
}

fn semantic(request: &Map<String, Value>) -> Result<Semantic, Error> {
    let Some(options) = request.get("options") else {
        return Ok(Semantic::ExecuteAll);
    };
    let options = options
        .as_object()
        .ok_or_else(|| invalid_at("request.options", "is not an object"))?;
    match options.get("evaluations_semantic") {
        None => Ok(Semantic::ExecuteAll),
        Some(Value::String(name)) => Semantic::named(name).ok_or_else(|| {
            invalid_at(
                "request.options.evaluations_semantic",
                &format!(
                    "`{}` is not `execute_all`, `deny_on_first_deny` or `permit_on_first_permit`",
                    shown(name)
                ),
            )
        }),
        Some(_) => Err(invalid_at("request.options.evaluations_semantic", "is not a string")),
    }
}

/// A batch: the request's `subject`, `action`, `resource` and `context` are
/// defaults each item may replace. An item that cannot be evaluated gets
/// `decision: false` and `context.error`; it never fails the others.
/// Without items, the request is one evaluation.
pub fn evaluations(policy: &Policy, request: &Value, host: &HostData<'_>) -> Result<AuthzenResponse, Error> {
    evaluations_audited(policy, request, host, &mut |_, _| {})
}

fn evaluations_audited(
    policy: &Policy,
    request: &Value,
    host: &HostData<'_>,
    audit: &mut Audit<'_>,
) -> Result<AuthzenResponse, Error> {
    let top = request
        .as_object()
        .ok_or_else(|| invalid_at("request", "is not an object"))?;
    let semantic = semantic(top)?;
    let items = match top.get("evaluations") {
        None => None,
        Some(Value::Array(items)) if items.is_empty() => None,
        Some(Value::Array(items)) => Some(items),
        Some(_) => return Err(invalid_at("request.evaluations", "is not a list")),
    };
    let Some(items) = items else {
        return Ok(AuthzenResponse::Evaluation(evaluation_audited(
            policy, request, host, audit,
        )?));
    };
    let items = items.iter().enumerate().map(|(i, item)| match item.as_object() {
        None => Err(invalid_at(Place::Item(i), "is not an object")),
        Some(fields) => read_fields(fields, Some(top), Place::Item(i)),
    });
    batch_of(policy, host, semantic, items, audit)
}

/// Evaluates a batch's items in order, as `semantic` says, each item that
/// could not be read or evaluated answered with its error.
fn batch_of<'v>(
    policy: &Policy,
    host: &HostData<'_>,
    semantic: Semantic,
    items: impl ExactSizeIterator<Item = Result<Query<'v>, Error>>,
    audit: &mut Audit<'_>,
) -> Result<AuthzenResponse, Error> {
    if items.len() > MAX_EVALUATIONS {
        return Err(Error::new(
            Code::LimitExceeded,
            crate::wire::Family::Argument,
            format!(
                "the batch holds {} evaluations; at most {MAX_EVALUATIONS} are accepted",
                items.len()
            ),
        ));
    }
    let mut identities = Identities::default();
    let mut out = Vec::with_capacity(items.len());
    for (i, query) in items.enumerate() {
        let answer = query
            .and_then(|query| evaluate_query(policy, host, &mut identities, &query, i, &mut *audit))
            .unwrap_or_else(|e| item_error(&e));
        let decided = answer.decision;
        out.push(answer);
        match semantic {
            Semantic::DenyOnFirstDeny if !decided => break,
            Semantic::PermitOnFirstPermit if decided => break,
            _ => {}
        }
    }
    Ok(AuthzenResponse::Evaluations { evaluations: out })
}

/// A search: every candidate for which evaluation says true, paged when the
/// request has `page`.
pub fn search(policy: &Policy, api: Api, request: &Value, host: &HostData<'_>) -> Result<AuthzenResponse, Error> {
    let query = parse_query(request)?;
    let found = match api {
        Api::SearchSubject => search_subjects(policy, host, &query)?,
        Api::SearchResource => search_resources(policy, host, &query)?,
        Api::SearchAction => search_actions(policy, host, &query)?,
        Api::Evaluation | Api::Evaluations => {
            return Err(Error::argument(
                "api",
                format_args!("`{}` is not a search", api.as_str()),
            ))
        }
    };
    let Some(page) = &query.page else {
        return Ok(AuthzenResponse::Search {
            results: found,
            page: None,
        });
    };
    let limit = match page.limit {
        None => DEFAULT_PAGE_SIZE,
        Some(0) => return Err(invalid_at("request.page.limit", "is 0")),
        Some(n) if n > MAX_PAGE_SIZE as u64 => {
            return Err(Error::new(
                Code::LimitExceeded,
                crate::wire::Family::Argument,
                format!("`page.limit` is {n}; at most {MAX_PAGE_SIZE} results are answered per page"),
            ))
        }
        Some(n) => n as usize,
    };
    let fingerprint = fingerprint(policy, api, request);
    let offset = match page.token {
        None | Some("") => 0,
        Some(token) => read_token(token, &fingerprint)?,
    };
    let total = found.len();
    let results: Vec<Found> = found.into_iter().skip(offset).take(limit).collect();
    let end = offset.saturating_add(results.len());
    Ok(AuthzenResponse::Search {
        page: Some(PageInfo {
            next_token: if end < total {
                token(end, &fingerprint)
            } else {
                String::new()
            },
            count: results.len(),
            total,
        }),
        results,
    })
}

fn search_subjects(policy: &Policy, host: &HostData<'_>, query: &Query) -> Result<Vec<Found>, Error> {
    let kind = &query.need(&query.subject, "subject")?.kind;
    let target = Target::resolve(policy, host, action_name(query)?, query)?;
    let mut found = Vec::new();
    for record in host.principals {
        let Some(id) = record.id.strip_prefix(*kind).and_then(|r| r.strip_prefix(':')) else {
            continue;
        };
        if decide(policy, &identity_of(policy, record)?, &target, host.now).allowed() {
            found.push(Found::Entity {
                kind: (*kind).to_owned(),
                id: id.to_owned(),
            });
        }
    }
    Ok(found)
}

fn search_resources(policy: &Policy, host: &HostData<'_>, query: &Query) -> Result<Vec<Found>, Error> {
    let principal = principal_id(query)?;
    let action = action_name(query)?;
    let kind = &query.need(&query.resource, "resource")?.kind;
    let mut identities = Identities::default();
    let Some(identity) = identities.get(policy, host, &principal)? else {
        return Ok(Vec::new());
    };
    let permission = format!("{kind}:{action}");
    let mut found = Vec::new();
    for record in host.resources {
        let Some(id) = record.id.strip_prefix(*kind).and_then(|r| r.strip_prefix(':')) else {
            continue;
        };
        if decide(policy, identity, &Target::of_record(&permission, record), host.now).allowed() {
            found.push(Found::Entity {
                kind: (*kind).to_owned(),
                id: id.to_owned(),
            });
        }
    }
    Ok(found)
}

fn search_actions(policy: &Policy, host: &HostData<'_>, query: &Query) -> Result<Vec<Found>, Error> {
    let principal = principal_id(query)?;
    let resource = query.need(&query.resource, "resource")?;
    let id = query.need(&resource.id, "resource.id")?;
    let names: Vec<&str> = if resource.kind == "route" {
        policy.router.methods(id).collect()
    } else {
        crate::policy::permissions(policy)
            .filter_map(|p| p.strip_prefix(resource.kind)?.strip_prefix(':'))
            .collect()
    };
    let mut identities = Identities::default();
    let Some(identity) = identities.get(policy, host, &principal)? else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for name in names {
        let target = Target::resolve(policy, host, name, query)?;
        if decide(policy, identity, &target, host.now).allowed() {
            found.push(Found::Action { name: name.to_owned() });
        }
    }
    Ok(found)
}

/// Binds page tokens to one request: the policy, the API and the request
/// without its `page`.
fn fingerprint(policy: &Policy, api: Api, request: &Value) -> [u8; 16] {
    let unpaged = match request.as_object() {
        Some(map) => Value::Object(
            map.iter()
                .filter(|(key, _)| *key != "page")
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect(),
        ),
        None => request.clone(),
    };
    let digest = Sha256::new()
        .chain_update(policy.hash().as_bytes())
        .chain_update(api.as_str())
        .chain_update(sorted_json(&unpaged))
        .finalize();
    let mut out = [0u8; 16];
    for (o, d) in out.iter_mut().zip(digest.iter()) {
        *o = *d;
    }
    out
}

fn token(offset: usize, fingerprint: &[u8; 16]) -> String {
    let mut bytes = Vec::with_capacity(24);
    bytes.extend_from_slice(&(offset as u64).to_be_bytes());
    bytes.extend_from_slice(fingerprint);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn read_token(token: &str, fingerprint: &[u8; 16]) -> Result<usize, Error> {
    let refused = || {
        Error::new(
            Code::InvalidPageToken,
            crate::wire::Family::Argument,
            format!(
                "page token `{}` was not issued for this request (same API, policy and fields)",
                shown(token)
            ),
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| refused())?;
    let (offset, mark) = bytes.split_at_checked(8).ok_or_else(refused)?;
    if mark != fingerprint {
        return Err(refused());
    }
    let offset = u64::from_be_bytes(offset.try_into().map_err(|_| refused())?);
    usize::try_from(offset).map_err(|_| refused())
}

/// Answers a request of any API.
pub fn answer(policy: &Policy, api: Api, request: &Value, host: &HostData<'_>) -> Result<AuthzenResponse, Error> {
    answer_audited(policy, api, request, host, &mut |_, _| {})
}

/// [`answer`], handing each decision of an evaluation or a batch to `audit`
/// with its index in the batch.
pub fn answer_audited(
    policy: &Policy,
    api: Api,
    request: &Value,
    host: &HostData<'_>,
    audit: &mut dyn FnMut(usize, &Decision<'_>),
) -> Result<AuthzenResponse, Error> {
    match api {
        Api::Evaluation => evaluation_audited(policy, request, host, audit).map(AuthzenResponse::Evaluation),
        Api::Evaluations => evaluations_audited(policy, request, host, audit),
        Api::SearchSubject | Api::SearchResource | Api::SearchAction => search(policy, api, request, host),
    }
}

/// A request of one API, read for answering. An `evaluation` or
/// `evaluations` request of the usual shape is read in one pass from its
/// own format, with no JSON value in between; any other request is kept as
/// a JSON value. Both are answered alike, with the same answers and errors.
#[derive(Debug)]
pub struct Request {
    api: Api,
    read: Read,
}

#[derive(Debug)]
enum Read {
    Fields(Box<fields::Batch>, Semantic),
    Value(Value),
}

impl Request {
    /// Reads a request of `api` from `fast` (Python objects, JSON text)
    /// when it is an evaluation or a batch of the usual shape; otherwise
    /// (another API, or a request that reading refuses: a wrong type, an
    /// unknown semantic, ...) `value` reads it as a JSON value, whose reader
    /// gives the answer or the error.
    pub fn read<'de, D: serde::Deserializer<'de>, E>(
        api: Api,
        fast: D,
        value: impl FnOnce() -> Result<Value, E>,
    ) -> Result<Request, E> {
        Request::read_with(api, || fields::Object::<fields::Batch>::deserialize(fast).ok(), value)
    }

    /// [`Request::read`] from JSON text, which must hold one value and
    /// nothing after it.
    pub fn read_str<E>(api: Api, text: &str, value: impl FnOnce() -> Result<Value, E>) -> Result<Request, E> {
        let fast = || {
            let mut de = serde_json::Deserializer::from_str(text);
            let batch = fields::Object::<fields::Batch>::deserialize(&mut de).ok()?;
            de.end().ok().map(|()| batch)
        };
        Request::read_with(api, fast, value)
    }

    fn read_with<E>(
        api: Api,
        fast: impl FnOnce() -> Option<fields::Object<fields::Batch>>,
        value: impl FnOnce() -> Result<Value, E>,
    ) -> Result<Request, E> {
        let read = match api {
            Api::Evaluation | Api::Evaluations => match fast().and_then(|b| Some((b.0.semantic()?, b.0))) {
                Some((semantic, batch)) => Read::Fields(Box::new(batch), semantic),
                None => Read::Value(value()?),
            },
            Api::SearchSubject | Api::SearchResource | Api::SearchAction => Read::Value(value()?),
        };
        Ok(Request { api, read })
    }
}

/// Answers a request read with [`Request::read`], handing each decision of
/// an evaluation or a batch to `audit` with its index in the batch.
pub fn answer_request(
    policy: &Policy,
    request: &Request,
    host: &HostData<'_>,
    audit: &mut dyn FnMut(usize, &Decision<'_>),
) -> Result<AuthzenResponse, Error> {
    let (batch, semantic) = match &request.read {
        Read::Value(value) => return answer_audited(policy, request.api, value, host, audit),
        Read::Fields(batch, semantic) => (batch, *semantic),
    };
    if request.api == Api::Evaluations && batch.items().len() > 0 {
        let items = batch.items().enumerate().map(|(i, item)| Ok(batch.item_query(item, i)));
        return batch_of(policy, host, semantic, items, audit);
    }
    evaluate_query(policy, host, &mut Identities::default(), &batch.query(), 0, audit).map(AuthzenResponse::Evaluation)
}
