//! The picture of a history that is not linearizable, in a real browser:
//! compare-and-set off (seed 2, shrunk) draws component comp-a's history
//! with a row per client, the operations the longest partial
//! linearization places numbered in its order, the one no order places in
//! red (a Cancel accepted for an attempt whose cancellation had already
//! been accepted: decided on a replica's stale cached row, and written
//! over the newer state), the faults and the engine's reports beside them,
//! and the machine's
//! states before and after an operation on hover. The screenshot goes to target/pictures/ (and to
//! docs/ with `PROTON_CANCEL_WRITE_PICTURES=1`, which is how
//! docs/reliability.md's is made).
#![allow(clippy::disallowed_methods)] // the test starts a browser

use std::path::Path;
use std::time::Duration;

use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use proton_cancel_sim::campaign::write_pictures;
use proton_cancel_sim::shrink::shrink;
use proton_cancel_sim::{Bug, Plan};
use proton_cancel_test_support::browser::{chromium, launch, write_pictures as to_docs};

#[test]
fn a_history_compare_and_set_off_broke_is_drawn_with_its_longest_partial_linearization() {
    let test =
        "a_history_compare_and_set_off_broke_is_drawn_with_its_longest_partial_linearization";
    let (_, outcome) = shrink(&Plan::of(2), Some(Bug::CompareAndSetOff));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/pictures");
    let paths = write_pictures(2, &outcome, &dir).unwrap();
    let [path] = paths.as_slice() else {
        panic!("one history is not linearizable, so one picture: {paths:?}")
    };
    assert_eq!(
        path.file_name().unwrap().to_str().unwrap(),
        "seed-2-component--comp-a.html"
    );
    let page = std::fs::read_to_string(path).unwrap();
    // Self-contained: nothing is fetched.
    for outside in ["src=", "href=", "http:", "https:", "@import"] {
        assert!(!page.contains(outside), "{outside} in the page");
    }
    let Some(browser) = chromium(test) else {
        return;
    };
    let chrome = launch(&browser, (1960, 560));
    let tab = chrome.new_tab().unwrap();
    tab.set_default_timeout(Duration::from_secs(10));
    tab.navigate_to(&format!("file://{}", path.display()))
        .unwrap();
    tab.wait_until_navigated().unwrap();
    let title = tab
        .wait_for_element("h1")
        .unwrap()
        .get_inner_text()
        .unwrap();
    assert_eq!(title, "component 'comp-a': not linearizable");
    let texts = |selector: &str| -> Vec<String> {
        tab.find_elements(selector)
            .map(|found| {
                found
                    .iter()
                    .map(|e| e.get_inner_text().unwrap().replace('\n', " / "))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        texts(".row[data-client] .label"),
        ["client 0", "client 1", "client 2"]
    );
    assert_eq!(
        texts(".op.lin"),
        [
            "#1 Create(c0-1) / ConflictException",
            "#4 Update(c0-3) / IN_PROGRESS spec initial",
            "#3 Cancel / CANCELLING spec initial",
            "#5 Cancel / CANCELLING spec initial",
            "#7 Update(c1-5) / ConflictException",
            "#2 Update(c2-0) / IN_PROGRESS spec initial",
            "#6 Cancel / ConflictException",
        ]
    );
    assert_eq!(texts(".op.out"), ["Cancel / CANCELLING spec initial"]);
    assert_eq!(texts(".marks .mark"), ["m1", "m2", "m3", "m4", "m5"]);
    assert_eq!(
        texts("#marks li"),
        [
            "208.000 ms: fault latency r0 for 655ms",
            "289.000 ms: r1 applied job 4 (cancellationStarted)",
            "341.000 ms: r1 applied job 5 (cancellationFinished)",
            "711.000 ms: r2 applied job 2 (updateFinished)",
            "899.000 ms: fault failed-commit r0 for 573ms",
        ]
    );
    // Hovering the Update of client 0 shows the states the machine may be
    // in around it: before, client 2's update to c2-0 cancelled, being
    // cancelled or done (the engine's reports may have come); after, its
    // own running or done.
    let update = tab
        .find_elements(".op.lin")
        .unwrap()
        .into_iter()
        .nth(1)
        .unwrap();
    update.move_mouse_over().unwrap();
    let panel = tab
        .find_element("#panel")
        .unwrap()
        .get_inner_text()
        .unwrap();
    assert_eq!(
        panel,
        "operation: Update(c0-3) → IN_PROGRESS spec initial (659.000 ms to 664.001 ms)\n\
         before: CANCELLED applied initial | CANCELLING applied initial deploying c2-0 | SUCCEEDED applied c2-0\n\
         after: IN_PROGRESS applied initial deploying c0-3 | SUCCEEDED applied c0-3"
    );
    let png = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .unwrap();
    std::fs::write(dir.join("cas-off.png"), &png).unwrap();
    if to_docs() {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/reliability-cas-off.png");
        std::fs::write(docs, &png).unwrap();
    }
}
