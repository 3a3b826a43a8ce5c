//! The in-memory backend, for tests: the same compare-and-set and job rules
//! as the databases, under one lock.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use proton_cancel_wire::DeploymentRecord;

use super::{Claimed, Produced, Row, StoreError, Written, key, revision_i64};

#[derive(Debug, Default)]
struct Tables {
    resources: HashMap<String, Row>,
    /// By (seq, id).
    records: BTreeMap<(i64, String), DeploymentRecord>,
    /// Each record's seq, by id: where to find it in `records`.
    record_seq: HashMap<String, i64>,
    /// The newest record of each resource (by row key): its seq and id.
    newest: HashMap<String, (i64, String)>,
    /// By id: (due, resource, payload, claimed until).
    jobs: BTreeMap<
        i64,
        (
            i64,
            proton_cancel::ResourceId,
            serde_json::Value,
            Option<i64>,
        ),
    >,
    next_job: i64,
    next_number: i64,
}

/// The in-memory store.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    tables: Arc<Mutex<Tables>>,
}

impl MemoryStore {
    fn lock(&self) -> MutexGuard<'_, Tables> {
        self.tables.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) async fn load(&self, key: &str) -> Result<Option<Row>, StoreError> {
        Ok(self.lock().resources.get(key).cloned())
    }

    pub(super) async fn load_for_write(
        &self,
        key: &str,
    ) -> Result<Option<(Row, Option<DeploymentRecord>)>, StoreError> {
        let t = self.lock();
        let record = t
            .newest
            .get(key)
            .and_then(|(seq, id)| t.records.get(&(*seq, id.clone())))
            .cloned();
        Ok(t.resources.get(key).cloned().map(|row| (row, record)))
    }

    pub(super) async fn load_all(&self) -> Result<Vec<Row>, StoreError> {
        let t = self.lock();
        let mut rows: Vec<(&String, &Row)> = t.resources.iter().collect();
        rows.sort_unstable_by(|a, b| a.0.cmp(b.0));
        Ok(rows.into_iter().map(|(_, r)| r.clone()).collect())
    }

    fn write(t: &mut Tables, row: &Row, produced: &Produced) {
        t.resources
            .insert(key(row.deployment.resource()), row.clone());
        for r in &produced.records {
            let id = r.record.id.to_string();
            if let Some(seq) = t.record_seq.insert(id.clone(), r.seq) {
                t.records.remove(&(seq, id.clone()));
            }
            if let Some(resource) = r.record.target().map(|t| key(&t)) {
                let newer = t.newest.get(&resource).is_none_or(|(seq, _)| *seq <= r.seq);
                if newer {
                    t.newest.insert(resource, (r.seq, id.clone()));
                }
            }
            t.records.insert((r.seq, id), r.record.clone());
        }
        for j in &produced.jobs {
            t.next_job = t.next_job.saturating_add(1);
            let id = t.next_job;
            t.jobs.insert(
                id,
                (
                    j.due.as_millis(),
                    j.resource.clone(),
                    j.payload.clone(),
                    None,
                ),
            );
        }
    }

    pub(super) async fn insert(&self, row: &Row, produced: &Produced) -> Result<bool, StoreError> {
        let mut t = self.lock();
        if t.resources.contains_key(&key(row.deployment.resource())) {
            return Ok(false);
        }
        Self::write(&mut t, row, produced);
        Ok(true)
    }

    pub(super) async fn commit(
        &self,
        read: Option<i64>,
        row: &Row,
        produced: &Produced,
    ) -> Result<Written, StoreError> {
        let mut t = self.lock();
        let current = t
            .resources
            .get(&key(row.deployment.resource()))
            .map(|r| revision_i64(&r.deployment));
        if current.is_none() || read.is_some_and(|read| current != Some(read)) {
            return Ok(Written::Stale);
        }
        Self::write(&mut t, row, produced);
        Ok(Written::Committed)
    }

    pub(super) async fn claim_due(
        &self,
        now: i64,
        lease: i64,
        limit: i64,
    ) -> Result<Vec<Claimed>, StoreError> {
        let mut t = self.lock();
        let mut due: Vec<(i64, i64)> = t
            .jobs
            .iter()
            .filter(|(_, (d, _, _, claimed))| *d <= now && claimed.is_none_or(|c| c < now))
            .map(|(id, (d, ..))| (*d, *id))
            .collect();
        due.sort_unstable();
        due.truncate(usize::try_from(limit).unwrap_or(0));
        let mut claimed = Vec::new();
        for (d, id) in due {
            if let Some(job) = t.jobs.get_mut(&id) {
                job.3 = Some(now.saturating_add(lease));
                claimed.push(Claimed {
                    id,
                    due: proton_cancel::Timestamp::from_millis(d),
                    resource: job.1.clone(),
                    payload: job.2.clone(),
                });
            }
        }
        Ok(claimed)
    }

    pub(super) async fn next_due(&self) -> Result<Option<i64>, StoreError> {
        Ok(self.lock().jobs.values().map(|j| j.0).min())
    }

    pub(super) async fn finish_job(&self, id: i64) -> Result<(), StoreError> {
        self.lock().jobs.remove(&id);
        Ok(())
    }

    pub(super) async fn record(&self, id: &str) -> Result<Option<DeploymentRecord>, StoreError> {
        let t = self.lock();
        Ok(t.record_seq
            .get(id)
            .and_then(|seq| t.records.get(&(*seq, id.to_owned())))
            .cloned())
    }

    pub(super) async fn next_number(&self) -> Result<i64, StoreError> {
        let mut t = self.lock();
        t.next_number = t.next_number.saturating_add(1);
        Ok(t.next_number)
    }

    pub(super) async fn records(&self) -> Result<Vec<DeploymentRecord>, StoreError> {
        Ok(self.lock().records.values().rev().cloned().collect())
    }
}
