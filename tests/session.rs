//! The session state machine, driven natively with made-up times: every timing
//! rule is checked without sleeping.
#![cfg(not(target_arch = "wasm32"))]

use hopae_connect_widget::core::api::{CreateResponse, StatusResponse};
use hopae_connect_widget::core::config::{Config, Options};
use hopae_connect_widget::core::error::Error;
use hopae_connect_widget::core::session::{Effect, Event, Input, Reply, Request, Session};
use proptest::prelude::*;

fn config(extra: &str) -> Config {
    let json = format!(r#"{{"endpoint":"/api/verifications","providerId":"bankidse"{extra}}}"#);
    serde_json::from_str::<Options>(&json)
        .expect("test options")
        .validate()
        .expect("valid options")
}

fn created(json: &str, server_time: Option<u64>) -> Input {
    let body: CreateResponse = serde_json::from_str(json).expect("test create body");
    Input::Created(Ok(Reply { body, server_time }))
}

fn polled(json: &str) -> Input {
    let body: StatusResponse = serde_json::from_str(json).expect("test status body");
    Input::Polled(Ok(Reply {
        body,
        server_time: None,
    }))
}

const QR_CREATE: &str = r#"{"verificationId":"v1","status":"initiated","providerId":"bankidse",
    "flowType":"qr","flowDetails":{"qrData":"bankid.abc.0.def"},"expiresAt":"1970-01-01T00:05:00Z"}"#;

fn events(effects: &[Effect]) -> Vec<&Event> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Emit(ev) => Some(ev),
            _ => None,
        })
        .collect()
}

fn wake_at(effects: &[Effect]) -> Option<u64> {
    effects.iter().find_map(|e| match e {
        Effect::Wake { at } => Some(*at),
        _ => None,
    })
}

/// Start at t=0, created at t=100.
fn started(extra: &str) -> (Session, Vec<Effect>) {
    let mut s = Session::new(config(extra));
    let first = s.handle(Input::Start, 0);
    assert_eq!(
        first
            .iter()
            .filter(|e| matches!(e, Effect::Send(Request::Create { .. })))
            .count(),
        1
    );
    let fx = s.handle(created(QR_CREATE, None), 100);
    (s, fx)
}

#[test]
fn creation_paints_the_qr_emits_initiated_and_plans_a_poll() {
    let (s, fx) = started("");
    assert!(fx.iter().any(|e| matches!(e, Effect::ShowQr(_))));
    assert!(
        matches!(events(&fx)[..], [Event::Initiated { verification_id, .. }] if verification_id == "v1")
    );
    assert_eq!(
        wake_at(&fx),
        Some(3_100),
        "default interval is 3 s after the answer"
    );
    assert_eq!(s.verification_id(), Some("v1"));
}

#[test]
fn polls_only_after_the_previous_answer() {
    let (mut s, _) = started(r#","pollInterval":1000"#);
    let fx = s.handle(Input::Tick, 1_100);
    assert_eq!(
        fx,
        vec![Effect::Send(Request::Status {
            verification_id: "v1".into()
        })]
    );
    // A second tick while the request is in flight sends nothing.
    assert!(s.handle(Input::Tick, 2_100).is_empty());
    let fx = s.handle(polled(r#"{"status":"initiated"}"#), 4_000);
    assert_eq!(
        wake_at(&fx),
        Some(5_000),
        "next poll counts from the answer"
    );
}

#[test]
fn status_changes_are_reported_once_each() {
    let (mut s, _) = started("");
    s.handle(Input::Tick, 3_100);
    let fx = s.handle(polled(r#"{"status":"awaiting_user_action"}"#), 3_200);
    assert!(
        matches!(events(&fx)[..], [Event::Status { status, .. }] if status == "awaiting_user_action")
    );
    s.handle(Input::Tick, 6_200);
    let fx = s.handle(polled(r#"{"status":"awaiting_user_action"}"#), 6_300);
    assert!(events(&fx).is_empty());
}

#[test]
fn completion_ends_with_one_event_and_hides_the_qr() {
    let (mut s, _) = started("");
    s.handle(Input::Tick, 3_100);
    let fx = s.handle(
        polled(r#"{"status":"completed","verifiedAt":"2024-07-30T10:01:30.000Z","verifiedAttributes":{"name":"A"}}"#),
        3_200,
    );
    assert!(fx.contains(&Effect::HideQr));
    assert!(
        matches!(events(&fx)[..], [Event::Completed { verification_id, provider_id, verified_at: Some(_) }]
        if verification_id == "v1" && provider_id == "bankidse")
    );
    assert!(s.is_done());
    assert!(s.handle(Input::Tick, 9_000).is_empty());
    assert!(s
        .handle(polled(r#"{"status":"completed"}"#), 9_000)
        .is_empty());
}

#[test]
fn a_failed_verification_carries_the_providers_reason() {
    let (mut s, _) = started("");
    s.handle(Input::Tick, 3_100);
    let fx = s.handle(
        polled(r#"{"status":"failed","error":{"code":"USER_DECLINED","message":"The user declined."}}"#),
        3_200,
    );
    match events(&fx)[..] {
        [Event::Failed {
            failure,
            verification_id: Some(id),
        }] => {
            assert_eq!(
                (failure.code.as_str(), failure.message.as_str(), id.as_str()),
                ("USER_DECLINED", "The user declined.", "v1")
            );
        }
        ref other => panic!("{other:?}"),
    }
}

#[test]
fn bad_answers_fail_with_a_clear_reason() {
    for (input, code) in [
        (
            Input::Polled(Err(Error::NotJson { status: 200 })),
            "invalid_response",
        ),
        (
            Input::Polled(Err(Error::Http {
                status: 500,
                problem: None,
            })),
            "http_500",
        ),
        (polled(r#"{"status":"teleporting"}"#), "unknown_status"),
        (
            Input::Polled(Err(Error::Network("Failed to fetch".into()))),
            "network_error",
        ),
    ] {
        let (mut s, _) = started("");
        s.handle(Input::Tick, 3_100);
        let fx = s.handle(input, 3_200);
        assert!(
            matches!(events(&fx)[..], [Event::Failed { failure, .. }] if failure.code == code),
            "{fx:?}"
        );
        assert!(s.is_done());
    }
}

#[test]
fn creation_failures_fail_before_any_qr() {
    for (input, code) in [
        (
            Input::Created(Err(Error::Http {
                status: 404,
                problem: None,
            })),
            "http_404",
        ),
        (
            created(
                r#"{"verificationId":"v","status":"initiated","flowType":"qr"}"#,
                None,
            ),
            "invalid_response",
        ),
        (
            created(
                r#"{"verificationId":"v","status":"initiated","flowType":"dc"}"#,
                None,
            ),
            "unsupported_flow",
        ),
        (
            created(
                &format!(
                    r#"{{"verificationId":"v","status":"initiated","flowType":"qr","flowDetails":{{"qrData":"{}"}}}}"#,
                    "x".repeat(3000)
                ),
                None,
            ),
            "qr_data_too_long",
        ),
    ] {
        let mut s = Session::new(config(""));
        s.handle(Input::Start, 0);
        let fx = s.handle(input, 10);
        assert!(!fx.iter().any(|e| matches!(e, Effect::ShowQr(_))));
        assert!(
            matches!(events(&fx)[..], [Event::Failed { failure, .. }] if failure.code == code),
            "{fx:?}"
        );
    }
}

#[test]
fn the_timeout_option_ends_the_session_after_one_last_check() {
    let (mut s, _) = started(r#","timeout":5000"#);
    s.handle(Input::Tick, 3_100);
    let fx = s.handle(polled(r#"{"status":"initiated"}"#), 3_200);
    assert_eq!(
        wake_at(&fx),
        Some(5_000),
        "the last poll lands on the deadline"
    );
    let fx = s.handle(Input::Tick, 5_000);
    assert!(matches!(fx[..], [Effect::Send(Request::Status { .. })]));
    let fx = s.handle(polled(r#"{"status":"initiated"}"#), 5_050);
    assert!(matches!(events(&fx)[..], [Event::Expired { .. }]));
}

#[test]
fn the_last_check_can_still_complete() {
    let (mut s, _) = started(r#","timeout":5000"#);
    s.handle(Input::Tick, 5_000);
    let fx = s.handle(polled(r#"{"status":"completed"}"#), 5_050);
    assert!(matches!(events(&fx)[..], [Event::Completed { .. }]));
}

#[test]
fn expires_at_bounds_the_deadline_on_the_browsers_clock() {
    // expiresAt is t=300 s on the server's clock; the server is 60 s ahead.
    let mut s = Session::new(config(""));
    s.handle(Input::Start, 0);
    s.handle(created(QR_CREATE, Some(60_100)), 100);
    assert_eq!(s.deadline(), 240_000);
    // Without a Date header, expiresAt is taken as is; timeout still wins when earlier.
    let mut s = Session::new(config(r#","timeout":60000"#));
    s.handle(Input::Start, 0);
    s.handle(created(QR_CREATE, None), 100);
    assert_eq!(s.deadline(), 60_000);
}

#[test]
fn the_servers_polling_advice_is_followed_unless_the_page_overrides_it() {
    let body = r#"{"verificationId":"v","status":"initiated","flowType":"qr","flowDetails":{"qrData":"q"},
        "polling":{"recommendedInterval":2000,"maxDuration":90000}}"#;
    let mut s = Session::new(config(""));
    s.handle(Input::Start, 0);
    let fx = s.handle(created(body, None), 100);
    assert_eq!(
        (s.interval(), wake_at(&fx), s.deadline()),
        (2_000, Some(2_100), 90_000)
    );
    let mut s = Session::new(config(r#","pollInterval":500"#));
    s.handle(Input::Start, 0);
    s.handle(created(body, None), 100);
    assert_eq!(s.interval(), 500);
}

#[test]
fn a_changed_qr_code_is_repainted_and_an_unchanged_one_is_not() {
    let (mut s, _) = started("");
    s.handle(Input::Tick, 3_100);
    let fx = s.handle(
        polled(r#"{"status":"initiated","flowDetails":{"qrData":"bankid.abc.0.def"}}"#),
        3_200,
    );
    assert!(!fx.iter().any(|e| matches!(e, Effect::ShowQr(_))));
    s.handle(Input::Tick, 6_200);
    let fx = s.handle(
        polled(r#"{"status":"initiated","flowDetails":{"qrData":"bankid.abc.3.xyz"}}"#),
        6_300,
    );
    assert!(fx.iter().any(|e| matches!(e, Effect::ShowQr(_))));
}

#[test]
fn push_flow_shows_the_code_and_polls() {
    let mut s = Session::new(config(""));
    s.handle(Input::Start, 0);
    let fx = s.handle(
        created(
            r#"{"verificationId":"v","status":"initiated","flowType":"push",
            "flowDetails":{"message":"Open Smart-ID","verificationCode":"1234"}}"#,
            None,
        ),
        10,
    );
    assert!(!fx.iter().any(|e| matches!(e, Effect::ShowQr(_))));
    assert!(fx
        .iter()
        .any(|e| matches!(e, Effect::Say(m) if m.text() == "Open Smart-ID Code: 1234")));
    assert!(wake_at(&fx).is_some());
}

#[test]
fn destroy_aborts_what_is_in_flight_and_silences_everything() {
    let (mut s, _) = started("");
    s.handle(Input::Tick, 3_100);
    let fx = s.handle(Input::Destroy, 3_150);
    assert_eq!(fx, vec![Effect::Abort, Effect::ClearTimer]);
    assert!(s
        .handle(polled(r#"{"status":"completed"}"#), 3_200)
        .is_empty());
    assert!(s.handle(Input::Destroy, 3_300).is_empty());
}

// ---- properties -----------------------------------------------------------

fn any_input() -> impl Strategy<Value = Input> {
    let status = prop_oneof![
        Just("initiated"),
        Just("pending"),
        Just("awaiting_user_action"),
        Just("authenticating"),
        Just("processing"),
        Just("completed"),
        Just("failed"),
        Just("expired"),
        Just("cancelled"),
        Just("???"),
    ];
    prop_oneof![
        Just(Input::Start),
        Just(Input::Tick),
        Just(Input::Destroy),
        Just(created(QR_CREATE, None)),
        Just(Input::Created(Err(Error::Http {
            status: 503,
            problem: None
        }))),
        (status.clone(), any::<u8>()).prop_map(|(st, n)| polled(&format!(
            r#"{{"status":"{st}","flowDetails":{{"qrData":"bankid.{n}"}}}}"#
        ))),
        Just(Input::Polled(Err(Error::NotJson { status: 200 }))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn invariants_hold_for_any_sequence(steps in prop::collection::vec((any_input(), 0u64..20_000), 1..60)) {
        let mut s = Session::new(config(r#","timeout":60000"#));
        let mut now = 0u64;
        // The model: which request the shell has in flight, from the effects alone.
        let mut in_flight: Option<&'static str> = None;
        let mut terminal = 0;
        for (input, dt) in steps {
            now += dt;
            let answers = match input {
                Input::Created(_) => Some("create"),
                Input::Polled(_) => Some("status"),
                _ => None,
            };
            let effects = s.handle(input, now);
            if terminal > 0 {
                prop_assert!(effects.is_empty(), "effects after the terminal event: {:?}", effects);
            }
            if answers.is_some() && answers == in_flight {
                in_flight = None;
            }
            for e in &effects {
                match e {
                    Effect::Send(r) => {
                        prop_assert!(in_flight.is_none(), "two requests in flight");
                        in_flight = Some(match r { Request::Create { .. } => "create", Request::Status { .. } => "status" });
                    }
                    Effect::Abort => in_flight = None,
                    Effect::Emit(ev) if ev.is_terminal() => terminal += 1,
                    Effect::Wake { at } => {
                        prop_assert!(*at >= now && *at <= now + 60_000);
                        prop_assert!(*at <= s.deadline().max(now), "poll planned past the deadline");
                    }
                    _ => {}
                }
            }
            prop_assert!(terminal <= 1);
            if !s.is_done() {
                prop_assert_eq!(in_flight.is_some(), s.in_flight());
            }
        }
    }
}
