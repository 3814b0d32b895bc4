//! The elements the widget adds to its host, and nothing else.
//!
//! One root `<div class="hopae-verify">` holds the QR canvas and a status line
//! (`role="status"`, so screen readers hear each change). Text goes in with
//! `textContent`, never as HTML. [`View::remove`] takes out all of it.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, HtmlCanvasElement};

use crate::core::messages::Message;
use crate::core::qr::QrMatrix;
use crate::web::canvas;

/// What the widget shows inside its host element.
pub struct View {
    root: Element,
    canvas: HtmlCanvasElement,
    status: Element,
    size: u32,
}

impl View {
    /// Builds the view and appends it to `host`.
    pub fn create(host: &Element, size: u32) -> Result<View, JsValue> {
        let document: Document = host
            .owner_document()
            .ok_or_else(|| JsValue::from_str("the host element has no document"))?;
        let root = document.create_element("div")?;
        root.set_class_name("hopae-verify");
        root.set_attribute("part", "root")?;
        let canvas: HtmlCanvasElement = document.create_element("canvas")?.dyn_into()?;
        canvas.set_class_name("hopae-verify-qr");
        canvas.set_attribute("part", "qr")?;
        canvas.set_attribute("role", "img")?;
        canvas.set_attribute("aria-label", "QR code to scan with your eID app")?;
        canvas.set_attribute("hidden", "")?;
        let status = document.create_element("p")?;
        status.set_class_name("hopae-verify-status");
        status.set_attribute("part", "status")?;
        status.set_attribute("role", "status")?;
        status.set_attribute("aria-live", "polite")?;
        root.append_child(&canvas)?;
        root.append_child(&status)?;
        host.append_child(&root)?;
        Ok(View {
            root,
            canvas,
            status,
            size,
        })
    }

    /// Paints and reveals the QR code.
    pub fn show_qr(&self, qr: &QrMatrix) -> Result<(), JsValue> {
        let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
        canvas::paint(&self.canvas, qr, self.size, dpr)?;
        self.canvas.remove_attribute("hidden")
    }

    /// Hides the QR code and clears its pixels, so it cannot be scanned.
    pub fn hide_qr(&self) -> Result<(), JsValue> {
        self.canvas.set_width(0);
        self.canvas.set_height(0);
        self.canvas.set_attribute("hidden", "")
    }

    /// Shows one line of status text.
    pub fn say(&self, message: &Message) {
        self.status.set_text_content(Some(&message.text()));
    }

    /// Removes everything this view added to the host.
    pub fn remove(&self) {
        self.root.remove();
    }
}
