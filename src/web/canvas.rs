//! Paints a [`QrMatrix`] on a canvas, sharp at any devicePixelRatio.
//!
//! Every module is a whole number of device pixels, the backing store is sized
//! in device pixels and the CSS size is that divided by the ratio, so no edge
//! is ever anti-aliased. The code goes out as one small `putImageData` scaled
//! by one nearest-neighbour `drawImage`. Colours
//! are fixed dark-on-light whatever the page's colour scheme: phones must scan it.

use std::cell::RefCell;

use wasm_bindgen::{Clamped, JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use crate::core::qr::QrMatrix;

thread_local! {
    /// A canvas of one pixel per module, scaled up onto each widget's canvas.
    static SCRATCH: RefCell<Option<HtmlCanvasElement>> = const { RefCell::new(None) };
}

const DARK: [u8; 4] = [0, 0, 0, 255];
const LIGHT: [u8; 4] = [255, 255, 255, 255];

/// Device pixels per module and per side for a code of `modules` modules
/// drawn at about `css_size` CSS pixels on a screen of ratio `dpr`: the
/// nearest size at which every module is a whole number of device pixels.
pub fn layout(modules: u32, css_size: u32, dpr: f64) -> (u32, u32) {
    let dpr = if dpr.is_finite() && dpr > 0.0 {
        dpr
    } else {
        1.0
    };
    let target = f64::from(css_size) * dpr;
    let module = (target / f64::from(modules.max(1))).round().max(1.0) as u32;
    (module, module * modules)
}

/// Paints `qr` on `canvas` at about `css_size` CSS pixels.
pub fn paint(
    canvas: &HtmlCanvasElement,
    qr: &QrMatrix,
    css_size: u32,
    dpr: f64,
) -> Result<(), JsValue> {
    let modules = qr.size() as u32;
    let (module, px) = layout(modules, css_size, dpr);
    let dpr = if dpr.is_finite() && dpr > 0.0 {
        dpr
    } else {
        1.0
    };
    // Resizing clears and resets the canvas; an animated QR of the same
    // version keeps its size, so only a new size is set.
    if canvas.width() != px || canvas.height() != px {
        canvas.set_width(px);
        canvas.set_height(px);
    }
    let css = css_px(f64::from(px) / dpr);
    let style = canvas.style();
    if style.get_property_value("width").ok().as_deref() != Some(css.as_str()) {
        style.set_property("width", &css)?;
        style.set_property("height", &css)?;
    }

    // One pixel per module in a small scratch canvas, then one nearest-neighbour
    // drawImage at a whole-number scale: every module lands on whole device
    // pixels, and 60× fewer bytes cross from wasm than a full-size ImageData.
    let mut data = Vec::with_capacity((modules * modules * 4) as usize);
    for y in 0..modules as usize {
        for x in 0..modules as usize {
            data.extend_from_slice(if qr.get_module(x, y) { &DARK } else { &LIGHT });
        }
    }
    let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&data), modules, modules)?;
    let scratch = SCRATCH.with(|cell| -> Result<HtmlCanvasElement, JsValue> {
        if let Some(c) = cell.borrow().as_ref() {
            return Ok(c.clone());
        }
        let document = canvas
            .owner_document()
            .ok_or_else(|| JsValue::from_str("the canvas has no document"))?;
        let c: HtmlCanvasElement = document.create_element("canvas")?.dyn_into()?;
        *cell.borrow_mut() = Some(c.clone());
        Ok(c)
    })?;
    if scratch.width() != modules || scratch.height() != modules {
        scratch.set_width(modules);
        scratch.set_height(modules);
    }
    context(&scratch)?.put_image_data(&image, 0.0, 0.0)?;
    let ctx = context(canvas)?;
    ctx.set_image_smoothing_enabled(false);
    let side = f64::from(module * modules);
    ctx.draw_image_with_html_canvas_element_and_dw_and_dh(&scratch, 0.0, 0.0, side, side)
}

fn context(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, JsValue> {
    canvas
        .get_context("2d")?
        .ok_or_else(|| JsValue::from_str("canvas 2d context unavailable"))?
        .dyn_into::<CanvasRenderingContext2d>()
        .map_err(JsValue::from)
}

/// `"123.456px"`, with integer formatting only (float formatting would cost
/// the wasm kilobytes).
fn css_px(value: f64) -> String {
    let thousandths = (value.max(0.0) * 1000.0).round() as u64;
    let mut s = crate::core::error::digits(thousandths / 1000);
    let fraction = thousandths % 1000;
    if fraction != 0 {
        s.push('.');
        let digits = crate::core::error::digits(fraction);
        for _ in digits.len()..3 {
            s.push('0');
        }
        s.push_str(digits.trim_end_matches('0'));
    }
    s.push_str("px");
    s
}
