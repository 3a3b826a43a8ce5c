//! The whole state as one JSON document: what the control API exports,
//! imports (all or nothing) and resets, and what `--seed` accepts in its
//! `state` member. It holds every resource (its machine's snapshot and
//! what the server keeps beside it, the engine script among that), every
//! deployment record, every pending engine report, the engine modes, the
//! fault rules with their counts, and the last deployment number drawn.
//! The server's configuration (templates, server-wide engine settings)
//! comes from its seed and flags, not from the state.

use std::collections::BTreeSet;

use proton_cancel::{Deployment, Timestamp};
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::control::{ControlError, ResourceKey};
use crate::engine::{Mode, read_report};
use crate::faults::FaultRule;
use crate::record::Record;
use crate::store::{Contents, FaultRow, NewJob, Row, key};
use crate::stored::{Entry, Meta};

/// The version of the state document's form.
pub const STATE_VERSION: u32 = 1;

/// The state, as the document's `state` member writes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct State {
    /// The form's version ([`STATE_VERSION`]).
    version: u32,
    /// The last deployment number drawn: the next deployment's id is the
    /// one after it.
    last_deployment_number: u64,
    /// Every resource, by key.
    resources: Vec<StateResource>,
    /// Every deployment record, newest first.
    records: Vec<Record>,
    /// Every pending engine report, in due order.
    pending: Vec<StatePending>,
    /// Every engine mode set (`resource` left out: every resource's).
    modes: Vec<StateMode>,
    /// Every fault rule, with its counts.
    faults: Vec<StateFault>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StateResource {
    /// The machine's versioned snapshot.
    snapshot: Deployment,
    /// What the server keeps beside it: ARN, environment, engine script.
    meta: Meta,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StatePending {
    resource: String,
    due_ms: i64,
    /// The report, as the engine queued it.
    report: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StateMode {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    resource: Option<String>,
    mode: Mode,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StateFault {
    rule: FaultRule,
    matched: i64,
    fired: i64,
}

/// The export document: the seed's region and account (so that `--seed`
/// of it makes the same ARNs) and the state.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Document {
    pub(crate) region: String,
    pub(crate) account_id: String,
    pub(crate) state: State,
}

impl State {
    /// The state of `contents`.
    fn of(contents: Contents) -> Result<Self, ControlError> {
        let resources = contents
            .rows
            .into_iter()
            .map(|row| {
                let entry = Entry::of(row).map_err(ControlError::api)?;
                Ok(StateResource {
                    snapshot: entry.deployment,
                    meta: entry.meta,
                })
            })
            .collect::<Result<_, ControlError>>()?;
        let pending = contents
            .jobs
            .into_iter()
            .map(|job| StatePending {
                resource: key(&job.resource),
                due_ms: job.due.as_millis(),
                report: serde_json::from_str(&job.payload).unwrap_or(serde_json::Value::Null),
            })
            .collect();
        let modes = contents
            .modes
            .into_iter()
            .map(|(resource, manual)| StateMode {
                resource: resource.as_ref().map(key),
                mode: if manual { Mode::Manual } else { Mode::Auto },
            })
            .collect();
        let faults = contents
            .faults
            .into_iter()
            .filter_map(|f| {
                Some(StateFault {
                    rule: serde_json::from_str(&f.rule).ok()?,
                    matched: f.seen,
                    fired: f.fired,
                })
            })
            .collect();
        Ok(Self {
            version: STATE_VERSION,
            last_deployment_number: u64::try_from(contents.last_number).unwrap_or(0),
            resources,
            records: contents.records,
            pending,
            modes,
            faults,
        })
    }

    /// The contents this state holds, every part checked: an error names
    /// the member at fault, and nothing is written until all of it reads.
    pub(crate) fn contents(self) -> Result<Contents, ControlError> {
        let invalid = |at: String, why: String| ControlError::invalid(format!("state.{at}: {why}"));
        if self.version != STATE_VERSION {
            return Err(invalid(
                "version".to_owned(),
                format!(
                    "{} is not a state version this server reads ({STATE_VERSION})",
                    self.version
                ),
            ));
        }
        let mut keys = BTreeSet::new();
        let mut rows = Vec::new();
        for (i, r) in self.resources.into_iter().enumerate() {
            let k = key(r.snapshot.resource());
            if !keys.insert(k.clone()) {
                return Err(invalid(
                    format!("resources[{i}]"),
                    format!("{k} is given twice"),
                ));
            }
            let entry = Entry {
                deployment: r.snapshot,
                meta: r.meta,
            };
            rows.push(entry.row());
        }
        rows.sort_by_key(|row: &Row| key(row.deployment.resource()));
        let mut ids = BTreeSet::new();
        for (i, r) in self.records.iter().enumerate() {
            if !ids.insert(r.attempt.deployment_id) {
                return Err(invalid(
                    format!("records[{i}]"),
                    format!("deployment {} is given twice", r.attempt.deployment_id),
                ));
            }
        }
        let mut jobs = Vec::new();
        for (i, p) in self.pending.into_iter().enumerate() {
            let at = format!("pending[{i}]");
            let resource = ResourceKey::parse(&format!("state.{at}.resource"), &p.resource)?;
            if !keys.contains(&key(&resource)) {
                return Err(invalid(
                    at,
                    format!("{resource} has a pending report but is not among the resources"),
                ));
            }
            let payload = p.report.to_string();
            read_report(&payload).map_err(|e| invalid(format!("{at}.report"), e.to_string()))?;
            jobs.push(NewJob {
                due: Timestamp::from_millis(p.due_ms),
                resource,
                payload,
            });
        }
        let mut modes = Vec::new();
        for (i, m) in self.modes.into_iter().enumerate() {
            let resource = match &m.resource {
                None => None,
                Some(r) => {
                    let id = ResourceKey::parse(&format!("state.modes[{i}].resource"), r)?;
                    if !keys.contains(&key(&id)) {
                        return Err(invalid(
                            format!("modes[{i}]"),
                            format!("{id} has a mode but is not among the resources"),
                        ));
                    }
                    Some(id)
                }
            };
            modes.push((resource, m.mode == Mode::Manual));
        }
        let mut faults = Vec::new();
        for (i, f) in self.faults.into_iter().enumerate() {
            f.rule
                .check()
                .map_err(|e| invalid(format!("faults[{i}].rule"), e.message().to_owned()))?;
            faults.push(FaultRow {
                id: 0,
                rule: serde_json::to_string(&f.rule).unwrap_or_default(),
                seen: f.matched,
                fired: f.fired,
            });
        }
        Ok(Contents {
            rows,
            records: self.records,
            jobs,
            modes,
            faults,
            last_number: i64::try_from(self.last_deployment_number).unwrap_or(i64::MAX),
        })
    }
}

impl App {
    /// The whole state as an export document.
    pub(crate) async fn export_state(&self) -> Result<Document, ControlError> {
        let contents = self.store().contents().await.map_err(ControlError::store)?;
        let (region, account_id) = self.region_and_account();
        Ok(Document {
            region,
            account_id,
            state: State::of(contents)?,
        })
    }

    /// Replaces the whole state with `document`'s, or changes nothing: a
    /// document that does not read, or is of another region or account,
    /// is refused before anything is written.
    pub(crate) async fn import_state(&self, document: Document) -> Result<(), ControlError> {
        let (region, account_id) = self.region_and_account();
        if document.region != region || document.account_id != account_id {
            return Err(ControlError::invalid(format!(
                "region, accountId: the document is of {}/{}, this server serves {region}/{account_id}",
                document.region, document.account_id
            )));
        }
        let contents = document.state.contents()?;
        self.replace_contents(&contents).await?;
        tracing::info!(resources = contents.rows.len(), "state imported");
        Ok(())
    }

    /// Empties the state: no resources, records, reports, modes or fault
    /// rules, and deployment numbers start again at 1.
    pub(crate) async fn reset_state(&self) -> Result<(), ControlError> {
        self.replace_contents(&Contents::default()).await?;
        tracing::info!("state reset");
        Ok(())
    }

    /// Writes `contents` in place of everything, and forgets what this
    /// replica remembers of the old state (its write cache, its rules).
    pub(crate) async fn replace_contents(&self, contents: &Contents) -> Result<(), ControlError> {
        self.store()
            .replace(contents)
            .await
            .map_err(ControlError::store)?;
        self.cache().clear();
        self.journal().clear_events();
        self.reload_faults().await.map_err(ControlError::store)?;
        self.queued().notify_one();
        Ok(())
    }
}
