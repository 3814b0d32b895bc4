//! One mounted widget: a [`Session`] and the browser resources that carry out
//! its effects.
//!
//! The widget owns at most one timer (`Option<Timeout>`, cleared by setting it
//! to `None`) and at most one `AbortController`. Answers are fed back to the
//! session only if they belong to the request still current, so an aborted or
//! superseded answer can never act. Events are dispatched with no `RefCell`
//! borrow held, because a listener may call `destroy()` from inside them; the
//! effect loop checks for that after each effect.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;
use web_sys::{AbortController, Element};

use crate::core::config::Config;
use crate::core::error::Error;
use crate::core::session::{Effect, Input, Reply, Request, Session};
use crate::core::time::Millis;
use crate::web::dom::View;
use crate::web::events;
use crate::web::http::{Answer, Backend};

thread_local! {
    /// Every live widget, so that mounting on an element replaces the widget
    /// already there and a widget lives until it is destroyed.
    static LIVE: RefCell<Vec<Rc<Widget>>> = const { RefCell::new(Vec::new()) };
}

/// A mounted widget.
pub struct Widget {
    host: Element,
    destroyed: Cell<bool>,
    backend: Rc<Backend>,
    inner: RefCell<Inner>,
}

struct Inner {
    session: Session,
    view: View,
    timer: Option<Timeout>,
    abort: Option<AbortController>,
    /// Bumped for every request; an answer with an older number is dropped.
    request: u32,
    /// The last answer's raw body, for the fields the core passes through.
    last_body: JsValue,
}

fn now() -> Millis {
    js_sys::Date::now() as Millis
}

impl Widget {
    /// Replaces any widget on `host` with a new one and starts it.
    pub fn mount(host: Element, config: Config, backend: Backend) -> Result<Rc<Widget>, JsValue> {
        let previous: Vec<Rc<Widget>> = LIVE.with(|live| {
            let live = live.borrow();
            live.iter().filter(|w| w.host == host).cloned().collect()
        });
        for widget in previous {
            widget.destroy();
        }
        let view = View::create(&host, config.size)?;
        let widget = Rc::new(Widget {
            host,
            destroyed: Cell::new(false),
            backend: Rc::new(backend),
            inner: RefCell::new(Inner {
                session: Session::new(config),
                view,
                timer: None,
                abort: None,
                request: 0,
                last_body: JsValue::UNDEFINED,
            }),
        });
        LIVE.with(|live| live.borrow_mut().push(widget.clone()));
        widget.feed(Input::Start);
        Ok(widget)
    }

    /// The verification's id, once created.
    pub fn verification_id(&self) -> Option<String> {
        self.inner
            .try_borrow()
            .ok()?
            .session
            .verification_id()
            .map(str::to_owned)
    }

    /// The last status the server reported.
    pub fn status(&self) -> Option<String> {
        self.inner
            .try_borrow()
            .ok()?
            .session
            .status()
            .map(str::to_owned)
    }

    /// Stops everything and removes what the widget added. Idempotent.
    pub fn destroy(&self) {
        if self.destroyed.replace(true) {
            return;
        }
        LIVE.with(|live| {
            live.borrow_mut()
                .retain(|w| !std::ptr::eq(Rc::as_ptr(w), self))
        });
        if let Ok(mut inner) = self.inner.try_borrow_mut() {
            inner.session.handle(Input::Destroy, now());
            if let Some(controller) = inner.abort.take() {
                controller.abort();
            }
            inner.timer = None;
            inner.view.remove();
        }
    }

    fn feed(self: &Rc<Self>, input: Input) {
        if self.destroyed.get() {
            return;
        }
        let effects = match self.inner.try_borrow_mut() {
            Ok(mut inner) => inner.session.handle(input, now()),
            Err(_) => return,
        };
        for effect in effects {
            if self.destroyed.get() {
                return;
            }
            self.run(effect);
        }
    }

    fn run(self: &Rc<Self>, effect: Effect) {
        match effect {
            Effect::Emit(event) => {
                let raw = match self.inner.try_borrow() {
                    Ok(inner) => inner.last_body.clone(),
                    Err(_) => JsValue::UNDEFINED,
                };
                // No borrow is held here: listeners may call destroy().
                let _ = events::dispatch(&self.host, &event, &raw);
            }
            Effect::Send(request) => self.send(request),
            effect => {
                let Ok(mut inner) = self.inner.try_borrow_mut() else {
                    return;
                };
                match effect {
                    Effect::Abort => {
                        if let Some(controller) = inner.abort.take() {
                            controller.abort();
                        }
                    }
                    Effect::Wake { at } => {
                        let delay = at.saturating_sub(now()).min(u64::from(i32::MAX as u32)) as u32;
                        let weak = Rc::downgrade(self);
                        inner.timer = Some(Timeout::new(delay, move || {
                            if let Some(widget) = weak.upgrade() {
                                widget.feed(Input::Tick);
                            }
                        }));
                    }
                    Effect::ClearTimer => inner.timer = None,
                    Effect::ShowQr(matrix) => {
                        if let Err(e) = inner.view.show_qr(&matrix) {
                            drop(inner);
                            self.feed_error_later(format!(
                                "could not paint the QR code: {}",
                                crate::web::http::describe(&e)
                            ));
                        }
                    }
                    Effect::HideQr => {
                        let _ = inner.view.hide_qr();
                    }
                    Effect::Say(message) => inner.view.say(&message),
                    Effect::Emit(_) | Effect::Send(_) => {}
                }
            }
        }
    }

    /// A painting failure is reported like a network one: it ends the session.
    fn feed_error_later(self: &Rc<Self>, why: String) {
        let weak = Rc::downgrade(self);
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(widget) = weak.upgrade() {
                let input = if widget
                    .inner
                    .try_borrow()
                    .map(|i| i.session.verification_id().is_some())
                    .unwrap_or(false)
                {
                    Input::Polled(Err(Error::Network(why)))
                } else {
                    Input::Created(Err(Error::Network(why)))
                };
                widget.feed(input);
            }
        });
    }

    fn send(self: &Rc<Self>, request: Request) {
        let (number, signal) = {
            let Ok(mut inner) = self.inner.try_borrow_mut() else {
                return;
            };
            inner.request = inner.request.wrapping_add(1);
            let controller = AbortController::new().ok();
            let signal = controller.as_ref().map(AbortController::signal);
            inner.abort = controller;
            (inner.request, signal)
        };
        let weak: Weak<Widget> = Rc::downgrade(self);
        let backend = self.backend.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let result = backend.send(&request, signal.as_ref()).await;
            let Some(widget) = weak.upgrade() else { return };
            {
                let Ok(mut inner) = widget.inner.try_borrow_mut() else {
                    return;
                };
                if widget.destroyed.get() || inner.request != number {
                    return;
                }
                inner.abort = None;
                if let Ok(answer) = &result {
                    inner.last_body = answer.body.clone();
                }
            }
            let input = match request {
                Request::Create { .. } => Input::Created(result.and_then(decode)),
                Request::Status { .. } => Input::Polled(result.and_then(decode)),
            };
            widget.feed(input);
        });
    }
}

fn decode<T: DeserializeOwned>(answer: Answer) -> Result<Reply<T>, Error> {
    serde_wasm_bindgen::from_value(answer.body)
        .map(|body| Reply {
            body,
            server_time: answer.server_time,
        })
        .map_err(|e| Error::BadShape(e.to_string()))
}
