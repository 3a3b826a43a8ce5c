//! The SQL backends: one store over a [`Dialect`], SQLite's or
//! PostgreSQL's. Every statement is written once, with PostgreSQL's `$1`
//! placeholders (SQLite reads the same text with `?1`); a dialect adds only
//! what differs: how a claim locks, how deployment numbers are drawn, and
//! whether a commit is one statement.

use std::cmp::Reverse;

use futures_util::FutureExt as _;
use sqlx::{Connection as _, Database, Row as _};

mod control;
mod dialect;
mod statements;

use dialect::Dialect;
use dialect::{Bind, Col, Val};
pub(super) use dialect::{open_postgres, open_sqlite};
use statements::{LISTED_RECORD_COLS, LISTED_ROW_COLS, ROW_COLS, Statement, Statements, row_of};

use super::codec::{decode_record, decode_resource, decode_row, json, record_columns};
use super::connections::Connections;
use super::{
    Backend, BackendPut, Change, Contents, Expected, FaultRow, ForWrite, Job, Listed, ListedRecord,
    ListedRow, Pending, Produced, Record, Reply, Row, StoreError, Written,
};

/// A job from a claim's columns: id, due time, resource, payload.
fn job_of(cols: Vec<Val>) -> Result<Job, StoreError> {
    let mut cols = cols.into_iter();
    let mut next = || cols.next().unwrap_or(Val::Null);
    let id = next().int().unwrap_or_default();
    let due = next().int().unwrap_or_default();
    let resource = decode_resource(id, &next().text().unwrap_or_default())?;
    let payload = next().text().unwrap_or_default();
    Ok(Job {
        id,
        due: proton_cancel::Timestamp::from_millis(due),
        resource,
        payload,
    })
}

/// The rows of a joined text (see `statements::joined`), each split into
/// its `N` columns; a row with another count is a corrupt row.
fn split_rows<const N: usize>(text: &str) -> impl Iterator<Item = Result<[&str; N], StoreError>> {
    text.split(statements::RECORD)
        .filter(|row| !row.is_empty())
        .map(|row| {
            let mut cols = row.split(statements::UNIT);
            let mut out = [""; N];
            for slot in &mut out {
                *slot = cols.next().ok_or_else(|| corrupt(row))?;
            }
            if cols.next().is_some() {
                return Err(corrupt(row));
            }
            Ok(out)
        })
}

/// A statement with its values bound.
fn bound<D: Dialect>((sql, binds): Statement<'_>) -> dialect::Q<'_, D::Db> {
    let mut query = sqlx::query(sql);
    for b in binds {
        query = D::bind(query, b);
    }
    query
}

fn corrupt(row: &str) -> StoreError {
    StoreError::Corrupt {
        key: row.chars().take(60).collect(),
        reason: "a page's row does not have the columns the statement joined".to_owned(),
    }
}

/// A SQL store in dialect `D`.
struct SqlStore<D: Dialect> {
    connections: Connections<D::Db>,
    statements: Statements,
}

impl<D: Dialect> std::fmt::Debug for SqlStore<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlStore")
            .field("connections", &self.connections)
            .finish_non_exhaustive()
    }
}

/// How the store talks to its database: rows read by one statement, and
/// statements run in one transaction. What sqlx asks of a database for
/// them is stated here, once.
trait Queries {
    fn fetch(
        &self,
        sql: &str,
        binds: Vec<Bind>,
        cols: &[Col],
    ) -> impl Future<Output = Result<Vec<Vec<Val>>, StoreError>> + Send;

    fn transaction(
        &self,
        statements: Vec<Statement<'_>>,
        checked: usize,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    fn transaction_each(
        &self,
        groups: Vec<Guarded<'_>>,
    ) -> impl Future<Output = Result<Vec<bool>, StoreError>> + Send;
}

/// A statement and those that follow it only if it returns a row.
type Guarded<'s> = (Statement<'s>, Vec<Statement<'s>>);

impl<D: Dialect> Queries for SqlStore<D>
where
    for<'c> &'c mut <D::Db as Database>::Connection: sqlx::Executor<'c, Database = D::Db>,
    for<'q> <D::Db as Database>::Arguments<'q>: sqlx::IntoArguments<'q, D::Db>,
    String: for<'r> sqlx::Decode<'r, D::Db> + sqlx::Type<D::Db>,
    i64: for<'r> sqlx::Decode<'r, D::Db> + sqlx::Type<D::Db>,
    usize: sqlx::ColumnIndex<<D::Db as Database>::Row>,
{
    /// Runs `sql` with `binds` and reads each row's columns as `cols` say.
    async fn fetch(
        &self,
        sql: &str,
        binds: Vec<Bind>,
        cols: &[Col],
    ) -> Result<Vec<Vec<Val>>, StoreError> {
        let query = bound::<D>((sql, binds));
        let mut c = self.connections.get().await?;
        let rows = query.fetch_all(c.conn()).await;
        let rows = c.done(rows)?;
        rows.iter()
            .map(|row| {
                cols.iter()
                    .enumerate()
                    .map(|(i, col)| {
                        Ok(match col {
                            Col::Text => row
                                .try_get::<Option<String>, _>(i)?
                                .map_or(Val::Null, Val::Text),
                            Col::Int => row
                                .try_get::<Option<i64>, _>(i)?
                                .map_or(Val::Null, Val::Int),
                        })
                    })
                    .collect()
            })
            .collect()
    }

    /// Runs `statements` in one transaction if each of the first `checked`
    /// returns a row (it changed one); otherwise writes nothing. Whether it
    /// did.
    async fn transaction(
        &self,
        statements: Vec<Statement<'_>>,
        checked: usize,
    ) -> Result<bool, StoreError> {
        let mut c = self.connections.get().await?;
        let written = async {
            let mut tx = c.conn().begin().await?;
            for (i, statement) in statements.into_iter().enumerate() {
                let query = bound::<D>(statement);
                if i < checked {
                    if query.fetch_optional(&mut *tx).await?.is_none() {
                        tx.rollback().await?;
                        return Ok(false);
                    }
                } else {
                    query.execute(&mut *tx).await?;
                }
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(true)
        }
        .await;
        Ok(c.done(written)?)
    }

    /// Runs each group in one transaction: its first statement, and the
    /// rest only if that one returns a row. For each group, whether it did.
    async fn transaction_each(&self, groups: Vec<Guarded<'_>>) -> Result<Vec<bool>, StoreError> {
        let mut c = self.connections.get().await?;
        let written = async {
            let mut tx = c.conn().begin().await?;
            let mut done = Vec::with_capacity(groups.len());
            for (guard, rest) in groups {
                let went = bound::<D>(guard).fetch_optional(&mut *tx).await?.is_some();
                if went {
                    for statement in rest {
                        bound::<D>(statement).execute(&mut *tx).await?;
                    }
                }
                done.push(went);
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(done)
        }
        .await;
        Ok(c.done(written)?)
    }
}

impl<D: Dialect> SqlStore<D>
where
    Self: Queries,
{
    fn new(pool: sqlx::Pool<D::Db>) -> Self {
        Self {
            connections: Connections::new(pool),
            statements: Statements::of::<D>(),
        }
    }

    /// The one integer `sql` answers (its first row's first column), if
    /// it answers a row.
    async fn one_int(&self, sql: &str, binds: Vec<Bind>) -> Result<Option<i64>, StoreError> {
        let rows = self.fetch(sql, binds, &[Col::Int]).await?;
        Ok(rows.into_iter().flatten().next().and_then(Val::int))
    }

    /// The rows `sql` selects for the resource `key`.
    async fn by_key(
        &self,
        sql: &str,
        key: &str,
        cols: &[Col],
    ) -> Result<Vec<Vec<Val>>, StoreError> {
        self.fetch(sql, vec![Bind::text(key.to_owned())], cols)
            .await
    }

    fn rows(rows: Vec<Vec<Val>>) -> Result<Vec<Row>, StoreError> {
        rows.into_iter().map(row_of).collect()
    }

    /// The one text value a [`statements::joined`] statement answers
    /// (empty when it selected no row).
    async fn joined_text(&self, sql: &str, binds: Vec<Bind>) -> Result<String, StoreError> {
        let rows = self.fetch(sql, binds, &[Col::Text]).await?;
        Ok(rows
            .into_iter()
            .flatten()
            .next()
            .and_then(Val::text)
            .unwrap_or_default())
    }

    /// The records `sql` selects (id and record columns) with `binds`.
    fn records_by<'a>(&'a self, sql: &'a str, binds: Vec<Bind>) -> Reply<'a, Vec<Record>> {
        async move {
            let rows = self.fetch(sql, binds, &[Col::Text, Col::Text]).await?;
            rows.into_iter()
                .map(|cols| {
                    let mut cols = cols.into_iter().map(|c| c.text().unwrap_or_default());
                    let id = cols.next().unwrap_or_default();
                    decode_record(&id, &cols.next().unwrap_or_default())
                })
                .collect()
        }
        .boxed()
    }

    async fn commit_in_one(
        &self,
        sql: &str,
        mut binds: Vec<Bind>,
        produced: &Produced,
    ) -> Result<bool, StoreError> {
        let (mut ids, mut seqs, mut resources) = (vec![], vec![], vec![]);
        let (mut records, mut listed) = (vec![], vec![]);
        for r in &produced.records {
            let c = record_columns(r)?;
            ids.push(c.id);
            seqs.push(c.seq);
            resources.push(c.resource);
            records.push(c.record);
            listed.push(c.listed);
        }
        let (mut dues, mut job_resources, mut payloads) = (vec![], vec![], vec![]);
        for j in &produced.jobs {
            dues.push(j.due.as_millis());
            job_resources.push(json(&j.resource, "job resource")?);
            payloads.push(j.payload.clone());
        }
        binds.extend([
            Bind::Texts(ids),
            Bind::Ints(seqs),
            Bind::Texts(resources),
            Bind::Texts(records),
            Bind::Texts(listed),
            Bind::Ints(dues),
            Bind::Texts(job_resources),
            Bind::Texts(payloads),
        ]);
        Ok(!self.fetch(sql, binds, &[Col::Text]).await?.is_empty())
    }
}

impl<D: Dialect> Backend for SqlStore<D>
where
    Self: Queries,
{
    fn load<'a>(&'a self, key: &'a str) -> Reply<'a, Option<Row>> {
        async move {
            let rows = self.by_key(&self.statements.load, key, &ROW_COLS).await?;
            Ok(Self::rows(rows)?.pop())
        }
        .boxed()
    }

    fn load_for_write<'a>(&'a self, key: &'a str) -> Reply<'a, Option<ForWrite>> {
        async move {
            let cols = [
                Col::Text,
                Col::Int,
                Col::Text,
                Col::Text,
                Col::Text,
                Col::Text,
            ];
            let rows = self
                .by_key(&self.statements.load_for_write, key, &cols)
                .await?;
            let Some(mut cols) = rows.into_iter().next() else {
                return Ok(None);
            };
            let record = cols.pop().and_then(Val::text);
            let row = row_of(cols)?;
            let record = record.map(|r| decode_record(key, &r)).transpose()?;
            Ok(Some((row, record)))
        }
        .boxed()
    }

    fn load_all(&self) -> Reply<'_, Vec<Row>> {
        async move {
            Self::rows(
                self.fetch(&self.statements.load_all, vec![], &ROW_COLS)
                    .await?,
            )
        }
        .boxed()
    }

    fn load_range<'a>(&'a self, from: &'a str, to: &'a str, limit: i64) -> Reply<'a, Vec<Row>> {
        async move {
            let binds = vec![
                Bind::text(from.to_owned()),
                Bind::text(to.to_owned()),
                Bind::int(limit),
            ];
            if D::JOINED_ROWS.is_none() {
                let rows = self
                    .fetch(&self.statements.load_range, binds, &ROW_COLS)
                    .await?;
                return Self::rows(rows);
            }
            let text = self.joined_text(&self.statements.load_range, binds).await?;
            let mut rows = split_rows::<5>(&text)
                .map(|cols| {
                    let [key, revision, snapshot, meta, listed] = cols?;
                    let revision = revision.parse().unwrap_or(-1);
                    let listed = (!listed.is_empty()).then(|| listed.to_owned());
                    Ok((
                        key,
                        decode_row(key, revision, snapshot, (meta.to_owned(), listed))?,
                    ))
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            rows.sort_by(|a, b| a.0.cmp(b.0));
            Ok(rows.into_iter().map(|(_, row)| row).collect())
        }
        .boxed()
    }

    fn list_range<'a>(
        &'a self,
        from: &'a str,
        to: &'a str,
        limit: i64,
    ) -> Reply<'a, Vec<ListedRow>> {
        async move {
            let binds = vec![
                Bind::text(from.to_owned()),
                Bind::text(to.to_owned()),
                Bind::int(limit),
            ];
            let sql = &self.statements.list_range;
            let mut rows: Vec<(String, Option<String>)> = if D::JOINED_ROWS.is_none() {
                let rows = self.fetch(sql, binds, &LISTED_ROW_COLS).await?;
                rows.into_iter()
                    .map(|cols| {
                        let mut cols = cols.into_iter();
                        let key = cols.next().and_then(Val::text).unwrap_or_default();
                        (key, cols.next().and_then(Val::text))
                    })
                    .collect()
            } else {
                let text = self.joined_text(sql, binds).await?;
                split_rows::<2>(&text)
                    .map(|cols| {
                        let [key, listed] = cols?;
                        Ok((
                            key.to_owned(),
                            (!listed.is_empty()).then(|| listed.to_owned()),
                        ))
                    })
                    .collect::<Result<_, StoreError>>()?
            };
            rows.sort_by(|a, b| a.0.cmp(&b.0));
            let mut listed = Vec::with_capacity(rows.len());
            for (key, summary) in rows {
                match summary {
                    Some(text) => listed.push((key, Listed::Shown(text))),
                    // Deleted, or stored before summaries were: read whole
                    // (unless it went meanwhile).
                    None => {
                        if let Some(row) = self.load(&key).await? {
                            listed.push((key, Listed::Whole(row)));
                        }
                    }
                }
            }
            Ok(listed)
        }
        .boxed()
    }

    fn write_together<'a>(
        &'a self,
        puts: Vec<BackendPut<'a>>,
        produced: &'a Produced,
    ) -> Reply<'a, Written> {
        async move {
            let checked = puts.len();
            let mut statements = Vec::with_capacity(checked);
            for put in puts {
                statements.push(match put {
                    BackendPut::Insert(row) => {
                        (self.statements.insert.as_str(), Statements::insert(row)?)
                    }
                    BackendPut::Replace(expected, row) => (
                        self.statements.update.as_str(),
                        Statements::compare_and_set(expected, row)?,
                    ),
                });
            }
            statements.extend(self.statements.produced(produced)?);
            Ok(if self.transaction(statements, checked).await? {
                Written::Committed
            } else {
                Written::Stale
            })
        }
        .boxed()
    }

    fn insert<'a>(&'a self, row: &'a Row, produced: &'a Produced) -> Reply<'a, bool> {
        async move {
            let mut statements = vec![(self.statements.insert.as_str(), Statements::insert(row)?)];
            statements.extend(self.statements.produced(produced)?);
            self.transaction(statements, 1).await
        }
        .boxed()
    }

    fn insert_each<'a>(&'a self, rows: &'a [(Row, Produced)]) -> Reply<'a, Vec<bool>> {
        async move {
            let mut groups = Vec::with_capacity(rows.len());
            for (row, produced) in rows {
                groups.push((
                    (self.statements.insert.as_str(), Statements::insert(row)?),
                    self.statements.produced(produced)?,
                ));
            }
            self.transaction_each(groups).await
        }
        .boxed()
    }

    fn commit<'a>(&'a self, expected: Option<&'a Expected>, new: Change<'a>) -> Reply<'a, Written> {
        let (row, produced) = new;
        async move {
            let binds = Statements::compare_and_set(expected, row)?;
            let committed = match &self.statements.commit {
                Some(one) => self.commit_in_one(one, binds, produced).await?,
                None => {
                    let mut statements = vec![(self.statements.update.as_str(), binds)];
                    statements.extend(self.statements.produced(produced)?);
                    self.transaction(statements, 1).await?
                }
            };
            Ok(if committed {
                Written::Committed
            } else {
                Written::Stale
            })
        }
        .boxed()
    }

    fn claim_due(&self, now: i64, lease: i64, limit: i64) -> Reply<'_, Vec<Job>> {
        async move {
            let binds = vec![
                Bind::int(now.saturating_add(lease)),
                Bind::int(now),
                Bind::int(limit),
            ];
            let cols = [Col::Int, Col::Int, Col::Text, Col::Text];
            let rows = self.fetch(&self.statements.claim, binds, &cols).await?;
            rows.into_iter().map(job_of).collect()
        }
        .boxed()
    }

    fn next_due(&self) -> Reply<'_, Option<i64>> {
        async move {
            let rows = self
                .fetch(&self.statements.next_due, vec![], &[Col::Int])
                .await?;
            Ok(rows.into_iter().flatten().next().and_then(Val::int))
        }
        .boxed()
    }

    fn finish_job(&self, id: i64) -> Reply<'_, ()> {
        async move {
            self.fetch(&self.statements.finish, vec![Bind::int(id)], &[])
                .await?;
            Ok(())
        }
        .boxed()
    }

    fn release_job(&self, id: i64) -> Reply<'_, ()> {
        async move {
            self.fetch(&self.statements.release, vec![Bind::int(id)], &[])
                .await?;
            Ok(())
        }
        .boxed()
    }

    fn record<'a>(&'a self, id: &'a str) -> Reply<'a, Option<Record>> {
        async move {
            let rows = self
                .fetch(
                    &self.statements.record,
                    vec![Bind::text(id.to_owned())],
                    &[Col::Text],
                )
                .await?;
            rows.into_iter()
                .flatten()
                .next()
                .and_then(Val::text)
                .map(|r| decode_record(id, &r))
                .transpose()
        }
        .boxed()
    }

    fn records(&self) -> Reply<'_, Vec<Record>> {
        self.records_by(&self.statements.records, vec![])
    }

    fn records_from(&self, from: i64, limit: i64) -> Reply<'_, Vec<Record>> {
        async move {
            let binds = vec![Bind::int(from), Bind::int(limit)];
            if D::JOINED_ROWS.is_none() {
                return self.records_by(&self.statements.records_from, binds).await;
            }
            let text = self
                .joined_text(&self.statements.records_from, binds)
                .await?;
            let mut records = split_rows::<2>(&text)
                .map(|cols| {
                    let [id, record] = cols?;
                    decode_record(id, record)
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            records.sort_by_cached_key(|r| Reverse((r.seq(), r.attempt.deployment_id.to_string())));
            Ok(records)
        }
        .boxed()
    }

    fn listed_records_from(&self, from: i64, limit: i64) -> Reply<'_, Vec<ListedRecord>> {
        async move {
            let binds = vec![Bind::int(from), Bind::int(limit)];
            let sql = &self.statements.listed_records_from;
            let mut records: Vec<(i64, String, Option<String>)> = if D::JOINED_ROWS.is_none() {
                let rows = self.fetch(sql, binds, &LISTED_RECORD_COLS).await?;
                rows.into_iter()
                    .map(|cols| {
                        let mut cols = cols.into_iter();
                        let seq = cols.next().and_then(Val::int).unwrap_or(-1);
                        let id = cols.next().and_then(Val::text).unwrap_or_default();
                        (seq, id, cols.next().and_then(Val::text))
                    })
                    .collect()
            } else {
                let text = self.joined_text(sql, binds).await?;
                split_rows::<3>(&text)
                    .map(|cols| {
                        let [seq, id, listed] = cols?;
                        let listed = (!listed.is_empty()).then(|| listed.to_owned());
                        Ok((seq.parse().unwrap_or(-1), id.to_owned(), listed))
                    })
                    .collect::<Result<_, StoreError>>()?
            };
            records.sort_by(|a, b| (b.0, &b.1).cmp(&(a.0, &a.1)));
            let mut listed = Vec::with_capacity(records.len());
            for (seq, id, summary) in records {
                match summary {
                    Some(text) => listed.push((seq, id, Listed::Shown(text))),
                    // Stored before summaries were: read whole (unless it
                    // went meanwhile).
                    None => {
                        if let Some(record) = self.record(&id).await? {
                            listed.push((seq, id, Listed::Whole(record)));
                        }
                    }
                }
            }
            Ok(listed)
        }
        .boxed()
    }

    fn delete_record<'a>(&'a self, id: &'a str) -> Reply<'a, bool> {
        async move {
            let rows = self
                .fetch(
                    &self.statements.delete_record,
                    vec![Bind::text(id.to_owned())],
                    &[Col::Text],
                )
                .await?;
            Ok(!rows.is_empty())
        }
        .boxed()
    }

    fn next_number(&self) -> Reply<'_, i64> {
        async move {
            let n = self.one_int(&self.statements.next_number, vec![]).await?;
            Ok(n.unwrap_or_default())
        }
        .boxed()
    }

    fn next_numbers(&self, n: usize) -> Reply<'_, Vec<i64>> {
        async move {
            if n == 0 {
                return Ok(Vec::new());
            }
            let count = i64::try_from(n).unwrap_or(i64::MAX);
            let rows = self
                .fetch(
                    &self.statements.next_numbers,
                    vec![Bind::int(count)],
                    &[Col::Int],
                )
                .await?;
            let mut drawn: Vec<i64> = rows.into_iter().flatten().filter_map(Val::int).collect();
            if D::NUMBERS_AS_LAST {
                // One row: the last of `n` consecutive numbers.
                let last = drawn.first().copied().unwrap_or_default();
                drawn = (last.saturating_sub(count - 1)..=last).collect();
            }
            drawn.sort_unstable();
            Ok(drawn)
        }
        .boxed()
    }

    fn set_mode<'a>(&'a self, scope: &'a str, manual: Option<bool>) -> Reply<'a, ()> {
        self.put_mode(scope, manual).boxed()
    }

    fn modes(&self) -> Reply<'_, Vec<(String, bool)>> {
        self.read_modes().boxed()
    }

    fn pending(&self) -> Reply<'_, Vec<Pending>> {
        self.read_pending().boxed()
    }

    fn claim_job(&self, id: i64, now: i64, lease: i64) -> Reply<'_, Option<Job>> {
        self.claim_one(id, now, lease).boxed()
    }

    fn add_fault<'a>(&'a self, rule: &'a str) -> Reply<'a, i64> {
        self.insert_fault(rule).boxed()
    }

    fn faults(&self) -> Reply<'_, Vec<FaultRow>> {
        self.read_faults().boxed()
    }

    fn clear_faults(&self) -> Reply<'_, ()> {
        self.delete_faults().boxed()
    }

    fn match_fault(&self, id: i64) -> Reply<'_, Option<i64>> {
        self.count_match(id).boxed()
    }

    fn fire_fault(&self, id: i64) -> Reply<'_, ()> {
        self.count_fired(id).boxed()
    }

    fn last_number(&self) -> Reply<'_, i64> {
        self.read_last_number().boxed()
    }

    fn replace<'a>(&'a self, contents: &'a Contents, modes: &'a [(String, bool)]) -> Reply<'a, ()> {
        self.replace_all(contents, modes).boxed()
    }

    fn is_database(&self) -> bool {
        true
    }
}
