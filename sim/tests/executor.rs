//! The scheduler the simulation runs on: time moves only to the next
//! timer, a seed chooses among ready tasks (the same seed the same order),
//! a paused group waits, and a crashed group's tasks are dropped where they
//! stand.

use std::sync::{Arc, Mutex};

use proton_cancel_sim::executor::{Executor, Handle, Stopped, WORLD, replica_group};

/// Runs `tasks` tasks that each log their name at each of three steps,
/// yielding between steps; the order they ran in.
fn interleaving(seed: u64) -> Vec<String> {
    let mut executor = Executor::new(seed);
    let handle = executor.handle();
    let log = Arc::new(Mutex::new(Vec::new()));
    for task in ["a", "b", "c"] {
        let (log, h) = (Arc::clone(&log), handle.clone());
        handle.spawn(WORLD, async move {
            for step in 0..3 {
                log.lock().unwrap().push(format!("{task}{step}"));
                h.sleep(0).await;
            }
        });
    }
    assert_eq!(executor.run_until(0, 1_000), Stopped::Idle);
    Arc::try_unwrap(log).unwrap().into_inner().unwrap()
}

#[test]
fn the_same_seed_runs_tasks_in_the_same_order_and_other_seeds_in_others() {
    assert_eq!(interleaving(7), interleaving(7));
    let orders: std::collections::BTreeSet<Vec<String>> = (0..20).map(interleaving).collect();
    assert!(orders.len() > 5, "only {} orders in 20 seeds", orders.len());
    // Each task's own steps stay in order whatever the seed.
    for order in &orders {
        for task in ["a", "b", "c"] {
            let steps: Vec<&String> = order.iter().filter(|s| s.starts_with(task)).collect();
            assert_eq!(
                steps,
                [
                    &format!("{task}0"),
                    &format!("{task}1"),
                    &format!("{task}2")
                ]
            );
        }
    }
}

fn logger(
    handle: &Handle,
    log: &Arc<Mutex<Vec<(u64, &'static str)>>>,
) -> impl Fn(&'static str) + use<> {
    let (handle, log) = (handle.clone(), Arc::clone(log));
    move |what| log.lock().unwrap().push((handle.now(), what))
}

#[test]
fn time_moves_only_to_the_next_timer_and_stops_at_the_deadline() {
    let mut executor = Executor::new(1);
    let handle = executor.handle();
    let log = Arc::new(Mutex::new(Vec::new()));
    let say = logger(&handle, &log);
    let h = handle.clone();
    handle.spawn(WORLD, async move {
        say("start");
        h.sleep(250).await;
        say("after 250 ms");
        h.sleep(1_000).await;
        say("after 1,250 ms");
    });
    assert_eq!(executor.run_until(1_000, 1_000), Stopped::Deadline);
    assert_eq!(executor.now(), 1_000);
    assert_eq!(executor.run_until(5_000, 1_000), Stopped::Idle);
    assert_eq!(
        *log.lock().unwrap(),
        [
            (0, "start"),
            (250, "after 250 ms"),
            (1_250, "after 1,250 ms")
        ]
    );
}

#[test]
fn a_paused_group_waits_and_a_crashed_one_is_dropped_where_it_stands() {
    let mut executor = Executor::new(3);
    let handle = executor.handle();
    let log = Arc::new(Mutex::new(Vec::new()));
    struct Dropped(Box<dyn Fn(&'static str) + Send>);
    impl Drop for Dropped {
        fn drop(&mut self) {
            (self.0)("dropped");
        }
    }
    for (r, name) in [(0, "r0"), (1, "r1")] {
        let (say, h) = (logger(&handle, &log), handle.clone());
        let guard = Dropped(Box::new(logger(&handle, &log)));
        handle.spawn(replica_group(r), async move {
            let _guard = guard;
            for _ in 0..3 {
                h.sleep(100).await;
                say(name);
            }
        });
    }
    let h = handle.clone();
    handle.spawn(WORLD, async move {
        h.sleep(50).await;
        h.pause(replica_group(0));
        h.sleep(200).await;
        h.resume(replica_group(0));
        h.crash(replica_group(1));
    });
    assert_eq!(executor.run_until(10_000, 10_000), Stopped::Idle);
    assert_eq!(
        *log.lock().unwrap(),
        [
            // Replica 1 runs while replica 0 is paused.
            (100, "r1"),
            (200, "r1"),
            // Replica 1 is dropped at once, before its third step; replica
            // 0's timer fell due while it was paused, and it runs on
            // resuming.
            (250, "dropped"),
            (250, "r0"),
            (350, "r0"),
            (450, "r0"),
            (450, "dropped"),
        ]
    );
}

#[test]
fn a_task_that_never_waits_for_time_is_stopped_by_the_budget() {
    let mut executor = Executor::new(5);
    let handle = executor.handle();
    let h = handle.clone();
    handle.spawn(WORLD, async move {
        loop {
            h.sleep(0).await;
        }
    });
    assert_eq!(executor.run_until(1_000, 10_000), Stopped::Runaway);
    assert_eq!(executor.now(), 0);
}
