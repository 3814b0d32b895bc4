//! The Hopae Connect API's response bodies, as the widget reads them.
//!
//! Both documented generations are accepted: the guide's
//! (`/api/v1/verifications`, `verifiedAttributes` in the status body, errors
//! with a numeric `code`) and the current OpenAPI's (`polling`, string codes in
//! `title` or `error.code`). Every field the widget can live without is
//! optional, and unknown fields are ignored, so a newer server does not break
//! an older widget. These types only describe; `session` decides what they mean.

use core::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

/// The body of `POST {endpoint}` (Hopae's create response, passed through by
/// the site's backend).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateResponse {
    /// Opaque id used in the status URL.
    pub verification_id: String,
    /// The status string as sent; see [`Status::parse`].
    pub status: String,
    /// The provider that was started (may differ from the one asked for).
    #[serde(default)]
    pub provider_id: Option<String>,
    /// `qr`, `push`, `redirect` or `dc`; the guide always sends it.
    #[serde(default)]
    pub flow_type: Option<String>,
    /// What the flow needs shown.
    #[serde(default)]
    pub flow_details: Option<FlowDetails>,
    /// Newer servers recommend a polling cadence.
    #[serde(default)]
    pub polling: Option<Polling>,
    /// RFC 3339; the session's hard deadline.
    #[serde(default)]
    pub expires_at: Option<String>,
}

/// The body of `GET {endpoint}/{verificationId}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusResponse {
    /// Echo of the id (optional: the widget already knows it).
    #[serde(default)]
    pub verification_id: Option<String>,
    /// The status string as sent; see [`Status::parse`].
    pub status: String,
    /// Echo of the provider.
    #[serde(default)]
    pub provider_id: Option<String>,
    /// A changed `qrData` here is a new code to paint (animated QR).
    #[serde(default)]
    pub flow_details: Option<FlowDetails>,
    /// RFC 3339 completion time.
    #[serde(default)]
    pub verified_at: Option<String>,
    /// RFC 3339; the session's hard deadline (lets a resumed session know it).
    #[serde(default)]
    pub expires_at: Option<String>,
    /// Why a `failed` verification failed.
    #[serde(default)]
    pub error: Option<ErrorInfo>,
}

/// `flowDetails`: the part of a response that tells the widget what to show.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowDetails {
    /// Text to encode as a QR code (`qr` flow).
    #[serde(default)]
    pub qr_data: Option<String>,
    /// Where to send the browser (`redirect` flow).
    #[serde(default)]
    pub authorization_url: Option<String>,
    /// A message from the provider for the user (`push` flow).
    #[serde(default)]
    pub message: Option<String>,
    /// A code the user compares with the one in their app (`push` flow).
    #[serde(default)]
    pub verification_code: Option<String>,
    /// BankID's token for starting the app on this device.
    #[serde(default)]
    pub auto_start_token: Option<String>,
    /// A link that opens the wallet or eID app on this device.
    #[serde(default)]
    pub deeplink: Option<String>,
    /// A direct link for QR and Digital Credentials flows.
    #[serde(default)]
    pub link_data: Option<String>,
}

/// `polling`: the server's advice on how often and how long to poll.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Polling {
    /// Milliseconds between status requests.
    #[serde(default)]
    pub recommended_interval: Option<f64>,
    /// Milliseconds after which polling should stop.
    #[serde(default)]
    pub max_duration: Option<f64>,
}

/// `error` inside a status response, or the `{error: {...}}` envelope.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ErrorInfo {
    /// A string or numeric error code.
    #[serde(default)]
    pub code: Option<Code>,
    /// A human-readable explanation.
    #[serde(default)]
    pub message: Option<String>,
}

/// An error body in any of the documented shapes: RFC 7807 with a numeric
/// `code` (`300001`), RFC 7807 with the string code in `title`
/// (`SESSION_NOT_FOUND`), or `{error: {code, message}}`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Problem {
    /// `urn:org:hopae:problem-type:…`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// A summary, or (newer form) the string code itself.
    #[serde(default)]
    pub title: Option<String>,
    /// The explanation for this occurrence.
    #[serde(default)]
    pub detail: Option<String>,
    /// The numeric code of the older form.
    #[serde(default)]
    pub code: Option<Code>,
    /// The envelope form.
    #[serde(default)]
    pub error: Option<ErrorInfo>,
}

impl Problem {
    /// The most specific code the body carries, whichever shape it has: a
    /// code `known` to the caller first, then a textual one (it says more
    /// than a number), then a numeric one.
    pub fn code(&self, known: impl Fn(&Code) -> bool) -> Option<Code> {
        let title = self
            .title
            .as_deref()
            .filter(|t| looks_like_code(t))
            .map(|t| Code::Text(t.replace('.', "_")));
        let candidates = [
            self.code.clone(),
            self.error.as_ref().and_then(|e| e.code.clone()),
            title,
        ];
        let pick =
            |want: &dyn Fn(&Code) -> bool| candidates.iter().flatten().find(|c| want(c)).cloned();
        pick(&known)
            .or_else(|| pick(&|c| matches!(c, Code::Text(_))))
            .or_else(|| pick(&|_| true))
    }

    /// The most specific human explanation the body carries.
    pub fn detail(&self) -> Option<&str> {
        self.detail
            .as_deref()
            .or_else(|| self.error.as_ref().and_then(|e| e.message.as_deref()))
            .or_else(|| self.title.as_deref().filter(|t| !looks_like_code(t)))
            .filter(|d| !d.trim().is_empty())
    }
}

/// `SESSION_NOT_FOUND`, `AUTH.INVALID_CREDENTIALS`: upper case, digits, `_`, `.`.
fn looks_like_code(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_' || c == b'.')
}

/// An error code, numeric (`300001`) or textual (`SESSION_NOT_FOUND`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Code {
    /// The older numeric scheme: 1xxxxx auth … 5xxxxx system.
    Number(u64),
    /// The newer `CATEGORY_ERROR_NAME` scheme.
    Text(String),
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CodeVisitor;
        impl Visitor<'_> for CodeVisitor {
            type Value = Code;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a numeric or string error code")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Code, E> {
                Ok(Code::Number(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Code, E> {
                Ok(Code::Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Code, E> {
                if v.fract() == 0.0 && (0.0..1e15).contains(&v) {
                    Ok(Code::Number(v as u64))
                } else {
                    Ok(Code::Text(v.to_string()))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Code, E> {
                Ok(match v.parse::<u64>() {
                    Ok(n) => Code::Number(n),
                    Err(_) => Code::Text(v.to_owned()),
                })
            }
        }
        deserializer.deserialize_any(CodeVisitor)
    }
}

/// Every status the API documents. Anything else is kept as text by
/// [`Status::parse`] returning `None`, and the session decides what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Created, nothing has happened yet.
    Initiated,
    /// The guide's legacy name for `initiated`.
    Pending,
    /// The user must scan, open the app or confirm.
    AwaitingUserAction,
    /// The user is signing in the app.
    Authenticating,
    /// The provider is finishing up.
    Processing,
    /// Terminal: verified.
    Completed,
    /// Terminal: the user declined, or the provider failed.
    Failed,
    /// Terminal: nobody finished in time.
    Expired,
    /// Terminal: cancelled through the API.
    Cancelled,
}

impl Status {
    /// Reads a status string; `None` for one the API does not document.
    pub fn parse(text: &str) -> Option<Status> {
        Some(match text {
            "initiated" => Status::Initiated,
            "pending" => Status::Pending,
            "awaiting_user_action" => Status::AwaitingUserAction,
            "authenticating" => Status::Authenticating,
            "processing" => Status::Processing,
            "completed" => Status::Completed,
            "failed" => Status::Failed,
            "expired" => Status::Expired,
            "cancelled" => Status::Cancelled,
            _ => return None,
        })
    }

    /// Whether the verification can still change.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Status::Completed | Status::Failed | Status::Expired | Status::Cancelled
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(json: &str) -> Problem {
        serde_json::from_str(json).expect("valid test JSON")
    }

    #[test]
    fn reads_the_guides_create_response() {
        let r: CreateResponse = serde_json::from_str(
            r#"{"verificationId":"eec15acab80b472bb20160d5751b8b40","status":"initiated",
                "providerId":"bankidse","flowType":"qr",
                "flowDetails":{"qrData":"bankidse:///?token=7c40b5c1-..."},
                "expiresAt":"2024-07-30T10:05:00.000Z"}"#,
        )
        .expect("decodes");
        assert_eq!(r.verification_id, "eec15acab80b472bb20160d5751b8b40");
        assert_eq!(
            r.flow_details.and_then(|f| f.qr_data).as_deref(),
            Some("bankidse:///?token=7c40b5c1-...")
        );
        assert_eq!(Status::parse(&r.status), Some(Status::Initiated));
    }

    #[test]
    fn reads_the_current_create_response_with_polling() {
        let r: CreateResponse = serde_json::from_str(
            r#"{"verificationId":"ver_1","status":"initiated","providerId":"bankidse",
                "flowType":"qr","flowDetails":{"qrData":"x"},"links":"",
                "polling":{"recommendedInterval":2000,"maxDuration":120000},
                "createdAt":"2024-07-30T10:00:00Z","expiresAt":"2024-07-30T10:05:00Z"}"#,
        )
        .expect("decodes");
        assert_eq!(r.polling.and_then(|p| p.recommended_interval), Some(2000.0));
    }

    #[test]
    fn a_body_without_the_required_fields_is_refused() {
        assert!(serde_json::from_str::<CreateResponse>(r#"{"status":"initiated"}"#).is_err());
        assert!(serde_json::from_str::<StatusResponse>(r#"{"verificationId":"x"}"#).is_err());
        assert!(serde_json::from_str::<StatusResponse>(r#"{"status":5}"#).is_err());
    }

    #[test]
    fn reads_every_documented_error_shape() {
        let old = problem(
            r#"{"type":"urn:org:hopae:problem-type:client/300001","title":"SESSION.NOT_FOUND",
                "status":404,"detail":"Session does not exist","code":300001}"#,
        );
        assert_eq!(
            old.code(|_| false),
            Some(Code::Text("SESSION_NOT_FOUND".into()))
        );
        assert_eq!(
            old.code(|c| *c == Code::Number(300001)),
            Some(Code::Number(300001))
        );
        assert_eq!(old.detail(), Some("Session does not exist"));

        let new = problem(r#"{"title":"SESSION_NOT_FOUND","status":404,"detail":"gone"}"#);
        assert_eq!(
            new.code(|_| false),
            Some(Code::Text("SESSION_NOT_FOUND".into()))
        );

        let envelope = problem(r#"{"error":{"code":"PROVIDER_UNAVAILABLE","message":"down"}}"#);
        assert_eq!(
            envelope.code(|_| false),
            Some(Code::Text("PROVIDER_UNAVAILABLE".into()))
        );
        assert_eq!(envelope.detail(), Some("down"));

        let string_number = problem(r#"{"code":"400005"}"#);
        assert_eq!(string_number.code(|_| false), Some(Code::Number(400005)));

        let prose_title = problem(r#"{"title":"Provider is down"}"#);
        assert_eq!(prose_title.code(|_| false), None);
        assert_eq!(prose_title.detail(), Some("Provider is down"));
    }

    #[test]
    fn knows_which_statuses_end_a_session() {
        for (text, terminal) in [
            ("initiated", false),
            ("pending", false),
            ("awaiting_user_action", false),
            ("authenticating", false),
            ("processing", false),
            ("completed", true),
            ("failed", true),
            ("expired", true),
            ("cancelled", true),
        ] {
            assert_eq!(Status::parse(text).map(Status::is_terminal), Some(terminal));
        }
        assert_eq!(Status::parse("COMPLETED"), None);
    }
}
