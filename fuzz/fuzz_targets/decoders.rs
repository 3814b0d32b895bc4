//! `cargo +nightly fuzz run decoders`: any bytes through the JSON parser, every
//! decoder, option validation, the timestamp parsers and the QR encoder, and
//! the decoded answers through a session. A panic is a finding.
#![no_main]

use hopae_connect_widget::core::api::{CreateResponse, Problem, StatusResponse};
use hopae_connect_widget::core::config::Options;
use hopae_connect_widget::core::error::Error;
use hopae_connect_widget::core::json::parse;
use hopae_connect_widget::core::qr::QrMatrix;
use hopae_connect_widget::core::session::{Effect, Input, Reply, Session};
use hopae_connect_widget::core::time::{parse_http_date, parse_rfc3339};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = parse_rfc3339(&text);
    let _ = parse_http_date(&text);
    if data.len() < 3000 {
        let _ = QrMatrix::encode(&text);
    }
    let Ok(value) = parse(&text) else { return };
    let _ = Options::from_json(&value).and_then(Options::validate);
    if let Some(problem) = Problem::from_json(&value) {
        let f = Error::Http { status: 500, problem: Some(problem), retry_after: None }.to_failure();
        assert!(!f.code.is_empty());
    }
    let Ok(config) = parse(r#"{"endpoint":"/v","providerId":"bankidse"}"#)
        .map_err(|_| ())
        .and_then(|v| Options::from_json(&v).and_then(Options::validate).map_err(|_| ()))
    else {
        return;
    };
    let mut s = Session::new(config, data.len() as u64);
    let mut terminal = 0;
    let step = |s: &mut Session, input, now| {
        let fx = s.handle(input, now);
        fx.iter().filter(|e| matches!(e, Effect::Emit(ev) if ev.is_terminal())).count()
    };
    step(&mut s, Input::Start, 0);
    let created = CreateResponse::from_json(&value)
        .map(|body| Reply { body, server_time: None })
        .map_err(Error::BadShape);
    terminal += step(&mut s, Input::Created(created), 10);
    for i in 1..4u64 {
        terminal += step(&mut s, Input::Tick, i * 3_000);
        let polled = StatusResponse::from_json(&value)
            .map(|body| Reply { body, server_time: None })
            .map_err(Error::BadShape);
        terminal += step(&mut s, Input::Polled(polled), i * 3_000 + 10);
    }
    assert!(terminal <= 1);
});
