//! Paints a [`QrMatrix`] on a canvas, sharp at any devicePixelRatio.
//!
//! Every module is a whole number of device pixels, the backing store is sized
//! in device pixels and the CSS size is that divided by the ratio, so no edge
//! is ever anti-aliased. The whole code goes out in one `putImageData`. Colours
//! are fixed dark-on-light whatever the page's colour scheme: phones must scan it.

use wasm_bindgen::{Clamped, JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use crate::core::qr::QrMatrix;

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
    canvas.set_width(px);
    canvas.set_height(px);
    let css = css_px(f64::from(px) / dpr);
    let style = canvas.style();
    style.set_property("width", &css)?;
    style.set_property("height", &css)?;

    let side = px as usize;
    let mut data = Vec::with_capacity(side * side * 4);
    let mut row = vec![0u8; side * 4];
    for y in 0..modules as usize {
        for (i, pixel) in row.chunks_exact_mut(4).enumerate() {
            let dark = qr.get_module(i / module as usize, y);
            pixel.copy_from_slice(if dark { &DARK } else { &LIGHT });
        }
        for _ in 0..module {
            data.extend_from_slice(&row);
        }
    }
    let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&data), px, px)?;
    let ctx = canvas
        .get_context("2d")?
        .ok_or_else(|| JsValue::from_str("canvas 2d context unavailable"))?
        .dyn_into::<CanvasRenderingContext2d>()?;
    ctx.put_image_data(&image, 0.0, 0.0)
}

/// `"123.456px"`, with integer formatting only (float formatting would cost
/// the wasm kilobytes).
fn css_px(value: f64) -> String {
    let thousandths = (value.max(0.0) * 1000.0).round() as u64;
    let mut s = (thousandths / 1000).to_string();
    let fraction = thousandths % 1000;
    if fraction != 0 {
        s.push('.');
        let digits = fraction.to_string();
        for _ in digits.len()..3 {
            s.push('0');
        }
        s.push_str(digits.trim_end_matches('0'));
    }
    s.push_str("px");
    s
}
