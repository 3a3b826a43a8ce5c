//! `proton-cancel-server control …`: the control API from the command line,
//! so a shell script needs no curl. Each command sends one call and prints
//! the JSON answer on standard output.

use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

/// Where the server is, and the call to send.
#[derive(Args)]
pub(crate) struct Control {
    /// The server's address.
    #[arg(long, default_value = "http://127.0.0.1:7070")]
    endpoint: String,
    #[command(subcommand)]
    call: Call,
}

/// The control calls (docs/control.md).
#[derive(Subcommand)]
enum Call {
    /// The engine's modes and every pending report, in due order.
    Engine,
    /// Sets the engine mode of every resource, or of one.
    Mode {
        /// auto: reports are delivered when due; manual: they wait for
        /// `deliver`; default: the resource follows every resource's mode.
        mode: ModeWord,
        /// The resource (service-instance/<service>/<name>,
        /// environment/<name>, service-pipeline/<service>, component/<name>).
        #[arg(long)]
        resource: Option<String>,
    },
    /// Delivers a resource's next pending report now.
    Deliver {
        /// The resource.
        resource: String,
        /// The next report of this kind, rather than the next of any.
        #[arg(long, value_enum)]
        report: Option<ReportWord>,
        /// The result to report in place of the scripted one.
        #[arg(long, value_enum)]
        result: Option<ResultWord>,
        /// A failure's message.
        #[arg(long)]
        message: Option<String>,
    },
    /// Sets engine settings of a resource for the work it starts next.
    Script {
        /// The resource.
        resource: String,
        /// The settings, as JSON: {"updateAfterMs": 100, "cancelResult": "FAILED", …}.
        settings: String,
    },
    /// Lists the fault rules with their counts.
    Faults,
    /// Adds a fault rule.
    Fault {
        /// The operation whose requests it fails (UpdateServiceInstance, …).
        #[arg(long)]
        operation: String,
        /// Only requests addressing this resource.
        #[arg(long)]
        resource: Option<String>,
        /// The error to answer with.
        #[arg(long, value_enum)]
        error: Option<ErrorWord>,
        /// Milliseconds to wait before answering.
        #[arg(long)]
        latency_ms: Option<u64>,
        /// Fire on the next COUNT matching requests.
        #[arg(long, conflicts_with = "probability")]
        count: Option<u64>,
        /// Fire on each matching request with this probability.
        #[arg(long)]
        probability: Option<f64>,
        /// The seed of the probability's draws.
        #[arg(long, requires = "probability")]
        seed: Option<u64>,
    },
    /// Deletes every fault rule.
    ClearFaults,
    /// Prints the whole state as one JSON document (one `--seed` accepts).
    Export,
    /// Replaces the whole state with a document `export` wrote (all or
    /// nothing).
    Import {
        /// The document's file.
        file: std::path::PathBuf,
    },
    /// Empties the state.
    Reset,
    /// The server's time.
    Clock,
    /// Moves a manual clock forward and delivers what falls due.
    Advance {
        /// Milliseconds.
        ms: u64,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ModeWord {
    Auto,
    Manual,
    Default,
}

#[derive(Clone, Copy, ValueEnum)]
#[value(rename_all = "verbatim")]
enum ReportWord {
    UpdateFinished,
    CancellationStarted,
    CancellationFinished,
    DeleteFinished,
}

#[derive(Clone, Copy, ValueEnum)]
enum ResultWord {
    Succeeded,
    Failed,
}

/// The errors a fault rule answers with, by their AWS names.
#[derive(Clone, Copy, ValueEnum)]
enum ErrorWord {
    #[value(name = "ThrottlingException")]
    Throttling,
    #[value(name = "InternalServerException")]
    InternalServer,
    #[value(name = "ServiceQuotaExceededException")]
    ServiceQuotaExceeded,
}

/// The method, path and body of `call`.
fn request(call: Call) -> Result<(&'static str, &'static str, Option<Value>), String> {
    let word = |v: &dyn ValueEnumName| v.name();
    Ok(match call {
        Call::Engine => ("GET", "/engine", None),
        Call::Mode { mode, resource } => (
            "POST",
            "/engine/mode",
            Some(json!({ "mode": word(&mode), "resource": resource })),
        ),
        Call::Deliver {
            resource,
            report,
            result,
            message,
        } => (
            "POST",
            "/engine/deliver",
            Some(json!({
                "resource": resource,
                "report": report.map(|r| word(&r)),
                "result": result.map(|r| word(&r).to_ascii_uppercase()),
                "message": message,
            })),
        ),
        Call::Script { resource, settings } => {
            let script: Value = serde_json::from_str(&settings)
                .map_err(|e| format!("the settings are not JSON: {e}"))?;
            (
                "POST",
                "/engine/script",
                Some(json!({ "resource": resource, "script": script })),
            )
        }
        Call::Faults => ("GET", "/faults", None),
        Call::Fault {
            operation,
            resource,
            error,
            latency_ms,
            count,
            probability,
            seed,
        } => (
            "POST",
            "/faults",
            Some(json!({
                "operation": operation,
                "resource": resource,
                "error": error.map(|e| word(&e)),
                "latencyMs": latency_ms,
                "count": count,
                "probability": probability,
                "seed": seed,
            })),
        ),
        Call::ClearFaults => ("DELETE", "/faults", None),
        Call::Export => ("GET", "/state", None),
        Call::Import { file } => {
            let text =
                std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let document: Value = serde_json::from_slice(&text)
                .map_err(|e| format!("{} is not JSON: {e}", file.display()))?;
            ("POST", "/state", Some(document))
        }
        Call::Reset => ("POST", "/reset", Some(json!({}))),
        Call::Clock => ("GET", "/clock", None),
        Call::Advance { ms } => ("POST", "/clock/advance", Some(json!({ "ms": ms }))),
    })
}

/// The name clap gives a value.
trait ValueEnumName {
    fn name(&self) -> String;
}

impl<T: ValueEnum> ValueEnumName for T {
    fn name(&self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default()
    }
}

/// Leaves out the members a command was not given (`null`).
fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        other => other,
    }
}

/// Sends the call and prints the answer: exit code 0 for a success, 1 for
/// an error answer (printed on standard error), 2 for a bad command, 5 when
/// the server cannot be reached.
pub(crate) async fn run(control: Control) -> ExitCode {
    let (method, path, body) = match request(control.call) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let body = body.map(without_nulls);
    match send(&control.endpoint, method, path, body).await {
        Ok((status, text)) => {
            let shown = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| serde_json::to_string_pretty(&v).ok())
                .unwrap_or(text);
            if (200..300).contains(&status) {
                println!("{shown}");
                ExitCode::SUCCESS
            } else {
                eprintln!("HTTP {status}: {shown}");
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("cannot reach {}: {e}", control.endpoint);
            ExitCode::from(5)
        }
    }
}

/// One HTTP/1.1 request to `endpoint` (`http://host:port`); its status and
/// body.
async fn send(
    endpoint: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Result<(u16, String), String> {
    let authority = endpoint
        .strip_prefix("http://")
        .ok_or("the endpoint must start with http://")?
        .trim_end_matches('/');
    let stream = tokio::net::TcpStream::connect(authority)
        .await
        .map_err(|e| e.to_string())?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    let mut request = hyper::Request::builder()
        .method(method)
        .uri(format!("{}{path}", proton_cancel_server::CONTROL_PATH))
        .header(hyper::header::HOST, authority);
    let bytes = match body {
        Some(body) => {
            request = request.header(hyper::header::CONTENT_TYPE, "application/json");
            Bytes::from(body.to_string())
        }
        None => Bytes::new(),
    };
    let request = request.body(Full::new(bytes)).map_err(|e| e.to_string())?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}
