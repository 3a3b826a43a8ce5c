//! The dashboard in a real browser: headless Chromium loads
//! `/_proton-cancel/` after each of the three documented outcomes was
//! staged through the control API, and the page it ends with shows the
//! statuses and each attempt's timeline (its span cut into the stages it
//! went through, the cancel, the start of the rollback, the outcome, and
//! the reports the machine ignored); a
//! change made after the page loaded reaches it through its event stream.
//! Screenshots go to target/dashboard/ (and to docs/ with
//! `PROTON_CANCEL_WRITE_PICTURES=1`, which is how the README's are made).
//!
//! Without Chromium the tests say they were skipped, unless
//! `PROTON_CANCEL_REQUIRE_BROWSER` is set (`.ci/run` sets it, after
//! installing Debian's `chromium`): then they fail.
#![allow(clippy::disallowed_methods)] // the test starts and times a browser

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use std::sync::Arc;

use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, Tab};
use proton_cancel_server::App;
use proton_cancel_test_support::browser::{chromium, launch};
use proton_cancel_test_support::control;
use serde_json::{Value, json};

mod common;
use common::start_at;

/// A tab on the dashboard of `addr`, once the page's event stream has
/// replaced what the page came with (at most 10 s).
fn open(browser: &Browser, addr: SocketAddr) -> Arc<Tab> {
    let tab = browser.new_tab().unwrap();
    tab.set_default_timeout(Duration::from_secs(10));
    tab.navigate_to(&format!("http://127.0.0.1:{}/_proton-cancel/", addr.port()))
        .unwrap();
    tab.wait_until_navigated().unwrap();
    tab.wait_for_element(r#"div[data-source="stream"]"#)
        .unwrap();
    tab
}

/// Runs `f` on a blocking thread, so the in-process server keeps
/// answering while the browser waits.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

/// The part of `dom` from the element with `marker` to the end of its
/// `close` tag.
fn part<'a>(dom: &'a str, marker: &str, close: &str) -> &'a str {
    let start = dom
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in the page:\n{dom}"));
    let end = dom[start..].find(close).map_or(dom.len(), |i| start + i);
    &dom[start..end]
}

/// A server with the environment `prod`, in manual mode.
async fn one_environment() -> (aws_sdk_proton::Client, App, SocketAddr) {
    let seed = common::kinds::seed(proton_cancel::ResourceKind::Environment, json!({}));
    let (client, app, addr) = start_at(seed).await;
    control::manual(addr).await;
    (client, app, addr)
}

async fn deliver(addr: SocketAddr, report: &str, failed: Option<&str>) -> Value {
    let mut body = json!({"resource": "environment/prod", "report": report});
    if let Some(message) = failed {
        body["result"] = json!("FAILED");
        body["message"] = json!(message);
    }
    control::ok(addr, "POST", "/engine/deliver", Some(&body)).await
}

/// One documented outcome: its name, its reports (one second apart, after
/// an update and a cancel), and what its timeline must show.
struct Outcome {
    name: &'static str,
    reports: &'static [(&'static str, Option<&'static str>)],
    status: &'static str,
    /// The stages the attempt's span is cut into, in order.
    stages: &'static [&'static str],
    marks: &'static [&'static str],
}

const OUTCOMES: [Outcome; 3] = [
    Outcome {
        name: "cancelled",
        reports: &[
            ("CancellationStarted", None),
            ("CancellationFinished", None),
            ("UpdateFinished", None),
        ],
        status: "CANCELLED",
        stages: &["in-progress", "cancel-requested", "cancel-started"],
        marks: &[
            r#"data-kind="cancel" data-input="Cancel""#,
            r#"data-kind="rollback" data-input="CancellationStarted""#,
            r#"data-kind="outcome" data-input="CancellationFinished""#,
            r#"data-kind="ignored" data-input="UpdateFinished""#,
        ],
    },
    Outcome {
        name: "failed",
        reports: &[
            ("CancellationStarted", None),
            ("CancellationFinished", Some("rollback failed: quota")),
        ],
        status: "FAILED",
        stages: &["in-progress", "cancel-requested", "cancel-started"],
        marks: &[
            r#"data-kind="cancel" data-input="Cancel""#,
            r#"data-kind="rollback" data-input="CancellationStarted""#,
            r#"data-kind="outcome" data-input="CancellationFinished""#,
        ],
    },
    Outcome {
        name: "update-won",
        reports: &[
            ("UpdateFinished", None),
            ("CancellationStarted", None),
            ("CancellationFinished", None),
        ],
        status: "SUCCEEDED",
        stages: &["in-progress", "cancel-requested"],
        marks: &[
            r#"data-kind="cancel" data-input="Cancel""#,
            r#"data-kind="outcome" data-input="UpdateFinished""#,
            r#"data-kind="ignored" data-input="CancellationStarted""#,
            r#"data-kind="ignored" data-input="CancellationFinished""#,
        ],
    },
];

/// Spec: R64
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_documented_outcome_shows_its_status_and_its_timeline_in_a_browser() {
    let test = "each_documented_outcome_shows_its_status_and_its_timeline_in_a_browser";
    let Some(browser) = chromium(test) else {
        return;
    };
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/dashboard");
    std::fs::create_dir_all(&shots).unwrap();
    for outcome in OUTCOMES {
        let (client, app, addr) = one_environment().await;
        let step = Duration::from_secs(1);
        app.advance(step).await;
        common::kinds::update(&client, proton_cancel::ResourceKind::Environment)
            .await
            .unwrap();
        app.advance(step).await;
        common::kinds::cancel(&client, proton_cancel::ResourceKind::Environment)
            .await
            .unwrap();
        for (report, failed) in outcome.reports {
            app.advance(step).await;
            deliver(addr, report, *failed).await;
        }
        let path = browser.clone();
        let (dom, png) = blocking(move || {
            let chrome = launch(&path, (1000, 820));
            let tab = open(&chrome, addr);
            let png = tab
                .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
                .unwrap();
            (tab.get_content().unwrap(), png)
        })
        .await;
        let row = part(&dom, r#"<tr data-resource="environment/prod">"#, "</tr>");
        assert!(
            row.contains(&format!(
                r#"<td class="status {0}">{0}</td>"#,
                outcome.status
            )),
            "{}: {row}",
            outcome.name
        );
        let section = part(
            &dom,
            r#"<section class="resource" data-resource="environment/prod""#,
            "</section>",
        );
        assert!(
            section.contains(&format!(r#"data-status="{}""#, outcome.status)),
            "{}",
            outcome.name
        );
        // The lane of the cancelled attempt: its span, then its marks in
        // the order they happened.
        let lane = part(
            section,
            r#"data-attempt="00000000-0000-4000-8000-000000000001""#,
            "</g></g>\n",
        );
        let stages: Vec<&str> = lane
            .split(r#"class="segment" data-stage=""#)
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap())
            .collect();
        assert_eq!(stages, outcome.stages, "{}", outcome.name);
        assert!(
            lane.contains(&format!(r#"class="end" data-status="{}""#, outcome.status)),
            "{}",
            outcome.name
        );
        let mut from = 0;
        for mark in outcome.marks {
            let at = lane[from..].find(mark).unwrap_or_else(|| {
                panic!(
                    "{}: no {mark} after the marks before it in\n{lane}",
                    outcome.name
                )
            });
            from += at + mark.len();
        }
        assert_eq!(
            lane.matches(r#"class="mark""#).count(),
            outcome.marks.len(),
            "{}: {lane}",
            outcome.name
        );
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{}", outcome.name);
        let png_path = shots.join(format!("dashboard-{}.png", outcome.name));
        std::fs::write(&png_path, &png).unwrap();
        if proton_cancel_test_support::browser::write_pictures() {
            let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs");
            std::fs::write(docs.join(format!("dashboard-{}.png", outcome.name)), &png).unwrap();
        }
    }
}

/// Spec: R64
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_after_the_page_loaded_reaches_it_through_its_stream() {
    let test = "a_change_after_the_page_loaded_reaches_it_through_its_stream";
    let Some(browser) = chromium(test) else {
        return;
    };
    let (client, _app, addr) = one_environment().await;
    common::kinds::update(&client, proton_cancel::ResourceKind::Environment)
        .await
        .unwrap();
    common::kinds::cancel(&client, proton_cancel::ResourceKind::Environment)
        .await
        .unwrap();
    let (chrome, tab) = blocking(move || {
        let chrome = launch(&browser, (1000, 820));
        let tab = open(&chrome, addr);
        (chrome, tab)
    })
    .await;
    let row = r#"tr[data-resource="environment/prod"] td.status"#;
    let shown = |tab: Arc<Tab>| async move {
        blocking(move || tab.wait_for_element(row).unwrap().get_inner_text().unwrap()).await
    };
    assert_eq!(shown(tab.clone()).await, "CANCELLING");
    deliver(addr, "CancellationStarted", None).await;
    deliver(addr, "CancellationFinished", None).await;
    // The page is not loaded again: the stream brings the change.
    let cancelled = r#"tr[data-resource="environment/prod"] td.status.CANCELLED"#;
    let found = blocking({
        let tab = tab.clone();
        move || {
            tab.wait_for_element(cancelled)
                .map(|e| e.get_inner_text().unwrap())
        }
    })
    .await;
    assert_eq!(found.unwrap(), "CANCELLED");
    drop(chrome);
}
