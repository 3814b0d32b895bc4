//! The session state machine, driven natively with made-up times: every timing
//! rule is checked without sleeping.
#![cfg(not(target_arch = "wasm32"))]

use hopae_connect_widget::core::api::{CreateResponse, Problem, StatusResponse};
use hopae_connect_widget::core::config::{Config, Options, RedirectMode};
use hopae_connect_widget::core::error::Error;
use hopae_connect_widget::core::json::parse;
use hopae_connect_widget::core::messages::{Message, Messages};
use hopae_connect_widget::core::qr::QrMatrix;
use hopae_connect_widget::core::session::{
    first_qr, Actions, Effect, Event, Input, Reply, Request, Session, HIDDEN_INTERVAL,
};
use proptest::prelude::*;

/// A message in English, as the widget would show it.
fn text(m: &Message) -> String {
    Messages::default().render(m, "bankidse")
}

fn config(extra: &str) -> Config {
    let json = format!(r#"{{"endpoint":"/api/verifications","providerId":"bankidse"{extra}}}"#);
    Options::from_json(&parse(&json).expect("test JSON"))
        .and_then(Options::validate)
        .expect("valid options")
}

/// A create answer, decoded as the shell decodes it (a body the decoder
/// refuses arrives as `BadShape`).
fn created(json: &str, server_time: Option<u64>) -> Input {
    Input::Created(
        CreateResponse::from_json(&parse(json).expect("test JSON"))
            .map(|body| Reply {
                body,
                server_time,
                received: None,
            })
            .map_err(Error::BadShape),
    )
}

fn polled(json: &str) -> Input {
    let body =
        StatusResponse::from_json(&parse(json).expect("test JSON")).expect("test status body");
    Input::Polled(Ok(Reply {
        body,
        server_time: None,
        received: None,
    }))
}

fn http(status: u16, json: &str, retry_after: Option<&str>) -> Error {
    Error::Http {
        status,
        problem: parse(json)
            .ok()
            .and_then(|v| Problem::from_json(&v))
            .map(Box::new),
        retry_after: retry_after.map(str::to_owned),
    }
}

const QR_CREATE: &str = r#"{"verificationId":"v1","status":"initiated","providerId":"bankidse",
    "flowType":"qr","flowDetails":{"qrData":"bankidse:///?token=abc"},"expiresAt":"1970-01-01T00:05:00Z"}"#;

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
    effects.iter().rev().find_map(|e| match e {
        Effect::Wake { at } => Some(*at),
        _ => None,
    })
}

fn sent(effects: &[Effect]) -> Vec<&Request> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(r) => Some(r),
            _ => None,
        })
        .collect()
}

fn failure_code(effects: &[Effect]) -> Option<String> {
    events(effects).iter().find_map(|e| match e {
        Event::Failed { failure, .. } => Some(failure.code.clone()),
        _ => None,
    })
}

/// Start at t=0, created at t=100.
fn started(extra: &str) -> (Session, Vec<Effect>) {
    let mut s = Session::new(config(extra), 42);
    let first = s.handle(Input::Start, 0);
    assert!(matches!(sent(&first)[..], [Request::Create { .. }]));
    let fx = s.handle(created(QR_CREATE, None), 100);
    (s, fx)
}

/// Polls once at `at` and answers `answer` 50 ms later.
fn poll(s: &mut Session, at: u64, answer: Input) -> Vec<Effect> {
    let fx = s.handle(Input::Tick, at);
    assert!(
        matches!(sent(&fx)[..], [Request::Status { .. }]),
        "a poll at {at}: {fx:?}"
    );
    s.handle(answer, at + 50)
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
fn the_countdown_runs_to_the_deadline_and_stops_at_the_end() {
    let (mut s, fx) = started("");
    assert!(
        fx.contains(&Effect::Countdown(Some(300_000))),
        "expiresAt is t = 300 s"
    );
    let fx = poll(&mut s, 3_100, polled(r#"{"status":"initiated"}"#));
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Countdown(_))),
        "unchanged: not repeated"
    );
    let fx = poll(
        &mut s,
        6_150,
        polled(r#"{"status":"initiated","expiresAt":"1970-01-01T00:02:00Z"}"#),
    );
    assert!(
        fx.contains(&Effect::Countdown(Some(120_000))),
        "a new expiresAt moves it"
    );
    let fx = poll(&mut s, 9_200, polled(r#"{"status":"completed"}"#));
    assert!(fx.contains(&Effect::Countdown(None)));
}

#[test]
fn polls_only_after_the_previous_answer() {
    let (mut s, _) = started(r#","pollInterval":1000"#);
    let fx = s.handle(Input::Tick, 1_100);
    assert_eq!(
        sent(&fx),
        [&Request::Status {
            verification_id: "v1".into()
        }]
    );
    assert_eq!(
        wake_at(&fx),
        Some(16_100),
        "the timer now bounds the request"
    );
    // A tick while the request is in flight, before its timeout, sends nothing.
    let fx = s.handle(Input::Tick, 2_100);
    assert_eq!(fx, vec![Effect::Wake { at: 16_100 }]);
    let fx = s.handle(polled(r#"{"status":"initiated"}"#), 4_000);
    assert_eq!(
        wake_at(&fx),
        Some(5_000),
        "next poll counts from the answer"
    );
    // An early tick re-arms for the planned time.
    assert_eq!(
        s.handle(Input::Tick, 4_500),
        vec![Effect::Wake { at: 5_000 }]
    );
}

#[test]
fn status_changes_are_reported_once_each_including_unknown_ones() {
    let (mut s, _) = started("");
    let fx = poll(
        &mut s,
        3_100,
        polled(r#"{"status":"awaiting_user_action"}"#),
    );
    assert!(
        matches!(events(&fx)[..], [Event::Status { status, .. }] if status == "awaiting_user_action")
    );
    let fx = poll(
        &mut s,
        6_150,
        polled(r#"{"status":"awaiting_user_action"}"#),
    );
    assert!(events(&fx).is_empty());
    let fx = poll(&mut s, 9_200, polled(r#"{"status":"on_hold"}"#));
    assert!(matches!(events(&fx)[..], [Event::Status { status, .. }] if status == "on_hold"));
    assert!(wake_at(&fx).is_some(), "an unknown status keeps polling");
    let fx = poll(&mut s, 12_250, polled(r#"{"status":"completed"}"#));
    assert!(matches!(events(&fx)[..], [Event::Completed { .. }]));
}

#[test]
fn completion_ends_with_one_event_hides_the_qr_and_offers_no_retry() {
    let (mut s, _) = started("");
    let fx = poll(
        &mut s,
        3_100,
        polled(
            r#"{"status":"completed","verifiedAt":"2024-07-30T10:01:30.000Z","verifiedAttributes":{"name":"A"}}"#,
        ),
    );
    assert!(fx.contains(&Effect::HideQr));
    assert!(fx.contains(&Effect::Actions(Actions {
        cancel: false,
        try_again: false
    })));
    assert!(
        matches!(events(&fx)[..], [Event::Completed { verification_id, provider_id, verified_at: Some(_) }]
        if verification_id == "v1" && provider_id == "bankidse")
    );
    assert!(s.is_done());
    assert!(s.handle(Input::Tick, 9_000).is_empty());
    assert!(s
        .handle(polled(r#"{"status":"completed"}"#), 9_000)
        .is_empty());
    assert!(s.handle(Input::Cancel, 9_000).is_empty());
}

#[test]
fn a_failed_verification_carries_the_providers_reason_and_offers_try_again() {
    let (mut s, _) = started("");
    let fx = poll(
        &mut s,
        3_100,
        polled(
            r#"{"status":"failed","error":{"code":"USER_DECLINED","message":"The user declined."}}"#,
        ),
    );
    assert!(fx.contains(&Effect::Actions(Actions {
        cancel: false,
        try_again: true
    })));
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
fn server_side_expiry_and_cancellation_are_terminal() {
    let (mut s, _) = started("");
    let fx = poll(&mut s, 3_100, polled(r#"{"status":"expired"}"#));
    assert!(matches!(events(&fx)[..], [Event::Expired { .. }]));
    let (mut s, _) = started("");
    let fx = poll(&mut s, 3_100, polled(r#"{"status":"cancelled"}"#));
    assert!(matches!(events(&fx)[..], [Event::Cancelled { .. }]));
    assert!(
        sent(&fx).is_empty(),
        "no DELETE for a session the server cancelled"
    );
}

#[test]
fn permanent_faults_fail_at_once() {
    for (input, code) in [
        (
            Input::Polled(Err(Error::NotJson { status: 200 })),
            "invalid_response",
        ),
        (
            Input::Polled(Err(Error::BadShape("missing field `status`".into()))),
            "invalid_response",
        ),
        (
            Input::Polled(Err(http(404, r#"{"code":300001}"#, None))),
            "SESSION_NOT_FOUND",
        ),
        (Input::Polled(Err(http(401, "", None))), "http_401"),
        (Input::Polled(Err(http(409, "", None))), "http_409"),
        // requestedLoa the provider cannot meet.
        (Input::Polled(Err(http(422, "", None))), "loa_unavailable"),
    ] {
        let (mut s, _) = started("");
        let fx = poll(&mut s, 3_100, input);
        assert_eq!(failure_code(&fx).as_deref(), Some(code), "{fx:?}");
        assert!(s.is_done());
    }
}

#[test]
fn a_session_that_gives_up_on_its_verification_cancels_it_but_not_one_the_server_failed() {
    let cancels = |fx: &[Effect]| {
        sent(fx)
            .iter()
            .filter(|r| matches!(r, Request::Cancel { verification_id } if verification_id == "v1"))
            .count()
    };
    // The widget gives up (an answer it cannot use, the shell failing to
    // show it): v1 would stay open upstream.
    for input in [
        Input::Polled(Err(Error::BadShape("missing field `status`".into()))),
        Input::Polled(Err(http(409, "", None))),
    ] {
        let (mut s, _) = started("");
        let fx = poll(&mut s, 3_100, input);
        assert_eq!(cancels(&fx), 1, "{fx:?}");
    }
    let (mut s, _) = started("");
    let fx = s.handle(Input::ShellFailed("canvas".into()), 200);
    assert_eq!(cancels(&fx), 1, "{fx:?}");
    assert!(s.is_done());
    // The server ended it: nothing to cancel.
    let (mut s, _) = started("");
    let fx = poll(
        &mut s,
        3_100,
        polled(r#"{"status":"failed","error":{"code":"USER_DECLINED"}}"#),
    );
    assert!(s.is_done());
    assert_eq!(cancels(&fx), 0, "{fx:?}");
    // Failing before a verification exists: nothing to cancel either.
    let mut s = Session::new(config(""), 42);
    s.handle(Input::Start, 0);
    let fx = s.handle(Input::Created(Err(http(401, "", None))), 100);
    assert!(s.is_done());
    assert!(sent(&fx).is_empty(), "{fx:?}");
}

#[test]
fn transient_faults_back_off_exponentially_with_jitter_then_fail() {
    let (mut s, _) = started(r#","maxRetries":3"#);
    let mut at = 3_100;
    let mut delays = Vec::new();
    for _ in 0..3 {
        let fx = poll(&mut s, at, Input::Polled(Err(http(503, "", None))));
        assert!(
            events(&fx).is_empty(),
            "a transient fault is retried: {fx:?}"
        );
        let next = wake_at(&fx).expect("a retry is planned");
        delays.push(next - (at + 50));
        at = next;
    }
    for (i, d) in delays.iter().enumerate() {
        let step = 1000u64 << i;
        assert!(
            (step / 2..=step).contains(d),
            "retry {i}: {d} ms not in [{}, {step}]",
            step / 2
        );
    }
    let fx = poll(
        &mut s,
        at,
        Input::Polled(Err(Error::Network("reset".into()))),
    );
    assert_eq!(
        failure_code(&fx).as_deref(),
        Some("network_error"),
        "the 4th consecutive fault fails"
    );
}

#[test]
fn an_answer_resets_the_fault_count_and_the_message() {
    let (mut s, _) = started(r#","maxRetries":1"#);
    let fx = poll(&mut s, 3_100, Input::Polled(Err(Error::Timeout)));
    assert!(fx
        .iter()
        .any(|e| matches!(e, Effect::Say(m) if text(m).contains("Trying again"))));
    let at = wake_at(&fx).expect("retry");
    let fx = poll(&mut s, at, polled(r#"{"status":"initiated"}"#));
    assert!(fx
        .iter()
        .any(|e| matches!(e, Effect::Say(m) if text(m).contains("scan the QR"))));
    assert_eq!(s.faults(), 0);
    let at = wake_at(&fx).expect("poll");
    let fx = poll(&mut s, at, Input::Polled(Err(http(500, "", None))));
    assert!(
        events(&fx).is_empty(),
        "one fault after an answer is retried again"
    );
}

#[test]
fn retry_after_is_honoured() {
    let (mut s, _) = started("");
    let fx = poll(&mut s, 3_100, Input::Polled(Err(http(429, "", Some("7")))));
    assert_eq!(wake_at(&fx), Some(3_150 + 7_000));
    let (mut s, _) = started("");
    // An HTTP date 20 s after now (t = 3 150 ms).
    let fx = poll(
        &mut s,
        3_100,
        Input::Polled(Err(http(503, "", Some("Thu, 01 Jan 1970 00:00:23 GMT")))),
    );
    assert_eq!(wake_at(&fx), Some(23_000));
}

#[test]
fn a_request_that_takes_longer_than_request_timeout_is_aborted_and_retried() {
    let (mut s, _) = started(r#","requestTimeout":2000"#);
    let fx = s.handle(Input::Tick, 3_100);
    assert_eq!(wake_at(&fx), Some(5_100));
    let fx = s.handle(Input::Tick, 5_100);
    assert_eq!(fx.first(), Some(&Effect::Abort));
    assert!(events(&fx).is_empty());
    assert_eq!(s.faults(), 1);
    assert!(!s.in_flight());
    // The aborted request's late answer is ignored.
    assert!(s
        .handle(polled(r#"{"status":"completed"}"#), 5_200)
        .is_empty());
}

#[test]
fn creation_is_retried_too_and_fails_when_retries_would_pass_the_deadline() {
    let mut s = Session::new(config(r#","timeout":5000"#), 7);
    s.handle(Input::Start, 0);
    let fx = s.handle(Input::Created(Err(Error::Network("offline".into()))), 10);
    let at = wake_at(&fx).expect("retry");
    let fx = s.handle(Input::Tick, at);
    assert!(matches!(sent(&fx)[..], [Request::Create { .. }]));
    let mut now = at + 10;
    let mut fx = s.handle(Input::Created(Err(http(502, "", None))), now);
    while failure_code(&fx).is_none() {
        now = wake_at(&fx).expect("retry");
        assert!(now < 5_000, "never plans a create past the deadline");
        s.handle(Input::Tick, now);
        fx = s.handle(Input::Created(Err(http(502, "", None))), now + 10);
    }
}

#[test]
fn the_timeout_option_ends_the_session_after_one_last_check() {
    let (mut s, _) = started(r#","timeout":5000"#);
    let fx = poll(&mut s, 3_100, polled(r#"{"status":"initiated"}"#));
    assert_eq!(
        wake_at(&fx),
        Some(5_000),
        "the last poll lands on the deadline"
    );
    let fx = poll(&mut s, 5_000, polled(r#"{"status":"initiated"}"#));
    assert!(matches!(events(&fx)[..], [Event::Expired { .. }]));
}

#[test]
fn the_last_check_can_still_complete_and_a_fault_there_fails() {
    let (mut s, _) = started(r#","timeout":5000"#);
    let fx = poll(&mut s, 5_000, polled(r#"{"status":"completed"}"#));
    assert!(matches!(events(&fx)[..], [Event::Completed { .. }]));
    let (mut s, _) = started(r#","timeout":5000"#);
    let fx = poll(&mut s, 5_000, Input::Polled(Err(http(503, "", None))));
    assert!(failure_code(&fx).is_some());
}

#[test]
fn retries_near_the_deadline_become_the_last_check() {
    let (mut s, _) = started(r#","timeout":5000"#);
    let fx = poll(&mut s, 4_000, Input::Polled(Err(http(429, "", Some("60")))));
    assert_eq!(wake_at(&fx), Some(5_000));
}

#[test]
fn expires_at_bounds_the_deadline_on_the_browsers_clock() {
    // expiresAt is t=300 s on the server's clock; the server is 60 s ahead.
    let mut s = Session::new(config(""), 1);
    s.handle(Input::Start, 0);
    s.handle(created(QR_CREATE, Some(60_100)), 100);
    assert_eq!(s.deadline(), 240_000);
    // Without a Date header, expiresAt is taken as is; timeout still wins when earlier.
    let mut s = Session::new(config(r#","timeout":60000"#), 1);
    s.handle(Input::Start, 0);
    s.handle(created(QR_CREATE, None), 100);
    assert_eq!(s.deadline(), 60_000);
}

#[test]
fn the_servers_polling_advice_is_followed_unless_the_page_overrides_it() {
    let body = r#"{"verificationId":"v","status":"initiated","flowType":"qr","flowDetails":{"qrData":"q"},
        "polling":{"recommendedInterval":2000,"maxDuration":90000}}"#;
    let mut s = Session::new(config(""), 1);
    s.handle(Input::Start, 0);
    let fx = s.handle(created(body, None), 100);
    assert_eq!(
        (s.interval(), wake_at(&fx), s.deadline()),
        (2_000, Some(2_100), 90_000)
    );
    let mut s = Session::new(config(r#","pollInterval":500"#), 1);
    s.handle(Input::Start, 0);
    s.handle(created(body, None), 100);
    assert_eq!(s.interval(), 500);
}

#[test]
fn a_hidden_page_polls_at_most_every_30_s_and_a_visible_one_at_once() {
    let (mut s, _) = started("");
    let fx = s.handle(Input::Visibility { hidden: true }, 1_000);
    assert_eq!(
        wake_at(&fx),
        Some(100 + HIDDEN_INTERVAL),
        "the planned poll moves out"
    );
    let fx = poll(
        &mut s,
        100 + HIDDEN_INTERVAL,
        polled(r#"{"status":"initiated"}"#),
    );
    assert_eq!(wake_at(&fx), Some(150 + 2 * HIDDEN_INTERVAL));
    let fx = s.handle(Input::Visibility { hidden: false }, 40_000);
    assert!(
        matches!(sent(&fx)[..], [Request::Status { .. }]),
        "visible again: poll at once"
    );
    let fx = s.handle(polled(r#"{"status":"initiated"}"#), 40_050);
    assert_eq!(wake_at(&fx), Some(43_050));
}

#[test]
fn a_changed_qr_code_is_repainted_and_an_unchanged_one_is_not() {
    let (mut s, _) = started("");
    let fx = poll(
        &mut s,
        3_100,
        polled(r#"{"status":"initiated","flowDetails":{"qrData":"bankidse:///?token=abc"}}"#),
    );
    assert!(!fx.iter().any(|e| matches!(e, Effect::ShowQr(_))));
    let fx = poll(
        &mut s,
        6_150,
        polled(r#"{"status":"initiated","flowDetails":{"qrData":"bankid.abc.3.xyz"}}"#),
    );
    assert!(fx.iter().any(|e| matches!(e, Effect::ShowQr(_))));
    let long = format!(
        r#"{{"status":"initiated","flowDetails":{{"qrData":"{}"}}}}"#,
        "x".repeat(3000)
    );
    let fx = poll(&mut s, 9_200, polled(&long));
    assert_eq!(failure_code(&fx).as_deref(), Some("qr_data_too_long"));
}

#[test]
fn creation_failures_fail_before_any_qr() {
    for (input, code) in [
        (Input::Created(Err(http(404, "", None))), "http_404"),
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
        (
            created(
                r#"{"verificationId":"v","status":"initiated","flowType":"redirect","flowDetails":{"authorizationUrl":"javascript:alert(1)"}}"#,
                None,
            ),
            "unsafe_url",
        ),
    ] {
        let mut s = Session::new(config(""), 1);
        s.handle(Input::Start, 0);
        let fx = s.handle(input, 10);
        assert!(!fx.iter().any(|e| matches!(e, Effect::ShowQr(_))));
        assert_eq!(failure_code(&fx).as_deref(), Some(code), "{fx:?}");
    }
}

#[test]
fn push_flow_shows_the_code_and_polls() {
    let mut s = Session::new(config(""), 1);
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
    assert!(fx.iter().any(
        |e| matches!(e, Effect::Say(m @ Message::ConfirmInApp { code: Some(c), .. })
        if text(m) == "Open Smart-ID" && c == "1234")
    ));
    assert!(wake_at(&fx).is_some());
}

#[test]
fn redirect_flow_asks_the_shell_to_redirect_and_keeps_polling() {
    let mut s = Session::new(config(r#","redirect":"new-tab""#), 1);
    s.handle(Input::Start, 0);
    let fx = s.handle(
        created(r#"{"verificationId":"v","status":"initiated","providerId":"mitid","flowType":"redirect",
            "flowDetails":{"authorizationUrl":"https://idp.example/authorize?x=1"}}"#, None),
        10,
    );
    assert!(fx.contains(&Effect::Redirect {
        verification_id: "v".into(),
        provider_id: "mitid".into(),
        url: "https://idp.example/authorize?x=1".into(),
        mode: RedirectMode::NewTab,
    }));
    assert!(wake_at(&fx).is_some());
}

#[test]
fn resume_polls_an_existing_verification_without_creating_one() {
    let mut s = Session::new(config(r#","resume":"abc123""#), 1);
    let fx = s.handle(Input::Start, 0);
    assert_eq!(
        sent(&fx),
        [&Request::Status {
            verification_id: "abc123".into()
        }]
    );
    let fx = s.handle(
        polled(r#"{"status":"authenticating","expiresAt":"1970-01-01T00:01:00Z"}"#),
        50,
    );
    assert!(
        matches!(events(&fx)[..], [Event::Status { status, .. }] if status == "authenticating")
    );
    assert_eq!(
        s.deadline(),
        60_000,
        "the status' expiresAt bounds a resumed session"
    );
}

#[test]
fn same_device_links_are_offered_only_when_safe() {
    for (details, link) in [
        (
            r#"{"qrData":"q","autoStartToken":"7c40b5c1-aaaa"}"#,
            Some("https://app.bankid.com/?autostarttoken=7c40b5c1-aaaa&redirect=null"),
        ),
        (
            r#"{"qrData":"q","deeplink":"eudi-openid4vp://?request_uri=x"}"#,
            Some("eudi-openid4vp://?request_uri=x"),
        ),
        (
            r#"{"qrData":"q","linkData":"https://wallet.example/start"}"#,
            Some("https://wallet.example/start"),
        ),
        (r#"{"qrData":"q","deeplink":"javascript:alert(1)"}"#, None),
        (r#"{"qrData":"q","deeplink":"JavaScript:alert(1)"}"#, None),
        (r#"{"qrData":"q","autoStartToken":"\"><script>"}"#, None),
        (r#"{"qrData":"q"}"#, None),
    ] {
        let mut s = Session::new(config(""), 1);
        s.handle(Input::Start, 0);
        let body = format!(
            r#"{{"verificationId":"v","status":"initiated","flowType":"qr","flowDetails":{details}}}"#
        );
        let fx = s.handle(created(&body, None), 10);
        let shown = fx.iter().find_map(|e| match e {
            Effect::AppLink(Some(l)) => Some(l.as_str()),
            _ => None,
        });
        assert_eq!(shown, link, "{details}");
    }
}

#[test]
fn cancel_aborts_deletes_and_ends_once() {
    let (mut s, _) = started("");
    s.handle(Input::Tick, 3_100);
    let fx = s.handle(Input::Cancel, 3_150);
    assert_eq!(fx.first(), Some(&Effect::Abort));
    assert_eq!(
        sent(&fx),
        [&Request::Cancel {
            verification_id: "v1".into()
        }]
    );
    assert!(
        matches!(events(&fx)[..], [Event::Cancelled { verification_id: Some(id) }] if id == "v1")
    );
    assert!(fx.contains(&Effect::Actions(Actions {
        cancel: false,
        try_again: true
    })));
    assert!(s
        .handle(polled(r#"{"status":"completed"}"#), 3_200)
        .is_empty());
    assert!(s.handle(Input::Cancel, 3_300).is_empty());
    // Cancelling before the verification exists sends no DELETE.
    let mut s = Session::new(config(""), 1);
    s.handle(Input::Start, 0);
    let fx = s.handle(Input::Cancel, 5);
    assert!(sent(&fx).is_empty());
    assert!(matches!(
        events(&fx)[..],
        [Event::Cancelled {
            verification_id: None
        }]
    ));
}

#[test]
fn an_unavailable_provider_falls_back_to_the_next_and_says_so() {
    let mut s = Session::new(config(r#","fallbackProviders":["frejaid"]"#), 1);
    s.handle(Input::Start, 0);
    let fx = s.handle(
        Input::Created(Err(http(503, r#"{"code":400005}"#, None))),
        10,
    );
    assert!(
        matches!(events(&fx)[..], [Event::Status { status, provider_id, fallback_from: Some(from), .. }]
        if status == "fallback" && provider_id == "frejaid" && from == "bankidse")
    );
    assert_eq!(
        sent(&fx),
        [&Request::Create {
            provider_id: "frejaid".into(),
            retry: false,
            user_data: vec![]
        }]
    );
    // With no provider left, it is an ordinary transient fault.
    let fx = s.handle(
        Input::Created(Err(http(503, r#"{"code":400005}"#, None))),
        20,
    );
    assert!(events(&fx).is_empty() && wake_at(&fx).is_some());
    assert_eq!(s.provider_id(), "frejaid");
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
    let fault = prop_oneof![
        Just(Error::Network("reset".into())),
        Just(Error::Timeout),
        Just(http(500, "", None)),
        Just(http(503, r#"{"code":400005}"#, None)),
        Just(http(429, "", Some("2"))),
        Just(http(404, r#"{"code":300001}"#, None)),
        Just(Error::NotJson { status: 200 }),
    ];
    prop_oneof![
        1 => Just(Input::Start),
        4 => Just(Input::Tick),
        1 => Just(Input::Cancel),
        1 => any::<bool>().prop_map(|hidden| Input::Visibility { hidden }),
        1 => Just(created(QR_CREATE, None)),
        1 => fault.clone().prop_map(|e| Input::Created(Err(e))),
        4 => (status, any::<u8>()).prop_map(|(st, n)| polled(&format!(
            r#"{{"status":"{st}","flowDetails":{{"qrData":"bankid.{n}"}}}}"#
        ))),
        3 => fault.prop_map(|e| Input::Polled(Err(e))),
    ]
}

/// Cases per property: few in `npm test`, many with `PROPTEST_CASES=20000`.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(400)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    /// Effects pulled one at a time, with the page's listeners calling
    /// cancel() (or restart()/destroy(), which cancel first) at any event:
    /// events leave in order, exactly one terminal event, and it is last.
    #[test]
    fn reentrant_cancels_leave_one_terminal_event_last(
        steps in prop::collection::vec((any_input(), 0u64..20_000), 1..60),
        cancel_at in prop::collection::vec(any::<bool>(), 0..40),
        seed in any::<u64>(),
    ) {
        let mut s = Session::new(config(r#","timeout":60000,"fallbackProviders":"frejaid""#), seed);
        let mut now = 0u64;
        let mut emitted: Vec<Event> = Vec::new();
        let mut listener = cancel_at.into_iter();
        // A listener's cancel() ended the session: what it left queued is stale.
        let mut cancelled = false;
        for (input, dt) in steps {
            now += dt;
            s.handle_input(input, now);
            while let Some(effect) = s.poll_effect() {
                if let Effect::Emit(event) = effect {
                    prop_assert!(!emitted.last().is_some_and(Event::is_terminal), "an event after the terminal one: {:?}", event);
                    emitted.push(event);
                    if listener.next().unwrap_or(false) {
                        let was_done = s.is_done();
                        s.handle_input(Input::Cancel, now);
                        cancelled |= !was_done;
                    }
                } else if cancelled {
                    prop_assert!(
                        !matches!(effect, Effect::Countdown(Some(_)) | Effect::Wake { .. } | Effect::ShowQr(_) | Effect::Send(Request::Create { .. } | Request::Status { .. })),
                        "a stale effect after the end: {:?}", effect
                    );
                }
            }
        }
        prop_assert!(emitted.iter().filter(|e| e.is_terminal()).count() <= 1);
        if s.is_done() {
            prop_assert!(emitted.last().is_some_and(Event::is_terminal));
        }
    }


    #[test]
    fn invariants_hold_for_any_sequence(
        steps in prop::collection::vec((any_input(), 0u64..20_000), 1..80),
        seed in any::<u64>(),
    ) {
        let mut s = Session::new(config(r#","timeout":60000,"fallbackProviders":"frejaid""#), seed);
        let mut now = 0u64;
        // The model: which tracked request the shell has in flight, from the effects alone.
        let mut in_flight: Option<&'static str> = None;
        let mut terminal = 0;
        for (input, dt) in steps {
            now += dt;
            let answers = match input {
                Input::Created(_) => Some("create"),
                Input::Polled(_) => Some("status"),
                _ => None,
            };
            let server_failed = matches!(&input, Input::Created(Ok(r)) if r.body.status == "failed")
                || matches!(&input, Input::Polled(Ok(r)) if r.body.status == "failed");
            let was_waiting = s.is_waiting();
            let effects = s.handle(input, now);
            if terminal > 0 {
                prop_assert!(effects.is_empty(), "effects after the terminal event: {:?}", effects);
            }
            if answers.is_some() && answers == in_flight {
                in_flight = None;
            }
            for e in &effects {
                match e {
                    Effect::Send(Request::Cancel { .. }) => {
                        // The session ends here (cancelled, expired, or failed while
                        // following a verification it gives up on), never for one the
                        // server ended.
                        prop_assert!(effects.iter().any(|e| matches!(e, Effect::Emit(Event::Cancelled { .. } | Event::Expired { .. } | Event::Failed { .. }))), "DELETE only when the session ends locally");
                        prop_assert!(!server_failed, "no DELETE of a verification the server failed");
                    }
                    Effect::Send(r) => {
                        prop_assert!(in_flight.is_none(), "two requests in flight");
                        in_flight = Some(if matches!(r, Request::Create { .. }) { "create" } else { "status" });
                    }
                    Effect::Abort => in_flight = None,
                    Effect::Emit(ev) if ev.is_terminal() => terminal += 1,
                    Effect::Wake { at } => {
                        prop_assert!(*at >= now, "a wake in the past");
                        if s.is_waiting() {
                            prop_assert!(*at <= s.deadline().max(now), "a request planned past the deadline");
                        } else {
                            prop_assert!(*at <= now + s.config().request_timeout, "a request bounded by requestTimeout");
                        }
                    }
                    _ => {}
                }
            }
            prop_assert!(terminal <= 1);
            if !s.is_done() {
                prop_assert_eq!(in_flight.is_some(), s.in_flight());
            }
            let _ = was_waiting;
        }
    }

    #[test]
    fn polls_are_planned_one_interval_after_each_answer(
        interval in 250u64..10_000,
        gaps in prop::collection::vec(0u64..5_000, 1..20),
    ) {
        let mut s = Session::new(config(&format!(r#","pollInterval":{interval},"timeout":3600000"#)), 3);
        s.handle(Input::Start, 0);
        let fx = s.handle(created(QR_CREATE, None), 10);
        let mut at = wake_at(&fx).expect("first poll");
        prop_assert_eq!(at, 10 + interval);
        for gap in gaps {
            s.handle(Input::Tick, at);
            let answered = at + gap;
            let fx = s.handle(polled(r#"{"status":"awaiting_user_action"}"#), answered);
            let next = wake_at(&fx).expect("next poll");
            prop_assert_eq!(next, (answered + interval).min(s.deadline()));
            at = next;
        }
    }
}

// ---- v2: effects pulled one at a time, shell failures, local expiry --------

/// Pulls effects until (and including) the first event, as the shell does
/// before it dispatches that event to the page.
fn pull_through_first_event(s: &mut Session) -> Vec<Effect> {
    let mut pulled = Vec::new();
    while let Some(e) = s.poll_effect() {
        let event = matches!(e, Effect::Emit(_));
        pulled.push(e);
        if event {
            break;
        }
    }
    pulled
}

fn pull_all(s: &mut Session) -> Vec<Effect> {
    std::iter::from_fn(|| s.poll_effect()).collect()
}

#[test]
fn a_cancel_from_an_initiated_listener_leaves_no_stale_countdown_or_timer() {
    let mut s = Session::new(config(""), 42);
    s.handle(Input::Start, 0);
    s.handle_input(created(QR_CREATE, None), 100);
    let before = pull_through_first_event(&mut s);
    assert!(matches!(events(&before)[..], [Event::Initiated { .. }]));
    // The page's hopae-initiated listener calls cancel().
    s.handle_input(Input::Cancel, 101);
    let after = pull_all(&mut s);
    assert!(
        !after.iter().any(|e| matches!(
            e,
            Effect::Countdown(Some(_))
                | Effect::Wake { .. }
                | Effect::Actions(Actions { cancel: true, .. })
        )),
        "a stale effect survived the cancel: {after:?}"
    );
    assert!(matches!(
        after.last(),
        Some(Effect::Emit(Event::Cancelled { .. }))
    ));
    assert!(after.contains(&Effect::ClearTimer));
    assert_eq!(
        sent(&after),
        [&Request::Cancel {
            verification_id: "v1".into()
        }]
    );
}

#[test]
fn a_terminal_create_answer_still_emits_initiated_before_the_end() {
    let mut s = Session::new(config(""), 1);
    s.handle(Input::Start, 0);
    let fx = s.handle(
        created(
            r#"{"verificationId":"v","status":"completed","flowType":"push"}"#,
            None,
        ),
        10,
    );
    assert!(matches!(
        events(&fx)[..],
        [Event::Initiated { .. }, Event::Completed { .. }]
    ));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Wake { .. })));
}

#[test]
fn a_shell_failure_while_waiting_fails_the_session_at_once() {
    // The QR could not be painted: the session is waiting for its first poll.
    let (mut s, _) = started("");
    assert!(s.is_waiting());
    let fx = s.handle(Input::ShellFailed("getContext failed".into()), 120);
    assert_eq!(failure_code(&fx).as_deref(), Some("display_error"));
    assert!(fx.contains(&Effect::HideQr));
    assert!(s.is_done());
    // In flight, too; and after the end it changes nothing.
    let (mut s, _) = started("");
    s.handle(Input::Tick, 3_100);
    assert_eq!(
        failure_code(&s.handle(Input::ShellFailed("x".into()), 3_120)).as_deref(),
        Some("display_error")
    );
    assert!(s.handle(Input::ShellFailed("x".into()), 3_130).is_empty());
}

#[test]
fn a_verification_expired_locally_is_cancelled_upstream() {
    let (mut s, _) = started(r#","timeout":10000"#);
    let mut now = 3_100;
    loop {
        let fx = s.handle(Input::Tick, now);
        let fx = if sent(&fx).is_empty() {
            fx
        } else {
            s.handle(polled(r#"{"status":"initiated"}"#), now)
        };
        if !events(&fx).is_empty() {
            assert!(matches!(events(&fx)[..], [Event::Expired { .. }]));
            assert_eq!(
                sent(&fx),
                [&Request::Cancel {
                    verification_id: "v1".into()
                }]
            );
            break;
        }
        now = wake_at(&fx).expect("a next poll");
    }
}

#[test]
fn retries_of_a_create_reuse_its_idempotency_key_and_a_fallback_does_not() {
    let mut s = Session::new(config(r#","fallbackProviders":["frejaid"]"#), 1);
    let fx = s.handle(Input::Start, 0);
    assert_eq!(
        sent(&fx),
        [&Request::Create {
            provider_id: "bankidse".into(),
            retry: false,
            user_data: vec![]
        }]
    );
    let fx = s.handle(Input::Created(Err(Error::Timeout)), 10);
    let fx = s.handle(Input::Tick, wake_at(&fx).expect("retry"));
    assert_eq!(
        sent(&fx),
        [&Request::Create {
            provider_id: "bankidse".into(),
            retry: true,
            user_data: vec![]
        }]
    );
    let fx = s.handle(
        Input::Created(Err(http(503, r#"{"code":400005}"#, None))),
        5_000,
    );
    assert_eq!(
        sent(&fx),
        [&Request::Create {
            provider_id: "frejaid".into(),
            retry: false,
            user_data: vec![]
        }]
    );
}

#[test]
fn the_failed_detail_keeps_hopaes_code_exactly_as_received() {
    use hopae_connect_widget::core::api::Code;
    let code = |e: Error| e.to_failure().hopae_code;
    assert_eq!(
        code(http(400, r#"{"code":200001}"#, None)),
        Some(Code::Number(200001))
    );
    assert_eq!(
        http(400, r#"{"code":200001}"#, None).to_failure().code,
        "VALIDATION_MISSING_PARAMETER"
    );
    assert_eq!(
        http(400, r#"{"code":200002}"#, None).to_failure().code,
        "VALIDATION_INVALID_PARAMETER"
    );
    assert_eq!(
        code(http(503, r#"{"code":"400005"}"#, None)),
        Some(Code::Text("400005".into()))
    );
    assert_eq!(
        code(http(
            409,
            r#"{"title":"SESSION.INVALID_STATUS_TRANSITION"}"#,
            None
        )),
        Some(Code::Text("SESSION.INVALID_STATUS_TRANSITION".into()))
    );
    assert_eq!(code(http(500, "", None)), None);
    let (mut s, _) = started("");
    let fx = poll(
        &mut s,
        3_100,
        polled(r#"{"status":"failed","error":{"code":"USER_DECLINED"}}"#),
    );
    assert!(events(&fx).iter().any(|e| matches!(e, Event::Failed { failure, .. } if failure.hopae_code == Some(Code::Text("USER_DECLINED".into())))));
}

#[test]
fn an_animated_bankid_code_is_refreshed_every_second_while_visible() {
    let animated = r#"{"verificationId":"v1","status":"initiated","flowType":"qr",
        "flowDetails":{"qrData":"bankid.tok.0.hmac0"},"expiresAt":"1970-01-01T00:05:00Z"}"#;
    let mut s = Session::new(config(""), 1);
    s.handle(Input::Start, 0);
    let fx = s.handle(created(animated, None), 100);
    assert_eq!(
        wake_at(&fx),
        Some(1_100),
        "1 s, not 3 s, while the code is on screen"
    );
    let fx = poll(
        &mut s,
        1_100,
        polled(r#"{"status":"initiated","flowDetails":{"qrData":"bankid.tok.1.hmac1"}}"#),
    );
    assert!(fx.iter().any(|e| matches!(e, Effect::ShowQr(_))));
    assert_eq!(wake_at(&fx), Some(2_150));
    // Hidden: the hidden-page slowdown still rules.
    let fx = s.handle(Input::Visibility { hidden: true }, 1_200);
    assert_eq!(wake_at(&fx), Some(1_150 + HIDDEN_INTERVAL));
    // Faults still back off (no 1 s hammering of a failing backend).
    let (mut s2, _) = (Session::new(config(""), 1), ());
    s2.handle(Input::Start, 0);
    s2.handle(created(animated, None), 100);
    s2.handle(Input::Tick, 1_100);
    let fx = s2.handle(Input::Polled(Err(http(503, "", None))), 1_200);
    assert!(wake_at(&fx).is_some_and(|at| at >= 1_700));
    // A server's recommendedInterval is followed as is.
    let recommended = r#"{"verificationId":"v1","status":"initiated","flowType":"qr",
        "flowDetails":{"qrData":"bankid.tok.0.hmac0"},"polling":{"recommendedInterval":2000}}"#;
    let mut s = Session::new(config(""), 1);
    s.handle(Input::Start, 0);
    assert_eq!(
        wake_at(&s.handle(created(recommended, None), 100)),
        Some(2_100)
    );
    // A static code keeps the normal interval.
    let (_, fx) = started("");
    assert_eq!(wake_at(&fx), Some(3_100));
}

#[test]
fn a_mid_flow_action_is_carried_out_once() {
    // A liveness step as a redirect, in the status body's flowDetails.
    let (mut s, _) = started("");
    let step = r#"{"status":"awaiting_user_action","flowDetails":{"action":{"type":"redirect",
        "url":"https://liveness.example/start","message":"Take a selfie"}}}"#;
    let fx = poll(&mut s, 3_100, polled(step));
    assert!(fx.iter().any(|e| matches!(e, Effect::Redirect { url, mode: RedirectMode::SameTab, .. } if url == "https://liveness.example/start")));
    assert!(fx
        .iter()
        .any(|e| matches!(e, Effect::Say(m) if text(m) == "Take a selfie")));
    assert!(wake_at(&fx).is_some(), "and polling goes on");
    let fx = poll(&mut s, 6_200, polled(step));
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Redirect { .. })),
        "once"
    );
    // A qr action paints that code; a top-level action in a create body counts too.
    let mut s = Session::new(config(""), 1);
    s.handle(Input::Start, 0);
    let fx = s.handle(
        created(
            r#"{"verificationId":"v","status":"initiated","flowType":"push",
            "action":{"type":"qr","url":"https://wallet.example/scan/1"}}"#,
            None,
        ),
        10,
    );
    assert!(fx.iter().any(|e| matches!(e, Effect::ShowQr(_))));
    // A deeplink action offers a safe link only; an unsafe redirect fails.
    let (mut s, _) = started("");
    let fx = poll(
        &mut s,
        3_100,
        polled(r#"{"status":"initiated","action":{"type":"deeplink","url":"smartid://x"}}"#),
    );
    assert!(fx.contains(&Effect::AppLink(Some("smartid://x".into()))));
    let fx = poll(
        &mut s,
        6_200,
        polled(
            r#"{"status":"initiated","action":{"type":"redirect","url":"javascript:alert(1)"}}"#,
        ),
    );
    assert_eq!(failure_code(&fx).as_deref(), Some("unsafe_url"));
    // An unknown type is ignored.
    let (mut s, _) = started("");
    let fx = poll(
        &mut s,
        3_100,
        polled(r#"{"status":"initiated","action":{"type":"teleport","url":"x"}}"#),
    );
    assert!(events(&fx).is_empty() && wake_at(&fx).is_some());
}

#[test]
fn smart_id_asks_for_the_registration_id_first_unless_the_page_gave_it() {
    use hopae_connect_widget::core::session::Form;
    let smartid = |extra: &str| {
        let json = format!(r#"{{"endpoint":"/v","providerId":"smartid"{extra}}}"#);
        Options::from_json(&parse(&json).expect("json"))
            .and_then(Options::validate)
            .expect("valid")
    };
    let mut s = Session::new(smartid(""), 1);
    let fx = s.handle(Input::Start, 0);
    assert!(sent(&fx).is_empty(), "no create before the data");
    assert!(fx.iter().any(|e| matches!(e, Effect::Form(Some(Form { fields, invalid })) if fields.len() == 1 && fields[0].name == "registrationId" && invalid.is_empty())));
    // A malformed value is refused inline; nothing is sent.
    let fx = s.handle(Input::UserData(vec!["30303039914".into()]), 5_000);
    assert_eq!(
        fx,
        vec![Effect::Form(Some(Form {
            fields: hopae_connect_widget::core::userdata::fields("smartid"),
            invalid: vec![true]
        }))]
    );
    // A good one (typed in lower case with spaces) creates, with the data.
    let fx = s.handle(Input::UserData(vec![" pnoee-30303039914 ".into()]), 9_000);
    assert!(fx.contains(&Effect::Form(None)));
    assert_eq!(
        sent(&fx),
        [&Request::Create {
            provider_id: "smartid".into(),
            retry: false,
            user_data: vec![("registrationId", "PNOEE-30303039914".into())]
        }]
    );
    assert_eq!(
        s.deadline(),
        9_000 + 300_000,
        "the timeout counts from the submit"
    );
    // The page's userData, or requireUserData: false, skip the form.
    for extra in [
        r#","userData":{"registrationId":"PNOEE-30303039914"}"#,
        r#","requireUserData":false"#,
        r#","requireUserData":"false""#,
    ] {
        let mut s = Session::new(smartid(extra), 1);
        let fx = s.handle(Input::Start, 0);
        assert!(
            matches!(sent(&fx)[..], [Request::Create { user_data, .. }] if user_data.is_empty()),
            "{extra}"
        );
    }
    // Cancelling while the form shows removes it.
    let mut s = Session::new(smartid(""), 1);
    s.handle(Input::Start, 0);
    let fx = s.handle(Input::Cancel, 10);
    assert!(
        fx.contains(&Effect::Form(None))
            && matches!(
                events(&fx)[..],
                [Event::Cancelled {
                    verification_id: None
                }]
            )
    );
}

/// A `dc` create answer in native mode (the simulator's `us-id-pass`).
const DC_NATIVE: &str = r#"{"verificationId":"v","status":"initiated","providerId":"us-id-pass",
    "flowType":"dc","flowDetails":{"request":{"protocol":"openid4vp-v1-unsigned","data":{"nonce":"n"}},
    "callbackUrl":"https://api.example/gateway/dc/v/callback"}}"#;

fn dc_started(create: &str) -> (Session, Vec<Effect>) {
    let mut s = Session::new(config(""), 1);
    s.handle(Input::Start, 0);
    let fx = s.handle(created(create, None), 10);
    (s, fx)
}

fn failure_of(effects: &[Effect]) -> Option<hopae_connect_widget::core::error::Failure> {
    events(effects).iter().find_map(|e| match e {
        Event::Failed { failure, .. } => Some(failure.clone()),
        _ => None,
    })
}

#[test]
fn a_native_dc_answer_asks_the_browser_for_the_credential_and_keeps_polling() {
    let (mut s, fx) = dc_started(DC_NATIVE);
    assert!(
        fx.contains(&Effect::Credential {
            url: "https://api.example/gateway/dc/v/callback".into()
        }),
        "{fx:?}"
    );
    assert!(!fx.iter().any(|e| matches!(e, Effect::ShowQr(_))));
    assert!(events(&fx)
        .iter()
        .any(|e| matches!(e, Event::Initiated { flow_type, .. } if flow_type == "dc")));
    assert!(wake_at(&fx).is_some(), "a poll is planned");
    // The credential was posted: nothing ends until the status says so.
    let fx = s.handle(Input::Credential(Ok(())), 500);
    assert!(events(&fx).is_empty(), "{fx:?}");
    let fx = poll(&mut s, 20_000, polled(r#"{"status":"completed"}"#));
    assert!(
        events(&fx)
            .iter()
            .any(|e| matches!(e, Event::Completed { .. })),
        "{fx:?}"
    );
}

#[test]
fn a_dismissed_credential_prompt_fails_clearly_and_offers_try_again() {
    for name in ["NotAllowedError", "AbortError"] {
        let (mut s, _) = dc_started(DC_NATIVE);
        let fx = s.handle(Input::Credential(Err(name.into())), 500);
        let failure = failure_of(&fx).expect("hopae-failed");
        assert_eq!(failure.code, "dc_declined");
        assert_eq!(failure.message, "No digital credential was shared.");
        assert_eq!(failure.hopae_code, None, "the widget's own failure");
        assert!(failure.retryable);
        assert!(fx.contains(&Effect::Actions(Actions {
            cancel: false,
            try_again: true
        })));
        assert!(s.is_done());
    }
}

#[test]
fn without_the_digital_credentials_api_the_link_is_painted_else_unsupported_flow() {
    // No API, no link: a clear unsupported_flow.
    let (mut s, _) = dc_started(DC_NATIVE);
    let fx = s.handle(Input::Credential(Err("NotSupportedError".into())), 500);
    let failure = failure_of(&fx).expect("hopae-failed");
    assert_eq!(failure.code, "unsupported_flow");
    assert_eq!(
        failure.message,
        "This browser cannot present digital credentials; verify another way."
    );
    // No API, but the answer offers the cross-device link: it is painted.
    let with_link = DC_NATIVE.replace(
        r#""callbackUrl""#,
        r#""linkData":"https://x.example/l","callbackUrl""#,
    );
    let (mut s, _) = dc_started(&with_link);
    let fx = s.handle(Input::Credential(Err("NotSupportedError".into())), 500);
    assert!(fx.iter().any(|e| matches!(e, Effect::ShowQr(_))), "{fx:?}");
    assert!(fx.contains(&Effect::Say(Message::ScanQr)));
    assert!(!s.is_done());
    // A post that failed is a network failure.
    let (mut s, _) = dc_started(DC_NATIVE);
    let fx = s.handle(Input::Credential(Err("NetworkError".into())), 500);
    assert_eq!(
        failure_of(&fx).map(|f| f.code).as_deref(),
        Some("network_error")
    );
}

#[test]
fn a_dc_answer_without_native_mode_shows_its_link_as_a_qr_code() {
    let (s, fx) = dc_started(
        r#"{"verificationId":"v","status":"initiated","flowType":"dc",
            "flowDetails":{"linkData":"https://x.example/l","qrData":"https://x.example/l"}}"#,
    );
    assert!(fx.iter().any(|e| matches!(e, Effect::ShowQr(_))));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Credential { .. })));
    assert!(!s.is_done());
    // Neither a request nor a link: unsupported_flow at once.
    let (_, fx) = dc_started(
        r#"{"verificationId":"v","status":"initiated","flowType":"dc","flowDetails":{"request":"x"}}"#,
    );
    assert_eq!(
        failure_of(&fx).map(|f| f.code).as_deref(),
        Some("unsupported_flow")
    );
    // A callback that is not http(s) is never posted to.
    let (_, fx) = dc_started(&DC_NATIVE.replace("https://api.example", "javascript:x//"));
    assert_eq!(
        failure_of(&fx).map(|f| f.code).as_deref(),
        Some("unsafe_url")
    );
    // A late answer after the end changes nothing.
    let (mut s, _) = dc_started(DC_NATIVE);
    s.handle(Input::Cancel, 100);
    assert!(s
        .handle(Input::Credential(Err("NotAllowedError".into())), 200)
        .is_empty());
}

/// A create answer built from parts, for the first-QR property below.
fn create_answer(
    id: &str,
    status: &str,
    flow: Option<&str>,
    details: &str,
    action: Option<&str>,
    extra: &str,
) -> String {
    let flow = flow.map_or(String::new(), |f| format!(r#","flowType":"{f}""#));
    let action = action.map_or(String::new(), |a| format!(r#","action":{a}"#));
    format!(
        r#"{{"verificationId":"{id}","status":"{status}"{flow},"flowDetails":{{{details}}}{action}{extra}}}"#
    )
}

proptest! {
    /// What the first-QR module paints early (`first_qr`) is what the session,
    /// given the same answer, paints first, and nothing in that answer ends
    /// the session, redirects or shows another code: the early paint is never
    /// wrong, only early. Answers where it paints nothing are not constrained.
    #[test]
    fn the_early_qr_is_the_code_the_session_paints_first(
        id in prop::sample::select(vec!["v1", "", "  "]),
        status in prop::sample::select(vec!["initiated", "pending", "completed", "failed", "expired", "cancelled", "new_state"]),
        flow in prop::sample::select(vec![None, Some("qr"), Some("push"), Some("redirect"), Some("dc"), Some("nfc")]),
        qr in prop::sample::select(vec![None, Some("bankid.abc.1.def"), Some("https://example.com/x"), Some("")]),
        link in prop::sample::select(vec![None, Some("https://wallet.example/l")]),
        native in any::<bool>(),
        url in prop::sample::select(vec![None, Some("https://idp.example/a"), Some("javascript:alert(1)")]),
        action in prop::sample::select(vec![None, Some(r#"{"type":"qr","url":"https://x.example/q"}"#), Some(r#"{"type":"redirect","url":"https://idp.example/r"}"#), Some(r#"{"type":"push"}"#)]),
        extra in prop::sample::select(vec!["", r#","polling":{"recommendedInterval":3000,"maxDuration":120000}"#, r#","expiresAt":"1970-01-01T00:00:00Z""#, r#","expiresAt":"2999-01-01T00:00:00Z","polling":{"recommendedInterval":-1}"#]),
        page in prop::sample::select(vec!["", r#","pollInterval":1000"#, r#","redirect":"new-tab""#, r#","timeout":5000"#]),
    ) {
        let mut details = Vec::new();
        if let Some(q) = qr { details.push(format!(r#""qrData":"{q}""#)); }
        if let Some(l) = link { details.push(format!(r#""linkData":"{l}""#)); }
        if native { details.push(r#""request":{},"callbackUrl":"https://rp.example/cb""#.to_owned()); }
        if let Some(u) = url { details.push(format!(r#""authorizationUrl":"{u}""#)); }
        let json = create_answer(id, status, flow, &details.join(","), action, extra);
        let Ok(body) = CreateResponse::from_json(&parse(&json).expect("test JSON")) else { return Ok(()) };
        let Some(early) = first_qr(&body).map(str::to_owned) else { return Ok(()) };
        let mut s = Session::new(config(page), 7);
        s.handle(Input::Start, 0);
        let fx = s.handle(created(&json, None), 100);
        let painted = fx.iter().find_map(|e| match e { Effect::ShowQr(m) => Some(m.clone()), _ => None });
        match QrMatrix::encode(&early) {
            Ok(matrix) => prop_assert_eq!(painted, Some(matrix), "{}", json),
            Err(_) => prop_assert_eq!(painted, None),
        }
        prop_assert_eq!(fx.iter().filter(|e| matches!(e, Effect::ShowQr(_))).count(), 1, "{}", json);
        prop_assert!(!fx.iter().any(|e| matches!(e, Effect::Redirect { .. } | Effect::Credential { .. })), "{}", json);
        prop_assert!(
            events(&fx).iter().all(|e| matches!(e, Event::Initiated { .. } | Event::Status { .. })),
            "{}: {:?}", json, events(&fx)
        );
    }
}

#[test]
fn the_early_qr_is_painted_only_for_a_plain_qr_answer() {
    let body = |json: &str| {
        CreateResponse::from_json(&parse(json).expect("test JSON")).expect("a create answer")
    };
    let qr = body(QR_CREATE);
    assert_eq!(first_qr(&qr), Some("bankidse:///?token=abc"));
    for other in [
        QR_CREATE.replace(r#""verificationId":"v1""#, r#""verificationId":" ""#),
        QR_CREATE.replace("initiated", "completed"),
        QR_CREATE.replace(
            r#""expiresAt""#,
            r#""action":{"type":"redirect","url":"https://idp.example/r"},"expiresAt""#,
        ),
        QR_CREATE.replace(r#""flowType":"qr""#, r#""flowType":"push""#),
    ] {
        assert_eq!(first_qr(&body(&other)), None, "{other}");
    }
    let dc = body(
        r#"{"verificationId":"v1","status":"initiated","flowType":"dc","flowDetails":{"linkData":"https://wallet.example/l"}}"#,
    );
    assert_eq!(first_qr(&dc), Some("https://wallet.example/l"));
}

/// An answer fed `age` ms after it arrived (the early create, read before the
/// widget's module was ready), at t=100 + age.
fn adopted(age: u64, animated: bool) -> (Session, Vec<Effect>) {
    let mut s = Session::new(config(""), 42);
    s.handle(Input::Start, 0);
    let json = if animated {
        QR_CREATE.replace("bankidse:///?token=abc", "bankid.tok.0.mac")
    } else {
        QR_CREATE.to_owned()
    };
    let Input::Created(Ok(mut reply)) = created(&json, None) else {
        panic!("a create answer")
    };
    reply.received = Some(100);
    let fx = s.handle(Input::Created(Ok(reply)), 100 + age);
    (s, fx)
}

#[test]
fn an_answer_read_before_it_was_fed_counts_its_age_for_the_next_poll() {
    // Fresh: as before (3 s after).
    assert_eq!(wake_at(&adopted(0, false).1), Some(3_100));
    // 2.5 s old: the next poll 3 s after it arrived, 0.5 s from now.
    assert_eq!(wake_at(&adopted(2_500, false).1), Some(3_100));
    // Older than the interval: polled at once, not 3 s more.
    assert_eq!(wake_at(&adopted(5_000, false).1), Some(5_100));
    // An animated BankID code (1 s interval) 0.6 s old: renewed 0.4 s from now.
    assert_eq!(wake_at(&adopted(600, true).1), Some(1_100));
    // A `received` later than `now` (clocks disagreeing) counts as now.
    let mut s = Session::new(config(""), 42);
    s.handle(Input::Start, 0);
    let Input::Created(Ok(mut reply)) = created(QR_CREATE, None) else {
        panic!("a create answer")
    };
    reply.received = Some(9_000);
    assert_eq!(
        wake_at(&s.handle(Input::Created(Ok(reply)), 100)),
        Some(3_100)
    );
}
