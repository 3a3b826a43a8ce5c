//! What differs between the SQL databases, and the values that cross
//! between the store and sqlx.

use std::str::FromStr as _;
use std::time::Duration;

use sqlx::Database;
use sqlx::postgres::PgPoolOptions;
use sqlx::query::Query;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};

use std::sync::Arc;

use super::SqlStore;
use crate::store::Backend;
use crate::store::StoreError;

/// A value to bind to a placeholder.
#[derive(Debug)]
pub(crate) enum Bind {
    /// A text value, or NULL.
    Text(Option<String>),
    /// An integer value, or NULL.
    Int(Option<i64>),
    /// PostgreSQL only (the one-statement commit).
    Texts(Vec<String>),
    /// PostgreSQL only (the one-statement commit).
    Ints(Vec<i64>),
}

impl Bind {
    /// A text value.
    pub(crate) fn text(value: String) -> Self {
        Self::Text(Some(value))
    }

    /// An integer value.
    pub(crate) fn int(value: i64) -> Self {
        Self::Int(Some(value))
    }
}

/// A column's type, to read it.
#[derive(Debug, Clone, Copy)]
pub(super) enum Col {
    Text,
    Int,
}

/// A value read from a column.
#[derive(Debug)]
pub(super) enum Val {
    Text(String),
    Int(i64),
    Null,
}

impl Val {
    pub(super) fn text(self) -> Option<String> {
        match self {
            Self::Text(s) => Some(s),
            _ => None,
        }
    }

    pub(super) fn int(self) -> Option<i64> {
        match self {
            Self::Int(n) => Some(n),
            _ => None,
        }
    }
}

pub(super) type Q<'q, DB> = Query<'q, DB, <DB as Database>::Arguments<'q>>;

/// What differs between the SQL databases.
pub(crate) trait Dialect: Send + Sync + 'static {
    /// The sqlx database.
    type Db: Database;
    /// Added to the claim's inner select: how concurrent claims avoid each
    /// other's jobs.
    const CLAIM_LOCK: &'static str;
    /// The statement that draws the next deployment number (column `n`).
    const NEXT_NUMBER: &'static str;
    /// The statement that draws `$1` deployment numbers at once (column
    /// `n`): a row for each, or, where [`Dialect::NUMBERS_AS_LAST`], one
    /// row holding the last of `$1` consecutive numbers.
    const NEXT_NUMBERS: &'static str;
    /// Whether [`Dialect::NEXT_NUMBERS`] answers only the last number.
    const NUMBERS_AS_LAST: bool;
    /// The statement that reads the last deployment number drawn (column
    /// `n`, 0 when none was), without drawing one.
    const LAST_NUMBER: &'static str;
    /// The statement that makes `$1` the last deployment number drawn (0:
    /// none), so the next one drawn is `$1 + 1`.
    const SET_NUMBER: &'static str;
    /// The whole commit as one statement (compare-and-set, records, jobs),
    /// where the database can write it so; otherwise a transaction.
    const ONE_STATEMENT_COMMIT: Option<&'static str>;
    /// Where a page of rows is better read as one joined text value
    /// (`statements::joined`): the aggregate that joins texts with a
    /// separator in an order, and the function that makes a character of
    /// a code point. SQLite's driver hands over each row as a message from
    /// its worker thread, so one value is faster there; PostgreSQL streams
    /// rows, and joining them measured slower (docs/performance.md).
    const JOINED_ROWS: Option<(&'static str, &'static str)>;
    /// `sql`, written with `$1` placeholders, in this database's style.
    fn placeholders(sql: &str) -> String;
    /// Binds one value.
    fn bind(query: Q<'_, Self::Db>, value: Bind) -> Q<'_, Self::Db>;
}

/// SQLite: a file (or an in-memory database), one writer at a time.
#[derive(Debug)]
pub(crate) struct Sqlite;

impl Dialect for Sqlite {
    type Db = sqlx::Sqlite;
    const CLAIM_LOCK: &'static str = "";
    const NEXT_NUMBER: &'static str = "INSERT INTO counters (name, value) VALUES ('deployment', 1) \
         ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value AS n";
    // One writer at a time: the numbers of one upsert are consecutive.
    const NEXT_NUMBERS: &'static str = "INSERT INTO counters (name, value) \
         VALUES ('deployment', $1) \
         ON CONFLICT (name) DO UPDATE SET value = value + excluded.value RETURNING value AS n";
    const NUMBERS_AS_LAST: bool = true;
    const LAST_NUMBER: &'static str =
        "SELECT COALESCE((SELECT value FROM counters WHERE name = 'deployment'), 0) AS n";
    const SET_NUMBER: &'static str = "INSERT INTO counters (name, value) VALUES ('deployment', $1) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value";
    const ONE_STATEMENT_COMMIT: Option<&'static str> = None;
    const JOINED_ROWS: Option<(&'static str, &'static str)> = Some(("group_concat", "char"));

    fn placeholders(sql: &str) -> String {
        sql.replace('$', "?")
    }

    fn bind(query: Q<'_, Self::Db>, value: Bind) -> Q<'_, Self::Db> {
        match value {
            Bind::Text(v) => query.bind(v),
            Bind::Int(v) => query.bind(v),
            // Never built for SQLite (it has no one-statement commit).
            Bind::Texts(_) | Bind::Ints(_) => query.bind(None::<String>),
        }
    }
}

/// PostgreSQL: shared by any number of replicas.
#[derive(Debug)]
pub(crate) struct Postgres;

impl Dialect for Postgres {
    type Db = sqlx::Postgres;
    // Replicas claiming at once each get different jobs.
    const CLAIM_LOCK: &'static str = " FOR UPDATE SKIP LOCKED";
    const NEXT_NUMBER: &'static str = "SELECT nextval('deployment_numbers') AS n";
    // Replicas drawing at once may interleave: each number is read back.
    const NEXT_NUMBERS: &'static str =
        "SELECT nextval('deployment_numbers') AS n FROM generate_series(1, $1::bigint)";
    const NUMBERS_AS_LAST: bool = false;
    const LAST_NUMBER: &'static str =
        "SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM deployment_numbers";
    const SET_NUMBER: &'static str =
        "SELECT setval('deployment_numbers', GREATEST($1, 1), $1 > 0) AS n";
    const ONE_STATEMENT_COMMIT: Option<&'static str> = Some(POSTGRES_COMMIT);
    const JOINED_ROWS: Option<(&'static str, &'static str)> = None;

    fn placeholders(sql: &str) -> String {
        sql.to_owned()
    }

    fn bind(query: Q<'_, Self::Db>, value: Bind) -> Q<'_, Self::Db> {
        match value {
            Bind::Text(v) => query.bind(v),
            Bind::Int(v) => query.bind(v),
            Bind::Texts(v) => query.bind(v),
            Bind::Ints(v) => query.bind(v),
        }
    }
}

/// The commit on PostgreSQL: one statement (so one round trip and one
/// transaction) that updates the row if it still holds what was read and,
/// only then, writes the records and queues the jobs.
pub(super) const POSTGRES_COMMIT: &str = "\
    WITH updated AS (\
        UPDATE resources SET revision = $1, snapshot = $2, meta = $3, listed = $8 \
        WHERE key = $4 AND revision = COALESCE($5, revision) \
        AND (CAST($6 AS TEXT) IS NULL OR substr(snapshot, 1, length(CAST($6 AS TEXT))) = $6) \
        AND (CAST($7 AS TEXT) IS NULL OR meta = $7) RETURNING key), \
    records AS (\
        INSERT INTO deployments (id, seq, resource, record, listed) \
        SELECT * FROM UNNEST($9::text[], $10::bigint[], $11::text[], $12::text[], $13::text[]) \
        WHERE EXISTS (SELECT 1 FROM updated) \
        ON CONFLICT (id) DO UPDATE SET record = excluded.record, listed = excluded.listed \
        RETURNING 1), \
    queued AS (\
        INSERT INTO jobs (due_ms, resource, payload) \
        SELECT * FROM UNNEST($14::bigint[], $15::text[], $16::text[]) \
        WHERE EXISTS (SELECT 1 FROM updated) RETURNING 1) \
    SELECT key FROM updated";

/// Opens a SQLite store at `url` (one connection: SQLite has one writer at
/// a time, and one connection keeps an in-memory database a single
/// database) and migrates it.
pub(crate) async fn open_sqlite(url: &str) -> Result<Arc<dyn Backend>, StoreError> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
    Ok(Arc::new(SqlStore::<Sqlite>::new(pool)))
}

/// Opens a PostgreSQL store at `url` (16 connections) and migrates it.
pub(crate) async fn open_postgres(url: &str) -> Result<Arc<dyn Backend>, StoreError> {
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(5))
        .connect(url)
        .await?;
    sqlx::migrate!("./migrations/postgres").run(&pool).await?;
    Ok(Arc::new(SqlStore::<Postgres>::new(pool)))
}
