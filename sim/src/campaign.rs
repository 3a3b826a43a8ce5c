//! Many runs: seeds spread over threads (each run is single-threaded and
//! deterministic), counted in runs and simulated operations per second of
//! wall time; the first failing seed is shrunk and printed with the
//! command that replays it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use std::path::{Path, PathBuf};

use proton_cancel_checker::{Mark, picture};

use crate::check::{BUDGET, Problem};
use crate::plan::{FaultKind, Plan};
use crate::run::{Bug, Outcome, run};
use crate::shrink::shrink;
use crate::world::RESOURCES;

/// A campaign: which seeds, on how many threads, with which bug planted.
#[derive(Clone, Debug)]
pub struct Campaign {
    /// The first seed.
    pub from: u64,
    /// How many runs (until stopped, when `None`).
    pub runs: Option<u64>,
    /// Worker threads.
    pub threads: usize,
    /// The bug planted, if any.
    pub bug: Option<Bug>,
    /// Stop after this many seconds of wall time.
    pub seconds: Option<u64>,
}

/// What a campaign did.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Runs finished.
    pub runs: u64,
    /// Client operations over every run.
    pub operations: u64,
    /// Simulated time over every run, in milliseconds.
    pub simulated_ms: u64,
    /// Wall time.
    pub wall: Duration,
    /// What each fault kind struck, over every run.
    pub struck: BTreeMap<FaultKind, u64>,
    /// Faults scheduled, by kind, over every run.
    pub scheduled: BTreeMap<FaultKind, u64>,
    /// Claims of due jobs by the engine workers, over every run.
    pub claims: u64,
    /// Claims of a job whose earlier claim's lease ended before its report
    /// was applied, over every run.
    pub reclaims: u64,
    /// The smallest failing seed, if any failed.
    pub failed: Option<u64>,
}

impl Summary {
    /// Runs per second of wall time.
    pub fn runs_per_second(&self) -> f64 {
        self.runs as f64 / self.wall.as_secs_f64().max(1e-9)
    }

    /// Simulated client operations per second of wall time.
    pub fn operations_per_second(&self) -> f64 {
        self.operations as f64 / self.wall.as_secs_f64().max(1e-9)
    }
}

impl Summary {
    /// The first line of the summary: runs, operations, their rates.
    pub fn headline(&self) -> String {
        format!(
            "{} runs in {:.1} s: {:.1} runs/s, {} operations ({:.0} operations/s), {:.0} s simulated, {} claims of due jobs",
            self.runs,
            self.wall.as_secs_f64(),
            self.runs_per_second(),
            self.operations,
            self.operations_per_second(),
            self.simulated_ms as f64 / 1_000.0,
            self.claims
        )
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.headline())?;
        write!(
            f,
            "\n  jobs claimed again after a lease ended before their report was applied: {}",
            self.reclaims
        )?;
        for kind in FaultKind::ALL {
            write!(
                f,
                "\n  {:<16} scheduled {:>6}  struck {:>8}",
                kind.name(),
                self.scheduled.get(&kind).copied().unwrap_or(0),
                self.struck.get(&kind).copied().unwrap_or(0)
            )?;
        }
        if let Some(seed) = self.failed {
            write!(f, "\nseed {seed} failed")?;
        }
        Ok(())
    }
}

impl Campaign {
    /// Runs the campaign; `progress` sees the summary about every ten
    /// seconds.
    #[allow(clippy::disallowed_methods)] // wall time is what a campaign measures; threads spread its runs
    pub fn run(&self, progress: impl Fn(&Summary) + Sync) -> Summary {
        let started = Instant::now();
        let next = AtomicU64::new(self.from);
        let end = self.runs.map(|n| self.from.saturating_add(n));
        let deadline = self.seconds.map(|s| started + Duration::from_secs(s));
        let summary = Mutex::new(Summary::default());
        let last_progress = Mutex::new(started);
        std::thread::scope(|scope| {
            for _ in 0..self.threads.max(1) {
                scope.spawn(|| {
                    loop {
                        let seed = next.fetch_add(1, Ordering::SeqCst);
                        let failed = summary
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .failed;
                        if end.is_some_and(|e| seed >= e)
                            || failed.is_some_and(|f| seed >= f)
                            || deadline.is_some_and(|d| Instant::now() >= d)
                        {
                            return;
                        }
                        let plan = Plan::of(seed);
                        let outcome = run(&plan, self.bug);
                        let mut s = summary
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                        s.runs += 1;
                        s.operations += outcome.operations as u64;
                        s.simulated_ms += outcome.simulated_ms;
                        s.claims += outcome.claims;
                        s.reclaims += outcome.reclaims;
                        for (kind, n) in &outcome.struck {
                            *s.struck.entry(*kind).or_insert(0) += n;
                        }
                        for fault in &plan.faults {
                            *s.scheduled.entry(fault.kind).or_insert(0) += 1;
                        }
                        if !outcome.passed() {
                            s.failed = Some(s.failed.map_or(seed, |f| f.min(seed)));
                        }
                        let mut last = last_progress
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                        if last.elapsed() >= Duration::from_secs(10) {
                            *last = Instant::now();
                            s.wall = started.elapsed();
                            progress(&s);
                        }
                    }
                });
            }
        });
        let mut s = summary
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        s.wall = started.elapsed();
        s
    }
}

/// Where pictures of failing runs go: `proton-cancel-sim` in the system's
/// temporary directory.
pub fn pictures_dir() -> PathBuf {
    std::env::temp_dir().join("proton-cancel-sim")
}

/// Writes one picture (a self-contained HTML page) per resource of
/// `outcome` whose history is not linearizable into `dir`; their paths.
///
/// # Errors
/// A page cannot be written.
pub fn write_pictures(seed: u64, outcome: &Outcome, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    for problem in &outcome.problems {
        let Problem::NotLinearizable { resource, .. } = problem else {
            continue;
        };
        let (Some(r), Some(ops)) = (RESOURCES.get(*resource), outcome.histories.get(*resource))
        else {
            continue;
        };
        let id = r.id().to_string();
        let marks: Vec<Mark> = outcome
            .marks
            .iter()
            .filter(|m| m.resource.as_ref().is_none_or(|x| *x == id))
            .map(|m| Mark {
                at: m.at,
                text: m.text.clone(),
            })
            .collect();
        let page = picture(&r.model(), ops, &marks, BUDGET);
        std::fs::create_dir_all(dir)?;
        let name: String = id
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let path = dir.join(format!("seed-{seed}-{}.html", name.trim_matches('-')));
        std::fs::write(&path, page)?;
        paths.push(path);
    }
    Ok(paths)
}

/// The report of failing seed `seed`: shrunk, its history, what its checks
/// found, a picture of each history that is not linearizable, and the
/// command that replays it.
pub fn report_failure(seed: u64, bug: Option<Bug>) -> String {
    let plan = Plan::of(seed);
    let (cut, outcome) = shrink(&plan, bug);
    let mut out = String::new();
    let _ = writeln!(out, "---- seed {seed}, shrunk ----");
    out.push_str(&outcome.history);
    for p in &outcome.problems {
        let _ = writeln!(out, "{p}");
    }
    match write_pictures(seed, &outcome, &pictures_dir()) {
        Ok(paths) => {
            for path in paths {
                let _ = writeln!(out, "picture: {}", path.display());
            }
        }
        Err(e) => {
            let _ = writeln!(out, "the pictures could not be written: {e}");
        }
    }
    let bug = bug.map_or(String::new(), |b| format!(" --bug {}", b.name()));
    let _ = writeln!(
        out,
        "replay: cargo run -p proton-cancel-sim --release -- run --seed {seed}{}{bug}",
        cut.flags()
    );
    out
}

/// How many seeds each of `campaigns` campaigns took to catch `bug`: the
/// k-th campaign starts at seed `k * 1_000_000` and gives up after `limit`
/// runs (`None`).
pub fn seeds_to_catch(bug: Bug, campaigns: u64, limit: u64, threads: usize) -> Vec<Option<u64>> {
    (0..campaigns)
        .map(|k| {
            let from = k * 1_000_000;
            let campaign = Campaign {
                from,
                runs: Some(limit),
                threads,
                bug: Some(bug),
                seconds: None,
            };
            campaign.run(|_| {}).failed.map(|seed| seed - from + 1)
        })
        .collect()
}
