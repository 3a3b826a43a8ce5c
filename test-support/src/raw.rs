//! One raw HTTP/1.1 request to the server on 127.0.0.1, for the tests that
//! run the binary as a process.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// An answer: status line, `x-amzn-RequestId`, JSON body.
#[derive(Debug)]
pub struct Answer {
    /// `HTTP/1.1 200 OK`, …
    pub status: String,
    /// The request id header (empty if absent).
    pub id: String,
    /// The body.
    pub body: serde_json::Value,
}

/// POSTs `body` to operation `op` on 127.0.0.1:`port` (the connection
/// closes after the answer; a read waits at most 30 s).
pub fn call(port: u16, op: &str, body: &str) -> Answer {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: AwsProton20200720.{op}\r\n\
         Content-Type: application/x-amz-json-1.0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, json) = raw.split_once("\r\n\r\n").unwrap();
    Answer {
        status: head.lines().next().unwrap().to_owned(),
        id: head
            .lines()
            .find_map(|l| l.strip_prefix("x-amzn-requestid: "))
            .unwrap_or_default()
            .to_owned(),
        body: serde_json::from_str(json).unwrap(),
    }
}
