//! The Hopae Connect API's response bodies, as the widget reads them.
//!
//! Both documented generations are accepted: the guide's
//! (`/api/v1/verifications`, `verifiedAttributes` in the status body, errors
//! with a numeric `code`) and the current OpenAPI's (`polling`, string codes in
//! `title` or `error.code`). Every field the widget can live without is
//! optional, and unknown fields are ignored, so a newer server does not break
//! an older widget. These types only describe; `session` decides what they mean.

use crate::core::json::Json;

fn text<J: Json>(v: &J, key: &str) -> Option<String> {
    v.get(key).and_then(|f| f.as_str())
}

fn number<J: Json>(v: &J, key: &str) -> Option<f64> {
    v.get(key).and_then(|f| f.as_f64())
}

/// A member that must be a string: `Err` says which and why.
fn required<J: Json>(v: &J, key: &str) -> Result<String, String> {
    match v.get(key) {
        None => Err(crate::core::cat(&["missing field `", key, "`"])),
        Some(f) => f
            .as_str()
            .ok_or_else(|| crate::core::cat(&["`", key, "` is not a string"])),
    }
}

fn object<J: Json>(v: &J) -> Result<(), String> {
    if v.is_object() {
        Ok(())
    } else {
        Err("the body is not a JSON object".into())
    }
}

/// The body of `POST {endpoint}` (Hopae's create response, passed through by
/// the site's backend).
#[derive(Debug, Clone, PartialEq)]
pub struct CreateResponse {
    /// Opaque id used in the status URL.
    pub verification_id: String,
    /// The status string as sent; see [`Status::parse`].
    pub status: String,
    /// The provider that was started (may differ from the one asked for).
    pub provider_id: Option<String>,
    /// The flow, decoded from `flowType` and `flowDetails`.
    pub flow: Flow,
    /// A step the user must take now (`action` or `flowDetails.action`).
    pub action: Option<Action>,
    /// `flowDetails` as sent (for the same-device links).
    pub flow_details: FlowDetails,
    /// Newer servers recommend a polling cadence.
    pub polling: Option<Polling>,
    /// RFC 3339; the session's hard deadline.
    pub expires_at: Option<String>,
}

impl CreateResponse {
    /// Reads a create response; `Err` says what is missing or wrong.
    pub fn from_json<J: Json>(v: &J) -> Result<CreateResponse, String> {
        object(v)?;
        let verification_id = required(v, "verificationId")?;
        let status = required(v, "status")?;
        let flow_details = details(v);
        Ok(CreateResponse {
            flow: Flow::decode(text(v, "flowType"), &flow_details)?,
            action: Action::find(v),
            verification_id,
            status,
            provider_id: text(v, "providerId"),
            flow_details,
            polling: v.get("polling").map(|p| Polling {
                recommended_interval: number(&p, "recommendedInterval"),
                max_duration: number(&p, "maxDuration"),
            }),
            expires_at: text(v, "expiresAt"),
        })
    }
}

/// The body of `GET {endpoint}/{verificationId}`.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusResponse {
    /// Echo of the id (optional: the widget already knows it).
    pub verification_id: Option<String>,
    /// The status string as sent; see [`Status::parse`].
    pub status: String,
    /// Echo of the provider.
    pub provider_id: Option<String>,
    /// A changed `qrData` here is a new code to paint (animated QR).
    pub flow_details: FlowDetails,
    /// A step the user must take now (`action` or `flowDetails.action`).
    pub action: Option<Action>,
    /// RFC 3339 completion time.
    pub verified_at: Option<String>,
    /// RFC 3339; the session's hard deadline (lets a resumed session know it).
    pub expires_at: Option<String>,
    /// Why a `failed` verification failed.
    pub error: Option<ErrorInfo>,
}

impl StatusResponse {
    /// Reads a status response; `Err` says what is missing or wrong.
    pub fn from_json<J: Json>(v: &J) -> Result<StatusResponse, String> {
        object(v)?;
        Ok(StatusResponse {
            verification_id: text(v, "verificationId"),
            status: required(v, "status")?,
            provider_id: text(v, "providerId"),
            flow_details: details(v),
            action: Action::find(v),
            verified_at: text(v, "verifiedAt"),
            expires_at: text(v, "expiresAt"),
            error: v.get("error").map(|e| ErrorInfo::from_json(&e)),
        })
    }
}

/// What an [`Action`] asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    /// Go to `url` (through the cancelable `hopae-redirect`).
    Redirect,
    /// Scan `url` (the text to encode) as a QR code.
    Qr,
    /// Confirm in the app.
    Push,
    /// Open `url` in the app on this device.
    Deeplink,
}

/// `action` / `flowDetails.action`: a step mid-flow (e.g. a liveness check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    /// Its type.
    pub kind: ActionKind,
    /// The URL (or the QR text).
    pub url: Option<String>,
    /// Words for the user.
    pub message: Option<String>,
}

impl Action {
    /// Reads `action` from a body, or from its `flowDetails`; an unknown
    /// type is ignored.
    pub fn find<J: Json>(v: &J) -> Option<Action> {
        let a = v
            .get("action")
            .or_else(|| v.get("flowDetails").and_then(|f| f.get("action")))?;
        let kind = match text(&a, "type")?.as_str() {
            "redirect" => ActionKind::Redirect,
            "qr" => ActionKind::Qr,
            "push" => ActionKind::Push,
            "deeplink" => ActionKind::Deeplink,
            _ => return None,
        };
        Some(Action {
            kind,
            url: text(&a, "url"),
            message: text(&a, "message"),
        })
    }
}

fn details<J: Json>(v: &J) -> FlowDetails {
    v.get("flowDetails")
        .map(|f| FlowDetails::from_json(&f))
        .unwrap_or_default()
}

/// What the person must do, decoded from `flowType` and `flowDetails`. A flow
/// without what it needs (a `qr` flow without `qrData`) is a decode error;
/// adding a flow adds a variant here, and the compiler then walks through
/// the session's match and the view.
#[derive(Debug, Clone, PartialEq)]
pub enum Flow {
    /// Scan `data` as a QR code with the provider's app.
    Qr {
        /// The text to encode.
        data: String,
    },
    /// Confirm a push in the app, comparing `code`.
    Push {
        /// The provider's instruction, if any.
        message: Option<String>,
        /// The verification code the app also shows.
        code: Option<String>,
    },
    /// Go to the provider's page.
    Redirect {
        /// `flowDetails.authorizationUrl` (checked by the session).
        url: String,
    },
    /// Present a digital credential (`dc`, W3C Digital Credentials API).
    Dc {
        /// `flowDetails.callbackUrl`, when `flowDetails.request` came with
        /// it (native mode): the wallet's answer is posted there.
        callback: Option<String>,
        /// The cross-device link to offer instead (`linkData`, else `qrData`).
        link: Option<String>,
    },
    /// A flow this widget cannot show (one from a newer API).
    Other(String),
}

impl Flow {
    /// Decodes the flow; without `flowType` (older servers) it is inferred
    /// from the details present.
    pub fn decode(flow_type: Option<String>, d: &FlowDetails) -> Result<Flow, String> {
        let name = flow_type.unwrap_or_else(|| {
            if d.qr_data.is_some() {
                "qr"
            } else if d.authorization_url.is_some() {
                "redirect"
            } else {
                "push"
            }
            .into()
        });
        Ok(match name.as_str() {
            "qr" => Flow::Qr {
                data: d
                    .qr_data
                    .clone()
                    .ok_or("the qr flow has no `flowDetails.qrData`")?,
            },
            "push" => Flow::Push {
                message: d.message.clone(),
                code: d.verification_code.clone(),
            },
            "redirect" => Flow::Redirect {
                url: d
                    .authorization_url
                    .clone()
                    .ok_or("the redirect flow has no `flowDetails.authorizationUrl`")?,
            },
            "dc" => Flow::Dc {
                callback: d.callback_url.clone().filter(|_| d.dc_request),
                link: d.link_data.clone().or_else(|| d.qr_data.clone()),
            },
            _ => Flow::Other(name),
        })
    }

    /// The `flowType` name, for `hopae-initiated`.
    pub fn name(&self) -> &str {
        match self {
            Flow::Qr { .. } => "qr",
            Flow::Push { .. } => "push",
            Flow::Redirect { .. } => "redirect",
            Flow::Dc { .. } => "dc",
            Flow::Other(name) => name,
        }
    }
}

/// `flowDetails`: the part of a response that tells the widget what to show.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FlowDetails {
    /// Text to encode as a QR code (`qr` flow).
    pub qr_data: Option<String>,
    /// Where to send the browser (`redirect` flow).
    pub authorization_url: Option<String>,
    /// A message from the provider for the user (`push` flow).
    pub message: Option<String>,
    /// A code the user compares with the one in their app (`push` flow).
    pub verification_code: Option<String>,
    /// BankID's token for starting the app on this device.
    pub auto_start_token: Option<String>,
    /// A link that opens the wallet or eID app on this device.
    pub deeplink: Option<String>,
    /// A direct link for QR and Digital Credentials flows.
    pub link_data: Option<String>,
    /// Whether `request` (the wallet request of the `dc` flow) is an object;
    /// the shell hands it to `navigator.credentials.get` as sent.
    pub dc_request: bool,
    /// Where the `dc` flow's credential is posted.
    pub callback_url: Option<String>,
}

impl FlowDetails {
    /// Reads `flowDetails`; fields of the wrong type count as absent.
    pub fn from_json<J: Json>(v: &J) -> FlowDetails {
        FlowDetails {
            qr_data: text(v, "qrData"),
            authorization_url: text(v, "authorizationUrl"),
            message: text(v, "message"),
            verification_code: text(v, "verificationCode"),
            auto_start_token: text(v, "autoStartToken"),
            deeplink: text(v, "deeplink"),
            link_data: text(v, "linkData"),
            dc_request: v.get("request").is_some_and(|r| r.is_object()),
            callback_url: text(v, "callbackUrl"),
        }
    }
}

/// `polling`: the server's advice on how often and how long to poll.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Polling {
    /// Milliseconds between status requests.
    pub recommended_interval: Option<f64>,
    /// Milliseconds after which polling should stop.
    pub max_duration: Option<f64>,
}

/// `error` inside a status response, or the `{error: {...}}` envelope.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorInfo {
    /// A string or numeric error code.
    pub code: Option<Code>,
    /// The code exactly as sent (a numeric string stays a string).
    pub raw_code: Option<Code>,
    /// A human-readable explanation.
    pub message: Option<String>,
}

impl ErrorInfo {
    /// Reads an error object.
    pub fn from_json<J: Json>(v: &J) -> ErrorInfo {
        ErrorInfo {
            code: v.get("code").and_then(|c| Code::from_json(&c)),
            raw_code: v.get("code").and_then(|c| Code::raw(&c)),
            message: text(v, "message"),
        }
    }
}

/// An error body in any of the documented shapes: RFC 7807 with a numeric
/// `code` (`300001`), RFC 7807 with the string code in `title`
/// (`SESSION_NOT_FOUND`), or `{error: {code, message}}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Problem {
    /// `urn:org:hopae:problem-type:…`.
    pub kind: Option<String>,
    /// A summary, or (newer form) the string code itself.
    pub title: Option<String>,
    /// The explanation for this occurrence.
    pub detail: Option<String>,
    /// The numeric code of the older form.
    pub code: Option<Code>,
    /// The envelope form.
    pub error: Option<ErrorInfo>,
    /// `code` exactly as sent.
    pub raw_code: Option<Code>,
}

impl Problem {
    /// Reads an error body; `None` when it is not an object.
    pub fn from_json<J: Json>(v: &J) -> Option<Problem> {
        v.is_object().then(|| Problem {
            kind: text(v, "type"),
            title: text(v, "title"),
            detail: text(v, "detail"),
            code: v.get("code").and_then(|c| Code::from_json(&c)),
            error: v.get("error").map(|e| ErrorInfo::from_json(&e)),
            raw_code: v.get("code").and_then(|c| Code::raw(&c)),
        })
    }

    /// Hopae's own code exactly as received (number or string): `code`, else
    /// `error.code`, else a code-like `title` as written.
    pub fn hopae_code(&self) -> Option<Code> {
        self.raw_code
            .clone()
            .or_else(|| self.error.as_ref().and_then(|e| e.raw_code.clone()))
            .or_else(|| {
                self.title
                    .clone()
                    .filter(|t| looks_like_code(t))
                    .map(Code::Text)
            })
    }

    /// The most specific code the body carries, whichever shape it has: a
    /// code `known` to the caller first, then a textual one (it says more
    /// than a number), then a numeric one.
    pub fn code(&self, known: fn(&Code) -> bool) -> Option<Code> {
        let title = self
            .title
            .as_deref()
            .filter(|t| looks_like_code(t))
            // ASCII (`looks_like_code`): no general string replace.
            .map(|t| {
                let mut code = String::new();
                for c in t.bytes() {
                    code.push(char::from(if c == b'.' { b'_' } else { c }));
                }
                Code::Text(code)
            });
        let candidates = [
            self.code.as_ref(),
            self.error.as_ref().and_then(|e| e.code.as_ref()),
            title.as_ref(),
        ];
        // The first of the best rank, in one plain loop.
        let mut best: Option<(u8, &Code)> = None;
        for code in candidates.into_iter().flatten() {
            let rank = if known(code) {
                0
            } else if matches!(code, Code::Text(_)) {
                1
            } else {
                2
            };
            if best.is_none_or(|(r, _)| rank < r) {
                best = Some((rank, code));
            }
        }
        best.map(|(_, code)| code.clone())
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

impl Code {
    /// Reads a code as sent: a number or any string but a blank one (no code).
    pub fn raw<J: Json>(v: &J) -> Option<Code> {
        match v.as_f64() {
            Some(n) => {
                (n.fract() == 0.0 && (0.0..1e15).contains(&n)).then_some(Code::Number(n as u64))
            }
            None => v.as_str().filter(|t| !t.trim().is_empty()).map(Code::Text),
        }
    }

    /// Reads a code from a number or a string (`"400005"` counts as a number).
    pub fn from_json<J: Json>(v: &J) -> Option<Code> {
        if let Some(n) = v.as_f64() {
            return (n.fract() == 0.0 && (0.0..1e15).contains(&n))
                .then_some(Code::Number(n as u64));
        }
        let t = v.as_str().filter(|t| !t.trim().is_empty())?;
        Some(match crate::core::time::uint(&t) {
            Some(n) => Code::Number(n),
            None => Code::Text(t),
        })
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

    use crate::core::json::parse;

    fn problem(json: &str) -> Problem {
        Problem::from_json(&parse(json).expect("valid test JSON")).expect("an object")
    }

    fn create(json: &str) -> Result<CreateResponse, String> {
        CreateResponse::from_json(&parse(json).expect("valid test JSON"))
    }

    fn status(json: &str) -> Result<StatusResponse, String> {
        StatusResponse::from_json(&parse(json).expect("valid test JSON"))
    }

    #[test]
    fn reads_the_guides_create_response() {
        let r = create(
            r#"{"verificationId":"eec15acab80b472bb20160d5751b8b40","status":"initiated",
                "providerId":"bankidse","flowType":"qr",
                "flowDetails":{"qrData":"bankidse:///?token=7c40b5c1-..."},
                "expiresAt":"2024-07-30T10:05:00.000Z"}"#,
        )
        .expect("decodes");
        assert_eq!(r.verification_id, "eec15acab80b472bb20160d5751b8b40");
        assert_eq!(
            r.flow_details.qr_data.as_deref(),
            Some("bankidse:///?token=7c40b5c1-...")
        );
        assert_eq!(Status::parse(&r.status), Some(Status::Initiated));
    }

    #[test]
    fn reads_the_current_create_response_with_polling() {
        let r = create(
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
        assert_eq!(
            create(r#"{"status":"initiated"}"#),
            Err("missing field `verificationId`".into())
        );
        assert_eq!(
            status(r#"{"verificationId":"x"}"#),
            Err("missing field `status`".into())
        );
        assert_eq!(
            status(r#"{"status":5}"#),
            Err("`status` is not a string".into())
        );
        assert_eq!(status("[]"), Err("the body is not a JSON object".into()));
        assert!(Problem::from_json(&parse("\"text\"").expect("json")).is_none());
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
    fn reads_the_dc_flow_in_native_and_cross_device_form() {
        let native = create(
            r#"{"verificationId":"v","status":"initiated","flowType":"dc",
                "flowDetails":{"request":{"protocol":"org-iso-mdoc","data":{}},
                "callbackUrl":"https://h.example/gateway/dc/v/callback"}}"#,
        )
        .expect("decodes");
        assert_eq!(
            native.flow,
            Flow::Dc {
                callback: Some("https://h.example/gateway/dc/v/callback".into()),
                link: None
            }
        );
        // A callback without a request object is not native mode.
        let linked = create(
            r#"{"verificationId":"v","status":"initiated","flowType":"dc",
                "flowDetails":{"request":"x","callbackUrl":"https://c","qrData":"https://l"}}"#,
        )
        .expect("decodes");
        assert_eq!(
            linked.flow,
            Flow::Dc {
                callback: None,
                link: Some("https://l".into())
            }
        );
        assert_eq!(linked.flow.name(), "dc");
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
