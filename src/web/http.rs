//! Talks to the site's backend: the three calls of the backend contract.
//!
//! Each call carries an `AbortSignal`. The fetch itself and the reading of
//! its answer (status, `Date`, `Retry-After`, the body parsed as JSON) are one
//! call of `request` in js/events.js, one promise per request instead of a
//! `Headers`, a `RequestInit`, two awaited promises and a header read each
//! from Rust. What the browser reports becomes either the parsed JSON body or
//! a [`core::error::Error`](crate::core::error::Error); nothing here decides
//! what a response means.

use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

#[wasm_bindgen(module = "/js/events.js")]
extern "C" {
    /// `fetch(url, {method, headers, credentials, body, signal, cache:
    /// "no-store"})` (or the pending `sent`), resolving to `[status, ok,
    /// date, retryAfter, body]` (`body`: the text parsed as JSON, `undefined`
    /// if it is not JSON); rejects when the request or the body fails.
    #[allow(clippy::too_many_arguments)]
    #[wasm_bindgen(js_name = request)]
    fn fetch_answer(
        url: &str,
        method: &str,
        headers: &JsValue,
        credentials: &str,
        body: &JsValue,
        key: &JsValue,
        signal: Option<AbortSignal>,
        sent: Option<js_sys::Promise>,
    ) -> js_sys::Promise;
}

use crate::core::api::Problem;
use crate::core::error::Error;
use crate::core::session::Request;
use crate::core::time::{parse_http_date, Millis};
use crate::web::json::JsJson;

/// How to reach the backend: the options that only the browser uses.
pub struct Backend {
    /// `POST` here; `GET`/`DELETE` `{endpoint}/{id}`.
    pub endpoint: String,
    /// Extra request headers (e.g. a CSRF token): a copy of the option's
    /// object (names to strings), or `undefined`.
    pub headers: JsValue,
    /// `fetch`'s credentials mode.
    pub credentials: &'static str,
    /// Extra fields for the create body, merged under `providerId`.
    pub extra_body: Option<Object>,
    /// The `userData` option: sent as the create body's `userData`.
    pub user_data: Option<Object>,
}

/// A 2xx answer: its parsed JSON body and the server's clock.
pub struct Answer {
    /// The body, parsed but not yet decoded.
    pub body: JsValue,
    /// The `Date` header.
    pub server_time: Option<Millis>,
    /// When it was read (`Date.now()`): earlier than now for the create
    /// js/mount.js read before the module was ready.
    pub received: Option<Millis>,
}

impl Backend {
    /// Reads the options only the browser uses (`headers`, `credentials`,
    /// `body`) from the page's options object; `Err` says what to fix.
    pub fn from_options(endpoint: &str, options: &JsValue) -> Result<Backend, String> {
        let get = |key: &str| Reflect::get(options, &key.into()).unwrap_or(JsValue::UNDEFINED);
        let mut headers = JsValue::UNDEFINED;
        let given = get("headers");
        if given.is_object() {
            for entry in Object::entries(given.unchecked_ref()).iter() {
                let pair: Array = entry.unchecked_into();
                if pair.get(1).as_string().is_none() {
                    return Err(invalid("headers", "must map header names to strings"));
                }
            }
            // A copy: a page changing its object later changes nothing.
            headers = Object::assign(&Object::new(), given.unchecked_ref()).into();
        } else if !given.is_undefined() && !given.is_null() {
            return Err(invalid(
                "headers",
                "must be an object of header names to strings",
            ));
        }
        let credentials = match get("credentials").as_string().as_deref() {
            None | Some("same-origin") => "same-origin",
            Some("include") => "include",
            Some("omit") => "omit",
            Some(_) => {
                return Err(invalid(
                    "credentials",
                    "must be \"same-origin\", \"include\" or \"omit\"",
                ))
            }
        };
        let body = get("body");
        let extra_body = if body.is_object() {
            Some(body.unchecked_into())
        } else if body.is_undefined() || body.is_null() {
            None
        } else {
            return Err(invalid(
                "body",
                "must be an object of extra fields for the create request",
            ));
        };
        let user_data = get("userData");
        Ok(Backend {
            endpoint: endpoint.to_owned(),
            headers,
            credentials,
            extra_body,
            // Checked to be an object by the options' validation.
            user_data: user_data.is_object().then(|| user_data.unchecked_into()),
        })
    }

    /// Sends `request` (or, for the first create, takes the answer of
    /// `sent`, the same request made before the module was ready), resolving
    /// to the parsed body or the reason it failed.
    pub async fn send(
        &self,
        request: &Request,
        signal: Option<&AbortSignal>,
        idempotency_key: Option<&str>,
        sent: Option<js_sys::Promise>,
    ) -> Result<Answer, Error> {
        let (method, url, body, key) = match request {
            Request::Create {
                provider_id,
                user_data,
                ..
            } => (
                "POST",
                self.endpoint.clone(),
                self.create_body(provider_id, user_data)?,
                idempotency_key.map_or(JsValue::UNDEFINED, JsValue::from_str),
            ),
            Request::Status { verification_id } => (
                "GET",
                self.url_of(verification_id),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
            ),
            // (js/events.js sends a DELETE with keepalive: it outlives the page.)
            Request::Cancel { verification_id } => (
                "DELETE",
                self.url_of(verification_id),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
            ),
        };
        let pending = fetch_answer(
            &url,
            method,
            &self.headers,
            self.credentials,
            &body,
            &key,
            signal.cloned(),
            sent,
        );
        let answer: Array = JsFuture::from(pending)
            .await
            .map_err(|e| Error::Network(describe(&e)))?
            .unchecked_into();
        let status = answer.get(0).as_f64().unwrap_or(0.0) as u16;
        let server_time = answer
            .get(2)
            .as_string()
            .and_then(|d| parse_http_date(d.as_str()));
        let parsed = answer.get(4);
        if !answer.get(1).is_truthy() {
            let problem = Problem::from_json(&JsJson(parsed)).map(Box::new);
            return Err(Error::Http {
                status,
                problem,
                retry_after: answer.get(3).as_string(),
            });
        }
        if parsed.is_undefined() {
            Err(Error::NotJson { status })
        } else if parsed.is_object() {
            Ok(Answer {
                body: parsed,
                server_time,
                received: answer.get(5).as_f64().map(|at| at as Millis),
            })
        } else {
            Err(Error::BadShape("the body is JSON but not an object".into()))
        }
    }
}

/// `POST url` with the JSON text `body` (not the backend: the `dc` flow's
/// `callbackUrl`), through the same `request` as the backend's calls; true on
/// a 2xx answer.
pub async fn post_json(url: &str, body: &str) -> bool {
    let pending = fetch_answer(
        url,
        "POST",
        &JsValue::UNDEFINED,
        "same-origin",
        &JsValue::from_str(body),
        &JsValue::UNDEFINED,
        None,
        None,
    );
    JsFuture::from(pending)
        .await
        .is_ok_and(|answer| Array::from(&answer).get(1).is_truthy())
}

impl Backend {
    /// The create body `send` posts: the `body` option's fields, then
    /// `providerId`, then `userData` (the form's, else the `userData` option).
    fn create_body(
        &self,
        provider_id: &str,
        user_data: &[(&'static str, String)],
    ) -> Result<JsValue, Error> {
        let body = Object::new();
        if let Some(extra) = &self.extra_body {
            Object::assign(&body, extra);
        }
        Reflect::set(&body, &"providerId".into(), &provider_id.into()).map_err(js_error)?;
        let typed = Object::new();
        for (name, value) in user_data {
            Reflect::set(&typed, &(*name).into(), &value.into()).map_err(js_error)?;
        }
        let data = match &self.user_data {
            _ if !user_data.is_empty() => Some(typed),
            Some(given) => Some(given.clone()),
            None => None,
        };
        if let Some(data) = data {
            Reflect::set(&body, &"userData".into(), &data).map_err(js_error)?;
        }
        JSON::stringify(&body).map(JsValue::from).map_err(js_error)
    }

    /// The create js/mount.js started before the module was ready,
    /// `{key, url, body, response, abort}`, if it is exactly what `send`
    /// would send for `request`: the first create (not a retry), to the same
    /// URL with the same body (the headers and credentials come from the same
    /// options; js/mount.js checks they did not change). Marks it `adopted`;
    /// js/mount.js cancels one that is not. Returns its Idempotency-Key, its
    /// pending `fetch` and its `AbortController`.
    pub fn adopt(
        &self,
        given: &JsValue,
        request: &Request,
    ) -> Option<(String, js_sys::Promise, AbortController)> {
        let Request::Create {
            provider_id,
            retry: false,
            user_data,
        } = request
        else {
            return None;
        };
        let field = |key: &str| Reflect::get(given, &key.into()).unwrap_or_default();
        if field("url").as_string()? != self.endpoint
            || field("body").as_string()
                != self.create_body(provider_id, user_data).ok()?.as_string()
        {
            return None;
        }
        let key = field("key").as_string()?;
        let _ = Reflect::set(given, &"adopted".into(), &true.into());
        Some((
            key,
            field("response").unchecked_into(),
            field("abort").unchecked_into(),
        ))
    }
}

impl Backend {
    fn url_of(&self, verification_id: &str) -> String {
        let id: String = js_sys::encode_uri_component(verification_id).into();
        crate::core::cat(&[self.endpoint.as_str(), "/", &id])
    }
}

fn invalid(option: &str, why: &str) -> String {
    crate::core::cat(&["hopae-connect-widget: the `", option, "` option ", why])
}

fn js_error(e: JsValue) -> Error {
    Error::Network(describe(&e))
}

/// The message of a JS error, or its string form.
pub fn describe(e: &JsValue) -> String {
    Reflect::get(e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into())
}
