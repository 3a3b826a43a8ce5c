//! The emulator's control API from a test: one HTTP/1.1 call on a tokio
//! connection (so an in-process server on the same runtime keeps
//! answering), with the headers the test chooses.

use std::net::SocketAddr;

use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// A control call's answer.
#[derive(Debug)]
pub struct Reply {
    /// The HTTP status code.
    pub status: u16,
    /// The head's header lines, lowercased names (`name: value`).
    pub headers: Vec<String>,
    /// The body, as JSON (`Null` when empty or not JSON).
    pub body: Value,
}

impl Reply {
    /// The value of header `name` (lowercase), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find_map(|l| {
            l.split_once(": ")
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })
    }
}

/// Sends `method` `/_proton-cancel{path}` to `addr` with `body` (as JSON)
/// and the extra header lines `headers` (a `Host` among them replaces the
/// default `127.0.0.1`).
///
/// # Panics
/// The connection fails, or the answer is not HTTP.
pub async fn call_with(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&Value>,
    headers: &[&str],
) -> Reply {
    let mut s = tokio::net::TcpStream::connect(addr)
        .await
        .expect("a connection");
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut head = format!("{method} /_proton-cancel{path} HTTP/1.1\r\nConnection: close\r\n");
    if !headers
        .iter()
        .any(|h| h.to_ascii_lowercase().starts_with("host:"))
    {
        head.push_str("Host: 127.0.0.1\r\n");
    }
    if !body.is_empty()
        && !headers
            .iter()
            .any(|h| h.to_ascii_lowercase().starts_with("content-type:"))
    {
        head.push_str("Content-Type: application/json\r\n");
    }
    for h in headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    s.write_all(head.as_bytes())
        .await
        .expect("the request is sent");
    s.write_all(body.as_bytes())
        .await
        .expect("the body is sent");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.expect("the answer is read");
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, json) = raw.split_once("\r\n\r\n").expect("an HTTP answer");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("a status line");
    Reply {
        status,
        headers: lines.map(str::to_owned).collect(),
        body: serde_json::from_str(json).unwrap_or(Value::Null),
    }
}

/// [`call_with`] with the default headers.
///
/// # Panics
/// As [`call_with`].
pub async fn call(addr: SocketAddr, method: &str, path: &str, body: Option<&Value>) -> Reply {
    call_with(addr, method, path, body, &[]).await
}

/// A call that must succeed (HTTP 200): its JSON answer.
///
/// # Panics
/// As [`call_with`], or the answer is not 200.
pub async fn ok(addr: SocketAddr, method: &str, path: &str, body: Option<&Value>) -> Value {
    let reply = call(addr, method, path, body).await;
    assert_eq!(reply.status, 200, "{method} {path}: {}", reply.body);
    reply.body
}

/// Puts the engine of every resource in manual mode: each report then
/// waits for a delivery.
///
/// # Panics
/// As [`ok`].
pub async fn manual(addr: SocketAddr) {
    let body = serde_json::json!({"mode": "manual"});
    ok(addr, "POST", "/engine/mode", Some(&body)).await;
}
