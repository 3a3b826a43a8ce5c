//! `proton-cancel`: cancel and watch AWS Proton deployments.

use std::process::ExitCode;

use clap::Parser;
use proton_cancel_client::{Cli, Exit, Format, run};

/// Completes on Ctrl-C; the handler is registered when this is called.
#[cfg(unix)]
fn interrupt() -> std::io::Result<impl std::future::Future<Output = ()>> {
    let mut signal = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    Ok(async move {
        signal.recv().await;
    })
}

#[cfg(not(unix))]
fn interrupt() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    // Installed before anything else, so Ctrl-C at any moment ends in the
    // tool's own answer rather than a killed process.
    let interrupted = match interrupt() {
        Ok(interrupted) => interrupted,
        Err(e) => {
            eprintln!("proton-cancel: cannot install the Ctrl-C handler: {e}");
            return ExitCode::from(Exit::Error.code());
        }
    };
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let format = cli.output;
    let exit = tokio::select! {
        exit = run(cli) => exit,
        _ = interrupted => {
            let exit = Exit::Interrupted;
            match format {
                Format::Json => println!(
                    "{}",
                    serde_json::json!({"outcome": exit.word(), "exitCode": exit.code()})
                ),
                Format::Text => eprintln!(
                    "\nproton-cancel: interrupted: stopped waiting; nothing was changed on the server \
                     (a cancel already accepted stands)"
                ),
            }
            exit
        }
    };
    ExitCode::from(exit.code())
}
