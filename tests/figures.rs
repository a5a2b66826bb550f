//! Figure structure tests: every figure renders to SVG that parses, with the
//! expected number of points, bars or cells and its titles; PNGs decode at
//! the figure's size. Pixels are not compared.

use crate::common;
use crate::support::fixture;

use roxmltree::{Document, Node};
use safetywashing::analysis::{Analysis, AnalysisOptions, analyze};
use safetywashing::load::{
    InfoTable, MatrixFormat, load_info, load_matrix, parse_info, parse_matrix,
};
use safetywashing::matrix::BenchmarkMatrix;
use safetywashing::plot::size::EM_PER_SIZE;
use safetywashing::plot::style;
use safetywashing::plot::{
    CompareFigure, Figure, FigureInput, FigureKind, FigureSize, HeatmapFigure, HeatmapOrder,
    ImageFormat, Intervals, Length, OverviewFigure, OverviewFilter, Panel, Preset, RankingFigure,
    ScreeFigure, SizeError, SizeRequest, XAxis, clustered_order, render_figure, render_pdf,
    render_png, render_svg,
};
use safetywashing::stats::CorrelationMethod;
use safetywashing::uncertainty::default_lines;
use safetywashing::uncertainty::{
    BootstrapOptions, FullAnalysis, Interval, IntervalMethod, UncertaintyOptions,
    analyze_with_uncertainty,
};
use std::collections::BTreeMap;
use std::path::Path;

/// First and second series colours (Okabe–Ito blue and vermillion).
const BLUE: &str = "#0072B2";
const VERMILLION: &str = "#D55E00";

struct Fixture {
    matrices: Vec<BenchmarkMatrix>,
    info: InfoTable,
    analyses: Vec<Analysis>,
}

fn options(capabilities: &str) -> AnalysisOptions {
    AnalysisOptions {
        capabilities: capabilities.split(',').map(String::from).collect(),
        method: CorrelationMethod::Spearman,
    }
}

/// The fixture twice, as `base` and `chat` matrices.
fn fixture() -> Fixture {
    let info = parse_info(fixture::info_csv().as_bytes(), "info.csv").unwrap();
    let matrices: Vec<BenchmarkMatrix> = ["d/fixture_base.csv", "d/fixture_chat.csv"]
        .iter()
        .map(|src| {
            parse_matrix(
                fixture::matrix_csv().as_bytes(),
                src,
                &MatrixFormat::default(),
            )
            .unwrap()
        })
        .collect();
    let analyses = matrices
        .iter()
        .map(|m| analyze(m, &options(fixture::CAPABILITIES), Some(&info)).unwrap())
        .collect();
    Fixture {
        matrices,
        info,
        analyses,
    }
}

impl Fixture {
    fn panels(&self, n: usize) -> Vec<Panel<'_>> {
        self.analyses
            .iter()
            .zip(["base", "chat"])
            .zip(&self.matrices)
            .take(n)
            .map(|((analysis, label), matrix)| Panel {
                analysis,
                label,
                intervals: None,
                bootstrap: None,
                lines: default_lines(matrix, analysis),
            })
            .collect()
    }
}

/// The default (web) size: one drawing unit per CSS pixel.
fn web() -> FigureSize {
    FigureSize::default()
}

fn parse(svg: &str) -> Document<'_> {
    Document::parse(svg).unwrap_or_else(|e| panic!("SVG does not parse: {e}"))
}

fn elements<'a>(doc: &'a Document, tag: &str) -> Vec<Node<'a, 'a>> {
    doc.descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == tag)
        .collect()
}

fn count(doc: &Document, tag: &str, attrs: &[(&str, &str)]) -> usize {
    elements(doc, tag)
        .iter()
        .filter(|n| attrs.iter().all(|(k, v)| n.attribute(*k) == Some(*v)))
        .count()
}

fn texts(doc: &Document) -> Vec<String> {
    elements(doc, "text")
        .iter()
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

fn title(doc: &Document) -> String {
    elements(doc, "title")
        .first()
        .and_then(|n| n.text())
        .unwrap_or_default()
        .to_string()
}

/// Render as SVG and PNG; check the PNG decodes at the figure's size.
fn render_both(figure: &impl Figure) -> String {
    let png = render_png(figure, &web()).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let reader = decoder.read_info().unwrap();
    let info = reader.info();
    assert_eq!((info.width, info.height), figure.size());
    render_svg(figure, &web()).unwrap()
}

#[test]
fn ranking_has_a_dot_and_a_name_per_model() {
    let f = fixture();
    let svg = render_both(&RankingFigure::new(f.panels(2)));
    let doc = parse(&svg);
    assert_eq!(title(&doc), "Models by capabilities score");
    // Base: circles; chat: triangles.
    assert_eq!(count(&doc, "circle", &[("fill", BLUE)]), fixture::MODELS);
    assert_eq!(
        count(&doc, "polygon", &[("fill", VERMILLION)]),
        fixture::MODELS
    );
    let t = texts(&doc);
    for m in &f.matrices[0].models {
        assert_eq!(
            t.iter().filter(|x| *x == m).count(),
            2,
            "model {m} once per panel"
        );
    }
    assert!(t.iter().any(|x| x.starts_with("base (10 models")));
}

/// The fixture's base matrix bootstrapped (200 resamples, 90% percentile
/// intervals).
fn bootstrapped(f: &Fixture) -> FullAnalysis {
    let options = UncertaintyOptions {
        bootstrap: Some(BootstrapOptions {
            resamples: 200,
            confidence: 0.9,
            interval: IntervalMethod::Percentile,
            ..BootstrapOptions::default()
        }),
        ..UncertaintyOptions::default()
    }
    .validate(options(fixture::CAPABILITIES))
    .unwrap();
    analyze_with_uncertainty(&f.matrices[0], &options, Some(&f.info), &|_| {}).unwrap()
}

/// Polylines of `color` with six points: the whiskers (a line and two caps).
fn whiskers(doc: &Document, color: &str) -> Vec<Vec<(f64, f64)>> {
    elements(doc, "polyline")
        .iter()
        .filter(|n| n.attribute("stroke") == Some(color))
        .map(|n| {
            n.attribute("points")
                .unwrap_or("")
                .split_whitespace()
                .map(|p| {
                    let (x, y) = p.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect::<Vec<(f64, f64)>>()
        })
        .filter(|p| p.len() == 6)
        .collect()
}

#[test]
fn ranking_and_scree_draw_bootstrap_intervals_and_say_how_they_were_made() {
    let f = fixture();
    let full = bootstrapped(&f);
    let boot = full
        .uncertainty
        .as_ref()
        .unwrap()
        .bootstrap
        .as_ref()
        .unwrap();
    let panel = Panel {
        analysis: &full.analysis,
        label: "base",
        intervals: None,
        bootstrap: Some(boot),
        lines: default_lines(&f.matrices[0], &full.analysis),
    };
    // The one wording of the note, from the bootstrap itself.
    let note = "90% percentile bootstrap, 200 resamples of models";
    assert_eq!(boot.interval_note(), note);

    // Ranking: one horizontal whisker per model, through its dot.
    let figure = RankingFigure::new(vec![panel]);
    let doc_text = render_both(&figure);
    let doc = parse(&doc_text);
    let w = whiskers(&doc, BLUE);
    assert_eq!(w.len(), fixture::MODELS);
    let dots: Vec<(f64, f64)> = elements(&doc, "circle")
        .iter()
        .filter(|n| n.attribute("fill") == Some(BLUE))
        .map(|n| {
            let at = |a| n.attribute(a).unwrap().parse::<f64>().unwrap();
            (at("cx"), at("cy"))
        })
        .collect();
    for (dot, whisker) in dots.iter().zip(&w) {
        let (left, right) = (whisker[2], whisker[3]);
        assert_eq!(left.1, dot.1, "whisker on its model's row");
        assert!(
            left.0 <= dot.0 + 1.0 && dot.0 <= right.0 + 1.0,
            "{left:?} {dot:?} {right:?}"
        );
    }
    // The widths differ: each model has its own interval.
    let widths: Vec<f64> = w.iter().map(|p| p[3].0 - p[2].0).collect();
    assert!(
        widths.iter().any(|x| (x - widths[0]).abs() > 1.0),
        "{widths:?}"
    );
    let t = texts(&doc);
    assert!(t.contains(&format!("whiskers: {note}")), "{t:?}");
    let share = boot.pc1_variance_explained.percentile.unwrap();
    assert!(
        t.iter().any(|x| x.starts_with("base (10 models, PC1 ")
            && x.contains(&format!(
                "[{:.1}%, {:.1}%]",
                share.low * 100.0,
                share.high * 100.0
            ))),
        "{t:?}"
    );
    // Scree: one vertical whisker per eigenvalue, the note in the legend.
    let figure = ScreeFigure::new(vec![panel]);
    let doc_text = render_both(&figure);
    let doc = parse(&doc_text);
    let w = whiskers(&doc, BLUE);
    assert_eq!(w.len(), full.analysis.fit.eigenvalues.len());
    for p in &w {
        assert_eq!(p[2].0, p[3].0, "vertical");
        assert!(p[2].1 > p[3].1, "low end below the high end");
    }
    let t = texts(&doc);
    assert!(t.contains(&format!("whiskers: {note}")), "{t:?}");
    assert!(
        t.iter()
            .any(|x| x.starts_with("base: PC1 explains") && x.contains('['))
    );

    // Without a bootstrap, neither figure has a whisker or a note.
    let plain = f.panels(1);
    for svg in [
        render_svg(&RankingFigure::new(plain.clone()), &web()).unwrap(),
        render_svg(&ScreeFigure::new(plain.clone()), &web()).unwrap(),
    ] {
        let doc = parse(&svg);
        assert!(whiskers(&doc, BLUE).is_empty());
        assert!(!texts(&doc).iter().any(|x| x.starts_with("whiskers")));
    }
}

/// The tooltips of an SVG: the `<title>` of each rectangle.
fn tooltips(doc: &Document) -> Vec<String> {
    elements(doc, "rect")
        .iter()
        .flat_map(|r| r.children().filter(|c| c.tag_name().name() == "title"))
        .map(|t| t.text().unwrap_or("").to_string())
        .collect()
}

#[test]
fn every_mark_has_a_tooltip_naming_it_and_its_value() {
    let f = fixture();
    let doc_of = |svg: String| svg;
    // Ranking: one per model and panel, with the score.
    let svg = doc_of(render_svg(&RankingFigure::new(f.panels(2)), &web()).unwrap());
    let tips = tooltips(&parse(&svg));
    assert_eq!(tips.len(), 2 * fixture::MODELS);
    let (model, score) = f.analyses[0].ranking()[0];
    assert!(
        tips.contains(&format!("{model} (base): capabilities score {score:.2}")),
        "{tips:?}"
    );
    // Heatmap: one per cell.
    let k = f.analyses[0].fit.benchmarks.len();
    let svg = render_svg(&HeatmapFigure::new(f.panels(2)), &web()).unwrap();
    let tips = tooltips(&parse(&svg));
    assert_eq!(tips.len(), 2 * k * k);
    assert!(
        tips.contains(&"Cap A × Cap A: 100.0%".to_string()),
        "{tips:?}"
    );
    // Scree: one per eigenvalue and matrix.
    let svg = render_svg(&ScreeFigure::new(f.panels(2)), &web()).unwrap();
    let tips = tooltips(&parse(&svg));
    assert_eq!(tips.len(), 2 * k);
    let e = f.analyses[1].fit.eigenvalues[0];
    assert!(
        tips.contains(&format!("chat: PC1 eigenvalue {e:.2}")),
        "{tips:?}"
    );
    // Overview: one per bar, with the correlation.
    let figure = OverviewFigure::new(f.panels(1));
    let bars = figure.panel_bars()[0].bars.clone();
    let svg = render_svg(&figure, &web()).unwrap();
    let tips = tooltips(&parse(&svg));
    assert_eq!(tips.len(), bars.len());
    for b in &bars {
        assert!(
            tips.iter().any(|t| t.starts_with(&format!("{} (", b.name))
                && t.ends_with(&format!("{:.1}%", b.r * 100.0))),
            "{} in {tips:?}",
            b.name
        );
    }
    // Scatter: one per point.
    let input = scatter_input(&f, XAxis::Capabilities, vec![None, None]);
    let svg = render_figure(FigureKind::Scatter, &input, ImageFormat::Svg, &web()).unwrap();
    let tips = tooltips(&parse(&String::from_utf8(svg).unwrap()));
    assert_eq!(tips.len(), 2 * fixture::MODELS);
    assert!(
        tips.iter()
            .all(|t| t.contains("capabilities score") && t.contains("Tracks"))
    );
    // They are on top: after every drawn mark.
    let svg = render_svg(&RankingFigure::new(f.panels(1)), &web()).unwrap();
    let last_circle = svg.rfind("<circle").unwrap();
    assert!(svg.find("<title>Models").unwrap() < last_circle);
    assert!(svg.rfind("fill-opacity=\"0\"><title>").unwrap() > last_circle);
}

#[test]
fn figures_are_deterministic_and_name_a_font_viewers_have() {
    let f = fixture();
    let a = render_svg(&OverviewFigure::new(f.panels(2)), &web()).unwrap();
    let b = render_svg(&OverviewFigure::new(f.panels(2)), &web()).unwrap();
    assert_eq!(a, b);
    assert!(a.contains("font-family=\"DejaVu Sans, Verdana, sans-serif\""));
    let p1 = render_png(&RankingFigure::new(f.panels(2)), &web()).unwrap();
    let p2 = render_png(&RankingFigure::new(f.panels(2)), &web()).unwrap();
    assert_eq!(p1, p2);
}

#[test]
fn scree_has_one_marker_per_eigenvalue_and_pc1_in_the_legend() {
    let f = fixture();
    let svg = render_both(&ScreeFigure::new(f.panels(1)));
    let doc = parse(&svg);
    assert_eq!(
        title(&doc),
        "Eigenvalues of the capability correlation matrix"
    );
    // Three eigenvalues plus the legend's sample marker.
    assert_eq!(count(&doc, "circle", &[("fill", BLUE)]), 3 + 1);
    let share = f.analyses[0].fit.pc1_variance_explained() * 100.0;
    let want = format!("base: PC1 explains {share:.1}%");
    assert!(texts(&doc).contains(&want), "legend lacks '{want}'");
}

#[test]
fn heatmap_has_a_cell_and_a_value_per_pair() {
    let f = fixture();
    let svg = render_both(&HeatmapFigure::new(f.panels(2)));
    let doc = parse(&svg);
    assert_eq!(
        title(&doc),
        "Spearman correlations among capability benchmarks"
    );
    // Each cell is drawn once and covered once by its tooltip's rectangle.
    assert_eq!(
        count(&doc, "rect", &[("width", "46"), ("height", "46")]),
        2 * 9 * 2
    );
    assert_eq!(tooltips(&doc).len(), 2 * 9);
    let t = texts(&doc);
    assert_eq!(t.iter().filter(|x| *x == "100").count(), 2 * 3, "diagonal");
    // Display names on both axes of both panels.
    assert_eq!(t.iter().filter(|x| *x == "Cap A").count(), 4);
}

#[test]
fn clustered_heatmap_orders_rows_and_columns_by_the_leaf_order() {
    let f = fixture();
    let fit = &f.analyses[0].fit;
    let order = clustered_order(&fit.correlation_matrix, &fit.loadings);
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(sorted, (0..fit.benchmarks.len()).collect::<Vec<_>>());
    let name = |i: usize| f.info.get(&fit.benchmarks[i]).unwrap().name.clone();
    let row_names = |svg: &str| -> Vec<String> {
        let doc = parse(svg);
        // Row labels: right-anchored, not rotated, in drawing order (top down).
        elements(&doc, "text")
            .iter()
            .filter(|n| {
                n.attribute("text-anchor") == Some("end") && n.attribute("transform").is_none()
            })
            .map(|n| n.text().unwrap_or("").trim().to_string())
            .collect()
    };
    let given = render_svg(&HeatmapFigure::new(f.panels(1)), &web()).unwrap();
    let clustered = render_svg(
        &HeatmapFigure::new(f.panels(1)).with_order(HeatmapOrder::Clustered),
        &web(),
    )
    .unwrap();
    let given_names: Vec<String> = (0..fit.benchmarks.len()).map(name).collect();
    assert_eq!(row_names(&given), given_names);
    let want: Vec<String> = order.iter().map(|&i| name(i)).collect();
    assert_eq!(row_names(&clustered), want);
    // The cell values follow: the first row is the first leaf's correlations.
    let doc = parse(&clustered);
    let values: Vec<String> = texts(&doc)
        .into_iter()
        .filter(|t| t.parse::<i64>().is_ok())
        .collect();
    let first_row: Vec<String> = order
        .iter()
        .map(|&j| format!("{:.0}", fit.correlation_matrix[order[0]][j] * 100.0))
        .collect();
    assert_eq!(&values[..order.len()], &first_row[..]);
    // Two blocks given interleaved (a ≈ c, b ≈ d) come out side by side.
    let csv = "model,a,b,c,d\n\
               m1,1,5,1,5\nm2,2,1,3,2\nm3,3,7,2,7\nm4,4,3,4,3\n\
               m5,5,8,5,8\nm6,6,2,7,1\nm7,7,6,6,6\nm8,8,4,8,4\n";
    let m = parse_matrix(csv.as_bytes(), "blocks.csv", &MatrixFormat::default()).unwrap();
    let blocks = analyze(&m, &options("a,b,c,d"), None).unwrap();
    let panel = |analysis| Panel {
        analysis,
        label: "blocks",
        intervals: None,
        bootstrap: None,
        lines: default_lines(&m, analysis),
    };
    let svg = render_svg(
        &HeatmapFigure::new(vec![panel(&blocks)]).with_order(HeatmapOrder::Clustered),
        &web(),
    )
    .unwrap();
    let rows = row_names(&svg);
    assert_eq!(rows.len(), 4);
    let at = |n: &str| rows.iter().position(|r| r == n).unwrap();
    assert_eq!(at("a").abs_diff(at("c")), 1, "{rows:?}");
    assert_eq!(at("b").abs_diff(at("d")), 1, "{rows:?}");
    assert_eq!(
        row_names(&render_svg(&HeatmapFigure::new(vec![panel(&blocks)]), &web()).unwrap()),
        ["a", "b", "c", "d"]
    );
    // Deterministic.
    let again = render_svg(
        &HeatmapFigure::new(f.panels(1)).with_order(HeatmapOrder::Clustered),
        &web(),
    )
    .unwrap();
    assert_eq!(clustered, again);
}

#[test]
fn overview_has_a_bar_per_other_benchmark_and_draws_intervals_when_given() {
    let f = fixture();
    let doc_text = render_both(&OverviewFigure::new(f.panels(2)));
    let doc = parse(&doc_text);
    assert_eq!(
        title(&doc),
        "How strongly each benchmark tracks capabilities, by safety area"
    );
    // Colour is the safety area's, not the panel's: the fixture's benchmarks
    // are all `other`, so every bar (and each panel's legend swatch) is blue.
    assert_eq!(
        count(&doc, "rect", &[("fill", BLUE)]),
        2 * fixture::OTHERS + 2
    );
    assert_eq!(count(&doc, "rect", &[("fill", VERMILLION)]), 0);
    let t = texts(&doc);
    assert_eq!(
        t.iter().filter(|x| *x == "other").count(),
        2 * 2,
        "heading and legend"
    );
    assert!(t.contains(&"Noise & Co".to_string()));
    assert!(
        !t.contains(&"Cap A".to_string()),
        "capability benchmarks are not bars"
    );
    assert!(!t.iter().any(|x| x.starts_with("interval")));

    let mut intervals = Intervals::new();
    intervals.insert("tracks".into(), Interval::new(0.5, 0.95));
    let mut panels = f.panels(1);
    panels[0].intervals = Some(&intervals);
    let doc_text = render_svg(&OverviewFigure::new(panels), &web()).unwrap();
    let doc = parse(&doc_text);
    assert!(texts(&doc).iter().any(|x| x.starts_with("interval")));
}

fn scatter_input<'a>(
    f: &'a Fixture,
    x: XAxis,
    intervals: Vec<Option<Interval>>,
) -> FigureInput<'a> {
    FigureInput {
        panels: f.panels(2),
        matrices: &f.matrices,
        info: Some(&f.info),
        benchmark: Some("tracks"),
        x,
        scatter_intervals: intervals,
        overview: OverviewFilter::default(),
        heatmap_order: HeatmapOrder::Given,
        scatter_ranks: false,
    }
}

#[test]
fn scatter_has_every_point_a_band_and_the_correlation_in_the_title() {
    let f = fixture();
    let input = scatter_input(
        &f,
        XAxis::Capabilities,
        vec![Some(Interval::new(0.5, 0.9)), None],
    );
    let svg = render_figure(FigureKind::Scatter, &input, ImageFormat::Svg, &web()).unwrap();
    let svg = String::from_utf8(svg).unwrap();
    let doc = parse(&svg);
    assert_eq!(title(&doc), "Tracks \"Capabilities\" vs capabilities score");
    assert_eq!(count(&doc, "circle", &[("fill", BLUE)]), fixture::MODELS);
    assert_eq!(
        count(&doc, "polygon", &[("fill", BLUE), ("opacity", "0.18")]),
        1,
        "one confidence band"
    );
    let r = f.analyses[0]
        .benchmarks
        .iter()
        .find(|b| b.benchmark == "tracks")
        .unwrap();
    let want = format!(
        "base: Spearman ρ = {:.1}% [50.0%, 90.0%], n = 10",
        r.capabilities_correlation.unwrap() * 100.0
    );
    let t = texts(&doc);
    assert!(t.contains(&want), "no title '{want}' in {t:?}");
    assert!(
        t.iter()
            .any(|x| x.starts_with("chat: Spearman ρ = ") && !x.contains('['))
    );
    assert!(
        t.iter().any(|x| x == "Tracks \"Capabilities\" — Score (↑)"),
        "y axis from the info metric"
    );
    // Points are labelled by model, thinned only where labels would collide.
    let labelled = f.matrices[0]
        .models
        .iter()
        .filter(|m| t.contains(m))
        .count();
    assert!(labelled >= fixture::MODELS / 2, "only {labelled} labels");
    if labelled < fixture::MODELS {
        assert!(t.iter().any(|x| x.ends_with("points labelled")), "{t:?}");
    }
}

#[test]
fn scatter_against_compute_and_another_benchmark() {
    let f = fixture();
    for (x, name) in [
        (XAxis::Compute, "training compute"),
        (XAxis::Benchmark("noise".into()), "Noise & Co"),
    ] {
        let input = scatter_input(&f, x, Vec::new());
        let svg = String::from_utf8(
            render_figure(FigureKind::Scatter, &input, ImageFormat::Svg, &web()).unwrap(),
        )
        .unwrap();
        let doc = parse(&svg);
        assert_eq!(title(&doc), format!("Tracks \"Capabilities\" vs {name}"));
        assert_eq!(count(&doc, "circle", &[("fill", BLUE)]), fixture::MODELS);
    }
}

#[test]
fn scatter_of_an_unknown_benchmark_names_the_closest() {
    let f = fixture();
    let mut input = scatter_input(&f, XAxis::Capabilities, Vec::new());
    input.benchmark = Some("trakcs");
    let err = render_figure(FigureKind::Scatter, &input, ImageFormat::Svg, &web()).unwrap_err();
    assert!(err.to_string().contains("closest: tracks"), "{err}");
}

/// Render every kind in both formats for one dataset.
fn render_all(
    matrices: &[BenchmarkMatrix],
    info: Option<&InfoTable>,
    options: &AnalysisOptions,
    scatter: &str,
) {
    let analyses: Vec<Analysis> = matrices
        .iter()
        .map(|m| analyze(m, options, info).unwrap())
        .collect();
    let labels: Vec<String> = analyses.iter().map(|a| a.matrix.clone()).collect();
    let input = FigureInput {
        panels: analyses
            .iter()
            .zip(&labels)
            .zip(matrices)
            .map(|((analysis, label), matrix)| Panel {
                analysis,
                label,
                intervals: None,
                bootstrap: None,
                lines: default_lines(matrix, analysis),
            })
            .collect(),
        matrices,
        info,
        benchmark: Some(scatter),
        x: XAxis::Capabilities,
        scatter_intervals: Vec::new(),
        overview: OverviewFilter::default(),
        heatmap_order: HeatmapOrder::Given,
        scatter_ranks: false,
    };
    for kind in FigureKind::ALL {
        let svg = render_figure(kind, &input, ImageFormat::Svg, &web()).unwrap();
        let svg = String::from_utf8(svg).unwrap();
        let doc = parse(&svg);
        assert!(!title(&doc).is_empty(), "{kind:?}: no title");
        let png = render_figure(kind, &input, ImageFormat::Png, &web()).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{kind:?}: not a PNG");
        if kind == FigureKind::Ranking {
            // Every model keeps its (possibly shortened) name.
            let n: usize = analyses.iter().map(|a| a.fit.rows.len()).sum();
            let names = count(&doc, "text", &[("text-anchor", "end")]);
            assert!(names >= n, "ranking shows {names} names for {n} models");
        }
    }
}

#[test]
fn every_figure_renders_for_the_paper_data() {
    with_shared!(shared => {
        let dir = common::paper_dir(&shared);
        let info = load_info(&dir.join("benchmarks_info.csv")).unwrap();
        for file in ["benchmarks_base_models.csv", "benchmarks_chat_models.csv"] {
            let m = load_matrix(&dir.join(file), &MatrixFormat::default()).unwrap();
            render_all(&[m], Some(&info), &AnalysisOptions::default(), "truthfulqa_mc1");
        }
    });
}

#[test]
fn every_figure_renders_for_148_obsscaling_models() {
    with_shared!(shared => {
        let path = shared.join("data/obsscaling/base_llm_benchmark_eval.csv");
        let format = MatrixFormat {
            model_column: None,
            meta_columns: ["Model Family", "Model Size (B)", "Pretraining Data Size (T)"]
                .map(String::from)
                .to_vec(),
            compute_column: Some("FLOPs (1E21)".into()),
            require_compute_column: true,
        };
        let m = load_matrix(Path::new(&path), &format).unwrap();
        assert_eq!(m.n_models(), 148);
        let options = options("MMLU,ARC-C,HellaSwag,Winograd,GSM8K,XWinograd,HumanEval");
        render_all(&[m], None, &options, "TruthfulQA");
    });
}

// ---- Physical sizes, PDF and PNG resolution (the `paper` preset) ----

fn paper(width: Option<&str>) -> FigureSize {
    SizeRequest {
        preset: Some(Preset::Paper),
        width: width.map(|w| w.parse().unwrap()),
        ..SizeRequest::default()
    }
    .resolve()
    .unwrap()
}

/// Physical width in points, viewBox width, and the smallest text in
/// points at that size.
fn physical(doc: &Document) -> (f64, f64, f64) {
    let root = doc.root_element();
    let width: Length = root.attribute("width").unwrap().parse().unwrap();
    let height: Length = root.attribute("height").unwrap().parse().unwrap();
    let view: Vec<f64> = root
        .attribute("viewBox")
        .expect("a viewBox")
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect();
    let pt_per_unit = width.points() / view[2];
    // Width and height scale alike (to the rounding of one unit).
    assert!((height.points() / view[3] - pt_per_unit).abs() / pt_per_unit < 0.01);
    let smallest = elements(doc, "text")
        .iter()
        .filter(|t| !t.text().unwrap_or("").trim().is_empty())
        .map(|t| {
            let size = t.attribute("font-size").expect("every text has a size");
            size.trim_end_matches("px").parse::<f64>().unwrap() * pt_per_unit
        })
        .fold(f64::INFINITY, f64::min);
    (width.points(), view[2], smallest)
}

#[test]
fn every_figure_at_the_paper_preset_is_as_wide_as_asked_with_text_of_6_pt_or_more() {
    let f = fixture();
    let input = scatter_input(&f, XAxis::Capabilities, Vec::new());
    for (width, pt) in [
        (None, 3.3 * 72.0),
        (Some("7in"), 7.0 * 72.0),
        (Some("180mm"), 180.0 / 25.4 * 72.0),
    ] {
        let size = paper(width);
        for kind in FigureKind::ALL.into_iter().chain([FigureKind::Compare]) {
            let svg = render_figure(kind, &input, ImageFormat::Svg, &size).unwrap();
            let svg = String::from_utf8(svg).unwrap();
            let doc = parse(&svg);
            let (w, units, smallest) = physical(&doc);
            assert!((w - pt).abs() < 1e-6, "{kind:?} at {width:?}: {w} pt wide");
            assert!(units > 200.0, "{kind:?}: {units} units");
            assert!(
                smallest >= 6.0 - 1e-9,
                "{kind:?} at {width:?}: text of {smallest:.2} pt"
            );
            // Body text is the 7 pt asked for.
            let tick_pt = 13.0 / 1.24 * w / units;
            assert!(
                (tick_pt - 7.0).abs() < 0.05,
                "{kind:?}: ticks at {tick_pt} pt"
            );
            // Papers put the title in the caption: none drawn, one for readers.
            let heading = title(&doc);
            assert!(!heading.is_empty());
            assert!(!texts(&doc).contains(&heading), "{kind:?}: title drawn");
        }
    }
}

#[test]
fn sizes_refuse_text_below_6_pt_and_widths_too_narrow() {
    let small = SizeRequest {
        preset: Some(Preset::Paper),
        font_pt: Some(5.0),
        ..SizeRequest::default()
    };
    let err = small.resolve().unwrap_err();
    assert!(err.to_string().contains("at least 6 pt"), "{err}");
    let narrow = SizeRequest {
        width: Some("1in".parse().unwrap()),
        ..SizeRequest::default()
    };
    assert!(matches!(
        narrow.resolve(),
        Err(SizeError::OutOfRange { what: "width", .. })
    ));
}

/// The fixture with an `area` column, `noise` renamed to a sub-split of
/// `tracks`.
fn area_fixture(info_areas: bool) -> (BenchmarkMatrix, InfoTable) {
    let matrix = parse_matrix(
        fixture::matrix_csv()
            .replace("noise", "tracks_split")
            .as_bytes(),
        "d/areas.csv",
        &MatrixFormat::default(),
    )
    .unwrap();
    let mut info = String::from("benchmark,name,metric,area\n");
    for line in fixture::info_csv().lines().skip(1) {
        let id = line.split(',').next().unwrap();
        let area = match id {
            "tracks" | "noise" => "alignment",
            "falls" => "weaponization",
            _ => "capabilities",
        };
        info.push_str(&format!(
            "{},{area}\n",
            line.replace("noise", "tracks_split")
        ));
    }
    let info = if info_areas {
        parse_info(info.as_bytes(), "info.csv").unwrap()
    } else {
        parse_info(fixture::info_csv().as_bytes(), "info.csv").unwrap()
    };
    (matrix, info)
}

#[test]
fn overview_groups_and_colours_by_area_with_an_area_legend() {
    let (matrix, info) = area_fixture(true);
    let analysis = analyze(&matrix, &options(fixture::CAPABILITIES), Some(&info)).unwrap();
    let panel = Panel {
        analysis: &analysis,
        label: "areas",
        intervals: None,
        bootstrap: None,
        lines: default_lines(&matrix, &analysis),
    };
    let high_line = panel.lines.high;
    let options_of = AnalysisOptions {
        capabilities: analysis.fit.benchmarks.clone(),
        method: analysis.method,
    };
    assert_eq!(
        Some(high_line),
        safetywashing::uncertainty::leave_one_out_mean(&matrix, &options_of, &analysis)
            .map(|m| m.max(0.4))
    );
    let all = OverviewFilter {
        all: true,
        ..OverviewFilter::default()
    };
    let figure =
        OverviewFigure::filtered(vec![panel], Some(&info), &all).with_frame(paper(None).frame());
    let svg = render_svg(&figure, &paper(None)).unwrap();
    let doc = parse(&svg);
    let texts = texts(&doc);
    // Each area names its group and has a legend entry.
    for area in ["alignment", "weaponization"] {
        assert_eq!(
            texts.iter().filter(|t| *t == area).count(),
            2,
            "{area}: {texts:?}"
        );
    }
    // Alignment (the higher mean) comes first and takes the first colour.
    let bars = &figure.panel_bars()[0].bars;
    assert_eq!(
        bars.iter().map(|b| b.area.as_str()).collect::<Vec<_>>(),
        ["alignment", "alignment", "weaponization"]
    );
    assert!(
        count(&doc, "rect", &[("fill", BLUE)]) >= 3,
        "alignment bars and swatch in blue"
    );
    assert!(count(&doc, "rect", &[("fill", VERMILLION)]) >= 2);
    assert!(
        texts.iter().any(|t| t.contains("Spearman ρ")),
        "method on the axis"
    );
    assert!(texts.iter().any(|t| t.starts_with("±40.0%: the paper's")));
    // The high line drawn is the verdicts' default one: the mean
    // leave-one-out capabilities correlation.
    let high = format!(
        "{:.1}%: high (capability benchmarks, leave-one-out)",
        100.0 * high_line
    );
    assert!(texts.contains(&high), "{high} not in {texts:?}");
}

#[test]
fn overview_folds_sub_splits_and_filters_by_area_benchmark_and_top() {
    let (matrix, info) = area_fixture(true);
    let analysis = analyze(&matrix, &options(fixture::CAPABILITIES), Some(&info)).unwrap();
    let ids = |filter: OverviewFilter| {
        let b = safetywashing::plot::overview_bars(&analysis, None, Some(&info), &filter);
        (
            b.bars.into_iter().map(|b| b.benchmark).collect::<Vec<_>>(),
            b.collapsed,
        )
    };
    assert_eq!(
        ids(OverviewFilter::default()),
        (vec!["tracks".into(), "falls".into()], 1)
    );
    let all = OverviewFilter {
        all: true,
        ..OverviewFilter::default()
    };
    assert_eq!(ids(all.clone()).0.len(), 3);
    let top = OverviewFilter {
        top: Some(1),
        ..all.clone()
    };
    assert_eq!(ids(top).0, vec!["tracks".to_string()]);
    let area = OverviewFilter {
        areas: vec!["weaponization".into()],
        ..all.clone()
    };
    assert_eq!(ids(area).0, vec!["falls".to_string()]);
    let some = OverviewFilter {
        benchmarks: vec!["tracks_split".into()],
        ..all
    };
    assert_eq!(ids(some).0, vec!["tracks_split".to_string()]);
    // Without an area column, the paper's manifest or `other`.
    let (matrix, plain) = area_fixture(false);
    let a = analyze(&matrix, &options(fixture::CAPABILITIES), Some(&plain)).unwrap();
    let b = safetywashing::plot::overview_bars(&a, None, Some(&plain), &OverviewFilter::default());
    assert!(b.bars.iter().all(|b| b.area == "other"));
}

#[test]
fn pdf_is_vector_with_the_font_embedded_and_the_page_size_asked_for() {
    let f = fixture();
    let size = paper(None);
    let figure = HeatmapFigure::new(f.panels(2)).with_frame(size.frame());
    let pdf = render_pdf(&figure, &size).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("/FontFile2"), "font not embedded");
    assert!(text.contains("DejaVuSans"), "not the bundled font");
    assert!(!text.contains("/Subtype /Image"), "bitmaps in a vector PDF");
    let media = text.split("/MediaBox [").nth(1).expect("a MediaBox");
    let numbers: Vec<f64> = media
        .split(']')
        .next()
        .unwrap()
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect();
    assert!((numbers[2] - 237.6).abs() < 0.05, "page {numbers:?}");
    let svg_h: Length = parse(&render_svg(&figure, &size).unwrap())
        .root_element()
        .attribute("height")
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (numbers[3] - svg_h.points()).abs() < 0.05,
        "page {numbers:?}"
    );

    // A real PDF reader renders it at that size.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fig.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let out = dir.path().join("page");
    let run = std::process::Command::new("pdftoppm")
        .args(["-r", "72", "-png", "-singlefile"])
        .arg(&path)
        .arg(&out)
        .output();
    let Ok(run) = run else {
        common::skip(
            "no pdftoppm on PATH (install Debian's poppler-utils)",
            "SAFETYWASHING_REQUIRE_BROWSER",
        );
        return;
    };
    assert!(run.status.success(), "{}", common::stderr_of(&run));
    let png = std::fs::read(out.with_extension("png")).unwrap();
    let reader = png::Decoder::new(std::io::Cursor::new(png))
        .read_info()
        .unwrap();
    let info = reader.info();
    assert!(
        (info.width as f64 - 237.6).abs() <= 1.0,
        "{} px",
        info.width
    );
    assert!(
        (info.height as f64 - svg_h.points()).abs() <= 1.0,
        "{} px",
        info.height
    );
}

#[test]
fn png_has_the_pixels_and_the_resolution_of_its_physical_size() {
    let f = fixture();
    let size = SizeRequest {
        preset: Some(Preset::Paper),
        dpi: Some(600.0),
        ..SizeRequest::default()
    }
    .resolve()
    .unwrap();
    let figure = ScreeFigure::new(f.panels(2)).with_frame(size.frame());
    let png = render_png(&figure, &size).unwrap();
    let reader = png::Decoder::new(std::io::Cursor::new(png))
        .read_info()
        .unwrap();
    let info = reader.info();
    assert_eq!(info.width, 1980);
    let dims = info.pixel_dims.expect("a pHYs chunk");
    assert_eq!(dims.unit, png::Unit::Meter);
    assert_eq!((dims.xppu, dims.yppu), (23622, 23622));
    // Paper's default resolution is 300 dpi.
    assert_eq!(paper(None).dpi(), 300.0);
}

#[test]
fn compare_draws_a_dumbbell_per_shared_benchmark() {
    let f = fixture();
    let input = scatter_input(&f, XAxis::Capabilities, Vec::new());
    let figure = CompareFigure::new(&input.panels, input.info, &OverviewFilter::default()).unwrap();
    assert_eq!(figure.pairs().len(), fixture::OTHERS);
    let svg = render_svg(&figure, &web()).unwrap();
    let doc = parse(&svg);
    assert_eq!(
        title(&doc),
        "base vs chat: capabilities correlation of shared benchmarks"
    );
    // A blue circle (first matrix) per benchmark and in the legend; the
    // second matrix's markers are vermillion triangles.
    assert_eq!(
        count(&doc, "circle", &[("fill", BLUE)]),
        fixture::OTHERS + 1
    );
    assert_eq!(
        count(&doc, "polygon", &[("fill", VERMILLION)]),
        fixture::OTHERS + 1
    );
    let t = texts(&doc);
    assert!(t.contains(&"Noise & Co".to_string()));
    // One matrix is not a comparison.
    let one = CompareFigure::new(&input.panels[..1], None, &OverviewFilter::default());
    assert!(
        one.err()
            .unwrap()
            .to_string()
            .contains("exactly two matrices")
    );
}

// ---- Layout: every text inside the figure, none over another ----

/// Where a text element's glyphs lie (drawing units), its width measured
/// with the layout's own function at its size.
#[derive(Debug)]
struct TextBox {
    text: String,
    x: (f64, f64),
    y: (f64, f64),
    /// The font size (SVG px) and, for unrotated text, the baseline's y:
    /// texts sharing both sit on one line, as tick labels do.
    line: Option<(String, String)>,
}

fn text_boxes(doc: &Document) -> Vec<TextBox> {
    elements(doc, "text")
        .iter()
        .filter_map(|t| {
            let text = t.text().unwrap_or("").trim().to_string();
            if text.is_empty() {
                return None;
            }
            let num = |a: &str| t.attribute(a).unwrap().parse::<f64>().unwrap();
            let (x, y, em) = (num("x"), num("y"), num("font-size"));
            let w = style::measure(&text, em / EM_PER_SIZE) as f64;
            let x0 = match t.attribute("text-anchor") {
                Some("start") => x,
                Some("end") => x - w,
                _ => x - w / 2.0,
            };
            // Baseline from the vertical anchor (an ex of DejaVu Sans is
            // 0.55 em); glyphs reach 0.76 em above it and 0.24 em below.
            let baseline = match t.attribute("dy") {
                Some("0.76em") => y + 0.76 * em,
                Some("0.5ex") => y + 0.275 * em,
                _ => y - 0.275 * em,
            };
            let (x1, y0, y1) = (x0 + w, baseline - 0.76 * em, baseline + 0.24 * em);
            let rotated = t.attribute("transform").map(|r| {
                // rotate(A, x, y): turn the box about (x, y).
                let a = r.trim_start_matches("rotate(").split(',').next().unwrap();
                let (dx, dy) = ((x0 - x, x1 - x), (y0 - y, y1 - y));
                match a.trim() {
                    "90" => ((x - dy.1, x - dy.0), (y + dx.0, y + dx.1)),
                    "270" => ((x + dy.0, x + dy.1), (y - dx.1, y - dx.0)),
                    other => panic!("unexpected rotation {other}"),
                }
            });
            let line = rotated.is_none().then(|| {
                (
                    t.attribute("font-size").unwrap().to_string(),
                    format!("{y}"),
                )
            });
            let (x, y) = rotated.unwrap_or(((x0, x1), (y0, y1)));
            Some(TextBox { text, x, y, line })
        })
        .collect()
}

/// Every text of `svg` lies inside its viewBox, no two texts overlap
/// (a text drawn twice, over its own halo, counts once) and the labels
/// along an axis keep the least tick gap between them; `what` names the
/// figure in failures.
fn assert_text_fits(svg: &str, what: &str) {
    let doc = parse(svg);
    let view: Vec<f64> = doc
        .root_element()
        .attribute("viewBox")
        .unwrap()
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect();
    let (w, h) = (view[2], view[3]);
    let mut boxes = text_boxes(&doc);
    assert!(!boxes.is_empty(), "{what}: no text");
    const SLACK: f64 = 0.5;
    for b in &boxes {
        assert!(
            b.x.0 >= -SLACK && b.x.1 <= w + SLACK && b.y.0 >= -SLACK && b.y.1 <= h + SLACK,
            "{what}: {:?} at x {:.1}..{:.1}, y {:.1}..{:.1} is outside the {w}×{h} figure",
            b.text,
            b.x.0,
            b.x.1,
            b.y.0,
            b.y.1
        );
    }
    boxes.dedup_by(|a, b| a.text == b.text && a.x == b.x && a.y == b.y);
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            let apart = a.x.1 <= b.x.0 + SLACK
                || b.x.1 <= a.x.0 + SLACK
                || a.y.1 <= b.y.0 + SLACK
                || b.y.1 <= a.y.0 + SLACK;
            assert!(apart, "{what}: {:?} overlaps {:?}", a.text, b.text);
        }
    }
    // Tick labels: three or more texts at the tick size on one line.
    let tick_px = format!("{}", style::TICK_SIZE * EM_PER_SIZE);
    let mut lines: BTreeMap<(String, String), Vec<&TextBox>> = BTreeMap::new();
    for b in &boxes {
        if let Some(line) = b.line.clone().filter(|l| l.0 == tick_px) {
            lines.entry(line).or_default().push(b);
        }
    }
    for row in lines.values().filter(|r| r.len() >= 3) {
        let mut row = row.clone();
        row.sort_by(|a, b| a.x.0.total_cmp(&b.x.0));
        for p in row.windows(2) {
            assert!(
                p[1].x.0 - p[0].x.1 >= style::TICK_GAP as f64 - 1.0,
                "{what}: tick labels {:?} and {:?} crowd each other",
                p[0].text,
                p[1].text
            );
        }
    }
}

/// The sizes every figure is checked at: the paper preset (3.3 in, 7 pt),
/// the paper preset 7 in wide, and 7 in wide at the web's text size (its
/// title drawn).
fn layout_sizes() -> Vec<(&'static str, FigureSize)> {
    let wide = SizeRequest {
        width: Some("7in".parse().unwrap()),
        ..SizeRequest::default()
    };
    vec![
        ("--preset paper", paper(None)),
        ("--preset paper --width 7in", paper(Some("7in"))),
        ("--width 7in", wide.resolve().unwrap()),
    ]
}

/// Check every kind of figure of `matrices` (labelled `labels`), with and
/// without bootstrap intervals, at every [`layout_sizes`] size.
fn assert_every_figure_fits(
    matrices: &[BenchmarkMatrix],
    info: Option<&InfoTable>,
    options: &AnalysisOptions,
    (labels, scatter): (&[&str], &str),
) {
    let uncertainty = UncertaintyOptions {
        bootstrap: Some(BootstrapOptions {
            resamples: 100,
            ..BootstrapOptions::default()
        }),
        ..UncertaintyOptions::default()
    }
    .validate(options.clone())
    .unwrap();
    let full: Vec<FullAnalysis> = matrices
        .iter()
        .map(|m| analyze_with_uncertainty(m, &uncertainty, info, &|_| {}).unwrap())
        .collect();
    let intervals: Vec<Option<Intervals>> = full
        .iter()
        .map(FullAnalysis::capabilities_intervals)
        .collect();
    for boot in [false, true] {
        let panels: Vec<Panel> = full
            .iter()
            .zip(labels)
            .zip(matrices)
            .zip(&intervals)
            .map(|(((f, label), matrix), intervals)| Panel {
                analysis: &f.analysis,
                label,
                intervals: intervals.as_ref().filter(|_| boot),
                bootstrap: f
                    .uncertainty
                    .as_ref()
                    .and_then(|u| u.bootstrap.as_ref())
                    .filter(|_| boot),
                lines: default_lines(matrix, &f.analysis),
            })
            .collect();
        let input = FigureInput {
            scatter_intervals: panels
                .iter()
                .map(|p| p.intervals?.get(scatter).copied())
                .collect(),
            panels,
            matrices,
            info,
            benchmark: Some(scatter),
            x: XAxis::Capabilities,
            overview: OverviewFilter::default(),
            heatmap_order: HeatmapOrder::Given,
            scatter_ranks: false,
        };
        let mut kinds = FigureKind::ALL.to_vec();
        if matrices.len() == 2 && !boot {
            kinds.push(FigureKind::Compare);
        }
        for (name, size) in layout_sizes() {
            for &kind in &kinds {
                let svg = render_figure(kind, &input, ImageFormat::Svg, &size).unwrap();
                let what = format!(
                    "{} {name}{}",
                    kind.name(),
                    if boot { " --bootstrap" } else { "" }
                );
                assert_text_fits(&String::from_utf8(svg).unwrap(), &what);
            }
        }
    }
}

#[test]
fn every_figure_keeps_its_text_inside_and_apart_at_paper_and_7_inch_sizes() {
    let f = fixture();
    // Long matrix names: captions that must wrap.
    let labels = [
        "benchmarks_base_models_with_a_long_name",
        "benchmarks_chat_models_with_a_long_name",
    ];
    assert_every_figure_fits(
        &f.matrices,
        Some(&f.info),
        &options(fixture::CAPABILITIES),
        (&labels, "tracks"),
    );
    // A caption too long for one line at the paper preset wraps onto more.
    let mut panels = f.panels(2);
    for p in &mut panels {
        p.label = labels[0];
    }
    let size = paper(None);
    let svg = render_svg(&RankingFigure::new(panels).with_frame(size.frame()), &size).unwrap();
    let t = texts(&parse(&svg));
    assert!(t.iter().any(|x| x.contains("PC1")), "{t:?}");
    assert!(
        !t.iter()
            .any(|x| x.contains("PC1") && x.contains("long_name")),
        "caption not wrapped: {t:?}"
    );
}

#[test]
fn paper_and_obsscaling_figures_keep_their_text_inside_and_apart() {
    with_shared!(shared => {
        let dir = common::paper_dir(&shared);
        let info = load_info(&dir.join("benchmarks_info.csv")).unwrap();
        let matrices: Vec<BenchmarkMatrix> = ["benchmarks_base_models.csv", "benchmarks_chat_models.csv"]
            .iter()
            .map(|file| load_matrix(&dir.join(file), &MatrixFormat::default()).unwrap())
            .collect();
        assert_every_figure_fits(
            &matrices,
            Some(&info),
            &AnalysisOptions::default(),
            (&["base", "chat"], "truthfulqa_mc1"),
        );
        let format = MatrixFormat {
            model_column: None,
            meta_columns: ["Model Family", "Model Size (B)", "Pretraining Data Size (T)"]
                .map(String::from)
                .to_vec(),
            compute_column: Some("FLOPs (1E21)".into()),
            require_compute_column: true,
        };
        let m = load_matrix(&shared.join("data/obsscaling/base_llm_benchmark_eval.csv"), &format).unwrap();
        assert_every_figure_fits(
            &[m],
            None,
            &options("MMLU,ARC-C,HellaSwag,Winograd,GSM8K,XWinograd,HumanEval"),
            (&["base_llm_benchmark_eval"], "TruthfulQA"),
        );
    });
}
