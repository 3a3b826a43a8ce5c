//! The scheduler: one thread, simulated time, and a seed that chooses which
//! ready task runs next.
//!
//! Tasks belong to a group (the world's clients and nemesis, or one
//! replica), so a replica can be paused (its tasks are not polled) or
//! crashed (its tasks are dropped where they stand). Time moves only when
//! no task is ready: to the earliest timer. Every choice comes from the
//! seed, and nothing reads a real clock, a thread or an OS random source,
//! so a run is a pure function of its seed and the code.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Wake, Waker};

use futures_util::future::BoxFuture;
use rand::{Rng as _, SeedableRng as _};
use rand_pcg::Pcg64Mcg;

/// Who a task belongs to: [`WORLD`], or a replica's group.
pub type Group = usize;

/// The group of the clients and the nemesis: never paused or crashed.
pub const WORLD: Group = 0;

/// The group of replica `r`.
pub fn replica_group(r: usize) -> Group {
    r + 1
}

/// The simulated epoch, in milliseconds since 1970: 2026-01-01T00:00:00Z.
pub const EPOCH_MS: i64 = 1_767_225_600_000;

enum Command {
    Pause(Group),
    Resume(Group),
    Crash(Group),
}

#[derive(Default)]
struct Core {
    now: u64,
    ready: Vec<usize>,
    queued: Vec<bool>,
    timers: BTreeMap<(u64, u64), Waker>,
    next_timer: u64,
    spawned: Vec<(Group, BoxFuture<'static, ()>)>,
    commands: Vec<Command>,
    /// Each replica's clock and its skew, in milliseconds.
    clocks: Vec<(Arc<AtomicI64>, i64)>,
}

impl Core {
    fn set_clocks(&self) {
        let now = i64::try_from(self.now).unwrap_or(i64::MAX);
        for (clock, skew) in &self.clocks {
            clock.store(EPOCH_MS + now + skew, Ordering::SeqCst);
        }
    }
}

/// What a task may ask of the scheduler: the time, timers, new tasks, and
/// the nemesis's commands.
#[derive(Clone)]
pub struct Handle {
    core: Arc<Mutex<Core>>,
}

impl Handle {
    fn core(&self) -> MutexGuard<'_, Core> {
        self.core
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The simulated time, in milliseconds from the start of the run.
    pub fn now(&self) -> u64 {
        self.core().now
    }

    /// A future that completes `ms` milliseconds of simulated time from
    /// now; `sleep(0)` yields once, letting the scheduler choose again.
    pub fn sleep(&self, ms: u64) -> Sleep {
        Sleep {
            handle: self.clone(),
            until: self.now().saturating_add(ms),
            armed: false,
        }
    }

    /// Starts `future` as a task of `group`.
    pub fn spawn(&self, group: Group, future: impl Future<Output = ()> + Send + 'static) {
        self.core().spawned.push((group, Box::pin(future)));
    }

    /// Stops polling `group`'s tasks until [`Handle::resume`].
    pub fn pause(&self, group: Group) {
        self.core().commands.push(Command::Pause(group));
    }

    /// Polls `group`'s tasks again.
    pub fn resume(&self, group: Group) {
        self.core().commands.push(Command::Resume(group));
    }

    /// Drops every task of `group` where it stands.
    pub fn crash(&self, group: Group) {
        self.core().commands.push(Command::Crash(group));
    }

    /// Keeps `clock` at the simulated time plus `skew` milliseconds; the
    /// clock's index, for [`Handle::skew`].
    pub fn keep_clock(&self, clock: Arc<AtomicI64>) -> usize {
        let mut core = self.core();
        core.clocks.push((clock, 0));
        core.set_clocks();
        core.clocks.len() - 1
    }

    /// Sets clock `index`'s skew.
    pub fn skew(&self, index: usize, skew: i64) {
        let mut core = self.core();
        if let Some(c) = core.clocks.get_mut(index) {
            c.1 = skew;
        }
        core.set_clocks();
    }
}

/// See [`Handle::sleep`].
pub struct Sleep {
    handle: Handle,
    until: u64,
    armed: bool,
}

impl Future for Sleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let (until, armed) = (self.until, self.armed);
        self.armed = true;
        let handle = self.handle.clone();
        let mut core = handle.core();
        if armed {
            return if core.now >= until {
                Poll::Ready(())
            } else {
                Poll::Pending
            };
        }
        if until <= core.now {
            drop(core);
            cx.waker().wake_by_ref();
        } else {
            let seq = core.next_timer;
            core.next_timer += 1;
            core.timers.insert((until, seq), cx.waker().clone());
        }
        Poll::Pending
    }
}

struct TaskWaker {
    id: usize,
    core: Arc<Mutex<Core>>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        let mut core = self
            .core
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(q) = core.queued.get_mut(self.id)
            && !*q
        {
            *q = true;
            core.ready.push(self.id);
        }
    }
}

struct Task {
    group: Group,
    future: BoxFuture<'static, ()>,
    waker: Waker,
}

/// How a [`Executor::run_until`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// The deadline came.
    Deadline,
    /// No task is ready and no timer is set.
    Idle,
    /// The step budget is spent: some task never waits for time.
    Runaway,
}

/// The scheduler.
pub struct Executor {
    core: Arc<Mutex<Core>>,
    tasks: Vec<Option<Task>>,
    paused: Vec<Group>,
    parked: Vec<usize>,
    rng: Pcg64Mcg,
    /// Tasks polled so far.
    pub polls: u64,
}

impl Executor {
    /// A scheduler whose choices come from `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            core: Arc::default(),
            tasks: Vec::new(),
            paused: Vec::new(),
            parked: Vec::new(),
            rng: Pcg64Mcg::seed_from_u64(seed),
            polls: 0,
        }
    }

    /// A handle for tasks.
    pub fn handle(&self) -> Handle {
        Handle {
            core: Arc::clone(&self.core),
        }
    }

    fn core(&self) -> MutexGuard<'_, Core> {
        self.core
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Takes in new tasks and the nemesis's commands.
    fn settle(&mut self) {
        loop {
            let (spawned, commands) = {
                let mut core = self.core();
                (
                    std::mem::take(&mut core.spawned),
                    std::mem::take(&mut core.commands),
                )
            };
            if spawned.is_empty() && commands.is_empty() {
                return;
            }
            for (group, future) in spawned {
                let id = self.tasks.len();
                let waker = Waker::from(Arc::new(TaskWaker {
                    id,
                    core: Arc::clone(&self.core),
                }));
                self.tasks.push(Some(Task {
                    group,
                    future,
                    waker,
                }));
                let mut core = self.core();
                core.queued.push(true);
                core.ready.push(id);
            }
            for command in commands {
                match command {
                    Command::Pause(g) => {
                        if !self.paused.contains(&g) {
                            self.paused.push(g);
                        }
                    }
                    Command::Resume(g) => {
                        self.paused.retain(|p| *p != g);
                        let tasks = &self.tasks;
                        let (back, still): (Vec<usize>, Vec<usize>) =
                            self.parked.iter().partition(|&&id| {
                                tasks
                                    .get(id)
                                    .and_then(Option::as_ref)
                                    .is_none_or(|t| t.group == g)
                            });
                        self.parked = still;
                        let mut core = self.core();
                        for id in back {
                            if let Some(q) = core.queued.get_mut(id) {
                                *q = true;
                            }
                            core.ready.push(id);
                        }
                    }
                    Command::Crash(g) => {
                        // A process killed while stopped starts again
                        // running.
                        self.paused.retain(|p| *p != g);
                        // Dropped outside the lock: a dropped future may
                        // wake another task.
                        let dropped: Vec<Task> = self
                            .tasks
                            .iter_mut()
                            .filter(|t| t.as_ref().is_some_and(|t| t.group == g))
                            .filter_map(Option::take)
                            .collect();
                        drop(dropped);
                    }
                }
            }
        }
    }

    /// Runs tasks until simulated time reaches `deadline`, nothing is left
    /// to do, or `budget` more polls are spent.
    pub fn run_until(&mut self, deadline: u64, budget: u64) -> Stopped {
        let limit = self.polls.saturating_add(budget);
        loop {
            self.settle();
            if self.polls >= limit {
                return Stopped::Runaway;
            }
            let picked = {
                let core_arc = Arc::clone(&self.core);
                let mut core = core_arc
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if core.ready.is_empty() {
                    None
                } else {
                    let i = self.rng.random_range(0..core.ready.len());
                    let id = core.ready.swap_remove(i);
                    if let Some(q) = core.queued.get_mut(id) {
                        *q = false;
                    }
                    Some(id)
                }
            };
            let Some(id) = picked else {
                let mut core = self.core();
                let Some((&(when, _), _)) = core.timers.first_key_value() else {
                    return Stopped::Idle;
                };
                if when > deadline {
                    core.now = deadline;
                    core.set_clocks();
                    return Stopped::Deadline;
                }
                core.now = when;
                core.set_clocks();
                let mut due = Vec::new();
                while let Some(entry) = core.timers.first_entry() {
                    if entry.key().0 > when {
                        break;
                    }
                    due.push(entry.remove());
                }
                drop(core);
                for waker in due {
                    waker.wake();
                }
                continue;
            };
            let Some(Some(task)) = self.tasks.get_mut(id) else {
                continue;
            };
            if self.paused.contains(&task.group) {
                self.parked.push(id);
                continue;
            }
            self.polls += 1;
            let waker = task.waker.clone();
            let mut cx = Context::from_waker(&waker);
            if task.future.as_mut().poll(&mut cx).is_ready()
                && let Some(slot) = self.tasks.get_mut(id)
            {
                *slot = None;
            }
        }
    }

    /// The simulated time.
    pub fn now(&self) -> u64 {
        self.core().now
    }
}
