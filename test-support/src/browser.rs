//! Headless Chromium for the tests of pages (the dashboard, the pictures
//! of histories): found on PATH, or a loud skip unless
//! `PROTON_CANCEL_REQUIRE_BROWSER` is set (`.ci/run` sets it, after
//! installing Debian's `chromium`), then a failure.

use std::path::{Path, PathBuf};

use headless_chrome::{Browser, LaunchOptions};

/// The browser, if this machine has one; `test` names the test that says
/// it was skipped.
///
/// # Panics
/// `PROTON_CANCEL_REQUIRE_BROWSER` is set and no browser is on PATH.
pub fn chromium(test: &str) -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|dir| dir.join(name))
                    .find(|p| p.is_file())
            })
        });
    if found.is_none() {
        assert!(
            std::env::var_os("PROTON_CANCEL_REQUIRE_BROWSER").is_none(),
            "{test}: PROTON_CANCEL_REQUIRE_BROWSER is set but no chromium is on PATH"
        );
        eprintln!("SKIPPED {test}: no chromium on PATH (apt-get install chromium)");
    }
    found
}

/// A headless browser on `path`, with a window of `width` × `height`.
///
/// # Panics
/// The browser does not start.
pub fn launch(path: &Path, (width, height): (u32, u32)) -> Browser {
    let options = LaunchOptions::default_builder()
        .path(Some(path.to_path_buf()))
        .sandbox(false)
        .window_size(Some((width, height)))
        .build()
        .unwrap();
    Browser::new(options).unwrap()
}

/// Whether pictures made by tests are written into `docs/` too
/// (`PROTON_CANCEL_WRITE_PICTURES=1`), which is how the documentation's
/// are made.
pub fn write_pictures() -> bool {
    std::env::var_os("PROTON_CANCEL_WRITE_PICTURES").is_some()
}
