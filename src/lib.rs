//! hopae-connect-widget: a Hopae Connect eID verification as a browser widget.
//!
//! `core` decides (pure Rust, tested natively); `web` obeys (the browser
//! shell). This file holds only the module tree and the JavaScript exports.
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::todo,
        clippy::indexing_slicing
    )
)]

pub mod core;

// A free-list allocator, 2.4 KB brotli smaller than std's dlmalloc (talc:
// 2.0 KB; bench/RESULTS.md). The wasm is single-threaded.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOC: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

#[cfg(target_arch = "wasm32")]
pub mod web;

#[cfg(all(target_arch = "wasm32", not(hopae_first)))]
pub use exports::*;

/// The first-QR module: built with `--cfg hopae_first` (scripts/cargo-wasm.mjs),
/// this crate exports only `firstQr`, a module a fraction of the widget's
/// size that the loader runs as soon as the early create answers
/// (js/mount.js), so the QR is on screen before the widget's own module has
/// even been requested. The function is compiled (and linted) in every wasm
/// build; only its export depends on the cfg.
#[cfg(target_arch = "wasm32")]
pub mod first {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    use crate::core::api::CreateResponse;
    use crate::core::qr::QrMatrix;
    use crate::core::session::first_qr;
    use crate::web::json::JsJson;

    /// Paints on `canvas`, at about `size` CSS pixels, the QR code the
    /// session will paint first for the create answer `body` (parsed JSON),
    /// exactly as the widget paints it; `false` (nothing painted) when the
    /// answer needs the whole widget first (`core::session::first_qr`) or
    /// anything is unusual. Never throws.
    pub fn paint(canvas: JsValue, body: JsValue, size: u32) -> bool {
        let Ok(canvas) = canvas.dyn_into::<web_sys::HtmlCanvasElement>() else {
            return false;
        };
        let Ok(answer) = CreateResponse::from_json(&JsJson(body)) else {
            return false;
        };
        let Some(Ok(qr)) = first_qr(&answer).map(QrMatrix::encode) else {
            return false;
        };
        let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
        crate::web::canvas::paint(&canvas, &qr, size, dpr).is_ok()
    }

    /// [`paint`], the first-QR module's one export.
    #[cfg(hopae_first)]
    #[wasm_bindgen(js_name = firstQr)]
    pub fn first_qr_export(canvas: JsValue, body: JsValue, size: u32) -> bool {
        paint(canvas, body, size)
    }
}

#[cfg(all(target_arch = "wasm32", not(hopae_first)))]
mod exports {
    use std::rc::Rc;

    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::Element;

    use crate::core::config::Options;
    use crate::web::http::Backend;
    use crate::web::json::JsJson;
    use crate::web::widget::Widget;

    /// Mounts a verification widget on `element` and starts a verification.
    ///
    /// Throws an `Error` that says what to fix when an option is wrong; every
    /// later failure is a `hopae-failed` event on the element instead.
    /// `prefetched` is js/mount.js's early create (see `Backend::adopt`).
    #[wasm_bindgen]
    pub fn mount(
        element: JsValue,
        options: JsValue,
        prefetched: JsValue,
    ) -> Result<Verification, JsError> {
        let host: Element = element.dyn_into().map_err(|_| {
            JsError::new("hopae-connect-widget: mount(element, options) needs a DOM element as its first argument")
        })?;
        if !options.is_object() {
            return Err(JsError::new(
                "hopae-connect-widget: mount(element, options) needs an options object, e.g. { endpoint: \"/api/verifications\", providerId: \"bankidse\" }",
            ));
        }
        let config = Options::from_json(&JsJson(options.clone()))
            .and_then(Options::validate)
            .map_err(|e| JsError::new(&e.message()))?;
        let backend =
            Backend::from_options(&config.endpoint, &options).map_err(|e| JsError::new(&e))?;
        let widget = Widget::mount(host, config, backend, prefetched).map_err(|e| {
            JsError::new(&crate::core::cat(&[
                "hopae-connect-widget: could not mount: ",
                &crate::web::http::describe(&e),
            ]))
        })?;
        Ok(Verification { id: widget.id() })
    }

    /// Encodes `text` and paints it on `canvas` at about `size` CSS pixels,
    /// exactly as the widget paints its codes (used by the benchmark).
    #[wasm_bindgen(js_name = renderQr)]
    pub fn render_qr(
        canvas: web_sys::HtmlCanvasElement,
        text: &str,
        size: u32,
    ) -> Result<(), JsError> {
        let qr = crate::core::qr::QrMatrix::encode(text).map_err(|_| {
            JsError::new("hopae-connect-widget: the text is too long for a QR code")
        })?;
        let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
        crate::web::canvas::paint(&canvas, &qr, size, dpr)
            .map_err(|e| JsError::new(&crate::web::http::describe(&e)))
    }

    /// Bytes of the WebAssembly memory (used by the benchmark's memory check).
    #[wasm_bindgen(js_name = memoryBytes)]
    pub fn memory_bytes() -> f64 {
        let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
        let buffer: js_sys::ArrayBuffer = memory.buffer().unchecked_into();
        f64::from(buffer.byte_length())
    }

    /// A running verification, returned by `mount`.
    #[wasm_bindgen]
    pub struct Verification {
        /// The widget's id, not a reference: a destroyed widget (its DOM, its
        /// session) is freed at once, not when the garbage collector gets to
        /// finalize this handle.
        id: u32,
    }

    impl Verification {
        fn widget(&self) -> Option<Rc<Widget>> {
            Widget::live(self.id)
        }
    }

    #[wasm_bindgen]
    impl Verification {
        /// Cancels the verification if it is still running (best-effort
        /// `DELETE`, `hopae-cancelled`), stops every timer, request and
        /// listener, and removes the widget's elements. Calling it again does
        /// nothing.
        pub fn destroy(&self) {
            if let Some(widget) = self.widget() {
                widget.destroy();
            }
        }

        /// Cancels the verification: aborts the request in flight, asks the
        /// backend to cancel it (best effort) and dispatches `hopae-cancelled`.
        /// Does nothing once the verification has ended.
        pub fn cancel(&self) {
            if let Some(widget) = self.widget() {
                widget.cancel();
            }
        }

        /// Cancels the current verification, if it is still running, and starts
        /// a new one in the same widget.
        pub fn restart(&self) {
            if let Some(widget) = self.widget() {
                widget.restart();
            }
        }

        /// The verification's id, once the backend has created it.
        #[wasm_bindgen(getter, js_name = verificationId)]
        pub fn verification_id(&self) -> Option<String> {
            self.widget()?.verification_id()
        }

        /// The last status the server reported.
        #[wasm_bindgen(getter)]
        pub fn status(&self) -> Option<String> {
            self.widget()?.status()
        }
    }
}
