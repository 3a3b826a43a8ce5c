//! `cargo run -p proton-cancel-server -- [--port 7070] [--seed FILE] [engine flags]`

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use proton_cancel_server::{App, Clock, EngineOverrides, Outcome, Seed, serve};

/// An AWS Proton emulator for deployment cancellation, on 127.0.0.1.
#[derive(Parser)]
#[command(version, about)]
struct Flags {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 7070)]
    port: u16,
    /// JSON file with the resources to start with (see the README).
    #[arg(long)]
    seed: Option<PathBuf>,
    /// Milliseconds from an accepted update to its result.
    #[arg(long)]
    update_after_ms: Option<u64>,
    /// The engine never reports update results (hold updates IN_PROGRESS).
    #[arg(long, conflicts_with = "update_after_ms")]
    never_finish_updates: bool,
    /// How updates end.
    #[arg(long, value_enum)]
    update_result: Option<Outcome>,
    /// Milliseconds from an accepted cancel to the start of the rollback.
    #[arg(long)]
    cancel_start_after_ms: Option<u64>,
    /// The engine never starts a cancellation (hold cancels in CANCELLING,
    /// before the rollback: the update can still win).
    #[arg(long, conflicts_with = "cancel_start_after_ms")]
    never_start_cancellations: bool,
    /// Milliseconds from the start of the rollback to its result.
    #[arg(long)]
    cancel_finish_after_ms: Option<u64>,
    /// The engine never finishes a started cancellation (hold cancels in
    /// CANCELLING after the rollback started: only its result can decide).
    #[arg(long, conflicts_with = "cancel_finish_after_ms")]
    never_finish_cancellations: bool,
    /// How cancellations end.
    #[arg(long, value_enum)]
    cancel_result: Option<Outcome>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let flags = Flags::parse();
    let seed = match &flags.seed {
        None => Seed::default(),
        Some(path) => {
            let text = match std::fs::read(path) {
                Ok(text) => text,
                Err(e) => {
                    eprintln!("cannot read {}: {e}", path.display());
                    return ExitCode::FAILURE;
                }
            };
            match Seed::from_json(&text) {
                Ok(seed) => seed,
                Err(e) => {
                    eprintln!("{}: {e}", path.display());
                    return ExitCode::FAILURE;
                }
            }
        }
    };
    let cli = EngineOverrides {
        update_after_ms: if flags.never_finish_updates {
            Some(None)
        } else {
            flags.update_after_ms.map(Some)
        },
        update_result: flags.update_result,
        cancel_start_after_ms: if flags.never_start_cancellations {
            Some(None)
        } else {
            flags.cancel_start_after_ms.map(Some)
        },
        cancel_finish_after_ms: if flags.never_finish_cancellations {
            Some(None)
        } else {
            flags.cancel_finish_after_ms.map(Some)
        },
        cancel_result: flags.cancel_result,
    };
    let app = match App::new(seed, cli, Clock::system()) {
        Ok(app) => app,
        Err(e) => {
            eprintln!("seed: {e}");
            return ExitCode::FAILURE;
        }
    };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, flags.port));
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match listener.local_addr() {
        Ok(bound) => println!("proton-cancel-server listening on http://{bound} (Ctrl-C stops it)"),
        Err(e) => eprintln!("listening, address unknown: {e}"),
    }
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
        println!("shutting down");
    };
    match serve(listener, app, shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("server error: {e}");
            ExitCode::FAILURE
        }
    }
}
