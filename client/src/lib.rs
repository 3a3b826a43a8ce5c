//! # proton-cancel-client
//!
//! Cancel and watch AWS Proton deployments of all four kinds (service
//! instances, environments, service pipelines, components), with the
//! `proton-cancel` command-line tool built on this library.
//!
//! AWS's own waiters stop only on SUCCEEDED and FAILED, so after a cancel
//! that ends CANCELLED they poll until they run out. This tool waits with
//! the core crate's [`proton_cancel::waiter::Waiter`], which ends on every
//! documented outcome and tells a cancel that worked from one that had no
//! effect because the update won.
//!
//! It uses the standard AWS credential and region chain, the unmodified
//! AWS SDK, and nothing specific to any emulator: `--endpoint-url` points it
//! elsewhere. Names are checked locally, with AWS's own wording, before any
//! call ([`Target::validate`]). [`Exit`] lists the exit codes.

#![forbid(unsafe_code)]

mod api;
mod exit;
mod output;
mod target;

use std::io::IsTerminal as _;
use std::time::Duration;

use aws_config::{BehaviorVersion, Region};
use aws_sdk_proton::Client;
use proton_cancel::waiter::{Observation, Step, WaitFor, WaitOutcome, WaitPolicy, Waiter};
use proton_cancel::{DeploymentStatus, ResourceId};
use serde_json::{Value, json};

pub use exit::Exit;
pub use output::Format;
pub use target::{Target, Verb};

use crate::api::{ApiFailure, View};
use crate::output::{Json, Lines, Live, Seen, Ui, now, resource_json, seen_json};

/// The exit codes, as `--help` shows them.
pub const EXIT_CODES: &str = "\
Exit codes:
    0  cancelled (CANCELLED); without --wait: the cancel was accepted; status: shown
    1  any other error (no answer: network, credentials; another error code)
    2  invalid input: a name breaks AWS's rules (checked before any call), a bad flag, no region
    3  not cancellable: ConflictException (nothing IN_PROGRESS, or already cancelling)
    4  not found: ResourceNotFoundException
    5  FAILED: the update or its cancellation failed (DELETE_FAILED: a deletion)
    6  SUCCEEDED: the update finished first and the cancel had no effect
       (waiting for a deployment: it succeeded)
    7  gave up: --max-wait passed with the deployment unsettled
    8  deleted while waiting
  130  interrupted (Ctrl-C): stopped waiting; nothing was changed on the server";

/// Cancel and watch AWS Proton deployments. Uses the standard AWS
/// credential and region chain.
#[derive(Debug, clap::Parser)]
#[command(name = "proton-cancel", version, about, long_about, after_help = EXIT_CODES)]
pub struct Cli {
    /// Send requests to this endpoint instead of AWS's (for example an
    /// emulator: http://127.0.0.1:7070).
    #[arg(long, global = true)]
    pub endpoint_url: Option<String>,
    /// The AWS Region (default: the standard chain: AWS_REGION, the
    /// profile, …).
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// How results are shown.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub output: Format,
    /// The first delay between polls (ms, s or m: 500ms, 2s, 1m).
    #[arg(long, global = true, value_parser = parse_duration, default_value = "2s")]
    pub min_delay: Duration,
    /// The longest delay between polls.
    #[arg(long, global = true, value_parser = parse_duration, default_value = "10s")]
    pub max_delay: Duration,
    /// The longest the whole wait may take.
    #[arg(long, global = true, value_parser = parse_duration, default_value = "30m")]
    pub max_wait: Duration,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The tool's commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Cancel the deployment in progress; with --wait, watch it to its end.
    Cancel {
        /// Wait until the deployment settles, and exit with its outcome.
        #[arg(long, global = true)]
        wait: bool,
        /// The resource.
        #[command(subcommand)]
        target: Target,
    },
    /// Watch a resource's deployment (or cancellation) to its end.
    Wait {
        /// The resource.
        #[command(subcommand)]
        target: Target,
    },
    /// Show a resource's deployment status once.
    Status {
        /// The resource.
        #[command(subcommand)]
        target: Target,
    },
}

/// Reads a duration as humantime writes it: `500ms`, `2s`, `1.5s`, `30m`,
/// `1m 30s`.
///
/// # Errors
/// A message naming the value and the accepted forms.
fn parse_duration(value: &str) -> Result<Duration, String> {
    humantime::parse_duration(value).map_err(|e| {
        format!("'{value}' is not a duration ({e}): give a number and a unit (500ms, 2s, 30m)")
    })
}

/// What happened, in words and as the JSON report.
struct Ending {
    exit: Exit,
    summary: String,
    report: Value,
}

impl Ending {
    /// A command that failed with `exit`: the error's code (AWS's, if any),
    /// message and request id, and the resource it was about, if known.
    /// Every error's JSON report has the same members.
    fn error(
        exit: Exit,
        resource: Option<&ResourceId>,
        code: Option<&str>,
        message: String,
        request_id: Option<&str>,
    ) -> Self {
        let summary = match code {
            Some(code) => format!("{code}: {message}"),
            None => message.clone(),
        };
        let report = json!({
            "outcome": exit.word(),
            "exitCode": exit.code(),
            "resource": resource.map(resource_json),
            "error": {"code": code, "message": message, "requestId": request_id},
        });
        Self {
            exit,
            summary,
            report,
        }
    }
}

/// A call the service refused, or that got no answer.
fn failure_ending(resource: Option<&ResourceId>, f: &ApiFailure) -> Ending {
    Ending::error(
        Exit::of_error(f.code.as_deref()),
        resource,
        f.code.as_deref(),
        f.message.clone(),
        f.request_id.as_deref(),
    )
}

/// A name AWS would refuse: its ValidationException, found before any call.
fn invalid_name(message: String) -> Ending {
    let code = Some("ValidationException");
    Ending::error(Exit::InvalidInput, None, code, message, None)
}

/// A setting of the tool's own that cannot work (the delays, the region).
fn invalid_setting(message: String) -> Ending {
    Ending::error(Exit::InvalidInput, None, None, message, None)
}

/// Runs a parsed command line to its end: shows what happens as `--output`
/// says, and returns how it ended.
pub async fn run(cli: Cli) -> Exit {
    let ending = match execute(&cli).await {
        Ok(ending) | Err(ending) => ending,
    };
    let failed = ending.exit.is_error();
    match cli.output {
        Format::Json => println!("{}", ending.report),
        Format::Text if failed => eprintln!("proton-cancel: {}", ending.summary),
        Format::Text => {}
    }
    ending.exit
}

async fn execute(cli: &Cli) -> Result<Ending, Ending> {
    let policy = WaitPolicy::new(cli.min_delay, cli.max_delay, cli.max_wait)
        .map_err(|e| invalid_setting(e.to_string()))?;
    let (target, verb) = match &cli.command {
        Command::Cancel { target, .. } => (target, Verb::Cancel),
        Command::Wait { target } | Command::Status { target } => (target, Verb::Get),
    };
    let resource = target.validate(verb).map_err(invalid_name)?;
    let client = client(cli).await.map_err(invalid_setting)?;
    let mut ui: Box<dyn Ui> = match cli.output {
        Format::Json => Box::new(Json),
        Format::Text if std::io::stdout().is_terminal() => Box::new(Live::new(&resource)),
        Format::Text => Box::new(Lines),
    };
    let started = now();
    let after = || {
        Duration::from_millis(u64::try_from(now().as_millis() - started.as_millis()).unwrap_or(0))
    };
    // An ending after one call: nothing was waited for.
    let at_once = |ui: &mut dyn Ui, exit: Exit, summary: String, view: &View| {
        finish(ui, exit, summary, &resource, view, &[], 1, after())
    };
    let (first, wait_for, event) = match &cli.command {
        Command::Cancel { wait, .. } => {
            let view = api::call(&client, Verb::Cancel, &resource)
                .await
                .map_err(|f| failure_ending(Some(&resource), &f))?;
            if !wait {
                let summary = format!("cancel accepted: {resource} is {}", view.status);
                return Ok(at_once(&mut *ui, Exit::Accepted, summary, &view));
            }
            (view, WaitFor::Cancel, "cancel accepted:")
        }
        Command::Wait { .. } => {
            let view = api::call(&client, Verb::Get, &resource)
                .await
                .map_err(|f| failure_ending(Some(&resource), &f))?;
            let wait_for = if view.status == DeploymentStatus::Cancelling {
                WaitFor::Cancel
            } else {
                WaitFor::Deployment
            };
            (view, wait_for, "is")
        }
        Command::Status { .. } => {
            let view = api::call(&client, Verb::Get, &resource)
                .await
                .map_err(|f| failure_ending(Some(&resource), &f))?;
            let message = view
                .message
                .as_ref()
                .map_or_else(String::new, |m| format!(" ({})", m.as_str()));
            let summary = format!("{resource} is {}{message}", view.status);
            return Ok(at_once(&mut *ui, Exit::Shown, summary, &view));
        }
    };
    let mut waiter = Waiter::new(policy, wait_for, started);
    let mut view = first;
    let mut seen = vec![Seen {
        status: view.status.clone(),
        after: after(),
    }];
    ui.status(&resource, event, &view, after());
    let outcome = loop {
        let observation = Observation::Status {
            status: &view.status,
            message: view.message.as_ref(),
        };
        let delay = match waiter.observe(now(), observation, fastrand::u64(..)) {
            Step::Done(outcome) => break outcome,
            Step::PollAfter(delay) => delay,
        };
        tokio::time::sleep(delay).await;
        match api::call(&client, Verb::Get, &resource).await {
            Ok(next) => {
                if next.status != view.status {
                    seen.push(Seen {
                        status: next.status.clone(),
                        after: after(),
                    });
                    ui.status(&resource, "now", &next, after());
                }
                view = next;
            }
            Err(f) if f.code.as_deref() == Some("ResourceNotFoundException") => {
                break match waiter.observe(now(), Observation::NotFound, 0) {
                    Step::Done(outcome) => outcome,
                    Step::PollAfter(_) => WaitOutcome::Deleted,
                };
            }
            Err(f) => return Err(failure_ending(Some(&resource), &f)),
        }
    };
    let summary = summary(&outcome, after(), waiter.attempts());
    Ok(finish(
        &mut *ui,
        Exit::of(&outcome),
        summary,
        &resource,
        &view,
        &seen,
        waiter.attempts(),
        after(),
    ))
}

fn summary(outcome: &WaitOutcome, after: Duration, polls: u32) -> String {
    format!(
        "{outcome} (after {:.1}s, {polls} polls)",
        after.as_secs_f64()
    )
}

#[allow(clippy::too_many_arguments)] // one per member of the report
fn finish(
    ui: &mut dyn Ui,
    exit: Exit,
    summary: String,
    resource: &ResourceId,
    view: &View,
    seen: &[Seen],
    polls: u32,
    after: Duration,
) -> Ending {
    let report = json!({
        "outcome": exit.word(),
        "exitCode": exit.code(),
        "summary": summary,
        "resource": resource_json(resource),
        "status": view.status.as_str(),
        "statusMessage": view.message.as_ref().map(|m| m.as_str()),
        "deploymentId": view.last_attempted,
        "final": view.json,
        "timings": {
            "elapsedMs": u64::try_from(after.as_millis()).unwrap_or(u64::MAX),
            "polls": polls,
            "statuses": seen_json(seen),
        },
    });
    ui.finish(&summary, &report);
    Ending {
        exit,
        summary,
        report,
    }
}

/// The SDK client: the standard credential and region chain, with the
/// command line's region and endpoint on top.
async fn client(cli: &Cli) -> Result<Client, String> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(region) = &cli.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(url) = &cli.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;
    if config.region().is_none() {
        return Err(
            "no AWS Region is configured: pass --region, or set AWS_REGION or a profile's region"
                .to_owned(),
        );
    }
    Ok(Client::new(&config))
}
