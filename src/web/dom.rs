//! The elements the widget adds to its host, and nothing else.
//!
//! One root `<div class="hopae-verify">` holds the QR canvas, a status line
//! (`role="status"`, so screen readers hear each change), the "Open the app on
//! this device" link and the Cancel / Try again buttons. Text goes in with
//! `textContent`, never as HTML; links only get URLs the core has checked.
//! [`View::remove`] takes out all of it.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, HtmlButtonElement, HtmlCanvasElement};

use crate::core::messages::Message;
use crate::core::qr::QrMatrix;
use crate::core::session::Actions;
use crate::web::canvas;

/// What the widget shows inside its host element.
pub struct View {
    root: Element,
    canvas: HtmlCanvasElement,
    status: Element,
    app_link: Element,
    /// "Cancel".
    pub cancel: HtmlButtonElement,
    /// "Try again".
    pub try_again: HtmlButtonElement,
    size: u32,
}

fn element(document: &Document, tag: &str, class: &str, part: &str) -> Result<Element, JsValue> {
    let el = document.create_element(tag)?;
    el.set_class_name(class);
    el.set_attribute("part", part)?;
    Ok(el)
}

fn button(
    document: &Document,
    class: &str,
    part: &str,
    text: &str,
) -> Result<HtmlButtonElement, JsValue> {
    let b: HtmlButtonElement = element(document, "button", class, part)?.dyn_into()?;
    b.set_type("button");
    b.set_text_content(Some(text));
    b.set_hidden(true);
    Ok(b)
}

impl View {
    /// Builds the view and appends it to `host`.
    pub fn create(host: &Element, size: u32) -> Result<View, JsValue> {
        let document: Document = host
            .owner_document()
            .ok_or_else(|| JsValue::from_str("the host element has no document"))?;
        let root = element(&document, "div", "hopae-verify", "root")?;
        let canvas: HtmlCanvasElement =
            element(&document, "canvas", "hopae-verify-qr", "qr")?.dyn_into()?;
        canvas.set_attribute("role", "img")?;
        canvas.set_attribute("aria-label", "QR code to scan with your eID app")?;
        canvas.set_hidden(true);
        let status = element(&document, "p", "hopae-verify-status", "status")?;
        status.set_attribute("role", "status")?;
        status.set_attribute("aria-live", "polite")?;
        let app_link = element(&document, "a", "hopae-verify-app-link", "app-link")?;
        app_link.set_attribute("rel", "noopener noreferrer")?;
        app_link.set_attribute("hidden", "")?;
        app_link.set_text_content(Some("Open the app on this device"));
        let actions = element(&document, "div", "hopae-verify-actions", "actions")?;
        let cancel = button(&document, "hopae-verify-cancel", "cancel", "Cancel")?;
        let try_again = button(&document, "hopae-verify-retry", "retry", "Try again")?;
        actions.append_child(&cancel)?;
        actions.append_child(&try_again)?;
        for child in [&canvas as &Element, &app_link, &status, &actions] {
            root.append_child(child)?;
        }
        host.append_child(&root)?;
        Ok(View {
            root,
            canvas,
            status,
            app_link,
            cancel,
            try_again,
            size,
        })
    }

    /// Paints and reveals the QR code. The old pixels stay until the new ones
    /// replace them in one `putImageData`, so a rotating code never flickers.
    pub fn show_qr(&self, qr: &QrMatrix) -> Result<(), JsValue> {
        let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
        canvas::paint(&self.canvas, qr, self.size, dpr)?;
        self.canvas.set_hidden(false);
        Ok(())
    }

    /// Hides the QR code and clears its pixels, so it cannot be scanned.
    pub fn hide_qr(&self) {
        self.canvas.set_width(0);
        self.canvas.set_height(0);
        self.canvas.set_hidden(true);
    }

    /// Shows one line of status text.
    pub fn say(&self, message: &Message) {
        self.status.set_text_content(Some(&message.text()));
    }

    /// Shows "Open the app on this device" (a URL the core has checked), or
    /// hides it. On a touch device (coarse pointer) the person is most likely
    /// on the phone that has the app, so the link comes first, before the QR,
    /// and is marked primary; on a desktop it follows the QR.
    pub fn app_link(&self, url: Option<&str>) -> Result<(), JsValue> {
        let touch = web_sys::window()
            .and_then(|w| w.match_media("(pointer: coarse)").ok().flatten())
            .is_some_and(|m| m.matches());
        if url.is_some() {
            let anchor = if touch {
                &self.canvas as &Element
            } else {
                &self.status
            };
            self.root.insert_before(&self.app_link, Some(anchor))?;
            self.app_link.set_class_name(if touch {
                "hopae-verify-app-link hopae-verify-app-link-primary"
            } else {
                "hopae-verify-app-link"
            });
        }
        self.link(url, "Open the app on this device", false)
    }

    /// Shows a link (a URL the core has checked) with `text`, or hides it.
    pub fn link(&self, url: Option<&str>, text: &str, new_tab: bool) -> Result<(), JsValue> {
        match url {
            Some(url) => {
                self.app_link.set_attribute("href", url)?;
                self.app_link.set_text_content(Some(text));
                if new_tab {
                    self.app_link.set_attribute("target", "_blank")?;
                } else {
                    self.app_link.remove_attribute("target")?;
                }
                self.app_link.remove_attribute("hidden")
            }
            None => {
                self.app_link.remove_attribute("href")?;
                self.app_link.set_attribute("hidden", "")
            }
        }
    }

    /// Shows the buttons the session offers.
    pub fn actions(&self, actions: Actions) {
        self.cancel.set_hidden(!actions.cancel);
        self.try_again.set_hidden(!actions.try_again);
    }

    /// Back to the empty state, for a restart.
    pub fn reset(&self) -> Result<(), JsValue> {
        self.hide_qr();
        self.status.set_text_content(None);
        self.link(None, "", false)?;
        self.actions(Actions {
            cancel: false,
            try_again: false,
        });
        Ok(())
    }

    /// Removes everything this view added to the host.
    pub fn remove(&self) {
        self.root.remove();
    }
}
