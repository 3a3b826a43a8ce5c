//! The server binary as a process of a test's own: started on a free port
//! of 127.0.0.1, found by its listening line, killed by pid when dropped.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A running server; killed by pid on drop if the test did not stop it.
pub struct Server {
    /// The process.
    pub child: Child,
    /// The port it listens on.
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Spawns `command` (the binary with `--port 0` among its flags) with
    /// its standard output piped, waits for the listening line and keeps
    /// reading the rest on a thread, so the process never blocks on it.
    /// `diagnose` adds to the panic message when no such line comes.
    pub fn listen(mut command: Command, diagnose: impl FnOnce() -> String) -> Self {
        let mut child = command.stdout(Stdio::piped()).spawn().unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let port = line
            .trim()
            .strip_prefix("proton-cancel-server listening on http://127.0.0.1:")
            .and_then(|rest| rest.split(' ').next())
            .unwrap_or_else(|| panic!("no listening line: {line:?}{}", diagnose()))
            .parse()
            .unwrap();
        std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = out.read_to_string(&mut rest);
        });
        Self { child, port }
    }
}

/// Sends SIGINT (what Ctrl-C sends) to `child`, by its pid, and waits for
/// it to exit: its exit status. Panics with `stuck` when it is still running
/// `within` after the signal.
pub fn interrupt(child: &mut Child, within: Duration, stuck: &str) -> ExitStatus {
    let pid = child.id().to_string();
    let sent = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(sent.success(), "kill -INT {pid} failed");
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "{stuck}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Writes `seed.json` in `dir`: `web` of `shop` (environment `prod`)
/// IN_PROGRESS with an update that never finishes, and a cancellation that
/// starts `start_ms` after a cancel and ends `finish_ms` later. Its path.
pub fn seed_in_progress(dir: &Path, start_ms: u64, finish_ms: u64) -> PathBuf {
    let seed = dir.join("seed.json");
    let instance = serde_json::json!({
        "serviceName": "shop", "name": "web", "environmentName": "prod",
        "templateName": "t", "templateMajorVersion": "1", "templateMinorVersion": "0",
        "deploymentStatus": "IN_PROGRESS",
        "engine": {"updateAfterMs": null, "cancelStartAfterMs": start_ms, "cancelFinishAfterMs": finish_ms},
    });
    std::fs::write(
        &seed,
        serde_json::json!({ "serviceInstances": [instance] }).to_string(),
    )
    .unwrap();
    seed
}

/// Everything left on a child's piped `stream` (its stdout or stderr),
/// read to its end.
pub fn rest_of(stream: Option<impl Read>) -> String {
    let mut text = String::new();
    stream.unwrap().read_to_string(&mut text).unwrap();
    text
}

/// Runs `bin` with `args` to its end: its exit code and standard error.
pub fn exit_of(bin: &str, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(bin).args(args).output().unwrap();
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}
