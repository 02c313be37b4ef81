//! YAML text to a `serde_json::Value`, through yaml-rust2's event parser.
//!
//! One document only; YAML 1.2 core-schema scalars (`true`, `null`, `12`,
//! `1.5`, quoted text stays text); mapping keys must be scalars and
//! distinct; aliases are expanded, but every node (expanded ones included)
//! counts against a budget, so an alias bomb fails fast instead of
//! exhausting memory; nesting is limited.

use rustc_hash::FxHashMap;
use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Most nodes a document may expand to (aliases included).
const MAX_NODES: usize = 1_000_000;
/// Deepest nesting accepted.
const MAX_DEPTH: usize = 128;

enum Frame {
    Seq(Vec<Value>, usize),
    Map(Map<String, Value>, Option<String>, usize),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: FxHashMap<usize, Value>,
    result: Option<Value>,
    documents: usize,
    nodes: usize,
    error: Option<(String, Marker)>,
}

fn count(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(count).sum::<usize>(),
        Value::Object(map) => 1 + map.values().map(count).sum::<usize>(),
        _ => 1,
    }
}

fn core_tag(tag: &Option<Tag>) -> Result<Option<&str>, String> {
    match tag {
        None => Ok(None),
        Some(t) if t.handle == "tag:yaml.org,2002:" || t.handle == "!!" => Ok(Some(t.suffix.as_str())),
        Some(t) if t.handle == "!" && t.suffix.is_empty() => Ok(Some("str")),
        Some(t) => Err(format!("tag `{}{}` is not supported", t.handle, t.suffix)),
    }
}

fn is_int(s: &str) -> bool {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn is_float(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (body.get(..i).unwrap_or_default(), body.get(i + 1..)),
        None => (body, None),
    };
    let mut parts = mantissa.splitn(2, '.');
    let whole = parts.next().unwrap_or_default();
    let fraction = parts.next();
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok =
        digits(whole) && fraction.is_none_or(digits) && (!whole.is_empty() || fraction.is_some_and(|f| !f.is_empty()));
    mantissa_ok && exponent.is_none_or(is_int)
}

/// Resolves a scalar per the YAML 1.2 core schema.
fn scalar(text: String, style: TScalarStyle, tag: &Option<Tag>) -> Result<Value, String> {
    let tag = core_tag(tag)?;
    if style != TScalarStyle::Plain && tag.is_none() {
        return Ok(Value::String(text));
    }
    let number = |s: &str| -> Option<Value> {
        if is_int(s) {
            if let Ok(i) = s.parse::<i64>() {
                return Some(Value::Number(i.into()));
            }
            if let Ok(u) = s.parse::<u64>() {
                return Some(Value::Number(u.into()));
            }
        }
        if let Some(hex) = s.strip_prefix("0x") {
            return i64::from_str_radix(hex, 16).ok().map(|i| Value::Number(i.into()));
        }
        if let Some(oct) = s.strip_prefix("0o") {
            return i64::from_str_radix(oct, 8).ok().map(|i| Value::Number(i.into()));
        }
        if is_float(s) {
            return s.parse::<f64>().ok().and_then(Number::from_f64).map(Value::Number);
        }
        None
    };
    match tag {
        Some("str") => Ok(Value::String(text)),
        Some("null") => Ok(Value::Null),
        Some("bool") => match text.as_str() {
            "true" | "True" | "TRUE" => Ok(Value::Bool(true)),
            "false" | "False" | "FALSE" => Ok(Value::Bool(false)),
            _ => Err(format!("`{text}` is not a boolean")),
        },
        Some("int" | "float") => number(&text).ok_or_else(|| format!("`{text}` is not a number")),
        Some(other) => Err(format!("tag `!!{other}` is not supported")),
        None => Ok(match text.as_str() {
            "" | "~" | "null" | "Null" | "NULL" => Value::Null,
            "true" | "True" | "TRUE" => Value::Bool(true),
            "false" | "False" | "FALSE" => Value::Bool(false),
            ".inf" | ".Inf" | ".INF" | "-.inf" | "-.Inf" | "-.INF" | ".nan" | ".NaN" | ".NAN" => {
                return Err(format!("`{text}`: non-finite numbers are not supported"))
            }
            t => match number(t) {
                Some(n) => n,
                None => Value::String(text),
            },
        }),
    }
}

/// Levels of collections in `value` (0 for a scalar). Values built here are
/// at most [`MAX_DEPTH`] deep, which bounds the recursion.
fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

impl Builder {
    fn fail(&mut self, message: String, mark: Marker) {
        if self.error.is_none() {
            self.error = Some((message, mark));
        }
    }

    fn push(&mut self, value: Value, anchor: usize, mark: Marker) {
        self.nodes = self.nodes.saturating_add(count(&value));
        if self.nodes > MAX_NODES {
            return self.fail(format!("the document expands to more than {MAX_NODES} nodes"), mark);
        }
        if anchor != 0 {
            self.anchors.insert(anchor, value.clone());
        }
        match self.stack.last_mut() {
            None => self.result = Some(value),
            Some(Frame::Seq(items, _)) => items.push(value),
            Some(Frame::Map(map, key, _)) => match key.take() {
                None => match value {
                    Value::String(k) => *key = Some(k),
                    Value::Number(n) => *key = Some(n.to_string()),
                    Value::Bool(b) => *key = Some(b.to_string()),
                    Value::Null => *key = Some(String::new()),
                    _ => self.fail("mapping keys must be scalars".into(), mark),
                },
                Some(k) => {
                    if map.contains_key(&k) {
                        self.fail(format!("duplicate key `{k}`"), mark);
                    } else {
                        map.insert(k, value);
                    }
                }
            },
        }
    }

    fn open(&mut self, frame: Frame, mark: Marker) {
        if self.stack.len() >= MAX_DEPTH {
            return self.fail(format!("nesting deeper than {MAX_DEPTH}"), mark);
        }
        self.stack.push(frame);
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        match event {
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 {
                    self.fail("a policy is one YAML document".into(), mark);
                }
            }
            Event::Scalar(text, style, anchor, tag) => match scalar(text, style, &tag) {
                Ok(value) => self.push(value, anchor, mark),
                Err(message) => self.fail(message, mark),
            },
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) if core_tag(&tag).is_err() => {
                let _ = anchor;
                self.fail("tags on collections are not supported".into(), mark)
            }
            Event::SequenceStart(anchor, _) => self.open(Frame::Seq(Vec::new(), anchor), mark),
            Event::MappingStart(anchor, _) => self.open(Frame::Map(Map::new(), None, anchor), mark),
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Seq(items, anchor)) => self.push(Value::Array(items), anchor, mark),
                Some(Frame::Map(map, None, anchor)) => self.push(Value::Object(map), anchor, mark),
                Some(Frame::Map(_, Some(_), _)) | None => self.fail("unbalanced collection".into(), mark),
            },
            Event::Alias(id) => match self.anchors.get(&id).cloned() {
                // An alias nests its value where it stands: the depth limit
                // counts through it, as if the value were written out.
                Some(value) if self.stack.len().saturating_add(depth(&value)) > MAX_DEPTH => {
                    self.fail(format!("nesting deeper than {MAX_DEPTH} (through an alias)"), mark)
                }
                Some(value) => self.push(value, 0, mark),
                None => self.fail("an alias names no anchor".into(), mark),
            },
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
    }
}

/// Parses one YAML document into a JSON value.
pub(crate) fn parse_yaml(text: &str) -> Result<Value, String> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, true).map_err(|e| e.to_string())?;
    if let Some((message, mark)) = builder.error {
        return Err(format!("{message} at line {} column {}", mark.line(), mark.col() + 1));
    }
    Ok(builder.result.unwrap_or(Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn core_schema_scalars() {
        let v = parse_yaml(
            "a: 1\nb: -2.5e3\nc: true\nd: ~\ne: '12'\nf: deployments:read\ng: yes\nh: [x, \"y\", 0x1f]\ni: |\n  text\n",
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"a": 1, "b": -2500.0, "c": true, "d": null, "e": "12", "f": "deployments:read", "g": "yes",
                   "h": ["x", "y", 31], "i": "text\n"})
        );
        assert_eq!(parse_yaml("x: !!str 12").unwrap(), json!({"x": "12"}));
        assert_eq!(parse_yaml("1: a").unwrap(), json!({"1": "a"}));
    }

    #[test]
    fn refusals() {
        assert!(parse_yaml("a: 1\na: 2\n").unwrap_err().contains("duplicate key `a`"));
        assert!(parse_yaml("a: 1\n---\nb: 2\n").is_err());
        assert!(parse_yaml("a: !custom x").is_err());
        assert!(parse_yaml("a: .nan").is_err());
        assert!(parse_yaml("? [a]\n: b\n").is_err());
        assert!(parse_yaml("a: [1").is_err());
        assert!(parse_yaml(&format!("{}x{}", "[".repeat(200), "]".repeat(200))).is_err());
    }

    #[test]
    fn aliases_expand_within_a_budget() {
        assert_eq!(
            parse_yaml("a: &x [1, 2]\nb: *x\n").unwrap(),
            json!({"a": [1, 2], "b": [1, 2]})
        );
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = format!("*a{}", i - 1);
            bomb.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 10].join(", ")));
        }
        let err = parse_yaml(&bomb).unwrap_err();
        assert!(err.contains("nodes"), "{err}");
    }

    #[test]
    fn aliases_count_towards_the_depth_limit() {
        // Each anchor nests the previous one a level deeper: 20 anchors of
        // 10 levels each reach 200 levels without 200 brackets in the text.
        let mut doc = format!("a0: &a0 {}x{}\n", "[".repeat(10), "]".repeat(10));
        for i in 1..20 {
            doc.push_str(&format!(
                "a{i}: &a{i} {}*a{}{}\n",
                "[".repeat(10),
                i - 1,
                "]".repeat(10)
            ));
        }
        let err = parse_yaml(&doc).unwrap_err();
        assert!(err.contains("through an alias"), "{err}");
        let shallow = format!("a: &a {}x{}\nb: [*a]\n", "[".repeat(10), "]".repeat(10));
        assert!(parse_yaml(&shallow).is_ok());
    }
}
