//! `proton-cancel-sim`: runs the deterministic simulation.
//!
//! ```text
//! proton-cancel-sim run --seed 42                 # one run: its history and verdict
//! proton-cancel-sim campaign --runs 2000          # many seeds; a failure is shrunk and printed
//! proton-cancel-sim long --seconds 600            # until stopped: runs and operations per second
//! ```

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use proton_cancel_sim::campaign::{
    Campaign, pictures_dir, report_failure, seeds_to_catch, write_pictures,
};
use proton_cancel_sim::{Bug, Cut, Plan, run};

#[derive(Parser)]
#[command(
    name = "proton-cancel-sim",
    about = "Deterministic simulation of proton-cancel-server"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct Planted {
    /// A bug to plant: cas-off, job-deleted-before-apply, stale-cache-kept,
    /// report-to-wrong-attempt.
    #[arg(long, value_parser = parse_bug)]
    bug: Option<Bug>,
}

fn parse_bug(name: &str) -> Result<Bug, String> {
    Bug::named(name).ok_or_else(|| {
        let names: Vec<&str> = Bug::ALL.iter().map(|b| b.name()).collect();
        format!("unknown bug {name:?}; one of {}", names.join(", "))
    })
}

/// Fault indexes, comma-separated (empty: none).
#[derive(Clone, Debug)]
struct FaultList(Vec<usize>);

fn parse_faults(text: &str) -> Result<FaultList, String> {
    if text.is_empty() {
        return Ok(FaultList(Vec::new()));
    }
    text.split(',')
        .map(|n| n.trim().parse().map_err(|e| format!("{n:?}: {e}")))
        .collect::<Result<_, _>>()
        .map(FaultList)
}

#[derive(Subcommand)]
enum Command {
    /// One run: prints its history and what its checks found.
    Run {
        /// The seed.
        #[arg(long)]
        seed: u64,
        /// Keep only the first N clients.
        #[arg(long)]
        clients: Option<usize>,
        /// Keep only the first N operations of each client.
        #[arg(long)]
        ops: Option<usize>,
        /// Keep only these faults (indexes, comma-separated).
        #[arg(long, value_parser = parse_faults)]
        faults: Option<FaultList>,
        #[command(flatten)]
        planted: Planted,
    },
    /// Runs seeds `from`, `from + 1`, …; stops at the first failure,
    /// shrinks it and prints it with the command that replays it.
    Campaign {
        /// How many runs.
        #[arg(long, default_value_t = 2_000)]
        runs: u64,
        /// The first seed.
        #[arg(long, default_value_t = 0)]
        from: u64,
        /// Worker threads (each run is single-threaded).
        #[arg(long, default_value_t = 2)]
        threads: usize,
        #[command(flatten)]
        planted: Planted,
    },
    /// For each planted bug (or the one named), how many seeds each of
    /// ten campaigns took to catch it: median and maximum.
    Catch {
        /// Campaigns per bug.
        #[arg(long, default_value_t = 10)]
        campaigns: u64,
        /// Runs after which a campaign gives up.
        #[arg(long, default_value_t = 2_000)]
        limit: u64,
        /// Worker threads.
        #[arg(long, default_value_t = 2)]
        threads: usize,
        #[command(flatten)]
        planted: Planted,
    },
    /// Runs seeds until stopped (or for `seconds`), printing runs per
    /// second and simulated operations per second.
    Long {
        /// Stop after this many seconds (never, when absent).
        #[arg(long)]
        seconds: Option<u64>,
        /// The first seed.
        #[arg(long, default_value_t = 0)]
        from: u64,
        /// Worker threads.
        #[arg(long, default_value_t = 2)]
        threads: usize,
    },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Run {
            seed,
            clients,
            ops,
            faults,
            planted,
        } => {
            let cut = Cut {
                clients,
                ops,
                faults: faults.map(|f| f.0),
            };
            let outcome = run(&Plan::of(seed).cut(&cut), planted.bug);
            print!("{}", outcome.history);
            if outcome.passed() {
                println!(
                    "seed {seed}: every check passed ({} operations)",
                    outcome.operations
                );
                ExitCode::SUCCESS
            } else {
                for p in &outcome.problems {
                    println!("{p}");
                }
                match write_pictures(seed, &outcome, &pictures_dir()) {
                    Ok(paths) => {
                        for path in paths {
                            println!("picture: {}", path.display());
                        }
                    }
                    Err(e) => println!("the pictures could not be written: {e}"),
                }
                ExitCode::FAILURE
            }
        }
        Command::Campaign {
            runs,
            from,
            threads,
            planted,
        } => {
            let campaign = Campaign {
                from,
                runs: Some(runs),
                threads,
                bug: planted.bug,
                seconds: None,
            };
            let summary = campaign.run(|_| {});
            println!("{summary}");
            match summary.failed {
                Some(seed) => {
                    print!("{}", report_failure(seed, planted.bug));
                    ExitCode::FAILURE
                }
                None => ExitCode::SUCCESS,
            }
        }
        Command::Catch {
            campaigns,
            limit,
            threads,
            planted,
        } => {
            let bugs = planted.bug.map_or(Bug::ALL.to_vec(), |b| vec![b]);
            let mut all_caught = true;
            for bug in bugs {
                let mut seeds = seeds_to_catch(bug, campaigns, limit, threads);
                all_caught &= seeds.iter().all(Option::is_some);
                seeds.sort_unstable();
                let shown: Vec<String> = seeds
                    .iter()
                    .map(|s| s.map_or("missed".to_owned(), |n| n.to_string()))
                    .collect();
                let caught: Vec<u64> = seeds.iter().flatten().copied().collect();
                let median = caught.get(caught.len() / 2).copied().unwrap_or(0);
                let max = caught.last().copied().unwrap_or(0);
                println!(
                    "{:<26} caught in {}/{campaigns} campaigns; seeds to catch: median {median}, max {max} ({})",
                    bug.name(),
                    caught.len(),
                    shown.join(" ")
                );
            }
            if all_caught {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Command::Long {
            seconds,
            from,
            threads,
        } => {
            let campaign = Campaign {
                from,
                runs: None,
                threads,
                bug: None,
                seconds,
            };
            let summary = campaign.run(|s| println!("{}", s.headline()));
            println!("{summary}");
            match summary.failed {
                Some(seed) => {
                    print!("{}", report_failure(seed, None));
                    ExitCode::FAILURE
                }
                None => ExitCode::SUCCESS,
            }
        }
    }
}
