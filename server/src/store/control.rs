//! What the control API keeps in the store, so that every replica on a
//! database sees it: the engine's modes (which resources' reports wait for
//! a control call), the queued reports as the control API lists them, and
//! the fault rules with their counts.

use proton_cancel::{ResourceId, Timestamp};

use super::codec::{json, millis};
use super::{Job, NewJob, Record, Row, Store, StoreError};

/// Everything a store holds, as an export reads it and an import writes
/// it: the rows, the records, the queued jobs (their claims left out), the
/// engine modes, the fault rules with their counts, and the last
/// deployment number drawn.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contents {
    /// Every row, by key.
    pub rows: Vec<Row>,
    /// Every record, newest first.
    pub records: Vec<Record>,
    /// Every queued job, in due order.
    pub jobs: Vec<NewJob>,
    /// Every mode set: `None` for every resource without its own.
    pub modes: Vec<(Option<ResourceId>, bool)>,
    /// Every fault rule (its id is not kept: an import numbers them anew,
    /// in this order).
    pub faults: Vec<FaultRow>,
    /// The last deployment number drawn (0: none).
    pub last_number: i64,
}

/// A queued engine job as the control API lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The job's id.
    pub id: i64,
    /// When it falls due.
    pub due: Timestamp,
    /// The resource it is for.
    pub resource: ResourceId,
    /// What to deliver, as queued.
    pub payload: String,
    /// Whether the resource's engine mode is manual, so that the job waits
    /// for a control call instead of being delivered when due.
    pub held: bool,
}

/// A fault rule as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRow {
    /// The rule's id.
    pub id: i64,
    /// The rule, as the server wrote it (JSON text); the store never
    /// parses it.
    pub rule: String,
    /// How many requests it has matched.
    pub seen: i64,
    /// How many of those it failed.
    pub fired: i64,
}

/// The scope text of a resource's mode: its key as the jobs store it.
fn scope(resource: Option<&ResourceId>) -> Result<String, StoreError> {
    resource.map_or_else(|| Ok(String::new()), |r| json(r, "mode resource"))
}

impl Store {
    /// Sets the engine mode of `resource` (of every resource without a mode
    /// of its own, when `None`): `Some(true)` holds its reports for a
    /// control call, `Some(false)` delivers them as they fall due, and
    /// `None` takes the resource's own mode away (so the mode of every
    /// resource applies to it) or makes that mode automatic again.
    ///
    /// # Errors
    /// The database failed.
    pub async fn set_mode(
        &self,
        resource: Option<&ResourceId>,
        manual: Option<bool>,
    ) -> Result<(), StoreError> {
        self.backend.set_mode(&scope(resource)?, manual).await
    }

    /// Every mode set: `None` for the mode of every resource without its
    /// own, then each resource's own.
    ///
    /// # Errors
    /// The database failed, or a stored resource does not decode.
    pub async fn modes(&self) -> Result<Vec<(Option<ResourceId>, bool)>, StoreError> {
        self.backend
            .modes()
            .await?
            .into_iter()
            .map(|(scope, manual)| {
                if scope.is_empty() {
                    return Ok((None, manual));
                }
                let resource = serde_json::from_str(&scope).map_err(|e| StoreError::Corrupt {
                    key: format!("engine mode {scope}"),
                    reason: e.to_string(),
                })?;
                Ok((Some(resource), manual))
            })
            .collect()
    }

    /// Every queued engine job, in due order.
    ///
    /// # Errors
    /// The database failed, or a job does not decode.
    pub async fn pending(&self) -> Result<Vec<Pending>, StoreError> {
        let mut pending = self.backend.pending().await?;
        pending.sort_by_key(|p| (p.due, p.id));
        Ok(pending)
    }

    /// Claims the queued job `id`, whatever its due time and mode, for
    /// `lease`, unless a worker holds it or it is gone (`None`).
    ///
    /// # Errors
    /// The database failed, or the job does not decode.
    pub async fn claim_job(
        &self,
        id: i64,
        now: Timestamp,
        lease: std::time::Duration,
    ) -> Result<Option<Job>, StoreError> {
        self.backend
            .claim_job(id, now.as_millis(), millis(lease))
            .await
    }

    /// Stores a fault rule; its id.
    ///
    /// # Errors
    /// The database failed.
    pub async fn add_fault(&self, rule: &str) -> Result<i64, StoreError> {
        self.backend.add_fault(rule).await
    }

    /// Every fault rule, by id.
    ///
    /// # Errors
    /// The database failed.
    pub async fn faults(&self) -> Result<Vec<FaultRow>, StoreError> {
        let mut rows = self.backend.faults().await?;
        rows.sort_by_key(|r| r.id);
        Ok(rows)
    }

    /// Deletes every fault rule.
    ///
    /// # Errors
    /// The database failed.
    pub async fn clear_faults(&self) -> Result<(), StoreError> {
        self.backend.clear_faults().await
    }

    /// Counts a request that rule `id` matches: how many it has matched
    /// with this one, counted across every replica (`None` when the rule
    /// is gone).
    ///
    /// # Errors
    /// The database failed.
    pub async fn match_fault(&self, id: i64) -> Result<Option<i64>, StoreError> {
        self.backend.match_fault(id).await
    }

    /// Everything the store holds. Read in several statements: an export
    /// is meant for a store no request is changing.
    ///
    /// # Errors
    /// The database failed, or something stored does not decode.
    pub async fn contents(&self) -> Result<Contents, StoreError> {
        let jobs = self
            .pending()
            .await?
            .into_iter()
            .map(|p| NewJob {
                due: p.due,
                resource: p.resource,
                payload: p.payload,
            })
            .collect();
        Ok(Contents {
            rows: self.load_all().await?,
            records: self.records().await?,
            jobs,
            modes: self.modes().await?,
            faults: self.faults().await?,
            last_number: self.backend.last_number().await?,
        })
    }

    /// Replaces everything the store holds with `contents`, in one
    /// transaction: every other reader sees the old contents or the new.
    ///
    /// # Errors
    /// The database failed; nothing changed then.
    pub async fn replace(&self, contents: &Contents) -> Result<(), StoreError> {
        let modes = contents
            .modes
            .iter()
            .map(|(resource, manual)| Ok((scope(resource.as_ref())?, *manual)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.backend.replace(contents, &modes).await
    }

    /// Counts a request that rule `id` failed.
    ///
    /// # Errors
    /// The database failed.
    pub async fn fire_fault(&self, id: i64) -> Result<(), StoreError> {
        self.backend.fire_fault(id).await
    }
}
