//! # proton-cancel-sim
//!
//! A deterministic simulation of the server: several replicas of the real
//! [`proton_cancel_server::App`] (write path, write cache, engine worker)
//! on one simulated database, with clients, the engine and a nemesis on
//! one scheduler driven by a seed, on simulated time. Every store call of
//! a replica passes the fault layer ([`nemesis`]), which makes the faults
//! the seed chose: latency, stalls, lost connections, failed commits,
//! commits whose result the caller never learns, lease overruns,
//! duplicate reports, clock skew, pauses and crashes.
//!
//! A run ([`run::run`]) is a pure function of its seed and the code: the
//! same seed prints the same history, byte for byte. Each run is checked
//! ([`check`]): every resource's history for linearizability against the
//! core machine, every resource settled and every request answered once
//! the faults stop, no job left undelivered, every deployment record
//! following its attempt, and every attempt ended by one of its own
//! reports. A failing run is shrunk ([`shrink`]) and printed with the one
//! command that replays it.

#![forbid(unsafe_code)]

pub mod campaign;
pub mod check;
pub mod executor;
pub mod nemesis;
pub mod plan;
pub mod run;
pub mod shrink;
pub mod trace;
pub mod world;

pub use check::Problem;
pub use plan::{Cut, FaultKind, Plan};
pub use run::{Bug, Outcome, run};
