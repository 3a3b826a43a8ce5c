//! A TCP relay the check owns, between one replica and PostgreSQL. The
//! nemesis can cut it (every database connection of that replica broken,
//! new ones refused, until healed), stall it (bytes held in both
//! directions with every connection open, until resumed), or arm it to cut
//! the connection that next forwards a committing statement right after
//! forwarding it (the commit takes effect; its caller never learns so).
//!
//! To know which statement commits, the relay reads the client's side of
//! PostgreSQL's protocol: the statements prepared (Parse), the one each
//! portal runs (Bind), and what runs (Execute, or a simple Query). A
//! statement commits when it is a `COMMIT`, or the server's one-statement
//! compare-and-set (`WITH updated AS (UPDATE …`), which commits by
//! itself.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, watch};

/// What every connection of a relay shares.
struct State {
    cut: AtomicBool,
    cuts: broadcast::Sender<()>,
    stalled: watch::Sender<bool>,
    commit_armed: AtomicBool,
    commits_cut: AtomicUsize,
}

/// A running relay on 127.0.0.1.
pub struct Relay {
    /// The port replicas connect to.
    pub port: u16,
    state: Arc<State>,
}

/// How a pump ended.
enum Ended {
    /// A side closed, or failed.
    Closed,
    /// It forwarded an armed `COMMIT`: the connection is to be cut.
    CutAfterCommit,
}

/// Whether SQL `text` commits when it runs.
fn commits(text: &[u8]) -> bool {
    let text = String::from_utf8_lossy(text);
    let text = text.trim_start();
    text.eq_ignore_ascii_case("COMMIT")
        || text.to_ascii_uppercase().starts_with("COMMIT")
        || text.starts_with("WITH updated AS (UPDATE")
}

/// The client's side of one PostgreSQL connection, read message by
/// message.
#[derive(Default)]
struct Frontend {
    /// Whether the startup message has passed (typed messages follow).
    started: bool,
    /// Bytes of a message not yet whole.
    pending: Vec<u8>,
    /// Whether each prepared statement commits, by name.
    statements: std::collections::HashMap<Vec<u8>, bool>,
    /// Whether the statement the last Bind chose commits.
    bound: bool,
    /// Whether a committing statement was executed since the last Sync
    /// (which ends the implicit transaction of the extended protocol).
    executed: bool,
}

/// The C string at the start of `bytes`, and what follows it.
fn cstr(bytes: &[u8]) -> (&[u8], &[u8]) {
    match bytes.iter().position(|&b| b == 0) {
        Some(end) => (
            bytes.get(..end).unwrap_or_default(),
            bytes.get(end + 1..).unwrap_or_default(),
        ),
        None => (bytes, &[]),
    }
}

impl Frontend {
    /// Reads `bytes`; whether a committing statement ran to its end among
    /// them (a simple Query, or an Execute and the Sync after it).
    fn feed(&mut self, bytes: &[u8]) -> bool {
        self.pending.extend_from_slice(bytes);
        let mut ran_commit = false;
        loop {
            let header = if self.started { 5 } else { 8 };
            let Some(head) = self.pending.get(..header) else {
                return ran_commit;
            };
            let at = usize::from(self.started);
            let len = head
                .get(at..at + 4)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map_or(0, |b| u32::from_be_bytes(b) as usize);
            let total = at + len.max(4);
            if self.pending.len() < total {
                return ran_commit;
            }
            let message: Vec<u8> = self.pending.drain(..total).collect();
            if !self.started {
                // SSLRequest, GSSENCRequest and CancelRequest are followed
                // by another untyped message; StartupMessage (3.0) is not.
                let code = message.get(4..8).map(|b| [b[0], b[1], b[2], b[3]]);
                self.started = code == Some(196_608u32.to_be_bytes());
                continue;
            }
            let body = message.get(5..).unwrap_or_default();
            match message.first() {
                Some(b'P') => {
                    let (name, rest) = cstr(body);
                    let (query, _) = cstr(rest);
                    self.statements.insert(name.to_vec(), commits(query));
                }
                Some(b'B') => {
                    let (_portal, rest) = cstr(body);
                    let (statement, _) = cstr(rest);
                    self.bound = self.statements.get(statement).copied().unwrap_or(false);
                }
                Some(b'E') => self.executed |= self.bound,
                Some(b'S') => ran_commit |= std::mem::take(&mut self.executed),
                Some(b'Q') => ran_commit |= commits(cstr(body).0),
                _ => {}
            }
        }
    }
}

/// Forwards `from` to `to`, holding bytes while the relay is stalled; on
/// the client's side, ends after forwarding an armed `COMMIT`.
async fn pump(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    state: Arc<State>,
    client_side: bool,
) -> Ended {
    let mut stalled = state.stalled.subscribe();
    let mut frontend = Frontend::default();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return Ended::Closed,
            Ok(n) => n,
        };
        if stalled.wait_for(|s| !*s).await.is_err() {
            return Ended::Closed;
        }
        let chunk = buf.get(..n).unwrap_or_default();
        if to.write_all(chunk).await.is_err() {
            return Ended::Closed;
        }
        if client_side
            && frontend.feed(chunk)
            && state
                .commit_armed
                .compare_exchange(true, false, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        {
            state.commits_cut.fetch_add(1, Ordering::SeqCst);
            return Ended::CutAfterCommit;
        }
    }
}

impl Relay {
    /// Starts relaying 127.0.0.1:`port` (a free one) to `upstream`.
    pub async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (cuts, _) = broadcast::channel(16);
        let state = Arc::new(State {
            cut: AtomicBool::new(false),
            cuts,
            stalled: watch::channel(false).0,
            commit_armed: AtomicBool::new(false),
            commits_cut: AtomicUsize::new(0),
        });
        let relay = Self {
            port,
            state: Arc::clone(&state),
        };
        tokio::spawn(async move {
            loop {
                let Ok((inbound, _)) = listener.accept().await else {
                    continue;
                };
                if state.cut.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let upstream = upstream.clone();
                let mut cut_now = state.cuts.subscribe();
                let state = Arc::clone(&state);
                tokio::spawn(async move {
                    let Ok(outbound) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    let (client_read, client_write) = inbound.into_split();
                    let (server_read, server_write) = outbound.into_split();
                    // Either direction ending ends the connection.
                    tokio::select! {
                        _ = pump(client_read, server_write, Arc::clone(&state), true) => {}
                        _ = pump(server_read, client_write, Arc::clone(&state), false) => {}
                        _ = cut_now.recv() => {}
                    }
                });
            }
        });
        relay
    }

    /// Breaks every open connection and refuses new ones until
    /// [`Relay::heal`].
    pub fn cut(&self) {
        self.state.cut.store(true, Ordering::SeqCst);
        let _ = self.state.cuts.send(());
    }

    /// Accepts connections again.
    pub fn heal(&self) {
        self.state.cut.store(false, Ordering::SeqCst);
    }

    /// Holds every byte, both ways, with every connection open (a
    /// database that stalls), until [`Relay::resume`].
    pub fn stall(&self) {
        self.state.stalled.send_replace(true);
    }

    /// Forwards the bytes held, and goes on.
    pub fn resume(&self) {
        self.state.stalled.send_replace(false);
    }

    /// Arms (or, with `false`, disarms) the cut after a `COMMIT`: the next
    /// connection that forwards one is cut right after, so the commit
    /// takes effect and its caller is told nothing but a broken
    /// connection.
    pub fn arm_commit_cut(&self, armed: bool) {
        self.state.commit_armed.store(armed, Ordering::SeqCst);
    }

    /// How many connections were cut right after a `COMMIT`.
    pub fn commits_cut(&self) -> usize {
        self.state.commits_cut.load(Ordering::SeqCst)
    }
}

/// `postgres://user@host:port/db?…` with its host and port replaced by
/// 127.0.0.1:`port`, and the host and port it had.
pub fn through(url: &str, port: u16) -> (String, String) {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (user, rest) = rest.rsplit_once('@').map_or(("", rest), |(u, r)| (u, r));
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = if host.contains(':') {
        host.to_owned()
    } else {
        format!("{host}:5432")
    };
    let at = if user.is_empty() { "" } else { "@" };
    (
        format!("{scheme}://{user}{at}127.0.0.1:{port}/{path}"),
        host,
    )
}

#[cfg(test)]
mod tests {
    use super::Frontend;

    fn message(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut m = vec![kind];
        m.extend_from_slice(&u32::try_from(body.len() + 4).unwrap().to_be_bytes());
        m.extend_from_slice(body);
        m
    }

    fn startup() -> Vec<u8> {
        let body = b"\0\x03\0\0user\0postgres\0\0";
        let mut m = u32::try_from(body.len() + 4)
            .unwrap()
            .to_be_bytes()
            .to_vec();
        m.extend_from_slice(body);
        m
    }

    #[test]
    fn a_committing_statement_counts_once_its_sync_is_forwarded_and_a_read_never() {
        let mut f = Frontend::default();
        assert!(!f.feed(&startup()));
        // The one-statement compare-and-set, prepared as s1; a read as s2.
        let parse_cas = message(
            b'P',
            b"s1\0WITH updated AS (UPDATE resources SET x = 1) SELECT 1\0\0\0",
        );
        let parse_read = message(b'P', b"s2\0SELECT snapshot FROM resources\0\0\0");
        assert!(!f.feed(&[parse_cas, parse_read].concat()));
        let run = |statement: &[u8]| {
            let mut bind = b"\0".to_vec();
            bind.extend_from_slice(statement);
            bind.extend_from_slice(b"\0\0\0\0\0\0\0");
            [
                message(b'B', &bind),
                message(b'E', b"\0\0\0\0\0"),
                message(b'S', b""),
            ]
            .concat()
        };
        assert!(!f.feed(&run(b"s2")), "a read does not commit");
        let write = run(b"s1");
        // Split anywhere, the write counts when its Sync arrives.
        let (first, second) = write.split_at(write.len() - 3);
        assert!(!f.feed(first));
        assert!(f.feed(second));
        assert!(f.feed(&message(b'Q', b"COMMIT\0")), "a simple COMMIT");
        assert!(!f.feed(&message(b'Q', b"BEGIN\0")));
    }
}
