//! The cache that lets a write skip its read.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::record::Record;
use proton_cancel::ResourceId;

use crate::store::Row;

/// How many resources [`WriteCache`] holds at most.
const WRITE_CACHE_LIMIT: usize = 100_000;

/// The rows this process last committed, with each resource's newest
/// record, so a write can skip its read: the compare-and-set is made on the
/// cached row, and a row changed meanwhile (by another replica, or behind
/// the server's back) answers Stale, which drops the entry and re-reads.
/// An outcome computed on a cached row that writes nothing (a rejection, an
/// ignored report) is computed again on a fresh read before it is
/// answered, so no answer rests on a cached row that the database did not
/// confirm. Reads (Get*) never use it. Bounded: when full, it starts again
/// empty.
#[derive(Default)]
pub(crate) struct WriteCache {
    enabled: bool,
    rows: Mutex<HashMap<ResourceId, (Row, Option<Record>)>>,
}

impl WriteCache {
    /// A cache, or one that holds nothing when `enabled` is false (a
    /// memory store, whose reads cost nothing).
    pub(crate) fn new(enabled: bool) -> Self {
        Self {
            enabled,
            rows: Mutex::default(),
        }
    }

    pub(crate) fn take(&self, id: &ResourceId) -> Option<(Row, Option<Record>)> {
        if !self.enabled {
            return None;
        }
        self.rows
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .cloned()
    }

    pub(crate) fn put(&self, id: ResourceId, row: Row, newest: Option<Record>) {
        if !self.enabled {
            return;
        }
        let mut rows = self.rows.lock().unwrap_or_else(|p| p.into_inner());
        if rows.len() >= WRITE_CACHE_LIMIT && !rows.contains_key(&id) {
            rows.clear();
        }
        rows.insert(id, (row, newest));
    }

    /// Forgets every resource (the whole state was replaced).
    pub(crate) fn clear(&self) {
        self.rows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }

    pub(crate) fn forget(&self, id: &ResourceId) {
        if self.enabled {
            self.rows
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(id);
        }
    }
}
