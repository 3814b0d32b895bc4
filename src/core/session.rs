//! The verification session as a state machine: inputs in, effects out.
//!
//! [`Session::handle`] takes one [`Input`] (a decoded response, a timer tick,
//! a user action) and the current time, updates the state, and returns the
//! [`Effect`]s the shell must carry out, in order. It never performs I/O and
//! never reads a clock, so every timing rule is tested by passing times in.
//!
//! Rules it keeps, whatever the inputs:
//! - at most one request in flight: a request is only sent from `Waiting`;
//! - at most one terminal event (`Completed`, `Failed`, `Expired`,
//!   `Cancelled`), after which it returns no effect at all;
//! - the next poll is planned only after the previous answer, at
//!   `now + interval`, never past the deadline; at the deadline one last status
//!   check decides between the server's verdict and `Expired`.

use crate::core::api::{CreateResponse, FlowDetails, Status, StatusResponse};
use crate::core::config::{Config, DEFAULT_POLL_INTERVAL};
use crate::core::error::{Error, Failure};
use crate::core::messages::Message;
use crate::core::qr::QrMatrix;
use crate::core::time::{parse_rfc3339, Millis};

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
    /// Mounting: create a verification.
    Start,
    /// The answer to [`Request::Create`].
    Created(Result<Reply<CreateResponse>, Error>),
    /// The answer to [`Request::Status`].
    Polled(Result<Reply<StatusResponse>, Error>),
    /// The timer set by [`Effect::Wake`] fired.
    Tick,
    /// The page destroyed the widget: stop without an event.
    Destroy,
}

/// A request for the shell to send to the backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `POST {endpoint}` with `{providerId}`.
    Create {
        /// The provider to start.
        provider_id: String,
    },
    /// `GET {endpoint}/{verificationId}`.
    Status {
        /// The verification to ask about.
        verification_id: String,
    },
}

/// Something the shell must do, in the order given.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Send a request; its answer comes back as an [`Input`].
    Send(Request),
    /// Abort the request in flight; its answer must not be fed back.
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
        /// `qr`, `push`, …
        flow_type: String,
        /// RFC 3339, as sent.
        expires_at: Option<String>,
    },
    /// `hopae-status`: the status changed.
    Status {
        /// The verification.
        verification_id: String,
        /// The new status, as sent.
        status: String,
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
enum Phase {
    Idle,
    Creating,
    /// A timer is armed for the next poll.
    Waiting,
    /// A status request is in flight.
    Polling,
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
    interval: Millis,
    deadline: Millis,
    final_check: bool,
}

impl Session {
    /// A session that will start when given [`Input::Start`].
    pub fn new(config: Config) -> Session {
        Session {
            provider_id: config.provider_id.clone(),
            interval: config.poll_interval.unwrap_or(DEFAULT_POLL_INTERVAL),
            config,
            phase: Phase::Idle,
            verification_id: None,
            status: None,
            qr_data: None,
            deadline: Millis::MAX,
            final_check: false,
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

    /// Whether the session has ended (after its terminal event, or destroy).
    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// Whether a request is in flight.
    pub fn in_flight(&self) -> bool {
        matches!(self.phase, Phase::Creating | Phase::Polling)
    }

    /// When the session gives up (`Millis::MAX` before it started).
    pub fn deadline(&self) -> Millis {
        self.deadline
    }

    /// Milliseconds between polls in force.
    pub fn interval(&self) -> Millis {
        self.interval
    }

    /// Feeds one input at time `now`; returns what the shell must do.
    pub fn handle(&mut self, input: Input, now: Millis) -> Vec<Effect> {
        let mut out = Vec::new();
        match (self.phase, input) {
            (Phase::Done, _) => {}
            (_, Input::Destroy) => {
                if self.in_flight() {
                    out.push(Effect::Abort);
                }
                out.push(Effect::ClearTimer);
                self.phase = Phase::Done;
            }
            (Phase::Idle, Input::Start) => {
                self.deadline = now.saturating_add(self.config.timeout);
                self.phase = Phase::Creating;
                out.push(Effect::Say(Message::Starting));
                out.push(Effect::Send(Request::Create {
                    provider_id: self.config.provider_id.clone(),
                }));
            }
            (Phase::Creating, Input::Created(result)) => match result {
                Ok(reply) => self.on_created(reply, now, &mut out),
                Err(error) => self.fail(error, &mut out),
            },
            (Phase::Polling, Input::Polled(result)) => match result {
                Ok(reply) => self.on_status(reply.body, now, &mut out),
                Err(error) => self.fail(error, &mut out),
            },
            (Phase::Waiting, Input::Tick) => {
                let Some(id) = self.verification_id.clone() else {
                    self.fail(Error::BadShape("no verification id".into()), &mut out);
                    return out;
                };
                self.final_check = now >= self.deadline;
                self.phase = Phase::Polling;
                out.push(Effect::Send(Request::Status {
                    verification_id: id,
                }));
            }
            // A stray tick, a second Start, or an answer nobody waits for.
            _ => {}
        }
        out
    }

    fn on_created(&mut self, reply: Reply<CreateResponse>, now: Millis, out: &mut Vec<Effect>) {
        let body = reply.body;
        if body.verification_id.trim().is_empty() {
            return self.fail(Error::BadShape("`verificationId` is empty".into()), out);
        }
        let Some(status) = Status::parse(&body.status) else {
            return self.fail(Error::UnknownStatus(body.status), out);
        };
        self.verification_id = Some(body.verification_id.clone());
        if let Some(p) = body.provider_id.filter(|p| !p.is_empty()) {
            self.provider_id = p;
        }
        self.status = Some(body.status.clone());

        // Deadline: the page's timeout, the server's maxDuration and expiresAt
        // (moved onto the browser's clock by the skew the Date header shows).
        let started = self.deadline.saturating_sub(self.config.timeout);
        if let Some(polling) = body.polling {
            if self.config.poll_interval.is_none() {
                if let Some(ms) = polling.recommended_interval.filter(|v| v.is_finite()) {
                    self.interval = ms.clamp(250.0, 60_000.0) as Millis;
                }
            }
            if let Some(ms) = polling.max_duration.filter(|v| v.is_finite() && *v > 0.0) {
                self.deadline = self.deadline.min(started.saturating_add(ms as Millis));
            }
        }
        if let Some(expires) = body.expires_at.as_deref().and_then(parse_rfc3339) {
            let skew = reply.server_time.map_or(0, |s| s as i128 - now as i128);
            let local = (expires as i128 - skew).clamp(0, Millis::MAX as i128) as Millis;
            self.deadline = self.deadline.min(local);
        }

        let flow = body
            .flow_type
            .clone()
            .unwrap_or_else(|| infer_flow(body.flow_details.as_ref()).into());
        match flow.as_str() {
            "qr" => {
                let Some(data) = body.flow_details.as_ref().and_then(|f| f.qr_data.clone()) else {
                    return self.fail(Error::MissingQrData, out);
                };
                match QrMatrix::encode(&data) {
                    Ok(matrix) => {
                        out.push(Effect::ShowQr(matrix));
                        out.push(Effect::Say(Message::ScanQr));
                    }
                    Err(e) => return self.fail(Error::QrDataTooLong { len: e.len }, out),
                }
                self.qr_data = Some(data);
            }
            "push" => {
                let details = body.flow_details.clone().unwrap_or_default();
                out.push(Effect::Say(Message::ConfirmInApp {
                    text: details.message,
                    code: details.verification_code,
                }));
            }
            other => return self.fail(Error::UnsupportedFlow(other.into()), out),
        }
        out.push(Effect::Emit(Event::Initiated {
            verification_id: body.verification_id,
            provider_id: self.provider_id.clone(),
            flow_type: flow,
            expires_at: body.expires_at,
        }));
        if status.is_terminal() {
            return self.finish(status, None, None, out);
        }
        self.plan_next_poll(now, out);
    }

    fn on_status(&mut self, body: StatusResponse, now: Millis, out: &mut Vec<Effect>) {
        let Some(status) = Status::parse(&body.status) else {
            return self.fail(Error::UnknownStatus(body.status), out);
        };
        if self.status.as_deref() != Some(body.status.as_str()) {
            self.status = Some(body.status.clone());
            if !status.is_terminal() {
                if let Some(id) = self.verification_id.clone() {
                    out.push(Effect::Emit(Event::Status {
                        verification_id: id,
                        status: body.status.clone(),
                    }));
                }
                if matches!(status, Status::Authenticating | Status::Processing) {
                    out.push(Effect::Say(Message::InProgress));
                }
            }
        }
        if status.is_terminal() {
            return self.finish(status, body.verified_at, body.error, out);
        }
        // An animated QR: a changed qrData is a new code to paint at once.
        if let Some(data) = body.flow_details.and_then(|f| f.qr_data) {
            if self.qr_data.is_some() && self.qr_data.as_deref() != Some(data.as_str()) {
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
                out,
            );
        }
        self.plan_next_poll(now, out);
    }

    fn plan_next_poll(&mut self, now: Millis, out: &mut Vec<Effect>) {
        self.phase = Phase::Waiting;
        let at = now
            .saturating_add(self.interval)
            .min(self.deadline.max(now));
        out.push(Effect::Wake { at });
    }

    fn finish(
        &mut self,
        status: Status,
        verified_at: Option<String>,
        error: Option<crate::core::api::ErrorInfo>,
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
                out,
            ),
            Status::Expired => self.end(Message::Expired, Event::Expired { verification_id }, out),
            Status::Cancelled => self.end(
                Message::Cancelled,
                Event::Cancelled { verification_id },
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
            Message::Failed(failure.message.clone()),
            Event::Failed {
                verification_id: self.verification_id.clone(),
                failure,
            },
            out,
        );
    }

    fn end(&mut self, message: Message, event: Event, out: &mut Vec<Effect>) {
        self.phase = Phase::Done;
        out.push(Effect::ClearTimer);
        out.push(Effect::HideQr);
        out.push(Effect::Say(message));
        out.push(Effect::Emit(event));
    }
}

fn infer_flow(details: Option<&FlowDetails>) -> &'static str {
    match details {
        Some(d) if d.qr_data.is_some() => "qr",
        Some(d) if d.authorization_url.is_some() => "redirect",
        _ => "push",
    }
}
