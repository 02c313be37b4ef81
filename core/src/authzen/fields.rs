//! Evaluation and batch requests read in one pass from their own format
//! (Python objects, JSON text) into the fields evaluation uses, with no JSON
//! value in between: no map built per object, no key looked up by hashing.
//!
//! This reading only ever accepts a request the JSON-value reader accepts
//! with the same fields; it refuses everything else, and a refused request
//! is read again as a JSON value, whose reader gives the exact answer or
//! error. So the two readers can never disagree: this one is only faster.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use super::{Action, Page, Place, Query, Resource, Semantic, Subject};

/// An object and only an object: serde's derived structs also accept a
/// list of their fields in order, which the JSON-value reader refuses.
#[derive(Debug)]
pub(super) struct Object<T>(pub(super) T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Only<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for Only<T> {
            type Value = T;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map))
            }
        }
        deserializer.deserialize_map(Only(PhantomData)).map(Object)
    }
}

/// A field that, when present, must not be `null` (which the JSON-value
/// reader refuses for `options` and `evaluations_semantic`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

#[derive(Debug, Deserialize)]
pub(super) struct SubjectFields {
    #[serde(rename = "type")]
    kind: String,
    id: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct ActionFields {
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct ResourceFields {
    #[serde(rename = "type")]
    kind: String,
    id: Option<String>,
    properties: Option<Map<String, Value>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct PageFields {
    token: Option<String>,
    limit: Option<u64>,
}

/// What one item of a batch holds; `null` is absent, as in the JSON-value
/// reader.
#[derive(Debug, Deserialize)]
pub(super) struct Fields {
    subject: Option<Object<SubjectFields>>,
    action: Option<Object<ActionFields>>,
    resource: Option<Object<ResourceFields>>,
    page: Option<Object<PageFields>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct OptionFields {
    #[serde(default, deserialize_with = "present")]
    evaluations_semantic: Option<String>,
}

/// An `evaluation` or `evaluations` request: an item's fields (repeated
/// rather than flattened, which would buffer every other field), the items
/// and the options.
#[derive(Debug, Deserialize)]
pub(super) struct Batch {
    subject: Option<Object<SubjectFields>>,
    action: Option<Object<ActionFields>>,
    resource: Option<Object<ResourceFields>>,
    page: Option<Object<PageFields>>,
    #[serde(default)]
    evaluations: Vec<Object<Fields>>,
    #[serde(default, deserialize_with = "present")]
    options: Option<Object<OptionFields>>,
}

/// The fields of one evaluation, borrowed.
#[derive(Clone, Copy)]
struct Parts<'v> {
    subject: Option<&'v SubjectFields>,
    action: Option<&'v ActionFields>,
    resource: Option<&'v ResourceFields>,
    page: Option<&'v PageFields>,
}

fn inner<T>(field: &Option<Object<T>>) -> Option<&T> {
    field.as_ref().map(|o| &o.0)
}

impl Batch {
    /// The batch's semantic; `None` for a name that is not one (left to the
    /// JSON-value reader to refuse, with its message).
    pub(super) fn semantic(&self) -> Option<Semantic> {
        match inner(&self.options).and_then(|o| o.evaluations_semantic.as_deref()) {
            None => Some(Semantic::ExecuteAll),
            Some(name) => Semantic::named(name),
        }
    }

    /// The batch's items; empty when it has none (then it is one evaluation).
    pub(super) fn items(&self) -> impl ExactSizeIterator<Item = &Fields> {
        self.evaluations.iter().map(|item| &item.0)
    }

    fn parts(&self) -> Parts<'_> {
        Parts {
            subject: inner(&self.subject),
            action: inner(&self.action),
            resource: inner(&self.resource),
            page: inner(&self.page),
        }
    }

    /// The request's own fields as one evaluation.
    pub(super) fn query(&self) -> Query<'_> {
        self.parts().query(None, Place::Request)
    }

    /// An item's fields, each from the item or else from the request.
    pub(super) fn item_query<'v>(&'v self, item: &'v Fields, index: usize) -> Query<'v> {
        let own = Parts {
            subject: inner(&item.subject),
            action: inner(&item.action),
            resource: inner(&item.resource),
            page: inner(&item.page),
        };
        own.query(Some(self.parts()), Place::Item(index))
    }
}

impl<'v> Parts<'v> {
    fn query(self, defaults: Option<Parts<'v>>, at: Place<'static>) -> Query<'v> {
        let subject = self.subject.or_else(|| defaults.and_then(|d| d.subject));
        let action = self.action.or_else(|| defaults.and_then(|d| d.action));
        let resource = self.resource.or_else(|| defaults.and_then(|d| d.resource));
        Query {
            at,
            subject: subject.map(|s| Subject {
                kind: &s.kind,
                id: s.id.as_deref(),
            }),
            action: action.map(|a| Action {
                name: a.name.as_deref(),
            }),
            resource: resource.map(|r| Resource {
                kind: &r.kind,
                id: r.id.as_deref(),
                properties: r.properties.as_ref(),
            }),
            // A page is never inherited from the request.
            page: self.page.map(|p| Page {
                token: p.token.as_deref(),
                limit: p.limit,
            }),
        }
    }
}
