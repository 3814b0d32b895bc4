//! One mounted widget: the current [`Session`] and the browser resources that
//! carry out its effects.
//!
//! Each input is fed to the session, then its effects are pulled one at a
//! time ([`Widget::drain`]) with no `RefCell` borrow held while one runs, so
//! page code reached from an effect (an event listener calling `cancel()`,
//! `restart()` or `destroy()`) feeds its input at once and what is still
//! queued is rewritten by it: a stale effect never runs. Events go through
//! one queue: an event raised while another is being dispatched waits until
//! that dispatch has finished, so every listener sees every event in order.
//!
//! The widget owns the session's one wake-up (`Option<Timeout>`, cleared by
//! setting it to `None`), the countdown's own timer, at most one
//! `AbortController` for the tracked request, and its listeners as gloo
//! `EventListener`s that remove themselves when dropped. Every tracked
//! request's answer comes to one function for the page ([`answered`]), named
//! by widget id and request number, and is fed back only if it belongs to the
//! request still current; a create that answers after its session ended
//! (cancelled, restarted, destroyed) is refused, and js/events.js cancels the
//! verification it created, so none is left open. A status answer with the
//! same text as the last one is not decoded again.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsValue;
use web_sys::{AbortController, Element};

use crate::core::api::{CreateResponse, StatusResponse};
use crate::core::config::{Config, RedirectMode};
use crate::core::error::Error;
use crate::core::json::Json;
use crate::core::session::{Effect, Event, Input, Reply, Request, Session};
use crate::core::time::Millis;
use crate::web::dom::View;
use crate::web::events;
use crate::web::http::{describe, Answer, Backend, UNTRACKED};
use crate::web::json::JsJson;

thread_local! {
    /// Every live widget, so that mounting on an element replaces the widget
    /// already there and a widget lives until it is destroyed.
    static LIVE: RefCell<Vec<Rc<Widget>>> = const { RefCell::new(Vec::new()) };
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
    /// The one function every tracked request's answer is given to, as
    /// `(widget id, tag, answer, failed)` (see [`answered`]): one for the
    /// page, not a future (and its closures) per request.
    static ANSWER: JsValue =
        Closure::<dyn FnMut(u32, u32, JsValue, bool) -> bool>::new(answered).into_js_value();
}

/// Something for the page, dispatched in order.
enum Pending {
    Event(Event, JsValue),
    Redirect {
        verification_id: String,
        provider_id: String,
        url: String,
        mode: RedirectMode,
    },
}

/// A mounted widget.
pub struct Widget {
    /// Names the widget for its handle (see [`Widget::live`]).
    id: u32,
    host: Element,
    destroyed: Cell<bool>,
    backend: Rc<Backend>,
    inner: RefCell<Inner>,
    /// Events waiting for the dispatch in progress to end.
    events: RefCell<Vec<Pending>>,
    dispatching: Cell<bool>,
}

struct Inner {
    session: Session,
    view: View,
    timer: Option<Timeout>,
    /// The countdown's target and the timer for its next visible change.
    countdown_to: Option<Millis>,
    countdown: Option<Timeout>,
    abort: Option<AbortController>,
    /// Bumped for every tracked request; an answer with an older number is dropped.
    request: u32,
    /// The `Idempotency-Key` of this attempt's create, for its retries.
    create_key: Option<String>,
    /// The create js/mount.js started before the module was ready (see
    /// [`Backend::adopt`]), until the first request (only while mounting).
    prefetched: JsValue,
    /// The last answer's raw body, for the fields the core passes through.
    last_body: JsValue,
    /// The last status answer's text and what it decoded to.
    last_status: Option<(JsValue, StatusResponse)>,
    listeners: Vec<EventListener>,
}

fn now() -> Millis {
    js_sys::Date::now() as Millis
}

fn seed() -> u64 {
    (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64
}

/// 128 random bits from `crypto.getRandomValues`, in hex.
fn idempotency_key() -> Option<String> {
    let crypto = web_sys::window()?.crypto().ok()?;
    let mut bytes = [0u8; 16];
    crypto.get_random_values_with_u8_array(&mut bytes).ok()?;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut key = String::with_capacity(32);
    for b in bytes {
        for nibble in [b >> 4, b & 15] {
            key.push(char::from(*HEX.get(usize::from(nibble)).unwrap_or(&b'0')));
        }
    }
    Some(key)
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

/// Milliseconds until the countdown's text next changes: whole minutes until
/// the last minute, then seconds.
fn next_change(remaining: Millis) -> Millis {
    let step = if remaining > 60_000 { 60_000 } else { 1_000 };
    match remaining % step {
        0 => step,
        r => r,
    }
}

impl Widget {
    /// Replaces any widget on `host` with a new one and starts it. Its first
    /// create adopts `prefetched` if that is exactly the request it would
    /// send; js/mount.js cancels it otherwise (it is never used later).
    pub fn mount(
        host: Element,
        config: Config,
        backend: Backend,
        prefetched: JsValue,
    ) -> Result<Rc<Widget>, JsValue> {
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
            backend: Rc::new(backend),
            inner: RefCell::new(Inner {
                session: Session::new(config, seed()),
                view,
                timer: None,
                countdown_to: None,
                countdown: None,
                abort: None,
                request: 0,
                create_key: None,
                prefetched,
                last_body: JsValue::UNDEFINED,
                last_status: None,
                listeners: Vec::new(),
            }),
            events: RefCell::new(Vec::new()),
            dispatching: Cell::new(false),
        });
        widget.listen()?;
        LIVE.with(|live| live.borrow_mut().push(widget.clone()));
        widget.feed(Input::Visibility {
            hidden: page_hidden(),
        });
        widget.feed(Input::Start);
        if let Ok(mut inner) = widget.inner.try_borrow_mut() {
            inner.prefetched = JsValue::UNDEFINED;
        }
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
                widget.tick_countdown();
            }
        });
        let weak = Rc::downgrade(self);
        let cancel = EventListener::new(&inner.view.cancel, "click", move |_| {
            if let Some(widget) = weak.upgrade() {
                widget.cancel();
                // The Cancel button is gone: keep the keyboard on Try again.
                if let Ok(inner) = widget.inner.try_borrow() {
                    inner.view.focus_try_again();
                }
            }
        });
        let weak = Rc::downgrade(self);
        let try_again = EventListener::new(&inner.view.try_again, "click", move |_| {
            if let Some(widget) = weak.upgrade() {
                widget.restart();
                if let Ok(inner) = widget.inner.try_borrow() {
                    inner.view.focus_card();
                }
            }
        });
        let weak = Rc::downgrade(self);
        let options = gloo_events::EventListenerOptions::enable_prevent_default();
        let submit =
            EventListener::new_with_options(&inner.view.form, "submit", options, move |event| {
                event.prevent_default();
                if let Some(widget) = weak.upgrade() {
                    let values = match widget.inner.try_borrow() {
                        Ok(inner) => inner.view.form_values(),
                        Err(_) => return,
                    };
                    widget.feed(Input::UserData(values));
                }
            });
        inner.listeners = vec![visibility, cancel, try_again, submit];
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
            inner.session = inner.session.renew(seed());
            // A create still in flight is the old session's: when it answers,
            // `answered` refuses it and js/events.js cancels what it created.
            // Nothing is aborted here.
            inner.request = inner.request.wrapping_add(1);
            inner.abort = None;
            inner.create_key = None;
            inner.last_body = JsValue::UNDEFINED;
            inner.last_status = None;
            inner.timer = None;
            inner.countdown = None;
            inner.countdown_to = None;
            let provider = inner.session.config().provider_id.clone();
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
            // Not aborted: a create in flight answers, and is cancelled.
            inner.abort = None;
            inner.timer = None;
            inner.countdown = None;
            inner.listeners.clear();
            inner.last_body = JsValue::UNDEFINED;
            inner.last_status = None;
            inner.view.remove();
        }
    }

    fn feed(self: &Rc<Self>, input: Input) {
        if self.destroyed.get() {
            return;
        }
        match self.inner.try_borrow_mut() {
            Ok(mut inner) => inner.session.handle_input(input, now()),
            Err(_) => return,
        }
        self.drain();
    }

    /// Runs the session's effects one at a time, holding no borrow while
    /// one runs.
    fn drain(self: &Rc<Self>) {
        while !self.destroyed.get() {
            let effect = match self.inner.try_borrow_mut() {
                Ok(mut inner) => inner.session.poll_effect(),
                Err(_) => None,
            };
            let Some(effect) = effect else { break };
            self.run(effect);
        }
    }

    /// Queues something for the page and dispatches the queue, unless a
    /// dispatch is already in progress (it will get to it, in order).
    fn announce(self: &Rc<Self>, pending: Pending) {
        self.events.borrow_mut().push(pending);
        if self.dispatching.replace(true) {
            return;
        }
        loop {
            let next = {
                let mut queue = self.events.borrow_mut();
                (!queue.is_empty()).then(|| queue.remove(0))
            };
            let Some(next) = next else { break };
            // No borrow is held here: listeners may call destroy().
            match next {
                Pending::Event(event, raw) => {
                    let _ = events::dispatch(&self.host, &event, &raw);
                }
                Pending::Redirect {
                    verification_id,
                    provider_id,
                    url,
                    mode,
                } => {
                    let allowed =
                        events::dispatch_redirect(&self.host, &verification_id, &provider_id, &url)
                            .unwrap_or(false);
                    if allowed && !self.destroyed.get() {
                        self.navigate(&url, mode);
                    }
                }
            }
        }
        self.dispatching.set(false);
    }

    fn run(self: &Rc<Self>, effect: Effect) {
        match effect {
            Effect::Emit(event) => {
                let raw = match self.inner.try_borrow() {
                    Ok(inner) => inner.last_body.clone(),
                    Err(_) => JsValue::UNDEFINED,
                };
                self.announce(Pending::Event(event, raw));
            }
            Effect::Redirect {
                verification_id,
                provider_id,
                url,
                mode,
            } => self.announce(Pending::Redirect {
                verification_id,
                provider_id,
                url,
                mode,
            }),
            Effect::Send(request) => self.send(request),
            Effect::Credential { url } => {
                let request = match self.inner.try_borrow() {
                    Ok(inner) => JsJson(inner.last_body.clone())
                        .get("flowDetails")
                        .and_then(|d| d.get("request"))
                        .map(|r| r.0),
                    Err(_) => None,
                };
                let weak: Weak<Widget> = Rc::downgrade(self);
                wasm_bindgen_futures::spawn_local(async move {
                    let result = present(request, &url).await;
                    if let Some(widget) = weak.upgrade() {
                        widget.feed(Input::Credential(result));
                    }
                });
            }
            Effect::ShowQr(matrix) => {
                let painted = match self.inner.try_borrow() {
                    Ok(inner) => inner.view.show_qr(&matrix),
                    Err(_) => Ok(()),
                };
                if let Err(e) = painted {
                    // The person would be told to scan a code that is not there.
                    self.feed(Input::ShellFailed(describe(&e)));
                }
            }
            Effect::Countdown(to) => {
                if let Ok(mut inner) = self.inner.try_borrow_mut() {
                    inner.countdown_to = to;
                    inner.countdown = None;
                    if to.is_none() {
                        inner.view.countdown(None);
                    }
                }
                self.tick_countdown();
            }
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
                    Effect::HideQr => inner.view.hide_qr(),
                    Effect::Say(message) => {
                        let provider = inner.session.provider_id().to_owned();
                        inner.view.set_provider(&provider);
                        inner.view.say(&message);
                    }
                    Effect::AppLink(link) => {
                        let _ = inner.view.app_link(link.as_deref());
                    }
                    Effect::Actions(actions) => inner.view.actions(actions),
                    Effect::Form(Some(form)) => {
                        if let Err(e) = inner.view.show_form(&form) {
                            drop(inner);
                            self.feed(Input::ShellFailed(describe(&e)));
                        }
                    }
                    Effect::Form(None) => inner.view.hide_form(),
                    Effect::Emit(_)
                    | Effect::Send(_)
                    | Effect::Credential { .. }
                    | Effect::Redirect { .. }
                    | Effect::ShowQr(_)
                    | Effect::Countdown(_) => {}
                }
            }
        }
    }

    /// Shows the countdown and arms a timer for its next visible change:
    /// once a minute until the last minute, then once a second; nothing at
    /// all while the page is hidden (it catches up when shown).
    fn tick_countdown(self: &Rc<Self>) {
        let Ok(mut inner) = self.inner.try_borrow_mut() else {
            return;
        };
        inner.countdown = None;
        let Some(to) = inner.countdown_to else {
            return;
        };
        if self.destroyed.get() || page_hidden() {
            return;
        }
        let remaining = to.saturating_sub(now());
        inner.view.countdown(Some(remaining));
        if remaining == 0 {
            return;
        }
        let weak = Rc::downgrade(self);
        let delay = next_change(remaining).min(i32::MAX as u64) as u32;
        inner.countdown = Some(Timeout::new(delay, move || {
            if let Some(widget) = weak.upgrade() {
                widget.tick_countdown();
            }
        }));
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
                // `noopener` makes open() return null even when it worked, so
                // always offer the link too: a blocked pop-up leaves the user a way on.
                let _ = window.open_with_url_and_target_and_features(url, "_blank", "noopener");
                if let Ok(inner) = self.inner.try_borrow() {
                    let _ = inner.view.new_tab_link(url);
                }
            }
            RedirectMode::EventOnly => {}
        }
    }

    fn send(self: &Rc<Self>, request: Request) {
        let backend = &self.backend;
        if let Request::Cancel { .. } = request {
            // Best effort and untracked: its answer changes nothing.
            backend.send(&request, None, None, None, UNTRACKED);
            return;
        }
        let (tag, signal, key, pending) = {
            let Ok(mut inner) = self.inner.try_borrow_mut() else {
                return;
            };
            inner.request = inner.request.wrapping_add(1);
            // The first create: the one js/mount.js started, if it is exactly this one.
            let given = core::mem::take(&mut inner.prefetched);
            let adopted = backend.adopt(&given, &request);
            let controller = match &adopted {
                Some((_, _, abort)) => Some(abort.clone()),
                None => AbortController::new().ok(),
            };
            let signal = controller.as_ref().map(AbortController::signal);
            inner.abort = controller;
            let (key, pending) = match (&request, adopted) {
                (Request::Create { .. }, Some((key, pending, _))) => {
                    inner.create_key = Some(key);
                    (None, Some(pending))
                }
                // A retry carries its create's key, so the backend answers
                // with the verification it may already have created.
                (Request::Create { retry: true, .. }, _) if inner.create_key.is_some() => {
                    (inner.create_key.clone(), None)
                }
                (Request::Create { .. }, _) => {
                    inner.create_key = idempotency_key();
                    (inner.create_key.clone(), None)
                }
                (Request::Status { .. } | Request::Cancel { .. }, _) => (None, None),
            };
            let create = matches!(request, Request::Create { .. });
            (tag(inner.request, create), signal, key, pending)
        };
        ANSWER.with(|answer| {
            backend.send(
                &request,
                signal.as_ref(),
                key.as_deref(),
                pending,
                (answer, self.id, tag),
            )
        });
    }
}

/// Names a tracked request for its answer: its number, and whether it is a
/// create.
fn tag(number: u32, create: bool) -> u32 {
    number.wrapping_shl(1) | u32::from(create)
}

/// The answer to the tracked request `tag` of widget `id` (see
/// [`Backend::read`] for `value` and `failed`), fed to the widget if it is
/// still the current request of a live widget. `false` if nobody uses what
/// it created: the widget was destroyed, its session ended or was restarted,
/// or the session failed on this answer before taking its verification (an
/// answer it cannot read). A verification it created would stay open (and
/// billed), so js/events.js cancels it.
fn answered(id: u32, tag: u32, value: JsValue, failed: bool) -> bool {
    let Some(widget) = Widget::live(id) else {
        return false;
    };
    let Ok(mut inner) = widget.inner.try_borrow_mut() else {
        // (Never: answers come in their own tasks, with no borrow held.)
        // Unanswered, the request times out and is sent again with the same
        // key, which answers with the same verification: not cancelled.
        return true;
    };
    let create = tag & 1 == 1;
    if self::tag(inner.request, create) != tag || inner.session.is_done() {
        return false;
    }
    let result = Backend::read(value, failed);
    inner.abort = None;
    if let Ok(answer) = &result {
        inner.last_body = answer.body.clone();
    }
    let input = if create {
        Input::Created(result.and_then(|a| decode(a, CreateResponse::from_json)))
    } else {
        Input::Polled(result.and_then(|a| inner.status_of(a)))
    };
    // Whether the session took the verification, asked before a listener
    // (run by the effects) can restart it.
    inner.session.handle_input(input, now());
    let used = !create || !inner.session.is_done() || inner.session.verification_id().is_some();
    drop(inner);
    widget.drain();
    used
}

impl Inner {
    /// Decodes a status answer; one with the same text as the last is not
    /// read field by field again (a pending verification answers the same
    /// for minutes).
    fn status_of(&mut self, answer: Answer) -> Result<Reply<StatusResponse>, Error> {
        let body = match &self.last_status {
            Some((text, body)) if *text == answer.text => body.clone(),
            _ => {
                let body =
                    StatusResponse::from_json(&JsJson(answer.body)).map_err(Error::BadShape)?;
                if answer.text.is_string() {
                    self.last_status = Some((answer.text, body.clone()));
                }
                body
            }
        };
        Ok(Reply {
            body,
            server_time: answer.server_time,
            received: answer.received,
        })
    }
}

/// The `dc` flow in the browser: `navigator.credentials.get({digital:
/// {requests: [request]}})` where the Digital Credentials API exists, then
/// `POST url` with `{credential: {protocol, data}}`. `Err` is the name of the
/// reason (`NotSupportedError` without the API, the `DOMException`'s name
/// when the prompt failed or was dismissed, `NetworkError` for the post).
async fn present(request: Option<JsValue>, url: &str) -> Result<(), String> {
    use js_sys::{Function, Reflect};
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let window = web_sys::window().ok_or_else(String::new)?;
    let credentials = Reflect::get(&window.navigator(), &"credentials".into()).unwrap_or_default();
    let get = Reflect::get(&credentials, &"get".into()).unwrap_or_default();
    let api = Reflect::get(&window, &"DigitalCredential".into()).unwrap_or_default();
    let Some(request) = request.filter(|_| get.is_function() && !api.is_undefined()) else {
        return Err("NotSupportedError".into());
    };
    let options = parse(&crate::core::cat(&[
        "{\"digital\":{\"requests\":[",
        &stringify(&request),
        "]}}",
    ]));
    let asked = get
        .unchecked_ref::<Function>()
        .call1(&credentials, &options);
    let credential = match asked {
        Ok(promise) => JsFuture::from(js_sys::Promise::from(promise)).await,
        Err(e) => Err(e),
    }
    .map_err(|e| {
        Reflect::get(&e, &"name".into())
            .ok()
            .and_then(|n| n.as_string())
            .unwrap_or_default()
    })?;
    let field = |key: &str| stringify(&Reflect::get(&credential, &key.into()).unwrap_or_default());
    let body = crate::core::cat(&[
        "{\"credential\":{\"protocol\":",
        &field("protocol"),
        ",\"data\":",
        &field("data"),
        "}}",
    ]);
    if crate::web::http::post_json(url, &body).await {
        Ok(())
    } else {
        Err("NetworkError".into())
    }
}

/// `JSON.stringify(value)`, or `null`.
fn stringify(value: &JsValue) -> String {
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|t| t.as_string())
        .unwrap_or_else(|| "null".into())
}

/// `JSON.parse(text)`, or `undefined`.
fn parse(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap_or_default()
}

fn decode<T>(answer: Answer, read: fn(&JsJson) -> Result<T, String>) -> Result<Reply<T>, Error> {
    read(&JsJson(answer.body))
        .map(|body| Reply {
            body,
            server_time: answer.server_time,
            received: answer.received,
        })
        .map_err(Error::BadShape)
}
