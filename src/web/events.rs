//! Turns a core [`Event`] into a `hopae-*` CustomEvent on the host element.
//!
//! The detail is built and dispatched by `emit` of `js/events.js`, the one
//! table of every event's detail keys (element.js, mount.js and fallback.js
//! build their `hopae-failed` details there too). Rust passes the values
//! positionally, in that table's order: one call per event instead of one
//! `Reflect::set` per field. Every event bubbles and is composed, so it leaves
//! a shadow root and can be listened for on any ancestor.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use web_sys::Element;

use crate::core::api::Code;
use crate::core::session::Event;

#[wasm_bindgen(module = "/js/events.js")]
extern "C" {
    /// Dispatches event `kind` (an index into the types of js/events.js) on
    /// `host` with the detail of the values, in that table's key order
    /// (`undefined`: absent). False if a listener called `preventDefault()`.
    #[wasm_bindgen(catch)]
    #[allow(clippy::too_many_arguments)]
    fn emit(
        host: &Element,
        kind: u8,
        a: JsValue,
        b: JsValue,
        c: JsValue,
        d: JsValue,
        e: JsValue,
        f: JsValue,
        g: JsValue,
    ) -> Result<bool, JsValue>;
}

// Indexes into the types of js/events.js (the order of its KEYS).
const INITIATED: u8 = 0;
const STATUS: u8 = 1;
const COMPLETED: u8 = 2;
const FAILED: u8 = 3;
const EXPIRED: u8 = 4;
const CANCELLED: u8 = 5;
const REDIRECT: u8 = 6;

fn text(v: &str) -> JsValue {
    JsValue::from_str(v)
}

fn opt(v: &Option<String>) -> JsValue {
    v.as_deref().map_or(JsValue::UNDEFINED, JsValue::from_str)
}

/// Dispatches the cancelable `hopae-redirect`; returns whether the page let
/// the widget navigate (did not call `preventDefault()`).
pub fn dispatch_redirect(
    host: &Element,
    verification_id: &str,
    provider_id: &str,
    url: &str,
) -> Result<bool, JsValue> {
    let none = || JsValue::UNDEFINED;
    emit(
        host,
        REDIRECT,
        text(verification_id),
        text(provider_id),
        text(url),
        none(),
        none(),
        none(),
        none(),
    )
}

/// Dispatches `event` on `host`. `raw` is the body of the response that caused
/// it, from which `verifiedAttributes` is passed through untouched. Listeners
/// run synchronously inside this call, so the caller must hold no borrow a
/// listener could need.
pub fn dispatch(host: &Element, event: &Event, raw: &JsValue) -> Result<(), JsValue> {
    let none = || JsValue::UNDEFINED;
    let (kind, a, b, c, d, e, f, g) = match event {
        Event::Initiated {
            verification_id,
            provider_id,
            flow_type,
            expires_at,
        } => (
            INITIATED,
            text(verification_id),
            text(provider_id),
            text(flow_type),
            opt(expires_at),
            none(),
            none(),
            none(),
        ),
        Event::Status {
            verification_id,
            provider_id,
            status,
            fallback_from,
        } => (
            STATUS,
            opt(verification_id),
            text(provider_id),
            text(status),
            opt(fallback_from),
            none(),
            none(),
            none(),
        ),
        Event::Completed {
            verification_id,
            provider_id,
            verified_at,
        } => {
            let attributes = Reflect::get(raw, &JsValue::from_str("verifiedAttributes"))
                .ok()
                .filter(|a| a.is_object())
                .unwrap_or_else(|| js_sys::Object::new().into());
            (
                COMPLETED,
                text(verification_id),
                text(provider_id),
                attributes,
                opt(verified_at),
                none(),
                none(),
                none(),
            )
        }
        Event::Failed {
            verification_id,
            failure,
        } => (
            FAILED,
            opt(verification_id),
            text(failure.code.as_str()),
            text(failure.title.as_str()),
            text(failure.message.as_str()),
            failure
                .http_status
                .map_or(JsValue::UNDEFINED, JsValue::from),
            JsValue::from_bool(failure.retryable),
            // Hopae's own code exactly as received, beside the mapped `code`.
            match &failure.hopae_code {
                Some(Code::Number(n)) => JsValue::from(*n as f64),
                Some(Code::Text(t)) => text(t),
                None => JsValue::UNDEFINED,
            },
        ),
        Event::Expired { verification_id } | Event::Cancelled { verification_id } => (
            if matches!(event, Event::Expired { .. }) {
                EXPIRED
            } else {
                CANCELLED
            },
            opt(verification_id),
            none(),
            none(),
            none(),
            none(),
            none(),
            none(),
        ),
    };
    emit(host, kind, a, b, c, d, e, f, g).map(|_| ())
}
