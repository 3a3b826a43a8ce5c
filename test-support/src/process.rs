//! The server binary as a process of a test's own: started on a free port
//! of 127.0.0.1, found by its listening line, killed by pid when dropped.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

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
