//! The browser shell in headless Chromium (wasm-bindgen-test): painting the QR
//! on a real canvas and dispatching real DOM events.
#![cfg(target_arch = "wasm32")]

use hopae_connect_widget::core::qr::{QrMatrix, QUIET_ZONE};
use hopae_connect_widget::web::canvas;
use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, Element, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window()
        .expect("window")
        .document()
        .expect("document")
}

fn host() -> Element {
    let el = document().create_element("div").expect("div");
    document()
        .body()
        .expect("body")
        .append_child(&el)
        .expect("append");
    el
}

/// Mounts a `bankidse` widget on `el` that asks `endpoint`, with `extra`
/// options.
fn mount_at(
    el: &Element,
    endpoint: &str,
    extra: &[(&str, JsValue)],
) -> hopae_connect_widget::Verification {
    mount_given(el, endpoint, extra, JsValue::UNDEFINED)
}

/// [`mount_at`], handing the widget `prefetched` (js/mount.js's early create).
fn mount_given(
    el: &Element,
    endpoint: &str,
    extra: &[(&str, JsValue)],
    prefetched: JsValue,
) -> hopae_connect_widget::Verification {
    let mut pairs = vec![
        ("endpoint", JsValue::from(endpoint)),
        ("providerId", "bankidse".into()),
    ];
    pairs.extend(extra.iter().cloned());
    hopae_connect_widget::mount(el.clone().into(), options(&pairs), prefetched)
        .map_err(JsValue::from)
        .expect("mounts")
}

fn options(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), v).expect("set");
    }
    o.into()
}

/// Resolves with the first `name` event that reaches `target`.
fn next_event(target: &web_sys::EventTarget, name: &str) -> JsFuture {
    let target = target.clone();
    let name = name.to_owned();
    JsFuture::from(Promise::new(&mut |resolve, _| {
        target
            .add_event_listener_with_callback(&name, &resolve)
            .expect("listen");
    }))
}

fn detail(event: &JsValue, key: &str) -> JsValue {
    let detail = Reflect::get(event, &"detail".into()).expect("detail");
    Reflect::get(&detail, &key.into()).expect("field")
}

#[wasm_bindgen_test]
fn paints_every_module_as_whole_black_or_white_pixels() {
    let qr = QrMatrix::encode("bankid.6b8a8c2e-1b4f-4f8e-9a3c-1f2e3d4c5b6a.0.abc").expect("fits");
    for dpr in [1.0, 2.0, 3.0, 1.5] {
        let canvas: HtmlCanvasElement = document()
            .create_element("canvas")
            .expect("canvas")
            .dyn_into()
            .expect("canvas");
        canvas::paint(&canvas, &qr, 200, dpr).expect("paint");
        let n = qr.size() as u32;
        let (module, px) = canvas::layout(n, 200, dpr);
        assert_eq!((canvas.width(), canvas.height()), (px, px));
        assert_eq!(px % n, 0, "a whole number of device pixels per module");
        let ctx: CanvasRenderingContext2d = canvas
            .get_context("2d")
            .expect("ctx")
            .expect("2d")
            .dyn_into()
            .expect("2d");
        let data = ctx
            .get_image_data(0.0, 0.0, f64::from(px), f64::from(px))
            .expect("pixels")
            .data()
            .0;
        for (i, rgba) in data.chunks_exact(4).enumerate() {
            let (x, y) = ((i as u32 % px) / module, (i as u32 / px) / module);
            let expect = if qr.get_module(x as usize, y as usize) {
                0
            } else {
                255
            };
            assert_eq!(
                rgba,
                [expect, expect, expect, 255],
                "pixel {i} at dpr {dpr}"
            );
        }
        // The quiet zone is light on every side.
        let q = QUIET_ZONE as u32 * module;
        assert!(data.chunks_exact(4).enumerate().all(|(i, p)| {
            let (x, y) = (i as u32 % px, i as u32 / px);
            let inside = x >= q && y >= q && x < px - q && y < px - q;
            inside || p == [255, 255, 255, 255]
        }));
    }
}

#[wasm_bindgen_test]
async fn a_refused_create_request_dispatches_one_bubbling_hopae_failed() {
    let el = host();
    let body = document().body().expect("body");
    let at_body = next_event(&body, "hopae-failed");
    let handle = mount_at(&el, "/no-such-backend", &[]);
    let event = at_body.await.expect("hopae-failed reaches the body");
    let code = detail(&event, "code").as_string().expect("code");
    assert!(code.starts_with("http_4"), "{code}");
    let status = detail(&event, "httpStatus").as_f64().expect("httpStatus");
    assert!((400.0..500.0).contains(&status));
    assert_eq!(detail(&event, "retryable"), JsValue::FALSE);
    assert!(Reflect::get(&event, &"composed".into())
        .expect("composed")
        .is_truthy());
    let shadow = el.shadow_root().expect("the widget lives in a shadow root");
    let status_text = shadow
        .query_selector(".hopae-verify-status")
        .expect("query")
        .expect("status line");
    // The page's message is precise; the person is told in plain words.
    assert!(detail(&event, "message")
        .as_string()
        .expect("message")
        .contains("endpoint"));
    assert_eq!(
        status_text.text_content().as_deref(),
        Some("Verification is not available right now. If this continues, contact the site.")
    );
    handle.destroy();
    assert!(
        shadow
            .query_selector(".hopae-verify")
            .expect("query")
            .is_none(),
        "destroy removes what the widget added"
    );
    assert!(
        shadow.query_selector("slot").expect("query").is_some(),
        "the host shows its own children again"
    );
    assert_eq!(
        el.child_element_count(),
        0,
        "nothing was added to the light DOM"
    );
    handle.destroy();
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/js/events.js")]
extern "C" {
    /// js/events.js: the detail of `hopae-<kind>`, built from its one key table.
    #[wasm_bindgen(js_name = detail)]
    fn js_detail(kind: &str) -> JsValue;
}

fn keys(object: &JsValue) -> Vec<String> {
    Object::keys(object.unchecked_ref::<Object>())
        .iter()
        .filter_map(|k| k.as_string())
        .collect()
}

/// The runtime hopae-failed carries exactly the keys (in order) of the
/// hopae-failed that element.js (invalid_options) and fallback.js
/// (wasm_load_failed) build: all come from js/events.js's table
/// (tests/events.test.mjs checks the two JS ones).
#[wasm_bindgen_test]
async fn a_runtime_hopae_failed_has_the_keys_of_every_hopae_failed() {
    let el = host();
    let failed = next_event(&el, "hopae-failed");
    let handle = mount_at(&el, "/no-such-backend", &[]);
    let event = failed.await.expect("hopae-failed");
    let detail = Reflect::get(&event, &"detail".into()).expect("detail");
    assert_eq!(
        keys(&detail),
        [
            "verificationId",
            "code",
            "title",
            "message",
            "httpStatus",
            "retryable",
            "hopaeCode"
        ]
    );
    assert_eq!(keys(&detail), keys(&js_detail("failed")));
    // A failure without Hopae's own code says so with null, not a missing key.
    assert_eq!(
        Reflect::get(&detail, &"hopaeCode".into()).expect("hopaeCode"),
        JsValue::NULL
    );
    handle.destroy();
    el.remove();
}

#[wasm_bindgen_test]
fn bad_options_throw_errors_that_say_what_to_fix() {
    let el: JsValue = host().into();
    let err = |o: JsValue| -> String {
        let e: JsValue = hopae_connect_widget::mount(el.clone(), o, JsValue::UNDEFINED)
            .err()
            .expect("throws")
            .into();
        Reflect::get(&e, &"message".into())
            .expect("message")
            .as_string()
            .expect("text")
    };
    assert!(err(options(&[("providerId", "bankidse".into())]))
        .contains("`endpoint` option is required"));
    assert!(err(options(&[
        ("endpoint", "/v".into()),
        ("providerId", "x".into()),
        ("timeout", (-5).into())
    ]))
    .contains("timeout"));
    assert!(err(options(&[
        ("endpoint", "/v".into()),
        ("providerId", "x".into()),
        ("credentials", "sometimes".into())
    ]))
    .contains("credentials"));
    assert!(err(JsValue::UNDEFINED).contains("options object"));
    // Headers `fetch` would refuse when the request is made: refused at
    // mount, naming the header, not a TypeError from inside a poll.
    for (headers, says) in [
        (
            r#"{"X Token": "1"}"#,
            "\"X Token\", which is not a header name",
        ),
        (r#"{"": "1"}"#, "\"\", which is not a header name"),
        (r#"{"X-Token": "a\nb"}"#, "\"X-Token\" with a line break"),
        (
            r#"{"X-Name": "日本"}"#,
            "\"X-Name\" with a line break, NUL or a character beyond Latin-1",
        ),
    ] {
        let message = err(options(&[
            ("endpoint", "/v".into()),
            ("providerId", "x".into()),
            ("headers", js_sys::JSON::parse(headers).expect("JSON")),
        ]));
        assert!(
            message.contains("`headers` option") && message.contains(says),
            "{headers}: {message}"
        );
    }
    // Latin-1 text is a header value (ÿ is C3 BF in UTF-8, the last of
    // it; Ā, C4 80, is the first character beyond), and `Headers` strips
    // whitespace at both ends before it looks for line breaks.
    assert!(err(options(&[
        ("endpoint", "/v".into()),
        ("providerId", "x".into()),
        (
            "headers",
            js_sys::JSON::parse(r#"{"X-Name": "Ā"}"#).expect("JSON")
        ),
    ]))
    .contains("beyond Latin-1"));
    for value in ["Zoë", "ÿ", "token\n", " padded\t"] {
        let headers = js_sys::Object::new();
        Reflect::set(&headers, &"X-Name".into(), &value.into()).expect("set");
        let ok = hopae_connect_widget::mount(
            el.clone(),
            options(&[
                ("endpoint", "/v".into()),
                ("providerId", "bankidse".into()),
                ("headers", headers.into()),
            ]),
            JsValue::UNDEFINED,
        );
        assert!(ok.is_ok(), "{value:?} is a header value");
        if let Ok(handle) = ok {
            handle.destroy();
        }
    }
}

// ---- the effect loop, with `fetch` stubbed ------------------------------

/// Runs a snippet of JavaScript (test set-up only).
fn js(body: &str) -> JsValue {
    js_sys::Function::new_no_args(body)
        .call0(&JsValue::UNDEFINED)
        .expect("the snippet runs")
}

/// Replaces `fetch`: a QR create (verification "v" + its call's number, or
/// `window.__createBody`), `initiated` statuses (or `window.__statusBody`),
/// 204 for DELETE; every call is recorded in `window.__calls` as "METHOD url
/// key".
fn stub_fetch(create_delay_ms: u32) {
    js(&format!(
        r#"window.__calls = [];
        window.__createBody = window.__statusBody = undefined;
        window.__failCreates = 0;
        window.__realFetch ??= window.fetch;
        window.fetch = async (url, init) => {{
          if (!String(url).startsWith("/api/v")) return window.__realFetch(url, init);
          const method = init?.method ?? "GET";
          window.__calls.push(method + " " + url + " " + (init?.headers?.get?.("Idempotency-Key") ?? ""));
          const json = (body, status = 200) => new Response(JSON.stringify(body), {{ status, headers: {{ "content-type": "application/json" }} }});
          if (method === "POST") {{
            const id = "v" + window.__calls.length;
            await new Promise((r) => setTimeout(r, {create_delay_ms}));
            if (window.__failCreates > 0 && window.__failCreates--) return json({{ title: "Unavailable" }}, 503);
            return json(window.__createBody ?? {{ verificationId: id, status: "initiated", providerId: "bankidse", flowType: "qr", flowDetails: {{ qrData: "bankid.x.0.y" }} }}, 201);
          }}
          if (method === "DELETE") return new Response(null, {{ status: 204 }});
          return json(window.__statusBody ?? {{ status: "initiated" }});
        }};"#
    ));
}

fn calls() -> Vec<String> {
    js_sys::Array::from(&js("return window.__calls"))
        .iter()
        .filter_map(|c| c.as_string())
        .collect()
}

/// Records, in `window.__seen`, every hopae-* event type `el` sees, from a
/// listener registered after the page's own.
fn record_events(el: &Element) {
    let seen = js_sys::Array::new();
    Reflect::set(&web_sys::window().expect("window"), &"__seen".into(), &seen).expect("set");
    for name in [
        "hopae-initiated",
        "hopae-status",
        "hopae-cancelled",
        "hopae-failed",
        "hopae-completed",
        "hopae-expired",
    ] {
        let seen = seen.clone();
        let f = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::Event)>::new(
            move |e: web_sys::Event| {
                seen.push(&e.type_().into());
            },
        );
        el.add_event_listener_with_callback(name, f.as_ref().unchecked_ref())
            .expect("listen");
        f.forget();
    }
}

fn seen() -> Vec<String> {
    js_sys::Array::from(&js("return window.__seen"))
        .iter()
        .filter_map(|c| c.as_string())
        .collect()
}

async fn wait(ms: i32) {
    // Only to let the widget's own timers run (never to wait for a result).
    JsFuture::from(Promise::new(&mut |resolve, _| {
        web_sys::window()
            .expect("window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("timeout");
    }))
    .await
    .expect("timer");
}

fn shown(el: &Element, selector: &str) -> Option<String> {
    let node = el.shadow_root()?.query_selector(selector).ok()??;
    let hidden = node.has_attribute("hidden");
    (!hidden).then(|| node.text_content().unwrap_or_default())
}

/// Mounts with the page's listener for `event` calling `action` on the handle.
fn mount_with_listener(event: &str, action: &str) -> (Element, JsFuture) {
    let el = host();
    js(&format!(
        "window.__action = (e) => {{ if (!window.__acted) {{ window.__acted = 1; window.__handle.{action}(); }} }};
         window.__acted = 0;"
    ));
    let action = Reflect::get(&web_sys::window().expect("window"), &"__action".into()).expect("fn");
    el.add_event_listener_with_callback(event, action.unchecked_ref())
        .expect("listen");
    record_events(&el);
    let ended = next_event(&el, "hopae-cancelled");
    let handle = mount_at(&el, "/api/v", &[("pollInterval", 300.into())]);
    Reflect::set(
        &web_sys::window().expect("window"),
        &"__handle".into(),
        &JsValue::from(handle),
    )
    .expect("set");
    (el, ended)
}

#[wasm_bindgen_test]
async fn cancel_from_an_initiated_listener_leaves_a_clean_cancelled_widget_and_ordered_events() {
    stub_fetch(0);
    let (el, cancelled) = mount_with_listener("hopae-initiated", "cancel");
    cancelled.await.expect("cancelled");
    // Listeners registered after the cancelling one see the events in order.
    assert_eq!(seen(), ["hopae-initiated", "hopae-cancelled"]);
    assert_eq!(
        shown(&el, ".hopae-verify-status").as_deref(),
        Some("The verification was cancelled.")
    );
    assert_eq!(
        shown(&el, ".hopae-verify-countdown"),
        None,
        "no countdown beside the cancelled message"
    );
    assert_eq!(shown(&el, ".hopae-verify-cancel"), None);
    assert!(shown(&el, ".hopae-verify-retry").is_some());
    wait(700).await;
    // No poll after the cancel, only its DELETE.
    let c = calls();
    assert_eq!(c.len(), 2, "{c:?}");
    assert!(
        c[0].starts_with("POST /api/v ") && c[0].len() == "POST /api/v ".len() + 32,
        "{c:?}"
    );
    assert!(c[1].starts_with("DELETE /api/v/v1"), "{c:?}");
    js("window.__handle.destroy()");
}

#[wasm_bindgen_test]
async fn restart_from_an_initiated_listener_starts_one_new_verification_in_order() {
    stub_fetch(0);
    let (el, cancelled) = mount_with_listener("hopae-initiated", "restart");
    cancelled.await.expect("cancelled");
    let again = next_event(&el, "hopae-initiated");
    again.await.expect("the new verification starts");
    assert_eq!(
        seen(),
        ["hopae-initiated", "hopae-cancelled", "hopae-initiated"]
    );
    assert!(shown(&el, ".hopae-verify-countdown").is_some());
    js("window.__handle.destroy()");
}

#[wasm_bindgen_test]
async fn destroy_from_a_status_listener_stops_everything() {
    stub_fetch(0);
    js("window.__statusFlip = true;");
    let (el, cancelled) = mount_with_listener("hopae-initiated", "destroy");
    cancelled.await.expect("destroy cancels");
    assert_eq!(seen(), ["hopae-initiated", "hopae-cancelled"]);
    wait(700).await;
    let polls = calls().iter().filter(|c| c.starts_with("GET")).count();
    assert_eq!(polls, 0, "nothing runs after destroy(): {:?}", calls());
    assert!(el
        .shadow_root()
        .expect("root")
        .query_selector(".hopae-verify")
        .expect("q")
        .is_none());
}

#[wasm_bindgen_test]
async fn a_create_that_answers_after_destroy_is_cancelled() {
    stub_fetch(200);
    let el = host();
    let handle = mount_at(&el, "/api/v", &[]);
    handle.destroy();
    for _ in 0..50 {
        if calls().iter().any(|c| c.starts_with("DELETE")) {
            break;
        }
        wait(20).await;
    }
    let c = calls();
    assert!(
        c.len() == 2 && c[1].starts_with("DELETE /api/v/v1"),
        "{c:?}"
    );
}

#[wasm_bindgen_test]
async fn a_qr_that_cannot_be_painted_fails_at_once_with_display_error() {
    stub_fetch(0);
    js("window.__getContext = HTMLCanvasElement.prototype.getContext; HTMLCanvasElement.prototype.getContext = () => null;");
    let el = host();
    let failed = next_event(&el, "hopae-failed");
    let handle = mount_at(&el, "/api/v", &[]);
    let event = failed.await.expect("failed");
    js("HTMLCanvasElement.prototype.getContext = window.__getContext;");
    assert_eq!(
        detail(&event, "code").as_string().as_deref(),
        Some("display_error")
    );
    assert_eq!(shown(&el, ".hopae-verify-qr"), None, "no canvas to scan");
    assert_eq!(shown(&el, ".hopae-verify-countdown"), None);
    handle.destroy();
}

// ---- the first create, started by js/mount.js before the module was ready ----

const KEY: &str = "00112233445566778899aabbccddeeff";

/// What js/mount.js passes as `mount`'s third argument: a create for `body`
/// already sent through the stubbed `fetch` (recorded as a call), its
/// answer read as js/events.js `read()` reads it.
fn prefetched(url: &str, body: &str) -> JsValue {
    js(&format!(
        r#"const body = {body:?}; const abort = new AbortController();
        const headers = new Headers({{ "Idempotency-Key": "{KEY}" }});
        const read = async (r) => {{ const t = await r.text(); let j; try {{ j = JSON.parse(t); }} catch {{}}
          return [r.status, r.ok, r.headers.get("date") ?? undefined, r.headers.get("retry-after") ?? undefined, j]; }};
        return window.__pre = {{ key: "{KEY}", url: {url:?}, body, abort, adopted: false,
          response: window.fetch({url:?}, {{ method: "POST", headers, body, signal: abort.signal }}).then(read) }};"#
    ))
}

/// Options besides `endpoint`, `providerId` and `pollInterval`.
type Options = Vec<(&'static str, JsValue)>;

fn mount_prefetched(
    el: &Element,
    extra: &[(&str, JsValue)],
    pre: JsValue,
) -> hopae_connect_widget::Verification {
    let mut pairs = vec![("pollInterval", JsValue::from(300))];
    pairs.extend(extra.iter().cloned());
    mount_given(el, "/api/v/", &pairs, pre)
}

/// Waits (20 ms steps, at most 2 s) until `done()` holds; false if it never did.
async fn until(done: impl Fn() -> bool) -> bool {
    for _ in 0..100 {
        if done() {
            return true;
        }
        wait(20).await;
    }
    done()
}

fn posts() -> Vec<String> {
    calls()
        .into_iter()
        .filter(|c| c.starts_with("POST"))
        .collect()
}

fn adopted() -> bool {
    js("return window.__pre.adopted").is_truthy()
}

#[wasm_bindgen_test]
async fn the_first_create_adopts_a_prefetched_request_that_is_exactly_its_own() {
    stub_fetch(50);
    let el = host();
    let initiated = next_event(&el, "hopae-initiated");
    let pre = prefetched("/api/v", r#"{"providerId":"bankidse"}"#);
    let handle = mount_prefetched(&el, &[], pre);
    assert!(adopted(), "adopted at mount");
    let event = initiated
        .await
        .expect("initiated from the prefetched answer");
    assert_eq!(
        detail(&event, "verificationId").as_string().as_deref(),
        Some("v1")
    );
    let c = calls();
    assert_eq!(
        c.iter().filter(|c| c.starts_with("POST")).count(),
        1,
        "no second create: {c:?}"
    );
    handle.destroy();
}

#[wasm_bindgen_test]
async fn an_adopted_create_read_long_before_is_as_old_as_it_is_the_next_poll_comes_at_once() {
    stub_fetch(0);
    let el = host();
    let initiated = next_event(&el, "hopae-initiated");
    prefetched("/api/v", r#"{"providerId":"bankidse"}"#);
    // Read 10 s before the module was ready (a slow connection), polled every
    // 5 s; a code that is not animated (an animated one is renewed every second).
    let pre = js(
        r#"window.__pre.response = window.__pre.response.then((a) => {
        a[5] -= 10000; a[4].flowDetails.qrData = "https://app.example/q"; return a; });
      return window.__pre"#,
    );
    let handle = mount_prefetched(&el, &[("pollInterval", 5_000.into())], pre);
    initiated.await.expect("initiated");
    let polled = until(|| calls().iter().any(|c| c.starts_with("GET"))).await;
    assert!(
        polled,
        "no status poll within 2 s of taking over a 10 s old answer: {:?}",
        calls()
    );
    handle.destroy();
}

#[wasm_bindgen_test]
async fn a_retry_of_an_adopted_create_carries_its_idempotency_key() {
    stub_fetch(0);
    js("window.__failCreates = 1;");
    let el = host();
    let initiated = next_event(&el, "hopae-initiated");
    let handle = mount_prefetched(
        &el,
        &[],
        prefetched("/api/v", r#"{"providerId":"bankidse"}"#),
    );
    assert!(adopted());
    initiated.await.expect("the retry creates it");
    let posts: Vec<String> = calls()
        .into_iter()
        .filter(|c| c.starts_with("POST"))
        .collect();
    assert_eq!(
        posts,
        [format!("POST /api/v {KEY}"), format!("POST /api/v {KEY}")]
    );
    handle.destroy();
}

#[wasm_bindgen_test]
async fn a_prefetched_create_that_differs_is_left_to_the_page_and_the_widget_sends_its_own() {
    // Another body (the `body` option changed), another URL, a resumed
    // verification (no create at all), a provider that asks for user data.
    let cases: [(&str, &str, Options); 4] = [
        ("/api/v", r#"{"providerId":"frejaid"}"#, vec![]),
        ("/api/other", r#"{"providerId":"bankidse"}"#, vec![]),
        (
            "/api/v",
            r#"{"providerId":"bankidse"}"#,
            vec![("resume", "v9".into())],
        ),
        (
            "/api/v",
            r#"{"providerId":"smartid"}"#,
            vec![("providerId", "smartid".into())],
        ),
    ];
    for (url, body, extra) in cases {
        stub_fetch(0);
        let el = host();
        let handle = mount_prefetched(&el, &extra, prefetched(url, body));
        assert!(!adopted(), "{url} {body} {extra:?}");
        let own = || posts().iter().filter(|c| !c.ends_with(KEY)).count();
        if extra.is_empty() {
            // Its own create, with its own key.
            assert!(until(|| own() == 1).await, "{:?}", calls());
        } else {
            // The resumed one is polled, or the form asks: no create.
            let polled = || calls().iter().any(|c| c.starts_with("GET /api/v/v9"));
            let asks = || shown(&el, "form").is_some();
            assert!(until(|| polled() || asks()).await, "{:?}", calls());
            assert_eq!(own(), 0, "{:?}", calls());
        }
        let form = shown(&el, "form").is_some();
        handle.destroy();
        // Its DELETE (none for the form) lands before the next case.
        assert!(until(|| form || calls().iter().any(|c| c.starts_with("DELETE"))).await);
    }
}

/// Wraps `setTimeout`/`clearTimeout` so `pending_timers()` counts the timers
/// armed through them (with a delay) that have neither fired nor been
/// cleared; `pause()` waits on the real `setTimeout`, uncounted.
fn track_timers() {
    js(r#"window.__st ??= window.setTimeout;
        window.__ct ??= window.clearTimeout;
        const pending = (window.__pendingTimers = new Set());
        window.setTimeout = (f, ms, ...a) => {
          const id = window.__st((...x) => { pending.delete(id); f(...x); }, ms, ...a);
          if (ms > 0) pending.add(id);
          return id;
        };
        window.clearTimeout = (id) => { pending.delete(id); window.__ct(id); };"#);
}

fn untrack_timers() {
    js("window.setTimeout = window.__st; window.clearTimeout = window.__ct;");
}

fn pending_timers() -> u32 {
    js("return window.__pendingTimers.size")
        .as_f64()
        .unwrap_or(-1.0) as u32
}

async fn pause(ms: u32) {
    JsFuture::from(Promise::from(js(&format!(
        "return new Promise((r) => window.__st(r, {ms}))"
    ))))
    .await
    .expect("pause");
}

fn polls() -> usize {
    calls().iter().filter(|c| c.starts_with("GET")).count()
}

#[wasm_bindgen_test]
async fn polling_keeps_one_wake_up_and_one_countdown_timer_and_destroy_clears_them() {
    stub_fetch(0);
    track_timers();
    let handle = mount_at(&host(), "/api/v", &[("pollInterval", 250.into())]);
    let handle = JsValue::from(handle);
    let mut most = 0;
    for _ in 0..100 {
        pause(20).await;
        most = most.max(pending_timers());
        if polls() >= 4 {
            break;
        }
    }
    let before = polls();
    assert!(before >= 4, "it polls: {:?}", calls());
    // Each wake-up re-arms the one timer: the next poll (or the request's
    // timeout) and the countdown's next change, never a stale one as well.
    assert!(most <= 2, "{most} timers pending at once");
    assert!(pending_timers() >= 1, "the next poll is armed");
    let destroy = Reflect::get(&handle, &"destroy".into()).expect("destroy");
    destroy
        .unchecked_ref::<js_sys::Function>()
        .call0(&handle)
        .expect("destroys");
    assert_eq!(pending_timers(), 0, "destroy() clears every timer");
    pause(700).await;
    untrack_timers();
    assert_eq!(polls(), before, "no poll after destroy(): {:?}", calls());
}

#[wasm_bindgen_test]
async fn a_status_answer_like_the_last_is_not_read_field_by_field_again() {
    stub_fetch(0);
    js("window.__statusBody = undefined;");
    let el = host();
    record_events(&el);
    let handle = mount_at(&el, "/api/v", &[("pollInterval", 250.into())]);
    // The decoders read each field with `Reflect.get`: count those calls
    // while the same answer comes back, poll after poll.
    let counted = || js("return window.__gets").as_f64().unwrap_or(-1.0);
    assert!(until(|| polls() >= 2).await, "it polls: {:?}", calls());
    js("window.__gets = 0; window.__rg ??= Reflect.get;
        Reflect.get = (...a) => (window.__gets++, window.__rg(...a));");
    let ok = until(|| polls() >= 6).await;
    let gets = counted();
    js("Reflect.get = window.__rg;");
    // A changed answer is read (and acted on).
    js(
        r#"window.__statusBody = { status: "completed", verifiedAttributes: { name: "A" }, verifiedAt: "2026-11-27T12:00:00Z" };"#,
    );
    let completed = until(|| seen().iter().any(|e| e == "hopae-completed")).await;
    js("window.__statusBody = undefined;");
    handle.destroy();
    assert!(ok, "it polls: {:?}", calls());
    // Three to five answers arrived; this one read again is 12 reads.
    assert!(
        gets < 12.0,
        "{gets} field reads over at least three unchanged answers"
    );
    assert!(completed, "completed after unchanged answers: {:?}", seen());
}

#[wasm_bindgen_test]
async fn creates_in_flight_of_a_restarted_then_destroyed_widget_are_each_cancelled() {
    stub_fetch(200);
    let handle = mount_at(&host(), "/api/v", &[]);
    // The first create is still in flight: restart() leaves it to answer
    // and sends a second; destroy() leaves both.
    handle.restart();
    handle.destroy();
    let deletes = || calls().iter().filter(|c| c.starts_with("DELETE")).count();
    assert!(until(|| deletes() >= 2).await, "{:?}", calls());
    wait(100).await;
    let mut c = calls();
    c.sort();
    assert_eq!(
        c.iter()
            .map(|c| c.split(' ').take(2).collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>(),
        [
            "DELETE /api/v/v1",
            "DELETE /api/v/v2",
            "POST /api/v",
            "POST /api/v"
        ],
        "one DELETE per create"
    );
}

#[wasm_bindgen_test]
async fn restart_cancels_the_create_it_leaves_and_keeps_the_new_one() {
    stub_fetch(200);
    let el = host();
    record_events(&el);
    let initiated = next_event(&el, "hopae-initiated");
    let handle = mount_at(&el, "/api/v", &[]);
    // v1 is in flight; restart() sends v2's create and leaves v1 to answer.
    handle.restart();
    let event = initiated.await.expect("initiated");
    let deleted = until(|| calls().iter().any(|c| c.starts_with("DELETE"))).await;
    wait(100).await;
    let c = calls();
    handle.destroy();
    assert_eq!(
        detail(&event, "verificationId").as_string().as_deref(),
        Some("v2"),
        "the new session's verification: {c:?}"
    );
    assert!(deleted, "{c:?}");
    let deletes: Vec<_> = c.iter().filter(|c| c.starts_with("DELETE")).collect();
    assert_eq!(deletes.len(), 1, "{c:?}");
    assert!(deletes[0].starts_with("DELETE /api/v/v1 "), "{c:?}");
}

#[wasm_bindgen_test]
async fn a_created_verification_whose_answer_cannot_be_read_is_cancelled() {
    stub_fetch(0);
    // 201 with a verification, but a QR flow without its code: the widget
    // fails (invalid_response) and nobody will use v7.
    js(r#"window.__createBody = { verificationId: "v7", status: "initiated", flowType: "qr" };"#);
    let el = host();
    let failed = next_event(&el, "hopae-failed");
    let handle = mount_at(&el, "/api/v", &[]);
    let event = failed.await.expect("hopae-failed");
    js("window.__createBody = undefined;");
    let deleted = until(|| calls().iter().any(|c| c.starts_with("DELETE"))).await;
    let c = calls();
    handle.destroy();
    assert_eq!(
        detail(&event, "code").as_string().as_deref(),
        Some("invalid_response")
    );
    assert!(deleted, "v7 is cancelled: {c:?}");
    assert!(
        c.iter().any(|c| c.starts_with("DELETE /api/v/v7 ")),
        "{c:?}"
    );
}
