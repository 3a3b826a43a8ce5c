//! The dashboard at `/_proton-cancel/`: every resource with its live
//! status, its attempts drawn as timelines, the pending engine reports,
//! the fault rules and the request log, with the control actions beside
//! them. The server renders it as HTML; a small script opens the event
//! stream at `/_proton-cancel/events`, which sends the rendered state at
//! once and again after every change (pushed, never polled), and sends the
//! control calls the buttons stand for. No frontend build: the page is one
//! HTML document with its style and script inline.

pub(crate) mod timeline;

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use futures_util::Stream;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::app::App;
use crate::control::ControlError;
use crate::store::key;

/// How many resources the dashboard shows (by key), so a store seeded
/// with many stays readable and cheap to render.
pub const SHOWN_RESOURCES: usize = 200;

/// How many of a resource's attempts its timeline shows: the newest.
pub const SHOWN_ATTEMPTS: usize = 3;

/// How long the stream waits after a change before it renders, so that a
/// burst of changes is sent once.
const SETTLE: Duration = Duration::from_millis(100);

/// How often the stream renders without a change (a running attempt's
/// span grows with the time).
const REFRESH: Duration = Duration::from_secs(5);

const STYLE: &str = r#"
body { font-family: sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.6em; } h3 { font-size: 1em; margin: 1em 0 .3em; }
table { border-collapse: collapse; font-size: .9em; }
td, th { border-bottom: 1px solid #ddd; padding: .25em .6em; text-align: left; }
.status { font-weight: bold; }
.SUCCEEDED { color: #2e7d32; } .FAILED, .DELETE_FAILED { color: #c62828; }
.CANCELLED { color: #757575; } .CANCELLING { color: #ef6c00; } .IN_PROGRESS { color: #1565c0; }
.fault { color: #c62828; font-weight: bold; }
button { font-size: .8em; margin-right: .3em; }
code { font-size: .9em; }
"#;

const SCRIPT: &str = r#"
const live = document.getElementById('live');
const stream = new EventSource('/_proton-cancel/events');
stream.onmessage = (e) => { live.innerHTML = e.data; };
async function call(method, path, body) {
  const r = await fetch('/_proton-cancel' + path, {
    method, headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body) });
  if (!r.ok) { const e = await r.json(); alert(e.code + ': ' + e.message); }
}
document.addEventListener('click', (e) => {
  const b = e.target.closest('button[data-path]');
  if (b) call(b.dataset.method || 'POST', b.dataset.path, JSON.parse(b.dataset.body || '{}'));
});
document.addEventListener('submit', (e) => {
  if (e.target.id !== 'fault') return;
  e.preventDefault();
  const f = new FormData(e.target), rule = { operation: f.get('operation'), error: f.get('error') };
  if (f.get('resource')) rule.resource = f.get('resource');
  if (f.get('count')) rule.count = Number(f.get('count'));
  call('POST', '/faults', rule);
});
"#;

/// The page: the rendered state, and the script that keeps it live.
pub(crate) async fn page(State(app): State<App>) -> Result<Response, ControlError> {
    let body = render(&app).await?;
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "proton-cancel emulator" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { "proton-cancel emulator" }
                main id="live" { div data-source="page" { (body) } }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    };
    Ok(Html(page.into_string()).into_response())
}

/// The event stream: the rendered state now, and after every change.
pub(crate) async fn events(
    State(app): State<App>,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let watch = app.journal().watch();
    let stream =
        futures_util::stream::unfold((app, watch, true), |(app, mut watch, first)| async move {
            if !first {
                tokio::select! {
                    changed = watch.changed() => {
                        if !changed {
                            return None;
                        }
                        tokio::time::sleep(SETTLE).await;
                        watch.seen();
                    }
                    () = tokio::time::sleep(REFRESH) => {}
                }
            }
            let html = match render(&app).await {
                Ok(html) => html!(div data-source="stream" { (html) }).into_string(),
                Err(e) => format!("<p>the state cannot be read: {}</p>", e.message()),
            };
            Some((Ok(SseEvent::default().data(html)), (app, watch, false)))
        });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// One resource's timeline as an SVG document: every attempt of it (not
/// only the newest), as this replica saw them.
pub(crate) async fn timeline_svg(
    State(app): State<App>,
    uri: axum::http::Uri,
) -> Result<Response, ControlError> {
    let key = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("resource="))
        .ok_or_else(|| {
            ControlError::invalid(
                "resource: name the resource: /_proton-cancel/timeline?resource=KEY",
            )
        })?;
    let id = crate::control::ResourceKey::parse("resource", key)?;
    app.must_exist(&id).await?;
    let records = app.store().records().await.map_err(ControlError::store)?;
    let mine: Vec<&crate::record::Record> = records
        .iter()
        .filter(|r| r.attempt.resource == id)
        .collect();
    let events = app.journal().events();
    let about: Vec<&crate::journal::Event> = events.iter().filter(|e| e.resource == id).collect();
    let lanes = timeline::lanes(&mine, &about);
    let svg = timeline::svg(&lanes, app.now()).into_string();
    Ok((
        [(axum::http::header::CONTENT_TYPE, "image/svg+xml")],
        format!("{svg}\n"),
    )
        .into_response())
}

/// Everything the page shows, rendered.
pub(crate) async fn render(app: &App) -> Result<Markup, ControlError> {
    let store = app.store();
    let rows = store
        .load_range(("", "\u{10ffff}"), SHOWN_RESOURCES)
        .await
        .map_err(ControlError::store)?;
    let records = store.records().await.map_err(ControlError::store)?;
    let engine = app.engine_view().await?;
    let faults = app.list_faults().await?;
    let events = app.journal().events();
    let requests = app.journal().requests();
    let now = app.now();

    let mut by_resource: BTreeMap<String, Vec<&crate::record::Record>> = BTreeMap::new();
    for r in &records {
        by_resource
            .entry(key(&r.attempt.resource))
            .or_default()
            .push(r);
    }
    let pending = engine.pending_by_resource();
    let modes = engine.modes_by_resource();
    let global = engine.mode_word();
    Ok(html! {
        p {
            "Time " code { (now.as_millis()) " ms" }
            (if app.has_manual_clock() { " (manual clock)" } else { " (system clock)" })
            ". Engine: " strong #engine-mode { (global) } " "
            button data-path="/engine/mode" data-body=r#"{"mode":"manual"}"# { "all manual" }
            button data-path="/engine/mode" data-body=r#"{"mode":"auto"}"# { "all auto" }
            " " a href="/_proton-cancel/state" download="proton-cancel-state.json" { "export the state" }
            " · " span #watching data-watching=(app.journal().watching()) { (app.journal().watching()) " watching" }
        }
        h2 { "Resources" }
        table #resources {
            tr { th { "resource" } th { "status" } th { "message" } th { "engine" } th { "pending reports" } th {} }
            @for row in &rows {
                @let id = row.deployment.resource();
                @let k = key(id);
                @let status = row.deployment.status();
                @let body = |mode: &str| format!(r#"{{"mode":"{mode}","resource":"{k}"}}"#);
                tr data-resource=(k) {
                    td { code { (k) } }
                    td class={ "status " (status) } { (status) }
                    td { (row.deployment.observe().status_message.map(|m| m.as_str().to_owned()).unwrap_or_default()) }
                    td { (modes.get(&k).copied().unwrap_or(global)) }
                    td { (pending.get(&k).map(|p| p.join(", ")).unwrap_or_default()) }
                    td {
                        button data-path="/engine/mode" data-body=(body("manual")) { "manual" }
                        button data-path="/engine/mode" data-body=(body("auto")) { "auto" }
                        button data-path="/engine/deliver" data-body=(format!(r#"{{"resource":"{k}"}}"#)) { "deliver next" }
                    }
                }
            }
        }
        h2 { "Timelines" }
        p #legend {
            span style="background:#64b5f6" { "\u{a0}\u{a0}\u{a0}" } " IN_PROGRESS · "
            span style="background:#ffcc80" { "\u{a0}\u{a0}\u{a0}" } " CANCELLING, the update can still win · "
            span style="background:#fb8c00" { "\u{a0}\u{a0}\u{a0}" } " CANCELLING, the rollback started · "
            "the block at the end: the outcome · dashed: a report the machine ignored"
        }
        @for row in &rows {
            @let id = row.deployment.resource();
            @let k = key(id);
            @if let Some(records) = by_resource.get(&k) {
                @let mine: Vec<&crate::journal::Event> = events.iter().filter(|e| &e.resource == id).collect();
                @let lanes = timeline::lanes(records, &mine);
                @let lanes = &lanes[lanes.len().saturating_sub(SHOWN_ATTEMPTS)..];
                section class="resource" data-resource=(k) data-status=(row.deployment.status()) {
                    h3 { code { (k) } " " span class={ "status " (row.deployment.status()) } { (row.deployment.status()) } }
                    (timeline::svg(lanes, now))
                }
            }
        }
        h2 { "Fault rules" }
        form #fault {
            "operation " input name="operation" value="GetServiceInstance" size="28";
            " error " select name="error" {
                option { "ThrottlingException" } option { "InternalServerException" } option { "ServiceQuotaExceededException" }
            }
            " resource " input name="resource" placeholder="(any)" size="28";
            " count " input name="count" value="1" size="3";
            " " button type="submit" { "add rule" }
            button type="button" data-method="DELETE" data-path="/faults" { "clear rules" }
        }
        table #faults {
            tr { th { "id" } th { "operation" } th { "resource" } th { "error" } th { "matched" } th { "fired" } }
            @for f in &faults {
                @let v = serde_json::to_value(f).unwrap_or_default();
                tr {
                    td { (v["id"]) } td { (v["operation"].as_str().unwrap_or_default()) }
                    td { (v["resource"].as_str().unwrap_or("any")) } td { (v["error"].as_str().unwrap_or("latency")) }
                    td { (v["matched"]) } td { (v["fired"]) }
                }
            }
        }
        h2 { "Requests" }
        table #requests {
            tr { th { "request id" } th { "call" } th { "status" } th { "error" } th { "fault" } th { "µs" } }
            @for r in &requests {
                tr data-request=(r.id) {
                    td { code { (r.id) } } td { (r.what) } td { (r.status) }
                    td { (r.error.as_deref().unwrap_or_default()) }
                    td class=(if r.fault.is_some() { "fault" } else { "" }) {
                        (r.fault.map(|f| format!("fault rule {f}")).unwrap_or_default())
                    }
                    td { (r.latency_us) }
                }
            }
        }
    })
}
