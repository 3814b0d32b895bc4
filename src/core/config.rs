//! The widget's options: what a page passes to `mount`, checked once, with
//! errors that say what to fix.
//!
//! The shell decodes the JavaScript options object into [`Options`] (every
//! field optional and loosely typed, since HTML attributes are strings) and
//! [`Options::validate`] turns it into a [`Config`] or a [`ConfigError`]. Options
//! that only the browser can use (headers, credentials, an extra request body)
//! are the shell's and are not here.

use crate::core::error::digits;
use crate::core::json::Json;
use crate::core::messages::{Locale, Messages};

/// Default milliseconds between status requests (the guide's 3 s).
pub const DEFAULT_POLL_INTERVAL: u64 = 3_000;
/// Default milliseconds before the widget gives up (the guide's 5 min).
pub const DEFAULT_TIMEOUT: u64 = 300_000;
/// Default edge of the QR code in CSS pixels.
pub const DEFAULT_SIZE: u32 = 200;
/// Default consecutive transient faults retried before failing.
pub const DEFAULT_MAX_RETRIES: u32 = 5;
/// Default milliseconds one request may take before it counts as a fault:
/// longer than the reference backend's upstream timeout (10 s), so a slow
/// create is answered (or timed out) by the backend, not abandoned and resent.
pub const DEFAULT_REQUEST_TIMEOUT: u64 = 15_000;

const MAX_FALLBACKS: usize = 8;

/// The numeric options, in the order of [`Options::numbers`]: the key, the
/// lowest and the highest value accepted (one table instead of code per option).
pub const NUMBERS: [(&str, u64, u64); 5] = [
    ("pollInterval", 250, 60_000),
    ("timeout", 1_000, 3_600_000),
    ("size", 96, 1_024),
    ("maxRetries", 0, 20),
    ("requestTimeout", 1_000, 120_000),
];

/// The options as the page wrote them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    /// The backend route that creates verifications (`/api/verifications`).
    pub endpoint: Option<String>,
    /// The eID provider to start (`bankidse`); `provider` as an element attribute.
    pub provider_id: Option<String>,
    /// The numbers of [`NUMBERS`] (`pollInterval`, `timeout`, `size`,
    /// `maxRetries`, `requestTimeout`), as given.
    pub numbers: [Option<Number>; 5],
    /// `same-tab`, `new-tab` or `event-only`.
    pub redirect: Option<String>,
    /// A verification to continue instead of creating one (after a redirect).
    pub resume: Option<String>,
    /// Providers to try, in order, when the provider is unavailable.
    pub fallback_providers: Option<StringList>,
    /// A BCP 47 language tag (`sv`, `de-AT`) for the widget's texts.
    pub locale: Option<String>,
    /// The page's own texts, by key (see `messages::Text::key`).
    pub messages: Option<Vec<(String, String)>>,
    /// The page passed `userData` (an object, sent as is in the create body).
    pub user_data: bool,
    /// `requireUserData: false`: the site supplies user data itself.
    pub require_user_data: Option<bool>,
}

/// A list of strings, as an array or as one comma- or space-separated
/// attribute string.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StringList(pub Vec<String>);

/// What the widget does with a `redirect` flow's `authorizationUrl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectMode {
    /// Navigate this tab (the default).
    SameTab,
    /// Open a new tab and keep polling here.
    NewTab,
    /// Only dispatch `hopae-redirect`; the page navigates.
    EventOnly,
}

/// A number that may arrive as a JS number or as an attribute string.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Number(pub f64);

/// Reads options without returning early: the first error found is kept
/// (in reading order) and the rest read on, so one place drops what was read.
struct Reader<'a, J> {
    v: &'a J,
    error: Option<ConfigError>,
}

impl<J: Json> Reader<'_, J> {
    fn fail(&mut self, key: &'static str, why: &str) {
        if self.error.is_none() {
            self.error = Some(ConfigError::Invalid(key, why.into()));
        }
    }

    /// The string option `key`, if given; any other type is an error.
    fn string(&mut self, key: &'static str) -> Option<String> {
        let f = self.v.get(key)?;
        let text = f.as_str();
        if text.is_none() {
            self.fail(key, "must be a string");
        }
        text
    }
}

impl Options {
    /// Reads the options object a page passed (or an element's attributes):
    /// numbers may be numbers or numeric strings; lists may be arrays or
    /// comma-separated strings.
    pub fn from_json<J: Json>(v: &J) -> Result<Options, ConfigError> {
        let mut r = Reader { v, error: None };
        let mut numbers = [None; 5];
        for (n, (key, ..)) in numbers.iter_mut().zip(NUMBERS) {
            *n = v.get(key).map(|f| {
                let n = f.as_f64().or_else(|| f.as_str().and_then(|t| decimal(&t)));
                Number(n.unwrap_or(f64::NAN))
            });
        }
        let fallback_providers = v.get("fallbackProviders").map(|f| {
            StringList(match f.items() {
                Some(items) => {
                    let mut ids = Vec::new();
                    for item in items {
                        match item.as_str() {
                            Some(id) => ids.push(id),
                            None => {
                                r.fail("fallbackProviders", "must list provider ids as strings")
                            }
                        }
                    }
                    ids
                }
                None => {
                    // Split at commas and white space, in one loop.
                    let (mut ids, mut id) = (Vec::new(), String::new());
                    for c in r.string("fallbackProviders").unwrap_or_default().chars() {
                        if c != ',' && !c.is_whitespace() {
                            id.push(c);
                        } else if !id.is_empty() {
                            ids.push(core::mem::take(&mut id));
                        }
                    }
                    if !id.is_empty() {
                        ids.push(id);
                    }
                    ids
                }
            })
        });
        let messages = v.get("messages").map(|m| {
            let mut own = Vec::new();
            if !m.is_object() {
                r.fail("messages", "must be an object of message keys to strings");
            }
            for (key, text) in m.entries() {
                match text.as_str() {
                    Some(text) => own.push((key, text)),
                    None => r.fail("messages", "must map message keys to strings"),
                }
            }
            own
        });
        let options = Options {
            endpoint: r.string("endpoint"),
            provider_id: r.string("providerId"),
            numbers,
            redirect: r.string("redirect"),
            resume: r.string("resume"),
            fallback_providers,
            locale: r.string("locale"),
            messages,
            user_data: match v.get("userData") {
                None => false,
                Some(u) => {
                    if !u.is_object() {
                        r.fail(
                            "userData",
                            "must be an object of the provider's fields, e.g. { registrationId: \"PNOEE-30303039914\" }",
                        );
                    }
                    true
                }
            },
            require_user_data: v.get("requireUserData").map(|b| {
                let flag = b.as_bool().or_else(|| b.as_str().map(|t| t != "false"));
                if flag.is_none() {
                    r.fail("requireUserData", "must be true or false");
                }
                flag.unwrap_or(true)
            }),
        };
        match r.error {
            Some(error) => Err(error),
            None => Ok(options),
        }
    }
}

/// Validated options.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The backend route; status and cancel are `{endpoint}/{id}`.
    pub endpoint: String,
    /// The eID provider to start.
    pub provider_id: String,
    /// Set by the page; otherwise the server's recommendation or the default.
    pub poll_interval: Option<u64>,
    /// Milliseconds from mount after which the widget gives up.
    pub timeout: u64,
    /// Edge of the QR code in CSS pixels, when the page set it (otherwise
    /// the shell reads `--hopae-qr-size`, else [`DEFAULT_SIZE`]).
    pub size: Option<u32>,
    /// Consecutive transient faults retried before the session fails.
    pub max_retries: u32,
    /// Milliseconds one request may take before it counts as a fault.
    pub request_timeout: u64,
    /// What to do with a redirect flow.
    pub redirect: RedirectMode,
    /// A verification to continue instead of creating one.
    pub resume: Option<String>,
    /// Providers to try, in order, when the provider is unavailable.
    pub fallback_providers: Vec<String>,
    /// The `locale` option, when set (the shell falls back to the page's language).
    pub locale: Option<String>,
    /// The page's own texts.
    pub messages: Vec<(String, String)>,
    /// The page passed `userData`: no form.
    pub user_data: bool,
    /// Ask the person for the data a provider needs (default true).
    pub require_user_data: bool,
}

impl Config {
    /// The widget's texts: the `locale` option, else the first of `page_tags`
    /// (the page's `lang`, the browser's languages) that is built in, else English.
    pub fn messages<'a>(&'a self, page_tags: impl IntoIterator<Item = &'a str>) -> Messages {
        let locale = Locale::negotiate(self.locale.as_deref().into_iter().chain(page_tags));
        // The keys were checked by `validate`.
        Messages::new(locale, &self.messages).unwrap_or_default()
    }
}

/// An option the page got wrong. Its `Display` says which and how to fix it.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigError {
    /// A required option is absent or empty.
    Missing(&'static str, &'static str),
    /// An option has a value outside what the widget accepts.
    Invalid(&'static str, String),
}

impl ConfigError {
    /// What to fix, in one sentence (built without `core::fmt`, which would
    /// cost the wasm kilobytes).
    pub fn message(&self) -> String {
        match self {
            ConfigError::Missing(name, hint) => crate::core::cat(&[
                "hopae-connect-widget: the `",
                name,
                "` option is required (",
                hint,
                ")",
            ]),
            ConfigError::Invalid(name, why) => {
                crate::core::cat(&["hopae-connect-widget: the `", name, "` option ", why])
            }
        }
    }
}

#[cfg(test)]
impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.message())
    }
}

/// `text` without surrounding white space (and, with `slashes`, without
/// trailing `/`), `None` when nothing is left.
fn trimmed(text: Option<String>, slashes: bool) -> Option<String> {
    let text = text?;
    let mut text = text.trim();
    if slashes {
        text = text.trim_end_matches('/');
    }
    (!text.is_empty()).then(|| text.to_owned())
}

/// Keeps `result`'s error unless an earlier one is kept already.
#[inline(never)]
fn keep(error: &mut Option<ConfigError>, result: Result<(), ConfigError>) {
    if let (None, Err(e)) = (&error, result) {
        *error = Some(e);
    }
}

impl Options {
    /// Checks every option and fills in defaults. Every check runs (no
    /// early return: one place drops what was read); the first failing one,
    /// in the order below, is the error.
    pub fn validate(self) -> Result<Config, ConfigError> {
        let mut error = None;
        let endpoint = trimmed(self.endpoint, true);
        if endpoint.is_none() {
            keep(
                &mut error,
                Err(ConfigError::Missing(
                    "endpoint",
                    "the URL of your backend's verification route, e.g. \"/api/verifications\"",
                )),
            );
        }
        let provider_id = trimmed(self.provider_id, false);
        keep(
            &mut error,
            match &provider_id {
                Some(id) => check_provider("providerId", id),
                None => Err(ConfigError::Missing(
                    "providerId",
                    "the eID provider to start, e.g. \"bankidse\"",
                )),
            },
        );
        let fallback_providers = self.fallback_providers.unwrap_or_default().0;
        for p in &fallback_providers {
            keep(&mut error, check_provider("fallbackProviders", p));
        }
        if fallback_providers.len() > MAX_FALLBACKS {
            keep(
                &mut error,
                Err(ConfigError::Invalid(
                    "fallbackProviders",
                    "may list at most 8 providers".into(),
                )),
            );
        }
        let redirect = match self.redirect.as_deref().map(str::trim) {
            None | Some("") | Some("same-tab") => RedirectMode::SameTab,
            Some("new-tab") => RedirectMode::NewTab,
            Some("event-only") => RedirectMode::EventOnly,
            Some(other) => {
                keep(
                    &mut error,
                    Err(invalid(
                        "redirect",
                        "must be \"same-tab\", \"new-tab\" or \"event-only\", not \"",
                        other,
                    )),
                );
                RedirectMode::SameTab
            }
        };
        let messages = self.messages.unwrap_or_default();
        keep(
            &mut error,
            crate::core::messages::check_keys(&messages)
                .map_err(|why| ConfigError::Invalid("messages", why)),
        );
        let resume = trimmed(self.resume, false);
        if let Some(id) = &resume {
            let valid = id.len() <= 128
                && id
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_'));
            if !valid {
                keep(
                    &mut error,
                    Err(invalid(
                        "resume",
                        "must be a verification id (letters, digits, '-', '_'), not \"",
                        id,
                    )),
                );
            }
        }
        let mut numbers = [None; 5];
        for ((out, value), (name, lo, hi)) in numbers.iter_mut().zip(self.numbers).zip(NUMBERS) {
            match millis(name, value, lo, hi) {
                Ok(n) => *out = n,
                Err(e) => keep(&mut error, Err(e)),
            }
        }
        if let Some(error) = error {
            return Err(error);
        }
        let [poll_interval, timeout, size, max_retries, request_timeout] = numbers;
        Ok(Config {
            endpoint: endpoint.unwrap_or_default(),
            provider_id: provider_id.unwrap_or_default(),
            poll_interval,
            timeout: timeout.unwrap_or(DEFAULT_TIMEOUT),
            size: size.map(|px| px as u32),
            max_retries: max_retries.map_or(DEFAULT_MAX_RETRIES, |n| n as u32),
            request_timeout: request_timeout.unwrap_or(DEFAULT_REQUEST_TIMEOUT),
            redirect,
            resume,
            fallback_providers,
            locale: trimmed(self.locale, false),
            messages,
            user_data: self.user_data,
            require_user_data: self.require_user_data.unwrap_or(true),
        })
    }
}

/// `name` is invalid: `why`, then the value as given and a closing quote.
#[inline(never)]
fn invalid(name: &'static str, why: &str, value: &str) -> ConfigError {
    ConfigError::Invalid(name, crate::core::cat(&[why, value, "\""]))
}

/// A plain decimal number (`"3000"`, `"1.5"`, `"-2"`) as attributes write it.
/// Not `str::parse::<f64>`: its tables cost the wasm over 10 KB.
pub fn decimal(text: &str) -> Option<f64> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    // Every digit into one number, then scaled by the digits after the point.
    let (mut value, mut scale, mut point, mut any) = (0f64, 1f64, false, false);
    for c in digits.bytes() {
        match c {
            b'.' if !point => point = true,
            b'0'..=b'9' => {
                value = value * 10.0 + f64::from(c - b'0');
                any = true;
                if point {
                    scale *= 10.0;
                }
            }
            _ => return None,
        }
    }
    any.then(|| if negative { -value } else { value } / scale)
}

fn check_provider(name: &'static str, id: &str) -> Result<(), ConfigError> {
    let valid = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'));
    if valid {
        Ok(())
    } else {
        Err(invalid(
            name,
            "must name providers such as \"bankidse\" (letters, digits, '-', '_', '.'), not \"",
            id,
        ))
    }
}

fn millis(
    name: &'static str,
    value: Option<Number>,
    lo: u64,
    hi: u64,
) -> Result<Option<u64>, ConfigError> {
    let Some(Number(v)) = value else {
        return Ok(None);
    };
    if v.is_finite() && v >= lo as f64 && v <= hi as f64 {
        Ok(Some(v.round() as u64))
    } else {
        Err(ConfigError::Invalid(
            name,
            // Integers only: formatting floats would cost the wasm kilobytes.
            {
                let range =
                    crate::core::cat(&["must be a number from ", &digits(lo), " to ", &digits(hi)]);
                match v.is_finite() {
                    true if v < 0.0 => crate::core::cat(&[&range, ", not -", &digits(-v as u64)]),
                    true => crate::core::cat(&[&range, ", not ", &digits(v as u64)]),
                    false => range,
                }
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(json: &str) -> Result<Config, ConfigError> {
        Options::from_json(&crate::core::json::parse(json).expect("valid test JSON"))?.validate()
    }

    #[test]
    fn fills_in_defaults() {
        let c = options(r#"{"endpoint":"/api/verifications/","providerId":"bankidse"}"#)
            .expect("valid");
        assert_eq!(c.endpoint, "/api/verifications");
        assert_eq!(c.poll_interval, None);
        assert_eq!(c.timeout, DEFAULT_TIMEOUT);
        assert_eq!(c.size, None);
    }

    #[test]
    fn accepts_numbers_written_as_attribute_strings() {
        let c = options(r#"{"endpoint":"/v","providerId":"mitid","pollInterval":"1500","timeout":60000,"size":"256"}"#)
            .expect("valid");
        assert_eq!(
            (c.poll_interval, c.timeout, c.size),
            (Some(1500), 60_000, Some(256))
        );
    }

    #[test]
    fn says_what_to_fix() {
        let e = options(r#"{"providerId":"bankidse"}"#).expect_err("no endpoint");
        assert!(
            e.to_string().contains("`endpoint` option is required"),
            "{e}"
        );
        let e = options(r#"{"endpoint":"/v"}"#).expect_err("no provider");
        assert!(e.to_string().contains("providerId"), "{e}");
        let e =
            options(r#"{"endpoint":"/v","providerId":"<img src=x>"}"#).expect_err("bad provider");
        assert!(e.to_string().contains("bankidse"), "{e}");
        let e = options(r#"{"endpoint":"/v","providerId":"x","pollInterval":"soon"}"#)
            .expect_err("NaN");
        assert!(
            e.to_string().contains("pollInterval") && e.to_string().contains("250"),
            "{e}"
        );
        let e =
            options(r#"{"endpoint":"/v","providerId":"x","timeout":-1}"#).expect_err("negative");
        assert!(e.to_string().contains("timeout"), "{e}");
        let e =
            options(r#"{"endpoint":"/v","providerId":"x","redirect":"popup"}"#).expect_err("mode");
        assert!(e.to_string().contains("event-only"), "{e}");
        let e =
            options(r#"{"endpoint":"/v","providerId":"x","resume":"../x"}"#).expect_err("resume");
        assert!(e.to_string().contains("resume"), "{e}");
        let e =
            options(r#"{"endpoint":"/v","providerId":"x","fallbackProviders":["ok","no way"]}"#)
                .expect_err("list");
        assert!(e.to_string().contains("fallbackProviders"), "{e}");
        let e =
            options(r#"{"endpoint":"/v","providerId":"x","maxRetries":99}"#).expect_err("retries");
        assert!(e.to_string().contains("from 0 to 20"), "{e}");
    }

    #[test]
    fn reads_decimal_attribute_strings() {
        assert_eq!(decimal("3000"), Some(3000.0));
        assert_eq!(decimal(" 1.5 "), Some(1.5));
        assert_eq!(decimal("-2"), Some(-2.0));
        assert_eq!(decimal(".25"), Some(0.25));
        for bad in ["", "-", ".", "1e3", "1,5", "0x10", "soon"] {
            assert_eq!(decimal(bad), None, "{bad}");
        }
    }

    #[test]
    fn refuses_options_of_the_wrong_type() {
        let e = options(r#"{"endpoint":5,"providerId":"x"}"#).expect_err("type");
        assert!(
            e.to_string().contains("`endpoint` option must be a string"),
            "{e}"
        );
        let e = options(r#"{"endpoint":"/v","providerId":"x","messages":{"cancel":1}}"#)
            .expect_err("type");
        assert!(e.to_string().contains("messages"), "{e}");
        // `provider` is the element's attribute, not an option.
        let e = options(r#"{"endpoint":"/v","provider":"frejaid"}"#).expect_err("no alias");
        assert!(e.to_string().contains("providerId"), "{e}");
    }

    #[test]
    fn picks_the_language_and_checks_message_keys() {
        let c =
            options(r#"{"endpoint":"/v","providerId":"bankidse","messages":{"cancel":"Stop"}}"#)
                .expect("valid");
        assert_eq!(c.messages(["da-DK"]).locale().tag(), "da");
        assert_eq!(
            c.messages(["da-DK"])
                .get(crate::core::messages::Text::Cancel, "bankidse"),
            "Stop"
        );
        let c =
            options(r#"{"endpoint":"/v","providerId":"bankidse","locale":"fi"}"#).expect("valid");
        assert_eq!(
            c.messages(["da-DK"]).locale().tag(),
            "fi",
            "the option wins over the page"
        );
        let e = options(r#"{"endpoint":"/v","providerId":"x","messages":{"cancelButton":"Stop"}}"#)
            .expect_err("key");
        assert!(
            e.to_string()
                .contains("`messages` option has no message \"cancelButton\""),
            "{e}"
        );
    }

    #[test]
    fn reads_lifecycle_options_from_arrays_or_attribute_strings() {
        let c = options(
            r#"{"endpoint":"/v","providerId":"bankidse","fallbackProviders":"frejaid, smartid",
            "maxRetries":"0","requestTimeout":2500,"redirect":"new-tab","resume":"abc_123"}"#,
        )
        .expect("valid");
        assert_eq!(c.fallback_providers, ["frejaid", "smartid"]);
        assert_eq!(
            (c.max_retries, c.request_timeout, c.redirect),
            (0, 2500, RedirectMode::NewTab)
        );
        assert_eq!(c.resume.as_deref(), Some("abc_123"));
        let c = options(r#"{"endpoint":"/v","providerId":"x","fallbackProviders":["a","b"]}"#)
            .expect("valid");
        assert_eq!(c.fallback_providers, ["a", "b"]);
        assert_eq!(
            (c.max_retries, c.request_timeout, c.redirect),
            (
                DEFAULT_MAX_RETRIES,
                DEFAULT_REQUEST_TIMEOUT,
                RedirectMode::SameTab
            )
        );
    }
}
