//! Everything that can end a verification badly, and the one place where it
//! becomes the `hopae-failed` event's detail.
//!
//! The shell turns what the browser reports (a rejected fetch, a status code, a
//! body that does not parse) into an [`Error`]; [`Error::to_failure`] is the
//! only translation into what the page's developer sees.

use crate::core::api::{Code, Problem};
use crate::core::time::uint;

/// Why a request or a session failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// The request never got an HTTP answer (offline, DNS, CORS, reset).
    Network(String),
    /// No answer within `requestTimeout`.
    Timeout,
    /// The backend answered with a non-2xx status.
    Http {
        /// The HTTP status code.
        status: u16,
        /// The error body, when it was JSON in a known shape.
        problem: Option<Box<Problem>>,
        /// The `Retry-After` header, as sent.
        retry_after: Option<String>,
    },
    /// A 2xx answer whose body is not JSON.
    NotJson {
        /// The HTTP status code.
        status: u16,
    },
    /// JSON, but not the shape of the expected response.
    BadShape(String),
    /// `qrData` does not fit in the largest QR code.
    QrDataTooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// A flow type this widget cannot show.
    UnsupportedFlow(String),
    /// A URL the widget will not navigate to or link (not http or https).
    UnsafeUrl(String),
    /// The shell could not show what the flow needs (painting failed).
    Display(String),
    /// The verification itself ended in `failed`.
    VerificationFailed {
        /// The provider's or Hopae's code, if any.
        code: Option<Code>,
        /// That code exactly as sent.
        raw_code: Option<Code>,
        /// Its explanation, if any.
        message: Option<String>,
    },
}

/// What the person in front of the widget is told about a failure (the
/// page gets the precise [`Failure`]). Set where the failure is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// They (or the provider) said no.
    Declined,
    /// The connection or the service failed; trying again may help.
    Network,
    /// The eID provider is down.
    Unavailable,
    /// Something the site must fix.
    Setup,
}

/// The detail of a `hopae-failed` event: what a page needs to decide what to
/// show and whether to offer "try again".
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// A stable machine-readable code (`SESSION_NOT_FOUND`, `network_error`, …).
    pub code: String,
    /// A short summary.
    pub title: String,
    /// One short sentence that says what happened.
    pub message: String,
    /// The HTTP status that caused it, if one did.
    pub http_status: Option<u16>,
    /// Whether starting again may succeed without anyone changing anything.
    pub retryable: bool,
    /// What to tell the person.
    pub kind: FailureKind,
    /// Hopae's (or the provider's) own code exactly as received, if any.
    pub hopae_code: Option<Code>,
}

/// One code of the catalogue the guide and `problem-types.yml` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known {
    /// The guide's numeric code, where it has one.
    pub number: Option<u64>,
    /// The string code (the name `hopae-failed` carries).
    pub code: &'static str,
    /// A short summary.
    pub title: &'static str,
    /// One short sentence.
    pub message: &'static str,
    /// Whether trying again may help.
    pub retryable: bool,
    /// What the person is told.
    pub kind: FailureKind,
}

use FailureKind::{Network as N, Setup as S, Unavailable as U};

const DECLINED_TITLE: &str = "Verification failed";

/// The catalogue, one code a line: the guide's number (0: none), the code,
/// the kind (`S`etup, `N`etwork, `U`navailable; all but `S` retryable), then
/// `title|message`. 200001 is Missing Parameter and 200002 Invalid Parameter
/// (the guide's error table). Text rather than an array of structs: no table
/// of string pointers in the wasm.
const CATALOGUE: &str = "\
100001 AUTH_INVALID_CREDENTIALS S Backend not authorised|The site's Hopae credentials are invalid.\n\
0 AUTH_INVALID_GRANT S Backend not authorised|Hopae refused the site's backend.\n\
0 AUTH_INVALID_CLIENT S Backend not authorised|Hopae refused the site's backend.\n\
0 AUTH_FORBIDDEN S Access denied|The site's backend may not do this.\n\
200001 VALIDATION_MISSING_PARAMETER S Invalid request|The request is missing a parameter.\n\
200002 VALIDATION_INVALID_PARAMETER S Invalid request|The request has an invalid parameter.\n\
0 VALIDATION_MISSING_USER_DATA S Information missing|The provider needs information that was not sent.\n\
0 VALIDATION_INVALID_USER_DATA S Invalid information|The information sent to the provider is not valid.\n\
0 VALIDATION_REDIRECT_URI_REQUIRED S Redirect address missing|The provider needs a redirect address.\n\
300001 SESSION_NOT_FOUND S Session not found|The verification no longer exists.\n\
0 SESSION_VERIFICATION_NOT_FOUND S Session not found|The verification no longer exists.\n\
300003 SESSION_INVALID_STATUS_TRANSITION S Session already ended|The verification has already ended.\n\
0 SESSION_INVALID_FLOW S Invalid flow|The flow is not valid for this provider.\n\
400001 PROVIDER_NOT_FOUND S Unknown provider|This eID provider does not exist.\n\
400002 PROVIDER_NOT_ENABLED S Provider not enabled|The provider is not enabled in the Hopae dashboard.\n\
0 PROVIDER_INITIALIZATION_FAILED N Provider error|The provider could not start the verification.\n\
400004 PROVIDER_ERROR N Provider error|The provider reported an error.\n\
400005 PROVIDER_UNAVAILABLE U Provider unavailable|The provider is unavailable right now.\n\
0 PROVIDER_CONFIGURATION_ERROR S Provider not configured|The provider is not configured for the site.\n\
0 PROVIDER_AUTHENTICATION_FAILED S Authentication failed|The provider could not authenticate you.\n\
0 PROVIDER_UNEXPECTED_RESPONSE N Provider error|The provider answered unexpectedly.\n\
500001 SYSTEM_INTERNAL_ERROR N Service error|The verification service had an internal error.\n\
0 SYSTEM_UNSUPPORTED_MODE S Not supported|The verification service does not support this mode.\n\
0 RESOURCE_NOT_FOUND S Not found|The verification service found nothing.\n\
0 RESOURCE_CONFLICT S Conflict|The verification changed at the same time.\n\
0 IDEMPOTENCY_KEY_CONFLICT S Duplicate request|The idempotency key was used for another request.\n\
0 IDEMPOTENCY_REQUEST_IN_PROGRESS N Request in progress|The same request is still being processed.\n\
0 UPSTREAM_UNREACHABLE N Service unreachable|The backend could not reach Hopae.\n\
0 UPSTREAM_TIMEOUT N Service timed out|Hopae did not answer the backend in time.\n\
0 UPSTREAM_USERINFO_FAILED N Service error|The backend could not fetch the verified details.";

/// Every entry of the catalogue, in order.
pub fn catalogue() -> impl Iterator<Item = Known> {
    CATALOGUE.split('\n').filter_map(|line| {
        let (number, rest) = line.split_once(' ')?;
        let (code, rest) = rest.split_once(' ')?;
        let (kind, rest) = rest.split_once(' ')?;
        let (title, message) = rest.split_once('|')?;
        let kind = match kind {
            "N" => N,
            "U" => U,
            _ => S,
        };
        Some(Known {
            number: uint(number).filter(|n| *n != 0),
            code,
            title,
            message,
            retryable: kind != S,
            kind,
        })
    })
}

/// The catalogue entry for a code, numeric or textual.
pub fn known(code: &Code) -> Option<Known> {
    catalogue().find(|k| match code {
        Code::Number(c) => k.number == Some(*c),
        // `AUTH.INVALID_CREDENTIALS` and `AUTH_INVALID_CREDENTIALS` are the same code.
        Code::Text(t) => {
            t.len() == k.code.len()
                && t.bytes()
                    .zip(k.code.bytes())
                    .all(|(a, b)| a == b || (a == b'.' && b == b'_'))
        }
    })
}

/// `n` in decimal, without `core::fmt` (which costs the wasm kilobytes).
pub fn digits(n: u64) -> String {
    let mut out = String::new();
    let mut scale = 1;
    while n / scale >= 10 {
        scale *= 10;
    }
    loop {
        out.push(char::from(b'0' + (n / scale % 10) as u8));
        if scale == 1 {
            return out;
        }
        scale /= 10;
    }
}

fn code_text(code: &Code) -> String {
    match code {
        Code::Number(n) => digits(*n),
        Code::Text(t) => t.clone(),
    }
}

/// Whether an HTTP status says "the same request may work later": 408, 425,
/// 429 and every 5xx but 501 (not implemented, which will not change).
pub fn status_is_retryable(status: u16) -> bool {
    matches!(status, 408 | 425 | 429) || ((500..=599).contains(&status) && status != 501)
}

impl Error {
    /// Whether the session should retry after this error (with backoff)
    /// rather than fail at once.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Network(_) | Error::Timeout => true,
            Error::Http { status, .. } => status_is_retryable(*status),
            Error::NotJson { .. }
            | Error::BadShape(_)
            | Error::QrDataTooLong { .. }
            | Error::UnsupportedFlow(_)
            | Error::UnsafeUrl(_)
            | Error::Display(_)
            | Error::VerificationFailed { .. } => false,
        }
    }

    /// Whether this is Hopae's "provider unavailable" (400005), which
    /// `fallbackProviders` answers by trying the next provider.
    pub fn is_provider_unavailable(&self) -> bool {
        let Error::Http {
            problem: Some(p), ..
        } = self
        else {
            return false;
        };
        p.code(|c| known(c).is_some())
            .and_then(|c| known(&c))
            .is_some_and(|k| k.code == "PROVIDER_UNAVAILABLE")
            || p.code.as_ref() == Some(&Code::Number(400005))
    }

    /// The `Retry-After` header, when there is one.
    pub fn retry_after(&self) -> Option<&str> {
        match self {
            Error::Http { retry_after, .. } => retry_after.as_deref(),
            _ => None,
        }
    }

    /// The `hopae-failed` detail for this error: the one place it is built.
    pub fn to_failure(&self) -> Failure {
        let (code, title, message, kind) = match self {
            Error::Http {
                status, problem, ..
            } => return http_failure(*status, problem.as_deref()),
            Error::VerificationFailed {
                code,
                message,
                raw_code,
            } => {
                return Failure {
                    code: code
                        .as_ref()
                        .map_or_else(|| "verification_failed".into(), code_text),
                    title: DECLINED_TITLE.into(),
                    message: message
                        .clone()
                        .filter(|m| !m.trim().is_empty())
                        .unwrap_or_else(|| {
                            "The verification was declined or did not succeed.".into()
                        }),
                    http_status: None,
                    retryable: true,
                    kind: FailureKind::Declined,
                    hopae_code: raw_code.clone(),
                }
            }
            Error::Network(_) => (
                "network_error",
                "Network error",
                "Could not reach the verification service.",
                N,
            ),
            Error::Timeout => (
                "request_timeout",
                "Timed out",
                "The verification service did not answer in time.",
                N,
            ),
            Error::NotJson { .. } => (
                "invalid_response",
                "Invalid response",
                "The backend's answer is not JSON.",
                S,
            ),
            Error::BadShape(_) => ("invalid_response", "Invalid response", "", S),
            Error::QrDataTooLong { .. } => (
                "qr_data_too_long",
                "QR data too long",
                "The QR payload is too long for a QR code.",
                S,
            ),
            // `dc` in a browser without the Digital Credentials API (and no
            // cross-device link): the site can offer other providers.
            Error::UnsupportedFlow(flow) if flow == "dc" => (
                "unsupported_flow",
                "Unsupported flow",
                "This browser cannot present digital credentials; verify another way.",
                S,
            ),
            Error::UnsupportedFlow(_) => ("unsupported_flow", "Unsupported flow", "", S),
            Error::UnsafeUrl(_) => (
                "unsafe_url",
                "Unsafe link",
                "The verification asked to open a link that is not http(s).",
                S,
            ),
            Error::Display(_) => (
                "display_error",
                "Display error",
                "The widget could not show the verification.",
                N,
            ),
        };
        let message = match self {
            Error::BadShape(why) => crate::core::cat(&[
                "The backend's answer is not a Hopae verification (",
                truncate(why),
                ").",
            ]),
            Error::UnsupportedFlow(flow) if message.is_empty() => {
                crate::core::cat(&["This widget cannot run the \"", truncate(flow), "\" flow."])
            }
            _ => message.into(),
        };
        Failure {
            code: code.into(),
            title: title.into(),
            message,
            http_status: match self {
                Error::NotJson { status } => Some(*status),
                _ => None,
            },
            retryable: kind == N,
            kind,
            hopae_code: None,
        }
    }
}

/// At most 80 characters of `text`, for messages that quote untrusted input.
fn truncate(text: &str) -> &str {
    // Counted on bytes: a character starts at every byte that is not a
    // UTF-8 continuation byte (no char decoding in the wasm).
    let mut chars = 0;
    for (i, b) in text.bytes().enumerate() {
        if b & 0xC0 != 0x80 {
            if chars == 80 {
                return text.get(..i).unwrap_or_default();
            }
            chars += 1;
        }
    }
    text
}

/// What a status without a known code says, a line per arm of the match in
/// [`http_failure`]: `name|title|message` (an empty name: `http_<status>`).
/// 422: the provider cannot meet the requested level of assurance (`requestedLoa`).
const STATUS_TEXTS: &str = "\
    |Invalid request|The backend refused the request as invalid.\n\
    loa_unavailable|Assurance level unavailable|The provider cannot meet the requested level of assurance.\n\
    |Not allowed|The backend refused the request.\n\
    |Not found|The verification endpoint or session was not found.\n\
    |Timed out|The verification service did not answer in time.\n\
    |Conflict|The verification has already ended.\n\
    |Too many requests|Too many verification requests; wait a moment.\n\
    |Service error|The verification service had an error.\n\
    |Request failed|The backend answered with an unexpected status.";

fn http_failure(status: u16, problem: Option<&Problem>) -> Failure {
    let code = problem.and_then(|p| p.code(|c| known(c).is_some()));
    let hopae_code = problem.and_then(Problem::hopae_code);
    if let Some(k) = code.as_ref().and_then(known) {
        return Failure {
            code: k.code.into(),
            title: k.title.into(),
            message: k.message.into(),
            http_status: Some(status),
            retryable: k.retryable,
            kind: k.kind,
            hopae_code,
        };
    }
    let line = match status {
        400 => 0,
        422 => 1,
        401 | 403 => 2,
        404 => 3,
        408 | 504 => 4,
        409 => 5,
        429 => 6,
        500..=599 => 7,
        _ => 8,
    };
    let (name, title, message) = STATUS_TEXTS
        .split('\n')
        .nth(line)
        .and_then(|l| {
            let (name, rest) = l.split_once('|')?;
            let (title, message) = rest.split_once('|')?;
            Some((name, title, message))
        })
        .unwrap_or_default();
    let retryable = status_is_retryable(status);
    let detail = problem.and_then(Problem::detail);
    Failure {
        code: match (&code, name) {
            (Some(c), _) => code_text(c),
            (None, "") => crate::core::cat(&["http_", &digits(u64::from(status))]),
            (None, name) => name.into(),
        },
        title: title.into(),
        message: match detail {
            // The server's own words help the site's developer.
            Some(d) => crate::core::cat(&[message, " (", truncate(d), ")"]),
            None => message.into(),
        },
        http_status: Some(status),
        retryable,
        kind: if retryable { N } else { S },
        hopae_code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16, json: &str) -> Failure {
        let problem = crate::core::json::parse(json)
            .ok()
            .and_then(|v| Problem::from_json(&v))
            .map(Box::new);
        Error::Http {
            status,
            problem,
            retry_after: None,
        }
        .to_failure()
    }

    #[test]
    fn maps_the_guides_numeric_codes() {
        let f = http(404, r#"{"code":300001,"title":"SESSION.NOT_FOUND"}"#);
        assert_eq!(f.code, "SESSION_NOT_FOUND");
        assert_eq!(f.http_status, Some(404));
        assert!(!f.retryable);
        let f = http(503, r#"{"code":400005}"#);
        assert_eq!(f.code, "PROVIDER_UNAVAILABLE");
        assert!(f.retryable);
        let f = http(400, r#"{"code":400002}"#);
        assert!(f.message.contains("Hopae dashboard"));
    }

    #[test]
    fn maps_string_codes_in_title_or_envelope() {
        assert_eq!(
            http(409, r#"{"title":"SESSION_INVALID_STATUS_TRANSITION"}"#).code,
            "SESSION_INVALID_STATUS_TRANSITION"
        );
        assert_eq!(
            http(401, r#"{"title":"AUTH.INVALID_CREDENTIALS","code":100001}"#).code,
            "AUTH_INVALID_CREDENTIALS"
        );
        assert_eq!(
            http(
                503,
                r#"{"error":{"code":"PROVIDER_UNAVAILABLE","message":"x"}}"#
            )
            .code,
            "PROVIDER_UNAVAILABLE"
        );
    }

    #[test]
    fn a_bare_status_still_says_what_happened() {
        let f = http(500, "not json");
        assert_eq!(f.code, "http_500");
        assert!(f.retryable);
        assert!(f.message.contains("error"));
        let f = http(404, "");
        assert!(f.message.contains("endpoint"));
        assert!(!f.retryable);
        let f = http(418, r#"{"title":"I am a teapot","code":"TEAPOT"}"#);
        assert_eq!(f.code, "TEAPOT");
        assert!(f.message.contains("I am a teapot"));
    }

    #[test]
    fn every_error_has_a_code_and_a_message() {
        for e in [
            Error::Network("offline".into()),
            Error::NotJson { status: 200 },
            Error::BadShape("missing field `status`".into()),
            Error::QrDataTooLong { len: 9000 },
            Error::UnsupportedFlow("dc".into()),
            Error::VerificationFailed {
                code: None,
                raw_code: None,
                message: None,
            },
            Error::Timeout,
            Error::UnsafeUrl("javascript:alert(1)".into()),
        ] {
            let f = e.to_failure();
            assert!(
                !f.code.is_empty() && !f.title.is_empty() && f.message.ends_with('.'),
                "{f:?}"
            );
        }
    }
}

#[cfg(test)]
mod classification {
    use super::*;

    fn http(status: u16, json: &str) -> Error {
        Error::Http {
            status,
            problem: crate::core::json::parse(json)
                .ok()
                .and_then(|v| Problem::from_json(&v))
                .map(Box::new),
            retry_after: None,
        }
    }

    #[test]
    fn transient_faults_are_retried_and_permanent_ones_are_not() {
        for e in [
            Error::Network("reset".into()),
            Error::Timeout,
            http(500, ""),
            http(502, ""),
            http(503, ""),
            http(504, ""),
            http(429, ""),
            http(408, ""),
        ] {
            assert!(e.is_transient(), "{e:?}");
        }
        for e in [
            http(400, ""),
            http(401, ""),
            http(403, ""),
            http(404, ""),
            http(409, ""),
            http(422, ""),
            http(501, ""),
            Error::NotJson { status: 200 },
            Error::BadShape("x".into()),
        ] {
            assert!(!e.is_transient(), "{e:?}");
        }
    }

    #[test]
    fn recognises_provider_unavailable_in_every_shape() {
        assert!(http(503, r#"{"code":400005}"#).is_provider_unavailable());
        assert!(http(503, r#"{"title":"PROVIDER_UNAVAILABLE"}"#).is_provider_unavailable());
        assert!(http(
            503,
            r#"{"error":{"code":"PROVIDER_UNAVAILABLE","message":"down"}}"#
        )
        .is_provider_unavailable());
        assert!(
            http(503, r#"{"title":"PROVIDER.UNAVAILABLE","code":400005}"#)
                .is_provider_unavailable()
        );
        assert!(!http(503, r#"{"title":"SYSTEM_INTERNAL_ERROR"}"#).is_provider_unavailable());
        assert!(!http(503, "").is_provider_unavailable());
    }

    #[test]
    fn tells_the_person_what_kind_of_failure_it_is() {
        let kind = |e: Error| e.to_failure().kind;
        assert_eq!(
            kind(Error::VerificationFailed {
                code: None,
                raw_code: None,
                message: None
            }),
            FailureKind::Declined
        );
        assert_eq!(kind(Error::Network("x".into())), FailureKind::Network);
        assert_eq!(
            kind(http(503, r#"{"code":400005}"#)),
            FailureKind::Unavailable
        );
        assert_eq!(kind(http(400, r#"{"code":400002}"#)), FailureKind::Setup);
        assert_eq!(kind(Error::NotJson { status: 200 }), FailureKind::Setup);
    }

    #[test]
    fn writes_integers_in_decimal() {
        for n in [0, 7, 10, 99, 100, 300001, 1 << 40, u64::MAX] {
            assert_eq!(digits(n), n.to_string());
        }
    }

    #[test]
    fn every_status_has_a_title_and_a_sentence() {
        assert_eq!(STATUS_TEXTS.split('\n').count(), 9);
        for status in [400, 401, 403, 404, 408, 409, 418, 422, 429, 500, 504] {
            let f = Error::Http {
                status,
                problem: None,
                retry_after: None,
            }
            .to_failure();
            assert!(f.title.len() > 3 && f.message.ends_with('.'), "{f:?}");
        }
        let f = Error::Http {
            status: 422,
            problem: None,
            retry_after: None,
        }
        .to_failure();
        assert_eq!(
            (f.code.as_str(), f.title.as_str()),
            ("loa_unavailable", "Assurance level unavailable")
        );
        let f = Error::Http {
            status: 429,
            problem: None,
            retry_after: None,
        }
        .to_failure();
        assert_eq!(
            (f.code.as_str(), f.title.as_str()),
            ("http_429", "Too many requests")
        );
    }

    #[test]
    fn the_catalogue_reads_whole() {
        let all: Vec<Known> = catalogue().collect();
        assert_eq!(all.len(), CATALOGUE.split('\n').count());
        assert_eq!(all.len(), 30);
        for (i, k) in all.iter().enumerate() {
            assert!(!k.title.is_empty() && k.message.ends_with('.'), "{k:?}");
            assert!(all.iter().skip(i + 1).all(|o| o.code != k.code), "{k:?}");
            assert_eq!(known(&Code::Text(k.code.into())), Some(*k));
        }
        assert_eq!(
            known(&Code::Number(400005)).map(|k| k.code),
            Some("PROVIDER_UNAVAILABLE")
        );
        assert_eq!(known(&Code::Number(0)), None);
    }

    #[test]
    fn cuts_quoted_input_at_80_characters() {
        assert_eq!(truncate("short"), "short");
        let long = "é".repeat(100);
        assert_eq!(truncate(&long), "é".repeat(80));
        let mixed = ["a".repeat(79), "€ü".into()].concat();
        assert_eq!(truncate(&mixed), ["a".repeat(79), "€".into()].concat());
        assert_eq!(truncate(&"x".repeat(80)), "x".repeat(80));
    }

    #[test]
    fn quotes_untrusted_urls_briefly() {
        let f = Error::UnsafeUrl(format!("javascript:{}", "a".repeat(500))).to_failure();
        assert!(f.message.len() < 200, "{}", f.message);
    }
}
