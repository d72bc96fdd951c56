//! A record's client-maintained values as the store keeps them: the text of one JSON object.
//!
//! Reads are the hot path: a page of 200 records would otherwise build 200 maps of owned values
//! only to write most of them straight back out. So a read keeps the stored text and lends its
//! fields (`fields`) as raw JSON slices; a write builds a `Map`, checks it, and seals it into text
//! once (`from_map`), before the store (and its single SQLite writer) ever sees it.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

#[derive(Clone, PartialEq, Eq)]
pub struct RecordData(Box<str>);

impl Default for RecordData {
    fn default() -> Self {
        Self("{}".into())
    }
}

impl fmt::Debug for RecordData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl RecordData {
    pub fn from_map(map: &Map<String, Value>) -> Self {
        // Serialising a map of JSON values cannot fail.
        Self(serde_json::to_string(map).unwrap_or_else(|_| "{}".into()).into_boxed_str())
    }

    /// Text the store wrote, taken as it is: it is read through `fields` and `to_map`, where
    /// anything but a JSON object (which the store never writes) reads as an empty record rather
    /// than failing a whole page.
    pub fn from_stored(text: String) -> Self {
        Self(text.into_boxed_str())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The values as an owned map, to change them.
    pub fn to_map(&self) -> Map<String, Value> {
        serde_json::from_str(&self.0).unwrap_or_default()
    }

    /// The fields, lent from the text in stored order.
    pub fn fields(&self) -> Fields<'_> {
        let mut de = serde_json::Deserializer::from_str(&self.0);
        let entries = de.deserialize_map(EntriesVisitor).ok().filter(|_| de.end().is_ok());
        Fields { entries: entries.unwrap_or_default() }
    }
}

/// A record's fields lent as raw JSON.
#[derive(Default)]
pub struct Fields<'a> {
    entries: Vec<(Cow<'a, str>, &'a RawValue)>,
}

impl<'a> Fields<'a> {
    /// The raw JSON of `name`'s value. A record has a few dozen fields at most: a scan beats a
    /// hash here.
    pub fn get(&self, name: &str) -> Option<&'a RawValue> {
        self.entries.iter().find(|(k, _)| k == name).map(|(_, v)| *v)
    }

    /// `name`'s value when it is a string.
    pub fn str(&self, name: &str) -> Option<Cow<'a, str>> {
        let raw = self.get(name)?.get();
        if !raw.starts_with('"') {
            return None;
        }
        match serde_json::from_str::<&'a str>(raw) {
            Ok(s) => Some(Cow::Borrowed(s)),
            // Escapes cannot be lent.
            Err(_) => serde_json::from_str::<String>(raw).ok().map(Cow::Owned),
        }
    }

    /// `name`'s value when it is an integer.
    pub fn i64(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(|raw| raw.get().parse().ok())
    }

    /// `name`'s value, parsed.
    pub fn value(&self, name: &str) -> Option<Value> {
        self.get(name).and_then(|raw| serde_json::from_str(raw.get()).ok())
    }
}

struct EntriesVisitor;

impl<'de> Visitor<'de> for EntriesVisitor {
    type Value = Vec<(Cow<'de, str>, &'de RawValue)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(16));
        while let Some((key, value)) = map.next_entry::<Key<'de>, &'de RawValue>()? {
            entries.push((key.0, value));
        }
        Ok(entries)
    }
}

/// A key lent from the text when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lends_fields_and_round_trips_through_a_map() {
        let map =
            json!({"Last_Name": "O\"Brien", "Email": "a@b.test", "Amount": 12.5, "Due": 1700000000000i64, "Tags": ["x"], "N\\u00e9": null})
                .as_object()
                .cloned()
                .unwrap();
        let data = RecordData::from_map(&map);
        let fields = data.fields();
        assert_eq!(fields.str("Last_Name").as_deref(), Some("O\"Brien"));
        assert_eq!(fields.str("Email"), Some(Cow::Borrowed("a@b.test")));
        assert_eq!(fields.get("Amount").map(RawValue::get), Some("12.5"));
        assert_eq!(fields.i64("Due"), Some(1_700_000_000_000));
        assert_eq!(fields.str("Amount"), None);
        assert_eq!(fields.value("Tags"), Some(json!(["x"])));
        assert!(fields.get("Missing").is_none());
        assert_eq!(data.to_map(), map);
    }

    #[test]
    fn stored_text_that_is_not_an_object_reads_as_empty() {
        for text in ["", "[1]", "{", "null", "{\"a\":1} trailing"] {
            let data = RecordData::from_stored(text.to_string());
            assert!(data.fields().get("a").is_none(), "{text:?}");
            assert!(data.to_map().is_empty(), "{text:?}");
        }
        assert_eq!(RecordData::from_stored("{\"a\":1}".into()).fields().i64("a"), Some(1));
    }
}
