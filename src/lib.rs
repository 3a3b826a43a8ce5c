//! # proton-cancel
//!
//! The executable specification of AWS Proton's deployment cancellation
//! (`CancelServiceInstanceDeployment` and its siblings for environments,
//! service pipelines and components).
//!
//! AWS documents three outcomes of a cancel: the cancellation succeeds
//! (CANCELLED), it fails (FAILED), or the update finishes before the
//! cancellation attempt starts (SUCCEEDED, and the cancel has no effect).
//! This crate decides everything around those three sentences and makes it
//! executable:
//!
//! - [`DeploymentStatus`]: the eight statuses, their wire strings, and what a
//!   client may conclude from each ([`DeploymentStatus::is_settled`] tells it
//!   when to stop polling); a status AWS adds later is kept, not refused.
//! - [`ResourceName`] and the other validated values: a value that exists is
//!   valid, and an invalid one is explained rule by rule.
//! - [`Deployment`]: the sans-I/O state machine of one resource. Feed it API
//!   calls and engine reports ([`Input`]), each with its own timestamp; get
//!   back an [`Outcome`]: applied (with the [`Effect`] the embedding must
//!   carry out), ignored (with an [`IgnoreReason`]), or rejected (with a
//!   [`Rejection`]). [`Deployment::observe`] gives the whole observable
//!   state as one [`Observed`] value, [`Deployment::restore`] builds a
//!   machine from one, and serde stores the machine as a versioned snapshot
//!   with a [`Deployment::revision`] for compare-and-set.
//! - [`transition_rule`]: the transition table itself, which the machine
//!   consults for every input and from which the state diagram is generated.
//! - [`waiter`]: waiting for a cancel or a deployment to settle, for
//!   clients: fed each polled status and the time, it answers "poll again
//!   after d" (the Smithy waiter backoff, with randomness as an input) or
//!   the [`waiter::WaitOutcome`], which, unlike AWS's own waiters, ends on
//!   CANCELLED and tells the update that won a race from a cancel that
//!   worked.
//!
//! The crate does no I/O: no files, sockets, threads, environment, clock or
//! randomness. Servers, emulators and clients embed it. The AWS JSON 1.0 wire
//! protocol (request decoding with AWS's validation wording, response
//! shapes, errors) is the separate crate `proton-cancel-wire`.
//!
//! ## The cancel race
//!
//! ```
//! use proton_cancel::*;
//!
//! let name = |s: &str| ResourceName::new(s).unwrap();
//! let version = |s: &str| TemplateVersion::new(s).unwrap();
//! let config = |minor: &str| Configuration::Template {
//!     template: TemplateRef { name: name("web-tmpl"), major: version("1"), minor: version(minor) },
//!     spec: None,
//! };
//! let t = Timestamp::from_secs;
//! let instance = ResourceId::ServiceInstance { service: name("shop"), name: name("web") };
//!
//! // A service instance at rest on template 1.0; an update to 1.1 starts,
//! // and the machine says to start deploying it.
//! let mut web = Deployment::restore(Observed::new(instance, t(0), config("0")))?;
//! let update = DeploymentId::from_u128(0x2b6d);
//! let outcome = web.handle(Input::Update {
//!     at: t(100), deployment_id: update, target: config("1"), client_token: None,
//! });
//! assert_eq!(outcome.status_after(), Some(DeploymentStatus::InProgress));
//! assert_eq!(
//!     outcome.effect(),
//!     Some(&Effect::StartDeployment { deployment_id: update, target: Box::new(config("1")) }),
//! );
//!
//! // The user cancels: the response already shows CANCELLING, and the
//! // engine is to start cancelling.
//! let outcome = web.handle(Input::Cancel { at: t(101) });
//! assert_eq!(outcome.status_after(), Some(DeploymentStatus::Cancelling));
//! assert_eq!(outcome.effect(), Some(&Effect::StartCancellation { deployment_id: update }));
//!
//! // The update finishes before the engine starts cancelling: the update wins.
//! let outcome = web.handle(Input::UpdateFinished {
//!     at: t(102), deployment_id: update, result: EngineResult::Succeeded,
//! });
//! assert_eq!(outcome.status_after(), Some(DeploymentStatus::Succeeded));
//! let seen = web.observe();
//! assert_eq!(seen.applied, config("1"));
//! assert_eq!(seen.last_success, Some(Success { deployment_id: update, at: t(100) }));
//!
//! // The cancellation report that comes late has no effect.
//! let outcome = web.handle(Input::CancellationStarted { at: t(103), deployment_id: update });
//! assert_eq!(outcome.ignore_reason(), Some(IgnoreReason::AttemptFinished));
//! assert_eq!(web.status(), DeploymentStatus::Succeeded);
//! # Ok::<(), RestoreError>(())
//! ```
//!
//! ## Panic policy
//!
//! Bad input is an error value, never a panic. The crate panics only if its
//! own invariants break (the transition table asking for a stage the state's
//! data cannot reach), which the exhaustive tests rule out for every reachable
//! state. `unsafe` is forbidden.
//!
//! See `docs/spec.md` for the numbered rules and the tests that check them,
//! `docs/state-machine.md` for the generated diagram and table, and
//! `docs/snapshot.md` for the stored form.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::disallowed_methods
)]

mod constraint;
mod diagram;
mod echo;
mod machine;
mod name;
mod observed;
mod record;
mod resource;
mod service;
mod snapshot;
mod status;
mod table;
mod tagged;
mod time;
mod values;
pub mod waiter;

pub use constraint::{InvalidValue, Mismatch, Shape, Violation, Violations};
pub use diagram::{mermaid_state_diagram, state_machine_markdown};
pub use machine::{
    Deployment, Effect, EngineResult, Input, Outcome, Rejection, RejectionReason, Transition,
};
pub use name::ResourceName;
pub use observed::{Attempt, CancellationPhase, Observed, RestoreError, Success};
pub use record::AttemptRecord;
pub use resource::{Configuration, ResourceId, ResourceKind, TemplateRef};
pub use service::{Joined, ServiceState, ServiceStatus};
pub use status::{DeploymentStatus, UnknownStatus, UnknownStatusError};
pub use table::{ConflictReason, IgnoreReason, InputKind, Rule, Stage, transition_rule};
pub use time::Timestamp;
pub use values::{ClientToken, DeploymentId, Spec, StatusMessage, TemplateVersion};

/// The README's example, compiled and run as a doctest so it cannot rot.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
