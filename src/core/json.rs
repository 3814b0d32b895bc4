//! Reading JSON without serde in the wasm: a [`Json`] trait the decoders are
//! written against.
//!
//! In the browser the shell implements [`Json`] over the `JsValue` that
//! `JSON.parse` returned (`web::json`), so the wasm carries neither a JSON
//! parser nor serde, only the few field reads the widget needs. For native
//! tests and fuzzing (feature `test-support`, enabled by the dev-dependency),
//! `serde_json::Value` implements the same trait and [`parse`] reads text,
//! so every decoder is tested without a browser.

/// A parsed JSON value, as the decoders see it.
pub trait Json: Sized {
    /// The member `key` of an object; `None` when this is not an object or the
    /// member is absent or `null`.
    fn get(&self, key: &str) -> Option<Self>;
    /// The text of a string.
    fn as_str(&self) -> Option<String>;
    /// The value of a number.
    fn as_f64(&self) -> Option<f64>;
    /// Whether this is an object (not an array, not `null`).
    fn is_object(&self) -> bool;
    /// The members of an object, in the order the value keeps them; empty
    /// for anything else.
    fn entries(&self) -> Vec<(String, Self)>;
    /// The items of an array.
    fn items(&self) -> Option<Vec<Self>>;
    /// The value of `true` or `false`.
    fn as_bool(&self) -> Option<bool>;
}

#[cfg(feature = "test-support")]
pub use support::{parse, Value};

#[cfg(feature = "test-support")]
mod support {
    use super::Json;
    pub use serde_json::Value;

    impl Json for Value {
        fn get(&self, key: &str) -> Option<Value> {
            self.as_object()?.get(key).filter(|v| !v.is_null()).cloned()
        }
        fn as_str(&self) -> Option<String> {
            Value::as_str(self).map(str::to_owned)
        }
        fn as_f64(&self) -> Option<f64> {
            Value::as_f64(self)
        }
        fn is_object(&self) -> bool {
            Value::is_object(self)
        }
        fn entries(&self) -> Vec<(String, Value)> {
            self.as_object()
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default()
        }
        fn items(&self) -> Option<Vec<Value>> {
            self.as_array().cloned()
        }
        fn as_bool(&self) -> Option<bool> {
            Value::as_bool(self)
        }
    }

    /// Parses JSON text (strictly: no `01`, no `1.`).
    pub fn parse(text: &str) -> Result<Value, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
}

#[cfg(all(test, feature = "test-support"))]
mod tests {
    use super::*;

    #[test]
    fn parses_strictly() {
        let v = parse(r#"{"code":"","n":1.5,"ok":true,"list":[1]}"#).expect("json");
        let get = |k: &str| Json::get(&v, k).expect("member");
        assert_eq!(Json::as_str(&get("code")).as_deref(), Some(""));
        assert_eq!(Json::as_f64(&get("n")), Some(1.5));
        assert_eq!(Json::as_bool(&get("ok")), Some(true));
        for bad in ["01", "1.", "{", "[1,]", "'x'", ""] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
