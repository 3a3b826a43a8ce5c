//! `cargo run -p proton-cancel-server -- [--port 7070] [--seed FILE] [engine flags]`,
//! or `… control <call>` to send a control call to a running server.

mod control;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use proton_cancel::{EngineResult, StatusMessage};
use proton_cancel_server::logs;
use proton_cancel_server::store::Store;
use proton_cancel_server::{
    App, CANCELLATION_FAILURE, Clock, DELETION_FAILURE, EngineOverrides, Options, Seed,
    UPDATE_FAILURE, serve,
};
use tracing_subscriber::filter::Targets;

const AFTER_HELP: &str = "\
Engine settings, lowest precedence first: the built-in defaults (updates take
5000 ms and succeed; a cancellation starts 1000 ms after the cancel and ends
2000 ms later, succeeding; a deletion takes 3000 ms and succeeds), then the
seed file's \"engine\" object, then these flags, then each seeded resource's
own \"engine\" object.

The seed file is JSON: {\"region\", \"accountId\", \"engine\", \"serviceInstances\",
\"environments\", \"servicePipelines\", \"components\"}; each resource gives its
names, template (not components), \"spec\", \"deploymentStatus\" and \"engine\".
Unknown members are refused. The README's \"The emulator server\" section and
server/seed.example.json document it in full.

Logs go to standard error, one line per request and per engine report and
transition. RUST_LOG sets the level (default: info), for example
RUST_LOG=debug or RUST_LOG=proton_cancel_server=warn. No request waits for
standard error: while nothing reads it, new lines are dropped, and how many
is logged once it is read again.

State is kept in the --database (default: proton-cancel.db in the working
directory), so it survives a restart, and so does pending engine work; a
restart with the same --seed never resets it. Use --database memory for a
server that forgets.

The control API (JSON under /_proton-cancel/, docs/control.md) lets tests put
the engine in manual mode and deliver each report when they choose, set a
resource's engine script, add fault rules, move a --manual-clock, and export,
import or reset the whole state; `proton-cancel-server control --help` sends
its calls from the shell. It answers only requests for localhost, 127.0.0.1
or [::1]; --no-control turns it off.

Exit codes: 0 after Ctrl-C (a clean shutdown), 1 when the seed cannot be read
or loaded (or the signal handler or log writer cannot start), 2 for bad flags, 3 when the port cannot be bound, 4 when the
database cannot be opened or migrated. `control`: 0 when the server answers
the call, 1 when it answers an error, 2 for bad arguments, 5 when it cannot be
reached.";

/// What the binary does besides serving.
#[derive(clap::Subcommand)]
enum Command {
    /// Sends one call to a running server's control API and prints its
    /// JSON answer (exit code 0; 1 when the server answers an error, 5 when
    /// it cannot be reached).
    Control(control::Control),
}

/// How a piece of the engine's work ends, as a flag says it.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum ResultFlag {
    /// It works.
    Succeeded,
    /// It fails, with the engine's reason for that work.
    Failed,
}

impl ResultFlag {
    /// The engine's result; a failure gives `reason`.
    fn result(self, reason: &str) -> EngineResult {
        match self {
            Self::Succeeded => EngineResult::Succeeded,
            Self::Failed => EngineResult::Failed(StatusMessage::new(reason)),
        }
    }
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum LogFormat {
    /// One human-readable line per event.
    Text,
    /// One JSON object per line.
    Json,
}

/// An AWS Proton emulator for deployment cancellation. It listens on
/// 127.0.0.1 only (loopback), answers the AWS JSON 1.0 protocol at POST /,
/// and accepts any credentials.
#[derive(Parser)]
#[command(version, about, long_about, after_help = AFTER_HELP)]
#[command(args_conflicts_with_subcommands = true)]
struct Flags {
    /// Instead of serving: send one control call to a running server.
    #[command(subcommand)]
    command: Option<Command>,
    /// Serve neither the control API nor the dashboard
    /// (/_proton-cancel/…): only the AWS API answers.
    #[arg(long)]
    no_control: bool,
    /// Time stands still until a control call (`control advance MS`) moves
    /// it; engine reports fall due only then. Starts at the system time.
    #[arg(long)]
    manual_clock: bool,
    /// Port to listen on, on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 7070)]
    port: u16,
    /// JSON file with the resources to start with (format below); only the
    /// resources the database does not hold yet are written.
    #[arg(long)]
    seed: Option<PathBuf>,
    /// Where the state lives: a SQLite file path (created if missing),
    /// sqlite::memory:, postgres://user@host/db, or memory.
    #[arg(long, default_value = "proton-cancel.db")]
    database: String,
    /// Milliseconds an engine worker holds a claimed job before any replica
    /// may claim it again (a replica that dies holding one delays its report
    /// by at most this much).
    #[arg(long, default_value_t = 30_000)]
    job_lease_ms: u64,
    /// Log line format.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Milliseconds from an accepted update to its result [built-in: 5000].
    #[arg(long)]
    update_after_ms: Option<u64>,
    /// The engine never reports update results (hold updates IN_PROGRESS).
    #[arg(long, conflicts_with = "update_after_ms")]
    never_finish_updates: bool,
    /// How updates end [built-in: succeeded].
    #[arg(long, value_enum)]
    update_result: Option<ResultFlag>,
    /// Milliseconds from an accepted cancel to the start of the rollback
    /// [built-in: 1000].
    #[arg(long)]
    cancel_start_after_ms: Option<u64>,
    /// The engine never starts a cancellation (hold cancels in CANCELLING,
    /// before the rollback: the update can still win).
    #[arg(long, conflicts_with = "cancel_start_after_ms")]
    never_start_cancellations: bool,
    /// Milliseconds from the start of the rollback to its result
    /// [built-in: 2000].
    #[arg(long)]
    cancel_finish_after_ms: Option<u64>,
    /// The engine never finishes a started cancellation (hold cancels in
    /// CANCELLING after the rollback started: only its result can decide).
    #[arg(long, conflicts_with = "cancel_finish_after_ms")]
    never_finish_cancellations: bool,
    /// How cancellations end [built-in: succeeded].
    #[arg(long, value_enum)]
    cancel_result: Option<ResultFlag>,
    /// Milliseconds from an accepted delete to its result [built-in: 3000].
    #[arg(long)]
    delete_after_ms: Option<u64>,
    /// The engine never finishes a deletion (hold deletes in
    /// DELETE_IN_PROGRESS).
    #[arg(long, conflicts_with = "delete_after_ms")]
    never_finish_deletions: bool,
    /// How deletions end [built-in: succeeded].
    #[arg(long, value_enum)]
    delete_result: Option<ResultFlag>,
}

/// Waits for Ctrl-C (SIGINT) or SIGTERM. The handlers are installed when
/// this is called, before anything else, so a signal that arrives while the
/// seed loads still ends in a clean shutdown rather than killing the
/// process.
#[cfg(unix)]
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = &'static str>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => "Ctrl-C",
            _ = terminate.recv() => "SIGTERM",
        }
    })
}

#[cfg(not(unix))]
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = &'static str>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    })
}

/// Sends log lines to standard error through a writer thread, so a request
/// never waits for it (see [`proton_cancel_server::logs`]); the returned
/// guard writes what is queued when dropped.
fn init_logs(format: LogFormat) -> std::io::Result<logs::Flush> {
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;

    // Targets filters by target and level only, which RUST_LOG's documented
    // forms need; EnvFilter's span-field matching cost every request a
    // lookup per span (docs/performance.md).
    let filter: Targets = std::env::var("RUST_LOG")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO));
    let (writer, flush) = logs::non_blocking(std::io::stderr())?;
    let logs = tracing_subscriber::fmt::layer().with_writer(writer);
    let registry = tracing_subscriber::registry().with(filter);
    match format {
        LogFormat::Text => registry.with(logs.with_ansi(false)).init(),
        LogFormat::Json => registry
            .with(logs.json().with_current_span(true).with_span_list(false))
            .init(),
    }
    Ok(flush)
}

/// Why the server did not start, or stopped: the line it prints, and its
/// exit code (listed in `AFTER_HELP`).
struct Failed {
    code: u8,
    message: String,
}

/// The [`Failed`] of an error, with exit code `code` and what failed.
fn failed<E: std::fmt::Display>(
    code: u8,
    what: impl std::fmt::Display,
) -> impl FnOnce(E) -> Failed {
    move |e| Failed {
        code,
        message: format!("{what}: {e}"),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let flags = Flags::parse();
    if let Some(Command::Control(call)) = flags.command {
        return control::run(call).await;
    }
    match run(flags).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("{}", f.message);
            ExitCode::from(f.code)
        }
    }
}

async fn run(flags: Flags) -> Result<(), Failed> {
    let stop = stop_signal().map_err(failed(1, "cannot install the Ctrl-C handler"))?;
    let _flush = init_logs(flags.log_format).map_err(failed(1, "cannot start the log writer"))?;
    let seed = match &flags.seed {
        None => Seed::default(),
        Some(path) => {
            let text = std::fs::read(path)
                .map_err(failed(1, format_args!("cannot read {}", path.display())))?;
            Seed::from_json(&text).map_err(failed(1, path.display()))?
        }
    };
    let engine = EngineOverrides {
        update_after_ms: if flags.never_finish_updates {
            Some(None)
        } else {
            flags.update_after_ms.map(Some)
        },
        update_result: flags.update_result.map(|r| r.result(UPDATE_FAILURE)),
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
        cancel_result: flags.cancel_result.map(|r| r.result(CANCELLATION_FAILURE)),
        delete_after_ms: if flags.never_finish_deletions {
            Some(None)
        } else {
            flags.delete_after_ms.map(Some)
        },
        delete_result: flags.delete_result.map(|r| r.result(DELETION_FAILURE)),
        ..EngineOverrides::default()
    };
    let store = Store::open(&flags.database)
        .await
        .map_err(failed(4, format_args!("database {}", flags.database)))?;
    let options = Options {
        seed,
        engine,
        clock: if flags.manual_clock {
            Clock::manual(Clock::system().now())
        } else {
            Clock::system()
        },
        job_lease: std::time::Duration::from_millis(flags.job_lease_ms),
        control: !flags.no_control,
    };
    // A signal while a large seed loads stops the server at once: every
    // seeded resource is written in its own transaction, and the next start
    // with the same seed writes only the missing ones.
    let mut stop = Box::pin(stop);
    let opened = tokio::select! {
        opened = App::open(store, options) => opened,
        why = &mut stop => {
            tracing::info!(signal = %why, "shutting down while the seed loads");
            println!("shutting down");
            return Ok(());
        }
    };
    let app = opened.map_err(failed(1, "seed"))?;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, flags.port));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(failed(3, format_args!("cannot listen on {addr}")))?;
    match listener.local_addr() {
        Ok(bound) => println!("proton-cancel-server listening on http://{bound} (Ctrl-C stops it)"),
        Err(e) => eprintln!("listening, address unknown: {e}"),
    }
    let shutdown = async move {
        let why = stop.await;
        tracing::info!(signal = %why, "shutting down");
        println!("shutting down");
    };
    serve(listener, app, shutdown)
        .await
        .map_err(failed(1, "server error"))
}
