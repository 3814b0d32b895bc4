//! Turns a core [`Event`] into a `hopae-*` CustomEvent on the host element.
//!
//! Every event bubbles and is composed, so it leaves a shadow root and can be
//! listened for on any ancestor. Details use the camelCase names of DESIGN.md.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, Element};

use crate::core::api::Code;
use crate::core::session::Event;

/// The DOM event name of a core event.
pub fn name(event: &Event) -> &'static str {
    match event {
        Event::Initiated { .. } => "hopae-initiated",
        Event::Status { .. } => "hopae-status",
        Event::Completed { .. } => "hopae-completed",
        Event::Failed { .. } => "hopae-failed",
        Event::Expired { .. } => "hopae-expired",
        Event::Cancelled { .. } => "hopae-cancelled",
    }
}

/// Builds the event's detail. `raw` is the body of the response that caused
/// it, from which `verifiedAttributes` is passed through untouched.
pub fn detail(event: &Event, raw: &JsValue) -> Object {
    let d = Object::new();
    let set = |key: &str, value: JsValue| {
        // Setting a plain property on a fresh object cannot fail.
        let _ = Reflect::set(&d, &JsValue::from_str(key), &value);
    };
    let opt = |v: &Option<String>| v.as_deref().map_or(JsValue::NULL, JsValue::from_str);
    match event {
        Event::Initiated {
            verification_id,
            provider_id,
            flow_type,
            expires_at,
        } => {
            set("verificationId", verification_id.into());
            set("providerId", provider_id.into());
            set("flowType", flow_type.into());
            set("expiresAt", opt(expires_at));
        }
        Event::Status {
            verification_id,
            provider_id,
            status,
            fallback_from,
        } => {
            set("verificationId", opt(verification_id));
            set("providerId", provider_id.into());
            set("status", status.into());
            if fallback_from.is_some() {
                set("fallbackFrom", opt(fallback_from));
            }
        }
        Event::Completed {
            verification_id,
            provider_id,
            verified_at,
        } => {
            set("verificationId", verification_id.into());
            set("providerId", provider_id.into());
            let attributes = Reflect::get(raw, &JsValue::from_str("verifiedAttributes"))
                .ok()
                .filter(|a| a.is_object())
                .unwrap_or_else(|| Object::new().into());
            set("verifiedAttributes", attributes);
            set("verifiedAt", opt(verified_at));
        }
        Event::Failed {
            verification_id,
            failure,
        } => {
            set("verificationId", opt(verification_id));
            set("code", failure.code.as_str().into());
            set("title", failure.title.as_str().into());
            set("message", failure.message.as_str().into());
            set(
                "httpStatus",
                failure.http_status.map_or(JsValue::NULL, JsValue::from),
            );
            set("retryable", failure.retryable.into());
            // Hopae's own code exactly as received, beside the mapped `code`.
            set(
                "hopaeCode",
                match &failure.hopae_code {
                    Some(Code::Number(n)) => JsValue::from(*n as f64),
                    Some(Code::Text(t)) => JsValue::from_str(t),
                    None => JsValue::NULL,
                },
            );
        }
        Event::Expired { verification_id } | Event::Cancelled { verification_id } => {
            set("verificationId", opt(verification_id));
        }
    }
    d
}

/// Dispatches the cancelable `hopae-redirect`; returns whether the page let
/// the widget navigate (did not call `preventDefault()`).
pub fn dispatch_redirect(
    host: &Element,
    verification_id: &str,
    provider_id: &str,
    url: &str,
) -> Result<bool, JsValue> {
    let d = Object::new();
    Reflect::set(&d, &"verificationId".into(), &verification_id.into())?;
    Reflect::set(&d, &"providerId".into(), &provider_id.into())?;
    Reflect::set(&d, &"authorizationUrl".into(), &url.into())?;
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_cancelable(true);
    init.set_detail(&d);
    let event = CustomEvent::new_with_event_init_dict("hopae-redirect", &init)?;
    host.dispatch_event(&event)
}

/// Dispatches `event` on `host`. Listeners run synchronously inside this call,
/// so the caller must hold no borrow a listener could need.
pub fn dispatch(host: &Element, event: &Event, raw: &JsValue) -> Result<(), JsValue> {
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&detail(event, raw));
    let custom = CustomEvent::new_with_event_init_dict(name(event), &init)?;
    host.dispatch_event(&custom).map(|_| ())
}
