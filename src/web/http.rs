//! Talks to the site's backend: the three calls of the backend contract.
//!
//! Each call carries an `AbortSignal`. What the browser reports (a rejected
//! fetch, a status, a body) becomes either the parsed JSON body or a
//! [`core::error::Error`](crate::core::error::Error); nothing here decides
//! what a response means.

use js_sys::{Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, Headers, RequestCredentials, RequestInit, Response};

use crate::core::api::Problem;
use crate::core::error::Error;
use crate::core::session::Request;
use crate::core::time::{parse_http_date, Millis};
use crate::web::json::JsJson;

/// How to reach the backend: the options that only the browser uses.
pub struct Backend {
    /// `POST` here; `GET`/`DELETE` `{endpoint}/{id}`.
    pub endpoint: String,
    /// Extra request headers (e.g. a CSRF token).
    pub headers: Vec<(String, String)>,
    /// `fetch`'s credentials mode.
    pub credentials: RequestCredentials,
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
}

impl Backend {
    /// Reads the options only the browser uses (`headers`, `credentials`,
    /// `body`) from the page's options object; `Err` says what to fix.
    pub fn from_options(endpoint: &str, options: &JsValue) -> Result<Backend, String> {
        let get = |key: &str| Reflect::get(options, &key.into()).unwrap_or(JsValue::UNDEFINED);
        let mut headers = Vec::new();
        let given = get("headers");
        if given.is_object() {
            for entry in Object::entries(given.unchecked_ref()).iter() {
                let pair: js_sys::Array = entry.unchecked_into();
                match (pair.get(0).as_string(), pair.get(1).as_string()) {
                    (Some(name), Some(value)) => headers.push((name, value)),
                    _ => return Err(invalid("headers", "must map header names to strings")),
                }
            }
        } else if !given.is_undefined() && !given.is_null() {
            return Err(invalid(
                "headers",
                "must be an object of header names to strings",
            ));
        }
        let credentials = match get("credentials").as_string().as_deref() {
            None | Some("same-origin") => RequestCredentials::SameOrigin,
            Some("include") => RequestCredentials::Include,
            Some("omit") => RequestCredentials::Omit,
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
        let init = RequestInit::new();
        let headers = Headers::new().map_err(js_error)?;
        headers
            .set("Accept", "application/json")
            .map_err(js_error)?;
        for (name, value) in &self.headers {
            headers.set(name, value).map_err(js_error)?;
        }
        let url = match request {
            Request::Create {
                provider_id,
                user_data,
                ..
            } => {
                init.set_method("POST");
                headers
                    .set("Content-Type", "application/json")
                    .map_err(js_error)?;
                if let Some(key) = idempotency_key {
                    headers.set("Idempotency-Key", key).map_err(js_error)?;
                }
                init.set_body(&self.create_body(provider_id, user_data)?);
                self.endpoint.clone()
            }
            Request::Status { verification_id } => {
                init.set_method("GET");
                self.url_of(verification_id)
            }
            Request::Cancel { verification_id } => {
                init.set_method("DELETE");
                // Let the cancel outlive the page, e.g. when it closes.
                // (RequestInit has no typed setter for it.)
                let _ = Reflect::set(&init, &"keepalive".into(), &true.into());
                self.url_of(verification_id)
            }
        };
        init.set_headers(&headers);
        init.set_credentials(self.credentials);
        init.set_cache(web_sys::RequestCache::NoStore);
        if let Some(signal) = signal {
            init.set_signal(Some(signal));
        }
        let pending = match sent {
            Some(pending) => pending,
            None => web_sys::window()
                .ok_or_else(|| Error::Network("no window".into()))?
                .fetch_with_str_and_init(&url, &init),
        };
        let response: Response = JsFuture::from(pending)
            .await
            .map_err(|e| Error::Network(describe(&e)))?
            .dyn_into()
            .map_err(js_error)?;
        let status = response.status();

        let server_time = response
            .headers()
            .get("date")
            .ok()
            .flatten()
            .and_then(|d| parse_http_date(&d));
        let text = JsFuture::from(response.text().map_err(js_error)?)
            .await
            .map_err(|e| Error::Network(describe(&e)))?
            .as_string()
            .unwrap_or_default();
        let parsed = JSON::parse(&text).ok();
        if !response.ok() {
            let problem = parsed
                .and_then(|v| Problem::from_json(&JsJson(v)))
                .map(Box::new);
            let retry_after = response.headers().get("retry-after").ok().flatten();
            return Err(Error::Http {
                status,
                problem,
                retry_after,
            });
        }
        match parsed {
            Some(body) if body.is_object() => Ok(Answer { body, server_time }),
            Some(_) => Err(Error::BadShape("the body is JSON but not an object".into())),
            None => Err(Error::NotJson { status }),
        }
    }
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
