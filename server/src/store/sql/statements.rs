//! Every statement of the SQL store, written once with `$1` placeholders
//! and made in a dialect's style when the store opens.

use super::dialect::{Bind, Col, Dialect, Val};
use crate::store::codec::{
    decode_row, encode_snapshot, json, key, record_columns, revision_i64, snapshot_head,
};
use crate::store::{Expected, Produced, Row, StoreError};

/// The row columns every load reads, in order.
pub(super) const ROW: &str = "key, revision, snapshot, meta, listed";
pub(super) const ROW_COLS: [Col; 5] = [Col::Text, Col::Int, Col::Text, Col::Text, Col::Text];

/// The columns a page of a list reads of each row: its key and its
/// summary (a row without one is then read whole, by its key). Only those
/// two, so that PostgreSQL answers from an index that holds them
/// (migration 0008) without visiting the table.
pub(super) const LISTED_ROW_COLS: [Col; 2] = [Col::Text, Col::Text];

/// The columns a page of ListDeployments reads of each record: its place,
/// its id and its summary (a record without one is then read whole, by its
/// id), from an index that holds them on PostgreSQL (migration 0008).
pub(super) const LISTED_RECORD_COLS: [Col; 3] = [Col::Int, Col::Text, Col::Text];

/// The compare-and-set's condition: the row still holds the revision read
/// (in its column and its snapshot) and the meta read; all three are NULL
/// when compare-and-set is off.
const STILL_AS_READ: &str = "revision = COALESCE($5, revision) \
     AND (CAST($6 AS TEXT) IS NULL OR substr(snapshot, 1, length(CAST($6 AS TEXT))) = $6) \
     AND (CAST($7 AS TEXT) IS NULL OR meta = $7)";

/// Whether the engine mode of a job's resource holds it for a control
/// call: the resource's own mode, or else the mode of every resource
/// (scope `''`), or else automatic.
const HELD: &str = "COALESCE((SELECT m.manual FROM engine_modes m WHERE m.resource = jobs.resource), \
     (SELECT m.manual FROM engine_modes m WHERE m.resource = ''), 0)";

/// The statements, in one dialect's placeholders, made once at open.
#[derive(Debug)]
pub(super) struct Statements {
    pub(super) load: String,
    pub(super) load_for_write: String,
    pub(super) load_all: String,
    pub(super) load_range: String,
    pub(super) list_range: String,
    pub(super) insert: String,
    pub(super) update: String,
    pub(super) put_record: String,
    pub(super) put_job: String,
    pub(super) claim: String,
    pub(super) next_due: String,
    pub(super) finish: String,
    pub(super) release: String,
    pub(super) record: String,
    pub(super) records: String,
    pub(super) records_from: String,
    pub(super) listed_records_from: String,
    pub(super) delete_record: String,
    pub(super) next_number: String,
    pub(super) next_numbers: String,
    pub(super) commit: Option<String>,
    pub(super) set_mode: String,
    pub(super) unset_mode: String,
    pub(super) modes: String,
    pub(super) pending: String,
    pub(super) claim_job: String,
    pub(super) add_fault: String,
    pub(super) faults: String,
    pub(super) clear_faults: String,
    pub(super) match_fault: String,
    pub(super) fire_fault: String,
    pub(super) last_number: String,
    pub(super) set_number: String,
    pub(super) put_fault: String,
}

/// What a replacement of the whole store deletes first, in order.
pub(super) const EVERY_TABLE: [&str; 5] = [
    "DELETE FROM resources",
    "DELETE FROM deployments",
    "DELETE FROM jobs",
    "DELETE FROM engine_modes",
    "DELETE FROM faults",
];

impl Statements {
    pub(super) fn of<D: Dialect>() -> Self {
        let s = |sql: &str| D::placeholders(sql);
        Self {
            load: s(&format!("SELECT {ROW} FROM resources WHERE key = $1")),
            load_for_write: s(&format!(
                "SELECT {ROW}, (SELECT d.record FROM deployments d \
                 WHERE d.resource = r.key ORDER BY d.seq DESC LIMIT 1) AS record \
                 FROM resources r WHERE r.key = $1"
            )),
            load_all: s(&format!("SELECT {ROW} FROM resources ORDER BY key")),
            load_range: s(&joined::<D>(
                "key || {US} || CAST(revision AS TEXT) || {US} || snapshot || {US} || meta \
                 || {US} || COALESCE(listed, '')",
                &format!(
                    "SELECT {ROW} FROM resources \
                     WHERE key >= $1 AND key < $2 ORDER BY key LIMIT $3"
                ),
            )),
            list_range: s(&joined::<D>(
                "key || {US} || COALESCE(listed, '')",
                "SELECT key, listed FROM resources \
                 WHERE key >= $1 AND key < $2 ORDER BY key LIMIT $3",
            )),
            insert: s(
                "INSERT INTO resources (key, revision, snapshot, meta, listed) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO NOTHING RETURNING key",
            ),
            update: s(&format!(
                "UPDATE resources SET revision = $1, snapshot = $2, meta = $3, listed = $8 \
                 WHERE key = $4 AND {STILL_AS_READ} RETURNING key"
            )),
            put_record: s(
                "INSERT INTO deployments (id, seq, resource, record, listed) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (id) DO UPDATE SET record = excluded.record, listed = excluded.listed",
            ),
            put_job: s("INSERT INTO jobs (due_ms, resource, payload) VALUES ($1, $2, $3)"),
            claim: s(&format!(
                "UPDATE jobs SET claimed_until = $1 WHERE id IN (SELECT id FROM jobs \
                 WHERE due_ms <= $2 AND (claimed_until IS NULL OR claimed_until < $2) \
                 AND {HELD} = 0 \
                 ORDER BY due_ms, id LIMIT $3{}) RETURNING id, due_ms, resource, payload",
                D::CLAIM_LOCK
            )),
            // A job under a live lease can next be claimed when the lease
            // ends (a claim takes jobs whose lease is below now), not when
            // it fell due: a worker that took the due time would wake at
            // once, claim nothing, and ask again until the lease ends.
            next_due: s(&format!(
                "SELECT MIN(CASE WHEN claimed_until IS NOT NULL AND claimed_until >= due_ms \
                 THEN claimed_until + 1 ELSE due_ms END) AS due FROM jobs WHERE {HELD} = 0"
            )),
            finish: s("DELETE FROM jobs WHERE id = $1"),
            release: s("UPDATE jobs SET claimed_until = NULL WHERE id = $1"),
            record: s("SELECT record FROM deployments WHERE id = $1"),
            records: s("SELECT id, record FROM deployments ORDER BY seq DESC, id DESC"),
            records_from: s(&joined::<D>(
                "id || {US} || record",
                "SELECT id, record, seq FROM deployments WHERE seq <= $1 \
                 ORDER BY seq DESC, id DESC LIMIT $2",
            )),
            listed_records_from: s(&joined::<D>(
                "CAST(seq AS TEXT) || {US} || id || {US} || COALESCE(listed, '')",
                "SELECT seq, id, listed FROM deployments WHERE seq <= $1 \
                 ORDER BY seq DESC, id DESC LIMIT $2",
            )),
            delete_record: s("DELETE FROM deployments WHERE id = $1 RETURNING id"),
            next_number: s(D::NEXT_NUMBER),
            next_numbers: s(D::NEXT_NUMBERS),
            commit: D::ONE_STATEMENT_COMMIT.map(s),
            set_mode: s(
                "INSERT INTO engine_modes (resource, manual) VALUES ($1, $2) \
                 ON CONFLICT (resource) DO UPDATE SET manual = excluded.manual",
            ),
            unset_mode: s("DELETE FROM engine_modes WHERE resource = $1"),
            modes: s("SELECT resource, manual FROM engine_modes ORDER BY resource"),
            pending: s(&format!(
                "SELECT id, due_ms, resource, payload, {HELD} AS held FROM jobs \
                 ORDER BY due_ms, id"
            )),
            claim_job: s("UPDATE jobs SET claimed_until = $1 \
                 WHERE id = $3 AND (claimed_until IS NULL OR claimed_until < $2) \
                 RETURNING id, due_ms, resource, payload"),
            add_fault: s("INSERT INTO faults (rule) VALUES ($1) RETURNING id"),
            faults: s("SELECT id, rule, seen, fired FROM faults ORDER BY id"),
            clear_faults: s("DELETE FROM faults"),
            match_fault: s("UPDATE faults SET seen = seen + 1 WHERE id = $1 RETURNING seen"),
            fire_fault: s("UPDATE faults SET fired = fired + 1 WHERE id = $1"),
            last_number: s(D::LAST_NUMBER),
            set_number: s(D::SET_NUMBER),
            put_fault: s("INSERT INTO faults (rule, seen, fired) VALUES ($1, $2, $3)"),
        }
    }
}

/// The unit separator (U+001F) between a row's columns in [`joined`]'s
/// text, and the record separator (U+001E) between rows. JSON text never
/// holds either raw (serde_json escapes every control character), nor do
/// keys, ids and numbers.
pub(super) const UNIT: char = '\u{1f}';
pub(super) const RECORD: char = '\u{1e}';

/// In a dialect that reads pages joined ([`Dialect::JOINED_ROWS`]), a
/// statement that answers the rows `inner` selects as one text value: each
/// row's `columns` (an expression in which `{US}` stands for the unit
/// separator), rows joined by the record separator, or NULL when there are
/// none. One row instead of many: sqlx's SQLite driver hands each row from
/// its worker thread to the caller as a message of its own, and joining a
/// page of 100 cut its time by 8–15 % there (docs/performance.md). In the
/// others, `inner` as it is.
///
/// The aggregate is given no order: the order of the joined rows is then
/// SQLite's to choose, so every reader sorts the rows it splits (input in
/// order already, so a pass that finds them sorted). An `ORDER BY` inside
/// the aggregate made SQLite sort them again through a temporary b-tree:
/// 17 % of a page's instructions (callgrind, docs/performance.md).
fn joined<D: Dialect>(columns: &str, inner: &str) -> String {
    let Some((join, char)) = D::JOINED_ROWS else {
        return inner.to_owned();
    };
    let columns = columns.replace("{US}", &format!("{char}(31)"));
    format!("SELECT {join}({columns}, {char}(30)) FROM ({inner}) AS page")
}

/// One statement to run with its values.
pub(super) type Statement<'a> = (&'a str, Vec<Bind>);

impl Statements {
    /// The statements that write what a change produced.
    pub(super) fn produced(&self, produced: &Produced) -> Result<Vec<Statement<'_>>, StoreError> {
        let mut statements = Vec::new();
        for r in &produced.records {
            statements.push((self.put_record.as_str(), {
                let c = record_columns(r)?;
                vec![
                    Bind::text(c.id),
                    Bind::int(c.seq),
                    Bind::text(c.resource),
                    Bind::text(c.record),
                    Bind::text(c.listed),
                ]
            }));
        }
        for j in &produced.jobs {
            statements.push((
                self.put_job.as_str(),
                vec![
                    Bind::int(j.due.as_millis()),
                    Bind::text(json(&j.resource, "job resource")?),
                    Bind::text(j.payload.clone()),
                ],
            ));
        }
        Ok(statements)
    }

    /// The binds of an insert of `row`.
    pub(super) fn insert(row: &Row) -> Result<Vec<Bind>, StoreError> {
        Ok(vec![
            Bind::text(key(row.deployment.resource())),
            Bind::int(revision_i64(row.deployment.revision())),
            Bind::text(encode_snapshot(row)?),
            Bind::text(row.meta.clone()),
            Bind::Text(row.listed.clone()),
        ])
    }

    /// The binds of the compare-and-set: the new row (`$1`–`$4`, and its
    /// summary `$8`) and what must still be there (`$5`–`$7`).
    pub(super) fn compare_and_set(
        expected: Option<&Expected>,
        row: &Row,
    ) -> Result<Vec<Bind>, StoreError> {
        Ok(vec![
            Bind::int(revision_i64(row.deployment.revision())),
            Bind::text(encode_snapshot(row)?),
            Bind::text(row.meta.clone()),
            Bind::text(key(row.deployment.resource())),
            Bind::Int(expected.map(|e| revision_i64(e.revision))),
            Bind::Text(expected.map(|e| snapshot_head(e.revision))),
            Bind::Text(expected.map(|e| e.meta.clone())),
            Bind::Text(row.listed.clone()),
        ])
    }
}

/// A row from the [`ROW`] columns.
pub(super) fn row_of(cols: Vec<Val>) -> Result<Row, StoreError> {
    let mut cols = cols.into_iter();
    let mut next = || cols.next().unwrap_or(Val::Null);
    let key = next().text().unwrap_or_default();
    let revision = next().int().unwrap_or(-1);
    let snapshot = next().text().unwrap_or_default();
    let meta = next().text().unwrap_or_default();
    let listed = next().text();
    decode_row(&key, revision, &snapshot, (meta, listed))
}
