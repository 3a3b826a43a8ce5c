//! The limit the in-memory emulator is measured against
//! (`server/bench/load.sh`, docs/performance.md): axum on Tokio, as the
//! server runs, answering `POST /` by parsing the JSON body and sending a
//! small JSON document back. Listens on 127.0.0.1 on the port given (0 for
//! a free one) and prints its address.

use axum::Router;
use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::routing::post;

async fn answer(body: Bytes) -> ([(axum::http::HeaderName, &'static str); 1], String) {
    let parsed: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let answer = serde_json::json!({"received": parsed.as_object().map_or(0, |o| o.len())});
    (
        [(CONTENT_TYPE, "application/x-amz-json-1.0")],
        answer.to_string(),
    )
}

#[tokio::main]
async fn main() {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind 127.0.0.1");
    println!(
        "trivial handler listening on http://{}",
        listener.local_addr().expect("bound address")
    );
    axum::serve(listener, Router::new().route("/", post(answer)))
        .await
        .expect("serve");
}
