//! The server's state, shared by every request and the engine: the store,
//! the clock, the write cache and the engine's wake-up; and the one way to
//! open it ([`App::open`] with [`Options`]).
//!
//! The server acts only on what the machine returns: an applied outcome's
//! effect becomes engine jobs, and its attempt's deployment record follows
//! it, all written with the new state in one compare-and-set (`write`);
//! nothing is inferred from the state's getters.

use std::sync::Arc;
use std::time::Duration;

use proton_cancel::{ResourceId, Timestamp};

use crate::cache::WriteCache;
use crate::clock::Clock;
use crate::engine::{EngineOverrides, EngineScript};
use crate::faults::Rules;
use crate::journal::Journal;
use crate::seed::Seed;
use crate::store::{Store, StoreError};
use crate::templates::Templates;

/// How long a claimed job stays claimed before another worker may take it,
/// unless [`Options::job_lease`] says otherwise.
pub const DEFAULT_JOB_LEASE: Duration = Duration::from_secs(30);

/// How to open an [`App`]; `Options::default()` is an empty seed, built-in
/// engine settings, the system clock and [`DEFAULT_JOB_LEASE`].
#[derive(Debug, Clone)]
pub struct Options {
    /// The resources to start with; only those the store does not hold yet
    /// are written (a restart with the same seed never resets state).
    pub seed: Seed,
    /// Engine settings between the seed's server-wide ones and each
    /// resource's own (the server binary's engine flags).
    pub engine: EngineOverrides,
    /// Where time comes from. With [`Clock::System`] the engine runs as a
    /// task: open the app inside a Tokio runtime.
    pub clock: Clock,
    /// How long an engine worker holds a claimed job before a worker of any
    /// replica may claim it again. A replica that dies holding a job delays
    /// that job's report by at most this much; a lease shorter than a
    /// report takes to apply lets two workers deliver it, which the machine
    /// ignores as a duplicate.
    pub job_lease: Duration,
    /// Whether the control API and the dashboard are served under
    /// [`crate::CONTROL_PATH`] (the server binary's `--no-control` turns
    /// them off).
    pub control: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            seed: Seed::default(),
            engine: EngineOverrides::default(),
            clock: Clock::system(),
            job_lease: DEFAULT_JOB_LEASE,
            control: true,
        }
    }
}

/// Why the server could not open on its store with its seed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// A seeded resource cannot be built: the message names it and the
    /// rule it breaks.
    #[error("{0}")]
    Seed(String),
    /// The store failed while the seed was written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The server's state: shared by every request and the engine.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    /// `arn:aws:proton:<region>:<account>:`, the start of every ARN.
    arn_prefix: String,
    clock: Clock,
    /// Woken when a job is queued, so the engine task re-reads the next due
    /// time.
    queued: tokio::sync::Notify,
    job_lease: Duration,
    /// What this process last wrote, per resource (database backends only).
    cache: WriteCache,
    /// The engine script of resources created by requests.
    engine: EngineScript,
    /// The template versions the seed lists.
    templates: Templates,
    /// The fault rules, as this replica last read them.
    faults: Rules,
    /// Whether the control API is served.
    control: bool,
    /// What this replica saw happen, for the dashboard.
    journal: Journal,
}

impl App {
    /// Opens the server on `store`: loads `options.seed` (writing only the
    /// resources the store does not hold yet; resources seeded IN_PROGRESS
    /// start their attempt now, so their engine jobs are queued) and, on
    /// the system clock, starts the engine task.
    ///
    /// # Errors
    /// The seed cannot be loaded, or the store fails.
    pub async fn open(store: Store, options: Options) -> Result<Self, OpenError> {
        let Options {
            seed,
            engine,
            clock,
            job_lease,
            control,
        } = options;
        let region = seed.region.as_deref().unwrap_or("us-east-1");
        let account = seed.account_id.as_deref().unwrap_or("123456789012");
        // A database read costs a query; memory's does not.
        let cache = WriteCache::new(store.is_database());
        let defaults = engine.over(&seed.engine.over(&EngineScript::default()));
        let templates = Templates::of(&seed);
        let app = App {
            inner: Arc::new(Inner {
                arn_prefix: format!("arn:aws:proton:{region}:{account}:"),
                store,
                clock,
                queued: tokio::sync::Notify::new(),
                job_lease,
                cache,
                engine: defaults,
                templates,
                faults: Rules::default(),
                control,
                journal: Journal::default(),
            }),
        };
        app.load_seed(seed).await?;
        app.reload_faults().await?;
        app.inner.queued.notify_one();
        if app.inner.clock.runs_by_itself() {
            tokio::spawn(app.clone().run_engine());
        }
        Ok(app)
    }

    /// The time now, by the server's clock.
    pub fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    /// Moves a [`Clock::Manual`] forward by `by` and delivers every engine
    /// report that falls due, in order. With [`Clock::System`] it only
    /// delivers what is already due. It also reads the fault rules again
    /// (on a manual clock no engine task does, so this is where a replica
    /// learns of rules another one added).
    pub async fn advance(&self, by: Duration) {
        self.inner.clock.advance(by);
        if let Err(e) = self.reload_faults().await {
            tracing::error!(error = %e, "the fault rules cannot be read");
        }
        self.deliver_due().await;
    }

    /// Whether the clock moves only when told to ([`Clock::Manual`]).
    pub fn has_manual_clock(&self) -> bool {
        !self.inner.clock.runs_by_itself()
    }

    /// Whether the control API and the dashboard are served.
    pub(crate) fn serves_control(&self) -> bool {
        self.inner.control
    }

    /// The journal the dashboard shows.
    pub(crate) fn journal(&self) -> &Journal {
        &self.inner.journal
    }

    /// The journal to write to: only while the control API (and so the
    /// dashboard) is served; a server without it keeps none.
    pub(crate) fn journaling(&self) -> Option<&Journal> {
        self.inner.control.then_some(&self.inner.journal)
    }

    pub(crate) fn faults(&self) -> &Rules {
        &self.inner.faults
    }

    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    pub(crate) fn cache(&self) -> &WriteCache {
        &self.inner.cache
    }

    pub(crate) fn queued(&self) -> &tokio::sync::Notify {
        &self.inner.queued
    }

    pub(crate) fn job_lease(&self) -> Duration {
        self.inner.job_lease
    }

    /// The region and the account the ARNs name.
    pub(crate) fn region_and_account(&self) -> (String, String) {
        let parts: Vec<&str> = self.inner.arn_prefix.split(':').collect();
        match parts.as_slice() {
            [_, _, _, region, account, ..] => ((*region).to_owned(), (*account).to_owned()),
            _ => (String::new(), String::new()),
        }
    }

    /// The ARN of `path` (`service/shop/service-instance/web`, …).
    pub(crate) fn arn(&self, path: &str) -> String {
        format!("{}{path}", self.inner.arn_prefix)
    }

    /// The ARN of the resource `id`.
    pub(crate) fn arn_of(&self, id: &ResourceId) -> String {
        self.arn(&match id {
            ResourceId::ServiceInstance { service, name } => {
                format!("service/{service}/service-instance/{name}")
            }
            ResourceId::Environment { name } => format!("environment/{name}"),
            ResourceId::ServicePipeline { service } => format!("service/{service}/pipeline"),
            ResourceId::Component { name } => format!("component/{name}"),
            // A kind a later core adds: named as the core writes it.
            other => format!("resource/{other}"),
        })
    }

    /// The template versions a deployment may target.
    pub(crate) fn templates(&self) -> &Templates {
        &self.inner.templates
    }

    /// The engine script of a resource created by a request: the built-in
    /// settings under the seed's and the command line's.
    pub(crate) fn engine_defaults(&self) -> &EngineScript {
        &self.inner.engine
    }
}
