//! The report as one self-contained HTML page: inline CSS, inline SVG
//! figures and a small inline script that makes tables sortable by clicking
//! a header. Nothing is fetched from the network, and with scripts off the
//! page reads the same (tables come sorted by capabilities correlation).
//!
//! The page is a [maud] template: markup is checked when the crate
//! compiles and every value from the data is escaped unless it is marked
//! [`PreEscaped`] (only the bundled CSS and script and the figures' SVG,
//! which the plot layer escapes itself).
//!
//! The script marks the document with `data-sort-script="ok"` once it has
//! wired the tables (or `error: …`), and when the page is opened with the
//! fragment `#selftest` it clicks the first table's name header and records
//! the outcome in `data-selftest`: a browser test reads both from the DOM.

use super::{Report, Row, Verdict};
use crate::output::percent;
use crate::plot::style::pct_with_interval;
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// The page's style sheet.
const CSS: &str = include_str!("assets/report.css");

/// The page's script: sortable tables and the `#selftest` hook.
const SCRIPT: &str = include_str!("assets/report.js");

/// No network: forbid every fetch except inline style and script.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; \
                   img-src data:";

/// A column of a benchmark table: its label and whether it sorts as numbers.
struct Column {
    label: &'static str,
    numeric: bool,
}

const COLUMNS: [Column; 6] = [
    Column {
        label: "benchmark",
        numeric: false,
    },
    Column {
        label: "metric",
        numeric: false,
    },
    Column {
        label: "n",
        numeric: true,
    },
    Column {
        label: "capabilities corr.",
        numeric: true,
    },
    Column {
        label: "compute corr.",
        numeric: true,
    },
    Column {
        label: "verdict",
        numeric: true,
    },
];

/// The column the page comes sorted by (capabilities correlation).
const SORTED_COLUMN: usize = 3;

/// A table header cell; `numeric` columns sort as numbers.
fn th(column: &Column, sorted: Option<&str>) -> Markup {
    html! {
        @if column.numeric {
            th scope="col" class="num" data-type="number" aria-sort=[sorted] { (column.label) }
        } @else {
            th scope="col" data-type="text" aria-sort=[sorted] { (column.label) }
        }
    }
}

/// A numeric cell: shown text, sort value (empty when undefined).
fn num(text: &str, value: Option<f64>) -> Markup {
    let v = value.map_or(String::new(), |v| format!("{v}"));
    html! { td class="num" data-value=(v) { (text) } }
}

/// Sort value of a verdict: strength of the tie to capabilities (undefined
/// sorts last).
fn verdict_rank(v: Verdict) -> &'static str {
    match v {
        Verdict::Capability => "5",
        Verdict::High => "4",
        Verdict::Moderate => "3",
        Verdict::Low => "2",
        Verdict::Undefined => "",
    }
}

fn verdict_class(v: Verdict) -> String {
    match v {
        Verdict::Undefined => "verdict v-undefined".into(),
        other => format!("verdict v-{}", other.word()),
    }
}

/// A verdict word in its badge.
fn badge(v: Verdict) -> Markup {
    html! { span class=(verdict_class(v)) { (v.word()) } }
}

fn row_html(r: &Row) -> Markup {
    let cap = r
        .capabilities
        .map_or_else(|| "–".to_string(), |v| pct_with_interval(v, r.interval));
    html! {
        tr {
            td data-value=(r.name.to_lowercase()) title=(r.benchmark) { (r.name) }
            td { (r.metric) }
            (num(&r.n.to_string(), Some(r.n as f64)))
            (num(&cap, r.capabilities))
            (num(&percent(r.compute), r.compute))
            td data-value=(verdict_rank(r.verdict)) { (badge(r.verdict)) }
        }
    }
}

/// The summary: one column per matrix.
fn summary(report: &Report) -> Markup {
    let n_lines = report.sections.first().map_or(0, |s| s.summary.len());
    html! {
        section id="summary" {
            h2 { "Summary" }
            table class="summary" {
                thead {
                    tr {
                        th scope="col" {}
                        @for s in &report.sections {
                            th scope="col" class="num" title=(s.source) { (s.label) }
                        }
                    }
                }
                tbody {
                    @for i in 0..n_lines {
                        tr {
                            th scope="row" { (report.sections[0].summary[i].0) }
                            @for s in &report.sections {
                                td class="num" { (s.summary.get(i).map_or("", |l| l.1.as_str())) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn figures(report: &Report) -> Markup {
    html! {
        section id="figures" {
            h2 { "Figures" }
            @for f in &report.figures {
                figure id={ "figure-" (f.kind.name()) } {
                    div class="scroll" { (PreEscaped(inline_svg(&f.svg))) }
                    figcaption { (f.caption) }
                }
            }
        }
    }
}

fn benchmarks(report: &Report) -> Markup {
    html! {
        section id="benchmarks" {
            h2 { "Benchmarks" }
            p class="muted" {
                "Every benchmark column, highest capabilities correlation first. Click a column \
                 header to sort (scripts on)."
            }
            dl class="legend" {
                @for v in Verdict::ALL {
                    dt { (badge(v)) }
                    dd { (v.meaning()) }
                }
            }
            @for s in &report.sections {
                h3 id={ "benchmarks-" (s.label) } {
                    (s.label) " "
                    span class="muted" { "(" (s.source) ", " (s.rows.len()) " benchmarks)" }
                }
                div class="scroll" {
                    table class="sortable benchmarks" data-matrix=(s.label) data-rows=(s.rows.len()) {
                        thead {
                            tr {
                                @for (i, c) in COLUMNS.iter().enumerate() {
                                    (th(c, (i == SORTED_COLUMN).then_some("descending")))
                                }
                            }
                        }
                        tbody {
                            @for r in &s.rows { (row_html(r)) }
                        }
                    }
                }
            }
        }
    }
}

fn how(report: &Report) -> Markup {
    let p = &report.provenance;
    let capabilities = crate::words::count(
        report.capabilities.len(),
        "capability benchmark",
        "capability benchmarks",
    );
    html! {
        section id="how" {
            h2 { "How this was computed" }
            p { "Command:" }
            pre { code { (p.command) } }
            p {
                "Tool: " code { (p.tool) } ". Correlation method: " (report.method) "."
            }
            p {
                "Capabilities score: the first principal component of the correlation matrix of "
                (capabilities) " (" (report.capabilities.join(", ")) "), each model's z-scores \
                projected on it; every benchmark is then correlated with that score across the \
                models that have both."
            }
            table {
                thead { tr { th scope="col" { "input" } th scope="col" { "SHA-256" } } }
                tbody {
                    @for (path, sha) in &p.inputs {
                        tr { td { code { (path) } } td { code { (sha) } } }
                    }
                }
            }
        }
    }
}

/// Render the report as a self-contained HTML page.
pub fn render(report: &Report) -> String {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta http-equiv="Content-Security-Policy" content=(CSP);
                title { "Safetywashing report" }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    h1 { "Safetywashing report" }
                    p class="question" { (super::QUESTION) }
                    @for line in &report.finding {
                        p class="finding" { (line) }
                    }
                    nav {
                        a href="#summary" { "Summary" }
                        a href="#figures" { "Figures" }
                        a href="#benchmarks" { "Benchmarks" }
                        a href="#how" { "How this was computed" }
                    }
                }
                (summary(report))
                (figures(report))
                (benchmarks(report))
                (how(report))
                script { (PreEscaped(SCRIPT)) }
            }
        }
    };
    let mut out = page.into_string();
    out.push('\n');
    out
}

/// An SVG document ready to inline in HTML (no XML declaration).
fn inline_svg(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{MatrixSection, Provenance};
    use super::*;

    fn report_named(name: &str) -> Report {
        Report {
            finding: vec![format!("m: 1 of 1 safety benchmark ({name})")],
            sections: vec![MatrixSection {
                label: "m".into(),
                source: "m.csv".into(),
                summary: vec![("Other benchmarks".into(), "1".into())],
                rows: vec![Row {
                    benchmark: "b\"1".into(),
                    name: name.into(),
                    metric: "<metric>".into(),
                    n: 12,
                    capabilities: Some(0.5),
                    interval: None,
                    compute: None,
                    compute_n: 0,
                    verdict: Verdict::Moderate,
                }],
            }],
            figures: Vec::new(),
            method: "spearman".into(),
            capabilities: vec!["cap".into()],
            provenance: Provenance {
                command: "safetywashing report 'x&y.csv'".into(),
                tool: "safetywashing 0".into(),
                inputs: vec![("x&y.csv".into(), "00".into())],
            },
        }
    }

    #[test]
    fn data_is_escaped_in_text_and_attributes() {
        let page = render(&report_named("<script>alert(1)</script> & co"));
        assert!(!page.contains("<script>alert"), "raw markup from data");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
        assert!(page.contains("title=\"b&quot;1\""), "attribute escaped");
        assert!(page.contains("<td>&lt;metric&gt;</td>"));
        assert!(page.contains("<code>x&amp;y.csv</code>"));
        // The page's own script and style are the only unescaped text.
        assert_eq!(page.matches("<script>").count(), 1);
        assert!(page.starts_with("<!DOCTYPE html><html lang=\"en\">"));
    }

    #[test]
    fn table_comes_sorted_by_the_capabilities_column() {
        let page = render(&report_named("B"));
        assert!(page.contains(
            "<th scope=\"col\" class=\"num\" data-type=\"number\" aria-sort=\"descending\">capabilities corr.</th>"
        ));
        assert_eq!(page.matches(" aria-sort=").count(), 1);
        assert!(page.contains("<td class=\"num\" data-value=\"0.5\">50.0%</td>"));
        assert!(page.contains(
            "<td data-value=\"3\"><span class=\"verdict v-moderate\">moderate</span></td>"
        ));
    }
}
