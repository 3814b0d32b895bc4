//! The elements the widget adds, inside a shadow root on its host, and
//! nothing else.
//!
//! One root `<div class="hopae-verify" part="root">` holds, in this order, the
//! title, the status line (`role="status"`, `aria-live="polite"`: every change
//! is announced), a spinner while starting, the QR canvas (`role="img"`, a
//! localized label), the push flow's code, the user-data form, the "Open the
//! app on this device" link, a countdown (not live: it is not read out every
//! second) and the Cancel / Try again buttons. The stylesheet gives each a
//! fixed place in one box of the QR state's size, so no state moves another.
//! Styles come from one constructable stylesheet shared by every widget
//! (`adoptedStyleSheets`). Text goes in with `textContent`, never as HTML;
//! links only get URLs the core has checked. [`View::remove`] takes all of it
//! out again and leaves the host rendering its own children.

use std::cell::RefCell;

use js_sys::Array;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    CssStyleSheet, Document, Element, HtmlButtonElement, HtmlCanvasElement, HtmlElement, Node,
    ShadowRoot, ShadowRootInit, ShadowRootMode,
};

use crate::core::messages::{Message, Messages, Text};
use crate::core::qr::QrMatrix;
use crate::core::session::{Actions, Form};
use crate::web::canvas;

const STYLE: &str = include_str!(concat!(env!("OUT_DIR"), "/style.min.css"));

thread_local! {
    /// One stylesheet for every widget on the page.
    static SHEET: RefCell<Option<CssStyleSheet>> = const { RefCell::new(None) };
}

/// What the widget shows inside its host element.
pub struct View {
    root: Element,
    /// The node our root lives in: the host's shadow root, or a wrapper's.
    container: Node,
    /// A wrapper element we had to add to the light DOM (hosts that cannot
    /// have a shadow root, such as `<p>`); removed with the view.
    wrapper: Option<Element>,
    title: Element,
    canvas: HtmlCanvasElement,
    spinner: HtmlElement,
    status: Element,
    /// The push flow's verification code, large, with its label.
    code: HtmlElement,
    code_label: Element,
    code_value: Element,
    /// The user-data form and its inputs (with their hints), once built.
    pub form: HtmlElement,
    inputs: Vec<(Element, Element)>,
    countdown: HtmlElement,
    /// The countdown's text on screen: never rewritten unchanged.
    countdown_text: String,
    app_link: Element,
    /// "Cancel".
    pub cancel: HtmlButtonElement,
    /// "Try again".
    pub try_again: HtmlButtonElement,
    /// The QR's CSS size in use, and the `size` option it came from.
    size: Option<u32>,
    size_option: Option<u32>,
    host: Element,
    messages: Messages,
    provider_id: String,
}

fn element(document: &Document, tag: &str, class: &str, part: &str) -> Result<Element, JsValue> {
    let el = document.create_element(tag)?;
    el.set_class_name(class);
    el.set_attribute("part", part)?;
    Ok(el)
}

fn html(document: &Document, tag: &str, class: &str, part: &str) -> Result<HtmlElement, JsValue> {
    Ok(element(document, tag, class, part)?.dyn_into()?)
}

fn button(document: &Document, class: &str, part: &str) -> Result<HtmlButtonElement, JsValue> {
    let b: HtmlButtonElement = element(document, "button", class, part)?.dyn_into()?;
    b.set_type("button");
    b.set_hidden(true);
    Ok(b)
}

/// The host's open shadow root, attached if it has none; for hosts that
/// cannot have one, a wrapper `<div>` with its own.
fn shadow_root(
    host: &Element,
    document: &Document,
) -> Result<(ShadowRoot, Option<Element>), JsValue> {
    if let Some(root) = host.shadow_root() {
        return Ok((root, None));
    }
    let init = ShadowRootInit::new(ShadowRootMode::Open);
    match host.attach_shadow(&init) {
        Ok(root) => Ok((root, None)),
        Err(_) => {
            let wrapper = document.create_element("div")?;
            wrapper.set_class_name("hopae-verify-host");
            host.append_child(&wrapper)?;
            Ok((wrapper.attach_shadow(&init)?, Some(wrapper)))
        }
    }
}

/// `--hopae-qr-size` in px as the host's computed style has it, if set and sane.
fn qr_size_from_css(host: &Element) -> Option<u32> {
    web_sys::window()
        .and_then(|w| w.get_computed_style(host).ok().flatten())
        .and_then(|style| style.get_property_value("--hopae-qr-size").ok())
        .and_then(|v| {
            v.trim()
                .strip_suffix("px")
                .and_then(crate::core::config::decimal)
        })
        .filter(|v| v.is_finite() && (96.0..=1024.0).contains(v))
        .map(|v| v.round() as u32)
}

/// Adopts the shared stylesheet into `root` (once).
fn adopt_style(root: &ShadowRoot) -> Result<(), JsValue> {
    let sheet = SHEET.with(|cell| -> Result<CssStyleSheet, JsValue> {
        if let Some(sheet) = cell.borrow().as_ref() {
            return Ok(sheet.clone());
        }
        let sheet = CssStyleSheet::new()?;
        sheet.replace_sync(STYLE)?;
        *cell.borrow_mut() = Some(sheet.clone());
        Ok(sheet)
    })?;
    let adopted: Array = root.adopted_style_sheets();
    if !adopted.includes(&sheet, 0) {
        adopted.push(&sheet);
        root.set_adopted_style_sheets(&adopted);
    }
    Ok(())
}

impl View {
    /// Builds the view in `host`'s shadow root. `size` is the QR's CSS size
    /// from the options; without it `--hopae-qr-size` (read now) or 200 px applies.
    pub fn create(
        host: &Element,
        size: Option<u32>,
        messages: Messages,
        provider_id: &str,
    ) -> Result<View, JsValue> {
        let document: Document = host
            .owner_document()
            .ok_or_else(|| JsValue::from_str("the host element has no document"))?;
        // Read before the widget's own elements exist: a computed style read
        // later, with them still unstyled, forces a style pass that costs more
        // than painting the QR.
        let size_option = size;
        let size = size.or_else(|| qr_size_from_css(host));
        let (shadow, wrapper) = shadow_root(host, &document)?;
        adopt_style(&shadow)?;
        // A slot we left after an earlier widget goes: the widget shows instead.
        if let Some(slot) = shadow.query_selector("slot.hopae-verify-slot")? {
            slot.remove();
        }
        let root = element(&document, "div", "hopae-verify", "root")?;
        // Focusable by script only: "Try again" hands the focus to the card.
        root.set_attribute("tabindex", "-1")?;
        root.set_attribute("lang", messages.locale().tag())?;
        let title = element(&document, "p", "hopae-verify-title", "title")?;
        let canvas: HtmlCanvasElement =
            element(&document, "canvas", "hopae-verify-qr", "qr")?.dyn_into()?;
        canvas.set_attribute("role", "img")?;
        canvas.set_hidden(true);
        let spinner = html(&document, "div", "hopae-verify-spinner", "spinner")?;
        spinner.set_attribute("aria-hidden", "true")?;
        spinner.set_hidden(true);
        let status = element(&document, "p", "hopae-verify-status", "status")?;
        status.set_attribute("role", "status")?;
        status.set_attribute("aria-live", "polite")?;
        let code = html(&document, "p", "hopae-verify-code", "code")?;
        code.set_hidden(true);
        let code_label = element(&document, "span", "hopae-verify-code-label", "code-label")?;
        let code_value = element(&document, "span", "hopae-verify-code-value", "code-value")?;
        code.append_child(&code_label)?;
        code.append_child(&code_value)?;
        let form = html(&document, "form", "hopae-verify-form", "form")?;
        form.set_attribute("novalidate", "")?;
        form.set_hidden(true);
        let countdown = html(&document, "p", "hopae-verify-countdown", "countdown")?;
        countdown.set_attribute("aria-live", "off")?;
        countdown.set_hidden(true);
        let app_link = element(&document, "a", "hopae-verify-app-link", "app-link")?;
        app_link.set_attribute("rel", "noopener noreferrer")?;
        app_link.set_attribute("hidden", "")?;
        let actions = element(&document, "div", "hopae-verify-actions", "actions")?;
        let cancel = button(&document, "hopae-verify-cancel", "cancel-button")?;
        let try_again = button(&document, "hopae-verify-retry", "retry-button")?;
        actions.append_child(&cancel)?;
        actions.append_child(&try_again)?;
        // In the order they are seen (the stylesheet gives each a fixed row).
        for child in [
            &title,
            &status,
            &spinner as &Element,
            &canvas,
            &code,
            &form,
            &app_link,
            &countdown,
            &actions,
        ] {
            root.append_child(child)?;
        }
        shadow.append_child(&root)?;
        let view = View {
            root,
            container: shadow.into(),
            wrapper,
            title,
            canvas,
            spinner,
            status,
            code,
            code_label,
            code_value,
            form,
            inputs: Vec::new(),
            countdown,
            countdown_text: String::new(),
            app_link,
            cancel,
            try_again,
            size,
            size_option,
            host: host.clone(),
            messages,
            provider_id: provider_id.to_owned(),
        };
        view.label();
        view.size_card()?;
        Ok(view)
    }

    /// Gives the card the QR's size (`--_qr`), on which its box depends.
    fn size_card(&self) -> Result<(), JsValue> {
        let mut px = crate::core::error::digits(self.qr_size().into());
        px.push_str("px");
        match self.root.dyn_ref::<HtmlElement>() {
            Some(root) => root.style().set_property("--_qr", &px),
            None => Ok(()),
        }
    }

    /// (Re)writes every fixed label in the view's language for the provider.
    fn label(&self) {
        let text = |t: Text| self.messages.get(t, &self.provider_id);
        self.title.set_text_content(Some(&text(Text::Title)));
        let _ = self
            .canvas
            .set_attribute("aria-label", &text(Text::QrLabel));
        self.cancel.set_text_content(Some(&text(Text::Cancel)));
        self.try_again.set_text_content(Some(&text(Text::TryAgain)));
    }

    /// The provider changed (a fallback): relabel.
    pub fn set_provider(&mut self, provider_id: &str) {
        if self.provider_id != provider_id {
            self.provider_id = provider_id.to_owned();
            self.label();
        }
    }

    /// The QR's CSS size: the `size` option, else `--hopae-qr-size` in px on
    /// the host, else 200.
    fn qr_size(&self) -> u32 {
        self.size.unwrap_or(crate::core::config::DEFAULT_SIZE)
    }

    /// Paints and reveals the QR code. The old pixels stay until the new ones
    /// replace them in one `putImageData`, so a rotating code never flickers.
    pub fn show_qr(&self, qr: &QrMatrix) -> Result<(), JsValue> {
        let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
        canvas::paint(&self.canvas, qr, self.qr_size(), dpr)?;
        self.canvas.set_hidden(false);
        self.spinner.set_hidden(true);
        Ok(())
    }

    /// Hides the QR code and clears its pixels, so it cannot be scanned.
    pub fn hide_qr(&self) {
        self.canvas.set_width(0);
        self.canvas.set_height(0);
        self.canvas.set_hidden(true);
    }

    /// Shows one line of status text; a spinner while starting or leaving.
    pub fn say(&self, message: &Message) {
        self.status
            .set_text_content(Some(&self.messages.render(message, &self.provider_id)));
        let busy = matches!(message, Message::Starting | Message::Redirecting);
        self.spinner.set_hidden(!busy);
        match message {
            Message::ConfirmInApp {
                code: Some(code), ..
            } => {
                let label = self.messages.get(Text::VerificationCode, &self.provider_id);
                let label = crate::core::messages::fill(&label, "code", "");
                self.code_label.set_text_content(Some(label.trim()));
                self.code_value.set_text_content(Some(code));
                self.code.set_hidden(false);
            }
            _ => self.code.set_hidden(true),
        }
    }

    /// Shows the user-data form: a labelled input per field with its format
    /// hint; a refused value is marked invalid, its hint says so, and the
    /// first one gets the focus. Enter submits (it is a `<form>`).
    pub fn show_form(&mut self, form: &Form) -> Result<(), JsValue> {
        let document = self
            .root
            .owner_document()
            .ok_or_else(|| JsValue::from_str("no document"))?;
        if self.inputs.len() != form.fields.len() {
            self.form.set_text_content(None);
            self.inputs.clear();
            for (i, field) in form.fields.iter().enumerate() {
                let n = crate::core::error::digits(i as u64);
                let label = element(&document, "label", "hopae-verify-field", "field")?;
                let text = element(&document, "span", "hopae-verify-label", "label")?;
                text.set_text_content(Some(&self.messages.get(field.label, &self.provider_id)));
                let input = element(&document, "input", "hopae-verify-input", "input")?;
                let hint_id = crate::core::cat(&["hopae-verify-hint-", &n]);
                for (name, value) in [
                    ("name", field.name),
                    ("inputmode", field.input_mode),
                    ("autocomplete", "off"),
                    ("spellcheck", "false"),
                    ("aria-describedby", &hint_id),
                    ("aria-required", "true"),
                ] {
                    input.set_attribute(name, value)?;
                }
                let hint = element(&document, "p", "hopae-verify-hint", "hint")?;
                hint.set_id(&hint_id);
                label.append_child(&text)?;
                label.append_child(&input)?;
                self.form.append_child(&label)?;
                self.form.append_child(&hint)?;
                self.inputs.push((input, hint));
            }
            let submit = element(&document, "button", "hopae-verify-submit", "submit-button")?;
            submit.set_attribute("type", "submit")?;
            submit.set_text_content(Some(&self.messages.get(Text::Continue, &self.provider_id)));
            self.form.append_child(&submit)?;
        }
        let mut focused = false;
        for (i, ((input, hint), field)) in self.inputs.iter().zip(form.fields).enumerate() {
            let invalid = form.invalid.get(i).copied().unwrap_or(false);
            let hint_text = if invalid {
                Text::InvalidFormat
            } else {
                Text::FormatHint
            };
            let template = self.messages.get(hint_text, &self.provider_id);
            let text = crate::core::messages::fill(&template, "code", field.example);
            hint.set_text_content(Some(&text));
            if invalid {
                input.set_attribute("aria-invalid", "true")?;
                if !focused {
                    focused = true;
                    if let Some(el) = input.dyn_ref::<HtmlElement>() {
                        let _ = el.focus();
                    }
                }
            } else {
                input.remove_attribute("aria-invalid")?;
            }
        }
        self.form.set_hidden(false);
        self.spinner.set_hidden(true);
        Ok(())
    }

    /// The values typed into the form, in field order.
    pub fn form_values(&self) -> Vec<String> {
        self.inputs
            .iter()
            .map(|(input, _)| {
                js_sys::Reflect::get(input, &JsValue::from_str("value"))
                    .ok()
                    .and_then(|v| v.as_string())
                    .unwrap_or_default()
            })
            .collect()
    }

    /// Removes the form.
    pub fn hide_form(&mut self) {
        self.form.set_hidden(true);
        self.form.set_text_content(None);
        self.inputs.clear();
    }

    /// Moves the keyboard focus to "Try again" (after Cancel removed itself).
    pub fn focus_try_again(&self) {
        if !self.try_again.hidden() {
            let _ = self.try_again.focus();
        }
    }

    /// Moves the keyboard focus to the card (after "Try again" removed itself).
    pub fn focus_card(&self) {
        if let Some(root) = self.root.dyn_ref::<HtmlElement>() {
            let _ = root.focus();
        }
    }

    /// Shows "Expires in 5 min" / "Expires in 0:59" for `remaining` ms, or
    /// hides the countdown. Unchanged text is not rewritten.
    pub fn countdown(&mut self, remaining: Option<u64>) {
        match remaining {
            Some(ms) => {
                let text = self.messages.expires_in(ms, &self.provider_id);
                if text != self.countdown_text {
                    self.countdown.set_text_content(Some(&text));
                    self.countdown_text = text;
                }
                if self.countdown.hidden() {
                    self.countdown.set_hidden(false);
                }
            }
            None => {
                self.countdown.set_hidden(true);
                self.countdown_text.clear();
            }
        }
    }

    /// Shows "Open the app on this device" (a URL the core has checked), or
    /// hides it. On a touch device (coarse pointer) the person is most likely
    /// on the phone that has the app, so the link comes first, before the QR,
    /// and is the primary action; on a desktop it follows the QR.
    pub fn app_link(&self, url: Option<&str>) -> Result<(), JsValue> {
        let touch = web_sys::window()
            .and_then(|w| w.match_media("(pointer: coarse)").ok().flatten())
            .is_some_and(|m| m.matches());
        if url.is_some() {
            let anchor: &Element = if touch {
                &self.spinner
            } else {
                &self.countdown
            };
            self.root.insert_before(&self.app_link, Some(anchor))?;
            self.app_link.set_class_name(if touch {
                "hopae-verify-app-link hopae-verify-app-link-primary"
            } else {
                "hopae-verify-app-link"
            });
        }
        let text = self.messages.get(Text::OpenApp, &self.provider_id);
        self.link(url, &text, false)
    }

    /// "Continue to {provider} in a new tab": a way on when a pop-up is blocked.
    pub fn new_tab_link(&self, url: &str) -> Result<(), JsValue> {
        let text = self.messages.get(Text::ContinueInNewTab, &self.provider_id);
        self.link(Some(url), &text, true)
    }

    fn link(&self, url: Option<&str>, text: &str, new_tab: bool) -> Result<(), JsValue> {
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
    pub fn reset(&mut self, provider_id: &str) -> Result<(), JsValue> {
        self.set_provider(provider_id);
        self.size = self.size_option.or_else(|| qr_size_from_css(&self.host));
        self.size_card()?;
        self.hide_qr();
        self.status.set_text_content(None);
        self.countdown(None);
        self.hide_form();
        self.link(None, "", false)?;
        self.actions(Actions {
            cancel: false,
            try_again: false,
        });
        Ok(())
    }

    /// Removes everything this view added. A shadow root cannot be detached,
    /// so an emptied one gets a plain `<slot>`: the host shows its own
    /// children again, as before the widget came.
    pub fn remove(&self) {
        self.root.remove();
        if let Some(wrapper) = &self.wrapper {
            wrapper.remove();
            return;
        }
        if !self.container.has_child_nodes() {
            if let Some(document) = self.container.owner_document() {
                if let Ok(slot) = document.create_element("slot") {
                    slot.set_class_name("hopae-verify-slot");
                    let _ = self.container.append_child(&slot);
                }
            }
        }
    }
}
