//! The verification session as a state machine: inputs in, effects out.
//!
//! [`Session::handle`] takes one [`Input`] (a decoded response or a fault, a
//! timer tick, a visibility change, a user action) and the current time,
//! updates the state, and returns the [`Effect`]s the shell must carry out, in
//! order. It never performs I/O and never reads a clock; even jitter comes from
//! a seed it is given. So every timing rule is tested by passing times in.
//!
//! One `Session` is one verification: `restart()` is a new `Session`.
//!
//! Rules it keeps, whatever the inputs:
//! - at most one tracked request (create or status) in flight; the next poll
//!   is planned only after the previous answer, `interval` after it (at least
//!   30 s while the page is hidden), never past the deadline;
//! - the widget's one timer either plans the next request or bounds the one in
//!   flight by `requestTimeout`;
//! - transient faults (network, timeout, 408/429/5xx) are retried with
//!   exponential backoff and jitter, at least `Retry-After` apart, until
//!   `maxRetries` consecutive faults or the deadline; permanent ones fail at once;
//! - at the deadline, one last status check decides between the server's
//!   verdict and `Expired`;
//! - exactly one terminal event (`Completed`, `Failed`, `Expired`,
//!   `Cancelled`), after which it returns no effect at all.

use crate::core::api::{CreateResponse, ErrorInfo, FlowDetails, Status, StatusResponse};
use crate::core::config::{Config, RedirectMode, DEFAULT_POLL_INTERVAL};
use crate::core::error::{Error, Failure};
use crate::core::messages::Message;
use crate::core::qr::QrMatrix;
use crate::core::time::{parse_http_date, parse_rfc3339, Millis};

/// The slowest the widget polls while the page is hidden.
pub const HIDDEN_INTERVAL: Millis = 30_000;
/// First retry delay; it doubles with each consecutive fault.
pub const BACKOFF_BASE: Millis = 1_000;
/// The longest retry delay (before `Retry-After`).
pub const BACKOFF_CAP: Millis = 30_000;

/// A decoded 2xx answer and the server's clock when it sent it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply<T> {
    /// The decoded body.
    pub body: T,
    /// The response's `Date` header, used to correct for clock skew.
    pub server_time: Option<Millis>,
}

/// Something that happened, fed to [`Session::handle`].
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Mounting: create a verification (or resume `config.resume`).
    Start,
    /// The answer to [`Request::Create`], or why there is none.
    Created(Result<Reply<CreateResponse>, Error>),
    /// The answer to [`Request::Status`], or why there is none.
    Polled(Result<Reply<StatusResponse>, Error>),
    /// The timer set by [`Effect::Wake`] fired.
    Tick,
    /// The page was hidden or shown.
    Visibility {
        /// `document.hidden`.
        hidden: bool,
    },
    /// `cancel()` or `destroy()`: stop, cancel server-side, `Cancelled`.
    Cancel,
}

/// A request for the shell to send to the backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `POST {endpoint}` with `{providerId}`; answered by [`Input::Created`].
    Create {
        /// The provider to start.
        provider_id: String,
    },
    /// `GET {endpoint}/{verificationId}`; answered by [`Input::Polled`].
    Status {
        /// The verification to ask about.
        verification_id: String,
    },
    /// `DELETE {endpoint}/{verificationId}`: best effort, sent once as the
    /// session ends; its answer is not fed back.
    Cancel {
        /// The verification to cancel.
        verification_id: String,
    },
}

/// What the widget's buttons offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actions {
    /// Show "Cancel".
    pub cancel: bool,
    /// Show "Try again".
    pub try_again: bool,
}

/// Something the shell must do, in the order given.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Send a request; the answer to a create or status request comes back
    /// as an [`Input`].
    Send(Request),
    /// Abort the tracked request in flight; its answer must not be fed back.
    Abort,
    /// Arm the widget's one timer to fire [`Input::Tick`] at this time,
    /// replacing any earlier one.
    Wake {
        /// When, in the same clock as `now`.
        at: Millis,
    },
    /// Disarm the timer.
    ClearTimer,
    /// Paint this QR code (replacing any shown).
    ShowQr(QrMatrix),
    /// Remove the QR code: a finished session's code must not be scanned.
    HideQr,
    /// Show this line of text.
    Say(Message),
    /// Show (or, with `None`, remove) "Open the app on this device".
    AppLink(Option<String>),
    /// Show these buttons.
    Actions(Actions),
    /// Dispatch a cancelable `hopae-redirect`; unless prevented, follow `mode`.
    Redirect {
        /// The verification.
        verification_id: String,
        /// The provider.
        provider_id: String,
        /// An http(s) URL.
        url: String,
        /// Same tab, new tab or event only.
        mode: RedirectMode,
    },
    /// Count down to this time (the session's deadline), or stop counting.
    Countdown(Option<Millis>),
    /// Dispatch this event on the host element.
    Emit(Event),
}

/// An event for the page, dispatched as a `hopae-*` CustomEvent.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// `hopae-initiated`: the backend created a verification.
    Initiated {
        /// Its id.
        verification_id: String,
        /// The provider started.
        provider_id: String,
        /// `qr`, `push`, `redirect`.
        flow_type: String,
        /// RFC 3339, as sent.
        expires_at: Option<String>,
    },
    /// `hopae-status`: the status changed, or the widget fell back to
    /// another provider (`status: "fallback"`).
    Status {
        /// The verification, once created.
        verification_id: Option<String>,
        /// The provider.
        provider_id: String,
        /// The new status, as sent (also one the widget does not know).
        status: String,
        /// With `status: "fallback"`: the provider that was unavailable.
        fallback_from: Option<String>,
    },
    /// `hopae-completed`. The shell adds `verifiedAttributes` from the raw body.
    Completed {
        /// The verification.
        verification_id: String,
        /// The provider that verified the user.
        provider_id: String,
        /// RFC 3339, as sent.
        verified_at: Option<String>,
    },
    /// `hopae-failed`.
    Failed {
        /// The verification, if one was created.
        verification_id: Option<String>,
        /// What went wrong.
        failure: Failure,
    },
    /// `hopae-expired`.
    Expired {
        /// The verification, if one was created.
        verification_id: Option<String>,
    },
    /// `hopae-cancelled`.
    Cancelled {
        /// The verification, if one was created.
        verification_id: Option<String>,
    },
}

impl Event {
    /// Whether this event ends the session.
    pub fn is_terminal(&self) -> bool {
        !matches!(self, Event::Initiated { .. } | Event::Status { .. })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    Create,
    Poll,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    /// A request is in flight.
    Sending(Next),
    /// The timer is armed for the next request.
    Waiting(Next),
    Done,
}

/// One verification, from `Start` to its terminal event.
#[derive(Debug, Clone)]
pub struct Session {
    config: Config,
    phase: Phase,
    verification_id: Option<String>,
    provider_id: String,
    status: Option<String>,
    qr_data: Option<String>,
    /// What to say while all is well (restored after a fault).
    flow_message: Message,
    /// The person was told the connection has trouble.
    degraded: bool,
    interval: Millis,
    started_at: Millis,
    deadline: Millis,
    final_check: bool,
    faults: u32,
    request_deadline: Millis,
    wake_at: Millis,
    last_answer_at: Millis,
    hidden: bool,
    fallbacks_used: usize,
    rng: u64,
    /// The deadline the countdown shows.
    counting_to: Option<Millis>,
}

impl Session {
    /// A session that will start when given [`Input::Start`]. `seed` feeds
    /// the retry jitter (any value; the shell passes a random one).
    pub fn new(config: Config, seed: u64) -> Session {
        Session {
            provider_id: config.provider_id.clone(),
            interval: config.poll_interval.unwrap_or(DEFAULT_POLL_INTERVAL),
            config,
            phase: Phase::Idle,
            verification_id: None,
            status: None,
            qr_data: None,
            flow_message: Message::Starting,
            degraded: false,
            started_at: 0,
            deadline: Millis::MAX,
            final_check: false,
            faults: 0,
            request_deadline: 0,
            wake_at: 0,
            last_answer_at: 0,
            hidden: false,
            fallbacks_used: 0,
            rng: seed | 1,
            counting_to: None,
        }
    }

    /// The verification's id, once created.
    pub fn verification_id(&self) -> Option<&str> {
        self.verification_id.as_deref()
    }

    /// The last status the server reported.
    pub fn status(&self) -> Option<&str> {
        self.status.as_deref()
    }

    /// The provider in use (after any fallback).
    pub fn provider_id(&self) -> &str {
        &self.provider_id
    }

    /// Whether the session has ended.
    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// Whether a create or status request is in flight.
    pub fn in_flight(&self) -> bool {
        matches!(self.phase, Phase::Sending(_))
    }

    /// Whether the timer is armed for a next request.
    pub fn is_waiting(&self) -> bool {
        matches!(self.phase, Phase::Waiting(_))
    }

    /// When the session gives up (`Millis::MAX` before it started).
    pub fn deadline(&self) -> Millis {
        self.deadline
    }

    /// Milliseconds between polls in force (while visible).
    pub fn interval(&self) -> Millis {
        self.interval
    }

    /// Consecutive transient faults so far.
    pub fn faults(&self) -> u32 {
        self.faults
    }

    /// Feeds one input at time `now`; returns what the shell must do.
    pub fn handle(&mut self, input: Input, now: Millis) -> Vec<Effect> {
        let mut out = Vec::new();
        match (self.phase, input) {
            (Phase::Done, _) => {}
            (_, Input::Cancel) => self.cancel(&mut out),
            (_, Input::Visibility { hidden }) => self.on_visibility(hidden, now, &mut out),
            (Phase::Idle, Input::Start) => {
                self.started_at = now;
                self.deadline = now.saturating_add(self.config.timeout);
                out.push(Effect::Actions(Actions {
                    cancel: true,
                    try_again: false,
                }));
                out.push(Effect::Say(Message::Starting));
                match self.config.resume.clone() {
                    Some(id) => {
                        self.verification_id = Some(id);
                        self.flow_message = Message::InProgress;
                        self.send(Next::Poll, now, &mut out);
                    }
                    None => self.send(Next::Create, now, &mut out),
                }
            }
            (Phase::Sending(Next::Create), Input::Created(result)) => match result {
                Ok(reply) => self.on_created(reply, now, &mut out),
                Err(error) => self.on_fault(error, Next::Create, now, &mut out),
            },
            (Phase::Sending(Next::Poll), Input::Polled(result)) => match result {
                Ok(reply) => self.on_status(reply, now, &mut out),
                Err(error) => self.on_fault(error, Next::Poll, now, &mut out),
            },
            (Phase::Sending(next), Input::Tick) => {
                if now >= self.request_deadline {
                    out.push(Effect::Abort);
                    self.on_fault(Error::Timeout, next, now, &mut out);
                } else {
                    out.push(Effect::Wake {
                        at: self.request_deadline,
                    });
                }
            }
            (Phase::Waiting(next), Input::Tick) => {
                if now >= self.wake_at {
                    self.send(next, now, &mut out);
                } else {
                    out.push(Effect::Wake { at: self.wake_at });
                }
            }
            // A second Start, or an answer nobody waits for.
            _ => {}
        }
        out
    }

    fn send(&mut self, next: Next, now: Millis, out: &mut Vec<Effect>) {
        let request = match (next, self.verification_id.clone()) {
            (Next::Create, _) => Request::Create {
                provider_id: self.provider_id.clone(),
            },
            (Next::Poll, Some(verification_id)) => Request::Status { verification_id },
            (Next::Poll, None) => {
                return self.fail(Error::BadShape("no verification id to poll".into()), out)
            }
        };
        self.phase = Phase::Sending(next);
        self.final_check = next == Next::Poll && now >= self.deadline;
        self.request_deadline = now.saturating_add(self.config.request_timeout);
        out.push(Effect::Send(request));
        out.push(Effect::Wake {
            at: self.request_deadline,
        });
    }

    fn on_created(&mut self, reply: Reply<CreateResponse>, now: Millis, out: &mut Vec<Effect>) {
        let body = reply.body;
        if body.verification_id.trim().is_empty() {
            return self.fail(Error::BadShape("`verificationId` is empty".into()), out);
        }
        self.healthy(now, out);
        self.verification_id = Some(body.verification_id.clone());
        if let Some(p) = body.provider_id.filter(|p| !p.is_empty()) {
            self.provider_id = p;
        }
        self.status = Some(body.status.clone());

        // Deadline: the page's timeout, the server's maxDuration and expiresAt.
        if let Some(polling) = body.polling {
            if self.config.poll_interval.is_none() {
                if let Some(ms) = polling.recommended_interval.filter(|v| v.is_finite()) {
                    self.interval = ms.clamp(250.0, 60_000.0) as Millis;
                }
            }
            if let Some(ms) = polling.max_duration.filter(|v| v.is_finite() && *v > 0.0) {
                self.deadline = self
                    .deadline
                    .min(self.started_at.saturating_add(ms as Millis));
            }
        }
        self.bound_by_expiry(body.expires_at.as_deref(), reply.server_time, now);

        let details = body.flow_details.clone().unwrap_or_default();
        let flow = body
            .flow_type
            .clone()
            .unwrap_or_else(|| infer_flow(&details).into());
        match flow.as_str() {
            "qr" => {
                let Some(data) = details.qr_data.clone() else {
                    return self.fail(Error::MissingQrData, out);
                };
                match QrMatrix::encode(&data) {
                    Ok(matrix) => out.push(Effect::ShowQr(matrix)),
                    Err(e) => return self.fail(Error::QrDataTooLong { len: e.len }, out),
                }
                self.qr_data = Some(data);
                self.flow_message = Message::ScanQr;
            }
            "push" => {
                self.flow_message = Message::ConfirmInApp {
                    text: details.message.clone(),
                    code: details.verification_code.clone(),
                };
            }
            "redirect" => {
                let Some(url) = details.authorization_url.clone() else {
                    return self.fail(
                        Error::BadShape(
                            "the redirect flow has no flowDetails.authorizationUrl".into(),
                        ),
                        out,
                    );
                };
                if !is_http_url(&url) {
                    return self.fail(Error::UnsafeUrl(url), out);
                }
                self.flow_message = match self.config.redirect {
                    RedirectMode::SameTab => Message::Redirecting,
                    _ => Message::ContinueInOtherWindow,
                };
                out.push(Effect::Redirect {
                    verification_id: body.verification_id.clone(),
                    provider_id: self.provider_id.clone(),
                    url,
                    mode: self.config.redirect,
                });
            }
            other => return self.fail(Error::UnsupportedFlow(other.into()), out),
        }
        out.push(Effect::Say(self.flow_message.clone()));
        if let Some(link) = app_link(&details) {
            out.push(Effect::AppLink(Some(link)));
        }
        out.push(Effect::Emit(Event::Initiated {
            verification_id: body.verification_id,
            provider_id: self.provider_id.clone(),
            flow_type: flow,
            expires_at: body.expires_at,
        }));
        match Status::parse(&body.status) {
            Some(status) if status.is_terminal() => self.finish(status, None, None, out),
            _ => self.plan_next_poll(now, out),
        }
    }

    fn on_status(&mut self, reply: Reply<StatusResponse>, now: Millis, out: &mut Vec<Effect>) {
        let body = reply.body;
        self.healthy(now, out);
        self.bound_by_expiry(body.expires_at.as_deref(), reply.server_time, now);
        if let Some(p) = body.provider_id.filter(|p| !p.is_empty()) {
            self.provider_id = p;
        }
        let status = Status::parse(&body.status);
        if self.status.as_deref() != Some(body.status.as_str()) {
            self.status = Some(body.status.clone());
            if !status.is_some_and(Status::is_terminal) {
                out.push(Effect::Emit(Event::Status {
                    verification_id: self.verification_id.clone(),
                    provider_id: self.provider_id.clone(),
                    status: body.status.clone(),
                    fallback_from: None,
                }));
                if matches!(status, Some(Status::Authenticating | Status::Processing)) {
                    self.flow_message = Message::InProgress;
                    out.push(Effect::Say(Message::InProgress));
                }
            }
        }
        if let Some(status) = status.filter(|s| s.is_terminal()) {
            return self.finish(status, body.verified_at, body.error, out);
        }
        // An animated QR: a changed qrData is a new code to paint at once.
        if let Some(data) = body.flow_details.and_then(|f| f.qr_data) {
            if self.qr_data.as_deref() != Some(data.as_str()) {
                match QrMatrix::encode(&data) {
                    Ok(matrix) => out.push(Effect::ShowQr(matrix)),
                    Err(e) => return self.fail(Error::QrDataTooLong { len: e.len }, out),
                }
                self.qr_data = Some(data);
            }
        }
        if self.final_check {
            return self.end(
                Message::Expired,
                Event::Expired {
                    verification_id: self.verification_id.clone(),
                },
                true,
                out,
            );
        }
        self.plan_next_poll(now, out);
    }

    fn on_fault(&mut self, error: Error, next: Next, now: Millis, out: &mut Vec<Effect>) {
        if next == Next::Create
            && error.is_provider_unavailable()
            && self.fallbacks_used < self.config.fallback_providers.len()
        {
            let Some(fallback) = self
                .config
                .fallback_providers
                .get(self.fallbacks_used)
                .cloned()
            else {
                return self.fail(error, out);
            };
            self.fallbacks_used += 1;
            let previous = core::mem::replace(&mut self.provider_id, fallback);
            self.faults = 0;
            out.push(Effect::Emit(Event::Status {
                verification_id: None,
                provider_id: self.provider_id.clone(),
                status: "fallback".into(),
                fallback_from: Some(previous),
            }));
            return self.send(Next::Create, now, out);
        }
        if !error.is_transient() || self.final_check {
            return self.fail(error, out);
        }
        self.faults += 1;
        if self.faults > self.config.max_retries {
            return self.fail(error, out);
        }
        let mut delay = self.backoff();
        if let Some(after) = error.retry_after().and_then(|h| retry_after(h, now)) {
            delay = delay.max(after);
        }
        let mut at = now.saturating_add(delay);
        if at >= self.deadline {
            if next == Next::Create {
                return self.fail(error, out);
            }
            // The retry becomes the last check at the deadline.
            at = self.deadline.max(now);
        }
        if !self.degraded {
            self.degraded = true;
            out.push(Effect::Say(Message::Reconnecting));
        }
        self.phase = Phase::Waiting(next);
        self.wake_at = at;
        out.push(Effect::Wake { at });
    }

    fn on_visibility(&mut self, hidden: bool, now: Millis, out: &mut Vec<Effect>) {
        if self.hidden == hidden {
            return;
        }
        self.hidden = hidden;
        if self.phase != Phase::Waiting(Next::Poll) {
            return;
        }
        if hidden {
            let at = self
                .last_answer_at
                .saturating_add(HIDDEN_INTERVAL)
                .min(self.deadline)
                .max(now);
            if at > self.wake_at {
                self.wake_at = at;
                out.push(Effect::Wake { at });
            }
        } else {
            // Back in view: the person may have just approved; ask at once.
            self.send(Next::Poll, now, out);
        }
    }

    fn cancel(&mut self, out: &mut Vec<Effect>) {
        if self.in_flight() {
            out.push(Effect::Abort);
        }
        let verification_id = self.verification_id.clone();
        if let Some(id) = verification_id.clone() {
            out.push(Effect::Send(Request::Cancel {
                verification_id: id,
            }));
        }
        self.end(
            Message::Cancelled,
            Event::Cancelled { verification_id },
            true,
            out,
        );
    }

    /// An answer arrived: the connection is fine again.
    fn healthy(&mut self, now: Millis, out: &mut Vec<Effect>) {
        self.faults = 0;
        self.last_answer_at = now;
        if self.degraded {
            self.degraded = false;
            out.push(Effect::Say(self.flow_message.clone()));
        }
    }

    fn bound_by_expiry(
        &mut self,
        expires_at: Option<&str>,
        server_time: Option<Millis>,
        now: Millis,
    ) {
        if let Some(expires) = expires_at.and_then(parse_rfc3339) {
            // Move the server's expiresAt onto the browser's clock.
            let skew = server_time.map_or(0, |s| s as i128 - now as i128);
            let local = (expires as i128 - skew).clamp(0, Millis::MAX as i128) as Millis;
            self.deadline = self.deadline.min(local);
        }
    }

    fn plan_next_poll(&mut self, now: Millis, out: &mut Vec<Effect>) {
        if self.counting_to != Some(self.deadline) {
            self.counting_to = Some(self.deadline);
            out.push(Effect::Countdown(Some(self.deadline)));
        }
        let interval = if self.hidden {
            self.interval.max(HIDDEN_INTERVAL)
        } else {
            self.interval
        };
        let at = now.saturating_add(interval).min(self.deadline.max(now));
        self.phase = Phase::Waiting(Next::Poll);
        self.wake_at = at;
        out.push(Effect::Wake { at });
    }

    /// Exponential backoff with "equal jitter": half the step fixed, half random.
    fn backoff(&mut self) -> Millis {
        let exponent = self.faults.saturating_sub(1).min(16);
        let step = BACKOFF_BASE.saturating_mul(1 << exponent).min(BACKOFF_CAP);
        // xorshift64: enough to spread retries of many widgets apart.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        step / 2 + self.rng % (step / 2 + 1)
    }

    fn finish(
        &mut self,
        status: Status,
        verified_at: Option<String>,
        error: Option<ErrorInfo>,
        out: &mut Vec<Effect>,
    ) {
        let verification_id = self.verification_id.clone();
        match status {
            Status::Completed => self.end(
                Message::Completed,
                Event::Completed {
                    verification_id: verification_id.unwrap_or_default(),
                    provider_id: self.provider_id.clone(),
                    verified_at,
                },
                false,
                out,
            ),
            Status::Expired => self.end(
                Message::Expired,
                Event::Expired { verification_id },
                true,
                out,
            ),
            Status::Cancelled => self.end(
                Message::Cancelled,
                Event::Cancelled { verification_id },
                true,
                out,
            ),
            _ => {
                let error = error.unwrap_or_default();
                self.fail(
                    Error::VerificationFailed {
                        code: error.code,
                        message: error.message,
                    },
                    out,
                )
            }
        }
    }

    fn fail(&mut self, error: Error, out: &mut Vec<Effect>) {
        let failure = error.to_failure();
        self.end(
            Message::Failed(failure.kind()),
            Event::Failed {
                verification_id: self.verification_id.clone(),
                failure,
            },
            true,
            out,
        );
    }

    fn end(&mut self, message: Message, event: Event, try_again: bool, out: &mut Vec<Effect>) {
        self.phase = Phase::Done;
        out.push(Effect::ClearTimer);
        if self.counting_to.take().is_some() {
            out.push(Effect::Countdown(None));
        }
        out.push(Effect::HideQr);
        out.push(Effect::AppLink(None));
        out.push(Effect::Say(message));
        out.push(Effect::Actions(Actions {
            cancel: false,
            try_again,
        }));
        out.push(Effect::Emit(event));
    }
}

fn infer_flow(details: &FlowDetails) -> &'static str {
    if details.qr_data.is_some() {
        "qr"
    } else if details.authorization_url.is_some() {
        "redirect"
    } else {
        "push"
    }
}

/// `http:` or `https:` with a host: the only URLs the widget navigates to.
pub fn is_http_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// Whether a same-device link is safe to put in an `href`: an app scheme
/// (`bankid:`, `smartid:`) or http(s), never script, data or file URLs.
pub fn is_safe_app_link(url: &str) -> bool {
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) || url.len() > 2048 {
        return false;
    }
    let Some((scheme, rest)) = url.split_once(':') else {
        return false;
    };
    let scheme = scheme.to_ascii_lowercase();
    let well_formed = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    well_formed
        && !rest.is_empty()
        && !matches!(
            scheme.as_str(),
            "javascript" | "data" | "vbscript" | "file" | "blob" | "about" | "filesystem"
        )
}

/// "Open the app on this device": BankID's autostart link, else the
/// provider's deeplink or link.
fn app_link(details: &FlowDetails) -> Option<String> {
    if let Some(token) = &details.auto_start_token {
        let safe = !token.is_empty()
            && token.len() <= 128
            && token
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-');
        if safe {
            return Some(format!(
                "https://app.bankid.com/?autostarttoken={token}&redirect=null"
            ));
        }
    }
    [&details.deeplink, &details.link_data]
        .into_iter()
        .flatten()
        .find(|link| is_safe_app_link(link))
        .cloned()
}

/// `Retry-After` in milliseconds from now: delta-seconds or an HTTP date.
fn retry_after(header: &str, now: Millis) -> Option<Millis> {
    let header = header.trim();
    if let Ok(seconds) = header.parse::<u64>() {
        return Some(seconds.saturating_mul(1000));
    }
    parse_http_date(header).map(|at| at.saturating_sub(now))
}
