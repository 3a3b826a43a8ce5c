//! Name validation and machine transitions allocate nothing, except the copy
//! of the target that an update's effect hands to the engine: a counting
//! global allocator (per thread, so parallel tests do not interfere) checks
//! it for every input in every reachable stage.
#![allow(unsafe_code)] // a global allocator can only be written with `unsafe impl`

use proton_cancel_test_support::builders as common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use common::*;
use proton_cancel::*;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn bump() {
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every method forwards to the system allocator unchanged; the
// counter is a const-initialised thread-local `Cell`, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        bump();
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        bump();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        bump();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns its result with the number of allocations it made.
fn allocations<R>(f: impl FnOnce() -> R) -> (R, u64) {
    let before = ALLOCATIONS.with(Cell::get);
    let result = f();
    (result, ALLOCATIONS.with(Cell::get) - before)
}

/// Spec: R34
#[test]
fn the_counter_sees_an_allocation() {
    let (_, n) = allocations(|| std::hint::black_box(String::from("x")));
    assert_eq!(n, 1);
}

/// Spec: R34
#[test]
fn name_validation_allocates_nothing_valid_or_not() {
    let long = "a".repeat(1000);
    let accented = "é".repeat(101);
    let inputs = [
        "frontend-1",
        "bad name!",
        "",
        "_x",
        "x\n",
        long.as_str(),
        accented.as_str(),
    ];
    for value in inputs {
        let (result, n) = allocations(|| ResourceName::check(std::hint::black_box(value)));
        assert_eq!(n, 0, "{value:?} ({result:?})");
    }
}

/// Spec: R34
#[test]
fn every_transition_allocates_nothing_but_the_copy_of_a_new_target() {
    let states = one_deployment_per_stage();
    let inputs = || {
        let mut inputs = vec![
            update_a(),
            update_b(2, None),
            Input::Cancel { at: t(120) },
            Input::Delete { at: t(120) },
        ];
        inputs.extend(reports_about(120, A));
        inputs.extend([
            update_finished(120, B, EngineResult::Succeeded),
            Input::DeleteFinished {
                at: t(120),
                result: EngineResult::Succeeded,
            },
            Input::DeleteFinished {
                at: t(120),
                result: EngineResult::Failed(reason("x")),
            },
        ]);
        inputs
    };
    let mut checked = 0;
    let mut starts = 0;
    for state in &states {
        for input in inputs() {
            let mut d = state.clone();
            let label = format!("{input:?} in {:?}", d.stage());
            // The one transition that allocates starts a new attempt: its
            // effect hands the engine a boxed copy of the target, and that
            // costs exactly what this boxed clone costs.
            let target_copy = match &input {
                Input::Update { target, .. } => allocations(|| Box::new(target.clone())).1,
                _ => 0,
            };
            let (outcome, n) = allocations(|| d.handle(input));
            match outcome.effect() {
                Some(Effect::StartDeployment { .. }) => {
                    assert_eq!(n, target_copy, "{label} allocated ({outcome:?})");
                    starts += 1;
                }
                _ => assert_eq!(n, 0, "{label} allocated ({outcome:?})"),
            }
            drop(outcome);
            checked += 1;
        }
    }
    assert_eq!(checked, 108);
    // Two updates (with and without a token) in each of the three resting
    // stages that accept one: SUCCEEDED, FAILED, CANCELLED.
    assert_eq!(starts, 6);
}
