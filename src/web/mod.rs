//! The browser shell: carries out what `crate::core` decides.
//!
//! It owns every `web-sys`/`js-sys` call: fetch with an `AbortController`,
//! the one gloo timer, the canvas, the DOM it adds to the host element and the
//! CustomEvents it dispatches. It makes no decisions of its own beyond
//! translating browser failures into `core::error::Error`.

pub mod canvas;
pub mod dom;
pub mod events;
pub mod http;
pub mod json;
pub mod widget;
