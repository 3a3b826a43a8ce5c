//! The `proton-cancel` binary as a process against the emulator on
//! 127.0.0.1: every kind, the three outcomes of a cancel, Conflict,
//! NotFound, invalid names, `--output json`, exit codes, the exact lines of
//! a non-terminal run, Ctrl-C, and the live line in a real terminal.
#![allow(clippy::disallowed_methods)] // the test starts and times processes

use std::io::Read as _;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use proton_cancel_server::{App, Clock};
use proton_cancel_test_support::emulator;
use proton_cancel_test_support::process::{interrupt, rest_of};
use proton_cancel_wire::Operation;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_proton-cancel");

/// An emulator on a free port of 127.0.0.1, on the real clock, for as long
/// as this value lives.
struct Emulator {
    runtime: tokio::runtime::Runtime,
    app: App,
    url: String,
}

impl Emulator {
    fn start(seed: Value) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let (app, addr) = runtime.block_on(emulator::start_json(seed, Clock::system()));
        let url = format!("http://{addr}");
        Self { runtime, app, url }
    }

    /// The tool with the emulator's endpoint, static credentials, a region,
    /// quick polls, and no shared AWS configuration read.
    fn tool(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.args([
            "--endpoint-url",
            &self.url,
            "--min-delay",
            "50ms",
            "--max-delay",
            "200ms",
        ])
        .args(args);
        hermetic(&mut c);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.tool(args).output().unwrap()
    }

    /// Starts an update of `op` with `body` directly in the server.
    fn update(&self, op: Operation, body: Value) {
        self.runtime
            .block_on(self.app.call(op, body.to_string().as_bytes()))
            .unwrap();
    }
}

fn hermetic(c: &mut Command) {
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent");
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// Replaces each line's leading timestamp with `T` and the numbers of
/// `(after 3.3s, 6 polls)` with `N`, so lines compare exactly.
fn normalized(stdout: &[u8]) -> Vec<String> {
    text(stdout)
        .lines()
        .map(|l| {
            let (time, rest) = l.split_once(' ').unwrap();
            assert_eq!(
                time.len(),
                24,
                "an RFC 3339 time in UTC with milliseconds: {time}"
            );
            assert!(time.ends_with('Z') && time.as_bytes()[10] == b'T', "{time}");
            let rest = match rest.rsplit_once(" (after ") {
                Some((head, _)) => format!("{head} (after Ns, N polls)"),
                None => rest.to_owned(),
            };
            format!("T {rest}")
        })
        .collect()
}

const TEMPLATE: [(&str, &str); 3] = [
    ("templateName", "tmpl"),
    ("templateMajorVersion", "1"),
    ("templateMinorVersion", "0"),
];

fn with_template(mut v: Value) -> Value {
    for (k, val) in TEMPLATE {
        v[k] = json!(val);
    }
    v
}

/// One resource of each kind named `<prefix>…`, with `status` and `engine`.
fn all_kinds(prefix: &str, status: &str, engine: Value) -> Value {
    json!({
        "serviceInstances": [with_template(json!({"serviceName": "shop", "name": format!("{prefix}i"),
            "environmentName": "prod", "deploymentStatus": status, "engine": engine}))],
        "environments": [with_template(json!({"name": format!("{prefix}e"), "deploymentStatus": status, "engine": engine}))],
        "servicePipelines": [with_template(json!({"serviceName": format!("{prefix}p"), "environmentName": "prod",
            "deploymentStatus": status, "engine": engine}))],
        "components": [{"name": format!("{prefix}c"), "environmentName": "prod", "spec": "v1",
            "deploymentStatus": status, "engine": engine}],
    })
}

/// [`all_kinds`] IN_PROGRESS, whose update never finishes and whose
/// cancellations start and end 50 ms apart.
fn cancellable(prefix: &str) -> Value {
    let engine =
        json!({"updateAfterMs": null, "cancelStartAfterMs": 50, "cancelFinishAfterMs": 50});
    all_kinds(prefix, "IN_PROGRESS", engine)
}

/// [`all_kinds`] IN_PROGRESS, where nothing ever finishes: every cancel
/// stays CANCELLING.
fn held(prefix: &str) -> Value {
    let engine = json!({"updateAfterMs": null, "cancelStartAfterMs": null});
    all_kinds(prefix, "IN_PROGRESS", engine)
}

/// The tool's arguments naming each kind's resource of `all_kinds(prefix)`.
fn kinds(prefix: &str) -> Vec<Vec<String>> {
    let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    vec![
        s(&[
            "service-instance",
            "--service",
            "shop",
            "--name",
            &format!("{prefix}i"),
        ]),
        s(&["environment", "--name", &format!("{prefix}e")]),
        s(&["service-pipeline", "--service", &format!("{prefix}p")]),
        s(&["component", "--name", &format!("{prefix}c")]),
    ]
}

fn cancel_wait(e: &Emulator, kind: &[String]) -> Output {
    let mut args = vec!["cancel".to_owned()];
    args.extend(kind.iter().cloned());
    args.push("--wait".to_owned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    e.run(&args)
}

#[test]
fn a_cancel_that_succeeds_exits_0_on_every_kind_with_exact_lines() {
    let e = Emulator::start(cancellable("a"));
    let names = [
        "service instance 'ai' of service 'shop'",
        "environment 'ae'",
        "service pipeline of service 'ap'",
        "component 'ac'",
    ];
    for (kind, name) in kinds("a").iter().zip(names) {
        let out = cancel_wait(&e, kind);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert_eq!(
            normalized(&out.stdout),
            [
                format!("T {name}: cancel accepted: CANCELLING"),
                format!("T {name}: now CANCELLED (User initiated cancellation.)"),
                "T cancelled: the deployment was rolled back (after Ns, N polls)".to_owned(),
            ]
        );
        assert_eq!(text(&out.stderr), "");
    }
}

#[test]
fn a_failed_rollback_exits_5_on_every_kind_with_the_reason() {
    let e = Emulator::start(all_kinds(
        "f",
        "IN_PROGRESS",
        json!({"updateAfterMs": null, "cancelStartAfterMs": 50, "cancelFinishAfterMs": 50, "cancelResult": "FAILED"}),
    ));
    for kind in kinds("f") {
        let out = cancel_wait(&e, &kind);
        assert_eq!(out.status.code(), Some(5), "{kind:?}");
        let lines = normalized(&out.stdout);
        assert_eq!(
            lines.last().unwrap(),
            "T failed: Cancellation failed: the rollback did not complete. (after Ns, N polls)"
        );
    }
}

#[test]
fn an_update_that_wins_exits_6_on_every_kind_and_says_the_cancel_had_no_effect() {
    let e = Emulator::start(all_kinds(
        "w",
        "SUCCEEDED",
        json!({"updateAfterMs": 1500, "cancelStartAfterMs": null}),
    ));
    let spec = |extra: Value| {
        let mut v = json!({"deploymentType": "CURRENT_VERSION"});
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        v
    };
    e.update(
        Operation::UpdateServiceInstance,
        spec(json!({"serviceName": "shop", "name": "wi", "spec": "v2"})),
    );
    e.update(
        Operation::UpdateEnvironment,
        spec(json!({"name": "we", "spec": "v2"})),
    );
    e.update(
        Operation::UpdateServicePipeline,
        spec(json!({"serviceName": "wp", "spec": "v2"})),
    );
    e.update(
        Operation::UpdateComponent,
        spec(json!({"name": "wc", "serviceSpec": "v2"})),
    );
    let outs: Vec<Output> = std::thread::scope(|s| {
        let handles: Vec<_> = kinds("w")
            .into_iter()
            .map(|kind| {
                let e = &e;
                s.spawn(move || cancel_wait(e, &kind))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for out in outs {
        assert_eq!(out.status.code(), Some(6), "{}", text(&out.stderr));
        let lines = normalized(&out.stdout);
        assert!(
            lines[0].ends_with(": cancel accepted: CANCELLING"),
            "{lines:?}"
        );
        assert_eq!(
            lines.last().unwrap(),
            "T the update finished first: SUCCEEDED, and the cancel had no effect (after Ns, N polls)"
        );
    }
}

#[test]
fn conflict_not_found_and_invalid_names_exit_3_4_and_2_with_aws_messages() {
    let e = Emulator::start(all_kinds("c", "SUCCEEDED", json!({})));
    let out = e.run(&["cancel", "environment", "--name", "ce"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        text(&out.stderr),
        "proton-cancel: ConflictException: cannot cancel the deployment of environment 'ce': its \
         deployment status is SUCCEEDED; only a deployment that is IN_PROGRESS can be cancelled\n"
    );
    assert_eq!(text(&out.stdout), "");

    let out = e.run(&["status", "component", "--name", "nowhere"]);
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(
        text(&out.stderr),
        "proton-cancel: ResourceNotFoundException: component 'nowhere' was not found\n"
    );

    // Names are checked before any call: the endpoint here refuses every
    // connection, so a call would end in exit 1, not 2.
    let mut c = Command::new(BIN);
    c.args([
        "--endpoint-url",
        "http://127.0.0.1:1",
        "cancel",
        "service-instance",
        "--service",
        "it's",
        "--name",
        &"a".repeat(101),
    ]);
    hermetic(&mut c);
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        format!(
            "proton-cancel: ValidationException: 2 validation errors detected: Value '{}' at \
             'serviceInstanceName' failed to satisfy constraint: Member must have length less than \
             or equal to 100; Value 'it's' at 'serviceName' failed to satisfy constraint: Member \
             must satisfy regular expression pattern: ^[0-9A-Za-z]+[0-9A-Za-z_\\-]*$\n",
            "a".repeat(101)
        )
    );
}

/// The JSON `outcome` and exit code of the tool run with `args` on the
/// emulator `e`.
fn outcome_of(e: &Emulator, args: &[&str]) -> (String, Option<i32>) {
    let mut all = vec!["--output", "json"];
    all.extend_from_slice(args);
    let out = e.run(&all);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["exitCode"].as_i64().map(|c| c as i32), out.status.code());
    (v["outcome"].as_str().unwrap().to_owned(), out.status.code())
}

#[test]
fn output_json_names_each_ending_with_its_own_word_even_where_exit_codes_are_shared() {
    let instance = ["service-instance", "--service", "shop", "--name"];
    let with = |head: &[&str], name: &str, tail: &[&str]| -> Vec<String> {
        head.iter()
            .chain(instance.iter())
            .chain(std::iter::once(&name))
            .chain(tail.iter())
            .map(|s| (*s).to_owned())
            .collect()
    };
    let run = |e: &Emulator, args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        outcome_of(e, &args)
    };
    // The update finishes 300 ms in; a cancellation never starts.
    let race = Emulator::start(all_kinds(
        "w",
        "IN_PROGRESS",
        json!({"updateAfterMs": 300, "cancelStartAfterMs": null}),
    ));
    assert_eq!(
        run(&race, with(&["cancel"], "wi", &["--wait"])),
        ("update-won".to_owned(), Some(6))
    );
    let waiting = Emulator::start(all_kinds("s", "IN_PROGRESS", json!({"updateAfterMs": 300})));
    assert_eq!(
        run(&waiting, with(&["wait"], "si", &[])),
        ("succeeded".to_owned(), Some(6))
    );
    let held = Emulator::start(all_kinds(
        "a",
        "IN_PROGRESS",
        json!({"updateAfterMs": null, "cancelStartAfterMs": null}),
    ));
    assert_eq!(
        run(&held, with(&["cancel"], "ai", &[])),
        ("accepted".to_owned(), Some(0))
    );
    assert_eq!(
        run(&held, with(&["status"], "ai", &[])),
        ("shown".to_owned(), Some(0))
    );
}

#[test]
fn output_json_is_one_object_with_the_outcome_the_final_resource_and_the_timings() {
    let e = Emulator::start(cancellable("j"));
    let out = e.run(&[
        "--output",
        "json",
        "cancel",
        "service-instance",
        "--service",
        "shop",
        "--name",
        "ji",
        "--wait",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["outcome"], "cancelled");
    assert_eq!(v["exitCode"], 0);
    assert_eq!(v["status"], "CANCELLED");
    assert_eq!(v["statusMessage"], "User initiated cancellation.");
    assert_eq!(
        v["resource"],
        json!({"kind": "service-instance", "serviceName": "shop", "name": "ji"})
    );
    assert_eq!(v["final"]["deploymentStatus"], "CANCELLED");
    assert_eq!(
        v["final"]["arn"],
        "arn:aws:proton:us-east-1:123456789012:service/shop/service-instance/ji"
    );
    assert_eq!(v["deploymentId"], v["final"]["lastAttemptedDeploymentId"]);
    let statuses: Vec<&str> = v["timings"]["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["CANCELLING", "CANCELLED"]);
    assert!(v["timings"]["elapsedMs"].as_u64().unwrap() >= 100);
    assert!(v["timings"]["polls"].as_u64().unwrap() >= 2);

    let out = e.run(&[
        "--output",
        "json",
        "cancel",
        "environment",
        "--name",
        "nowhere",
    ]);
    assert_eq!(out.status.code(), Some(4));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["outcome"], "not-found");
    assert_eq!(v["error"]["code"], "ResourceNotFoundException");
    assert_eq!(v["error"]["requestId"].as_str().unwrap().len(), 36);
}

/// A deletion the engine finishes while the tool waits: DELETE_COMPLETE
/// (the resource is then not found) ends `deleted` with exit 8, and
/// DELETE_FAILED ends `delete-failed` with exit 5, on every kind. The
/// eight waits run at once, each started well before its deletion ends.
#[test]
fn waiting_on_a_deletion_ends_deleted_or_delete_failed_on_every_kind() {
    let done = Emulator::start(all_kinds(
        "d",
        "DELETE_IN_PROGRESS",
        json!({"deleteAfterMs": 2000}),
    ));
    let failing = Emulator::start(all_kinds(
        "f",
        "DELETE_IN_PROGRESS",
        json!({"deleteAfterMs": 2000, "deleteResult": "FAILED"}),
    ));
    let mut waits = Vec::new();
    for (e, prefix, end) in [
        (&done, "d", ("deleted", Some(8))),
        (&failing, "f", ("delete-failed", Some(5))),
    ] {
        for kind in kinds(prefix) {
            let mut args = vec!["--output", "json", "wait"];
            args.extend(kind.iter().map(String::as_str));
            let child = e.tool(&args).stdout(Stdio::piped()).spawn().unwrap();
            waits.push((kind, child, end));
        }
    }
    for (kind, child, end) in waits {
        let out = child.wait_with_output().unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let word = v["outcome"].as_str().unwrap();
        assert_eq!((word, out.status.code()), end, "{kind:?}");
        assert_eq!(v["exitCode"].as_i64().map(|c| c as i32), out.status.code());
    }
}

#[test]
fn wait_status_and_giving_up_exit_as_documented() {
    let e = Emulator::start(held("h"));
    let out = e.run(&["cancel", "component", "--name", "hc"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        normalized(&out.stdout),
        ["T cancel accepted: component 'hc' is CANCELLING"]
    );
    let out = e.run(&["status", "component", "--name", "hc"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(normalized(&out.stdout), ["T component 'hc' is CANCELLING"]);
    let out = e.run(&["--max-wait", "300ms", "wait", "component", "--name", "hc"]);
    assert_eq!(out.status.code(), Some(7));
    assert_eq!(
        normalized(&out.stdout).last().unwrap(),
        "T gave up waiting: the status is still CANCELLING (after Ns, N polls)"
    );
    let mut c = Command::new(BIN);
    c.args([
        "--min-delay",
        "5s",
        "--max-delay",
        "1s",
        "status",
        "component",
        "--name",
        "hc",
    ]);
    hermetic(&mut c);
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "proton-cancel: the maximum delay (1s) is shorter than the minimum delay (5s)\n"
    );
    let mut c = Command::new(BIN);
    c.args(["status", "component", "--name", "hc"])
        .env_remove("AWS_REGION");
    hermetic(&mut c);
    c.env_remove("AWS_REGION");
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "proton-cancel: no AWS Region is configured: pass --region, or set AWS_REGION or a \
         profile's region\n"
    );
}

#[test]
fn ctrl_c_stops_waiting_exits_130_and_changes_nothing_on_the_server() {
    let e = Emulator::start(held("x"));
    let mut child = e
        .tool(&["cancel", "environment", "--name", "xe", "--wait"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the first line (the cancel was accepted), then interrupt.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = Vec::new();
    let mut byte = [0u8; 1];
    while stdout.read(&mut byte).unwrap() == 1 && byte[0] != b'\n' {
        first.push(byte[0]);
    }
    assert!(text(&first).ends_with("environment 'xe': cancel accepted: CANCELLING"));
    let status = interrupt(
        &mut child,
        Duration::from_secs(20),
        "the tool did not stop on Ctrl-C",
    );
    assert_eq!(status.code(), Some(130));
    assert_eq!(
        rest_of(child.stderr.take()),
        "\nproton-cancel: interrupted: stopped waiting; nothing was changed on the server (a cancel \
         already accepted stands)\n"
    );
    let out = e.run(&["status", "environment", "--name", "xe"]);
    assert_eq!(
        normalized(&out.stdout),
        ["T environment 'xe' is CANCELLING"]
    );
}
