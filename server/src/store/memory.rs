//! The in-memory backend, for tests: the same compare-and-set and job rules
//! as the databases, under one lock.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard};

use futures_util::FutureExt as _;
use proton_cancel::{ResourceId, Timestamp};

use super::codec::{json, record_listed};
use super::{
    Backend, BackendPut, Change, Contents, Expected, FaultRow, ForWrite, Job, Listed, ListedRecord,
    ListedRow, Pending, Produced, Record, Reply, Row, StoreError, Written, key,
};

/// A queued job and its lease.
#[derive(Debug)]
struct Queued {
    due: i64,
    resource: ResourceId,
    payload: String,
    claimed_until: Option<i64>,
}

#[derive(Debug, Default)]
struct Tables {
    /// By key, in key order.
    resources: BTreeMap<String, Row>,
    /// By (seq, id).
    records: BTreeMap<(i64, String), Record>,
    /// Each record's seq, by id: where to find it in `records`.
    record_seq: HashMap<String, i64>,
    /// The newest record of each resource (by row key): its seq and id.
    newest: HashMap<String, (i64, String)>,
    /// By id.
    jobs: BTreeMap<i64, Queued>,
    next_job: i64,
    next_number: i64,
    /// Engine modes by scope (a job resource's text, `""` for all).
    modes: BTreeMap<String, bool>,
    /// Fault rules by id.
    faults: BTreeMap<i64, FaultRow>,
    next_fault: i64,
}

impl Tables {
    /// Whether the modes hold jobs of `resource` for a control call.
    fn held(&self, resource: &ResourceId) -> Result<bool, StoreError> {
        if self.modes.is_empty() {
            return Ok(false);
        }
        let own = self.modes.get(&json(resource, "job resource")?);
        Ok(own.or_else(|| self.modes.get("")).copied().unwrap_or(false))
    }

    /// The job `id` as claimed, until `until`.
    fn claim(&mut self, id: i64, until: i64) -> Option<Job> {
        let job = self.jobs.get_mut(&id)?;
        job.claimed_until = Some(until);
        Some(Job {
            id,
            due: Timestamp::from_millis(job.due),
            resource: job.resource.clone(),
            payload: job.payload.clone(),
        })
    }
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

    fn write(t: &mut Tables, row: &Row, produced: &Produced) {
        t.resources
            .insert(key(row.deployment.resource()), row.clone());
        Self::produce(t, produced);
    }

    /// Stores what a change produced: its records and its jobs.
    fn produce(t: &mut Tables, produced: &Produced) {
        for r in &produced.records {
            let (id, seq) = (r.attempt.deployment_id.to_string(), r.seq());
            if let Some(old) = t.record_seq.insert(id.clone(), seq) {
                t.records.remove(&(old, id.clone()));
            }
            let resource = key(&r.attempt.resource);
            let newer = t.newest.get(&resource).is_none_or(|(s, _)| *s <= seq);
            if newer {
                t.newest.insert(resource, (seq, id.clone()));
            }
            t.records.insert((seq, id), r.clone());
        }
        for j in &produced.jobs {
            t.next_job = t.next_job.saturating_add(1);
            let id = t.next_job;
            t.jobs.insert(
                id,
                Queued {
                    due: j.due.as_millis(),
                    resource: j.resource.clone(),
                    payload: j.payload.clone(),
                    claimed_until: None,
                },
            );
        }
    }

    /// Whether the stored row of `row`'s resource still holds `expected`
    /// (any stored row, when `None`).
    fn holds(t: &Tables, row: &Row, expected: Option<&Expected>) -> bool {
        match (t.resources.get(&key(row.deployment.resource())), expected) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(current), Some(e)) => {
                current.deployment.revision() == e.revision && current.meta == e.meta
            }
        }
    }

    fn claim(&self, now: i64, lease: i64, limit: i64) -> Result<Vec<Job>, StoreError> {
        let mut t = self.lock();
        let mut due = Vec::new();
        for (id, j) in &t.jobs {
            if j.due <= now && j.claimed_until.is_none_or(|c| c < now) && !t.held(&j.resource)? {
                due.push((j.due, *id));
            }
        }
        due.sort_unstable();
        due.truncate(usize::try_from(limit).unwrap_or(0));
        let until = now.saturating_add(lease);
        Ok(due
            .into_iter()
            .filter_map(|(_, id)| t.claim(id, until))
            .collect())
    }

    fn next_due(&self) -> Result<Option<i64>, StoreError> {
        let t = self.lock();
        let mut next = None;
        for j in t.jobs.values() {
            // Claimable once due and once its lease (if any) has ended.
            let at = match j.claimed_until {
                Some(until) if until >= j.due => until.saturating_add(1),
                _ => j.due,
            };
            if !t.held(&j.resource)? && next.is_none_or(|n| at < n) {
                next = Some(at);
            }
        }
        Ok(next)
    }

    fn pending(&self) -> Result<Vec<Pending>, StoreError> {
        let t = self.lock();
        t.jobs
            .iter()
            .map(|(id, j)| {
                Ok(Pending {
                    id: *id,
                    due: Timestamp::from_millis(j.due),
                    resource: j.resource.clone(),
                    payload: j.payload.clone(),
                    held: t.held(&j.resource)?,
                })
            })
            .collect()
    }

    fn claim_job(&self, id: i64, now: i64, lease: i64) -> Option<Job> {
        let mut t = self.lock();
        let free = t
            .jobs
            .get(&id)
            .is_some_and(|j| j.claimed_until.is_none_or(|c| c < now));
        if free {
            t.claim(id, now.saturating_add(lease))
        } else {
            None
        }
    }
}

/// Every answer is ready at once: nothing here waits.
fn ready<'a, T: Send + 'a>(value: T) -> Reply<'a, T> {
    std::future::ready(Ok(value)).boxed()
}

impl Backend for MemoryStore {
    fn load<'a>(&'a self, key: &'a str) -> Reply<'a, Option<Row>> {
        ready(self.lock().resources.get(key).cloned())
    }

    fn load_for_write<'a>(&'a self, key: &'a str) -> Reply<'a, Option<ForWrite>> {
        let t = self.lock();
        let record = t
            .newest
            .get(key)
            .and_then(|(seq, id)| t.records.get(&(*seq, id.clone())))
            .cloned();
        ready(t.resources.get(key).cloned().map(|row| (row, record)))
    }

    fn load_all(&self) -> Reply<'_, Vec<Row>> {
        ready(self.lock().resources.values().cloned().collect())
    }

    fn load_range<'a>(&'a self, from: &'a str, to: &'a str, limit: i64) -> Reply<'a, Vec<Row>> {
        let t = self.lock();
        let rows = t
            .resources
            .range::<str, _>((Bound::Included(from), Bound::Excluded(to)))
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|(_, r)| r.clone())
            .collect();
        ready(rows)
    }

    fn list_range<'a>(
        &'a self,
        from: &'a str,
        to: &'a str,
        limit: i64,
    ) -> Reply<'a, Vec<ListedRow>> {
        let t = self.lock();
        let rows = t
            .resources
            .range::<str, _>((Bound::Included(from), Bound::Excluded(to)))
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|(k, r)| {
                let listed = match &r.listed {
                    Some(text) => Listed::Shown(text.clone()),
                    None => Listed::Whole(r.clone()),
                };
                (k.clone(), listed)
            })
            .collect();
        ready(rows)
    }

    fn write_together<'a>(
        &'a self,
        puts: Vec<BackendPut<'a>>,
        produced: &'a Produced,
    ) -> Reply<'a, Written> {
        let mut t = self.lock();
        let holds = puts.iter().all(|put| match put {
            BackendPut::Insert(row) => !t.resources.contains_key(&key(row.deployment.resource())),
            BackendPut::Replace(expected, row) => Self::holds(&t, row, *expected),
        });
        if !holds {
            return ready(Written::Stale);
        }
        let none = Produced::default();
        for (i, put) in puts.iter().enumerate() {
            let (BackendPut::Insert(row) | BackendPut::Replace(_, row)) = put;
            Self::write(&mut t, row, if i == 0 { produced } else { &none });
        }
        ready(Written::Committed)
    }

    fn insert<'a>(&'a self, row: &'a Row, produced: &'a Produced) -> Reply<'a, bool> {
        let mut t = self.lock();
        if t.resources.contains_key(&key(row.deployment.resource())) {
            return ready(false);
        }
        Self::write(&mut t, row, produced);
        ready(true)
    }

    fn commit<'a>(&'a self, expected: Option<&'a Expected>, new: Change<'a>) -> Reply<'a, Written> {
        let (row, produced) = new;
        let mut t = self.lock();
        if !Self::holds(&t, row, expected) {
            return ready(Written::Stale);
        }
        Self::write(&mut t, row, produced);
        ready(Written::Committed)
    }

    fn claim_due(&self, now: i64, lease: i64, limit: i64) -> Reply<'_, Vec<Job>> {
        std::future::ready(self.claim(now, lease, limit)).boxed()
    }

    fn next_due(&self) -> Reply<'_, Option<i64>> {
        std::future::ready(MemoryStore::next_due(self)).boxed()
    }

    fn finish_job(&self, id: i64) -> Reply<'_, ()> {
        self.lock().jobs.remove(&id);
        ready(())
    }

    fn release_job(&self, id: i64) -> Reply<'_, ()> {
        if let Some(job) = self.lock().jobs.get_mut(&id) {
            job.claimed_until = None;
        }
        ready(())
    }

    fn record<'a>(&'a self, id: &'a str) -> Reply<'a, Option<Record>> {
        let t = self.lock();
        ready(
            t.record_seq
                .get(id)
                .and_then(|seq| t.records.get(&(*seq, id.to_owned())))
                .cloned(),
        )
    }

    fn records(&self) -> Reply<'_, Vec<Record>> {
        ready(self.lock().records.values().rev().cloned().collect())
    }

    fn records_from(&self, from: i64, limit: i64) -> Reply<'_, Vec<Record>> {
        let t = self.lock();
        let upto = (
            Bound::Unbounded,
            Bound::Included((from, String::from("\u{10FFFF}"))),
        );
        ready(
            t.records
                .range::<(i64, String), _>(upto)
                .rev()
                .take(usize::try_from(limit).unwrap_or(usize::MAX))
                .map(|(_, r)| r.clone())
                .collect(),
        )
    }

    /// Every record's summary is made as it is read: what a database
    /// stores with the record.
    fn listed_records_from(&self, from: i64, limit: i64) -> Reply<'_, Vec<ListedRecord>> {
        let t = self.lock();
        let upto = (
            Bound::Unbounded,
            Bound::Included((from, String::from("\u{10FFFF}"))),
        );
        let listed = t
            .records
            .range::<(i64, String), _>(upto)
            .rev()
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|((seq, id), r)| Ok((*seq, id.clone(), Listed::Shown(record_listed(r)?))))
            .collect();
        std::future::ready(listed).boxed()
    }

    fn delete_record<'a>(&'a self, id: &'a str) -> Reply<'a, bool> {
        let mut t = self.lock();
        let Some(seq) = t.record_seq.remove(id) else {
            return ready(false);
        };
        let Some(gone) = t.records.remove(&(seq, id.to_owned())) else {
            return ready(false);
        };
        // Its resource's newest record is now the next newest, if any.
        let resource = key(&gone.attempt.resource);
        let next = t
            .records
            .iter()
            .rev()
            .find(|(_, r)| key(&r.attempt.resource) == resource)
            .map(|(at, _)| at.clone());
        match next {
            Some(at) => t.newest.insert(resource, at),
            None => t.newest.remove(&resource),
        };
        ready(true)
    }

    fn next_number(&self) -> Reply<'_, i64> {
        let mut t = self.lock();
        t.next_number = t.next_number.saturating_add(1);
        ready(t.next_number)
    }

    fn set_mode<'a>(&'a self, scope: &'a str, manual: Option<bool>) -> Reply<'a, ()> {
        let mut t = self.lock();
        match manual {
            Some(manual) => t.modes.insert(scope.to_owned(), manual),
            None => t.modes.remove(scope),
        };
        ready(())
    }

    fn modes(&self) -> Reply<'_, Vec<(String, bool)>> {
        let t = self.lock();
        ready(t.modes.iter().map(|(s, m)| (s.clone(), *m)).collect())
    }

    fn pending(&self) -> Reply<'_, Vec<Pending>> {
        std::future::ready(MemoryStore::pending(self)).boxed()
    }

    fn claim_job(&self, id: i64, now: i64, lease: i64) -> Reply<'_, Option<Job>> {
        ready(MemoryStore::claim_job(self, id, now, lease))
    }

    fn add_fault<'a>(&'a self, rule: &'a str) -> Reply<'a, i64> {
        let mut t = self.lock();
        t.next_fault = t.next_fault.saturating_add(1);
        let id = t.next_fault;
        let row = FaultRow {
            id,
            rule: rule.to_owned(),
            seen: 0,
            fired: 0,
        };
        t.faults.insert(id, row);
        ready(id)
    }

    fn faults(&self) -> Reply<'_, Vec<FaultRow>> {
        ready(self.lock().faults.values().cloned().collect())
    }

    fn clear_faults(&self) -> Reply<'_, ()> {
        self.lock().faults.clear();
        ready(())
    }

    fn match_fault(&self, id: i64) -> Reply<'_, Option<i64>> {
        let mut t = self.lock();
        ready(t.faults.get_mut(&id).map(|f| {
            f.seen = f.seen.saturating_add(1);
            f.seen
        }))
    }

    fn fire_fault(&self, id: i64) -> Reply<'_, ()> {
        if let Some(f) = self.lock().faults.get_mut(&id) {
            f.fired = f.fired.saturating_add(1);
        }
        ready(())
    }

    fn last_number(&self) -> Reply<'_, i64> {
        ready(self.lock().next_number)
    }

    fn replace<'a>(&'a self, contents: &'a Contents, modes: &'a [(String, bool)]) -> Reply<'a, ()> {
        let mut fresh = Tables::default();
        for row in &contents.rows {
            Self::write(&mut fresh, row, &Produced::default());
        }
        let produced = Produced {
            records: contents.records.clone(),
            jobs: contents.jobs.clone(),
        };
        Self::produce(&mut fresh, &produced);
        fresh.modes = modes.iter().cloned().collect();
        for f in &contents.faults {
            fresh.next_fault = fresh.next_fault.saturating_add(1);
            let id = fresh.next_fault;
            fresh.faults.insert(id, FaultRow { id, ..f.clone() });
        }
        fresh.next_number = contents.last_number;
        *self.lock() = fresh;
        ready(())
    }

    fn is_database(&self) -> bool {
        false
    }
}
