//! A token's JSON parts, read once: the members the rules look at are
//! decoded, the rest only checked to be valid JSON. A host that wants every
//! claim gets them decoded when it asks.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Why a part could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unreadable {
    /// Not UTF-8 JSON.
    NotJson,
    /// JSON, but not an object.
    NotObject,
}

/// The members of a JSON object a reader asked for, by name, in document
/// order; a name given twice keeps its last value, as a JSON map would.
#[derive(Clone, Default, PartialEq)]
pub(crate) struct Members(Vec<(Box<str>, Value)>);

impl Members {
    /// Reads `text`, a JSON object, keeping the members `wanted` names. The
    /// others are checked exactly as strictly (UTF-8, escapes, numbers,
    /// nesting) but not kept.
    pub(crate) fn read(text: &str, wanted: &dyn Fn(&str) -> bool) -> Result<Self, Unreadable> {
        let mut de = serde_json::Deserializer::from_str(text);
        match Select(wanted).deserialize(&mut de).and_then(|m| de.end().map(|()| m)) {
            Ok(members) => Ok(members),
            // `[` or `"x"` is refused as a non-object before the rest is read.
            Err(e) if e.classify() == serde_json::error::Category::Data => {
                match serde_json::from_str::<Checked>(text) {
                    Ok(Checked) => Err(Unreadable::NotObject),
                    Err(_) => Err(Unreadable::NotJson),
                }
            }
            Err(_) => Err(Unreadable::NotJson),
        }
    }

    /// The value of member `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(n, _)| &**n == name).map(|(_, v)| v)
    }
}

/// A token's claims: its payload as sent, with the claims permiso's rules
/// read decoded once. Every claim is decoded only when a host asks for them
/// ([`Claims::to_map`]), so verifying a token does not build a map of claims
/// nobody reads.
#[derive(Clone, Default, PartialEq)]
pub struct Claims {
    /// The payload: UTF-8 text of a JSON object.
    text: Box<str>,
    read: Members,
}

impl Claims {
    /// The claims in `text`, keeping the ones `wanted` names decoded.
    pub(crate) fn read(text: String, wanted: &dyn Fn(&str) -> bool) -> Result<Self, Unreadable> {
        let read = Members::read(&text, wanted)?;
        Ok(Claims {
            text: text.into_boxed_str(),
            read,
        })
    }

    /// The claims in a token part's decoded bytes.
    pub(crate) fn from_bytes(bytes: Vec<u8>, wanted: &dyn Fn(&str) -> bool) -> Result<Self, Unreadable> {
        let text = String::from_utf8(bytes).map_err(|_| Unreadable::NotJson)?;
        Self::read(text, wanted)
    }

    /// Claim `name`, when it is one the rules read.
    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        self.read.get(name)
    }

    /// Every claim, decoded now, in the order the token has them.
    pub fn to_map(&self) -> Map<String, Value> {
        // The text was read as a JSON object with the same checks, so this
        // cannot fail; an empty map stands in for the impossible.
        serde_json::from_str(if self.text.is_empty() { "{}" } else { &self.text }).unwrap_or_default()
    }

    /// The payload as the token has it: the text of a JSON object.
    pub fn as_json(&self) -> &str {
        if self.text.is_empty() {
            "{}"
        } else {
            &self.text
        }
    }
}

impl fmt::Debug for Claims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_map(), f)
    }
}

impl fmt::Debug for Members {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.iter().map(|(k, v)| (k, v))).finish()
    }
}

/// The members of an object, selected by name.
struct Select<'w>(&'w dyn Fn(&str) -> bool);

impl<'de> DeserializeSeed<'de> for Select<'_> {
    type Value = Members;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Members, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Select<'_> {
    type Value = Members;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
        let mut kept: Vec<(Box<str>, Value)> = Vec::new();
        while let Some(Name(name)) = map.next_key()? {
            if !(self.0)(&name) {
                map.next_value::<Checked>()?;
                continue;
            }
            let value: Value = map.next_value()?;
            match kept.iter_mut().find(|(n, _)| **n == *name) {
                Some((_, old)) => *old = value,
                None => kept.push((name.into(), value)),
            }
        }
        Ok(Members(kept))
    }
}

/// A member name, borrowed from the text when it has no escapes.
struct Name<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(NameVisitor)
    }
}

struct NameVisitor;

impl<'de> Visitor<'de> for NameVisitor {
    type Value = Name<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Name<'de>, E> {
        Ok(Name(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Name<'de>, E> {
        Ok(Name(Cow::Owned(s.to_owned())))
    }
}

/// Any JSON value, read with every check a [`Value`] gets (escapes decoded,
/// surrogates paired, numbers in range) and then dropped. Unlike
/// `IgnoredAny`, which skips strings without decoding their escapes, this
/// accepts exactly what a [`Value`] accepts.
struct Checked;

impl<'de> de::Deserialize<'de> for Checked {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CheckedVisitor)
    }
}

struct CheckedVisitor;

impl<'de> Visitor<'de> for CheckedVisitor {
    type Value = Checked;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_str<E>(self, _: &str) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_unit<E>(self) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
        while seq.next_element::<Checked>()?.is_some() {}
        Ok(Checked)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Checked, A::Error> {
        while map.next_entry::<Checked, Checked>()?.is_some() {}
        Ok(Checked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(_: &str) -> bool {
        true
    }

    /// Whatever a `serde_json::Value` object accepts, the reader accepts, and
    /// the reverse, whichever members it keeps.
    #[test]
    fn accepts_exactly_what_a_json_map_accepts() {
        let texts = [
            r#"{"a":1,"b":"x"}"#,
            r#"{"a":"\ud800"}"#,
            r#"{"a":"\ud83d\ude00"}"#,
            r#"{"a":"\uZZZZ"}"#,
            r#"{"a":1e400}"#,
            r#"{"a":-0.5,"b":[true,null,{"c":[]}]}"#,
            r#"{"a":1} x"#,
            r#"{"a":1,}"#,
            "{\"a\":\"\u{1}\"}",
            r#"[1,2]"#,
            r#"[1,2"#,
            r#""text""#,
            r#"{"a":1,"a":2}"#,
            "",
            " { } ",
        ];
        let none = |_: &str| false;
        for text in texts {
            let as_map = serde_json::from_str::<Value>(text);
            let expected = match &as_map {
                Ok(Value::Object(_)) => Ok(()),
                Ok(_) => Err(Unreadable::NotObject),
                Err(_) => Err(Unreadable::NotJson),
            };
            for wanted in [&all as &dyn Fn(&str) -> bool, &none] {
                assert_eq!(Members::read(text, wanted).map(|_| ()), expected, "{text}");
            }
        }
    }

    #[test]
    fn keeps_the_wanted_members_and_the_last_of_a_repeated_name() {
        let wanted = |n: &str| n == "a" || n == "c";
        let read = Members::read(r#"{"a":1,"b":2,"c":{"d":[3]},"a":4}"#, &wanted).unwrap();
        assert_eq!(read.get("a"), Some(&Value::from(4)));
        assert_eq!(read.get("b"), None);
        assert_eq!(read.get("c"), Some(&serde_json::json!({"d": [3]})));
        let escaped = Members::read(r#"{"\u0061":true}"#, &wanted).unwrap();
        assert_eq!(escaped.get("a"), Some(&Value::Bool(true)));
    }

    #[test]
    fn every_claim_is_decoded_when_asked() {
        let claims = Claims::from_bytes(br#"{"sub":"alice","x":[1,2],"sub":"bob"}"#.to_vec(), &|n| n == "sub").unwrap();
        assert_eq!(claims.get("sub"), Some(&Value::from("bob")));
        assert_eq!(claims.get("x"), None);
        assert_eq!(
            claims.to_map(),
            serde_json::json!({"sub": "bob", "x": [1, 2]})
                .as_object()
                .cloned()
                .unwrap()
        );
        assert_eq!(Claims::default().to_map(), Map::new());
        assert_eq!(Claims::default().as_json(), "{}");
        assert_eq!(
            Claims::from_bytes(vec![b'{', 0xff, b'}'], &all),
            Err(Unreadable::NotJson)
        );
    }
}
