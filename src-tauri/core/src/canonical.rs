//! JSON with its object keys sorted at every level. Whether serde_json keeps insertion order
//! depends on a cargo feature that other crates may switch on, so anything hashed or published
//! goes through here to read the same in every build.

use serde_json::{Map, Value};

pub fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            let mut out = Map::new();
            for (k, v) in entries {
                out.insert(k, sorted(v));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// Compact canonical text, for hashing.
pub fn to_string(value: &impl serde::Serialize) -> String {
    sorted(serde_json::to_value(value).expect("serializes")).to_string()
}

/// Pretty canonical text, for files people read.
pub fn to_string_pretty(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(&sorted(serde_json::to_value(value).expect("serializes")))
        .expect("serializes")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn keys_are_sorted_at_every_level_and_arrays_keep_their_order() {
        let value = json!({"b": 1, "a": {"z": [3, {"y": 1, "x": 2}], "c": null}});
        assert_eq!(
            super::to_string(&value),
            r#"{"a":{"c":null,"z":[3,{"x":2,"y":1}]},"b":1}"#
        );
    }
}
