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
    /// The backend answered with a non-2xx status.
    Http {
        /// The HTTP status code.
        status: u16,
        /// The error body, when it was JSON in a known shape.
        problem: Option<Problem>,
    },
    /// A 2xx answer whose body is not JSON.
    NotJson {
        /// The HTTP status code.
        status: u16,
    },
    /// JSON, but not the shape of the expected response.
    BadShape(String),
    /// A status string the API does not document.
    UnknownStatus(String),
    /// The `qr` flow came without `flowDetails.qrData`.
    MissingQrData,
    /// `qrData` does not fit in the largest QR code.
    QrDataTooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// A flow type this widget cannot show.
    UnsupportedFlow(String),
    /// The verification itself ended in `failed`.
    VerificationFailed {
        /// The provider's or Hopae's code, if any.
        code: Option<Code>,
        /// Its explanation, if any.
        message: Option<String>,
    },
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

/// The codes the guide and `problem-types.yml` name: numeric code, string
/// code, title, message, retryable.
const KNOWN: &[(u64, &str, &str, &str, bool)] = &[
    (100001, "AUTH_INVALID_CREDENTIALS", "Backend not authorised", "The site's backend sent invalid Hopae client credentials.", false),
    (300001, "SESSION_NOT_FOUND", "Session not found", "The verification session does not exist or is no longer available.", false),
    (300003, "SESSION_INVALID_STATUS_TRANSITION", "Invalid status transition", "The verification session has already ended.", false),
    (400002, "PROVIDER_NOT_ENABLED", "Provider not enabled", "This eID provider is not enabled for the site. The site owner must enable it in the Hopae dashboard.", false),
    (400005, "PROVIDER_UNAVAILABLE", "Provider unavailable", "The eID provider is unavailable right now. Try again later.", true),
    (0, "AUTH_FORBIDDEN", "Access denied", "The site's backend is not allowed to do this.", false),
    (0, "SESSION_VERIFICATION_NOT_FOUND", "Session not found", "The verification session does not exist or is no longer available.", false),
    (0, "PROVIDER_NOT_FOUND", "Unknown provider", "The eID provider does not exist.", false),
    (0, "PROVIDER_ERROR", "Provider error", "The eID provider reported an error. Try again.", true),
    (0, "PROVIDER_INITIALIZATION_FAILED", "Provider error", "The eID provider could not start the verification. Try again.", true),
    (0, "PROVIDER_UNEXPECTED_RESPONSE", "Provider error", "The eID provider answered unexpectedly. Try again.", true),
    (0, "VALIDATION_INVALID_PARAMETER", "Invalid request", "The verification request was refused as invalid.", false),
    (0, "VALIDATION_MISSING_PARAMETER", "Invalid request", "The verification request is missing a parameter.", false),
    (0, "SYSTEM_INTERNAL_ERROR", "Service error", "The verification service had an internal error. Try again.", true),
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

/// Whether an HTTP status says "the same request may work later".
pub fn status_is_retryable(status: u16) -> bool {
    matches!(status, 408 | 425 | 429 | 500..=504)
}

impl Error {
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
            Error::Http { status, problem } => http_failure(*status, problem.as_ref()),
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
            Error::UnknownStatus(status) => f(
                "unknown_status",
                "Unknown status",
                format!(
                    "The verification reported a status this widget does not know: \"{status}\"."
                ),
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
            Error::VerificationFailed { code, message } => Failure {
                code: code
                    .as_ref()
                    .map_or_else(|| "verification_failed".into(), code_text),
                title: "Verification failed".into(),
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
        let problem = serde_json::from_str(json).ok();
        Error::Http { status, problem }.to_failure()
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
            Error::UnknownStatus("weird".into()),
            Error::MissingQrData,
            Error::QrDataTooLong { len: 9000 },
            Error::UnsupportedFlow("dc".into()),
            Error::VerificationFailed {
                code: None,
                message: None,
            },
        ] {
            let f = e.to_failure();
            assert!(
                !f.code.is_empty() && !f.title.is_empty() && f.message.ends_with('.'),
                "{f:?}"
            );
        }
    }
}
