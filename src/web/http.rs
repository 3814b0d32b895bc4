//! Talks to the site's backend: the three calls of the backend contract.
//!
//! A tracked call (create, status) carries an `AbortSignal`. The fetch itself and the reading of
//! its answer (status, `Date`, `Retry-After`, the body parsed as JSON and its
//! text) are one call of `request` in js/events.js, which hands the answer to
//! one function for the page (src/web/widget.rs `answered`) instead of a
//! future per request. What the browser reports becomes either the parsed
//! JSON body or a [`core::error::Error`](crate::core::error::Error); nothing
//! here decides what a response means.

use std::cell::RefCell;

use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

#[wasm_bindgen(module = "/js/events.js")]
extern "C" {
    /// `fetch(url, {method, headers, credentials, body, signal, cache:
    /// "no-store"})` (or the pending `sent`), read into `[status, ok, date,
    /// retryAfter, body, receivedAt, text]` (`body`: the text parsed as JSON,
    /// `undefined` if it is not JSON). Then `done(widget, tag, answer, false)`, or
    /// `done(widget, tag, reason, true)` when the request or the body fails;
    /// without `done`, a failure is ignored. A status request with `in_worker`
    /// is made by the page's status worker once it is ready. Returns the
    /// promise of the answer.
    #[allow(clippy::too_many_arguments)]
    #[wasm_bindgen(js_name = request)]
    fn fetch_answer(
        url: &JsValue,
        method: u32,
        headers: &JsValue,
        credentials: &JsValue,
        body: &JsValue,
        key: &JsValue,
        signal: Option<AbortSignal>,
        sent: Option<js_sys::Promise>,
        done: &JsValue,
        widget: u32,
        tag: u32,
        in_worker: bool,
    ) -> js_sys::Promise;
}

/// Where an answer goes: `(done, widget id, tag)`, see [`Backend::send`].
pub type Track<'a> = (&'a JsValue, u32, u32);

/// An untracked request's answer goes nowhere (a cancel).
pub const UNTRACKED: Track<'static> = (&JsValue::UNDEFINED, 0, 0);

use crate::core::api::Problem;
use crate::core::error::Error;
use crate::core::session::Request;
use crate::core::time::{parse_http_date, Millis};
use crate::web::json::JsJson;

/// How to reach the backend: the options that only the browser uses.
pub struct Backend {
    /// `POST` here; `GET`/`DELETE` `{endpoint}/{id}`.
    pub endpoint: String,
    /// `endpoint` as a JS string.
    endpoint_js: JsValue,
    /// The last verification's URL, `{endpoint}/{id}`: its id, and the URL
    /// as a JS string, made once, not per poll.
    url: RefCell<(String, JsValue)>,
    /// Extra request headers (e.g. a CSRF token): a copy of the option's
    /// object (names to strings), or `undefined`.
    pub headers: JsValue,
    /// `fetch`'s credentials mode (a JS string).
    pub credentials: JsValue,
    /// The `pollInWorker` option (default true): status polls are made by a
    /// dedicated Worker, off the page's main thread, where one can start.
    pub poll_in_worker: bool,
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
    /// The body's text: an answer with the same text as the last one
    /// decodes to the same response.
    pub text: JsValue,
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
                let name = pair.get(0).as_string().unwrap_or_default();
                let Some(value) = pair.get(1).as_string() else {
                    return Err(invalid("headers", "must map header names to strings"));
                };
                // What `Headers` would refuse when the request is made: a name
                // that is not a token; a line break, NUL or a character beyond
                // Latin-1 (UTF-8 lead byte 0xC4 and up) in a value, once the
                // whitespace it strips from both ends is gone.
                const TOKEN: &[u8] = b"!#$%&'*+-.^_`|~";
                let bad_name = name.is_empty()
                    || name
                        .bytes()
                        .any(|b| !b.is_ascii_alphanumeric() && !TOKEN.contains(&b));
                let bad_value = value
                    .trim_matches(['\t', '\n', '\r', ' '])
                    .bytes()
                    .any(|b| matches!(b, b'\r' | b'\n' | 0) || b >= 0xC4);
                if bad_name || bad_value {
                    let why = crate::core::cat(&[
                        "has \"",
                        &name,
                        if bad_name {
                            "\", which is not a header name"
                        } else {
                            "\" with a line break, NUL or a character beyond Latin-1 in its value"
                        },
                    ]);
                    return Err(invalid("headers", &why));
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
        let poll_in_worker = match get("pollInWorker") {
            v if v.is_undefined() => true,
            v => v
                .as_bool()
                .ok_or_else(|| invalid("pollInWorker", "must be true or false"))?,
        };
        let user_data = get("userData");
        Ok(Backend {
            endpoint: endpoint.to_owned(),
            endpoint_js: endpoint.into(),
            url: RefCell::new((String::new(), JsValue::UNDEFINED)),
            headers,
            credentials: credentials.into(),
            poll_in_worker,
            extra_body,
            // Checked to be an object by the options' validation.
            user_data: user_data.is_object().then(|| user_data.unchecked_into()),
        })
    }

    /// Sends `request` (or, for the first create, takes the answer of
    /// `sent`, the same request made before the module was ready). Its answer
    /// goes to `done` (a function of `(widget, tag, answer, failed)`, see
    /// [`Backend::read`]); with `done` undefined (a cancel) it goes nowhere.
    /// One callback for the page, not a future per request: a poll costs
    /// one call into JS and one back.
    pub fn send(
        &self,
        request: &Request,
        signal: Option<&AbortSignal>,
        idempotency_key: Option<&str>,
        sent: Option<js_sys::Promise>,
        (done, widget, tag): Track,
    ) {
        // (Methods by their index in js/events.js: GET, POST, DELETE.)
        let (method, url, body, key) = match request {
            Request::Create {
                provider_id,
                user_data,
                ..
            } => (
                1,
                self.endpoint_js.clone(),
                self.create_body(provider_id, user_data),
                idempotency_key.map_or(JsValue::UNDEFINED, JsValue::from_str),
            ),
            Request::Status { verification_id } => (
                0,
                self.url_of(verification_id),
                Ok(JsValue::UNDEFINED),
                JsValue::UNDEFINED,
            ),
            // (js/events.js sends a DELETE with keepalive: it outlives the page.)
            Request::Cancel { verification_id } => (
                2,
                self.url_of(verification_id),
                Ok(JsValue::UNDEFINED),
                JsValue::UNDEFINED,
            ),
        };
        // A body that cannot be sent answers as a failed request, in turn
        // (an adopted create was sent already: its answer stands).
        let (body, sent) = match (body, sent) {
            (Ok(body), sent) => (body, sent),
            (Err(_), Some(sent)) => (JsValue::UNDEFINED, Some(sent)),
            (Err(e), None) => (JsValue::UNDEFINED, Some(js_sys::Promise::reject(&e))),
        };
        let _ = fetch_answer(
            &url,
            method,
            &self.headers,
            &self.credentials,
            &body,
            &key,
            signal.cloned(),
            sent,
            done,
            widget,
            tag,
            self.poll_in_worker,
        );
    }

    /// What `done` was given: the answer array, or (`failed`) the reason the
    /// request or its body failed; a 2xx answer's parsed body, or why it is
    /// not one.
    pub fn read(value: JsValue, failed: bool) -> Result<Answer, Error> {
        if failed {
            return Err(Error::Network(describe(&value)));
        }
        let answer: Array = value.unchecked_into();
        let status = answer.get(0).as_f64().unwrap_or(0.0) as u16;
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
                server_time: answer
                    .get(2)
                    .as_string()
                    .and_then(|d| parse_http_date(d.as_str())),
                received: answer.get(5).as_f64().map(|at| at as Millis),
                text: answer.get(6),
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
        &url.into(),
        1,
        &JsValue::UNDEFINED,
        &"same-origin".into(),
        &JsValue::from_str(body),
        &JsValue::UNDEFINED,
        None,
        None,
        &JsValue::UNDEFINED,
        0,
        0,
        false,
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
    ) -> Result<JsValue, JsValue> {
        let body = Object::new();
        if let Some(extra) = &self.extra_body {
            Object::assign(&body, extra);
        }
        Reflect::set(&body, &"providerId".into(), &provider_id.into())?;
        let typed = Object::new();
        for (name, value) in user_data {
            Reflect::set(&typed, &(*name).into(), &value.into())?;
        }
        let data = match &self.user_data {
            _ if !user_data.is_empty() => Some(typed),
            Some(given) => Some(given.clone()),
            None => None,
        };
        if let Some(data) = data {
            Reflect::set(&body, &"userData".into(), &data)?;
        }
        JSON::stringify(&body).map(JsValue::from)
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
    fn url_of(&self, verification_id: &str) -> JsValue {
        if let Ok(last) = self.url.try_borrow() {
            if last.0 == verification_id {
                return last.1.clone();
            }
        }
        let id: String = js_sys::encode_uri_component(verification_id).into();
        let url: JsValue = crate::core::cat(&[self.endpoint.as_str(), "/", &id])
            .as_str()
            .into();
        if let Ok(mut last) = self.url.try_borrow_mut() {
            *last = (verification_id.to_owned(), url.clone());
        }
        url
    }
}

fn invalid(option: &str, why: &str) -> String {
    crate::core::cat(&["hopae-connect-widget: the `", option, "` option ", why])
}

/// The message of a JS error, or its string form.
pub fn describe(e: &JsValue) -> String {
    Reflect::get(e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into())
}
