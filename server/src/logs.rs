//! Log lines that never hold up a request.
//!
//! Every log line is appended to one shared buffer in memory; a writer
//! thread takes the whole buffer every few milliseconds and writes it to
//! standard error. A request never waits for standard error, and never
//! wakes the writer: when the buffer is full (say, the server was started
//! with its standard error piped and nobody reads the pipe), the line is
//! dropped and counted, and once the writer catches up it logs how many
//! were dropped, in the same format as every other line.
//!
//! Hand-written rather than `tracing-appender`'s lossy `NonBlocking`, for
//! two measured reasons. That one hands each line to its thread through a
//! channel, and waking the thread for every line cost the server more than
//! a third of its memory-backend throughput on two cores
//! (docs/performance.md). And it counts dropped lines but cannot report
//! them in the log once the writer catches up, which is what tells a reader
//! of the log that it has a gap and how large.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// How many bytes of log lines may wait for the writer before new lines
/// are dropped.
pub const BUFFER_BYTES: usize = 256 * 1024;

/// How often the writer takes what is buffered.
const WRITE_EVERY: Duration = Duration::from_millis(5);

/// How long [`Flush`] waits, when dropped, for the buffered lines to be
/// written.
const FLUSH_WAIT: Duration = Duration::from_secs(2);

/// What the writers share.
#[derive(Default)]
struct Pending {
    /// Lines not yet written.
    bytes: Vec<u8>,
    /// Lines dropped since the last report.
    dropped: u64,
    /// How many times the writer has emptied the buffer.
    rounds: u64,
    /// A [`Flush`] is waiting: write now.
    flush: bool,
}

struct Shared {
    pending: Mutex<Pending>,
    /// Wakes the writer for a flush; tells a flush its round is done.
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends one whole line, or counts it dropped if it does not fit.
    fn append(&self, line: &[u8]) {
        let mut pending = self.lock();
        if pending.bytes.len().saturating_add(line.len()) > BUFFER_BYTES {
            pending.dropped = pending.dropped.saturating_add(1);
        } else {
            pending.bytes.extend_from_slice(line);
        }
    }
}

/// Where the log goes: a [`tracing_subscriber::fmt::MakeWriter`] whose
/// writers append to the shared buffer and never block on output.
#[derive(Clone)]
pub struct NonBlocking {
    shared: Arc<Shared>,
}

/// Writes what was logged before it when dropped, waiting at most two
/// seconds (a reader that never reads cannot hold up the exit).
#[must_use = "dropping it at once flushes nothing later"]
pub struct Flush {
    shared: Arc<Shared>,
}

impl Drop for Flush {
    fn drop(&mut self) {
        let mut pending = self.shared.lock();
        // A round under way may have taken the buffer before the last lines
        // came: wait for the one after it.
        let target = pending.rounds.saturating_add(2);
        pending.flush = true;
        self.shared.changed.notify_all();
        while pending.rounds < target {
            let (next, timeout) = self
                .shared
                .changed
                .wait_timeout(pending, FLUSH_WAIT)
                .unwrap_or_else(|p| p.into_inner());
            pending = next;
            if timeout.timed_out() {
                return;
            }
        }
    }
}

/// Starts the writer thread for `out` (the server passes standard error).
///
/// # Errors
/// The thread cannot be started.
pub fn non_blocking(
    out: impl std::io::Write + Send + 'static,
) -> std::io::Result<(NonBlocking, Flush)> {
    let shared = Arc::new(Shared {
        pending: Mutex::new(Pending {
            bytes: Vec::with_capacity(BUFFER_BYTES),
            ..Pending::default()
        }),
        changed: Condvar::new(),
    });
    let writer = Arc::clone(&shared);
    std::thread::Builder::new()
        .name("log-writer".to_owned())
        .spawn(move || write_lines(out, &writer))?;
    Ok((
        NonBlocking {
            shared: Arc::clone(&shared),
        },
        Flush { shared },
    ))
}

/// The writer thread: every [`WRITE_EVERY`] (or at once for a flush) takes
/// the buffered lines, writes them, and reports the lines dropped since the
/// last report. Writing happens outside the lock, so a blocked standard
/// error holds up only this thread.
fn write_lines(mut out: impl std::io::Write, shared: &Shared) {
    let mut taken = Vec::with_capacity(BUFFER_BYTES);
    loop {
        let lost = {
            let mut pending = shared.lock();
            if !pending.flush {
                pending = shared
                    .changed
                    .wait_timeout(pending, WRITE_EVERY)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
            std::mem::swap(&mut pending.bytes, &mut taken);
            std::mem::take(&mut pending.dropped)
        };
        if !taken.is_empty() {
            let _ = out.write_all(&taken);
            let _ = out.flush();
            taken.clear();
        }
        if lost > 0 {
            // Through the subscriber, so it has the log's format.
            tracing::warn!(
                dropped = lost,
                "log lines were dropped: standard error was not read fast enough"
            );
        }
        let mut pending = shared.lock();
        pending.rounds = pending.rounds.saturating_add(1);
        pending.flush = false;
        shared.changed.notify_all();
    }
}

/// One log line on its way to the buffer. tracing's formatter writes each
/// line whole, in one call; a line written in pieces is gathered first, so
/// lines never interleave.
pub struct Line<'a> {
    partial: Vec<u8>,
    to: &'a NonBlocking,
}

impl std::io::Write for Line<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.partial.is_empty() && buf.ends_with(b"\n") {
            self.to.shared.append(buf);
        } else {
            self.partial.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Line<'_> {
    fn drop(&mut self) {
        if !self.partial.is_empty() {
            self.to.shared.append(&self.partial);
        }
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for NonBlocking {
    type Writer = Line<'a>;

    fn make_writer(&'a self) -> Line<'a> {
        Line {
            partial: Vec::new(),
            to: self,
        }
    }
}
