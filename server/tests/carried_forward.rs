//! A database an older server wrote is carried forward (README,
//! "Stability"): for every older schema, each prefix of the migrations on
//! SQLite and on PostgreSQL, the example seed's resources, deployment
//! records and engine jobs, written in the columns that schema has, are
//! read back whole by today's store after it migrates the rest, and the
//! deployment numbers go on from the last one drawn.
//!
//! What is written is what today's server writes (the example seed, one
//! of its updates set to finish, loaded into a SQLite file), copied column
//! by column: the snapshot, meta and
//! record texts have one version each so far (snapshot `schemaVersion` 1;
//! docs/snapshot.md), so the schema is what differs between versions.

use std::path::{Path, PathBuf};

use proton_cancel::Timestamp;
use proton_cancel_server::store::{Contents, Store};
use proton_cancel_server::{App, Clock, Options, Seed};
use proton_cancel_test_support::postgres::{self, Schema};
use sqlx::Connection as _;
use sqlx::migrate::Migrator;

/// The columns every schema has (migration 0001), of each table.
#[derive(Debug, Default)]
struct Columns {
    resources: Vec<(String, i64, String, String)>,
    deployments: Vec<(String, i64, String, String)>,
    jobs: Vec<(i64, String, String)>,
    last_number: i64,
}

/// A directory of this test process's own, `name`d.
fn own_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "proton-cancel-carried-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The example seed as today's server writes it into a new SQLite file
/// (in a directory `name`d): what its store holds, and the columns of
/// schema 1 read from the file.
async fn written_today(name: &str) -> (Contents, Columns) {
    let dir = own_dir(&format!("{name}-today"));
    let path = dir.join("today.db");
    let url = path.to_str().unwrap().to_owned();
    let store = Store::open(&url).await.unwrap();
    // The example seed, one of whose updates finishes (so a job is queued).
    let mut seed: serde_json::Value =
        serde_json::from_slice(include_bytes!("../seed.example.json")).unwrap();
    seed["serviceInstances"][0]["engine"]["updateAfterMs"] = 60_000.into();
    let seed = Seed::from_json(seed.to_string().as_bytes()).unwrap();
    let options = Options {
        seed,
        clock: Clock::manual(Timestamp::from_secs(1_764_633_600)),
        ..Options::default()
    };
    drop(App::open(store.clone(), options).await.unwrap());
    let contents = store.contents().await.unwrap();
    drop(store);

    let mut db = sqlx::SqliteConnection::connect(&format!("sqlite:{url}"))
        .await
        .unwrap();
    let columns = Columns {
        resources: sqlx::query_as("SELECT key, revision, snapshot, meta FROM resources")
            .fetch_all(&mut db)
            .await
            .unwrap(),
        deployments: sqlx::query_as("SELECT id, seq, resource, record FROM deployments")
            .fetch_all(&mut db)
            .await
            .unwrap(),
        jobs: sqlx::query_as("SELECT due_ms, resource, payload FROM jobs ORDER BY id")
            .fetch_all(&mut db)
            .await
            .unwrap(),
        last_number: sqlx::query_scalar("SELECT value FROM counters WHERE name = 'deployment'")
            .fetch_one(&mut db)
            .await
            .unwrap(),
    };
    db.close().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    // Something in each table.
    assert_eq!(
        (
            columns.resources.len(),
            columns.deployments.len(),
            columns.jobs.len(),
            columns.last_number
        ),
        (12, 8, 1, 8)
    );
    (contents, columns)
}

/// The first `level` of the migrations in `dir`, as a migrator of their
/// own (copied into `into`).
async fn first_migrations(dir: &str, level: usize, into: &Path) -> Migrator {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&from)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let _ = std::fs::remove_dir_all(into);
    std::fs::create_dir_all(into).unwrap();
    for file in &files[..level] {
        std::fs::copy(file, into.join(file.file_name().unwrap())).unwrap();
    }
    Migrator::new(into).await.unwrap()
}

/// How many migrations `dir` holds.
fn levels(dir: &str) -> usize {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(dir);
    std::fs::read_dir(path).unwrap().count()
}

/// Writes `columns` through `db` into the tables of schema 1, and the
/// last deployment number with `counter` where the schema counts them.
async fn write_columns<'c, DB>(db: &'c mut DB::Connection, columns: &Columns, counter: Option<&str>)
where
    DB: sqlx::Database,
    for<'e> &'e mut DB::Connection: sqlx::Executor<'e, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    String: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
    i64: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
{
    let p = |sql: &str| {
        if std::any::type_name::<DB>().contains("Sqlite") {
            sql.replace('$', "?")
        } else {
            sql.to_owned()
        }
    };
    for (key, revision, snapshot, meta) in &columns.resources {
        sqlx::query(&p(
            "INSERT INTO resources (key, revision, snapshot, meta) VALUES ($1, $2, $3, $4)",
        ))
        .bind(key.clone())
        .bind(*revision)
        .bind(snapshot.clone())
        .bind(meta.clone())
        .execute(&mut *db)
        .await
        .unwrap();
    }
    for (id, seq, resource, record) in &columns.deployments {
        sqlx::query(&p(
            "INSERT INTO deployments (id, seq, resource, record) VALUES ($1, $2, $3, $4)",
        ))
        .bind(id.clone())
        .bind(*seq)
        .bind(resource.clone())
        .bind(record.clone())
        .execute(&mut *db)
        .await
        .unwrap();
    }
    for (due, resource, payload) in &columns.jobs {
        sqlx::query(&p(
            "INSERT INTO jobs (due_ms, resource, payload) VALUES ($1, $2, $3)",
        ))
        .bind(*due)
        .bind(resource.clone())
        .bind(payload.clone())
        .execute(&mut *db)
        .await
        .unwrap();
    }
    if let Some(counter) = counter {
        sqlx::query(&p(counter))
            .bind(columns.last_number)
            .execute(&mut *db)
            .await
            .unwrap();
    }
}

/// What today's store reads from a carried database: everything written,
/// the rows without the list summaries an older schema had no column for
/// (a list reads such a row whole), and the deployment numbers from where
/// they were, when the schema counted them.
async fn read_back(url: &str, written: &Contents, counted: bool, what: &str) {
    let store = Store::open(url)
        .await
        .unwrap_or_else(|e| panic!("{what}: today's store does not open it: {e}"));
    let mut expected = written.clone();
    for row in &mut expected.rows {
        row.listed = None;
    }
    if !counted {
        expected.last_number = 0;
    }
    assert_eq!(store.contents().await.unwrap(), expected, "{what}");
    assert_eq!(
        store.next_number().await.unwrap(),
        if counted { 9 } else { 1 },
        "{what}: the next deployment number"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_file_of_every_older_schema_is_carried_forward() {
    let (written, columns) = written_today("sqlite").await;
    let newest = levels("sqlite");
    assert_eq!(newest, 6, "a new migration needs its older level here");
    let dir = own_dir("sqlite");
    for level in 1..newest {
        let path = dir.join(format!("level{level}.db"));
        let url = format!("sqlite:{}?mode=rwc", path.display());
        let migrator = first_migrations("sqlite", level, &dir.join(format!("m{level}"))).await;
        let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
        migrator.run(&mut db).await.unwrap();
        // Deployment numbers are counted from migration 0002.
        let counter =
            (level >= 2).then_some("INSERT INTO counters (name, value) VALUES ('deployment', $1)");
        write_columns::<sqlx::Sqlite>(&mut db, &columns, counter).await;
        db.close().await.unwrap();
        read_back(
            path.to_str().unwrap(),
            &written,
            level >= 2,
            &format!("SQLite at migration {level:04}"),
        )
        .await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_schema_of_every_older_version_is_carried_forward() {
    let Some(url) =
        postgres::url_or_skip("a_postgres_schema_of_every_older_version_is_carried_forward")
    else {
        return;
    };
    let (written, columns) = written_today("postgres").await;
    let newest = levels("postgres");
    assert_eq!(newest, 9, "a new migration needs its older level here");
    let dir = own_dir("postgres");
    for level in 1..newest {
        let schema = Schema::create(
            &url,
            format!("carried_{level}_{}", uuid::Uuid::new_v4().simple()),
        )
        .await;
        let scoped = schema.scoped(&url);
        let migrator = first_migrations("postgres", level, &dir.join(format!("m{level}"))).await;
        let mut db = sqlx::PgConnection::connect(&scoped).await.unwrap();
        migrator.run(&mut db).await.unwrap();
        // Deployment numbers are a sequence from migration 0002.
        let counter = (level >= 2).then_some("SELECT setval('deployment_numbers', $1)");
        write_columns::<sqlx::Postgres>(&mut db, &columns, counter).await;
        db.close().await.unwrap();
        read_back(
            &scoped,
            &written,
            level >= 2,
            &format!("PostgreSQL at migration {level:04}"),
        )
        .await;
        schema.drop().await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}
