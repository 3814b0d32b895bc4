//! [`Json`] over the `JsValue` that `JSON.parse` returned (or a page's options
//! object): the core's decoders read fields through `Reflect`, so the wasm
//! carries neither a JSON parser nor serde.

use std::cell::RefCell;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::core::json::Json;

thread_local! {
    /// The keys read so far, as JS strings. A status poll reads the same 19
    /// keys every time: each is decoded from the wasm's UTF-8 once per page,
    /// not once per read. (All keys are the decoders' literals; the cap only
    /// keeps the list short.)
    static KEYS: RefCell<Vec<(String, JsValue)>> = const { RefCell::new(Vec::new()) };
}

/// `key` as a JS string, from [`KEYS`] when it was read before.
fn key(key: &str) -> JsValue {
    KEYS.with(|keys| {
        let Ok(mut keys) = keys.try_borrow_mut() else {
            return JsValue::from_str(key);
        };
        if let Some((_, js)) = keys.iter().find(|(k, _)| *k == key) {
            return js.clone();
        }
        let js = JsValue::from_str(key);
        if keys.len() < 64 {
            keys.push((key.to_owned(), js.clone()));
        }
        js
    })
}

/// A parsed JavaScript value, read by the core's decoders.
pub struct JsJson(pub JsValue);

impl Json for JsJson {
    fn get(&self, key: &str) -> Option<JsJson> {
        // `Reflect.get` throws on a primitive, and a throwing getter reads as
        // absent too: two calls into JS per field (a status poll reads 19),
        // and the key's text crosses once per page (see [`KEYS`]).
        let v = Reflect::get(&self.0, &self::key(key)).ok()?;
        (!v.is_null_or_undefined()).then_some(JsJson(v))
    }

    fn as_str(&self) -> Option<String> {
        self.0.as_string()
    }

    fn as_f64(&self) -> Option<f64> {
        self.0.as_f64()
    }

    fn is_object(&self) -> bool {
        self.0.is_object() && !Array::is_array(&self.0)
    }

    fn entries(&self) -> Vec<(String, JsJson)> {
        if !self.is_object() {
            return Vec::new();
        }
        Object::entries(self.0.unchecked_ref())
            .iter()
            .filter_map(|pair| {
                let pair: Array = pair.dyn_into().ok()?;
                Some((pair.get(0).as_string()?, JsJson(pair.get(1))))
            })
            .collect()
    }

    fn as_bool(&self) -> Option<bool> {
        self.0.as_bool()
    }

    fn items(&self) -> Option<Vec<JsJson>> {
        Array::is_array(&self.0).then(|| Array::from(&self.0).iter().map(JsJson).collect())
    }
}
