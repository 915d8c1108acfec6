//! A deserializer over a parsed JSON value that reads a structure only from
//! a JSON object.
//!
//! serde's derives also accept a structure written as an array of its
//! members in order (`["x", null]` for `{"Name": "x", "Tags": null}`),
//! which no AWS client sends and the SES v2 model does not allow. This
//! wrapper refuses that at every depth, and otherwise behaves as
//! `serde_json::Value` does.

use serde::de::{
    self, DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Unexpected, Visitor,
};
use serde_json::{Error, Map, Value};

/// Deserializes from a JSON value, refusing non-objects where a structure
/// is expected.
pub struct Strict<'de>(pub &'de Value);

fn unexpected(v: &Value) -> Unexpected<'_> {
    match v {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(_) => Unexpected::Other("number"),
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

impl<'de> Deserializer<'de> for Strict<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Array(items) => visitor.visit_seq(Seq(items.iter())),
            Value::Object(map) => visitor.visit_map(Members::new(map)),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(map) => visitor.visit_map(Members::new(map)),
            other => Err(Error::invalid_type(unexpected(other), &"a JSON object")),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier
        ignored_any
    }
}

struct Seq<'de>(std::slice::Iter<'de, Value>);

impl<'de> SeqAccess<'de> for Seq<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.0
            .next()
            .map(|v| seed.deserialize(Strict(v)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Members<'de> {
    iter: serde_json::map::Iter<'de>,
    value: Option<&'de Value>,
}

impl<'de> Members<'de> {
    fn new(map: &'de Map<String, Value>) -> Self {
        Members {
            iter: map.iter(),
            value: None,
        }
    }
}

impl<'de> MapAccess<'de> for Members<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((k, v)) = self.iter.next() else {
            return Ok(None);
        };
        self.value = Some(v);
        let key = de::value::BorrowedStrDeserializer::<'de, Error>::new(k.as_str());
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.value.take() {
            Some(v) => seed.deserialize(Strict(v)),
            None => Err(Error::custom("a value was asked for before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(rename_all = "PascalCase")]
    struct Inner {
        name: String,
        value: Option<u32>,
    }

    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(rename_all = "PascalCase")]
    struct Outer {
        id: String,
        inner: Option<Inner>,
        #[serde(default)]
        list: Vec<Inner>,
        #[serde(default)]
        raw: Option<Value>,
    }

    fn read(json: &str) -> Result<Outer, Error> {
        let v: Value = serde_json::from_str(json).unwrap();
        Outer::deserialize(Strict(&v))
    }

    #[test]
    fn objects_read_as_serde_json_reads_them() {
        let json = r#"{"Id":"a","Inner":{"Name":"n","Value":3},"List":[{"Name":"m"}],"Raw":[1,{"x":null}]}"#;
        assert_eq!(
            read(json).unwrap(),
            serde_json::from_str::<Outer>(json).unwrap()
        );
        assert_eq!(read(r#"{"Id":"a","Inner":null}"#).unwrap().inner, None);
    }

    #[test]
    fn structures_are_never_read_from_arrays_at_any_depth() {
        for json in [
            r#"["a",null]"#,
            r#"{"Id":"a","Inner":["n",3]}"#,
            r#"{"Id":"a","List":[["m",null]]}"#,
            r#"{"Id":"a","Inner":"n"}"#,
        ] {
            let err = read(json).unwrap_err();
            assert!(err.to_string().contains("JSON object"), "{json}: {err}");
        }
    }
}
