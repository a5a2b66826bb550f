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
use safetywashing::plot::{
    Figure, FigureInput, FigureKind, HeatmapFigure, ImageFormat, Intervals, OverviewFigure, Panel,
    RankingFigure, ScreeFigure, XAxis, render_figure, render_png, render_svg,
};
use safetywashing::stats::CorrelationMethod;
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
            .take(n)
            .map(|(analysis, label)| Panel {
                analysis,
                label,
                intervals: None,
            })
            .collect()
    }
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
    let png = render_png(figure).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let reader = decoder.read_info().unwrap();
    let info = reader.info();
    assert_eq!((info.width, info.height), figure.size());
    render_svg(figure).unwrap()
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

#[test]
fn figures_are_deterministic_and_name_a_font_viewers_have() {
    let f = fixture();
    let a = render_svg(&OverviewFigure::new(f.panels(2))).unwrap();
    let b = render_svg(&OverviewFigure::new(f.panels(2))).unwrap();
    assert_eq!(a, b);
    assert!(a.contains("font-family=\"DejaVu Sans, Verdana, sans-serif\""));
    let p1 = render_png(&RankingFigure::new(f.panels(2))).unwrap();
    let p2 = render_png(&RankingFigure::new(f.panels(2))).unwrap();
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
    assert_eq!(title(&doc), "Correlations among capability benchmarks");
    assert_eq!(
        count(&doc, "rect", &[("width", "46"), ("height", "46")]),
        2 * 9
    );
    let t = texts(&doc);
    assert_eq!(t.iter().filter(|x| *x == "100").count(), 2 * 3, "diagonal");
    // Display names on both axes of both panels.
    assert_eq!(t.iter().filter(|x| *x == "Cap A").count(), 4);
}

#[test]
fn overview_has_a_bar_per_other_benchmark_and_draws_intervals_when_given() {
    let f = fixture();
    let doc_text = render_both(&OverviewFigure::new(f.panels(2)));
    let doc = parse(&doc_text);
    assert_eq!(
        title(&doc),
        "How strongly each benchmark tracks capabilities"
    );
    assert_eq!(count(&doc, "rect", &[("fill", BLUE)]), fixture::OTHERS);
    assert_eq!(
        count(&doc, "rect", &[("fill", VERMILLION)]),
        fixture::OTHERS
    );
    let t = texts(&doc);
    assert!(t.contains(&"Noise & Co".to_string()));
    assert!(
        !t.contains(&"Cap A".to_string()),
        "capability benchmarks are not bars"
    );
    assert!(!t.iter().any(|x| x.starts_with("interval")));

    let mut intervals = Intervals::new();
    intervals.insert("tracks".into(), (0.5, 0.95));
    let mut panels = f.panels(1);
    panels[0].intervals = Some(&intervals);
    let doc_text = render_svg(&OverviewFigure::new(panels)).unwrap();
    let doc = parse(&doc_text);
    assert!(texts(&doc).iter().any(|x| x.starts_with("interval")));
}

fn scatter_input<'a>(
    f: &'a Fixture,
    x: XAxis,
    intervals: Vec<Option<(f64, f64)>>,
) -> FigureInput<'a> {
    FigureInput {
        panels: f.panels(2),
        matrices: &f.matrices,
        info: Some(&f.info),
        benchmark: Some("tracks"),
        x,
        scatter_intervals: intervals,
    }
}

#[test]
fn scatter_has_every_point_a_band_and_the_correlation_in_the_title() {
    let f = fixture();
    let input = scatter_input(&f, XAxis::Capabilities, vec![Some((0.5, 0.9)), None]);
    let svg = render_figure(FigureKind::Scatter, &input, ImageFormat::Svg).unwrap();
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
            render_figure(FigureKind::Scatter, &input, ImageFormat::Svg).unwrap(),
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
    let err = render_figure(FigureKind::Scatter, &input, ImageFormat::Svg).unwrap_err();
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
            .map(|(analysis, label)| Panel {
                analysis,
                label,
                intervals: None,
            })
            .collect(),
        matrices,
        info,
        benchmark: Some(scatter),
        x: XAxis::Capabilities,
        scatter_intervals: Vec::new(),
    };
    for kind in FigureKind::ALL {
        let svg = render_figure(kind, &input, ImageFormat::Svg).unwrap();
        let svg = String::from_utf8(svg).unwrap();
        let doc = parse(&svg);
        assert!(!title(&doc).is_empty(), "{kind:?}: no title");
        let png = render_figure(kind, &input, ImageFormat::Png).unwrap();
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
