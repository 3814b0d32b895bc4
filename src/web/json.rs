//! [`Json`] over the `JsValue` that `JSON.parse` returned (or a page's options
//! object): the core's decoders read fields through `Reflect`, so the wasm
//! carries neither a JSON parser nor serde.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::core::json::Json;

/// A parsed JavaScript value, read by the core's decoders.
pub struct JsJson(pub JsValue);

impl Json for JsJson {
    fn get(&self, key: &str) -> Option<JsJson> {
        // `Reflect.get` throws on a primitive, and a throwing getter reads as
        // absent too: two calls into JS per field (a status poll reads ~40),
        // not four.
        let v = Reflect::get(&self.0, &JsValue::from_str(key)).ok()?;
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
