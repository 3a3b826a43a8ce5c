//! One run of the check: replicas on one PostgreSQL schema, each behind a
//! relay the check owns; clients on the real aws-sdk-proton spread across
//! the replicas; a nemesis that kills, pauses, cuts, stalls, cuts after a
//! commit and kills after a claim; then liveness, the
//! engine's reports from the replicas' logs, and the linearizability
//! verdict of every resource's history.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_proton::Client;
use aws_sdk_proton::config::retry::RetryConfig;
use aws_sdk_proton::config::timeout::TimeoutConfig;
use aws_sdk_proton::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_proton::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_proton::types::{ComponentDeploymentUpdateType, DeploymentUpdateType, Tag};
use proton_cancel::ResourceKind;
use proton_cancel_test_support::world::{self, Delays, Resource, resource};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::relay::{Relay, through};
use proton_cancel_checker::{
    Call, Mark, Op, Recorded, Ret, Verdict, Witness, check, picture, shrink, witness,
};

const BIN: &str = env!("CARGO_BIN_EXE_proton-cancel-server");

/// The settings of one run.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Server processes on the one database.
    pub replicas: usize,
    /// Concurrent clients.
    pub clients: usize,
    /// How long the clients and the nemesis run.
    pub load: Duration,
    /// Milliseconds between faults (a random value in this range).
    pub fault_every_ms: (u64, u64),
    /// Milliseconds a fault lasts.
    pub fault_for_ms: (u64, u64),
    /// The job lease the replicas use, in milliseconds.
    pub lease_ms: u64,
    /// The seed of every random choice.
    pub seed: u64,
    /// Replicas without compare-and-set (the negative control).
    pub cas_off: bool,
    /// Search steps the checker may take per history.
    pub budget: u64,
}

impl Settings {
    /// The form that runs in CI.
    pub fn short(seed: u64) -> Self {
        Self {
            replicas: 3,
            clients: 10,
            load: Duration::from_secs(20),
            fault_every_ms: (500, 1_500),
            fault_for_ms: (300, 1_200),
            lease_ms: 2_000,
            seed,
            cas_off: false,
            budget: 20_000_000,
        }
    }

    /// The form for releases.
    pub fn long(seed: u64) -> Self {
        Self {
            clients: 16,
            load: Duration::from_secs(300),
            budget: 200_000_000,
            ..Self::short(seed)
        }
    }
}

/// SplitMix64: small, seeded, reproducible.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn range(&mut self, (lo, hi): (u64, u64)) -> u64 {
        lo + self.below(hi - lo + 1)
    }
}

/// The run's resources: two of each kind, every engine result, and the
/// three that nothing is deployed to deleted and created again.
const RESOURCES: [Resource; 8] = [
    resource(
        ResourceKind::ServiceInstance,
        ("shop", "web-a"),
        (false, false, false),
    ),
    resource(
        ResourceKind::ServiceInstance,
        ("shop", "web-b"),
        (true, true, false),
    ),
    resource(
        ResourceKind::Environment,
        ("", "env-a"),
        (false, false, false),
    ),
    resource(
        ResourceKind::Environment,
        ("", "env-b"),
        (false, true, true),
    ),
    resource(
        ResourceKind::ServicePipeline,
        ("shop", ""),
        (false, false, false),
    ),
    resource(
        ResourceKind::ServicePipeline,
        ("pay", ""),
        (true, false, false),
    ),
    resource(
        ResourceKind::Component,
        ("", "comp-a"),
        (false, false, true),
    ),
    resource(ResourceKind::Component, ("", "comp-b"), (true, true, true)),
];

/// A resource's engine delays, drawn from `rng`.
fn delays(rng: &mut Rng) -> Delays {
    Delays {
        update: rng.range((80, 600)),
        cancel_start: rng.range((10, 150)),
        cancel_finish: rng.range((30, 300)),
        delete: rng.range((50, 400)),
    }
}

/// Why a call has no place in the history.
enum Failure {
    /// The connection was refused: the request was never sent.
    NotSent,
    /// An answer the check does not expect (a bug in the server or here).
    Unexpected(String),
}

fn refused(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(e);
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return true;
        }
        cause = c.source();
    }
    false
}

fn failed<E, R>(e: SdkError<E, R>) -> Result<Ret, Failure>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    if let SdkError::ServiceError(s) = &e {
        return match s.err().code() {
            Some("ConflictException") => Ok(Ret::Conflict),
            Some("ResourceNotFoundException") => Ok(Ret::NotFound),
            // The store failed: the write may or may not have committed.
            Some("InternalServerException") => Ok(Ret::Unknown),
            code => Err(Failure::Unexpected(format!(
                "{code:?}: {}",
                s.err().message().unwrap_or_default()
            ))),
        };
    }
    if refused(&e) {
        return Err(Failure::NotSent);
    }
    if matches!(e, SdkError::TimeoutError(_)) {
        return Ok(Ret::TimedOut);
    }
    Ok(Ret::Unknown)
}

fn shown(status: &aws_sdk_proton::types::DeploymentStatus, spec: Option<&str>) -> Ret {
    Ret::Shown {
        status: status.as_str().to_owned(),
        spec: spec.map(str::to_owned),
    }
}

/// Sends one SDK request and reads the resource out of its answer with
/// `$resource` (`$spec` for its spec), or says what its failure means.
macro_rules! answer {
    ($request:expr, $resource:ident, $spec:ident) => {
        match $request.send().await {
            Ok(o) => {
                let r = o.$resource().ok_or_else(missing)?;
                Ok(shown(r.deployment_status(), r.$spec()))
            }
            Err(e) => failed(e),
        }
    };
}

fn missing() -> Failure {
    Failure::Unexpected("an answer without the resource".to_owned())
}

/// Makes `call` on `r` through `client`; a creation carries the resource's
/// engine script `engine` in its engine tag.
async fn invoke(client: &Client, r: &Resource, call: &Call, engine: &str) -> Result<Ret, Failure> {
    let tag = Tag::builder()
        .key("proton-cancel:engine")
        .value(engine)
        .build()
        .map_err(|e| Failure::Unexpected(e.to_string()))?;
    use DeploymentUpdateType::CurrentVersion;
    let (service, name) = (r.service, r.name);
    match (r.kind, call) {
        (ResourceKind::ServiceInstance, Call::Update { spec }) => answer!(
            client
                .update_service_instance()
                .service_name(service)
                .name(name)
                .deployment_type(CurrentVersion)
                .spec(spec),
            service_instance,
            spec
        ),
        (ResourceKind::ServiceInstance, Call::Cancel) => answer!(
            client
                .cancel_service_instance_deployment()
                .service_name(service)
                .service_instance_name(name),
            service_instance,
            spec
        ),
        (ResourceKind::ServiceInstance, Call::Get) => answer!(
            client
                .get_service_instance()
                .service_name(service)
                .name(name),
            service_instance,
            spec
        ),
        (ResourceKind::Environment, Call::Update { spec }) => answer!(
            client
                .update_environment()
                .name(name)
                .deployment_type(CurrentVersion)
                .spec(spec),
            environment,
            spec
        ),
        (ResourceKind::Environment, Call::Cancel) => answer!(
            client
                .cancel_environment_deployment()
                .environment_name(name),
            environment,
            spec
        ),
        (ResourceKind::Environment, Call::Get) => {
            answer!(client.get_environment().name(name), environment, spec)
        }
        (ResourceKind::ServicePipeline, Call::Update { spec }) => answer!(
            client
                .update_service_pipeline()
                .service_name(service)
                .deployment_type(CurrentVersion)
                .spec(spec),
            pipeline,
            spec
        ),
        (ResourceKind::ServicePipeline, Call::Cancel) => answer!(
            client
                .cancel_service_pipeline_deployment()
                .service_name(service),
            pipeline,
            spec
        ),
        (ResourceKind::ServicePipeline, Call::Get) => {
            match client.get_service().name(service).send().await {
                Ok(o) => {
                    let p = o.service().and_then(|s| s.pipeline()).ok_or_else(missing)?;
                    Ok(shown(p.deployment_status(), p.spec()))
                }
                Err(e) => failed(e),
            }
        }
        (ResourceKind::Component, Call::Update { spec }) => answer!(
            client
                .update_component()
                .name(name)
                .deployment_type(ComponentDeploymentUpdateType::CurrentVersion)
                .service_spec(spec),
            component,
            service_spec
        ),
        (ResourceKind::Component, Call::Cancel) => answer!(
            client.cancel_component_deployment().component_name(name),
            component,
            service_spec
        ),
        (ResourceKind::Component, Call::Get) => {
            answer!(client.get_component().name(name), component, service_spec)
        }
        (ResourceKind::Environment, Call::Delete) => {
            answer!(client.delete_environment().name(name), environment, spec)
        }
        (ResourceKind::Component, Call::Delete) => {
            answer!(
                client.delete_component().name(name),
                component,
                service_spec
            )
        }
        (ResourceKind::Environment, Call::Create { spec }) => answer!(
            client
                .create_environment()
                .name(name)
                .template_name("tmpl")
                .template_major_version("1")
                .template_minor_version("0")
                .spec(spec)
                .tags(tag),
            environment,
            spec
        ),
        (ResourceKind::Component, Call::Create { spec }) => answer!(
            client
                .create_component()
                .name(name)
                .environment_name("env-a")
                .manifest("m")
                .template_file("t")
                .service_spec(spec)
                .tags(tag),
            component,
            service_spec
        ),
        (other, _) => Err(Failure::Unexpected(format!(
            "the check has no {other} resources"
        ))),
    }
}

fn client(port: u16) -> Client {
    let config = aws_sdk_proton::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKIDCHECK", "check", None, None, "check"))
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        // One attempt per operation: a retry would hide what happened.
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(Duration::from_secs(3))
                .build(),
        )
        .build();
    Client::from_conf(config)
}

/// What the nemesis did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FaultKind {
    /// SIGKILL, then a restart on the same port and database.
    Kill,
    /// SIGSTOP, then SIGCONT.
    Pause,
    /// The replica's database connections cut at the relay, then healed.
    Cut,
    /// The replica's relay holds every byte with its connections open (a
    /// database that stalls), then forwards them.
    Stall,
    /// The replica's relay cuts the next connection that forwards a
    /// `COMMIT`, right after forwarding it: the commit takes effect and
    /// the replica never learns it did.
    CommitCut,
    /// SIGKILL as soon as the replica logs that it claimed a job and is
    /// about to apply its report (its relay stalled first, so the apply's
    /// queries wait), then a restart.
    KillAfterClaim,
}

impl FaultKind {
    /// Every kind: the nemesis goes through them in a seeded order, so a
    /// run of six faults or more makes each.
    pub const ALL: [FaultKind; 6] = [
        FaultKind::Kill,
        FaultKind::Pause,
        FaultKind::Cut,
        FaultKind::Stall,
        FaultKind::CommitCut,
        FaultKind::KillAfterClaim,
    ];
}

/// One fault: which, on which replica, from when to when (µs), and whether
/// it struck (a commit was cut; a kill fell between a claim and its apply,
/// as the replica's log shows).
#[derive(Clone, Debug)]
pub struct Fault {
    pub kind: FaultKind,
    pub replica: usize,
    pub from: u64,
    pub to: u64,
    pub struck: bool,
}

/// A server process of the run.
struct Replica {
    index: usize,
    port: u16,
    child: Child,
    incarnation: usize,
}

struct Cluster {
    settings: Settings,
    database: Vec<String>,
    seed: PathBuf,
    dir: PathBuf,
}

impl Cluster {
    /// The log file of replica `index`'s `incarnation`.
    fn log(&self, index: usize, incarnation: usize) -> PathBuf {
        self.dir.join(format!("replica-{index}-{incarnation}.log"))
    }

    /// Starts replica `index` (on `port`, 0 for a free one).
    async fn start(&self, index: usize, port: u16, incarnation: usize) -> Replica {
        let log = std::fs::File::create(self.log(index, incarnation)).unwrap();
        let database = self.database.get(index).unwrap();
        let lease = self.settings.lease_ms.to_string();
        let seed = self.seed.to_str().unwrap();
        for attempt in 0..50 {
            let mut command = if self.settings.cas_off {
                // The negative control: this test binary, as a replica
                // without compare-and-set (see `cas_off_replica`).
                let mut c = Command::new(std::env::current_exe().unwrap());
                c.args(["cas_off_replica", "--exact", "--ignored", "--nocapture"])
                    .env(
                        crate::REPLICA_ENV,
                        json!({"port": port, "database": database, "seed": seed,
                            "leaseMs": self.settings.lease_ms})
                        .to_string(),
                    );
                c
            } else {
                let mut c = Command::new(BIN);
                c.args(["--port", &port.to_string(), "--database", database])
                    .args(["--seed", seed, "--job-lease-ms", &lease])
                    .args(["--log-format", "json"]);
                c
            };
            command
                .env("RUST_LOG", "proton_cancel_server=debug")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(log.try_clone().unwrap())
                .kill_on_drop(true);
            let mut child = command.spawn().unwrap();
            let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(rest) = line.split("listening on http://127.0.0.1:").nth(1) {
                    let port = rest.split(' ').next().unwrap().parse().unwrap();
                    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
                    return Replica {
                        index,
                        port,
                        child,
                        incarnation,
                    };
                }
            }
            // It exited (the port is not free yet after a kill): again.
            let _ = child.wait().await;
            assert!(attempt < 49, "replica {index} does not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        unreachable!()
    }
}

fn signal(pid: u32, sig: &str) {
    let status = std::process::Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill {sig} {pid}");
}

/// Microseconds since 1970 of an RFC 3339 time in UTC as the replicas log
/// it (`2026-12-02T18:40:01.123456Z`).
fn rfc3339_micros(text: &str) -> Option<u64> {
    let (date, time) = text.strip_suffix('Z')?.split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let (hms, fraction) = time.split_once('.').unwrap_or((time, "0"));
    let mut t = hms.split(':').map(|p| p.parse::<i64>().ok());
    let (h, min, sec) = (t.next()??, t.next()??, t.next()??);
    let micros: i64 = format!("{fraction:0<6}").get(..6)?.parse().ok()?;
    // Days from 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(((days * 86_400 + h * 3_600 + min * 60 + sec) * 1_000_000) + micros).ok()
}

/// The faults of a run and the engine reports on `resource`, on the run's
/// clock (µs from its start), for pictures and witnesses.
fn marks(
    faults: &[Fault],
    engine: &[serde_json::Value],
    start_wall: std::time::SystemTime,
    resource: &str,
) -> Vec<Mark> {
    let start = start_wall
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(0));
    let mut marks: Vec<Mark> = faults
        .iter()
        .flat_map(|f| {
            [
                Mark {
                    at: f.from,
                    text: format!("fault {:?} on replica {} begins", f.kind, f.replica),
                },
                Mark {
                    at: f.to,
                    text: format!("fault {:?} on replica {} ends", f.kind, f.replica),
                },
            ]
        })
        .collect();
    for report in engine {
        if report["resource"].as_str() != Some(resource) {
            continue;
        }
        let Some(at) = report["at"].as_str().and_then(rfc3339_micros) else {
            continue;
        };
        marks.push(Mark {
            at: at.saturating_sub(start),
            text: format!(
                "engine report {} delivered ({})",
                report["engine"].as_str().unwrap_or("?"),
                report["log"].as_str().unwrap_or("?")
            ),
        });
    }
    marks.sort_by_key(|m| m.at);
    marks
}

/// Waits at most `within` for `log` to gain a line saying an engine
/// report is about to be applied (the worker logs it between claiming the
/// job and applying it); the line's end offset in the file.
async fn next_claim(log: &Path, within: Duration) -> Option<usize> {
    let from = std::fs::metadata(log).map_or(0, |m| m.len() as usize);
    let until = Instant::now() + within;
    while Instant::now() < until {
        let text = std::fs::read(log).unwrap_or_default();
        if let Some(tail) = text.get(from..) {
            let mut offset = from;
            for line in tail.split_inclusive(|&b| b == b'\n') {
                offset += line.len();
                if line.ends_with(b"\n") && contains(line, b"\"message\":\"engine report\"") {
                    return Some(offset);
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    None
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Whether `log`, after offset `at`, says a report was applied (or found
/// ignored or refused): if not, the kill fell between the claim and the
/// apply.
fn applied_after(log: &Path, at: usize) -> bool {
    let text = std::fs::read(log).unwrap_or_default();
    let tail = text.get(at..).unwrap_or_default();
    [
        &b"\"message\":\"transition\""[..],
        b"\"message\":\"ignored\"",
        b"\"message\":\"rejected\"",
    ]
    .iter()
    .any(|m| contains(tail, m))
}

/// What a run found.
pub struct Report {
    pub settings: Settings,
    /// Operations recorded, by result.
    pub answered: usize,
    pub unknown: usize,
    /// Of the unknown, how many timed out (the rest failed).
    pub timed_out: usize,
    /// How long the linearizability search took, all resources.
    pub checked_in: Duration,
    /// Calls refused at connect (never sent; not in the history).
    pub not_sent: usize,
    /// Answers the check did not expect.
    pub unexpected: Vec<String>,
    pub faults: Vec<Fault>,
    /// Engine reports the replicas logged, and writes that lost a
    /// compare-and-set and were re-applied.
    pub engine_reports: usize,
    pub cas_retries: usize,
    /// How long the resources took to settle after the nemesis stopped.
    pub settled_in: Option<Duration>,
    /// Statuses of resources that did not settle.
    pub unsettled: Vec<String>,
    pub verdicts: BTreeMap<String, (usize, Verdict)>,
    /// The first non-linearizable resource's smallest offending history,
    /// explained (the concurrent operations, faults and engine reports kept
    /// beside it, the anomaly named).
    pub offending: Option<(String, Witness)>,
    /// A picture of each history that is not linearizable.
    pub pictures: Vec<PathBuf>,
    pub took: Duration,
    pub history_file: PathBuf,
}

impl Report {
    pub fn linearizable(&self) -> bool {
        self.verdicts
            .values()
            .all(|(_, v)| *v == Verdict::Linearizable)
    }

    pub fn faults_of(&self, kind: FaultKind) -> usize {
        self.faults.iter().filter(|f| f.kind == kind).count()
    }

    /// How many faults of `kind` struck.
    pub fn struck(&self, kind: FaultKind) -> usize {
        self.faults
            .iter()
            .filter(|f| f.kind == kind && f.struck)
            .count()
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.settings;
        writeln!(
            f,
            "check (seed {}, compare-and-set {}): {} replicas, {} clients, {} s of load",
            s.seed,
            if s.cas_off { "OFF" } else { "on" },
            s.replicas,
            s.clients,
            s.load.as_secs()
        )?;
        writeln!(
            f,
            "  operations: {} answered, {} without an answer (indeterminate; {} of them timed out), {} refused at connect (not sent)",
            self.answered, self.unknown, self.timed_out, self.not_sent
        )?;
        writeln!(
            f,
            "  faults: {} SIGKILL+restart, {} SIGSTOP/SIGCONT, {} database connections cut, {} database stalls (connections open), {} armed cuts after COMMIT ({} cut a committed transaction), {} kills timed after a job's claim ({} before its apply, by the log)",
            self.faults_of(FaultKind::Kill),
            self.faults_of(FaultKind::Pause),
            self.faults_of(FaultKind::Cut),
            self.faults_of(FaultKind::Stall),
            self.faults_of(FaultKind::CommitCut),
            self.struck(FaultKind::CommitCut),
            self.faults_of(FaultKind::KillAfterClaim),
            self.struck(FaultKind::KillAfterClaim),
        )?;
        writeln!(
            f,
            "  engine reports delivered: {}; writes that lost a compare-and-set and were re-applied: {}",
            self.engine_reports, self.cas_retries
        )?;
        match self.settled_in {
            Some(t) => writeln!(
                f,
                "  liveness: every resource settled {:.1} s after the nemesis stopped",
                t.as_secs_f64()
            )?,
            None => writeln!(f, "  liveness: NOT settled: {}", self.unsettled.join(", "))?,
        }
        writeln!(
            f,
            "  linearizability search: {} histories in {:.2} s",
            self.verdicts.len(),
            self.checked_in.as_secs_f64()
        )?;
        for (resource, (n, verdict)) in &self.verdicts {
            writeln!(f, "  {resource}: {n} operations, {verdict:?}")?;
        }
        if let Some((resource, witness)) = &self.offending {
            writeln!(
                f,
                "  smallest offending history on {resource} ({} operations): {witness}",
                witness.core.len()
            )?;
        }
        for picture in &self.pictures {
            writeln!(f, "  picture: {}", picture.display())?;
        }
        for u in &self.unexpected {
            writeln!(f, "  unexpected answer: {u}")?;
        }
        writeln!(
            f,
            "  took {:.1} s; history: {}",
            self.took.as_secs_f64(),
            self.history_file.display()
        )
    }
}

/// Runs the check with `settings` against the PostgreSQL at `url`.
pub async fn run(settings: Settings, url: &str) -> Report {
    let began = Instant::now();
    let mut rng = Rng::new(settings.seed);
    let schema = format!(
        "check_{}_{}",
        std::process::id(),
        if settings.cas_off { "off" } else { "on" }
    );
    let schema = crate::postgres::Schema::create(url, schema).await;
    let dir = std::env::temp_dir().join(format!("proton-cancel-{}", schema.name));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    // The seed: every resource SUCCEEDED, engine delays drawn at random;
    // a resource created again gets the same script (its engine tag).
    let engine_scripts: Vec<serde_json::Value> = RESOURCES
        .iter()
        .map(|r| r.engine(&delays(&mut rng)))
        .collect();
    let engines: Arc<Vec<String>> =
        Arc::new(engine_scripts.iter().map(ToString::to_string).collect());
    let seed = world::seed(&RESOURCES, &engine_scripts);
    let seed_path = dir.join("seed.json");
    std::fs::write(&seed_path, serde_json::to_vec(&seed).unwrap()).unwrap();

    // One relay per replica, between it and PostgreSQL.
    let mut relays = Vec::new();
    let mut database = Vec::new();
    for _ in 0..settings.replicas {
        let (_, upstream) = through(url, 0);
        let relay = Relay::start(upstream).await;
        let (via, _) = through(url, relay.port);
        database.push(schema.scoped(&via));
        relays.push(relay);
    }
    let cluster = Cluster {
        settings: settings.clone(),
        database,
        seed: seed_path,
        dir: dir.clone(),
    };
    let mut replicas = Vec::new();
    for i in 0..settings.replicas {
        replicas.push(cluster.start(i, 0, 0).await);
    }
    let clients: Vec<Client> = replicas.iter().map(|r| client(r.port)).collect();

    // The clients.
    let start = Instant::now();
    let start_wall = std::time::SystemTime::now();
    let micros = move || u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX);
    let deadline = start + settings.load;
    let history: Arc<Mutex<Vec<Vec<Op>>>> = Arc::new(Mutex::new(vec![Vec::new(); RESOURCES.len()]));
    let not_sent = Arc::new(Mutex::new(0usize));
    let unexpected = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for c in 0..settings.clients {
        let mut rng = Rng::new(rng.next());
        let clients = clients.clone();
        let history = Arc::clone(&history);
        let not_sent = Arc::clone(&not_sent);
        let unexpected = Arc::clone(&unexpected);
        let engines = Arc::clone(&engines);
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < deadline {
                let r = usize::try_from(rng.below(RESOURCES.len() as u64)).unwrap();
                let via = usize::try_from(rng.below(clients.len() as u64)).unwrap();
                n += 1;
                let spec = format!("c{c}-{n}");
                let call = match (rng.below(100), RESOURCES[r].lifecycle) {
                    (0..30, _) => Call::Update { spec },
                    (30..60, _) => Call::Cancel,
                    (60..70, true) => Call::Delete,
                    (70..80, true) => Call::Create { spec },
                    _ => Call::Get,
                };
                let invoked = micros();
                let result = invoke(&clients[via], &RESOURCES[r], &call, &engines[r]).await;
                let returned = micros();
                let pause = match result {
                    Ok(ret) => {
                        let unknown = matches!(ret, Ret::Unknown | Ret::TimedOut);
                        history.lock().unwrap()[r].push(Op {
                            client: c,
                            call,
                            invoked,
                            returned,
                            ret,
                        });
                        if unknown { 100 } else { rng.below(20) }
                    }
                    Err(Failure::NotSent) => {
                        *not_sent.lock().unwrap() += 1;
                        100
                    }
                    Err(Failure::Unexpected(m)) => {
                        unexpected.lock().unwrap().push(m);
                        100
                    }
                };
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
        }));
    }

    // The nemesis: one fault at a time, on a random replica, going
    // through the kinds in a seeded order.
    let mut faults = Vec::new();
    let mut kinds = FaultKind::ALL;
    for k in (1..kinds.len()).rev() {
        kinds.swap(k, usize::try_from(rng.below(k as u64 + 1)).unwrap());
    }
    for kind in kinds.into_iter().cycle() {
        tokio::time::sleep(Duration::from_millis(rng.range(settings.fault_every_ms))).await;
        if Instant::now() + Duration::from_millis(settings.fault_for_ms.1) >= deadline {
            break;
        }
        let i = usize::try_from(rng.below(settings.replicas as u64)).unwrap();
        let lasts = Duration::from_millis(rng.range(settings.fault_for_ms));
        let from = micros();
        let mut struck = true;
        match kind {
            FaultKind::Kill => {
                let replica = &mut replicas[i];
                replica.child.start_kill().unwrap();
                let _ = replica.child.wait().await;
                tokio::time::sleep(lasts).await;
                let (port, incarnation) = (replica.port, replica.incarnation + 1);
                *replica = cluster.start(i, port, incarnation).await;
            }
            FaultKind::Pause => {
                let pid = replicas[i].child.id().unwrap();
                signal(pid, "-STOP");
                tokio::time::sleep(lasts).await;
                signal(pid, "-CONT");
            }
            FaultKind::Cut => {
                relays[i].cut();
                tokio::time::sleep(lasts).await;
                relays[i].heal();
            }
            FaultKind::Stall => {
                relays[i].stall();
                tokio::time::sleep(lasts).await;
                relays[i].resume();
            }
            FaultKind::CommitCut => {
                let before = relays[i].commits_cut();
                relays[i].arm_commit_cut(true);
                tokio::time::sleep(lasts).await;
                relays[i].arm_commit_cut(false);
                struck = relays[i].commits_cut() > before;
            }
            FaultKind::KillAfterClaim => {
                let replica = &mut replicas[i];
                let log = cluster.log(i, replica.incarnation);
                let claimed = next_claim(&log, lasts + Duration::from_secs(3)).await;
                relays[i].stall();
                replica.child.start_kill().unwrap();
                let _ = replica.child.wait().await;
                relays[i].resume();
                struck = claimed.is_some_and(|at| !applied_after(&log, at));
                tokio::time::sleep(lasts).await;
                let (port, incarnation) = (replica.port, replica.incarnation + 1);
                *replica = cluster.start(i, port, incarnation).await;
            }
        }
        faults.push(Fault {
            kind,
            replica: i,
            from,
            to: micros(),
            struck,
        });
    }
    for t in tasks {
        t.await.unwrap();
    }

    // Liveness: every resource settles, read through the replicas in turn
    // (these reads are part of the history too).
    let quiet = Instant::now();
    let bound =
        Duration::from_millis(settings.lease_ms + 600 + 150 + 300) + Duration::from_secs(10);
    let mut settled_in = None;
    let mut unsettled = Vec::new();
    let mut round = 0usize;
    while quiet.elapsed() < bound {
        unsettled.clear();
        for (r, resource) in RESOURCES.iter().enumerate() {
            round += 1;
            let invoked = micros();
            let result = invoke(
                &clients[round % clients.len()],
                resource,
                &Call::Get,
                &engines[r],
            )
            .await;
            let returned = micros();
            if let Ok(ret) = result {
                if let Ret::Shown { status, .. } = &ret {
                    if ["IN_PROGRESS", "CANCELLING", "DELETE_IN_PROGRESS"]
                        .contains(&status.as_str())
                    {
                        unsettled.push(format!("{} {status}", resource.label()));
                    }
                } else if ret != Ret::NotFound {
                    unsettled.push(format!("{} unreadable", resource.label()));
                }
                history.lock().unwrap()[r].push(Op {
                    client: settings.clients,
                    call: Call::Get,
                    invoked,
                    returned,
                    ret,
                });
            } else {
                unsettled.push(format!("{} unreadable", resource.label()));
            }
        }
        if unsettled.is_empty() {
            settled_in = Some(quiet.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for mut r in replicas {
        let _ = r.child.start_kill();
        let _ = r.child.wait().await;
        let _ = r.index;
    }
    schema.drop().await;

    // The engine's side of the history, from the replicas' logs.
    let (engine_reports, cas_retries) = read_logs(&dir);

    // The verdicts, and the smallest offending history of the first
    // resource that is not linearizable.
    let history = std::mem::take(&mut *history.lock().unwrap());
    let history_file = dir.join("history.jsonl");
    write_history(&history_file, &history, &faults, &engine_reports);
    let engine_log = engine_reports.clone();
    let engine_reports = engine_reports.len();
    let mut verdicts = BTreeMap::new();
    let mut offending = None;
    let mut pictures = Vec::new();
    let (mut answered, mut unknown, mut timed_out) = (0, 0, 0);
    let mut checked_in = Duration::ZERO;
    for (r, ops) in RESOURCES.iter().zip(&history) {
        let unanswered = |o: &&Op| matches!(o.ret, Ret::Unknown | Ret::TimedOut);
        unknown += ops.iter().filter(unanswered).count();
        timed_out += ops.iter().filter(|o| o.ret == Ret::TimedOut).count();
        answered += ops.len() - ops.iter().filter(unanswered).count();
        let model = r.model().model();
        let checking = Instant::now();
        let verdict = check(&model, ops, settings.budget);
        checked_in += checking.elapsed();
        if verdict == Verdict::NotLinearizable {
            let label = r.label();
            let marks = marks(&faults, &engine_log, start_wall, &label);
            if offending.is_none() {
                let core = shrink(&model, ops, settings.budget);
                let beside: Vec<(u64, String)> =
                    marks.iter().map(|m| (m.at, m.text.clone())).collect();
                let witness = witness(&model, ops, (&core.0, core.1), &beside, settings.budget);
                offending = Some((label, witness));
            }
            let page = picture(&r.model(), ops, &marks, settings.budget);
            let path = dir
                .join("pictures")
                .join(format!("resource-{}.html", pictures.len()));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, page).unwrap();
            pictures.push(path);
        }
        verdicts.insert(r.label(), (ops.len(), verdict));
    }
    let not_sent = *not_sent.lock().unwrap();
    let unexpected = std::mem::take(&mut *unexpected.lock().unwrap());
    Report {
        settings,
        answered,
        unknown,
        timed_out,
        not_sent,
        checked_in,
        unexpected,
        faults,
        engine_reports,
        cas_retries,
        settled_in,
        unsettled,
        verdicts,
        offending,
        pictures,
        took: began.elapsed(),
        history_file,
    }
}

/// The engine reports the replicas logged (one JSON object each, with the
/// replica's log file, wall-clock time, resource and report), and how many
/// writes lost a compare-and-set and were re-applied.
fn read_logs(dir: &Path) -> (Vec<serde_json::Value>, usize) {
    let (mut reports, mut retries) = (Vec::new(), 0);
    let mut logs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    logs.sort();
    for path in logs {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        for line in text.lines() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            match v["fields"]["message"].as_str() {
                Some("engine report") => reports.push(json!({
                    "engine": v["fields"]["report"], "resource": v["fields"]["resource"],
                    "at": v["timestamp"], "log": file,
                })),
                Some(m) if m.starts_with("lost a compare-and-set") => retries += 1,
                _ => {}
            }
        }
    }
    (reports, retries)
}

/// Writes the history, one JSON object a line: the engine's reports, the
/// faults, then every operation by resource.
fn write_history(path: &Path, history: &[Vec<Op>], faults: &[Fault], engine: &[serde_json::Value]) {
    let mut out = String::new();
    for report in engine {
        let _ = writeln!(out, "{report}");
    }
    for f in faults {
        let _ = writeln!(
            out,
            "{}",
            json!({"fault": format!("{:?}", f.kind), "replica": f.replica,
                "fromUs": f.from, "toUs": f.to, "struck": f.struck})
        );
    }
    // Each resource's history as the checker keeps it, to check it again.
    let dir = path.with_file_name("histories");
    std::fs::create_dir_all(&dir).unwrap();
    for (i, (r, ops)) in RESOURCES.iter().zip(history).enumerate() {
        let recorded = Recorded {
            model: r.model(),
            ops: ops.clone(),
        };
        std::fs::write(dir.join(format!("resource-{i}.jsonl")), recorded.to_jsonl()).unwrap();
    }
    for (r, ops) in RESOURCES.iter().zip(history) {
        for op in ops {
            let (call, spec) = match &op.call {
                Call::Update { spec } => ("Update", Some(spec.as_str())),
                Call::Cancel => ("Cancel", None),
                Call::Get => ("Get", None),
                Call::Delete => ("Delete", None),
                Call::Create { spec } => ("Create", Some(spec.as_str())),
            };
            let ret = match &op.ret {
                Ret::Shown { status, spec } => json!({"status": status, "spec": spec}),
                Ret::Conflict => json!("ConflictException"),
                Ret::NotFound => json!("ResourceNotFoundException"),
                Ret::Unknown => json!("failed"),
                Ret::TimedOut => json!("timed out"),
            };
            let _ = writeln!(
                out,
                "{}",
                json!({"resource": r.label(), "client": op.client, "call": call, "spec": spec,
                    "invokedUs": op.invoked, "returnedUs": op.returned, "result": ret})
            );
        }
    }
    std::fs::write(path, out).unwrap();
}
