//! The storage interface, the same checks on every backend: in memory,
//! SQLite (in memory and in a file that outlives the store), and PostgreSQL
//! when `PROTON_CANCEL_TEST_POSTGRES` names a database (`.ci/run` sets it;
//! without it the PostgreSQL test says it was skipped and why).

use proton_cancel_test_support::builders as common;
use proton_cancel_test_support::postgres;

use std::time::Duration;

use common::*;
use postgres::Schema;
use proton_cancel::*;
use proton_cancel_server::store::{
    Contents, Expected, FaultRow, Job, Listed, ListedRecord, ListedRow, NewJob, Produced, Put,
    Record, Row, Store, StoreError, Written,
};
use serde_json::json;

/// The row of `d`, with a summary text the store keeps as it is (one per
/// revision, so a stale one would show).
fn row(d: &Deployment) -> Row {
    Row {
        deployment: d.clone(),
        meta: json!({"arn": "arn:aws:proton:us-east-1:123456789012:service/shop/service-instance/web"})
            .to_string(),
        listed: Some(json!({"summaryOf": d.revision()}).to_string()),
    }
}

fn job(due_secs: i64, n: u32) -> NewJob {
    NewJob {
        due: t(due_secs),
        resource: instance(),
        payload: json!({"report": n}).to_string(),
    }
}

fn record(before: &Observed, id: DeploymentId, at: Timestamp) -> Record {
    Record {
        attempt: AttemptRecord::start(id, at, before, config(1)),
        arn: format!("arn:aws:proton:us-east-1:123456789012:deployment/{id}"),
        target_arn: "arn:aws:proton:us-east-1:123456789012:service/shop/service-instance/web"
            .to_owned(),
        environment: name("prod"),
    }
}

/// Every rule of the interface, on `store`.
async fn conformance(store: &Store) {
    // Inserting is only-if-absent.
    let rest = at_rest();
    assert!(insert(store, &rest).await);
    let mut other = rest.clone();
    let _ = other.handle(update_a());
    assert!(!insert(store, &other).await);
    assert_eq!(store.load(&instance()).await.unwrap(), Some(row(&rest)));
    assert_eq!(
        store
            .load(&ResourceId::Environment { name: name("prod") })
            .await
            .unwrap(),
        None
    );

    // A change commits only on the revision it read, with what it produced.
    let updating = updating();
    let first = record(&rest.observe(), A, t(100));
    let produced = Produced {
        records: vec![first.clone()],
        jobs: vec![job(105, 1)],
    };
    assert_eq!(
        commit(store, &rest, &updating, &produced).await,
        Written::Committed
    );
    let lost = Produced {
        records: vec![record(&rest.observe(), B, t(100))],
        jobs: vec![job(100, 2)],
    };
    assert_eq!(
        commit(store, &rest, &updating, &lost).await,
        Written::Stale,
        "the second writer read a revision that is gone"
    );
    assert_eq!(
        store
            .load(&instance())
            .await
            .unwrap()
            .unwrap()
            .deployment
            .revision(),
        updating.revision()
    );
    assert_eq!(
        store.record(B).await.unwrap(),
        None,
        "a stale write leaves no record"
    );

    // Records: by id, newest first, replaced in place.
    assert_eq!(store.record(A).await.unwrap(), Some(first.clone()));
    let mut followed = first.clone();
    let mut cancelled = updating.clone();
    let outcome = cancelled.handle(Input::Cancel { at: t(110) });
    assert!(
        followed
            .attempt
            .follow(t(110), outcome.transition().unwrap(), None)
    );
    let produced = Produced {
        records: vec![followed.clone()],
        jobs: Vec::new(),
    };
    assert_eq!(
        commit(store, &updating, &cancelled, &produced).await,
        Written::Committed
    );
    assert_eq!(store.records().await.unwrap(), vec![followed.clone()]);
    // A write reads the row with its newest record; rewriting an older
    // record leaves the newer one the newest.
    let newer = record(&cancelled.observe(), B, t(120));
    let with = |r: &Record| Produced {
        records: vec![r.clone()],
        jobs: Vec::new(),
    };
    let newest = || async { store.load_for_write(&instance()).await.unwrap().unwrap().1 };
    assert_eq!(newest().await, Some(followed.clone()));
    assert_eq!(
        commit(store, &cancelled, &cancelled, &with(&newer)).await,
        Written::Committed
    );
    assert_eq!(newest().await, Some(newer.clone()));
    assert_eq!(
        commit(store, &cancelled, &cancelled, &with(&followed)).await,
        Written::Committed
    );
    assert_eq!(newest().await, Some(newer.clone()));
    assert_eq!(
        store.records().await.unwrap(),
        vec![newer.clone(), followed.clone()]
    );
    // A deleted record is gone from every read; deleting it again finds
    // nothing.
    let deleted = newer.attempt.deployment_id;
    assert!(store.delete_record(deleted).await.unwrap());
    assert_eq!(store.record(deleted).await.unwrap(), None);
    assert!(!store.delete_record(deleted).await.unwrap());
    assert_eq!(store.records().await.unwrap(), vec![followed.clone()]);
    assert_eq!(newest().await, Some(followed));

    // Jobs: claimed when due, not again while leased, again after the lease
    // (a crash between claim and apply re-delivers), gone once finished.
    assert_eq!(store.next_due().await.unwrap(), Some(t(105)));
    assert_eq!(claim(store, 104).await, vec![]);
    let claimed = claim(store, 105).await;
    assert_eq!(claimed.len(), 1, "the stale write queued nothing");
    assert_eq!(
        (claimed[0].due, &claimed[0].resource, &claimed[0].payload),
        (t(105), &instance(), &json!({"report": 1}).to_string())
    );
    assert_eq!(claim(store, 106).await, vec![]);
    assert_eq!(
        claim(store, 135).await,
        vec![],
        "a lease holds to its last instant"
    );
    let again = claim(store, 136).await;
    assert_eq!(
        again.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![claimed[0].id]
    );
    store.finish_job(claimed[0].id).await.unwrap();
    assert_eq!(claim(store, 1_000).await, vec![]);
    assert_eq!(store.next_due().await.unwrap(), None);
    assert_eq!(store.load_all().await.unwrap().len(), 1);
    written_together(store).await;
}

/// `id` at rest on 1.0 since t = 0 s.
fn at_rest_as(id: ResourceId) -> Deployment {
    Deployment::restore(Observed::new(id, t(0), config(0))).unwrap()
}

/// Several rows written together are written all or none; a service's
/// parts are read by their keys, and no other service's are among them.
/// Starts with `shop/web` stored and no job queued.
async fn written_together(store: &Store) {
    let web = store.load(&instance()).await.unwrap().unwrap();
    let part = |id: ResourceId| row(&at_rest_as(id));
    let api = part(ResourceId::ServiceInstance {
        service: name("shop"),
        name: name("api"),
    });
    let pipeline = part(ResourceId::ServicePipeline {
        service: name("shop"),
    });
    let neighbour = part(ResourceId::ServiceInstance {
        service: name("shopping"),
        name: name("web"),
    });
    let moved = {
        let mut d = web.deployment.clone();
        let _ = d.handle(update_a());
        row(&d)
    };
    let one_job = Produced {
        jobs: vec![job(500, 9)],
        ..Produced::default()
    };
    let stale = Expected {
        revision: web.deployment.revision() + 1,
        meta: web.meta.clone(),
    };
    assert_eq!(
        store
            .write_together(
                &[Put::Insert(api.clone()), Put::Replace(stale, moved.clone())],
                &one_job
            )
            .await
            .unwrap(),
        Written::Stale,
        "a stale replacement writes nothing"
    );
    assert_eq!(
        store
            .write_together(
                &[
                    Put::Replace(Expected::of(&web), moved.clone()),
                    Put::Insert(web.clone()),
                ],
                &one_job
            )
            .await
            .unwrap(),
        Written::Stale,
        "an insert over a stored row writes nothing"
    );
    assert_eq!(store.load(api.deployment.resource()).await.unwrap(), None);
    assert_eq!(store.load(&instance()).await.unwrap(), Some(web.clone()));
    assert_eq!(store.next_due().await.unwrap(), None, "nor queues its jobs");
    assert_eq!(
        store
            .write_together(
                &[
                    Put::Insert(neighbour.clone()),
                    Put::Insert(api.clone()),
                    Put::Replace(Expected::of(&web), moved.clone()),
                    Put::Insert(pipeline.clone()),
                ],
                &one_job
            )
            .await
            .unwrap(),
        Written::Committed
    );
    assert_eq!(store.next_due().await.unwrap(), Some(t(500)));
    assert_eq!(
        store.load_service(&name("shop")).await.unwrap(),
        vec![pipeline, api.clone(), moved.clone()],
        "the pipeline, then the instances by name; not shopping's"
    );
    assert_eq!(
        store.load_service(&name("shopping")).await.unwrap(),
        vec![neighbour]
    );
    assert_eq!(store.load_service(&name("sho")).await.unwrap(), vec![]);
    let (from, to) = ("service-instance/shop/", "service-instance/shop0");
    assert_eq!(
        store.load_range((from, to), 1).await.unwrap().len(),
        1,
        "a range read stops at its limit"
    );
    records_newest_first(store).await;
    listed_pages(store, (from, to), &[api, moved]).await;
}

/// A page read for a list gives each row's stored summary as it was
/// stored, and a row without one (as rows written before summaries were)
/// whole; each record's summary is its `DeploymentSummary`.
async fn listed_pages(store: &Store, (from, to): (&str, &str), rows: &[Row]) {
    let listed = store.list_range((from, to), 10).await.unwrap();
    let keys = ["service-instance/shop/api", "service-instance/shop/web"];
    let expected: Vec<ListedRow> = keys
        .iter()
        .zip(rows)
        .map(|(key, r)| ((*key).to_owned(), Listed::Shown(r.listed.clone().unwrap())))
        .collect();
    assert_eq!(listed, expected);
    let mut without = rows[0].clone();
    without.listed = None;
    let replace = [Put::Replace(Expected::of(&rows[0]), without.clone())];
    let none = Produced::default();
    let written = store.write_together(&replace, &none).await.unwrap();
    assert_eq!(written, Written::Committed);
    let listed = store.list_range((from, to), 1).await.unwrap();
    assert_eq!(listed, vec![(keys[0].to_owned(), Listed::Whole(without))]);

    let records = store.records().await.unwrap();
    let listed = store.listed_records_from(None, usize::MAX).await.unwrap();
    let expected: Vec<ListedRecord> = records
        .iter()
        .map(|r| {
            let summary = serde_json::to_string(&r.shape().summary).unwrap();
            (
                r.seq(),
                r.attempt.deployment_id.to_string(),
                Listed::Shown(summary),
            )
        })
        .collect();
    assert_eq!(listed, expected);
    assert_eq!(
        store.listed_records_from(Some(-1), 10).await.unwrap(),
        vec![]
    );
}

/// Records read a page at a time, newest first, from a place in the list.
async fn records_newest_first(store: &Store) {
    let all = store.records().await.unwrap();
    let seqs: Vec<i64> = all.iter().map(Record::seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] >= w[1]), "{seqs:?}");
    assert_eq!(store.records_from(None, usize::MAX).await.unwrap(), all);
    if let Some(second) = all.get(1) {
        assert_eq!(
            store.records_from(Some(second.seq()), 1).await.unwrap(),
            vec![second.clone()]
        );
    }
    assert_eq!(store.records_from(Some(-1), 10).await.unwrap(), vec![]);
}

/// A directory of this test process's own, `name`d, and the path of a
/// database file in it that does not exist yet.
fn fresh_file(name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("proton-cancel-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.db");
    let _ = std::fs::remove_file(&path);
    (dir, path)
}

/// Inserts the row of `d`, producing nothing: whether it was new.
async fn insert(store: &Store, d: &Deployment) -> bool {
    store.insert(&row(d), &Produced::default()).await.unwrap()
}

/// Commits `to` over the row of `from` it read, with what it `produced`.
async fn commit(store: &Store, from: &Deployment, to: &Deployment, produced: &Produced) -> Written {
    store
        .commit(&Expected::of(&row(from)), &row(to), produced)
        .await
        .unwrap()
}

/// The jobs due at `secs` that no live lease holds, claimed for 30 s.
async fn claim(store: &Store, secs: i64) -> Vec<Job> {
    store
        .claim_due(t(secs), Duration::from_secs(30), 10)
        .await
        .unwrap()
}

/// The control API's state: a mode holds a resource's jobs from the
/// claim and from the next due time (its own mode over the mode of every
/// resource), the pending list shows them held, a held job can still be
/// claimed by its id, a released one at once; fault rules count their
/// matches and firings.
async fn control_state(store: &Store) {
    let held_one = ResourceId::Component {
        name: name("control-a"),
    };
    let other = ResourceId::Environment {
        name: name("control-b"),
    };
    let job_of = |resource: &ResourceId, secs, n| NewJob {
        resource: resource.clone(),
        ..job(secs, n)
    };
    let produced = Produced {
        records: Vec::new(),
        jobs: vec![job_of(&held_one, 1, 1), job_of(&other, 2, 9)],
    };
    let env_row = Row {
        deployment: at_rest_as(other.clone()),
        ..row(&at_rest())
    };
    assert!(store.insert(&env_row, &produced).await.unwrap());
    store.set_mode(None, Some(true)).await.unwrap();
    assert_eq!(claim(store, 5).await, []);
    assert_eq!(store.next_due().await.unwrap(), None);
    store.set_mode(Some(&other), Some(false)).await.unwrap();
    assert_eq!(store.next_due().await.unwrap(), Some(t(2)));
    assert_eq!(
        store.modes().await.unwrap(),
        [(None, true), (Some(other.clone()), false)]
    );
    let pending: Vec<_> = store
        .pending()
        .await
        .unwrap()
        .into_iter()
        .filter(|p| p.resource == held_one || p.resource == other)
        .collect();
    let shown: Vec<(Timestamp, bool)> = pending.iter().map(|p| (p.due, p.held)).collect();
    assert_eq!(shown, [(t(1), true), (t(2), false)]);
    let held = pending[0].id;
    let claimed = store
        .claim_job(held, t(0), Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(
        claimed.map(|j| j.payload),
        Some(json!({"report": 1}).to_string())
    );
    assert_eq!(
        store
            .claim_job(held, t(0), Duration::from_secs(30))
            .await
            .unwrap(),
        None
    );
    store.release_job(held).await.unwrap();
    assert!(
        store
            .claim_job(held, t(0), Duration::from_secs(30))
            .await
            .unwrap()
            .is_some()
    );
    store.set_mode(None, None).await.unwrap();
    store.set_mode(Some(&other), None).await.unwrap();
    assert_eq!(store.modes().await.unwrap(), []);
    for p in &pending {
        store.finish_job(p.id).await.unwrap();
    }

    let first = store.add_fault(r#"{"rule": 1}"#).await.unwrap();
    let second = store.add_fault(r#"{"rule": 2}"#).await.unwrap();
    assert_eq!(store.match_fault(first).await.unwrap(), Some(1));
    assert_eq!(store.match_fault(first).await.unwrap(), Some(2));
    store.fire_fault(first).await.unwrap();
    let rows: Vec<(String, i64, i64)> = store
        .faults()
        .await
        .unwrap()
        .into_iter()
        .map(|f| (f.rule, f.seen, f.fired))
        .collect();
    assert_eq!(
        rows,
        [
            (r#"{"rule": 1}"#.to_owned(), 2, 1),
            (r#"{"rule": 2}"#.to_owned(), 0, 0)
        ]
    );
    assert!(second > first);
    store.clear_faults().await.unwrap();
    assert_eq!(store.faults().await.unwrap(), []);
    assert_eq!(store.match_fault(first).await.unwrap(), None);
}

/// The whole contents read back as written by a replacement, and a
/// replacement with nothing empties the store; deployment numbers go on
/// from the last one the contents name.
async fn replaced_whole(store: &Store) {
    let mut before = store.contents().await.unwrap();
    assert!(!before.rows.is_empty() && !before.records.is_empty());
    before.jobs.push(job(7, 7));
    // Read in due order.
    before.jobs.sort_by_key(|j| j.due);
    before.modes.push((Some(instance()), true));
    before.faults.push(FaultRow {
        id: 0,
        rule: r#"{"rule": 3}"#.to_owned(),
        seen: 4,
        fired: 2,
    });
    before.last_number = 41;
    store.replace(&before).await.unwrap();
    let mut after = store.contents().await.unwrap();
    for f in &mut after.faults {
        f.id = 0;
    }
    assert_eq!(after, before);
    assert_eq!(store.next_number().await.unwrap(), 42);
    store.replace(&Contents::default()).await.unwrap();
    assert_eq!(store.contents().await.unwrap(), Contents::default());
    assert_eq!(store.next_number().await.unwrap(), 1);
}

/// A seed is written many rows to a transaction, each row only if its
/// resource has none (with what it produced, or nothing of it), and its
/// deployment numbers are drawn in one block that follows the last number
/// drawn. Runs on an empty store whose last number drawn is 1.
async fn seeded_in_one_write(store: &Store) {
    assert_eq!(store.next_numbers(3).await.unwrap(), [2, 3, 4]);
    assert_eq!(store.next_numbers(0).await.unwrap(), Vec::<u64>::new());
    assert_eq!(store.next_number().await.unwrap(), 5);

    let rest = at_rest();
    assert!(insert(store, &rest).await);
    let mut again = rest.clone();
    let _ = again.handle(update_a());
    let staging = Deployment::restore(Observed::new(
        ResourceId::Environment {
            name: name("staging"),
        },
        t(0),
        config(0),
    ))
    .unwrap();
    let new_record = record(&staging.observe(), A, t(100));
    let rows = [
        (
            row(&staging),
            Produced {
                records: vec![new_record.clone()],
                jobs: vec![job(5, 1)],
            },
        ),
        (
            row(&again),
            Produced {
                records: vec![record(&rest.observe(), B, t(100))],
                jobs: vec![job(6, 2)],
            },
        ),
    ];
    assert_eq!(store.insert_each(&rows).await.unwrap(), [true, false]);
    assert_eq!(store.insert_each(&[]).await.unwrap(), Vec::<bool>::new());
    assert_eq!(
        store.load(staging.resource()).await.unwrap(),
        Some(row(&staging))
    );
    assert_eq!(store.load(&instance()).await.unwrap(), Some(row(&rest)));
    assert_eq!(store.records().await.unwrap(), [new_record]);
    let payloads: Vec<String> = claim(store, 10)
        .await
        .into_iter()
        .map(|j| j.payload)
        .collect();
    assert_eq!(payloads, [json!({"report": 1}).to_string()]);
}

/// A store without compare-and-set writes over a revision it did not read
/// (what the check's faulty replica does); with it, that write is stale.
async fn compare_and_set_off(store: &Store) {
    let mut o = at_rest().observe();
    o.resource = ResourceId::Component {
        name: name("unchecked"),
    };
    o.applied = Configuration::Component { service_spec: None };
    let first = Deployment::restore(o).unwrap();
    assert!(insert(store, &first).await);
    let mut second = first.clone();
    let _ = second.handle(Input::Cancel { at: t(1) });
    let _ = second.handle(Input::Delete { at: t(2) });
    let mut never_read = second.clone();
    let _ = never_read.handle(Input::Delete { at: t(3) });
    assert_eq!(
        commit(store, &first, &second, &Produced::default()).await,
        Written::Committed
    );
    // `first` is no longer what the row holds.
    assert_eq!(
        commit(store, &first, &never_read, &Produced::default()).await,
        Written::Stale
    );
    let unchecked = store.clone().without_compare_and_set();
    assert_eq!(
        commit(&unchecked, &first, &never_read, &Produced::default()).await,
        Written::Committed
    );
}

/// Twenty writers read the same revision and commit at once: exactly one
/// wins, the others are told their read is stale.
async fn racing_writers(store: &Store) {
    // A resource of its own, so the race starts from a fresh row.
    let env = Deployment::restore({
        let mut o = at_rest().observe();
        o.resource = ResourceId::Component { name: name("race") };
        o.applied = Configuration::Component { service_spec: None };
        o
    })
    .unwrap();
    assert!(insert(store, &env).await);
    let read = Expected::of(&row(&env));
    let mut next = env.clone();
    let _ = next.handle(Input::Delete { at: t(1) });
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let store = store.clone();
            let next = row(&next);
            let read = read.clone();
            tokio::spawn(async move {
                store
                    .commit(&read, &next, &Produced::default())
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut won = 0;
    for task in tasks {
        if task.await.unwrap() == Written::Committed {
            won += 1;
        }
    }
    assert_eq!(won, 1, "exactly one of twenty racing writers commits");
}

#[tokio::test]
async fn the_memory_store_keeps_every_rule() {
    let store = Store::open("memory").await.unwrap();
    assert!(!store.is_database(), "memory needs no write cache");
    conformance(&store).await;
    racing_writers(&store).await;
    compare_and_set_off(&store).await;
    control_state(&store).await;
    replaced_whole(&store).await;
    seeded_in_one_write(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sqlite_store_keeps_every_rule() {
    let store = Store::open("sqlite::memory:").await.unwrap();
    assert!(store.is_database());
    // The store's Debug shows its connections: the pool and how many
    // connections it may still lend (SQLite's one).
    let shown = format!("{store:?}");
    assert!(
        shown.contains("Connections { pool: Pool {") && shown.contains("available: 1"),
        "{shown}"
    );
    conformance(&store).await;
    racing_writers(&store).await;
    compare_and_set_off(&store).await;
    control_state(&store).await;
    replaced_whole(&store).await;
    seeded_in_one_write(&store).await;
}

#[tokio::test]
async fn a_sqlite_file_keeps_state_and_pending_jobs_across_a_restart() {
    let (dir, path) = fresh_file("store");
    let url = path.to_str().unwrap().to_owned();
    {
        let store = Store::open(&url).await.unwrap();
        let rest = at_rest();
        assert!(insert(&store, &rest).await);
        let produced = Produced {
            records: Vec::new(),
            jobs: vec![job(105, 7)],
        };
        assert_eq!(
            store
                .commit(&Expected::of(&row(&rest)), &row(&updating()), &produced)
                .await
                .unwrap(),
            Written::Committed
        );
        // Claimed, then the process dies before applying it.
        assert_eq!(
            store
                .claim_due(t(105), Duration::from_secs(5), 10)
                .await
                .unwrap()
                .len(),
            1
        );
    }
    let store = Store::open(&url).await.unwrap();
    assert_eq!(
        store.load(&instance()).await.unwrap(),
        Some(row(&updating()))
    );
    let redelivered = store
        .claim_due(t(111), Duration::from_secs(5), 10)
        .await
        .unwrap();
    assert_eq!(
        redelivered.len(),
        1,
        "the claimed job comes back after its lease"
    );
    assert_eq!(redelivered[0].payload, json!({"report": 7}).to_string());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The row's revision column holds the snapshot's revision, and a write
/// compares both: a snapshot put back behind the store's back, under a
/// revision column that still reads as expected, makes the write stale.
#[tokio::test]
async fn a_write_compares_the_revision_column_and_the_snapshot_it_read() {
    let (dir, path) = fresh_file("cas");
    let store = Store::open(path.to_str().unwrap()).await.unwrap();
    let rest = at_rest();
    assert!(insert(&store, &rest).await);
    let db = sqlx::SqlitePool::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    let read = |sql: &'static str| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, String>(sql)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    let updating = updating();
    let mut cancelled = updating.clone();
    let _ = cancelled.handle(Input::Cancel { at: t(110) });
    assert_eq!(
        commit(&store, &rest, &updating, &Produced::default()).await,
        Written::Committed
    );
    let old_snapshot = read("SELECT snapshot FROM resources").await;
    assert_eq!(
        commit(&store, &updating, &cancelled, &Produced::default()).await,
        Written::Committed
    );
    let revision: i64 = sqlx::query_scalar("SELECT revision FROM resources")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(revision, 2);
    sqlx::query("UPDATE resources SET snapshot = ?1")
        .bind(&old_snapshot)
        .execute(&db)
        .await
        .unwrap();
    let mut failed = cancelled.clone();
    let _ = failed.handle(cancellation_finished(
        120,
        A,
        EngineResult::Failed(reason("x")),
    ));
    assert_eq!(
        commit(&store, &cancelled, &failed, &Produced::default()).await,
        Written::Stale
    );
    assert_eq!(read("SELECT snapshot FROM resources").await, old_snapshot);
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_unknown_database_address_is_refused_by_name() {
    let err = Store::open("mysql://localhost/x").await.unwrap_err();
    assert!(matches!(err, StoreError::UnknownUrl(_)));
    assert_eq!(
        err.to_string(),
        "unknown database \"mysql://localhost/x\": give a SQLite file path, sqlite:…, postgres://… or memory"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_postgres_store_keeps_every_rule() {
    let Some(url) = postgres::url_or_skip("the_postgres_store_keeps_every_rule") else {
        return;
    };
    let schema = Schema::create(
        &url,
        format!(
            "store_test_{}_{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ),
    )
    .await;
    let scoped = schema.scoped(&url);
    let store = Store::open(&scoped).await.unwrap();
    assert!(store.is_database());
    conformance(&store).await;
    racing_writers(&store).await;
    compare_and_set_off(&store).await;
    control_state(&store).await;
    replaced_whole(&store).await;
    seeded_in_one_write(&store).await;
    drop(store);
    schema.drop().await;
}
