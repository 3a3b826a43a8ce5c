//! The tool in a real terminal (a pseudo-terminal): the live line redraws
//! as the wait goes on, shows the status, and gives way to the outcome.
#![allow(clippy::disallowed_methods)] // the test starts a process

use std::io::Read as _;

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use proton_cancel_server::Clock;
use proton_cancel_test_support::emulator;
use serde_json::json;

#[test]
fn in_a_terminal_the_live_line_updates_and_ends_on_the_outcome() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let seed = json!({"environments": [{
        "name": "prod", "templateName": "t", "templateMajorVersion": "1", "templateMinorVersion": "0",
        "deploymentStatus": "IN_PROGRESS",
        "engine": {"updateAfterMs": null, "cancelStartAfterMs": 600, "cancelFinishAfterMs": 900}
    }]});
    let (_, addr) = runtime.block_on(emulator::start_json(seed, Clock::system()));
    let url = format!("http://{addr}");

    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_proton-cancel"));
    cmd.args([
        "--endpoint-url",
        &url,
        "--min-delay",
        "100ms",
        "--max-delay",
        "200ms",
        "cancel",
        "environment",
        "--name",
        "prod",
        "--wait",
    ]);
    cmd.env_clear();
    for (k, v) in [
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_CONFIG_FILE", "/nonexistent"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"),
        ("TERM", "xterm-256color"),
    ] {
        cmd.env(k, v);
    }
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let read = std::thread::spawn(move || {
        let mut out = Vec::new();
        let mut chunk = [0u8; 4096];
        // The read fails with EIO once the child has exited and closed the
        // terminal: that is the end of the output.
        while let Ok(n) = reader.read(&mut chunk) {
            if n == 0 {
                break;
            }
            out.extend_from_slice(&chunk[..n]);
        }
        out
    });
    let status = child.wait().unwrap();
    drop(pair.master);
    let screen = String::from_utf8_lossy(&read.join().unwrap()).into_owned();
    assert_eq!(status.exit_code(), 0, "{screen}");

    // The live line was drawn again and again: one redraw per tick, each
    // clearing the line first.
    let redraws = screen.matches("environment 'prod': CANCELLING").count();
    assert!(
        redraws >= 5,
        "the live line was drawn {redraws} times:\n{screen:?}"
    );
    assert!(
        screen.contains("\u{1b}[2K") || screen.contains('\r'),
        "{screen:?}"
    );
    // The change of status was printed above the live line, and the
    // outcome replaced it.
    assert!(
        screen.contains(" cancel accepted: CANCELLING"),
        "{screen:?}"
    );
    assert!(screen.contains(" now CANCELLED"), "{screen:?}");
    let last = screen.trim_end().rsplit(['\n', '\r']).next().unwrap();
    let last = last.trim_start_matches("\u{1b}[2K");
    assert!(
        last.starts_with("cancelled: the deployment was rolled back (after "),
        "the last line is {last:?}"
    );
}
