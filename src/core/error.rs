//! Everything that can end a verification badly, and the one place where it
//! becomes the `hopae-failed` event's detail.
//!
//! The shell turns what the browser reports (a rejected fetch, a status code, a
//! body that does not parse) into an [`Error`]; [`Error::to_failure`] is the
//! only translation into what the page's developer sees.

use crate::core::api::{Code, Problem};

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
        problem: Option<Problem>,
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
    /// The `qr` flow came without `flowDetails.qrData`.
    MissingQrData,
    /// `qrData` does not fit in the largest QR code.
    QrDataTooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// A flow type this widget cannot show.
    UnsupportedFlow(String),
    /// A URL the widget will not navigate to or link (not http or https).
    UnsafeUrl(String),
    /// The verification itself ended in `failed`.
    VerificationFailed {
        /// The provider's or Hopae's code, if any.
        code: Option<Code>,
        /// Its explanation, if any.
        message: Option<String>,
    },
}

/// What the person in front of the widget is told about a failure (the
/// page gets the precise [`Failure`]).
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
    /// One sentence that says what happened and, where it helps, what to do.
    pub message: String,
    /// The HTTP status that caused it, if one did.
    pub http_status: Option<u16>,
    /// Whether starting again may succeed without anyone changing anything.
    pub retryable: bool,
}

impl Failure {
    /// What to tell the person.
    pub fn kind(&self) -> FailureKind {
        if self.code == "PROVIDER_UNAVAILABLE" {
            FailureKind::Unavailable
        } else if self.title == DECLINED_TITLE {
            FailureKind::Declined
        } else if self.retryable {
            FailureKind::Network
        } else {
            FailureKind::Setup
        }
    }
}

const DECLINED_TITLE: &str = "Verification failed";

/// The codes the guide and `problem-types.yml` name: numeric code, string
/// code, title, message, retryable.
const KNOWN: &[(u64, &str, &str, &str, bool)] = &[
    (100001, "AUTH_INVALID_CREDENTIALS", "Backend not authorised", "The site's backend sent invalid Hopae client credentials.", false),
    (0, "AUTH_INVALID_GRANT", "Backend not authorised", "The site's backend was refused by Hopae (invalid grant).", false),
    (0, "AUTH_INVALID_CLIENT", "Backend not authorised", "The site's backend was refused by Hopae (client authentication failed).", false),
    (0, "AUTH_FORBIDDEN", "Access denied", "The site's backend is not allowed to do this.", false),
    (200001, "VALIDATION_INVALID_PARAMETER", "Invalid request", "The verification request was refused as invalid.", false),
    (200002, "VALIDATION_MISSING_PARAMETER", "Invalid request", "The verification request is missing a parameter.", false),
    (0, "VALIDATION_MISSING_USER_DATA", "Information missing", "This eID provider needs user information the site did not send.", false),
    (0, "VALIDATION_INVALID_USER_DATA", "Invalid information", "The user information sent to the eID provider is not valid.", false),
    (0, "VALIDATION_REDIRECT_URI_REQUIRED", "Redirect address missing", "This eID provider needs a redirect address the site did not configure.", false),
    (300001, "SESSION_NOT_FOUND", "Session not found", "The verification session does not exist or is no longer available.", false),
    (0, "SESSION_VERIFICATION_NOT_FOUND", "Session not found", "The verification session does not exist or is no longer available.", false),
    (300003, "SESSION_INVALID_STATUS_TRANSITION", "Session already ended", "The verification session has already ended.", false),
    (0, "SESSION_INVALID_FLOW", "Invalid flow", "The verification flow is not valid for this provider.", false),
    (400001, "PROVIDER_NOT_FOUND", "Unknown provider", "This eID provider does not exist.", false),
    (400002, "PROVIDER_NOT_ENABLED", "Provider not enabled", "This eID provider is not enabled for the site. The site owner must enable it in the Hopae dashboard.", false),
    (0, "PROVIDER_INITIALIZATION_FAILED", "Provider error", "The eID provider could not start the verification. Try again.", true),
    (400004, "PROVIDER_ERROR", "Provider error", "The eID provider reported an error. Try again.", true),
    (400005, "PROVIDER_UNAVAILABLE", "Provider unavailable", "The eID provider is unavailable right now. Try again later.", true),
    (0, "PROVIDER_CONFIGURATION_ERROR", "Provider not configured", "The eID provider is not configured correctly for the site.", false),
    (0, "PROVIDER_AUTHENTICATION_FAILED", "Authentication failed", "The eID provider could not authenticate you.", false),
    (0, "PROVIDER_UNEXPECTED_RESPONSE", "Provider error", "The eID provider answered unexpectedly. Try again.", true),
    (500001, "SYSTEM_INTERNAL_ERROR", "Service error", "The verification service had an internal error. Try again.", true),
    (0, "SYSTEM_UNSUPPORTED_MODE", "Not supported", "The verification service does not support this mode.", false),
    (0, "RESOURCE_NOT_FOUND", "Not found", "The verification service could not find what was asked for.", false),
    (0, "RESOURCE_CONFLICT", "Conflict", "The verification changed at the same time. Try again.", false),
    (0, "IDEMPOTENCY_KEY_CONFLICT", "Duplicate request", "A different request was already sent with the same idempotency key.", false),
    (0, "IDEMPOTENCY_REQUEST_IN_PROGRESS", "Request in progress", "The same request is still being processed. Try again in a moment.", true),
    (0, "UPSTREAM_UNREACHABLE", "Service unreachable", "The site's backend could not reach the verification service. Try again.", true),
    (0, "UPSTREAM_TIMEOUT", "Service timed out", "The verification service did not answer the site's backend in time. Try again.", true),
    (0, "UPSTREAM_USERINFO_FAILED", "Service error", "The site's backend could not fetch the verified details. Try again.", true),
];

fn known(code: &Code) -> Option<&'static (u64, &'static str, &'static str, &'static str, bool)> {
    KNOWN.iter().find(|(n, s, ..)| match code {
        Code::Number(c) => *n != 0 && n == c,
        // `AUTH.INVALID_CREDENTIALS` and `AUTH_INVALID_CREDENTIALS` are the same code.
        Code::Text(t) => t.replace('.', "_") == *s,
    })
}

fn code_text(code: &Code) -> String {
    match code {
        Code::Number(n) => n.to_string(),
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
            _ => false,
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
        p.code(|_| false).is_some_and(|c| match c {
            Code::Number(n) => n == 400005,
            Code::Text(t) => t == "PROVIDER_UNAVAILABLE",
        }) || p.code.as_ref() == Some(&Code::Number(400005))
    }

    /// The `Retry-After` header, when there is one.
    pub fn retry_after(&self) -> Option<&str> {
        match self {
            Error::Http { retry_after, .. } => retry_after.as_deref(),
            _ => None,
        }
    }

    /// The `hopae-failed` detail for this error.
    pub fn to_failure(&self) -> Failure {
        let f = |code: &str, title: &str, message: String, http_status, retryable| Failure {
            code: code.into(),
            title: title.into(),
            message,
            http_status,
            retryable,
        };
        match self {
            Error::Network(why) => f(
                "network_error",
                "Network error",
                format!("Could not reach the verification service ({why})."),
                None,
                true,
            ),
            Error::Timeout => f(
                "request_timeout",
                "Timed out",
                "The verification service did not answer in time.".into(),
                None,
                true,
            ),
            Error::Http {
                status, problem, ..
            } => http_failure(*status, problem.as_ref()),
            Error::NotJson { status } => f(
                "invalid_response",
                "Invalid response",
                format!("The backend answered HTTP {status} with a body that is not JSON."),
                Some(*status),
                false,
            ),
            Error::BadShape(why) => f(
                "invalid_response",
                "Invalid response",
                format!("The backend's response is not a Hopae verification: {why}."),
                None,
                false,
            ),
            Error::MissingQrData => f(
                "invalid_response",
                "Invalid response",
                "The verification uses the QR flow but its response has no flowDetails.qrData."
                    .into(),
                None,
                false,
            ),
            Error::QrDataTooLong { len } => f(
                "qr_data_too_long",
                "QR data too long",
                format!("The QR payload ({len} bytes) is too long for any QR code."),
                None,
                false,
            ),
            Error::UnsupportedFlow(flow) => f(
                "unsupported_flow",
                "Unsupported flow",
                format!("This widget cannot show the \"{flow}\" verification flow."),
                None,
                false,
            ),
            Error::UnsafeUrl(url) => f(
                "unsafe_url",
                "Unsafe link",
                format!(
                    "The verification asked to open a link that is not http or https ({}).",
                    truncate(url)
                ),
                None,
                false,
            ),
            Error::VerificationFailed { code, message } => Failure {
                code: code
                    .as_ref()
                    .map_or_else(|| "verification_failed".into(), code_text),
                title: DECLINED_TITLE.into(),
                message: message
                    .clone()
                    .filter(|m| !m.trim().is_empty())
                    .unwrap_or_else(|| {
                        "The verification was declined or could not be completed.".into()
                    }),
                http_status: None,
                retryable: true,
            },
        }
    }
}

/// At most 80 characters of `text`, for messages that quote untrusted input.
fn truncate(text: &str) -> String {
    match text.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", text.get(..i).unwrap_or_default()),
        None => text.to_owned(),
    }
}

fn http_failure(status: u16, problem: Option<&Problem>) -> Failure {
    let code = problem.and_then(|p| p.code(|c| known(c).is_some()));
    let detail = problem.and_then(Problem::detail);
    if let Some(code) = &code {
        if let Some((_, name, title, message, retryable)) = known(code) {
            return Failure {
                code: (*name).into(),
                title: (*title).into(),
                message: (*message).into(),
                http_status: Some(status),
                retryable: *retryable,
            };
        }
    }
    let (title, fallback) = match status {
        400 | 422 => ("Invalid request", "The backend refused the verification request as invalid."),
        401 | 403 => ("Not allowed", "The backend refused the request (not authorised)."),
        404 => ("Not found", "The verification endpoint or session was not found. Check the widget's `endpoint` option."),
        408 | 504 => ("Timed out", "The verification service did not answer in time. Try again."),
        409 => ("Conflict", "The verification session has already ended."),
        429 => ("Too many requests", "Too many verification requests. Wait a moment and try again."),
        500..=599 => ("Service error", "The verification service had an error. Try again."),
        _ => ("Request failed", "The backend answered with an unexpected HTTP status."),
    };
    Failure {
        code: code
            .as_ref()
            .map_or_else(|| format!("http_{status}"), code_text),
        title: title.into(),
        message: match detail {
            Some(d) => format!("{fallback} ({d})"),
            None => fallback.into(),
        },
        http_status: Some(status),
        retryable: status_is_retryable(status),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16, json: &str) -> Failure {
        let problem = crate::core::json::parse(json)
            .ok()
            .and_then(|v| Problem::from_json(&v));
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
            Error::MissingQrData,
            Error::QrDataTooLong { len: 9000 },
            Error::UnsupportedFlow("dc".into()),
            Error::VerificationFailed {
                code: None,
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
                .and_then(|v| Problem::from_json(&v)),
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
        let kind = |e: Error| e.to_failure().kind();
        assert_eq!(
            kind(Error::VerificationFailed {
                code: None,
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
    fn quotes_untrusted_urls_briefly() {
        let f = Error::UnsafeUrl(format!("javascript:{}", "a".repeat(500))).to_failure();
        assert!(f.message.len() < 200, "{}", f.message);
    }
}
