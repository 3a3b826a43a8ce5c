//! Bad stored data and a failing database get clear answers, and nothing is
//! lost: a row that does not decode, a database that goes away and comes
//! back, a database made by an older version, and one made by a newer one.
//! The server binary runs as a process on 127.0.0.1, started and stopped by
//! pid by each test.
#![allow(clippy::disallowed_methods)] // the test starts and times processes

use proton_cancel_test_support::postgres;
use proton_cancel_test_support::process as server;
use proton_cancel_test_support::raw;
use proton_cancel_test_support::relay;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A server process writing JSON logs to a file; killed by pid on drop.
struct Logged {
    server: Server,
    log: PathBuf,
}

impl Logged {
    fn start(dir: &Path, database: &str, seed: Option<&Path>) -> Self {
        let log = dir.join(format!("server-{}.log", std::process::id()));
        let mut command = Command::new(BIN);
        command
            .args(["--port", "0", "--database", database])
            .args(["--log-format", "json"])
            .stderr(std::fs::File::create(&log).unwrap());
        if let Some(seed) = seed {
            command.arg("--seed").arg(seed);
        }
        let server = Server::listen(command, || {
            format!(
                "; log: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            )
        });
        Self { server, log }
    }

    fn port(&self) -> u16 {
        self.server.port
    }

    fn alive(&mut self) -> bool {
        self.server.child.try_wait().unwrap().is_none()
    }

    /// The JSON log lines of request `id` at level ERROR. Log lines are
    /// written by the server's log thread after the answer, so this waits
    /// for them, 10 s at most.
    fn errors_of(&self, id: &str) -> Vec<serde_json::Value> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let lines: Vec<serde_json::Value> = std::fs::read_to_string(&self.log)
                .unwrap()
                .lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .filter(|l| l["level"] == "ERROR" && l["span"]["request_id"] == id)
                .collect();
            if !lines.is_empty() || Instant::now() > deadline {
                return lines;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

const GET_WEB: &str = r#"{"serviceName": "shop", "name": "web"}"#;
const GET_API: &str = r#"{"serviceName": "shop", "name": "api"}"#;
const UPDATE_API: &str =
    r#"{"serviceName": "shop", "name": "api", "deploymentType": "CURRENT_VERSION", "spec": "two"}"#;

/// A temporary directory with a seed of two SUCCEEDED instances, web and
/// api, of service shop.
fn workspace(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("proton-cancel-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let instance = |name: &str| {
        serde_json::json!({"serviceName": "shop", "name": name, "environmentName": "prod",
            "templateName": "t", "templateMajorVersion": "1", "templateMinorVersion": "0",
            "spec": "one", "deploymentStatus": "SUCCEEDED", "engine": {"updateAfterMs": null}})
    };
    let seed = serde_json::json!({"serviceInstances": [instance("web"), instance("api")]});
    std::fs::write(dir.join("seed.json"), seed.to_string()).unwrap();
    dir
}

/// A server on the SQLite file `state.db` of [`workspace`] `name`,
/// seeded from its `seed.json`.
fn seeded_on_sqlite(name: &str) -> (PathBuf, Logged) {
    let dir = workspace(name);
    let file = dir.join("state.db");
    let server = Logged::start(&dir, file.to_str().unwrap(), Some(&dir.join("seed.json")));
    (dir, server)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

async fn sqlite(file: &Path) -> sqlx::SqlitePool {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(file)
        .busy_timeout(Duration::from_secs(5));
    sqlx::SqlitePool::connect_with(options).await.unwrap()
}

use raw::{Answer, call};
use server::Server;

/// Asserts a 200 answer that shows the service instance in `status`.
fn assert_shows(answer: &Answer, status: &str) {
    assert_eq!(answer.status, "HTTP/1.1 200 OK", "{}", answer.body);
    assert_eq!(answer.body["serviceInstance"]["deploymentStatus"], status);
}

const BIN: &str = env!("CARGO_BIN_EXE_proton-cancel-server");

fn assert_internal_error(answer: &Answer, says: &str) {
    assert_eq!(
        answer.status, "HTTP/1.1 500 Internal Server Error",
        "{}",
        answer.body
    );
    assert_eq!(answer.body["__type"], "InternalServerException");
    let message = answer.body["message"].as_str().unwrap();
    assert!(message.contains(says), "{message}");
    assert_eq!(answer.id.len(), 36, "a request id: {:?}", answer.id);
}

#[test]
fn a_row_that_does_not_decode_answers_500_with_its_request_id_and_a_log_line_while_other_resources_work()
 {
    let (dir, mut server) = seeded_on_sqlite("corrupt-row");
    let rt = runtime();
    let pool = rt.block_on(sqlite(&dir.join("state.db")));
    let key = "service-instance/shop/web";
    let good: String = rt.block_on(async {
        let good = sqlx::query_scalar("SELECT snapshot FROM resources WHERE key = ?1")
            .bind(key)
            .fetch_one(&pool)
            .await
            .unwrap();
        sqlx::query("UPDATE resources SET snapshot = '{\"schemaVersion\": 99}' WHERE key = ?1")
            .bind(key)
            .execute(&pool)
            .await
            .unwrap();
        good
    });

    let broken = call(server.port(), "GetServiceInstance", GET_WEB);
    assert_internal_error(
        &broken,
        "the service's store failed: the stored row service-instance/shop/web cannot be read: ",
    );
    let logged = server.errors_of(&broken.id);
    assert!(
        logged.iter().any(|l| l["fields"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("service-instance/shop/web cannot be read"))),
        "no ERROR line with request id {}: {logged:?}",
        broken.id
    );
    // A write to it fails the same way, and changes nothing.
    let cancel = call(
        server.port(),
        "CancelServiceInstanceDeployment",
        r#"{"serviceName": "shop", "serviceInstanceName": "web"}"#,
    );
    assert_internal_error(&cancel, "service-instance/shop/web cannot be read");

    // The other resource reads and writes as before.
    let api = call(server.port(), "GetServiceInstance", GET_API);
    assert_eq!(api.status, "HTTP/1.1 200 OK");
    let updated = call(server.port(), "UpdateServiceInstance", UPDATE_API);
    assert_shows(&updated, "IN_PROGRESS");
    assert!(server.alive());

    // Repaired, the row serves again.
    rt.block_on(async {
        sqlx::query("UPDATE resources SET snapshot = ?1 WHERE key = ?2")
            .bind(&good)
            .bind(key)
            .execute(&pool)
            .await
            .unwrap();
    });
    let again = call(server.port(), "GetServiceInstance", GET_WEB);
    assert_eq!(again.status, "HTTP/1.1 200 OK");
    assert_eq!(
        again.body["serviceInstance"]["deploymentStatus"],
        "SUCCEEDED"
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

const UPDATE_WEB: &str =
    r#"{"serviceName": "shop", "name": "web", "deploymentType": "CURRENT_VERSION", "spec": "two"}"#;
const CANCEL_WEB: &str = r#"{"serviceName": "shop", "serviceInstanceName": "web"}"#;

#[test]
fn a_row_whose_snapshot_is_older_than_its_revision_is_corrupt_for_reads_and_for_cached_writes() {
    let (dir, mut server) = seeded_on_sqlite("revision-mismatch");
    let rt = runtime();
    let pool = rt.block_on(sqlite(&dir.join("state.db")));
    let key = "service-instance/shop/web";
    let snapshot = |pool: &sqlx::SqlitePool| {
        rt.block_on(
            sqlx::query_scalar::<_, String>("SELECT snapshot FROM resources WHERE key = ?1")
                .bind(key)
                .fetch_one(pool),
        )
        .unwrap()
    };
    let put = |pool: &sqlx::SqlitePool, snapshot: &str| {
        rt.block_on(
            sqlx::query("UPDATE resources SET snapshot = ?1 WHERE key = ?2")
                .bind(snapshot)
                .bind(key)
                .execute(pool),
        )
        .unwrap();
    };
    let seeded = snapshot(&pool);
    // The update is written (revision 1) and cached by the server.
    let updated = call(server.port(), "UpdateServiceInstance", UPDATE_WEB);
    assert_eq!(updated.status, "HTTP/1.1 200 OK", "{}", updated.body);
    let current = snapshot(&pool);
    // Behind the server's back, the seeded snapshot (revision 0) goes back
    // into the row, whose revision column stays at 1.
    put(&pool, &seeded);

    let read = call(server.port(), "GetServiceInstance", GET_WEB);
    assert_internal_error(
        &read,
        "the stored row service-instance/shop/web cannot be read: its revision column says 1 \
         but its snapshot is at revision 0",
    );
    assert!(
        !server.errors_of(&read.id).is_empty(),
        "no ERROR line with request id {}",
        read.id
    );
    // The cached write sees the row is not what it wrote, re-reads, and
    // fails the same way, writing nothing.
    let cancel = call(server.port(), "CancelServiceInstanceDeployment", CANCEL_WEB);
    assert_internal_error(
        &cancel,
        "its revision column says 1 but its snapshot is at revision 0",
    );
    assert_eq!(snapshot(&pool), seeded);

    // Repaired, it serves and writes again.
    put(&pool, &current);
    let cancel = call(server.port(), "CancelServiceInstanceDeployment", CANCEL_WEB);
    assert_shows(&cancel, "CANCELLING");
    assert!(server.alive());
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A server on a fresh PostgreSQL schema of its own, reaching the database
/// through a TCP relay the test owns; its working directory holds the seed.
struct Relayed {
    rt: tokio::runtime::Runtime,
    schema: postgres::Schema,
    relay: relay::Relay,
    server: Logged,
    dir: PathBuf,
}

impl Relayed {
    /// Starts one for the calling test, in directory `name`; `None` (and
    /// a SKIPPED line naming the test) when no PostgreSQL is configured.
    fn start(name: &str) -> Option<Self> {
        // The test harness names each test's thread after the test.
        let test = std::thread::current().name().unwrap_or(name).to_owned();
        let url = postgres::url_or_skip(&test)?;
        let url = url.as_str();
        let dir = workspace(name);
        let rt = runtime();
        let (schema, relay) = rt.block_on(async {
            let schema = postgres::Schema::create(
                url,
                format!("faults_{}_{}", name.replace('-', "_"), std::process::id()),
            )
            .await;
            (schema, relay::Relay::start(relay::through(url, 0).1).await)
        });
        let database = schema.scoped(&relay::through(url, relay.port).0);
        let server = Logged::start(&dir, &database, Some(&dir.join("seed.json")));
        Some(Self {
            rt,
            schema,
            relay,
            server,
            dir,
        })
    }

    /// Stops the server, drops the schema and removes the directory.
    fn finish(self) {
        let Self {
            rt,
            schema,
            relay,
            server,
            dir,
        } = self;
        drop(server);
        drop(relay);
        rt.block_on(schema.drop());
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn a_database_that_goes_away_mid_request_answers_500_and_service_returns_with_it() {
    let Some(mut t) = Relayed::start("database-away") else {
        return;
    };
    let (relay, server) = (&t.relay, &mut t.server);
    assert_eq!(
        call(server.port(), "GetServiceInstance", GET_WEB).status,
        "HTTP/1.1 200 OK"
    );

    // Cut while requests are in flight: each answers, 200 or an AWS-shaped
    // 500 with a request id; none hangs, and the server stays up.
    let answers: Vec<Answer> = std::thread::scope(|s| {
        let calls: Vec<_> = (0..8)
            .map(|i| {
                let port = server.port();
                s.spawn(move || {
                    std::thread::sleep(Duration::from_millis(i * 5));
                    call(port, "UpdateServiceInstance", UPDATE_API)
                })
            })
            .collect();
        relay.cut();
        calls.into_iter().map(|c| c.join().unwrap()).collect()
    });
    for a in &answers {
        assert!(
            a.status == "HTTP/1.1 200 OK"
                || a.status == "HTTP/1.1 500 Internal Server Error"
                || a.status == "HTTP/1.1 409 Conflict",
            "{} {}",
            a.status,
            a.body
        );
        assert_eq!(a.id.len(), 36);
    }
    // While it is away, every request answers 500 and is logged.
    let away = call(server.port(), "GetServiceInstance", GET_WEB);
    assert_internal_error(&away, "the service's store failed: the database failed: ");
    assert!(
        !server.errors_of(&away.id).is_empty(),
        "no ERROR line with request id {}",
        away.id
    );
    assert!(server.alive());

    // Back: service returns, without a restart.
    relay.heal();
    let deadline = Instant::now() + Duration::from_secs(20);
    let back = loop {
        let a = call(server.port(), "GetServiceInstance", GET_WEB);
        if a.status == "HTTP/1.1 200 OK" || Instant::now() > deadline {
            break a;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_shows(&back, "SUCCEEDED");
    assert!(server.alive());
    t.finish();
}

/// `n` GetServiceInstance calls at once; their answers.
fn gets_at_once(port: u16, n: usize) -> Vec<Answer> {
    std::thread::scope(|s| {
        let calls: Vec<_> = (0..n)
            .map(|_| s.spawn(move || call(port, "GetServiceInstance", GET_WEB)))
            .collect();
        calls.into_iter().map(|c| c.join().unwrap()).collect()
    })
}

#[test]
fn connections_that_died_while_idle_are_replaced_before_a_request_uses_them() {
    let Some(mut t) = Relayed::start("died-idle") else {
        return;
    };
    let (relay, server) = (&t.relay, &mut t.server);
    // Several connections open and go idle between requests.
    for a in gets_at_once(server.port(), 8) {
        assert_eq!(a.status, "HTTP/1.1 200 OK", "{}", a.body);
    }
    // Every one of them dies while idle; the database is reachable again
    // at once.
    relay.cut();
    relay.heal();
    std::thread::sleep(Duration::from_millis(300));
    // No request pays for a dead connection: each is pinged first.
    for a in gets_at_once(server.port(), 8) {
        assert_shows(&a, "SUCCEEDED");
    }
    assert!(server.alive());
    t.finish();
}

#[test]
fn a_database_made_by_an_older_version_is_migrated_at_start_and_keeps_its_resources() {
    let dir = workspace("older-schema");
    let file = dir.join("state.db");
    let database = file.to_str().unwrap().to_owned();
    let server = Logged::start(&dir, &database, Some(&dir.join("seed.json")));
    let lists = [
        "ListServiceInstances",
        "ListDeployments",
        "ListEnvironments",
    ];
    let listed: Vec<_> = lists.map(|op| call(server.port(), op, "{}").body).into();
    drop(server);
    // Back to the first schema version: no deployment counter, no index of
    // records by resource, no stored summaries, records by seq alone, no
    // engine modes or fault rules.
    let rt = runtime();
    rt.block_on(async {
        let pool = sqlite(&file).await;
        for table in ["counters", "engine_modes", "faults"] {
            sqlx::query(&format!("DROP TABLE {table}"))
                .execute(&pool)
                .await
                .unwrap();
        }
        sqlx::query("DROP INDEX deployments_by_resource")
            .execute(&pool)
            .await
            .unwrap();
        for undo in [
            "DROP INDEX deployments_by_seq_and_id",
            "CREATE INDEX deployments_by_seq ON deployments (seq)",
        ] {
            sqlx::query(undo).execute(&pool).await.unwrap();
        }
        for table in ["resources", "deployments"] {
            sqlx::query(&format!("ALTER TABLE {table} DROP COLUMN listed"))
                .execute(&pool)
                .await
                .unwrap();
        }
        sqlx::query("DELETE FROM _sqlx_migrations WHERE version > 1")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });

    let server = Logged::start(&dir, &database, None);
    // Rows from before summaries were stored are listed as they were.
    for (op, before) in lists.iter().zip(&listed) {
        assert_eq!(&call(server.port(), op, "{}").body, before, "{op}");
    }
    let web = call(server.port(), "GetServiceInstance", GET_WEB);
    assert_eq!(web.status, "HTTP/1.1 200 OK");
    assert_eq!(web.body["serviceInstance"]["spec"], "one");
    // The migrated counter mints the first deployment id.
    let updated = call(server.port(), "UpdateServiceInstance", UPDATE_API);
    assert_eq!(updated.status, "HTTP/1.1 200 OK", "{}", updated.body);
    assert_eq!(
        updated.body["serviceInstance"]["lastAttemptedDeploymentId"],
        "00000000-0000-4000-8000-000000000001"
    );
    drop(server);
    let versions: Vec<i64> = rt.block_on(async {
        let pool = sqlite(&file).await;
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&pool)
            .await
            .unwrap()
    });
    assert_eq!(versions, [1, 2, 3, 4, 5, 6]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_database_made_by_a_newer_version_is_refused_at_start_with_exit_code_4() {
    let dir = workspace("newer-schema");
    let file = dir.join("state.db");
    let database = file.to_str().unwrap().to_owned();
    drop(Logged::start(&dir, &database, None));
    let rt = runtime();
    rt.block_on(async {
        let pool = sqlite(&file).await;
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (99, 'from the future', TRUE, x'00', 0)",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    });
    let (code, err) = server::exit_of(BIN, &["--port", "0", "--database", &database]);
    assert_eq!(code, Some(4));
    assert_eq!(
        err.lines().last().unwrap(),
        format!(
            "database {database}: the database schema could not be migrated: \
             migration 99 was previously applied but is missing in the resolved migrations"
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}
