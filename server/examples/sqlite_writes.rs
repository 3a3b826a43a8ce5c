//! The limit the SQLite emulator is measured against
//! (`server/bench/load.sh`, docs/performance.md): single-row writes, each
//! its own transaction (`BEGIN; UPDATE … WHERE k = ?; COMMIT`), on one
//! connection opened with the server store's settings (WAL, a 5 s busy
//! timeout, SQLite's default synchronous level for WAL), for a number of
//! seconds. Prints writes per second and the p50/p99 latency of a write.
//!
//! `cargo run --release -p proton-cancel-server --example sqlite_writes -- FILE SECONDS`

#![allow(clippy::disallowed_methods)] // a benchmark times itself

use std::time::{Duration, Instant};

use sqlx::ConnectOptions as _;
use sqlx::Connection as _;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};

#[tokio::main]
async fn main() -> Result<(), sqlx::Error> {
    let mut args = std::env::args().skip(1);
    let file = args.next().unwrap_or_else(|| "sqlite-writes.db".to_owned());
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
    // The store's pool holds this one connection.
    let mut db = SqliteConnectOptions::new()
        .filename(&file)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(Duration::from_secs(5))
        .connect()
        .await?;
    sqlx::query("CREATE TABLE IF NOT EXISTS rows (k INTEGER PRIMARY KEY, v INTEGER NOT NULL)")
        .execute(&mut db)
        .await?;
    sqlx::query("INSERT OR IGNORE INTO rows (k, v) VALUES (1, 0)")
        .execute(&mut db)
        .await?;
    let mut latencies = Vec::new();
    let began = Instant::now();
    while began.elapsed() < Duration::from_secs(seconds) {
        let at = Instant::now();
        let mut tx = db.begin().await?;
        sqlx::query("UPDATE rows SET v = v + 1 WHERE k = 1")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        latencies.push(at.elapsed());
    }
    let took = began.elapsed().as_secs_f64();
    latencies.sort();
    let at = |q: f64| {
        let i = ((latencies.len() as f64 - 1.0) * q).round() as usize;
        latencies.get(i).copied().unwrap_or_default().as_secs_f64() * 1e3
    };
    println!(
        "{:.0} writes/s p50 {:.2} ms p99 {:.2} ms",
        latencies.len() as f64 / took,
        at(0.50),
        at(0.99)
    );
    Ok(())
}
