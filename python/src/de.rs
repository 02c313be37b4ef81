//! Python values read as serde data: the core's records are deserialized
//! straight from dicts, lists and scalars, with no JSON value in between
//! (which would build every map twice). What counts as JSON data is what
//! [`crate::json_value`] accepts: `dict` with `str` keys, `list`/`tuple`,
//! `str`, `bool`, `int`, finite `float` and `None`; anything else is refused.

use std::fmt::Display;

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::MAX_DEPTH;

type Error = serde_json::Error;

fn custom(message: impl Display) -> Error {
    de::Error::custom(message)
}

/// One Python value, `depth` levels down its document.
pub(crate) struct PyDeserializer<'py> {
    obj: Bound<'py, PyAny>,
    depth: usize,
}

impl<'py> PyDeserializer<'py> {
    pub(crate) fn new(obj: Bound<'py, PyAny>) -> Self {
        PyDeserializer { obj, depth: 0 }
    }

    fn nested(&self, obj: Bound<'py, PyAny>) -> Self {
        PyDeserializer {
            obj,
            depth: self.depth + 1,
        }
    }
}

impl<'de> Deserializer<'de> for PyDeserializer<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.depth > MAX_DEPTH {
            return Err(custom(format!("is nested deeper than {MAX_DEPTH} levels")));
        }
        let obj = &self.obj;
        if obj.is_none() {
            visitor.visit_unit()
        } else if let Ok(b) = obj.cast::<PyBool>() {
            visitor.visit_bool(b.is_true())
        } else if let Ok(s) = obj.cast::<PyString>() {
            visitor.visit_str(&s.to_cow().map_err(custom)?)
        } else if let Ok(d) = obj.cast::<PyDict>() {
            visitor.visit_map(Entries {
                parent: &self,
                entries: d.iter(),
                value: None,
            })
        } else if let Ok(l) = obj.cast::<PyList>() {
            visitor.visit_seq(Items {
                parent: &self,
                items: l.iter(),
            })
        } else if let Ok(t) = obj.cast::<PyTuple>() {
            visitor.visit_seq(Items {
                parent: &self,
                items: t.iter(),
            })
        } else if let Ok(i) = obj.cast::<PyInt>() {
            if let Ok(n) = i.extract::<i64>() {
                visitor.visit_i64(n)
            } else {
                match i.extract::<u64>() {
                    Ok(n) => visitor.visit_u64(n),
                    Err(_) => Err(custom("has an integer out of the 64-bit range")),
                }
            }
        } else if let Ok(f) = obj.cast::<PyFloat>() {
            match f.value() {
                v if v.is_finite() => visitor.visit_f64(v),
                _ => Err(custom("has a float that is not finite")),
            }
        } else {
            let name = obj
                .get_type()
                .name()
                .map_or_else(|_| "value".to_owned(), |n| n.to_string());
            Err(custom(format!("has a `{name}` where JSON data was expected")))
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.obj.is_none() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    /// Enums as JSON writes them (a string, or a one-entry object), read
    /// the way serde_json reads them.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let value = crate::json_value(&self.obj, self.depth).map_err(custom)?;
        value.deserialize_enum(name, variants, visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

/// The entries of a dict, keys first.
struct Entries<'a, 'py> {
    parent: &'a PyDeserializer<'py>,
    entries: pyo3::types::iter::BoundDictIterator<'py>,
    value: Option<Bound<'py, PyAny>>,
}

impl<'de> MapAccess<'de> for Entries<'_, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        if key.cast::<PyString>().is_err() {
            return Err(custom("has a key that is not a string"));
        }
        self.value = Some(value);
        seed.deserialize(self.parent.nested(key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.value.take() {
            Some(value) => seed.deserialize(self.parent.nested(value)),
            None => Err(custom("a value was read before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        self.entries.size_hint().1
    }
}

/// The items of a list or tuple.
struct Items<'a, 'py, I> {
    parent: &'a PyDeserializer<'py>,
    items: I,
}

impl<'de, 'py, I: Iterator<Item = Bound<'py, PyAny>>> SeqAccess<'de> for Items<'_, 'py, I> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        match self.items.next() {
            Some(item) => seed.deserialize(self.parent.nested(item)).map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        self.items.size_hint().1
    }
}
