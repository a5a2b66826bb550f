//! The report as one self-contained HTML page: inline CSS, inline SVG
//! figures and a small inline script that makes tables sortable by clicking
//! a header and filters the benchmark table by the words typed in its
//! filter box (or given as `#filter=WORDS` in the address). Nothing is
//! fetched from the network, and with scripts off the page reads the same
//! (the table comes sorted by capabilities correlation; the filter box,
//! which would do nothing, stays hidden).
//!
//! All matrices share one benchmark table (base and chat side by side),
//! which scrolls in its own box under a sticky header, so the page itself
//! never scrolls sideways, down to a phone's 390 px.
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

use super::{BENCHMARK_COLUMNS, Column, Combined, MATRIX_COLUMNS, Report, Row, Verdict, combined};
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// The page's style sheet.
const CSS: &str = include_str!("assets/report.css");

/// The page's script: sortable tables and the `#selftest` hook.
const SCRIPT: &str = include_str!("assets/report.js");

/// No network: forbid every fetch except inline style and script.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; \
                   img-src data:";

/// The column the page comes sorted by: the first matrix's capabilities
/// correlation.
const SORTED_COLUMN: usize = BENCHMARK_COLUMNS.len() + 1;

/// A table header cell; `numeric` columns sort as numbers. `matrix` names
/// the matrix of a per-matrix column (above the label) and `source` its
/// file (as the cell's tooltip).
fn th(column: &Column, matrix: Option<(&str, &str)>, sorted: Option<&str>) -> Markup {
    let kind = if column.numeric { "number" } else { "text" };
    let class = column.numeric.then_some("num");
    html! {
        th scope="col" class=[class] data-type=(kind) aria-sort=[sorted] title=[matrix.map(|m| m.1)] {
            @if let Some((label, _)) = matrix { span class="matrix" { (label) } " " }
            (column.label)
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

/// The cells of one matrix in a benchmark's row.
fn matrix_cells(row: Option<&Row>, label: &str) -> Markup {
    let Some(r) = row else {
        let absent = format!("not in {label}");
        return html! {
            @for _ in MATRIX_COLUMNS {
                td class="num absent" data-value="" title=(absent) { "–" }
            }
        };
    };
    let [n, cap, compute, _] = r.matrix_texts();
    html! {
        (num(&n, Some(r.n as f64)))
        (num(&cap, r.capabilities))
        (num(&compute, r.compute))
        td data-value=(verdict_rank(r.verdict)) { (badge(r.verdict)) }
    }
}

fn row_html(c: &Combined, report: &Report) -> Markup {
    let r = c.first;
    // What the filter searches: name, id, area and metric.
    let filter = format!("{} {} {} {}", r.name, r.benchmark, r.area, r.metric).to_lowercase();
    html! {
        tr data-filter=(filter) {
            td data-value=(r.name.to_lowercase()) title=(r.benchmark) { (r.name) }
            td { (r.area) }
            td { (r.metric) }
            @for (cell, s) in c.cells.iter().zip(&report.sections) {
                (matrix_cells(*cell, &s.label))
            }
        }
    }
}

/// The summary: one column per matrix.
fn summary(report: &Report) -> Markup {
    let n_lines = report.sections.first().map_or(0, |s| s.summary.len());
    html! {
        section id="summary" {
            h2 { "Summary" }
            div class="scroll" { table class="summary" {
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
            } }
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
    let rows = combined(report);
    let several = report.sections.len() > 1;
    let labels: Vec<&str> = report.sections.iter().map(|s| s.label.as_str()).collect();
    html! {
        section id="benchmarks" {
            h2 { "Benchmarks" }
            p class="muted" {
                "Every benchmark column"
                @if several { " of " (labels.join(" and ")) ", side by side" }
                ", highest capabilities correlation"
                @if several { " in " (labels[0]) }
                " first. Click a column header to sort, or type in the filter to keep only \
                 the benchmarks whose name, id, area or metric holds every word (scripts on)."
            }
            dl class="legend" {
                @for v in Verdict::ALL {
                    dt { (badge(v)) }
                    dd { (v.meaning()) }
                }
            }
            div class="filter" hidden {
                label for="benchmark-filter" { "Filter benchmarks" }
                input type="search" id="benchmark-filter" autocomplete="off"
                    placeholder="name or area, e.g. truthful or bias";
                output id="filter-count" for="benchmark-filter" aria-live="polite" {}
            }
            div class="table-scroll" {
                table class="sortable benchmarks" data-matrices=(labels.join(" ")) data-rows=(rows.len()) {
                    thead {
                        tr {
                            @for c in &BENCHMARK_COLUMNS { (th(c, None, None)) }
                            @for (m, s) in report.sections.iter().enumerate() {
                                @for (j, c) in MATRIX_COLUMNS.iter().enumerate() {
                                    @let i = BENCHMARK_COLUMNS.len() + m * MATRIX_COLUMNS.len() + j;
                                    (th(c, several.then_some((s.label.as_str(), s.source.as_str())),
                                        (i == SORTED_COLUMN).then_some("descending")))
                                }
                            }
                        }
                    }
                    tbody {
                        @for c in &rows { (row_html(c, report)) }
                    }
                }
            }
        }
    }
}

/// The models each matrix left out of the capabilities score, with the
/// capability benchmarks they lack.
fn left_out(report: &Report) -> Markup {
    html! {
        section id="left-out" {
            h2 { "Models left out" }
            p class="muted" {
                "A model without a value for one of the capability benchmarks gets no \
                 capabilities score, so it is in no correlation (listwise deletion)."
            }
            @for s in &report.sections {
                @if s.excluded.is_empty() {
                    p { (s.label) ": no model left out." }
                } @else {
                    h3 { (s.label) " " span class="muted" {
                        "(" (crate::words::count(s.excluded.len(), "model", "models")) ")"
                    } }
                    div class="scroll" {
                        table class="excluded" data-matrix=(s.label) {
                            thead { tr {
                                th scope="col" { "model" }
                                th scope="col" { "missing capability benchmarks" }
                            } }
                            tbody {
                                @for e in &s.excluded {
                                    tr { td { (e.model) } td { (e.missing.join(", ")) } }
                                }
                            }
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
            div class="scroll" { table class="inputs" {
                thead { tr { th scope="col" { "input" } th scope="col" { "SHA-256" } } }
                tbody {
                    @for (path, sha) in &p.inputs {
                        tr { td { code { (path) } } td { code { (sha) } } }
                    }
                }
            } }
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
                        a href="#left-out" { "Models left out" }
                        a href="#figures" { "Figures" }
                        a href="#benchmarks" { "Benchmarks" }
                        a href="#how" { "How this was computed" }
                    }
                }
                (summary(report))
                (left_out(report))
                (figures(report))
                (benchmarks(report))
                (how(report))
                script { (PreEscaped(SCRIPT)) }
            }
        }
    };
    // Names from files reach the page escaped by maud, but maud keeps
    // control characters: escape them too (an inline SVG is XML, where
    // ESC or NUL make the figure unreadable).
    let mut out = crate::escape::control_in_document(&page.into_string()).into_owned();
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
    use super::super::tests::{report_named, side_by_side};
    use super::*;

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

    #[test]
    fn one_table_holds_every_matrix_side_by_side() {
        let report = side_by_side();
        let page = render(&report);
        assert_eq!(
            page.matches("<table class=\"sortable benchmarks\"").count(),
            1
        );
        assert!(page.contains("data-matrices=\"m chat\" data-rows=\"2\""));
        // Per-matrix columns name their matrix, the file as tooltip.
        assert!(page.contains(
            "title=\"chat.csv\"><span class=\"matrix\">chat</span> capabilities corr.</th>"
        ));
        // A benchmark one matrix lacks has dashes there.
        assert_eq!(page.matches("title=\"not in m\"").count(), 4);
        // The filter searches name, id, area and metric; its box waits for
        // the script.
        assert!(page.contains("<tr data-filter=\"b b&quot;1 honesty &lt;metric&gt;\">"));
        assert!(page.contains("<div class=\"filter\" hidden>"));
    }

    #[test]
    fn left_out_models_are_listed_with_what_they_lack() {
        let page = render(&report_named("B"));
        assert!(page.contains(
            "<table class=\"excluded\" data-matrix=\"m\"><thead><tr><th scope=\"col\">model</th>\
             <th scope=\"col\">missing capability benchmarks</th></tr></thead><tbody><tr>\
             <td>m&lt;1&gt;</td><td>cap</td></tr></tbody></table>"
        ));
    }
}
