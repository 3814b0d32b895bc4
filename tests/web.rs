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
    let handle = hopae_connect_widget::mount(
        el.clone().into(),
        options(&[
            ("endpoint", "/no-such-backend".into()),
            ("providerId", "bankidse".into()),
        ]),
    )
    .map_err(JsValue::from)
    .expect("mounts");
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

#[wasm_bindgen_test]
fn bad_options_throw_errors_that_say_what_to_fix() {
    let el: JsValue = host().into();
    let err = |o: JsValue| -> String {
        let e: JsValue = hopae_connect_widget::mount(el.clone(), o)
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
}
