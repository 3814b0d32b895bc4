//! The verification session as a state machine: inputs in, effects out.
//!
//! The shell feeds one [`Input`] with [`Session::handle_input`] (a decoded
//! response or a fault, a timer tick, a visibility change, a user action, a
//! failure of its own) and the current time, then pulls the [`Effect`]s it
//! must carry out one at a time with [`Session::poll_effect`]. Pulling one at a
//! time matters: an effect can run page code (an event listener) that feeds
//! another input, such as `cancel()`; that input rewrites what is still
//! queued, so an effect made stale by it never runs. The session never
//! performs I/O and never reads a clock; even jitter comes from a seed it is
//! given. So every timing rule is tested by passing times in.
//!
//! One `Session` is one verification: `restart()` is a new `Session`
//! ([`Session::renew`]).
//!
//! Rules it keeps, whatever the inputs:
//! - at most one tracked request (create or status) in flight; the next poll
//!   is planned only after the previous answer, `interval` after it (at least
//!   30 s while the page is hidden), never past the deadline;
//! - one wake-up at a time: it either plans the next request or bounds the one
//!   in flight by `requestTimeout` (the countdown's redraws are the shell's);
//! - transient faults (network, timeout, 408/429/5xx) are retried with
//!   exponential backoff and jitter, at least `Retry-After` apart, until
//!   `maxRetries` consecutive faults or the deadline; permanent ones fail at once;
//! - at the deadline, one last status check decides between the server's
//!   verdict and `Expired` (and an expired verification is cancelled upstream);
//! - exactly one terminal event (`Completed`, `Failed`, `Expired`,
//!   `Cancelled`), the last effect of all: nothing is queued after it.

use std::rc::Rc;

use crate::core::api::{
    Action, ActionKind, Code, CreateResponse, ErrorInfo, Flow, FlowDetails, Status, StatusResponse,
};
use crate::core::config::{Config, RedirectMode, DEFAULT_POLL_INTERVAL};
use crate::core::error::{Error, Failure};
use crate::core::messages::Message;
use crate::core::qr::QrMatrix;
use crate::core::time::{parse_http_date, parse_rfc3339, uint, Millis};
use crate::core::userdata::{self, Field};

/// The slowest the widget polls while the page is hidden.
pub const HIDDEN_INTERVAL: Millis = 30_000;
/// The status interval while an animated QR code is on a visible page.
pub const ANIMATED_INTERVAL: Millis = 1_000;
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
    /// When the answer arrived, by the shell's clock, if that was before it
    /// was fed: the create js/mount.js started and read before the widget's
    /// module was ready. Its age counts: the next poll and the clock-skew
    /// correction count from here (an animated code painted from it is as
    /// old as the answer). `None`: it arrived now.
    pub received: Option<Millis>,
}

/// Something that happened, fed to [`Session::handle_input`].
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Mounting: create a verification (or resume `config.resume`).
    Start,
    /// The answer to [`Request::Create`], or why there is none.
    Created(Result<Reply<CreateResponse>, Error>),
    /// The answer to [`Request::Status`], or why there is none.
    Polled(Result<Reply<StatusResponse>, Error>),
    /// The wake-up set by [`Effect::Wake`] fired.
    Tick,
    /// The page was hidden or shown.
    Visibility {
        /// `document.hidden`.
        hidden: bool,
    },
    /// `cancel()` or `destroy()`: stop, cancel server-side, `Cancelled`.
    Cancel,
    /// The shell could not carry out an effect (painting the QR code failed):
    /// the person cannot do what the widget asks, so the session fails with
    /// `display_error`. Accepted in every phase but the end.
    ShellFailed(String),
    /// The person submitted the user-data form: one value per field of
    /// [`Effect::Form`], in order.
    UserData(Vec<String>),
    /// [`Effect::Credential`] is done: the credential was posted (`Ok`), or
    /// the name of the reason it was not (`NotSupportedError` when the
    /// browser has no Digital Credentials API, `NotAllowedError` when the
    /// person dismissed the prompt, `NetworkError` when the post failed).
    Credential(Result<(), String>),
}

/// A request for the shell to send to the backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `POST {endpoint}` with `{providerId}`; answered by [`Input::Created`].
    /// The shell sends an `Idempotency-Key` header: a new one when `retry`
    /// is false, the previous create's when it is true, so a backend that
    /// already created the verification answers with that one.
    Create {
        /// The provider to start.
        provider_id: String,
        /// A retry of the previous create (same provider, same attempt).
        retry: bool,
        /// `userData` the person typed into the form (else the shell sends
        /// the page's `userData` option, if any).
        user_data: Vec<(&'static str, String)>,
    },
    /// `GET {endpoint}/{verificationId}`; answered by [`Input::Polled`].
    Status {
        /// The verification to ask about.
        verification_id: String,
    },
    /// `DELETE {endpoint}/{verificationId}`: best effort, sent once as the
    /// session ends (cancelled, or expired locally); its answer is not fed back.
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

/// Something the shell must do, pulled one at a time with
/// [`Session::poll_effect`].
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Send a request; the answer to a create or status request comes back
    /// as an [`Input`].
    Send(Request),
    /// Abort the status request in flight; its answer must not be fed back.
    /// (A create in flight is never aborted by a cancel: the shell lets it
    /// answer and cancels the verification it created, so none is left open.)
    Abort,
    /// Arm the session's one wake-up to fire [`Input::Tick`] at this time,
    /// replacing any earlier one.
    Wake {
        /// When, in the same clock as `now`.
        at: Millis,
    },
    /// Disarm the wake-up.
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
    /// Show the user-data form (again, with the invalid fields marked), or
    /// remove it.
    Form(Option<Form>),
    /// Ask the browser for a digital credential with the create answer's
    /// `flowDetails.request` (`navigator.credentials.get({digital: {requests:
    /// [request]}})`) and post `{credential: {protocol, data}}` to `url`;
    /// answered by [`Input::Credential`].
    Credential {
        /// `flowDetails.callbackUrl` (http or https).
        url: String,
    },
}

/// The user-data form: the provider's fields and which values were refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// The fields, in order.
    pub fields: &'static [Field],
    /// `true` where the value typed does not have the field's format.
    pub invalid: Vec<bool>,
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
        match self {
            Event::Initiated { .. } | Event::Status { .. } => false,
            Event::Completed { .. }
            | Event::Failed { .. }
            | Event::Expired { .. }
            | Event::Cancelled { .. } => true,
        }
    }
}

/// The kind of tracked request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    Create,
    Poll,
}

/// Where the session is, with what only that phase needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Not started.
    Idle,
    /// The user-data form is showing.
    Asking,
    /// A request is in flight; it counts as a fault at `deadline`.
    Sending {
        next: Next,
        deadline: Millis,
        /// The status check at the session's deadline: its answer decides.
        last: bool,
    },
    /// The wake-up is armed for the next request at `at`.
    Waiting { next: Next, at: Millis },
    /// The terminal event has been queued.
    Done,
}

/// One verification, from `Start` to its terminal event.
#[derive(Debug, Clone)]
pub struct Session {
    config: Rc<Config>,
    phase: Phase,
    /// Effects not yet pulled by the shell.
    /// (A `Vec`, front first: a few entries, and no `VecDeque` code in the wasm.)
    queue: Vec<Effect>,
    verification_id: Option<String>,
    provider_id: String,
    status: Option<String>,
    /// The QR payload on screen.
    qr_data: Option<String>,
    /// What to say while all is well (restored after a fault).
    flow_message: Message,
    /// The person was told the connection has trouble.
    degraded: bool,
    interval: Millis,
    /// The server sent `polling.recommendedInterval`: it is followed as is.
    recommended: bool,
    started_at: Millis,
    deadline: Millis,
    faults: u32,
    last_answer_at: Millis,
    hidden: bool,
    fallbacks_used: usize,
    rng: u64,
    /// The deadline the countdown shows.
    counting_to: Option<Millis>,
    /// The last `action` carried out (each is carried out once).
    action: Option<Action>,
    /// What the person typed into the form, for the create and its retries.
    user_data: Vec<(&'static str, String)>,
    form_shown: bool,
}

impl Session {
    /// A session that will start when given [`Input::Start`]. `seed` feeds
    /// the retry jitter (any value; the shell passes a random one).
    pub fn new(config: Config, seed: u64) -> Session {
        Session::with_config(Rc::new(config), seed)
    }

    fn with_config(config: Rc<Config>, seed: u64) -> Session {
        Session {
            provider_id: config.provider_id.clone(),
            interval: config.poll_interval.unwrap_or(DEFAULT_POLL_INTERVAL),
            recommended: false,
            config,
            phase: Phase::Idle,
            queue: Vec::new(),
            verification_id: None,
            status: None,
            qr_data: None,
            flow_message: Message::Starting,
            degraded: false,
            started_at: 0,
            deadline: Millis::MAX,
            faults: 0,
            last_answer_at: 0,
            hidden: false,
            fallbacks_used: 0,
            rng: seed | 1,
            counting_to: None,
            action: None,
            user_data: Vec::new(),
            form_shown: false,
        }
    }

    /// A new session with the same options (for `restart()`).
    pub fn renew(&self, seed: u64) -> Session {
        Session::with_config(self.config.clone(), seed)
    }

    /// The options in force.
    pub fn config(&self) -> &Config {
        &self.config
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
        matches!(self.phase, Phase::Sending { .. })
    }

    /// Whether the wake-up is armed for a next request.
    pub fn is_waiting(&self) -> bool {
        matches!(self.phase, Phase::Waiting { .. })
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

    /// The next effect to carry out, if any. Pull until `None` after each
    /// input; an input fed meanwhile (from a listener) updates the queue.
    pub fn poll_effect(&mut self) -> Option<Effect> {
        (!self.queue.is_empty()).then(|| self.queue.remove(0))
    }

    /// Feeds one input and returns every effect it queued at once: for tests
    /// and shells that run no page code between effects.
    pub fn handle(&mut self, input: Input, now: Millis) -> Vec<Effect> {
        self.handle_input(input, now);
        core::mem::take(&mut self.queue)
    }

    /// Feeds one input at time `now`; pull what to do with [`Session::poll_effect`].
    pub fn handle_input(&mut self, input: Input, now: Millis) {
        let was_done = self.is_done();
        let earlier = self.queue.len();
        self.dispatch(input, now);
        if self.is_done() && !was_done {
            // This input ended the session while effects of an earlier one
            // were still queued (a listener called `cancel()` in the middle):
            // they are stale, and must never run.
            self.queue = self.queue.split_off(earlier);
        }
    }

    fn dispatch(&mut self, input: Input, now: Millis) {
        match (self.phase, input) {
            // After the terminal event nothing changes, whatever arrives.
            (Phase::Done, _) => {}
            (_, Input::Cancel) => self.cancel(),
            (_, Input::ShellFailed(why)) => self.fail(Error::Display(why)),
            (_, Input::Visibility { hidden }) => self.on_visibility(hidden, now),
            (Phase::Idle, Input::Start) => self.start(now),
            (Phase::Asking, Input::UserData(values)) => self.on_user_data(values, now),
            (Phase::Sending { .. } | Phase::Waiting { .. }, Input::Credential(result)) => {
                self.on_credential(result)
            }
            (Phase::Idle | Phase::Asking, Input::Credential(_)) => {}
            // Nothing was asked yet, so nothing can answer or wake.
            (Phase::Idle | Phase::Asking, Input::Created(_) | Input::Polled(_) | Input::Tick) => {}
            // Started already.
            (Phase::Sending { .. } | Phase::Waiting { .. } | Phase::Asking, Input::Start) => {}
            // No form is showing.
            (Phase::Idle | Phase::Sending { .. } | Phase::Waiting { .. }, Input::UserData(_)) => {}
            (
                Phase::Sending {
                    next: Next::Create, ..
                },
                Input::Created(result),
            ) => match result {
                Ok(reply) => self.on_created(reply, now),
                Err(error) => self.on_fault(error, Next::Create, now),
            },
            (
                Phase::Sending {
                    next: Next::Poll, ..
                },
                Input::Polled(result),
            ) => match result {
                Ok(reply) => self.on_status(reply, now),
                Err(error) => self.on_fault(error, Next::Poll, now),
            },
            // The answer to a request that is not the one in flight (the
            // shell drops those; a stray one changes nothing).
            (
                Phase::Sending {
                    next: Next::Create, ..
                },
                Input::Polled(_),
            )
            | (
                Phase::Sending {
                    next: Next::Poll, ..
                },
                Input::Created(_),
            )
            | (Phase::Waiting { .. }, Input::Created(_) | Input::Polled(_)) => {}
            (Phase::Sending { next, deadline, .. }, Input::Tick) => {
                if now >= deadline {
                    self.push(Effect::Abort);
                    self.on_fault(Error::Timeout, next, now);
                } else {
                    self.push(Effect::Wake { at: deadline });
                }
            }
            (Phase::Waiting { next, at }, Input::Tick) => {
                if now >= at {
                    // Waiting to create again only follows a fault: a retry.
                    self.send(next, next == Next::Create, now);
                } else {
                    self.push(Effect::Wake { at });
                }
            }
        }
    }

    fn push(&mut self, effect: Effect) {
        self.queue.push(effect);
    }

    fn start(&mut self, now: Millis) {
        self.started_at = now;
        self.deadline = now.saturating_add(self.config.timeout);
        self.push(Effect::Actions(Actions {
            cancel: true,
            try_again: false,
        }));
        self.push(Effect::Say(Message::Starting));
        let fields = userdata::fields(&self.provider_id);
        match self.config.resume.clone() {
            Some(id) => {
                self.verification_id = Some(id);
                self.flow_message = Message::InProgress;
                self.send(Next::Poll, false, now);
            }
            // The provider needs data the page did not give: ask first.
            None if !fields.is_empty()
                && !self.config.user_data
                && self.config.require_user_data =>
            {
                self.phase = Phase::Asking;
                self.form_shown = true;
                self.push(Effect::Say(Message::AskUserData));
                self.push(Effect::Form(Some(Form {
                    fields,
                    invalid: Vec::new(),
                })));
            }
            None => self.send(Next::Create, false, now),
        }
    }

    fn on_user_data(&mut self, values: Vec<String>, now: Millis) {
        let fields = userdata::fields(&self.provider_id);
        // Plain loops: iterator chains with `collect` cost the wasm more.
        let mut user_data = Vec::new();
        let mut invalid = Vec::new();
        for (i, field) in fields.iter().enumerate() {
            let value = userdata::normalize(field, values.get(i).map_or("", String::as_str));
            invalid.push(!field.valid(&value));
            user_data.push((field.name, value));
        }
        if invalid.contains(&true) {
            self.push(Effect::Form(Some(Form { fields, invalid })));
            return;
        }
        self.user_data = user_data;
        self.form_shown = false;
        self.push(Effect::Form(None));
        self.push(Effect::Say(Message::Starting));
        // The time limit counts from now, not from when the form appeared.
        self.started_at = now;
        self.deadline = now.saturating_add(self.config.timeout);
        self.send(Next::Create, false, now);
    }

    fn send(&mut self, next: Next, retry: bool, now: Millis) {
        let request = match (next, self.verification_id.clone()) {
            (Next::Create, _) => Request::Create {
                provider_id: self.provider_id.clone(),
                retry,
                user_data: self.user_data.clone(),
            },
            (Next::Poll, Some(verification_id)) => Request::Status { verification_id },
            (Next::Poll, None) => {
                return self.fail(Error::BadShape("no verification id to poll".into()))
            }
        };
        let deadline = now.saturating_add(self.config.request_timeout);
        self.phase = Phase::Sending {
            next,
            deadline,
            last: next == Next::Poll && now >= self.deadline,
        };
        self.push(Effect::Send(request));
        self.push(Effect::Wake { at: deadline });
    }

    fn on_created(&mut self, reply: Reply<CreateResponse>, now: Millis) {
        // Fields are taken, never moved out: `body` stays whole, so each
        // early return drops it with one call, not field by field.
        let mut body = reply.body;
        if body.verification_id.trim().is_empty() {
            return self.fail(Error::BadShape("`verificationId` is empty".into()));
        }
        self.healthy(now);
        self.verification_id = Some(body.verification_id.clone());
        if let Some(p) = body.provider_id.take().filter(|p| !p.is_empty()) {
            self.provider_id = p;
        }
        self.status = Some(body.status.clone());

        // Deadline: the page's timeout, the server's maxDuration and expiresAt.
        if let Some(polling) = body.polling {
            if self.config.poll_interval.is_none() {
                if let Some(ms) = polling.recommended_interval.filter(|v| v.is_finite()) {
                    self.interval = ms.clamp(250.0, 60_000.0) as Millis;
                    self.recommended = true;
                }
            }
            if let Some(ms) = polling.max_duration.filter(|v| v.is_finite() && *v > 0.0) {
                self.deadline = self
                    .deadline
                    .min(self.started_at.saturating_add(ms as Millis));
            }
        }
        let arrived = reply.received.map_or(now, |at| at.min(now));
        self.bound_by_expiry(body.expires_at.as_deref(), reply.server_time, arrived);

        let flow_type = body.flow.name().to_owned();
        match core::mem::replace(&mut body.flow, Flow::Other(String::new())) {
            // A `dc` answer without native mode: its cross-device link.
            Flow::Qr { data }
            | Flow::Dc {
                callback: None,
                link: Some(data),
            } => {
                if !self.show_qr(data) {
                    return;
                }
            }
            Flow::Push { message, code } => {
                self.flow_message = Message::ConfirmInApp {
                    text: message,
                    code,
                };
            }
            Flow::Redirect { url } => {
                if !is_http_url(&url) {
                    return self.fail(Error::UnsafeUrl(url));
                }
                self.flow_message = match self.config.redirect {
                    RedirectMode::SameTab => Message::Redirecting,
                    RedirectMode::NewTab | RedirectMode::EventOnly => {
                        Message::ContinueInOtherWindow
                    }
                };
                self.push(Effect::Redirect {
                    verification_id: body.verification_id.clone(),
                    provider_id: self.provider_id.clone(),
                    url,
                    mode: self.config.redirect,
                });
            }
            // Native mode: the browser presents the credential, the status
            // polls on to completion. Without an answer the browser can use,
            // the cross-device link is painted as a QR code.
            Flow::Dc {
                callback: Some(url),
                link,
            } => {
                if !is_http_url(&url) {
                    return self.fail(Error::UnsafeUrl(url));
                }
                self.qr_data = link;
                self.flow_message = Message::InProgress;
                self.push(Effect::Credential { url });
            }
            Flow::Dc { .. } => return self.fail(Error::UnsupportedFlow("dc".into())),
            Flow::Other(other) => return self.fail(Error::UnsupportedFlow(other)),
        }
        self.push(Effect::Say(self.flow_message.clone()));
        if let Some(link) = app_link(&body.flow_details) {
            self.push(Effect::AppLink(Some(link)));
        }
        if let Some(action) = body.action.take() {
            if !self.on_action(action) {
                return;
            }
        }
        let terminal = Status::parse(&body.status).filter(|s| s.is_terminal());
        if terminal.is_none() {
            // Planned before the event: a listener that cancels replaces it.
            self.plan_next_poll(arrived, now);
        }
        self.push(Effect::Emit(Event::Initiated {
            verification_id: core::mem::take(&mut body.verification_id),
            provider_id: self.provider_id.clone(),
            flow_type,
            expires_at: body.expires_at.take(),
        }));
        if let Some(status) = terminal {
            self.finish(status, None, None);
        }
    }

    fn on_status(&mut self, reply: Reply<StatusResponse>, now: Millis) {
        // Taken, never moved out (see `on_created`).
        let mut body = reply.body;
        let last = matches!(self.phase, Phase::Sending { last: true, .. });
        self.healthy(now);
        self.bound_by_expiry(body.expires_at.as_deref(), reply.server_time, now);
        if let Some(p) = body.provider_id.take().filter(|p| !p.is_empty()) {
            self.provider_id = p;
        }
        let status = Status::parse(&body.status);
        if let Some(status) = status.filter(|s| s.is_terminal()) {
            self.status = Some(core::mem::take(&mut body.status));
            return self.finish(status, body.verified_at.take(), body.error.take());
        }
        // An animated QR: a changed qrData is a new code to paint at once.
        if let Some(data) = body.flow_details.qr_data.take() {
            if self.qr_data.as_deref() != Some(data.as_str()) {
                match QrMatrix::encode(&data) {
                    Ok(matrix) => self.push(Effect::ShowQr(matrix)),
                    Err(e) => return self.fail(Error::QrDataTooLong { len: e.len }),
                }
                self.qr_data = Some(data);
            }
        }
        if let Some(action) = body.action.take() {
            if !self.on_action(action) {
                return;
            }
        }
        let changed = self.status.as_deref() != Some(body.status.as_str());
        if changed {
            self.status = Some(body.status.clone());
            if matches!(status, Some(Status::Authenticating | Status::Processing)) {
                self.flow_message = Message::InProgress;
                self.push(Effect::Say(Message::InProgress));
            }
        }
        if last {
            if changed {
                self.emit_status(body.status);
            }
            // Nobody finished in time: cancel it upstream too.
            return self.expire();
        }
        self.plan_next_poll(now, now);
        if changed {
            self.emit_status(body.status);
        }
    }

    /// Carries out a mid-flow `action` once; `false` if it failed the session.
    fn on_action(&mut self, action: Action) -> bool {
        if self.action.as_ref() == Some(&action) {
            return true;
        }
        let (kind, url) = (action.kind, action.url.clone());
        // The action's own words, if any, replace what each kind would say.
        let words = action.message.clone().filter(|m| !m.trim().is_empty());
        self.action = Some(action);
        match (kind, url) {
            (ActionKind::Redirect, Some(url)) => {
                if !is_http_url(&url) {
                    self.fail(Error::UnsafeUrl(url));
                    return false;
                }
                self.flow_message = match self.config.redirect {
                    RedirectMode::SameTab => Message::Redirecting,
                    RedirectMode::NewTab | RedirectMode::EventOnly => {
                        Message::ContinueInOtherWindow
                    }
                };
                self.push(Effect::Redirect {
                    verification_id: self.verification_id.clone().unwrap_or_default(),
                    provider_id: self.provider_id.clone(),
                    url,
                    mode: self.config.redirect,
                });
            }
            (ActionKind::Qr, Some(data)) => {
                if !self.show_qr(data) {
                    return false;
                }
            }
            (ActionKind::Deeplink, Some(url)) => {
                if is_safe_app_link(&url) {
                    self.push(Effect::AppLink(Some(url)));
                }
            }
            (ActionKind::Push, _) => {
                self.flow_message = Message::ConfirmInApp {
                    text: None,
                    code: None,
                };
            }
            // Nothing to open or show: its words, if any.
            (ActionKind::Redirect | ActionKind::Qr | ActionKind::Deeplink, None) => {}
        }
        if let Some(text) = words {
            self.flow_message = Message::ConfirmInApp {
                text: Some(text),
                code: None,
            };
        }
        self.push(Effect::Say(self.flow_message.clone()));
        true
    }

    fn emit_status(&mut self, status: String) {
        self.push(Effect::Emit(Event::Status {
            verification_id: self.verification_id.clone(),
            provider_id: self.provider_id.clone(),
            status,
            fallback_from: None,
        }));
    }

    fn on_fault(&mut self, error: Error, next: Next, now: Millis) {
        let last = matches!(self.phase, Phase::Sending { last: true, .. });
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
                return self.fail(error);
            };
            self.fallbacks_used += 1;
            let previous = core::mem::replace(&mut self.provider_id, fallback);
            self.faults = 0;
            // A new attempt (another provider): a new idempotency key.
            self.send(Next::Create, false, now);
            self.push(Effect::Emit(Event::Status {
                verification_id: None,
                provider_id: self.provider_id.clone(),
                status: "fallback".into(),
                fallback_from: Some(previous),
            }));
            return;
        }
        if !error.is_transient() || last {
            return self.fail(error);
        }
        self.faults += 1;
        if self.faults > self.config.max_retries {
            return self.fail(error);
        }
        let mut delay = self.backoff();
        if let Some(after) = error.retry_after().and_then(|h| retry_after(h, now)) {
            delay = delay.max(after);
        }
        let mut at = now.saturating_add(delay);
        if at >= self.deadline {
            if next == Next::Create {
                return self.fail(error);
            }
            // The retry becomes the last check at the deadline.
            at = self.deadline.max(now);
        }
        if !self.degraded {
            self.degraded = true;
            self.push(Effect::Say(Message::Reconnecting));
        }
        self.phase = Phase::Waiting { next, at };
        self.push(Effect::Wake { at });
    }

    fn on_visibility(&mut self, hidden: bool, now: Millis) {
        if self.hidden == hidden {
            return;
        }
        self.hidden = hidden;
        let Phase::Waiting {
            next: Next::Poll,
            at,
        } = self.phase
        else {
            return;
        };
        if hidden {
            let later = self
                .last_answer_at
                .saturating_add(HIDDEN_INTERVAL)
                .min(self.deadline)
                .max(now);
            if later > at {
                self.phase = Phase::Waiting {
                    next: Next::Poll,
                    at: later,
                };
                self.push(Effect::Wake { at: later });
            }
        } else {
            // Back in view: the person may have just approved; ask at once.
            self.send(Next::Poll, false, now);
        }
    }

    fn cancel(&mut self) {
        if matches!(
            self.phase,
            Phase::Sending {
                next: Next::Poll,
                ..
            }
        ) {
            self.push(Effect::Abort);
        }
        self.cancel_upstream();
        self.end(
            Message::Cancelled,
            Event::Cancelled {
                verification_id: self.verification_id.clone(),
            },
            true,
        );
    }

    /// The session's time is up and the server has no verdict.
    fn expire(&mut self) {
        self.cancel_upstream();
        let verification_id = self.verification_id.clone();
        self.end(Message::Expired, Event::Expired { verification_id }, true);
    }

    /// The session gives up on its verification, if it has one: a
    /// best-effort DELETE, so none is left open (and billed) upstream.
    fn cancel_upstream(&mut self) {
        if let Some(id) = self.verification_id.clone() {
            self.push(Effect::Send(Request::Cancel {
                verification_id: id,
            }));
        }
    }

    /// An answer arrived: the connection is fine again.
    fn healthy(&mut self, now: Millis) {
        self.faults = 0;
        self.last_answer_at = now;
        if self.degraded {
            self.degraded = false;
            self.push(Effect::Say(self.flow_message.clone()));
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
            // (expires - (server - now), saturating: no i128 in the wasm.)
            let local = match server_time {
                Some(server) if server >= now => expires.saturating_sub(server - now),
                Some(server) => expires.saturating_add(now - server),
                None => expires,
            };
            self.deadline = self.deadline.min(local);
        }
    }

    /// Plans the next poll `interval` after `from` (when the last answer
    /// arrived), not before `now`, never past the deadline.
    fn plan_next_poll(&mut self, from: Millis, now: Millis) {
        if self.counting_to != Some(self.deadline) {
            self.counting_to = Some(self.deadline);
            self.push(Effect::Countdown(Some(self.deadline)));
        }
        let animated = self.qr_data.as_deref().is_some_and(is_animated_qr);
        let interval = if self.hidden {
            self.interval.max(HIDDEN_INTERVAL)
        } else if animated && !self.recommended {
            // BankID's animated code changes every second: keep the one on
            // screen at most 1 s old while someone can see it.
            self.interval.min(ANIMATED_INTERVAL)
        } else {
            self.interval
        };
        let at = from
            .saturating_add(interval)
            .max(now)
            .min(self.deadline.max(now));
        self.phase = Phase::Waiting {
            next: Next::Poll,
            at,
        };
        self.push(Effect::Wake { at });
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

    fn finish(&mut self, status: Status, verified_at: Option<String>, error: Option<ErrorInfo>) {
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
            ),
            Status::Expired => self.end(Message::Expired, Event::Expired { verification_id }, true),
            Status::Cancelled => self.end(
                Message::Cancelled,
                Event::Cancelled { verification_id },
                true,
            ),
            Status::Failed => {
                let error = error.unwrap_or_default();
                self.fail(Error::VerificationFailed {
                    code: error.code,
                    raw_code: error.raw_code,
                    message: error.message,
                })
            }
            // Not terminal: callers only pass terminal statuses.
            Status::Initiated
            | Status::Pending
            | Status::AwaitingUserAction
            | Status::Authenticating
            | Status::Processing => {}
        }
    }

    /// Paints a QR code (or fails); `false` when it failed.
    fn show_qr(&mut self, link: String) -> bool {
        match QrMatrix::encode(&link) {
            Ok(matrix) => self.push(Effect::ShowQr(matrix)),
            Err(e) => {
                self.fail(Error::QrDataTooLong { len: e.len });
                return false;
            }
        }
        self.qr_data = Some(link);
        self.flow_message = Message::ScanQr;
        true
    }

    /// The browser's answer to [`Effect::Credential`].
    fn on_credential(&mut self, result: Result<(), String>) {
        let Err(name) = result else { return };
        match name.as_str() {
            // The person closed the browser's prompt: no credential shared.
            "NotAllowedError" | "AbortError" => self.fail(Error::VerificationFailed {
                code: Some(Code::Text("dc_declined".into())),
                raw_code: None,
                message: Some("No digital credential was shared.".into()),
            }),
            "NetworkError" => self.fail(Error::Network(name)),
            // No Digital Credentials API: the cross-device link if the
            // answer had one, else `unsupported_flow`.
            _ => match self.qr_data.take() {
                Some(link) => {
                    if self.show_qr(link) {
                        self.push(Effect::Say(self.flow_message.clone()));
                    }
                }
                None => self.fail(Error::UnsupportedFlow("dc".into())),
            },
        }
    }

    fn fail(&mut self, error: Error) {
        // Unless the server failed it, the verification is given up on.
        if !matches!(error, Error::VerificationFailed { .. }) {
            self.cancel_upstream();
        }
        let failure = error.to_failure();
        self.end(
            Message::Failed(failure.kind),
            Event::Failed {
                verification_id: self.verification_id.clone(),
                failure,
            },
            true,
        );
    }

    fn end(&mut self, message: Message, event: Event, try_again: bool) {
        self.phase = Phase::Done;
        self.push(Effect::ClearTimer);
        if core::mem::take(&mut self.form_shown) {
            self.push(Effect::Form(None));
        }
        if self.counting_to.take().is_some() {
            self.push(Effect::Countdown(None));
        }
        self.push(Effect::HideQr);
        self.push(Effect::AppLink(None));
        self.push(Effect::Say(message));
        self.push(Effect::Actions(Actions {
            cancel: false,
            try_again,
        }));
        self.push(Effect::Emit(event));
    }
}

/// The QR code the session paints first for the create answer `body`, when
/// nothing else in the answer can change what is shown: the `qr` flow's
/// `qrData`, or a `dc` answer's cross-device link without native mode, with
/// an id, no `action` and a status that is not final. This is what the
/// first-QR module (src/lib.rs `firstQr`, built with `--cfg hopae_first`) paints while the
/// rest of the widget loads; `None` means it paints nothing and the session
/// shows the answer once it is ready. tests/session.rs checks that the
/// session's first painted code is this one for every such answer.
pub fn first_qr(body: &CreateResponse) -> Option<&str> {
    let ends = Status::parse(&body.status).is_some_and(|s| s.is_terminal());
    if body.verification_id.trim().is_empty() || body.action.is_some() || ends {
        return None;
    }
    match &body.flow {
        Flow::Qr { data }
        | Flow::Dc {
            callback: None,
            link: Some(data),
        } => Some(data),
        _ => None,
    }
}

/// `bankid.<qrStartToken>.<seconds>.<HMAC>`: BankID's animated QR payload,
/// a new code every second.
pub fn is_animated_qr(data: &str) -> bool {
    data.strip_prefix("bankid.")
        .is_some_and(|rest| rest.split('.').count() == 3)
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
            return Some(crate::core::cat(&[
                "https://app.bankid.com/?autostarttoken=",
                token,
                "&redirect=null",
            ]));
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
    if let Some(seconds) = uint(header) {
        return Some(seconds.saturating_mul(1000));
    }
    parse_http_date(header).map(|at| at.saturating_sub(now))
}
