//! A history drawn in Porcupine's manner, as one self-contained HTML file:
//! a row per client with each operation's bar from invocation to answer,
//! the faults and engine reports marked above them, the longest partial
//! linearization numbered in its order, and the machine's states before
//! and after each placed operation shown on hover.

use std::fmt::Write as _;

use proton_cancel::{Configuration, Observed};

use crate::history::RecordedModel;
use crate::search::{Op, Partial, Ret, Verdict, longest_partial};

/// Something that happened beside the clients' operations: a fault, an
/// engine report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    /// When, in microseconds from the start of the run (the operations'
    /// time).
    pub at: u64,
    /// What happened.
    pub text: String,
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn spec_of(c: &Configuration) -> &str {
    let spec = match c {
        Configuration::Template { spec, .. } => spec.as_ref(),
        Configuration::Component { service_spec } => service_spec.as_ref(),
    };
    spec.map_or("-", |s| s.as_str())
}

/// One machine state in words: its status, the spec applied, and the spec
/// it deploys while an attempt runs.
pub fn state_text(o: &Observed) -> String {
    let mut text = format!("{} applied {}", o.status, spec_of(&o.applied));
    if let Some(target) = &o.target {
        let _ = write!(text, " deploying {}", spec_of(target));
    }
    text
}

fn states_text(states: &[Observed]) -> String {
    let mut texts: Vec<String> = states.iter().map(state_text).collect();
    texts.sort();
    texts.dedup();
    texts.join(" | ")
}

/// The width of one event's slot on the time axis, in pixels.
const SLOT: f64 = 76.0;

/// Where the rows start, right of the labels.
const LEFT: f64 = 104.0;

const STYLE: &str = "
body { font: 13px/1.4 system-ui, sans-serif; margin: 16px; color: #1d2330; }
h1 { font-size: 18px; margin: 0 0 4px; }
p { margin: 4px 0; }
.scroll { overflow-x: auto; }
.plot { position: relative; border-top: 1px solid #ccd; margin-top: 12px; }
.row { position: relative; height: 48px; border-bottom: 1px solid #eef; }
.marks { height: 26px; }
.label { position: absolute; left: 0; width: 96px; top: 14px; color: #556; }
.marks .label { top: 4px; }
.op { position: absolute; top: 5px; height: 38px; border-radius: 3px; font-size: 11px;
      line-height: 17px; white-space: nowrap; overflow: hidden; padding: 1px 4px;
      box-sizing: border-box; cursor: default; }
.op .ret { color: #445; }
.op.lin { background: #cdebd3; border: 1px solid #2f8a46; }
.op.out { background: #f7d4d2; border: 1px solid #b3261e; }
.op.open { border-style: dashed; }
.op:hover { outline: 2px solid #1d2330; z-index: 2; overflow: visible; }
.order { font-weight: 700; }
.tick { position: absolute; top: 0; width: 1px; height: 100%; background: #7a5cc4; opacity: .35; }
.mark { position: absolute; top: 3px; font-size: 10px; line-height: 18px; color: #fff;
        background: #7a5cc4; border-radius: 9px; padding: 0 5px; transform: translateX(-50%); }
#panel { margin-top: 12px; padding: 8px; border: 1px solid #ccd; min-height: 54px; background: #fafbff; }
.legend span { display: inline-block; padding: 0 6px; margin-right: 8px; border-radius: 3px; }
";

const SCRIPT: &str = "
for (const el of document.querySelectorAll('.op')) {
  el.addEventListener('mouseenter', () => {
    const p = document.getElementById('panel');
    p.innerHTML = '';
    for (const [k, v] of [['operation', el.dataset.op], ['before', el.dataset.before], ['after', el.dataset.after]]) {
      const line = document.createElement('div');
      line.textContent = k + ': ' + v;
      p.appendChild(line);
    }
  });
}
";

fn micros(t: u64) -> String {
    format!("{}.{:03} ms", t / 1_000, t % 1_000)
}

/// The page for one resource's history `ops` checked against `model`,
/// with `marks` (those that fall while its operations ran) drawn above
/// the clients' rows. As in Porcupine, the time axis is ordered, not
/// scaled: each invocation, answer and mark takes one slot, so short
/// operations stay readable beside long waits.
pub fn picture(model: &RecordedModel, ops: &[Op], marks: &[Mark], budget: u64) -> String {
    let partial: Partial = longest_partial(&model.model(), ops, budget);
    let first = ops.iter().map(|o| o.invoked).min().unwrap_or(0);
    let last = ops.iter().map(|o| o.returned).max().unwrap_or(first);
    let marks: Vec<&Mark> = marks
        .iter()
        .filter(|m| m.at >= first && m.at <= last)
        .collect();
    let mut events: Vec<u64> = ops
        .iter()
        .flat_map(|o| [o.invoked, o.returned])
        .chain(marks.iter().map(|m| m.at))
        .collect();
    events.sort_unstable();
    events.dedup();
    let slot = |t: u64| events.partition_point(|&e| e < t) as f64;
    let x = |t: u64| LEFT + slot(t) * SLOT;
    let width = LEFT + (events.len() as f64 + 1.0) * SLOT;
    let mut clients: Vec<usize> = ops.iter().map(|o| o.client).collect();
    clients.sort_unstable();
    clients.dedup();

    let verdict = match partial.verdict {
        Verdict::Linearizable => "linearizable",
        Verdict::NotLinearizable => "not linearizable",
        Verdict::Inconclusive => "inconclusive (the search's budget ran out)",
    };
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{} history</title><style>{STYLE}</style></head><body>",
        escape(&model.resource)
    );
    let _ = write!(
        html,
        "<h1>{}: {verdict}</h1><p id=\"summary\">{} operations by {} clients; the longest partial linearization places {} of them, numbered in its order. Time runs left to right in the order things happened (one slot per invocation, answer or mark).</p>",
        escape(&model.resource),
        ops.len(),
        clients.len(),
        partial.order.len()
    );
    html.push_str("<p class=\"legend\"><span style=\"background:#cdebd3\">placed</span><span style=\"background:#f7d4d2\">not placed: no order gives its answer</span><span style=\"border:1px dashed #555\">no answer (failed or timed out)</span><span style=\"background:#7a5cc4;color:#fff;border-radius:9px\">m1</span>fault or engine report</p>");
    let _ = write!(
        html,
        "<div class=\"scroll\"><div class=\"plot\" style=\"width:{width:.0}px\">"
    );
    html.push_str("<div class=\"row marks\"><div class=\"label\">engine, faults</div>");
    for (k, m) in marks.iter().enumerate() {
        let _ = write!(
            html,
            "<div class=\"mark\" style=\"left:{:.1}px\" title=\"{}: {}\">m{}</div>",
            x(m.at) + SLOT / 2.0,
            micros(m.at),
            escape(&m.text),
            k + 1
        );
    }
    html.push_str("</div>");
    for client in &clients {
        let _ = write!(
            html,
            "<div class=\"row\" data-client=\"{client}\"><div class=\"label\">client {client}</div>"
        );
        for m in &marks {
            let _ = write!(
                html,
                "<div class=\"tick\" style=\"left:{:.1}px\"></div>",
                x(m.at) + SLOT / 2.0
            );
        }
        for (i, op) in ops.iter().enumerate().filter(|(_, o)| o.client == *client) {
            let place = partial.order.iter().position(|&p| p == i);
            let open = matches!(op.ret, Ret::Unknown | Ret::TimedOut);
            let mut class = if place.is_some() { "op lin" } else { "op out" }.to_owned();
            if open {
                class.push_str(" open");
            }
            let left = x(op.invoked) + 3.0;
            let right = x(op.returned) + SLOT - 3.0;
            let text = format!("{} → {}", op.call, op.ret);
            let (before, after) = match place {
                Some(k) => (
                    partial.states.get(k).map_or(String::new(), |s| states_text(s)),
                    partial
                        .states
                        .get(k + 1)
                        .map_or(String::new(), |s| states_text(s)),
                ),
                None => (
                    "not placed: no order of the operations before it leads to a state that gives its answer".to_owned(),
                    "-".to_owned(),
                ),
            };
            let order = place.map_or(String::new(), |k| {
                format!("<span class=\"order\">#{}</span> ", k + 1)
            });
            let _ = write!(
                html,
                "<div class=\"{class}\" style=\"left:{left:.1}px;width:{w:.1}px\" title=\"{t} ({inv} to {ret})&#10;before: {b}&#10;after: {a}\" data-op=\"{t} ({inv} to {ret})\" data-before=\"{b}\" data-after=\"{a}\">{order}{call}<br><span class=\"ret\">{r}</span></div>",
                w = right - left,
                t = escape(&text),
                inv = micros(op.invoked),
                ret = micros(op.returned),
                b = escape(&before),
                a = escape(&after),
                call = escape(&op.call.to_string()),
                r = escape(&op.ret.to_string()),
            );
        }
        html.push_str("</div>");
    }
    html.push_str("</div></div>");
    let _ = write!(
        html,
        "<div id=\"panel\">Hover an operation to see the states the machine may be in before and after it (any of those between bars). Start: {}</div>",
        escape(
            &partial
                .states
                .first()
                .map_or(String::new(), |s| states_text(s))
        )
    );
    html.push_str("<h2 style=\"font-size:14px\">Faults and engine reports</h2><ol id=\"marks\">");
    for m in &marks {
        let _ = write!(html, "<li>{}: {}</li>", micros(m.at), escape(&m.text));
    }
    let _ = writeln!(html, "</ol><script>{SCRIPT}</script></body></html>");
    html
}
