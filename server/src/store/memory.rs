//! The in-memory backend, for tests: the same compare-and-set and job rules
//! as the databases, under one lock.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard};

use futures_util::FutureExt as _;
use proton_cancel::{ResourceId, Timestamp};

use super::codec::record_listed;
use super::{
    Backend, BackendPut, Change, Expected, ForWrite, Job, Listed, ListedRecord, ListedRow,
    Produced, Record, Reply, Row, Written, key,
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

    fn claim(&self, now: i64, lease: i64, limit: i64) -> Vec<Job> {
        let mut t = self.lock();
        let mut due: Vec<(i64, i64)> = t
            .jobs
            .iter()
            .filter(|(_, j)| j.due <= now && j.claimed_until.is_none_or(|c| c < now))
            .map(|(id, j)| (j.due, *id))
            .collect();
        due.sort_unstable();
        due.truncate(usize::try_from(limit).unwrap_or(0));
        let mut claimed = Vec::new();
        for (due, id) in due {
            if let Some(job) = t.jobs.get_mut(&id) {
                job.claimed_until = Some(now.saturating_add(lease));
                claimed.push(Job {
                    id,
                    due: Timestamp::from_millis(due),
                    resource: job.resource.clone(),
                    payload: job.payload.clone(),
                });
            }
        }
        claimed
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
        ready(self.claim(now, lease, limit))
    }

    fn next_due(&self) -> Reply<'_, Option<i64>> {
        ready(self.lock().jobs.values().map(|j| j.due).min())
    }

    fn finish_job(&self, id: i64) -> Reply<'_, ()> {
        self.lock().jobs.remove(&id);
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

    fn is_database(&self) -> bool {
        false
    }
}
