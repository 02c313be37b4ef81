//! Rules: conditional grants over principal and resource attributes.
//!
//! A rule grants its permissions to principals holding one of its roles (any
//! principal when it names none) whenever every entry of its `when` holds.
//! An entry compares a reference (`resource.owner`) with another reference
//! (equality), a literal (`{equals: …}`) or a list (`{in: …}`). Equality is
//! JSON equality of scalars; a list equals nothing; a missing attribute
//! makes the entry false. There is no `or`, negation or arithmetic.

use serde::Serialize;
use serde_json::Value;

use super::doc::{PolicyDocument, RuleDoc};
use super::error::{Issues, PolicyDetail};
use super::Policy;
use crate::permset::{PermId, PermSet};
use crate::records::{is_attribute_name, Attributes};
use crate::text::shown;

/// Which record a reference reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Principal,
    Resource,
}

/// What a reference reads: the halves of the typed id, or an attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Field {
    Id,
    Type,
    Attribute(Box<str>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Reference {
    side: Side,
    field: Field,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Test {
    /// Equal to another reference.
    Same(Reference),
    /// Equal to a literal scalar.
    Equals(Value),
    /// A member of a list attribute.
    In(Reference),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Condition {
    /// The entry's key as written, for `explain`.
    key: Box<str>,
    left: Reference,
    test: Test,
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    /// Role ids (see [`RuleSet::role_ids`]) one of which is needed.
    roles: Option<PermSet>,
    when: Vec<Condition>,
}

/// The compiled rules of a policy, indexed by permission.
#[derive(Debug, Default)]
pub(crate) struct RuleSet {
    rules: Vec<Rule>,
    /// Per permission, the rules granting it, in document order.
    by_permission: Vec<Vec<u32>>,
    /// Role name to role id (document order).
    role_ids: rustc_hash::FxHashMap<Box<str>, u32>,
    /// Per role id, the roles it includes (itself and every inherited role).
    includes: Vec<PermSet>,
}

/// What a rule is evaluated against: the principal's typed id and
/// attributes, and the resource's typed id and attributes when known.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Facts<'a> {
    /// The principal's typed id, split at its first `:` (`user`, `alice`).
    pub(crate) principal: (&'a str, &'a str),
    pub(crate) principal_attributes: &'a Attributes,
    pub(crate) resource: Option<&'a str>,
    pub(crate) resource_attributes: Option<&'a Attributes>,
}

/// A value read by a reference, borrowed from the records.
#[derive(Debug, Clone, Copy)]
enum Seen<'a> {
    Text(&'a str),
    Integer(i64),
    Boolean(bool),
    List(&'a [Value]),
    /// Anything else (a float, an object): equal to nothing.
    Other,
}

impl<'a> Seen<'a> {
    fn of(value: &'a Value) -> Seen<'a> {
        match value {
            Value::String(s) => Seen::Text(s),
            Value::Bool(b) => Seen::Boolean(*b),
            Value::Array(l) => Seen::List(l),
            Value::Number(n) => n.as_i64().map_or(Seen::Other, Seen::Integer),
            _ => Seen::Other,
        }
    }
    /// JSON equality of scalars; a list equals nothing.
    fn equals(self, other: Seen<'_>) -> bool {
        match (self, other) {
            (Seen::Text(a), Seen::Text(b)) => a == b,
            (Seen::Integer(a), Seen::Integer(b)) => a == b,
            (Seen::Boolean(a), Seen::Boolean(b)) => a == b,
            _ => false,
        }
    }
}

impl Reference {
    fn read<'a>(&self, facts: &Facts<'a>) -> Option<Seen<'a>> {
        match (self.side, &self.field) {
            (Side::Principal, Field::Type) => Some(Seen::Text(facts.principal.0)),
            (Side::Principal, Field::Id) => Some(Seen::Text(facts.principal.1)),
            (Side::Principal, Field::Attribute(name)) => lookup(facts.principal_attributes, name).map(Seen::of),
            (Side::Resource, Field::Type) => facts.resource?.split_once(':').map(|(t, _)| Seen::Text(t)),
            (Side::Resource, Field::Id) => facts.resource?.split_once(':').map(|(_, i)| Seen::Text(i)),
            (Side::Resource, Field::Attribute(name)) => lookup(facts.resource_attributes?, name).map(Seen::of),
        }
    }
}

/// An attribute by name: a scan of a few entries costs less than hashing
/// the name; larger maps use their index.
fn lookup<'a>(attributes: &'a Attributes, name: &str) -> Option<&'a Value> {
    if attributes.len() <= 8 {
        attributes.iter().find(|(k, _)| k.as_str() == name).map(|(_, v)| v)
    } else {
        attributes.get(name)
    }
}

impl Condition {
    fn holds(&self, facts: &Facts<'_>) -> bool {
        let Some(left) = self.left.read(facts) else {
            return false;
        };
        match &self.test {
            Test::Same(right) => right.read(facts).is_some_and(|r| left.equals(r)),
            Test::Equals(literal) => left.equals(Seen::of(literal)),
            Test::In(list) => match list.read(facts) {
                Some(Seen::List(items)) => items.iter().any(|i| left.equals(Seen::of(i))),
                _ => false,
            },
        }
    }
}

/// How one rule fared, for `explain`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleTrace {
    /// The rule's index in the document's `rules`.
    pub rule: usize,
    /// Whether the rule granted the permission.
    pub allowed: bool,
    /// Why not: `roles` (the principal holds none of the rule's roles) or
    /// the key of the first `when` entry that failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
}

impl RuleSet {
    pub(crate) fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The roles a principal holding `names` holds, directly or by
    /// inheritance, as a set of role ids.
    pub(crate) fn held_roles(&self, names: &[String]) -> PermSet {
        let mut held = PermSet::empty(self.includes.len());
        for name in names {
            if let Some(set) = self
                .role_ids
                .get(name.as_str())
                .and_then(|i| self.includes.get(*i as usize))
            {
                held.union_with(set);
            }
        }
        held
    }

    /// Whether any rule grants `permission`.
    pub(crate) fn grants(&self, permission: PermId) -> bool {
        !self.candidates(permission).is_empty()
    }

    fn candidates(&self, permission: PermId) -> &[u32] {
        self.by_permission.get(permission.0 as usize).map_or(&[], Vec::as_slice)
    }

    /// The first rule granting `permission` to these facts.
    pub(crate) fn allowing(&self, permission: PermId, held: &PermSet, facts: &Facts<'_>) -> Option<u32> {
        self.candidates(permission).iter().copied().find(|i| {
            self.rules.get(*i as usize).is_some_and(|rule| {
                rule.roles.as_ref().is_none_or(|r| r.intersects(held)) && rule.when.iter().all(|c| c.holds(facts))
            })
        })
    }

    /// Every rule granting `permission`, and how it fared.
    pub(crate) fn trace(&self, permission: PermId, held: &PermSet, facts: &Facts<'_>) -> Vec<RuleTrace> {
        self.candidates(permission)
            .iter()
            .filter_map(|i| Some((*i as usize, self.rules.get(*i as usize)?)))
            .map(|(i, rule)| {
                let failed = if rule.roles.as_ref().is_some_and(|r| !r.intersects(held)) {
                    Some("roles".to_owned())
                } else {
                    rule.when.iter().find(|c| !c.holds(facts)).map(|c| c.key.to_string())
                };
                RuleTrace {
                    rule: i,
                    allowed: failed.is_none(),
                    failed,
                }
            })
            .collect()
    }
}

fn parse_reference(text: &str) -> Result<Reference, String> {
    let (side, field) = text.split_once('.').ok_or_else(|| {
        format!(
            "`{}` is not a reference such as `resource.owner` or `principal.id`",
            shown(text)
        )
    })?;
    let side = match side {
        "principal" => Side::Principal,
        "resource" => Side::Resource,
        _ => {
            return Err(format!(
                "`{}` is not a reference: it starts with `principal.` or `resource.`",
                shown(text)
            ))
        }
    };
    let field = match field {
        "id" => Field::Id,
        "type" => Field::Type,
        name if is_attribute_name(name) => Field::Attribute(name.into()),
        _ => {
            return Err(format!(
                "`{}` is not a reference: attribute names are `[A-Za-z0-9_-]+`",
                shown(text)
            ))
        }
    };
    Ok(Reference { side, field })
}

fn parse_test(value: &Value) -> Result<Test, String> {
    const SHAPES: &str = "another reference, `{equals: literal}` or `{in: reference}`";
    match value {
        Value::String(text) => parse_reference(text).map(Test::Same),
        Value::Object(map) if map.len() == 1 => match map.iter().next() {
            Some((op, Value::String(text))) if op == "in" => parse_reference(text).map(Test::In),
            Some((op, literal)) if op == "equals" => match literal {
                Value::String(_) | Value::Bool(_) => Ok(Test::Equals(literal.clone())),
                Value::Number(n) if n.is_i64() => Ok(Test::Equals(literal.clone())),
                Value::Number(_) => Err("literals are strings, integers or booleans, not fractions".into()),
                _ => Err("`equals` takes a string, an integer or a boolean".into()),
            },
            Some((op, _)) if op == "in" => Err("`in` takes a reference to a list attribute".into()),
            _ => Err(format!("a condition is {SHAPES}")),
        },
        _ => Err(format!("a condition is {SHAPES}")),
    }
}

impl Policy {
    /// Compiles `rules`, reporting every problem under its path.
    pub(crate) fn compile_rules(&mut self, doc: &PolicyDocument, issues: &mut Issues) {
        if doc.rules.is_empty() {
            return;
        }
        let mut set = RuleSet {
            role_ids: doc
                .roles
                .keys()
                .enumerate()
                .map(|(i, name)| (name.as_str().into(), i as u32))
                .collect(),
            ..RuleSet::default()
        };
        set.includes = doc
            .roles
            .keys()
            .map(|name| role_closure(doc, name, &set.role_ids))
            .collect();
        set.by_permission = vec![Vec::new(); self.perms.len()];
        for (i, rule) in doc.rules.iter().enumerate() {
            let at = format!("rules[{i}]");
            let compiled = self.compile_rule(rule, &at, &set, issues);
            let permissions = self.expand_list(&rule.permissions, &format!("{at}.permissions"), issues);
            if rule.permissions.is_empty() {
                issues.push(
                    PolicyDetail::InvalidCondition,
                    format!("{at}.permissions"),
                    "a rule grants at least one permission",
                );
            }
            for p in permissions.iter() {
                if let Some(list) = set.by_permission.get_mut(p.0 as usize) {
                    list.push(i as u32);
                }
            }
            set.rules.push(compiled);
        }
        self.rules = set;
    }

    fn compile_rule(&self, rule: &RuleDoc, at: &str, set: &RuleSet, issues: &mut Issues) -> Rule {
        let roles = rule.roles.as_ref().map(|names| {
            let mut roles = PermSet::empty(set.includes.len());
            for (j, name) in names.iter().enumerate() {
                match set.role_ids.get(name.as_str()) {
                    Some(id) => roles.insert(PermId(*id)),
                    None => issues.push(
                        PolicyDetail::UnknownRole,
                        format!("{at}.roles[{j}]"),
                        format!("role `{name}` is not defined"),
                    ),
                }
            }
            roles
        });
        if rule.when.is_empty() {
            issues.push(
                PolicyDetail::InvalidCondition,
                format!("{at}.when"),
                "an empty `when` always holds: give the permissions to a role instead",
            );
        }
        let mut when = Vec::with_capacity(rule.when.len());
        for (key, value) in &rule.when {
            let path = format!("{at}.when.{key}");
            match parse_reference(key).and_then(|left| Ok((left, parse_test(value)?))) {
                Ok((left, test)) => when.push(Condition {
                    key: key.as_str().into(),
                    left,
                    test,
                }),
                Err(message) => issues.push(PolicyDetail::InvalidCondition, path, message),
            }
        }
        Rule { roles, when }
    }
}

/// The role ids `name` includes: itself and every role it inherits, at any
/// depth (cycles are reported when roles compile).
fn role_closure(doc: &PolicyDocument, name: &str, ids: &rustc_hash::FxHashMap<Box<str>, u32>) -> PermSet {
    let mut set = PermSet::empty(ids.len());
    let mut stack = vec![name];
    while let Some(role) = stack.pop() {
        let Some(id) = ids.get(role) else { continue };
        if set.contains(PermId(*id)) {
            continue;
        }
        set.insert(PermId(*id));
        if let Some(r) = doc.roles.get(role) {
            stack.extend(r.inherits.iter().map(String::as_str));
        }
    }
    set
}
