//! Bounded fuzzing in `npm test`: arbitrary bytes and arbitrary JSON values
//! through every decoder, and what they decode to through the session. Nothing
//! may panic; errors must be errors. (`cargo fuzz run decoders` runs the same
//! decoders without bounds; see the README.)
#![cfg(not(target_arch = "wasm32"))]

use hopae_connect_widget::core::api::{CreateResponse, Problem, StatusResponse};
use hopae_connect_widget::core::config::Options;
use hopae_connect_widget::core::error::Error;
use hopae_connect_widget::core::json::{parse, Value};
use hopae_connect_widget::core::qr::QrMatrix;
use hopae_connect_widget::core::session::{Effect, Event, Input, Reply, Session};
use hopae_connect_widget::core::time::{parse_http_date, parse_rfc3339};
use proptest::prelude::*;

/// Arbitrary JSON, biased towards the keys and values the decoders look at.
fn json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("verificationId".to_owned()),
        Just("status".to_owned()),
        Just("providerId".to_owned()),
        Just("flowType".to_owned()),
        Just("flowDetails".to_owned()),
        Just("qrData".to_owned()),
        Just("authorizationUrl".to_owned()),
        Just("polling".to_owned()),
        Just("recommendedInterval".to_owned()),
        Just("maxDuration".to_owned()),
        Just("expiresAt".to_owned()),
        Just("error".to_owned()),
        Just("code".to_owned()),
        Just("message".to_owned()),
        Just("title".to_owned()),
        Just("endpoint".to_owned()),
        Just("pollInterval".to_owned()),
        Just("messages".to_owned()),
        Just("fallbackProviders".to_owned()),
        Just("autoStartToken".to_owned()),
        Just("deeplink".to_owned()),
        "[a-zA-Z]{0,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        prop_oneof![
            Just("qr".to_owned()),
            Just("push".to_owned()),
            Just("redirect".to_owned()),
            Just("completed".to_owned()),
            Just("failed".to_owned()),
            Just("initiated".to_owned()),
            Just("javascript:alert(1)".to_owned()),
            Just("https://x.example/a".to_owned()),
            Just("2024-07-30T10:05:00.000Z".to_owned()),
            ".{0,40}",
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Cases per property: few in `npm test`, many with `PROPTEST_CASES=20000`.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(v) = parse(&text) {
            let _ = CreateResponse::from_json(&v);
            let _ = StatusResponse::from_json(&v);
            let _ = Problem::from_json(&v);
            let _ = Options::from_json(&v).and_then(Options::validate);
        }
        let _ = parse_rfc3339(&text);
        let _ = parse_http_date(&text);
        let _ = QrMatrix::encode(&text);
    }

    #[test]
    fn arbitrary_json_decodes_or_errs_and_drives_the_session_safely(
        create in json(),
        statuses in prop::collection::vec(json(), 0..6),
        problem in json(),
        options in json(),
    ) {
        let _ = Options::from_json(&options).and_then(Options::validate);
        let problem = Problem::from_json(&problem).map(Box::new);
        let failure = Error::Http { status: 503, problem, retry_after: Some("x".into()) }.to_failure();
        prop_assert!(!failure.code.is_empty() && !failure.message.is_empty());

        let config = Options::from_json(&parse(r#"{"endpoint":"/v","providerId":"bankidse","fallbackProviders":["frejaid"]}"#).expect("json"))
            .and_then(Options::validate)
            .expect("valid");
        let mut s = Session::new(config, 9);
        let mut now = 0;
        let mut terminal = 0;
        let count = |fx: &[Effect]| fx.iter().filter(|e| matches!(e, Effect::Emit(ev) if ev.is_terminal())).count();
        count(&s.handle(Input::Start, now));
        let input = match CreateResponse::from_json(&create) {
            Ok(body) => Input::Created(Ok(Reply { body, server_time: None, received: None })),
            Err(why) => Input::Created(Err(Error::BadShape(why))),
        };
        terminal += count(&s.handle(input, now + 10));
        for status in statuses {
            now += 3_000;
            let tick = s.handle(Input::Tick, now);
            terminal += count(&tick);
            let input = match StatusResponse::from_json(&status) {
                Ok(body) => Input::Polled(Ok(Reply { body, server_time: None, received: None })),
                Err(why) => Input::Polled(Err(Error::BadShape(why))),
            };
            let fx = s.handle(input, now + 10);
            terminal += count(&fx);
            for e in &fx {
                if let Effect::Emit(Event::Failed { failure, .. }) = e {
                    prop_assert!(!failure.code.is_empty());
                }
            }
        }
        prop_assert!(terminal <= 1);
    }
}

/// Found by the property test above: a problem whose `code` is a blank string
/// made a `hopae-failed` with an empty `code`.
#[test]
fn a_blank_problem_code_counts_as_no_code() {
    for blank in [r#""""#, r#""  ""#] {
        let v = parse(&format!(r#"{{"code":{blank},"title":"Busy"}}"#)).expect("json");
        let p = Problem::from_json(&v).expect("a problem");
        assert!(p.code.is_none() && p.raw_code.is_none(), "{blank}");
        let failure = Error::Http {
            status: 503,
            problem: Some(Box::new(p)),
            retry_after: None,
        }
        .to_failure();
        assert!(!failure.code.is_empty(), "{blank}");
    }
}
