//! `scatter`: one benchmark against the capabilities score (or compute, or
//! another benchmark), with the least-squares line and its 95% confidence
//! band, points labelled by model (thinned where they would collide), and
//! the correlation — with its interval when known — in the panel title.
//! Panels share one y range; above 60 points markers are translucent.
//! Labels have a white halo, keep clear of the fit line where they can, and
//! the extremes (highest and lowest on each axis) are always labelled. On
//! rank scales ([`ScatterPanel::ranked`]) the line's slope is Spearman's ρ.

use super::labels::{Clear, PixelBox, place_labels};
use super::size::{Frame, Grid};
use super::style::{self, GREY, LABEL_SIZE, LIGHT_GREY, TICK_SIZE};
use super::{DrawResult, Figure, PlotError};
use crate::analysis::Analysis;
use crate::interval::Interval;
use crate::load::InfoTable;
use crate::matrix::BenchmarkMatrix;
use crate::stats::{CorrelationMethod, Ols, average_ranks, complete_pairs};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Natural width and height of one panel (drawing units).
const PANEL: (u32, u32) = (640, 560);
/// Panels narrower than this are stacked instead of side by side.
const MIN_PANEL_W: u32 = 300;
/// At most this many point labels per panel when points are many.
const MAX_LABELS: usize = 30;

/// What goes on the x axis.
#[derive(Debug, Clone, PartialEq)]
pub enum XAxis {
    /// The capabilities score (PC1).
    Capabilities,
    /// Training compute (log10 scale).
    Compute,
    /// Another benchmark column.
    Benchmark(String),
}

/// The points and numbers of one scatter panel.
#[derive(Debug, Clone, PartialEq)]
pub struct ScatterPanel {
    /// Matrix name shown in the panel title.
    pub label: String,
    /// Model of each point.
    pub models: Vec<String>,
    /// x of each point.
    pub x: Vec<f64>,
    /// y of each point.
    pub y: Vec<f64>,
    /// Correlation method.
    pub method: CorrelationMethod,
    /// The correlation of x and y as the analysis reports it.
    pub correlation: Option<f64>,
    /// Its interval, when one was computed.
    pub interval: Option<Interval>,
    /// x axis description.
    pub x_desc: String,
    /// y axis description.
    pub y_desc: String,
    /// Display name of the benchmark on y.
    pub y_name: String,
    /// Display name of what is on x.
    pub x_name: String,
}

impl ScatterPanel {
    /// The panel on rank scales: each axis's values replaced by their
    /// average ranks among the panel's points (1 = lowest; ties share their
    /// mean rank, by the rank methods' tie rule). The correlation is
    /// unchanged, and for Spearman the least-squares line through the ranks
    /// has the printed ρ as its slope (exactly, without ties).
    pub fn ranked(self) -> ScatterPanel {
        ScatterPanel {
            x: average_ranks(&self.x),
            y: average_ranks(&self.y),
            x_desc: format!("rank by {}", self.x_desc),
            y_desc: format!("rank by {}", self.y_desc),
            ..self
        }
    }
}

/// Axis description: display name and metric from the info table.
fn describe(id: &str, info: Option<&InfoTable>) -> (String, String) {
    match info.and_then(|i| i.get(id)) {
        Some(b) if !b.metric.is_empty() => (b.name.clone(), format!("{} — {}", b.name, b.metric)),
        Some(b) => (b.name.clone(), b.name.clone()),
        None => (id.to_string(), id.to_string()),
    }
}

/// Collect the points of `benchmark` against `x` for one analysed matrix.
pub fn scatter_panel(
    analysis: &Analysis,
    matrix: &BenchmarkMatrix,
    benchmark: &str,
    x: &XAxis,
    info: Option<&InfoTable>,
    label: &str,
) -> Result<ScatterPanel, PlotError> {
    let unknown = |name: &str| {
        if let Some(kind) = crate::capabilities::non_benchmark(matrix, name) {
            return PlotError::NoData(format!(
                "{}: '{name}' is {kind}, not a benchmark",
                matrix.source
            ));
        }
        let near = crate::matrix::closest_names(
            name,
            matrix.benchmarks.iter().map(|c| c.name.as_str()),
            5,
        );
        PlotError::NoData(format!(
            "{}: no benchmark column '{name}'; closest: {}",
            matrix.source,
            near.join(", ")
        ))
    };
    let y_col = matrix
        .benchmark(benchmark)
        .ok_or_else(|| unknown(benchmark))?;
    let result = analysis
        .benchmarks
        .iter()
        .find(|b| b.benchmark == benchmark);
    let (y_name, y_desc) = describe(benchmark, info);
    // x per row of the matrix (NaN where absent) and the reported correlation.
    let (x_row, correlation, x_name, x_desc): (Vec<f64>, Option<f64>, String, String) = match x {
        XAxis::Capabilities => {
            let mut v = vec![f64::NAN; matrix.n_models()];
            for (&r, &s) in analysis.fit.rows.iter().zip(&analysis.fit.scores) {
                v[r] = s;
            }
            (
                v,
                result.and_then(|b| b.capabilities_correlation),
                "capabilities score".into(),
                "capabilities score (PC1)".into(),
            )
        }
        XAxis::Compute => {
            let c = matrix
                .compute
                .as_ref()
                .ok_or_else(|| PlotError::NoCompute {
                    matrix: matrix.source.clone(),
                })?;
            let v = c
                .values
                .iter()
                .map(|&f| if f > 0.0 { f.log10() } else { f64::NAN })
                .collect();
            (
                v,
                result.and_then(|b| b.compute_correlation),
                "training compute".into(),
                format!("training compute, log₁₀ {}", c.name),
            )
        }
        XAxis::Benchmark(other) => {
            let col = matrix.benchmark(other).ok_or_else(|| unknown(other))?;
            let (a, b) = complete_pairs(&col.values, &y_col.values);
            let r = if a.len() < 2 {
                None
            } else {
                analysis.method.correlate(&a, &b)
            };
            let (name, desc) = describe(other, info);
            (col.values.clone(), r, name, desc)
        }
    };
    let mut panel = ScatterPanel {
        label: label.to_string(),
        models: Vec::new(),
        x: Vec::new(),
        y: Vec::new(),
        method: analysis.method,
        correlation,
        interval: None,
        x_desc,
        y_desc,
        y_name,
        x_name,
    };
    for (row, (&xv, &yv)) in x_row.iter().zip(&y_col.values).enumerate() {
        if !xv.is_nan() && !yv.is_nan() {
            panel.models.push(matrix.models[row].clone());
            panel.x.push(xv);
            panel.y.push(yv);
        }
    }
    if panel.x.len() < 2 {
        return Err(PlotError::NoData(format!(
            "{}: fewer than two models have both {} and {}",
            matrix.source, panel.y_name, panel.x_name
        )));
    }
    Ok(panel)
}

/// Label the most telling points first: the extremes of x and y, then the
/// largest residuals from the line. Also returns how many extremes lead.
fn label_order(p: &ScatterPanel, ols: Option<&Ols>) -> (Vec<usize>, usize) {
    let n = p.x.len();
    let extreme = |v: &[f64], max: bool| {
        (0..n)
            .max_by(|&a, &b| {
                let o = v[a].total_cmp(&v[b]);
                if max { o } else { o.reverse() }
            })
            .unwrap_or(0)
    };
    let mut rest: Vec<usize> = (0..n).collect();
    if let Some(o) = ols {
        let residual = |i: usize| (p.y[i] - o.predict(p.x[i])).abs();
        rest.sort_by(|&a, &b| residual(b).total_cmp(&residual(a)).then(a.cmp(&b)));
    }
    let mut order = Vec::with_capacity(n);
    let extremes = [
        extreme(&p.x, true),
        extreme(&p.x, false),
        extreme(&p.y, true),
        extreme(&p.y, false),
    ];
    // Each point once, even when it is an extreme twice.
    for i in extremes {
        if !order.contains(&i) {
            order.push(i);
        }
    }
    let leading = order.len();
    for i in rest {
        if !order.contains(&i) {
            order.push(i);
        }
    }
    (order, leading)
}

/// One benchmark against capabilities (or compute, or another benchmark).
pub struct ScatterFigure {
    panels: Vec<ScatterPanel>,
    frame: Frame,
    note: Option<String>,
}

impl ScatterFigure {
    /// One panel per matrix.
    pub fn new(panels: Vec<ScatterPanel>) -> Self {
        ScatterFigure {
            panels,
            frame: Frame::default(),
            note: None,
        }
    }

    /// With `note` (how intervals were computed) under panels that show one.
    pub fn with_note(self, note: Option<String>) -> Self {
        ScatterFigure { note, ..self }
    }

    /// Laid out in `frame`.
    pub fn with_frame(self, frame: Frame) -> Self {
        ScatterFigure { frame, ..self }
    }

    fn grid(&self) -> (Grid, u32) {
        let grid = self.frame.grid(self.panels.len(), PANEL.0, MIN_PANEL_W);
        let h = self.frame.panel_h(&grid, |w| {
            let caption = self
                .panels
                .iter()
                .map(|p| style::caption_extra(&caption(p), LABEL_SIZE, w.saturating_sub(30)))
                .max()
                .unwrap_or(0);
            w * PANEL.1 / PANEL.0 + caption + if self.note_row() { NOTE_H } else { 0 }
        });
        (grid, h)
    }

    /// Whether the panels have a row under the axis for the interval note.
    fn note_row(&self) -> bool {
        self.note.is_some() && self.panels.iter().any(|p| p.interval.is_some())
    }
}

/// A panel's caption: its label and the correlation (with its interval
/// when known) over n models.
fn caption(p: &ScatterPanel) -> String {
    format!(
        "{}: {} = {}, n = {}",
        p.label,
        method_symbol(p.method),
        p.correlation.map_or_else(
            || "–".to_string(),
            |r| style::pct_with_interval(r, p.interval)
        ),
        p.x.len()
    )
}

/// The symbol of a correlation method in titles.
pub fn method_symbol(method: CorrelationMethod) -> &'static str {
    match method {
        CorrelationMethod::Spearman => "Spearman ρ",
        CorrelationMethod::Pearson => "Pearson r",
        CorrelationMethod::Kendall => "Kendall τ",
    }
}

impl Figure for ScatterFigure {
    fn size(&self) -> (u32, u32) {
        super::size::grid_size(&self.frame, self.grid())
    }

    fn title(&self) -> String {
        match self.panels.first() {
            Some(p) => format!("{} vs {}", p.y_name, p.x_name),
            None => "Scatter".into(),
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let y_range = shared_y_range(&self.panels);
        super::size::panel_grid(
            root,
            &self.frame,
            &self.title(),
            self.grid(),
            self.panels.len(),
            |area, i| {
                let p = &self.panels[i];
                draw_panel(area, p, i, (self.note.as_deref(), y_range), self.note_row())
            },
        )
    }
}

fn span(v: &[f64]) -> (f64, f64) {
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let pad = if hi > lo { (hi - lo) * 0.08 } else { 1.0 };
    (lo - pad, hi + pad)
}

/// A panel's fit line and band on a grid of x (x, line, band half-width),
/// and the y range that holds its points, line and band.
#[allow(clippy::type_complexity)]
fn line_and_range(
    p: &ScatterPanel,
    ols: Option<&Ols>,
) -> (Vec<(f64, f64, Option<f64>)>, (f64, f64)) {
    let (x0, x1) = span(&p.x);
    let (mut y0, mut y1) = span(&p.y);
    let grid: Vec<(f64, f64, Option<f64>)> = match ols {
        Some(o) => (0..=100)
            .map(|k| {
                let x = x0 + (x1 - x0) * k as f64 / 100.0;
                (x, o.predict(x), o.band_half_width(x))
            })
            .collect(),
        None => Vec::new(),
    };
    for &(_, y, h) in &grid {
        let h = h.unwrap_or(0.0);
        y0 = y0.min(y - h);
        y1 = y1.max(y + h);
    }
    (grid, (y0, y1))
}

/// The y range shared by every panel (the same benchmark on each), so the
/// panels compare at a glance.
fn shared_y_range(panels: &[ScatterPanel]) -> (f64, f64) {
    panels
        .iter()
        .map(|p| line_and_range(p, Ols::fit(&p.x, &p.y).as_ref()).1)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), (lo, hi)| {
            (a.min(lo), b.max(hi))
        })
}

/// Height of the row under the axis for the interval note.
const NOTE_H: u32 = 22;

/// Above this many points, markers are translucent so clusters show their
/// density instead of merging into one blot.
const DENSE: usize = 60;

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &ScatterPanel,
    index: usize,
    (note, (y0, y1)): (Option<&str>, (f64, f64)),
    note_row: bool,
) -> DrawResult {
    let ols = Ols::fit(&p.x, &p.y);
    let (x0, x1) = span(&p.x);
    let (grid, _) = line_and_range(p, ols.as_ref());
    let body = style::caption(&area.margin(10, 0, 10, 20), &caption(p), LABEL_SIZE)?;
    let axis_h = 50;
    let mut chart = ChartBuilder::on(&body)
        .margin_bottom(10 + if note_row { NOTE_H } else { 0 })
        .x_label_area_size(axis_h)
        .y_label_area_size(70)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    let (plot_x, plot_y) = chart.plotting_area().get_pixel_range();
    let (plot_w, plot_h) = chart.plotting_area().dim_in_pixel();
    let x_tick = |v: f64| style::tick(v, x1 - x0);
    let y_tick = |v: f64| style::tick(v, y1 - y0);
    let x_ticks = style::tick_count(x0..x1, plot_w, 10, |v| {
        style::measure(&x_tick(v), TICK_SIZE)
    });
    let y_ticks = style::tick_count(y0..y1, plot_h, 10, |_| style::text_height(TICK_SIZE));
    chart
        .configure_mesh()
        .max_light_lines(0)
        .x_labels(x_ticks)
        .y_labels(y_ticks)
        .bold_line_style(LIGHT_GREY)
        .label_style(style::text(TICK_SIZE))
        .axis_desc_style(style::text(LABEL_SIZE))
        .x_label_formatter(&|v| x_tick(*v))
        .y_label_formatter(&|v| y_tick(*v))
        .y_desc(style::fit(&p.y_desc, LABEL_SIZE, plot_h))
        .draw()?;
    style::x_desc(area, &p.x_desc, plot_x, plot_y.end + axis_h)?;
    let color = style::series_color(index);
    let marker_fill = if p.x.len() > DENSE {
        color.mix(0.45).filled()
    } else {
        color.filled()
    };
    if grid.iter().all(|g| g.2.is_some()) && !grid.is_empty() {
        let band: Vec<(f64, f64)> = grid
            .iter()
            .map(|&(x, y, h)| (x, y + h.unwrap_or(0.0)))
            .chain(
                grid.iter()
                    .rev()
                    .map(|&(x, y, h)| (x, y - h.unwrap_or(0.0))),
            )
            .collect();
        chart
            .draw_series(std::iter::once(Polygon::new(
                band,
                color.mix(0.18).filled(),
            )))?
            .label("95% confidence band");
    }
    if !grid.is_empty() {
        chart.draw_series(LineSeries::new(
            grid.iter().map(|&(x, y, _)| (x, y)),
            color.stroke_width(2),
        ))?;
    }
    chart.draw_series(
        p.x.iter()
            .zip(&p.y)
            .map(|(&x, &y)| style::marker(index, (x, y), 4, marker_fill)),
    )?;
    for ((model, &x), &y) in p.models.iter().zip(&p.x).zip(&p.y) {
        super::tooltips::point(
            chart.backend_coord(&(x, y)),
            6,
            format!(
                "{model} ({}): {} {}, {} {}",
                p.label,
                p.x_name,
                style::tick(x, x1 - x0),
                p.y_name,
                style::tick(y, y1 - y0)
            ),
        );
    }

    // Labels beside the points, thinned where they would collide.
    let pixels: Vec<(i32, i32)> =
        p.x.iter()
            .zip(&p.y)
            .map(|(&x, &y)| style::local(area, chart.backend_coord(&(x, y))))
            .collect();
    let names: Vec<String> = p.models.iter().map(|m| style::ellipsize(m, 28)).collect();
    let sizes: Vec<(u32, u32)> = names
        .iter()
        .map(|n| {
            (
                style::measure(n, style::ROW_SIZE),
                style::ROW_SIZE as u32 + 2,
            )
        })
        .collect();
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let (bx0, by0) = style::local(area, (xr.start, yr.start));
    let (bx1, by1) = style::local(area, (xr.end, yr.end));
    let bounds = PixelBox {
        x0: bx0,
        y0: by0,
        x1: bx1,
        y1: by1,
    };
    let max = if p.x.len() <= MAX_LABELS {
        p.x.len()
    } else {
        MAX_LABELS
    };
    // How many points are labelled, when some are not, at the bottom
    // right of the plot.
    let room = (bx1 - bx0 - 8).max(0) as u32;
    let labelled = |k: usize| {
        style::fit(
            &format!("{k} of {} points labelled", p.x.len()),
            style::ROW_SIZE,
            room,
        )
    };
    let labelled_w = style::measure(&labelled(p.x.len()), style::ROW_SIZE) as i32;
    let labelled_box = PixelBox {
        x0: bx1 - 4 - labelled_w,
        y0: by1 - 4 - style::text_height(style::ROW_SIZE) as i32 - 2,
        x1: bx1 - 4,
        y1: by1 - 4,
    };
    // The fit line, in short pieces, for labels to keep clear of.
    let mut obstacles: Vec<PixelBox> = grid
        .iter()
        .map(|&(x, y, _)| {
            let (px, py) = style::local(area, chart.backend_coord(&(x, y)));
            PixelBox {
                x0: px - 2,
                y0: py - 2,
                x1: px + 3,
                y1: py + 3,
            }
        })
        .collect();
    let (order, extremes) = label_order(p, ols.as_ref());
    let place = |obstacles: &[PixelBox]| {
        let clear = Clear {
            bounds,
            obstacles,
            gap: 6,
        };
        place_labels(&pixels, &sizes, &order, (max, extremes), &clear)
    };
    let mut placed = place(&obstacles);
    if placed.len() < p.x.len() {
        // Not every point is labelled, so the note saying so is drawn:
        // place the labels again clear of it.
        obstacles.push(labelled_box);
        placed = place(&obstacles);
    }
    for l in &placed {
        style::halo_text(
            area,
            names[l.index].as_str(),
            l.at,
            style::anchored(style::ROW_SIZE, l.h, l.v),
        )?;
    }
    let grey = |h| style::anchored(style::ROW_SIZE, h, VPos::Bottom).color(&GREY);
    if placed.len() < p.x.len() {
        area.draw(&Text::new(
            labelled(placed.len()),
            (bx1 - 4, by1 - 4),
            grey(HPos::Right),
        ))?;
    }
    // How the interval was made, under the axis.
    if let (Some(note), Some(_)) = (note, p.interval) {
        let (w, h) = area.dim_in_pixel();
        area.draw(&Text::new(
            style::fit(
                &format!("interval: {note}"),
                style::ROW_SIZE,
                w.saturating_sub(12),
            ),
            (6, h as i32 - 4),
            grey(HPos::Left),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_order_lists_each_point_once_extremes_first() {
        let p = ScatterPanel {
            label: "m".into(),
            models: (0..5).map(|i| i.to_string()).collect(),
            x: vec![0.0, 1.0, 2.0, 3.0, 4.0],
            y: vec![0.0, 1.5, 2.0, 2.5, 4.0],
            method: CorrelationMethod::Pearson,
            correlation: None,
            interval: None,
            x_desc: String::new(),
            y_desc: String::new(),
            y_name: String::new(),
            x_name: String::new(),
        };
        let (order, extremes) = label_order(&p, Ols::fit(&p.x, &p.y).as_ref());
        assert_eq!(&order[..2], &[4, 0]);
        // The lowest and highest on x are the lowest and highest on y too.
        assert_eq!(extremes, 2);
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(sorted, vec![0, 1, 2, 3, 4]);
    }

    fn dense_panel(n: usize) -> ScatterPanel {
        // A noisy cloud: x spread, y = x + a deterministic wiggle.
        let x: Vec<f64> = (0..n).map(|i| ((i * 37) % n) as f64 / n as f64).collect();
        let y: Vec<f64> = x
            .iter()
            .enumerate()
            .map(|(i, v)| v + 0.3 * ((i * 7919) % 101) as f64 / 101.0)
            .collect();
        ScatterPanel {
            label: "dense".into(),
            models: (0..n).map(|i| format!("model-{i}")).collect(),
            x,
            y,
            method: CorrelationMethod::Spearman,
            correlation: None,
            interval: None,
            x_desc: "x".into(),
            y_desc: "y".into(),
            y_name: "y".into(),
            x_name: "x".into(),
        }
    }

    #[test]
    fn on_rank_scales_the_line_has_spearmans_rho_as_slope() {
        let p = dense_panel(50);
        let rho = CorrelationMethod::Spearman.correlate(&p.x, &p.y).unwrap();
        let ranked = p.clone().ranked();
        let mut xs = ranked.x.clone();
        xs.sort_by(f64::total_cmp);
        assert_eq!(xs, (1..=50).map(f64::from).collect::<Vec<_>>());
        let slope = Ols::fit(&ranked.x, &ranked.y).unwrap().slope;
        assert!((slope - rho).abs() < 1e-12, "{slope} vs {rho}");
        assert_eq!(ranked.x_desc, "rank by x");
        assert_eq!(ranked.models, p.models);
    }

    #[test]
    fn dense_scatter_labels_every_extreme_with_a_halo() {
        use crate::plot::{FigureSize, render_svg};
        let p = dense_panel(200);
        let extreme = |v: &[f64], max: bool| {
            let i = (0..v.len())
                .max_by(|&a, &b| {
                    let o = v[a].total_cmp(&v[b]);
                    if max { o } else { o.reverse() }
                })
                .unwrap();
            p.models[i].clone()
        };
        let want = [
            extreme(&p.x, true),
            extreme(&p.x, false),
            extreme(&p.y, true),
            extreme(&p.y, false),
        ];
        let svg = render_svg(&ScatterFigure::new(vec![p.clone()]), &FigureSize::default()).unwrap();
        for name in &want {
            let halo = format!("{}>\n{name}\n</text>", style::HALO_SVG);
            assert!(svg.contains(&halo), "{name} has no halo");
            assert!(
                svg.contains(&format!("fill=\"#1E1E1E\">\n{name}\n</text>")),
                "{name} not labelled"
            );
        }
        assert!(svg.contains("points labelled"), "thinned");
        // Translucent markers at this density.
        assert!(svg.contains("opacity=\"0.45\""));
    }
}
