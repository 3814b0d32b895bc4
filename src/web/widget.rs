//! One mounted widget: the current [`Session`] and the browser resources that
//! carry out its effects.
//!
//! The widget owns at most one timer (`Option<Timeout>`, cleared by setting it
//! to `None`), at most one `AbortController` for the tracked request, and its
//! listeners (page visibility, the two buttons) as gloo `EventListener`s that
//! remove themselves when dropped. Answers are fed back to the session only if
//! they belong to the request still current, so an aborted or superseded
//! answer can never act. Events are dispatched with no `RefCell` borrow held,
//! because a listener may call `cancel()`, `restart()` or `destroy()` from
//! inside them; the effect loop stops if the session was replaced meanwhile.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use gloo_events::EventListener;
use gloo_timers::callback::{Interval, Timeout};
use wasm_bindgen::JsValue;
use web_sys::{AbortController, Element};

use crate::core::api::{CreateResponse, StatusResponse};
use crate::core::config::{Config, RedirectMode};
use crate::core::error::Error;
use crate::core::session::{Effect, Input, Reply, Request, Session};
use crate::core::time::Millis;
use crate::web::dom::View;
use crate::web::events;
use crate::web::http::{describe, Answer, Backend};
use crate::web::json::JsJson;

thread_local! {
    /// Every live widget, so that mounting on an element replaces the widget
    /// already there and a widget lives until it is destroyed.
    static LIVE: RefCell<Vec<Rc<Widget>>> = const { RefCell::new(Vec::new()) };
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
}

/// A mounted widget.
pub struct Widget {
    /// Names the widget for its handle (see [`Widget::live`]).
    id: u32,
    host: Element,
    config: Config,
    destroyed: Cell<bool>,
    /// Bumped by `restart()`: effects of an older session stop running.
    generation: Cell<u32>,
    backend: Rc<Backend>,
    inner: RefCell<Inner>,
}

struct Inner {
    session: Session,
    view: View,
    timer: Option<Timeout>,
    /// Redraws the countdown once a second while it runs.
    countdown: Option<Interval>,
    abort: Option<AbortController>,
    /// Bumped for every tracked request; an answer with an older number is dropped.
    request: u32,
    /// The last answer's raw body, for the fields the core passes through.
    last_body: JsValue,
    listeners: Vec<EventListener>,
}

fn now() -> Millis {
    js_sys::Date::now() as Millis
}

fn seed() -> u64 {
    (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64
}

/// The page's language and the browser's, most preferred first.
fn page_languages() -> Vec<String> {
    let Some(window) = web_sys::window() else {
        return Vec::new();
    };
    let mut tags = Vec::new();
    if let Some(lang) = window
        .document()
        .and_then(|d| d.document_element())
        .and_then(|html| html.get_attribute("lang"))
    {
        tags.push(lang);
    }
    tags.extend(
        window
            .navigator()
            .languages()
            .iter()
            .filter_map(|l| l.as_string()),
    );
    tags
}

fn page_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
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
        let languages = page_languages();
        let messages = config.messages(languages.iter().map(String::as_str));
        let view = View::create(&host, config.size, messages, &config.provider_id)?;
        let widget = Rc::new(Widget {
            id: NEXT_ID.with(|n| {
                let id = n.get();
                n.set(id.wrapping_add(1));
                id
            }),
            host,
            destroyed: Cell::new(false),
            generation: Cell::new(0),
            backend: Rc::new(backend),
            inner: RefCell::new(Inner {
                session: Session::new(config.clone(), seed()),
                view,
                timer: None,
                countdown: None,
                abort: None,
                request: 0,
                last_body: JsValue::UNDEFINED,
                listeners: Vec::new(),
            }),
            config,
        });
        widget.listen()?;
        LIVE.with(|live| live.borrow_mut().push(widget.clone()));
        widget.feed(Input::Visibility {
            hidden: page_hidden(),
        });
        widget.feed(Input::Start);
        Ok(widget)
    }

    fn listen(self: &Rc<Self>) -> Result<(), JsValue> {
        let document = web_sys::window()
            .and_then(|w| w.document())
            .ok_or_else(|| JsValue::from_str("no document"))?;
        let mut inner = self
            .inner
            .try_borrow_mut()
            .map_err(|_| JsValue::from_str("busy"))?;
        let weak = Rc::downgrade(self);
        let visibility = EventListener::new(&document, "visibilitychange", move |_| {
            if let Some(widget) = weak.upgrade() {
                widget.feed(Input::Visibility {
                    hidden: page_hidden(),
                });
            }
        });
        let weak = Rc::downgrade(self);
        let cancel = EventListener::new(&inner.view.cancel, "click", move |_| {
            if let Some(widget) = weak.upgrade() {
                widget.cancel();
            }
        });
        let weak = Rc::downgrade(self);
        let try_again = EventListener::new(&inner.view.try_again, "click", move |_| {
            if let Some(widget) = weak.upgrade() {
                widget.restart();
            }
        });
        inner.listeners = vec![visibility, cancel, try_again];
        Ok(())
    }

    /// This widget's id, for its handle.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The live (not destroyed) widget with this id.
    pub fn live(id: u32) -> Option<Rc<Widget>> {
        LIVE.with(|live| live.borrow().iter().find(|w| w.id == id).cloned())
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

    /// Cancels the verification (best-effort `DELETE`) and dispatches
    /// `hopae-cancelled`; nothing happens if it has already ended.
    pub fn cancel(self: &Rc<Self>) {
        self.feed(Input::Cancel);
    }

    /// Cancels the current verification, if any, and starts a new one.
    pub fn restart(self: &Rc<Self>) {
        self.feed(Input::Cancel);
        if self.destroyed.get() {
            return;
        }
        {
            let Ok(mut inner) = self.inner.try_borrow_mut() else {
                return;
            };
            self.generation.set(self.generation.get().wrapping_add(1));
            inner.session = Session::new(self.config.clone(), seed());
            inner.request = inner.request.wrapping_add(1);
            inner.last_body = JsValue::UNDEFINED;
            inner.timer = None;
            inner.countdown = None;
            if let Some(controller) = inner.abort.take() {
                controller.abort();
            }
            let provider = self.config.provider_id.clone();
            let _ = inner.view.reset(&provider);
        }
        self.feed(Input::Visibility {
            hidden: page_hidden(),
        });
        self.feed(Input::Start);
    }

    /// Like `cancel()`, then stops everything and removes what the widget
    /// added. Idempotent.
    pub fn destroy(self: &Rc<Self>) {
        if self.destroyed.get() {
            return;
        }
        self.feed(Input::Cancel);
        if self.destroyed.replace(true) {
            return; // a hopae-cancelled listener destroyed it already
        }
        LIVE.with(|live| live.borrow_mut().retain(|w| !Rc::ptr_eq(w, self)));
        if let Ok(mut inner) = self.inner.try_borrow_mut() {
            if let Some(controller) = inner.abort.take() {
                controller.abort();
            }
            inner.timer = None;
            inner.countdown = None;
            inner.listeners.clear();
            inner.last_body = JsValue::UNDEFINED;
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
        let generation = self.generation.get();
        for effect in effects {
            if self.destroyed.get() || self.generation.get() != generation {
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
            Effect::Redirect {
                verification_id,
                provider_id,
                url,
                mode,
            } => {
                // No borrow is held here either: the page may cancel the event.
                let allowed =
                    events::dispatch_redirect(&self.host, &verification_id, &provider_id, &url)
                        .unwrap_or(false);
                if allowed && !self.destroyed.get() {
                    self.navigate(&url, mode);
                }
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
                        let delay = at.saturating_sub(now()).min(i32::MAX as u64) as u32;
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
                            self.fail_later(format!(
                                "could not paint the QR code: {}",
                                describe(&e)
                            ));
                        }
                    }
                    Effect::HideQr => inner.view.hide_qr(),
                    Effect::Say(message) => {
                        let provider = inner.session.provider_id().to_owned();
                        inner.view.set_provider(&provider);
                        inner.view.say(&message);
                    }
                    Effect::Countdown(None) => {
                        inner.countdown = None;
                        inner.view.countdown(None);
                    }
                    Effect::Countdown(Some(deadline)) => {
                        inner.view.countdown(Some(deadline.saturating_sub(now())));
                        let weak = Rc::downgrade(self);
                        inner.countdown = Some(Interval::new(1_000, move || {
                            if let Some(widget) = weak.upgrade() {
                                if let Ok(inner) = widget.inner.try_borrow() {
                                    inner.view.countdown(Some(deadline.saturating_sub(now())));
                                }
                            }
                        }));
                    }
                    Effect::AppLink(link) => {
                        let _ = inner.view.app_link(link.as_deref());
                    }
                    Effect::Actions(actions) => inner.view.actions(actions),
                    Effect::Emit(_) | Effect::Send(_) | Effect::Redirect { .. } => {}
                }
            }
        }
    }

    fn navigate(&self, url: &str, mode: RedirectMode) {
        let Some(window) = web_sys::window() else {
            return;
        };
        match mode {
            RedirectMode::SameTab => {
                let _ = window.location().assign(url);
            }
            RedirectMode::NewTab => {
                let opened = window
                    .open_with_url_and_target_and_features(url, "_blank", "noopener")
                    .ok()
                    .flatten();
                // `noopener` makes open() return null even when it worked, so
                // always offer the link too: a blocked pop-up leaves the user a way on.
                let _ = opened;
                if let Ok(inner) = self.inner.try_borrow() {
                    let _ = inner.view.new_tab_link(url);
                }
            }
            RedirectMode::EventOnly => {}
        }
    }

    /// A painting failure ends the session like any other failure.
    fn fail_later(self: &Rc<Self>, why: String) {
        let weak = Rc::downgrade(self);
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(widget) = weak.upgrade() {
                let created = widget
                    .inner
                    .try_borrow()
                    .map(|i| i.session.verification_id().is_some())
                    .unwrap_or(false);
                let error = Error::BadShape(why);
                widget.feed(if created {
                    Input::Polled(Err(error))
                } else {
                    Input::Created(Err(error))
                });
            }
        });
    }

    fn send(self: &Rc<Self>, request: Request) {
        let backend = self.backend.clone();
        if let Request::Cancel { .. } = request {
            // Best effort and untracked: its answer changes nothing.
            wasm_bindgen_futures::spawn_local(async move {
                let _ = backend.send(&request, None).await;
            });
            return;
        }
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
                Request::Create { .. } => {
                    Input::Created(result.and_then(|a| decode(a, CreateResponse::from_json)))
                }
                _ => Input::Polled(result.and_then(|a| decode(a, StatusResponse::from_json))),
            };
            widget.feed(input);
        });
    }
}

fn decode<T>(answer: Answer, read: fn(&JsJson) -> Result<T, String>) -> Result<Reply<T>, Error> {
    read(&JsJson(answer.body))
        .map(|body| Reply {
            body,
            server_time: answer.server_time,
        })
        .map_err(Error::BadShape)
}
