//! Publication figures of an analysis, as SVG, PDF or PNG.
//!
//! Every figure is a value implementing [`Figure`]: it knows its pixel size
//! and title and draws itself on any plotters backend, so one drawing routine
//! serves every format ([`render`]): the SVG is drawn, and PDF and PNG are
//! converted from it (with `svg2pdf` and `resvg`, the font embedded), so
//! the three show the same figure. Sizes are physical ([`size`]). Text is laid out with DejaVu Sans, a
//! font bundled in the binary and registered with plotters' `ab_glyph`
//! support, so nothing depends on system font libraries; SVG output names the
//! generic `sans-serif` family for viewers.
//!
//! Figures take one [`Panel`] per analysed matrix (base and chat side by side
//! or overlaid) and, optionally, per-benchmark intervals of the capabilities
//! correlation ([`Intervals`]), drawn when present. Colours follow the
//! Okabe–Ito palette and every series also differs in marker shape or line
//! style, so figures read in greyscale and for colour-blind readers.

mod compare;
mod convert;
mod heatmap;
mod labels;
mod overview;
mod ranking;
mod scatter;
mod scree;
pub mod size;
pub mod style;
mod tooltips;

pub use compare::{CompareFigure, Pair};
pub use heatmap::{HeatmapFigure, HeatmapOrder, clustered_order};
pub use overview::{
    Bar as OverviewBar, Bars as OverviewBars, OverviewFigure, OverviewFilter, area_of,
    bars as overview_bars,
};
pub use ranking::RankingFigure;
pub use scatter::{ScatterFigure, ScatterPanel, XAxis, scatter_panel};
pub use scree::ScreeFigure;
pub use size::{FigureSize, Frame, Length, Preset, SizeError, SizeRequest, Unit};

use crate::analysis::Analysis;
use crate::load::InfoTable;
use crate::matrix::BenchmarkMatrix;
use crate::uncertainty::{BootstrapEstimate, BootstrapReport, Interval};
use crate::verdict::Lines;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;
use thiserror::Error;

/// Interval of a benchmark's capabilities correlation, by benchmark id;
/// filled by an uncertainty method when one is run.
pub type Intervals = BTreeMap<String, Interval>;

/// Result of a drawing routine.
pub type DrawResult = Result<(), PlotError>;

/// Why a figure could not be made.
#[derive(Debug, Error)]
pub enum PlotError {
    /// The output file name does not say which format to write.
    #[error("{0}: the file name must end in .svg, .png or .pdf")]
    UnknownFormat(String),
    /// The figure has nothing to show (e.g. an unknown benchmark).
    #[error("{0}")]
    NoData(String),
    /// An overview or compare selection names an area or benchmark that no
    /// matrix has among its non-capability benchmarks.
    #[error("no {what} '{name}' among the non-capability benchmarks of the matrices{}", closest_list(.closest))]
    UnknownSelection {
        /// `area` or `benchmark`.
        what: &'static str,
        /// The name asked for.
        name: String,
        /// The closest names there are.
        closest: Vec<String>,
    },
    /// A scatter plot was asked for without naming its benchmark.
    #[error("a scatter plot needs a benchmark")]
    NoBenchmark,
    /// Compute on the x axis of a matrix without a compute column.
    #[error("{matrix}: no compute column, so compute can't be on the x axis")]
    NoCompute {
        /// Matrix source.
        matrix: String,
    },
    /// Drawing or encoding failed.
    #[error("could not draw the figure: {0}")]
    Draw(String),
}

fn closest_list(closest: &[String]) -> String {
    if closest.is_empty() {
        String::new()
    } else {
        format!("; closest: {}", closest.join(", "))
    }
}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for PlotError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        PlotError::Draw(e.to_string())
    }
}

/// Image formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// Scalable vector graphics (text stays text).
    Svg,
    /// Bitmap, lossless, with its resolution recorded.
    Png,
    /// Vector PDF with the font embedded.
    Pdf,
}

impl std::str::FromStr for FigureKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FigureKind::ALL
            .into_iter()
            .chain([FigureKind::Compare])
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                format!(
                    "unknown figure '{s}': expected ranking, scree, scatter, heatmap, overview or compare"
                )
            })
    }
}

impl ImageFormat {
    /// The format named by a file's extension (`.svg`, `.png` or `.pdf`, any
    /// case).
    pub fn from_path(path: &Path) -> Result<ImageFormat, PlotError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("svg") => Ok(ImageFormat::Svg),
            Some("png") => Ok(ImageFormat::Png),
            Some("pdf") => Ok(ImageFormat::Pdf),
            _ => Err(PlotError::UnknownFormat(path.display().to_string())),
        }
    }
}

/// A figure that can draw itself on any plotters backend.
pub trait Figure {
    /// Size in drawing units (width, height); see [`size`].
    fn size(&self) -> (u32, u32);
    /// Title, also written as the SVG's `<title>`.
    fn title(&self) -> String;
    /// Draw on `root`, which covers the whole figure.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult;
}

/// One analysed matrix as a figure shows it.
#[derive(Debug, Clone, Copy)]
pub struct Panel<'a> {
    /// The analysis.
    pub analysis: &'a Analysis,
    /// Short name of the matrix in titles and legends (e.g. `base`).
    pub label: &'a str,
    /// Intervals of capabilities correlations, when computed.
    pub intervals: Option<&'a Intervals>,
    /// The bootstrap of this analysis, when run: `ranking` draws each
    /// model's score interval and `scree` each eigenvalue's from it.
    pub bootstrap: Option<&'a BootstrapReport>,
    /// The verdict lines drawn (by default
    /// [`crate::uncertainty::default_lines`]: the paper's low line and the
    /// mean leave-one-out capabilities correlation).
    pub lines: Lines,
}

impl Panel<'_> {
    /// The interval of a bootstrapped number, in the method asked for
    /// (percentile where that one is undefined).
    fn interval(&self, estimate: &BootstrapEstimate) -> Option<Interval> {
        let method = self.bootstrap?.interval;
        estimate.interval(method).map(|(i, _)| i)
    }
}

/// Short names for matrices given by path: file stems, with the words all
/// of them share removed (`benchmarks_base_models`, `benchmarks_chat_models`
/// → `base`, `chat`); a single matrix keeps its whole stem.
pub fn short_labels(sources: &[&str]) -> Vec<String> {
    let stems: Vec<String> = sources
        .iter()
        .map(|s| {
            Path::new(s)
                .file_stem()
                .map_or_else(|| s.to_string(), |f| f.to_string_lossy().into_owned())
        })
        .collect();
    if stems.len() < 2 {
        return stems;
    }
    let words: Vec<Vec<&str>> = stems
        .iter()
        .map(|s| s.split(['_', '-']).collect())
        .collect();
    let shared = |w: &str| words.iter().all(|ws| ws.contains(&w));
    let labels: Vec<String> = words
        .iter()
        .map(|ws| {
            ws.iter()
                .copied()
                .filter(|w| !shared(w))
                .collect::<Vec<_>>()
                .join("_")
        })
        .collect();
    let distinct = labels.iter().all(|l| !l.is_empty())
        && (1..labels.len()).all(|i| !labels[..i].contains(&labels[i]));
    if distinct { labels } else { stems }
}

/// The figures `plot` can draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureKind {
    /// Models by capabilities score.
    Ranking,
    /// Eigenvalues of the capability correlation matrix.
    Scree,
    /// One benchmark against capabilities, compute or another benchmark.
    Scatter,
    /// The capability correlation matrix.
    Heatmap,
    /// Every non-capability benchmark's capabilities correlation.
    Overview,
    /// Two matrices' correlations on their shared benchmarks (dumbbells).
    Compare,
}

impl FigureKind {
    /// Every kind a report shows, in its order (`compare` is drawn by `plot`
    /// only).
    pub const ALL: [FigureKind; 5] = [
        FigureKind::Overview,
        FigureKind::Scatter,
        FigureKind::Ranking,
        FigureKind::Scree,
        FigureKind::Heatmap,
    ];

    /// Lower-case name as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            FigureKind::Ranking => "ranking",
            FigureKind::Scree => "scree",
            FigureKind::Scatter => "scatter",
            FigureKind::Heatmap => "heatmap",
            FigureKind::Overview => "overview",
            FigureKind::Compare => "compare",
        }
    }
}

/// What a figure may need: the analysed matrices and, for `scatter`, the
/// benchmark, the x axis and the raw matrices.
pub struct FigureInput<'a> {
    /// One panel per analysed matrix.
    pub panels: Vec<Panel<'a>>,
    /// The matrices the panels analysed, in the same order.
    pub matrices: &'a [BenchmarkMatrix],
    /// Info table for display names and metrics.
    pub info: Option<&'a InfoTable>,
    /// Benchmark on the scatter's y axis.
    pub benchmark: Option<&'a str>,
    /// The scatter's x axis.
    pub x: XAxis,
    /// Interval of each scatter panel's correlation, when computed.
    pub scatter_intervals: Vec<Option<Interval>>,
    /// Which benchmarks the overview shows.
    pub overview: OverviewFilter,
    /// The order of the heatmap's benchmarks.
    pub heatmap_order: HeatmapOrder,
    /// Scatter on rank scales ([`ScatterPanel::ranked`]).
    pub scatter_ranks: bool,
}

impl FigureInput<'_> {
    /// The scatter panels of `benchmark`.
    pub fn scatter_panels(&self) -> Result<Vec<ScatterPanel>, PlotError> {
        let benchmark = self.benchmark.ok_or(PlotError::NoBenchmark)?;
        self.panels
            .iter()
            .zip(self.matrices)
            .enumerate()
            .map(|(i, (p, m))| {
                let mut panel =
                    scatter_panel(p.analysis, m, benchmark, &self.x, self.info, p.label)?;
                panel.interval = self.scatter_intervals.get(i).copied().flatten();
                Ok(if self.scatter_ranks {
                    panel.ranked()
                } else {
                    panel
                })
            })
            .collect()
    }
}

/// Draw a figure of `kind` in `format` at `size`.
pub fn render_figure(
    kind: FigureKind,
    input: &FigureInput,
    format: ImageFormat,
    size: &FigureSize,
) -> Result<Vec<u8>, PlotError> {
    let panels = input.panels.clone();
    let frame = size.frame();
    match kind {
        FigureKind::Ranking => render(&RankingFigure::new(panels).with_frame(frame), format, size),
        FigureKind::Scree => render(&ScreeFigure::new(panels).with_frame(frame), format, size),
        FigureKind::Heatmap => render(
            &HeatmapFigure::new(panels)
                .with_order(input.heatmap_order)
                .with_frame(frame),
            format,
            size,
        ),
        FigureKind::Overview => {
            overview::check_filter(&input.panels, input.info, &input.overview)?;
            let figure = OverviewFigure::filtered(panels, input.info, &input.overview);
            render(&figure.with_frame(frame), format, size)
        }
        FigureKind::Compare => {
            overview::check_filter(&input.panels, input.info, &input.overview)?;
            let figure = CompareFigure::new(&input.panels, input.info, &input.overview)?;
            render(&figure.with_frame(frame), format, size)
        }
        FigureKind::Scatter => render(
            &ScatterFigure::new(input.scatter_panels()?)
                .with_note(
                    input
                        .panels
                        .iter()
                        .find_map(|p| p.bootstrap)
                        .map(BootstrapReport::interval_note),
                )
                .with_frame(frame),
            format,
            size,
        ),
    }
}

/// Render a figure in the given format; `size` gives its physical size
/// (the figure should be laid out in `size.frame()`).
pub fn render(
    figure: &impl Figure,
    format: ImageFormat,
    size: &FigureSize,
) -> Result<Vec<u8>, PlotError> {
    let svg = svg_document(figure, size, format == ImageFormat::Svg)?;
    match format {
        ImageFormat::Svg => Ok(svg.into_bytes()),
        ImageFormat::Png => convert::png(&svg, size.pixels(figure.size()), size.dpi()),
        ImageFormat::Pdf => convert::pdf(&svg),
    }
}

/// Render a figure as an SVG document with a `<title>`, its physical width
/// and height, a `viewBox` in drawing units, and a tooltip (`<title>`) on
/// each bar, point and cell naming it and its value.
pub fn render_svg(figure: &impl Figure, size: &FigureSize) -> Result<String, PlotError> {
    svg_document(figure, size, true)
}

/// [`render_svg`], with the marks' tooltips or without them (for
/// conversion to PNG and PDF, which cannot show them).
fn svg_document(
    figure: &impl Figure,
    size: &FigureSize,
    with_tips: bool,
) -> Result<String, PlotError> {
    style::register_fonts();
    let units = figure.size();
    let mut svg = String::new();
    let (drawn, tips) = tooltips::collect(|| {
        let root = SVGBackend::with_string(&mut svg, units).into_drawing_area();
        draw_on(figure, &root)
    });
    drawn?;
    if with_tips && !tips.is_empty() {
        let end = svg
            .rfind("</svg>")
            .ok_or_else(|| PlotError::Draw("the SVG backend wrote no end tag".into()))?;
        svg.insert_str(end, &tooltips::svg(&tips));
    }
    // Labels were measured in DejaVu Sans: ask viewers for it, else for
    // Verdana, a similarly wide face, so text keeps the room made for it.
    let mut svg = svg
        .replace(
            "font-family=\"sans-serif\"",
            "font-family=\"DejaVu Sans, Verdana, sans-serif\"",
        )
        .replace(
            &format!(
                "fill=\"#{:02X}{:02X}{:02X}\"",
                style::HALO.0,
                style::HALO.1,
                style::HALO.2
            ),
            style::HALO_SVG,
        );
    let (w, h) = size.physical(units);
    let (uw, uh) = units;
    let plotters_size = format!("width=\"{uw}\" height=\"{uh}\"");
    if !svg.contains(&plotters_size) {
        return Err(PlotError::Draw("the SVG backend wrote no size".into()));
    }
    svg = svg.replacen(&plotters_size, &format!("width=\"{w}\" height=\"{h}\""), 1);
    // Give the document an accessible title right after the opening tag.
    let title = format!("<title>{}</title>", xml_escape(&figure.title()));
    match svg.find('>') {
        Some(i) => svg.insert_str(i + 1, &format!("\n{title}")),
        None => return Err(PlotError::Draw("the SVG backend wrote no document".into())),
    }
    // Names from files are drawn as text: no raw ESC or NUL (which XML
    // forbids) may reach the document, in labels as in tooltips.
    Ok(crate::escape::control_in_document(&svg).into_owned())
}

/// Render a figure as a PNG image (8-bit RGB) at `size`'s resolution.
pub fn render_png(figure: &impl Figure, size: &FigureSize) -> Result<Vec<u8>, PlotError> {
    render(figure, ImageFormat::Png, size)
}

/// Render a figure as a one-page vector PDF of its physical size.
pub fn render_pdf(figure: &impl Figure, size: &FigureSize) -> Result<Vec<u8>, PlotError> {
    render(figure, ImageFormat::Pdf, size)
}

fn draw_on<DB: DrawingBackend>(
    figure: &impl Figure,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), PlotError> {
    root.fill(&WHITE)?;
    figure.draw(root)?;
    Ok(root.present()?)
}

/// Escape text for XML/HTML content and attribute values.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in crate::escape::control_in_document(text).chars() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_from_extension() {
        assert_eq!(
            ImageFormat::from_path(Path::new("a/b.SVG")).unwrap(),
            ImageFormat::Svg
        );
        assert_eq!(
            ImageFormat::from_path(Path::new("b.png")).unwrap(),
            ImageFormat::Png
        );
        assert_eq!(
            ImageFormat::from_path(Path::new("b.Pdf")).unwrap(),
            ImageFormat::Pdf
        );
        assert!(ImageFormat::from_path(Path::new("b.eps")).is_err());
        assert!(ImageFormat::from_path(Path::new("b")).is_err());
    }

    #[test]
    fn short_labels_strip_shared_words() {
        assert_eq!(
            short_labels(&[
                "d/benchmarks_base_models.csv",
                "d/benchmarks_chat_models.csv"
            ]),
            vec!["base", "chat"]
        );
        assert_eq!(short_labels(&["x/obs.csv"]), vec!["obs"]);
        // Nothing distinct left: keep the stems.
        assert_eq!(short_labels(&["a/m.csv", "b/m.csv"]), vec!["m", "m"]);
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(xml_escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
