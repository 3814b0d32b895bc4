//! What the widget says to the person in front of it.
//!
//! The session picks a [`Message`]; this module turns it into words. Only
//! English is built in so far; the words live here and nowhere else so that
//! other locales can be added in one place.

/// A line of text the widget shows under the QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// The create request is under way.
    Starting,
    /// A QR code is showing.
    ScanQr,
    /// A push was sent to the user's app; `code` is the one to compare.
    ConfirmInApp {
        /// The provider's own instruction, if it sent one.
        text: Option<String>,
        /// The verification code the app also shows.
        code: Option<String>,
    },
    /// The user has acted; the provider is working.
    InProgress,
    /// The page is about to go to the provider.
    Redirecting,
    /// The provider opened in another tab or window.
    ContinueInOtherWindow,
    /// Requests are failing; the widget keeps trying.
    Reconnecting,
    /// Verified.
    Completed,
    /// It failed; the text is the failure's message.
    Failed(String),
    /// Nobody finished in time.
    Expired,
    /// It was cancelled.
    Cancelled,
}

impl Message {
    /// The English text.
    pub fn text(&self) -> String {
        match self {
            Message::Starting => "Starting verification…".into(),
            Message::ScanQr => "Scan the QR code with your eID app.".into(),
            Message::ConfirmInApp { text, code } => {
                let mut s = text
                    .clone()
                    .unwrap_or_else(|| "Confirm the request in your eID app.".into());
                if let Some(code) = code {
                    s.push_str(" Code: ");
                    s.push_str(code);
                }
                s
            }
            Message::InProgress => "Continue in your eID app…".into(),
            Message::Redirecting => "Taking you to your eID provider…".into(),
            Message::ContinueInOtherWindow => "Continue in the window that opened.".into(),
            Message::Reconnecting => "Connection problem. Trying again…".into(),
            Message::Completed => "Verified.".into(),
            Message::Failed(why) => why.clone(),
            Message::Expired => "The verification expired.".into(),
            Message::Cancelled => "The verification was cancelled.".into(),
        }
    }
}
