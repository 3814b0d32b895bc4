//! hopae-connect-widget: a Hopae Connect eID verification as a browser widget.
//!
//! `core` decides (pure Rust, tested natively); `web` obeys (the browser
//! shell). This file holds only the module tree; the JavaScript exports are
//! declared in `web::exports`.
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
#[cfg(target_arch = "wasm32")]
pub mod web;
