//! The report as one self-contained HTML page: inline CSS, inline SVG
//! figures and a small inline script that makes tables sortable by clicking
//! a header. Nothing is fetched from the network, and with scripts off the
//! page reads the same (tables come sorted by capabilities correlation).
//!
//! The script marks the document with `data-sort-script="ok"` once it has
//! wired the tables (or `error: …`), and when the page is opened with the
//! fragment `#selftest` it clicks the first table's name header and records
//! the outcome in `data-selftest`: a browser test reads both from the DOM.

use super::{Report, Row, Verdict};
use crate::output::percent;
use crate::plot::style::pct_with_interval;
use crate::plot::xml_escape as esc;
use std::fmt::Write;

const CSS: &str = r#"
:root { color-scheme: light; --ink: #1e1e1e; --muted: #5a5a5a; --rule: #d9d9d9; --zebra: #f6f6f6; --accent: #0072b2; }
* { box-sizing: border-box; }
body { font: 16px/1.5 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 0 auto; max-width: 1560px; padding: 24px 28px 60px; background: #fff; }
h1 { font-size: 1.9em; margin: 0.2em 0 0.3em; }
h2 { font-size: 1.35em; margin: 1.8em 0 0.5em; border-bottom: 2px solid var(--rule); padding-bottom: 0.15em; }
h3 { font-size: 1.1em; margin: 1.4em 0 0.4em; }
p.question { font-size: 1.1em; max-width: 60em; }
p, dl { max-width: 72em; }
.muted, figcaption { color: var(--muted); }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.92em; }
th, td { padding: 0.28em 0.7em; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) { background: var(--zebra); }
thead th { position: sticky; top: 0; background: #fff; border-bottom: 2px solid var(--ink); }
th button { font: inherit; font-weight: bold; border: 0; background: none; padding: 0; cursor: pointer; color: inherit; text-align: inherit; }
th button::after { content: " ⇅"; color: var(--muted); font-weight: normal; }
th[aria-sort="ascending"] button::after { content: " ▲"; color: var(--ink); }
th[aria-sort="descending"] button::after { content: " ▼"; color: var(--ink); }
.verdict { display: inline-block; padding: 0 0.45em; border-radius: 3px; border: 1px solid; font-size: 0.9em; }
.v-high { background: #0072b2; border-color: #0072b2; color: #fff; font-weight: bold; }
.v-moderate { background: #cce3f0; border-color: #0072b2; color: #003a5c; }
.v-low { background: #fff; border-color: #999; color: #333; }
.v-negative { background: #fbe3d3; border-color: #d55e00; color: #6b2f00; }
.v-capability { background: #eee; border-color: #777; color: #333; font-style: italic; }
.v-undefined { border-color: transparent; color: var(--muted); }
figure { margin: 1.2em 0 2em; }
figure svg { max-width: 100%; height: auto; display: block; border: 1px solid var(--rule); }
.scroll { overflow-x: auto; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
pre { background: var(--zebra); padding: 0.7em 1em; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
dl.legend dt { float: left; clear: left; width: 7.5em; }
dl.legend dd { margin: 0 0 0.3em 8em; }
nav a { margin-right: 1em; }
@media print { thead th { position: static; } figure { break-inside: avoid; } }
"#;

const SCRIPT: &str = r##"
(function () {
  "use strict";
  function value(row, col, numeric) {
    var cell = row.cells[col];
    var v = cell.getAttribute("data-value");
    if (numeric) { return v === null || v === "" ? NaN : parseFloat(v); }
    return (v !== null ? v : cell.textContent).toLowerCase();
  }
  function sortBy(table, col, dir) {
    var heads = table.tHead.rows[0].cells;
    var numeric = heads[col].getAttribute("data-type") === "number";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.forEach(function (r, i) { r.setAttribute("data-order", i); });
    rows.sort(function (a, b) {
      var x = value(a, col, numeric), y = value(b, col, numeric), c = 0;
      if (numeric) {
        var xn = isNaN(x), yn = isNaN(y);
        if (xn || yn) { c = xn === yn ? 0 : (xn ? 1 : -1); return c; }
        c = dir * (x - y);
      } else {
        c = dir * (x < y ? -1 : (x > y ? 1 : 0));
      }
      return c !== 0 ? c : a.getAttribute("data-order") - b.getAttribute("data-order");
    });
    rows.forEach(function (r) { body.appendChild(r); });
    for (var i = 0; i < heads.length; i++) { heads[i].removeAttribute("aria-sort"); }
    heads[col].setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
  }
  function wire(table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var now = th.getAttribute("aria-sort");
        var numeric = th.getAttribute("data-type") === "number";
        var dir = now === "ascending" ? -1 : (now === "descending" ? 1 : (numeric ? -1 : 1));
        sortBy(table, col, dir);
      });
    });
    table.setAttribute("data-sortable", "ready");
  }
  function selftest(table) {
    var button = table.tHead.rows[0].cells[0].querySelector("button");
    button.click();
    var names = Array.prototype.map.call(table.tBodies[0].rows, function (r) { return value(r, 0, false); });
    for (var i = 1; i < names.length; i++) {
      if (names[i - 1] > names[i]) { return "fail: not sorted at row " + i; }
    }
    return table.tHead.rows[0].cells[0].getAttribute("aria-sort") === "ascending" ? "ok" : "fail: aria-sort";
  }
  var root = document.documentElement;
  try {
    var tables = document.querySelectorAll("table.sortable");
    Array.prototype.forEach.call(tables, wire);
    root.setAttribute("data-sort-script", "ok");
    if (location.hash === "#selftest" && tables.length > 0) {
      root.setAttribute("data-selftest", selftest(tables[0]));
    }
  } catch (e) {
    root.setAttribute("data-sort-script", "error: " + e);
  }
})();
"##;

/// A table header cell; `numeric` columns sort as numbers.
fn th(out: &mut String, label: &str, numeric: bool, sorted: Option<&str>) {
    let class = if numeric {
        " class=\"num\" data-type=\"number\""
    } else {
        " data-type=\"text\""
    };
    let aria = sorted.map_or(String::new(), |s| format!(" aria-sort=\"{s}\""));
    let _ = write!(out, "<th scope=\"col\"{class}{aria}>{}</th>", esc(label));
}

/// A numeric cell: shown text, sort value (empty when undefined).
fn num(out: &mut String, text: &str, value: Option<f64>) {
    let v = value.map_or(String::new(), |v| format!("{v}"));
    let _ = write!(
        out,
        "<td class=\"num\" data-value=\"{v}\">{}</td>",
        esc(text)
    );
}

fn row_html(out: &mut String, r: &Row) {
    out.push_str("<tr>");
    let _ = write!(
        out,
        "<td data-value=\"{}\" title=\"{}\">{}</td>",
        esc(&r.name.to_lowercase()),
        esc(&r.benchmark),
        esc(&r.name)
    );
    let _ = write!(out, "<td>{}</td>", esc(&r.metric));
    num(out, &r.n.to_string(), Some(r.n as f64));
    let cap = r
        .capabilities
        .map_or_else(|| "–".to_string(), |v| pct_with_interval(v, r.interval));
    num(out, &cap, r.capabilities);
    num(out, &percent(r.compute), r.compute);
    // Sort value: strength of the tie to capabilities (undefined sorts last).
    let rank = match r.verdict {
        Verdict::Capability => "5",
        Verdict::High => "4",
        Verdict::Moderate => "3",
        Verdict::Low => "2",
        Verdict::Undefined => "",
    };
    let _ = write!(
        out,
        "<td data-value=\"{rank}\"><span class=\"verdict v-{0}\">{1}</span></td>",
        verdict_class(r.verdict),
        esc(r.verdict.word())
    );
    out.push_str("</tr>\n");
}

fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Undefined => "undefined",
        other => other.word(),
    }
}

/// Render the report as a self-contained HTML page.
pub fn render(report: &Report) -> String {
    let mut o = String::with_capacity(1 << 20);
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    // No network: forbid every fetch except inline style and script.
    o.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n");
    o.push_str("<title>Safetywashing report</title>\n<style>");
    o.push_str(CSS);
    o.push_str("</style>\n</head>\n<body>\n");
    o.push_str("<header>\n<h1>Safetywashing report</h1>\n");
    let _ = writeln!(o, "<p class=\"question\">{}</p>", esc(super::QUESTION));
    o.push_str("<nav><a href=\"#summary\">Summary</a><a href=\"#figures\">Figures</a><a href=\"#benchmarks\">Benchmarks</a><a href=\"#how\">How this was computed</a></nav>\n</header>\n");

    // Summary: one column per matrix.
    o.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n<table class=\"summary\">\n<thead><tr><th scope=\"col\"></th>");
    for s in &report.sections {
        let _ = write!(
            o,
            "<th scope=\"col\" class=\"num\" title=\"{}\">{}</th>",
            esc(&s.source),
            esc(&s.label)
        );
    }
    o.push_str("</tr></thead>\n<tbody>\n");
    let n_lines = report.sections.first().map_or(0, |s| s.summary.len());
    for i in 0..n_lines {
        let label = &report.sections[0].summary[i].0;
        let _ = write!(o, "<tr><th scope=\"row\">{}</th>", esc(label));
        for s in &report.sections {
            let value = s.summary.get(i).map_or("", |l| l.1.as_str());
            let _ = write!(o, "<td class=\"num\">{}</td>", esc(value));
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</tbody>\n</table>\n</section>\n");

    o.push_str("<section id=\"figures\">\n<h2>Figures</h2>\n");
    for f in &report.figures {
        let _ = write!(
            o,
            "<figure id=\"figure-{}\">\n<div class=\"scroll\">\n{}\n</div>\n<figcaption>{}</figcaption>\n</figure>\n",
            f.kind.name(),
            inline_svg(&f.svg),
            esc(&f.caption)
        );
    }
    o.push_str("</section>\n");

    o.push_str("<section id=\"benchmarks\">\n<h2>Benchmarks</h2>\n");
    o.push_str("<p class=\"muted\">Every benchmark column, highest capabilities correlation first. Click a column header to sort (scripts on).</p>\n<dl class=\"legend\">\n");
    for v in Verdict::ALL {
        let _ = writeln!(
            o,
            "<dt><span class=\"verdict v-{}\">{}</span></dt><dd>{}</dd>",
            verdict_class(v),
            esc(v.word()),
            esc(v.meaning())
        );
    }
    o.push_str("</dl>\n");
    for s in &report.sections {
        let _ = writeln!(
            o,
            "<h3 id=\"benchmarks-{0}\">{0} <span class=\"muted\">({1}, {2} benchmarks)</span></h3>",
            esc(&s.label),
            esc(&s.source),
            s.rows.len()
        );
        let _ = write!(
            o,
            "<div class=\"scroll\"><table class=\"sortable benchmarks\" data-matrix=\"{}\" data-rows=\"{}\">\n<thead><tr>",
            esc(&s.label),
            s.rows.len()
        );
        th(&mut o, "benchmark", false, None);
        th(&mut o, "metric", false, None);
        th(&mut o, "n", true, None);
        th(&mut o, "capabilities corr.", true, Some("descending"));
        th(&mut o, "compute corr.", true, None);
        th(&mut o, "verdict", true, None);
        o.push_str("</tr></thead>\n<tbody>\n");
        for r in &s.rows {
            row_html(&mut o, r);
        }
        o.push_str("</tbody>\n</table></div>\n");
    }
    o.push_str("</section>\n");

    o.push_str("<section id=\"how\">\n<h2>How this was computed</h2>\n");
    let p = &report.provenance;
    let _ = writeln!(
        o,
        "<p>Command:</p>\n<pre><code>{}</code></pre>",
        esc(&p.command)
    );
    let _ = writeln!(
        o,
        "<p>Tool: <code>{}</code>. Correlation method: {}.</p>",
        esc(&p.tool),
        esc(&report.method)
    );
    let _ = writeln!(
        o,
        "<p>Capabilities score: the first principal component of the correlation matrix of {} ({}), each model's z-scores projected on it; every benchmark is then correlated with that score across the models that have both.</p>",
        crate::words::count(
            report.capabilities.len(),
            "capability benchmark",
            "capability benchmarks"
        ),
        esc(&report.capabilities.join(", "))
    );
    o.push_str("<table>\n<thead><tr><th scope=\"col\">input</th><th scope=\"col\">SHA-256</th></tr></thead>\n<tbody>\n");
    for (path, sha) in &p.inputs {
        let _ = writeln!(
            o,
            "<tr><td><code>{}</code></td><td><code>{}</code></td></tr>",
            esc(path),
            esc(sha)
        );
    }
    o.push_str("</tbody>\n</table>\n</section>\n");
    o.push_str("<script>");
    o.push_str(SCRIPT);
    o.push_str("</script>\n</body>\n</html>\n");
    o
}

/// An SVG document ready to inline in HTML (no XML declaration).
fn inline_svg(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}
