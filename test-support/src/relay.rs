//! A TCP relay the check owns, between one replica and PostgreSQL: the
//! nemesis cuts it to break every database connection of that replica and
//! refuse new ones, then heals it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;

/// A running relay on 127.0.0.1.
pub struct Relay {
    /// The port replicas connect to.
    pub port: u16,
    cut: Arc<AtomicBool>,
    cuts: broadcast::Sender<()>,
}

impl Relay {
    /// Starts relaying 127.0.0.1:`port` (a free one) to `upstream`.
    pub async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = Arc::new(AtomicBool::new(false));
        let (cuts, _) = broadcast::channel(16);
        let relay = Self {
            port,
            cut: Arc::clone(&cut),
            cuts: cuts.clone(),
        };
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    continue;
                };
                if cut.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let upstream = upstream.clone();
                let mut cut_now = cuts.subscribe();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
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
        self.cut.store(true, Ordering::SeqCst);
        let _ = self.cuts.send(());
    }

    /// Accepts connections again.
    pub fn heal(&self) {
        self.cut.store(false, Ordering::SeqCst);
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
