//! The sans-IO core: everything the widget *decides*, in plain Rust.
//!
//! Nothing in here may import `web-sys`, `js-sys` or `wasm-bindgen`: the core
//! takes decoded responses, the current time and user actions as inputs and
//! returns effects for the browser shell (`crate::web`) to carry out. That is
//! what lets `cargo test` check every rule natively, without a browser and
//! without sleeping.

pub mod api;
pub mod config;
pub mod error;
pub mod json;
pub mod messages;
pub mod qr;
pub mod session;
pub mod time;
pub mod userdata;

/// `parts` joined into one `String`: `[a, b].concat()` without std's generic
/// `join` (its specialised copies cost the wasm about 900 bytes).
#[inline(never)]
pub fn cat(parts: &[&str]) -> String {
    let mut out = String::new();
    for part in parts {
        out.push_str(part);
    }
    out
}
