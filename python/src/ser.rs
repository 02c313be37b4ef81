//! The core's records written as Python data, as JSON writes them: structs
//! and maps as `dict`, sequences as `list` (tuples as `tuple`), unit
//! variants as `str`, `None`, `bool`, `int`, `float` and `str`.
//!
//! Field and variant names are made into `str` objects once per conversion
//! and shared by every dict that uses them: a batch's 25 answers share one
//! `"decision"` key instead of making, decoding and hashing 25.

use std::cell::RefCell;

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde::ser::{self, Serialize};

type Error = serde_json::Error;

fn failed(e: PyErr) -> Error {
    ser::Error::custom(e)
}

/// `value` as Python data.
pub(crate) fn to_python<'py, T: Serialize + ?Sized>(py: Python<'py>, value: &T) -> Result<Bound<'py, PyAny>, Error> {
    let names = Names::default();
    value.serialize(Writer { py, names: &names })
}

/// The names (field and variant names, all `'static`) made into `str` in
/// this conversion. Few per conversion, so a list searched by address.
#[derive(Default)]
struct Names<'py> {
    made: RefCell<Vec<(&'static str, Bound<'py, PyString>)>>,
}

impl<'py> Names<'py> {
    fn get(&self, py: Python<'py>, name: &'static str) -> Bound<'py, PyString> {
        let mut made = self.made.borrow_mut();
        if let Some((_, s)) = made.iter().find(|(known, _)| std::ptr::eq(*known, name)) {
            return s.clone();
        }
        let s = PyString::new(py, name);
        made.push((name, s.clone()));
        s
    }
}

#[derive(Clone, Copy)]
struct Writer<'a, 'py> {
    py: Python<'py>,
    names: &'a Names<'py>,
}

impl<'py> Writer<'_, 'py> {
    /// `{name: value}`: how an enum variant with data is written.
    fn tagged(self, name: &'static str, value: Bound<'py, PyAny>) -> Result<Bound<'py, PyAny>, Error> {
        let dict = PyDict::new(self.py);
        dict.set_item(self.names.get(self.py, name), value).map_err(failed)?;
        Ok(dict.into_any())
    }
}

impl<'a, 'py> ser::Serializer for Writer<'a, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    type SerializeSeq = Items<'a, 'py>;
    type SerializeTuple = Items<'a, 'py>;
    type SerializeTupleStruct = Items<'a, 'py>;
    type SerializeTupleVariant = Items<'a, 'py>;
    type SerializeMap = Entries<'a, 'py>;
    type SerializeStruct = Entries<'a, 'py>;
    type SerializeStructVariant = Entries<'a, 'py>;

    fn serialize_bool(self, v: bool) -> Result<Self::Ok, Error> {
        Ok(PyBool::new(self.py, v).to_owned().into_any())
    }
    fn serialize_i8(self, v: i8) -> Result<Self::Ok, Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<Self::Ok, Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<Self::Ok, Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<Self::Ok, Error> {
        Ok(PyInt::new(self.py, v).into_any())
    }
    fn serialize_u8(self, v: u8) -> Result<Self::Ok, Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<Self::Ok, Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<Self::Ok, Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<Self::Ok, Error> {
        Ok(PyInt::new(self.py, v).into_any())
    }
    fn serialize_f32(self, v: f32) -> Result<Self::Ok, Error> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<Self::Ok, Error> {
        Ok(PyFloat::new(self.py, v).into_any())
    }
    fn serialize_char(self, v: char) -> Result<Self::Ok, Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<Self::Ok, Error> {
        Ok(PyString::new(self.py, v).into_any())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Self::Ok, Error> {
        Ok(PyBytes::new(self.py, v).into_any())
    }
    fn serialize_none(self) -> Result<Self::Ok, Error> {
        Ok(self.py.None().into_bound(self.py))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Self::Ok, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Self::Ok, Error> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Self::Ok, Error> {
        self.serialize_none()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Self::Ok, Error> {
        Ok(self.names.get(self.py, variant).into_any())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Self::Ok, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Self::Ok, Error> {
        self.tagged(variant, value.serialize(self)?)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Items<'a, 'py>, Error> {
        Ok(Items::new(self, len.unwrap_or(0), false, None))
    }
    fn serialize_tuple(self, len: usize) -> Result<Items<'a, 'py>, Error> {
        Ok(Items::new(self, len, true, None))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Items<'a, 'py>, Error> {
        self.serialize_tuple(len)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Items<'a, 'py>, Error> {
        Ok(Items::new(self, len, true, Some(variant)))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Entries<'a, 'py>, Error> {
        Ok(Entries::new(self, None))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Entries<'a, 'py>, Error> {
        Ok(Entries::new(self, None))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Entries<'a, 'py>, Error> {
        Ok(Entries::new(self, Some(variant)))
    }
}

/// A list or tuple being written (a tuple variant's under its name).
struct Items<'a, 'py> {
    writer: Writer<'a, 'py>,
    items: Vec<Bound<'py, PyAny>>,
    tuple: bool,
    variant: Option<&'static str>,
}

impl<'a, 'py> Items<'a, 'py> {
    fn new(writer: Writer<'a, 'py>, len: usize, tuple: bool, variant: Option<&'static str>) -> Self {
        Items {
            writer,
            items: Vec::with_capacity(len),
            tuple,
            variant,
        }
    }

    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.items.push(value.serialize(self.writer)?);
        Ok(())
    }

    fn end(self) -> Result<Bound<'py, PyAny>, Error> {
        let py = self.writer.py;
        let out = if self.tuple {
            PyTuple::new(py, self.items).map_err(failed)?.into_any()
        } else {
            PyList::new(py, self.items).map_err(failed)?.into_any()
        };
        match self.variant {
            Some(variant) => self.writer.tagged(variant, out),
            None => Ok(out),
        }
    }
}

/// The element-writing traits of a list or tuple: each writes one more item.
macro_rules! items {
    ($($trait:ident :: $method:ident),*) => {$(
        impl<'py> ser::$trait for Items<'_, 'py> {
            type Ok = Bound<'py, PyAny>;
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.push(value)
            }
            fn end(self) -> Result<Self::Ok, Error> {
                Items::end(self)
            }
        }
    )*};
}

items!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

/// A dict being written: a map's, a struct's, or a struct variant's under
/// its name.
struct Entries<'a, 'py> {
    writer: Writer<'a, 'py>,
    dict: Bound<'py, PyDict>,
    key: Option<Bound<'py, PyAny>>,
    variant: Option<&'static str>,
}

impl<'a, 'py> Entries<'a, 'py> {
    fn new(writer: Writer<'a, 'py>, variant: Option<&'static str>) -> Self {
        Entries {
            writer,
            dict: PyDict::new(writer.py),
            key: None,
            variant,
        }
    }

    fn field<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) -> Result<(), Error> {
        let key = self.writer.names.get(self.writer.py, name);
        self.dict.set_item(key, value.serialize(self.writer)?).map_err(failed)
    }

    fn end(self) -> Result<Bound<'py, PyAny>, Error> {
        match self.variant {
            Some(variant) => self.writer.tagged(variant, self.dict.into_any()),
            None => Ok(self.dict.into_any()),
        }
    }
}

impl<'py> ser::SerializeMap for Entries<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.key = Some(key.serialize(self.writer)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = self
            .key
            .take()
            .ok_or_else(|| <Error as ser::Error>::custom("a map value came before its key"))?;
        self.dict.set_item(key, value.serialize(self.writer)?).map_err(failed)
    }
    fn end(self) -> Result<Self::Ok, Error> {
        Entries::end(self)
    }
}

/// The field-writing traits of a struct and a struct variant.
macro_rules! fields {
    ($($trait:ident),*) => {$(
        impl<'py> ser::$trait for Entries<'_, 'py> {
            type Ok = Bound<'py, PyAny>;
            type Error = Error;
            fn serialize_field<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) -> Result<(), Error> {
                self.field(name, value)
            }
            fn end(self) -> Result<Self::Ok, Error> {
                Entries::end(self)
            }
        }
    )*};
}

fields!(SerializeStruct, SerializeStructVariant);
