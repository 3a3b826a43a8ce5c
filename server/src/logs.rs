//! Log lines that never hold up a request.
//!
//! Every log line is handed to one writer thread through a bounded queue.
//! A request never waits for standard error: when the queue is full (say,
//! the server was started with its standard error piped and nobody reads
//! the pipe), the line is dropped and counted, and once the writer catches
//! up it logs how many were dropped, in the same format as every other line.
//!
//! Hand-written rather than `tracing-appender`'s lossy `NonBlocking`: that
//! one counts dropped lines but has no way to report them in the log once
//! the writer catches up, which is what tells a reader of the log that it
//! has a gap and how large.

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::time::Duration;

/// How many lines may wait for the writer before new ones are dropped.
pub const QUEUE_LINES: usize = 1024;

/// How long [`Flush`] waits, when dropped, for the queued lines to be
/// written.
const FLUSH_WAIT: Duration = Duration::from_secs(2);

enum Message {
    Line(Vec<u8>),
    Flush(mpsc::Sender<()>),
}

/// Where the log goes: a [`tracing_subscriber::fmt::MakeWriter`] whose
/// writers hand their line to the writer thread and never block.
#[derive(Clone)]
pub struct NonBlocking {
    queue: SyncSender<Message>,
    dropped: Arc<AtomicU64>,
}

/// Writes what was queued before it when dropped, waiting at most two
/// seconds (a reader that never reads cannot hold up the exit).
#[must_use = "dropping it at once flushes nothing later"]
pub struct Flush {
    queue: SyncSender<Message>,
}

impl Drop for Flush {
    fn drop(&mut self) {
        let (done, wait) = mpsc::channel();
        if self.queue.try_send(Message::Flush(done)).is_ok() {
            let _ = wait.recv_timeout(FLUSH_WAIT);
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
    let (queue, lines) = mpsc::sync_channel(QUEUE_LINES);
    let dropped = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&dropped);
    std::thread::Builder::new()
        .name("log-writer".to_owned())
        .spawn(move || write_lines(out, &lines, &counter))?;
    Ok((
        NonBlocking {
            queue: queue.clone(),
            dropped,
        },
        Flush { queue },
    ))
}

/// The writer thread: writes each line, in batches while more are queued,
/// and after each batch reports the lines dropped since the last report.
fn write_lines(out: impl std::io::Write, lines: &Receiver<Message>, dropped: &AtomicU64) {
    let mut out = std::io::BufWriter::new(out);
    let mut flushed = Vec::new();
    while let Ok(first) = lines.recv() {
        let mut next = Some(first);
        while let Some(message) = next {
            match message {
                Message::Line(line) => {
                    let _ = out.write_all(&line);
                }
                Message::Flush(done) => flushed.push(done),
            }
            next = lines.try_recv().ok();
        }
        let _ = out.flush();
        for done in flushed.drain(..) {
            let _ = done.send(());
        }
        let lost = dropped.swap(0, Ordering::Relaxed);
        if lost > 0 {
            // Through the subscriber, so it has the log's format; the queue
            // was just emptied, so it has room.
            tracing::warn!(
                dropped = lost,
                "log lines were dropped: standard error was not read fast enough"
            );
        }
    }
}

/// One log line on its way to the queue.
pub struct Line<'a> {
    line: Vec<u8>,
    to: &'a NonBlocking,
}

impl std::io::Write for Line<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.line.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Line<'_> {
    fn drop(&mut self) {
        if self.line.is_empty() {
            return;
        }
        let line = std::mem::take(&mut self.line);
        match self.to.queue.try_send(Message::Line(line)) {
            Ok(()) | Err(TrySendError::Disconnected(_)) => {}
            Err(TrySendError::Full(_)) => {
                self.to.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for NonBlocking {
    type Writer = Line<'a>;

    fn make_writer(&'a self) -> Line<'a> {
        Line {
            line: Vec::with_capacity(512),
            to: self,
        }
    }
}
