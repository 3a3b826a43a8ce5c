//! The server binary as a user runs it: its help, its startup errors and
//! exit codes, its log lines, and a clean stop on Ctrl-C from the first
//! instant. Every process here is started by the test, listens on
//! 127.0.0.1, and is stopped by its own pid.
#![allow(clippy::disallowed_methods)] // the test starts and times processes

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use proton_cancel_test_support::process as server;
use proton_cancel_test_support::raw;

use server::{Server, exit_of, interrupt, rest_of};

const BIN: &str = env!("CARGO_BIN_EXE_proton-cancel-server");

/// Starts the binary with `args` on a free port (in memory unless
/// `--database` is given) and waits for its listening line.
fn spawn(args: &[&str]) -> Server {
    let mut command = Command::new(BIN);
    command
        .args(["--port", "0"])
        .args(args)
        .args(if args.contains(&"--database") {
            &[][..]
        } else {
            &["--database", "memory"][..]
        })
        .stderr(Stdio::piped());
    Server::listen(command, String::new)
}

/// Stops the server with SIGINT (at most 20 s); returns its exit code and
/// everything it wrote to stderr.
fn stop(mut server: Server) -> (Option<i32>, String) {
    let code = interrupt(
        &mut server.child,
        Duration::from_secs(20),
        "the server did not stop on SIGINT",
    )
    .code();
    (code, rest_of(server.child.stderr.take()))
}

/// POSTs `body` to operation `op`; returns the status line and the request
/// id header.
fn call(port: u16, op: &str, body: &str) -> (String, String) {
    let answer = raw::call(port, op, body);
    (answer.status, answer.id)
}

#[test]
fn help_states_the_loopback_bind_the_defaults_the_seed_format_and_the_override_order() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "It listens on 127.0.0.1 only",
        "[default: 7070]",
        "[built-in: 5000]",
        "[built-in: 1000]",
        "[built-in: 2000]",
        "[built-in: 3000]",
        "Engine settings, lowest precedence first: the built-in defaults",
        "then the\nseed file's \"engine\" object, then these flags, then each seeded resource's\nown \"engine\" object.",
        "server/seed.example.json",
        "RUST_LOG",
        "--log-format <LOG_FORMAT>",
    ] {
        assert!(help.contains(needle), "help lacks {needle:?}:\n{help}");
    }
    // Each default is shown once: clap's own where the flag has one.
    for (default, times) in [("30000]", 1), ("7070]", 1), ("5000]", 1)] {
        assert_eq!(
            help.matches(default).count(),
            times,
            "{default} is shown more than once:\n{help}"
        );
    }
}

#[test]
fn startup_errors_say_what_is_wrong_and_exit_with_their_code() {
    let (code, err) = exit_of(
        BIN,
        &["--database", "memory", "--seed", "/nonexistent/seed.json"],
    );
    assert_eq!(code, Some(1));
    assert!(
        err.starts_with("cannot read /nonexistent/seed.json: No such file or directory"),
        "{err}"
    );

    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let (code, err) = exit_of(BIN, &["--database", "memory", "--port", &port]);
    assert_eq!(code, Some(3));
    assert!(
        err.starts_with(&format!("cannot listen on 127.0.0.1:{port}: ")),
        "{err}"
    );

    assert_eq!(exit_of(BIN, &["--port", "seventy"]).0, Some(2));
}

#[test]
fn ctrl_c_right_after_the_listening_line_shuts_down_cleanly() {
    let server = spawn(&[]);
    let (code, err) = stop(server);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("shutting down signal=Ctrl-C"), "{err}");
}

#[test]
fn each_request_is_one_log_line_with_its_id_operation_resource_outcome_and_latency() {
    let seed = std::env::temp_dir().join(format!("proton-cancel-seed-{}.json", std::process::id()));
    std::fs::write(
        &seed,
        r#"{"serviceInstances": [{"serviceName": "shop", "name": "web", "environmentName": "prod",
            "templateName": "t", "templateMajorVersion": "1", "templateMinorVersion": "0",
            "deploymentStatus": "IN_PROGRESS", "engine": {"updateAfterMs": null}}]}"#,
    )
    .unwrap();
    let server = spawn(&["--seed", seed.to_str().unwrap(), "--log-format", "json"]);
    let (status, ok_id) = call(
        server.port,
        "CancelServiceInstanceDeployment",
        r#"{"serviceName": "shop", "serviceInstanceName": "web"}"#,
    );
    assert_eq!(status, "HTTP/1.1 200 OK");
    let (status, bad_id) = call(
        server.port,
        "GetServiceInstance",
        r#"{"serviceName": "shop", "name": "web\nERROR forged"}"#,
    );
    assert_eq!(status, "HTTP/1.1 400 Bad Request");
    let (_, err) = stop(server);
    let _ = std::fs::remove_file(&seed);

    let lines: Vec<serde_json::Value> = err
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let answered: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["fields"]["message"] == "answered")
        .collect();
    assert_eq!(answered.len(), 2, "{err}");
    let ok = answered[0];
    assert_eq!(ok["span"]["request_id"], ok_id.as_str());
    assert_eq!(ok["span"]["operation"], "CancelServiceInstanceDeployment");
    assert_eq!(
        ok["span"]["resource"],
        "service instance 'web' of service 'shop'"
    );
    assert_eq!(ok["fields"]["status"], 200);
    assert!(ok["fields"]["latency_us"].is_u64());
    let bad = answered[1];
    assert_eq!(bad["span"]["request_id"], bad_id.as_str());
    assert_eq!(bad["span"]["error"], "ValidationException");
    assert!(
        bad["span"]["detail"]
            .as_str()
            .unwrap()
            .contains(r"Value 'web\nERROR forged' at 'name'"),
        "{bad}"
    );
    assert_eq!(bad["fields"]["status"], 400);
    let transition = lines
        .iter()
        .find(|l| l["fields"]["message"] == "transition")
        .expect("a transition line");
    assert_eq!(transition["fields"]["from"], "IN_PROGRESS");
    assert_eq!(transition["fields"]["to"], "CANCELLING");
    assert_eq!(transition["fields"]["effect"], "StartCancellation");
    assert_eq!(transition["span"]["request_id"], ok_id.as_str());
}

/// SIGKILLs the server (no clean shutdown) and waits for it to go.
#[test]
fn the_server_keeps_answering_while_nobody_reads_its_standard_error_and_then_logs_how_many_lines_it_dropped()
 {
    // Standard error piped and not read, as a harness that forgets it does:
    // the pipe holds 64 KiB and the server's buffer 256 KiB, some 1,100
    // request lines in all, so 2,000 requests overflow both.
    let mut server = spawn(&[]);
    for n in 0..2_000 {
        let (status, _) = call(
            server.port,
            "GetEnvironment",
            &format!(r#"{{"name": "env{n}"}}"#),
        );
        assert_eq!(status, "HTTP/1.1 400 Bad Request", "request {n}");
    }
    // Read now: the queued lines come out, then the count of dropped ones.
    let mut err = std::io::BufReader::new(server.child.stderr.take().unwrap());
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut line = String::new();
    let dropped = loop {
        assert!(
            Instant::now() < deadline,
            "no line counts the dropped lines"
        );
        line.clear();
        let n = std::io::BufRead::read_line(&mut err, &mut line).unwrap();
        assert!(n > 0, "standard error ended without the count");
        if let Some((_, rest)) = line
            .split_once("log lines were dropped: standard error was not read fast enough dropped=")
        {
            break rest.trim().parse::<u64>().unwrap();
        }
    };
    assert!(dropped > 0 && dropped < 2_000, "{dropped}");
    // And it still answers.
    let (status, _) = call(server.port, "GetEnvironment", r#"{"name": "env"}"#);
    assert_eq!(status, "HTTP/1.1 400 Bad Request");
}

fn kill_hard(mut server: Server) {
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-KILL", &pid])
            .status()
            .unwrap()
            .success()
    );
    let _ = server.child.wait();
}

/// The deployment status of `web` of `shop`, read over HTTP.
fn status_of_web(port: u16) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let body = r#"{"serviceName": "shop", "name": "web"}"#;
    write!(
        s,
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: AwsProton20200720.GetServiceInstance\r\n\
         Content-Type: application/x-amz-json-1.0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let json = raw.split_once("\r\n\r\n").unwrap().1;
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["serviceInstance"]["deploymentStatus"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn state_and_pending_engine_work_survive_a_sigkill_and_the_seed_never_resets_them() {
    let dir = std::env::temp_dir().join(format!("proton-cancel-durable-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("state.db");
    let seed = server::seed_in_progress(&dir, 1500, 500);
    let args = [
        "--database",
        db.to_str().unwrap(),
        "--seed",
        seed.to_str().unwrap(),
    ];
    let server = spawn(&args);
    let (status, _) = call(
        server.port,
        "CancelServiceInstanceDeployment",
        r#"{"serviceName": "shop", "serviceInstanceName": "web"}"#,
    );
    assert_eq!(status, "HTTP/1.1 200 OK");
    // Killed a moment after the cancel, long before the engine reports.
    kill_hard(server);

    // Restarted on the same database with the same seed: the resource is
    // still CANCELLING (the seed did not reset it), and the engine's
    // pending reports still arrive.
    let server = spawn(&args);
    assert_eq!(status_of_web(server.port), "CANCELLING");
    let deadline = Instant::now() + Duration::from_secs(20);
    while status_of_web(server.port) != "CANCELLED" {
        assert!(
            Instant::now() < deadline,
            "the pending cancellation was never delivered"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let (code, _) = stop(server);
    assert_eq!(code, Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ctrl_c_while_a_large_seed_loads_stops_at_once_and_a_restart_finishes_the_seed() {
    let dir = std::env::temp_dir().join(format!("proton-cancel-big-seed-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let instances: Vec<serde_json::Value> = (0..2_000)
        .map(|i| {
            serde_json::json!({"serviceName": "shop", "name": format!("i-{i}"),
                "environmentName": "prod", "templateName": "t", "templateMajorVersion": "1",
                "templateMinorVersion": "0", "deploymentStatus": "IN_PROGRESS"})
        })
        .collect();
    let seed = dir.join("seed.json");
    std::fs::write(
        &seed,
        serde_json::json!({"serviceInstances": instances}).to_string(),
    )
    .unwrap();
    let database = dir.join("state.db");
    let mut child = Command::new(BIN)
        .args(["--port", "0", "--never-finish-updates", "--database"])
        .arg(&database)
        .arg("--seed")
        .arg(&seed)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let code = interrupt(
        &mut child,
        Duration::from_secs(5),
        "still loading the seed 5 s after Ctrl-C",
    )
    .code();
    let out = rest_of(child.stdout.take());
    assert_eq!((code, out.as_str()), (Some(0), "shutting down\n"));
    drop(child);

    // Started again on the same file and seed, it writes the rest.
    let server = spawn(&[
        "--database",
        database.to_str().unwrap(),
        "--seed",
        seed.to_str().unwrap(),
        "--never-finish-updates",
    ]);
    let (status, _) = call(
        server.port,
        "GetServiceInstance",
        r#"{"serviceName": "shop", "name": "i-1999"}"#,
    );
    assert_eq!(status, "HTTP/1.1 200 OK");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `control <args>` of the binary against `port`: exit code, standard
/// output, standard error.
fn control(port: u16, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(BIN)
        .args(["control", "--endpoint", &format!("http://127.0.0.1:{port}")])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Spec: R61
#[test]
fn the_control_subcommand_stages_a_race_on_a_manual_clock_and_says_what_failed_by_exit_code() {
    let seed = std::env::temp_dir().join(format!("control-cli-{}.json", std::process::id()));
    std::fs::write(
        &seed,
        r#"{"environments": [{"name": "prod", "templateName": "env-tmpl",
            "templateMajorVersion": "1", "templateMinorVersion": "0"}]}"#,
    )
    .unwrap();
    let server = spawn(&["--manual-clock", "--seed", seed.to_str().unwrap()]);
    let port = server.port;
    let (code, out, _) = control(port, &["mode", "manual"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("\"mode\": \"manual\""), "{out}");
    let update = r#"{"name": "prod", "deploymentType": "CURRENT_VERSION", "spec": "v2"}"#;
    assert_eq!(
        raw::call(port, "UpdateEnvironment", update).status,
        "HTTP/1.1 200 OK"
    );
    let (code, out, _) = control(port, &["advance", "60000"]);
    assert_eq!(code, Some(0), "{out}");
    let get = || raw::call(port, "GetEnvironment", r#"{"name": "prod"}"#).body;
    assert_eq!(get()["environment"]["deploymentStatus"], "IN_PROGRESS");
    let (code, out, _) = control(
        port,
        &[
            "deliver",
            "environment/prod",
            "--result",
            "failed",
            "--message",
            "no capacity",
        ],
    );
    assert_eq!(code, Some(0));
    let delivered: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (&delivered["outcome"], &delivered["status"]),
        (&serde_json::json!("applied"), &serde_json::json!("FAILED"))
    );
    assert_eq!(
        get()["environment"]["deploymentStatusMessage"],
        "no capacity"
    );
    let (code, _, err) = control(port, &["deliver", "environment/prod"]);
    assert_eq!(code, Some(1));
    assert_eq!(
        err.trim_end(),
        "HTTP 409: {\n  \"code\": \"NothingPending\",\n  \"message\": \"no engine report is pending for environment 'prod'\"\n}"
    );
    let (code, out, _) = control(port, &["export"]);
    assert_eq!(code, Some(0));
    let exported: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(exported["state"]["resources"].as_array().unwrap().len(), 1);
    drop(server);
    let (code, _, err) = control(port, &["engine"]);
    assert_eq!(code, Some(5));
    assert!(
        err.starts_with(&format!("cannot reach http://127.0.0.1:{port}: ")),
        "{err}"
    );
    let _ = std::fs::remove_file(&seed);
}
