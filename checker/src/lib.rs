//! # proton-cancel-checker
//!
//! A linearizability checker: a Porcupine-style search (Wing & Gong's
//! algorithm with Lowe's memoisation) over one resource's history, with the
//! core crate's [`proton_cancel::Deployment`] machine as the sequential specification.
//!
//! The engine is the specification's environment: between any two client
//! operations it may deliver any report the running attempt can receive
//! (the update's result, the start of a cancellation, its result, with the
//! results the resource's engine script gives). The specification is
//! therefore nondeterministic, and the search carries the set of machine
//! states reachable so far, closed under engine steps. A history is
//! linearizable when some order of its operations that respects real time
//! (an operation that returned before another was invoked comes first)
//! takes the machine through states that give every recorded answer.
//!
//! An operation without an answer may or may not have taken effect: where
//! it is placed, the state set keeps both the states it leads to and the
//! states it leaves alone. A failure the server sent (a 500) or caused by
//! dying (a broken connection) bounds the effect by the failure's arrival,
//! like an answer; a timeout bounds nothing, so such an operation may be
//! placed anywhere after its invocation. Reads without an answer are
//! dropped before the search.

//!
//! A resource's history is stored as [`Recorded`] (JSON lines: the model
//! first, then one operation a line), so a run's histories can be kept and
//! checked again: `tests/histories/` holds some from real runs of the
//! Jepsen-style check.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod explain;
mod history;
mod picture;
mod search;

pub use explain::{Witness, witness};
pub use history::{HistoryError, Recorded, RecordedModel};
pub use picture::{Mark, picture, state_text};
pub use search::{Call, Model, Op, Partial, Ret, Verdict, check, longest_partial, shown, shrink};
