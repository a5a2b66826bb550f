//! `overview`: every non-capability benchmark's capabilities correlation as a
//! horizontal bar (with its interval when known), grouped and coloured by
//! safety area as the paper's figures are, sorted within each area, areas in
//! order of their mean correlation; reference lines at ± the low line (the
//! paper's 40%) and at the "high" line (by default the mean leave-one-out
//! capabilities correlation of the capability benchmarks, at least the low
//! line: [`Panel::lines`]); one panel per matrix.
//!
//! Areas come from the info table's optional `area` column, else from the
//! paper's suite manifest ([`crate::suite`]), else `other`. By default a
//! family's sub-splits are collapsed into its headline benchmark
//! ([`headline_of`]); [`OverviewFilter`] keeps every column, or only some
//! areas, benchmarks or the top N.

use super::scatter::method_symbol;
use super::size::{Frame, Grid, TITLE_SPACE};
use super::style::{self, GREY, INK, LABEL_SIZE, LIGHT_GREY, ROW_SIZE, TICK_SIZE};
use super::{DrawResult, Figure, Panel};
use crate::analysis::{Analysis, Role};
use crate::interval::Interval;
use crate::load::InfoTable;
use crate::stats::CorrelationMethod;
use crate::suite::Manifest;
use crate::verdict::Lines;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Height of one row (drawing units).
const ROW: u32 = 16;
/// Natural width of a panel's plotting area.
const PLOT_W: u32 = 420;
/// Space above the rows, figure title included.
const TOP: u32 = 80;
/// Space below the rows for the x axis.
const AXIS: u32 = 50;
/// Height of one legend line.
const LEGEND_LINE: u32 = 18;
/// Longest benchmark name shown in full.
const MAX_NAME: usize = 56;
/// Panels narrower than this are stacked.
const MIN_PANEL_W: u32 = 300;
/// Area of a benchmark nothing names an area for.
pub const OTHER_AREA: &str = "other";

/// Which benchmarks the overview shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OverviewFilter {
    /// Only these areas (empty: every area).
    pub areas: Vec<String>,
    /// Only these benchmark ids (empty: every benchmark).
    pub benchmarks: Vec<String>,
    /// Only the N highest correlations.
    pub top: Option<usize>,
    /// Every column, sub-splits included (default: headline benchmarks).
    pub all: bool,
}

/// One bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Benchmark id.
    pub benchmark: String,
    /// Display name.
    pub name: String,
    /// Safety area.
    pub area: String,
    /// Capabilities correlation.
    pub r: f64,
    /// Its interval, when computed.
    pub interval: Option<Interval>,
}

/// The bars of one panel and what was left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bars {
    /// Bars in drawing order: by area, highest first within an area.
    pub bars: Vec<Bar>,
    /// Benchmarks without a correlation.
    pub missing: usize,
    /// Sub-splits folded into their headline benchmark.
    pub collapsed: usize,
}

/// The safety area of a benchmark: the info table's `area` column, else the
/// paper's manifest, else [`OTHER_AREA`].
pub fn area_of(benchmark: &str, info: Option<&InfoTable>) -> String {
    info.and_then(|i| i.get(benchmark))
        .and_then(|e| e.area.clone())
        .or_else(|| Manifest::paper().area(benchmark).map(str::to_string))
        .unwrap_or_else(|| OTHER_AREA.to_string())
}

/// The headline benchmark among `ids` that `id` is a sub-split of, if any:
/// `bbq` for `bbq_amb`, `HarmBench-GCG-T-all` for `HarmBench-GCG-T-harmful`,
/// `machiavelli-violations.Σ` for `machiavelli-violations.killing`.
pub fn headline_of<'a>(id: &str, ids: &[&'a str]) -> Option<&'a str> {
    const SEPARATORS: [char; 3] = ['_', '-', '.'];
    let parent_of = |h: &str| {
        if h == id {
            return false;
        }
        // `h` followed by a separator starts `id` …
        let direct = id
            .strip_prefix(h)
            .is_some_and(|rest| rest.starts_with(SEPARATORS));
        // … or `h` is `<stem>all` / `<stem>Σ` and `id` is another `<stem>…`.
        let summary = ["all", "Σ"].iter().any(|end| {
            h.strip_suffix(end).is_some_and(|stem| {
                stem.ends_with(SEPARATORS) && id.starts_with(stem) && id.len() > stem.len()
            })
        });
        direct || summary
    };
    // The shortest parent is the family's head (`glue` over `glue_mnli`).
    ids.iter()
        .copied()
        .filter(|h| parent_of(h))
        .min_by_key(|h| (h.len(), *h))
}

/// Refuse a selection that names an area or benchmark id no panel has among
/// its non-capability benchmarks (it would draw an empty figure without a
/// word), with the closest names there are.
pub fn check_filter(
    panels: &[Panel],
    info: Option<&InfoTable>,
    filter: &OverviewFilter,
) -> Result<(), super::PlotError> {
    let safety: Vec<&str> = panels
        .iter()
        .flat_map(|p| &p.analysis.benchmarks)
        .filter(|b| b.role == Role::Safety)
        .map(|b| b.benchmark.as_str())
        .collect();
    let areas: Vec<String> = safety.iter().map(|b| area_of(b, info)).collect();
    let unknown = |what: &'static str, asked: &[String], known: Vec<&str>| {
        asked
            .iter()
            .find(|a| !known.contains(&a.as_str()))
            .map(|name| {
                let mut distinct = known.clone();
                distinct.sort_unstable();
                distinct.dedup();
                super::PlotError::UnknownSelection {
                    what,
                    name: name.clone(),
                    closest: crate::matrix::closest_names(name, distinct, 5),
                }
            })
    };
    let area_names = areas.iter().map(String::as_str).collect();
    match unknown("area", &filter.areas, area_names)
        .or_else(|| unknown("benchmark", &filter.benchmarks, safety.clone()))
    {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The bars an analysis shows under `filter`.
pub fn bars(
    analysis: &Analysis,
    intervals: Option<&super::Intervals>,
    info: Option<&InfoTable>,
    filter: &OverviewFilter,
) -> Bars {
    let safety: Vec<_> = analysis
        .benchmarks
        .iter()
        .filter(|b| b.role == Role::Safety)
        .filter(|b| filter.benchmarks.is_empty() || filter.benchmarks.contains(&b.benchmark))
        .collect();
    let with_r: Vec<&str> = safety
        .iter()
        .filter(|b| b.capabilities_correlation.is_some())
        .map(|b| b.benchmark.as_str())
        .collect();
    let mut out = Bars::default();
    for b in &safety {
        let Some(r) = b.capabilities_correlation else {
            out.missing += 1;
            continue;
        };
        if !filter.all && headline_of(&b.benchmark, &with_r).is_some() {
            out.collapsed += 1;
            continue;
        }
        let area = area_of(&b.benchmark, info);
        if !filter.areas.is_empty() && !filter.areas.contains(&area) {
            continue;
        }
        out.bars.push(Bar {
            benchmark: b.benchmark.clone(),
            name: style::ellipsize(&b.name, MAX_NAME),
            area,
            r,
            interval: intervals.and_then(|i| i.get(&b.benchmark).copied()),
        });
    }
    let by_r = |a: &Bar, b: &Bar| b.r.total_cmp(&a.r).then_with(|| a.name.cmp(&b.name));
    if let Some(n) = filter.top {
        out.bars.sort_by(by_r);
        out.bars.truncate(n);
    }
    // Areas by mean correlation, highest first, so the figure reads from
    // "tracks capabilities" down to "falls with capabilities".
    let areas = area_order(&out.bars);
    let rank = |a: &str| areas.iter().position(|x| x == a).unwrap_or(usize::MAX);
    out.bars
        .sort_by(|a, b| rank(&a.area).cmp(&rank(&b.area)).then_with(|| by_r(a, b)));
    out
}

/// The areas of `bars`, by mean correlation (highest first; ties by name).
pub fn area_order(bars: &[Bar]) -> Vec<String> {
    let mut areas: Vec<(String, f64)> = Vec::new();
    for name in bars.iter().map(|b| &b.area) {
        if areas.iter().any(|(a, _)| a == name) {
            continue;
        }
        let rs: Vec<f64> = bars
            .iter()
            .filter(|b| &b.area == name)
            .map(|b| b.r)
            .collect();
        areas.push((name.clone(), rs.iter().sum::<f64>() / rs.len() as f64));
    }
    areas.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    areas.into_iter().map(|(a, _)| a).collect()
}

/// Colour of the `i`-th area: the eight Okabe–Ito colours, then repeating
/// (each group is also named in its heading row).
pub fn area_color(i: usize) -> RGBColor {
    const YELLOW: RGBColor = RGBColor(240, 228, 66);
    [
        style::BLUE,
        style::VERMILLION,
        style::GREEN,
        style::PURPLE,
        style::ORANGE,
        style::SKY,
        YELLOW,
        GREY,
    ][i % 8]
}

/// A row of a panel: an area's heading or a bar.
pub(super) enum Row<'b> {
    Heading(&'b str),
    Bar(&'b Bar),
}

/// The rows of `bars` (already in area order): a heading before each area.
pub(super) fn rows(bars: &[Bar]) -> Vec<Row<'_>> {
    let mut out = Vec::new();
    for (i, bar) in bars.iter().enumerate() {
        if i == 0 || bars[i - 1].area != bar.area {
            out.push(Row::Heading(&bar.area));
        }
        out.push(Row::Bar(bar));
    }
    out
}

/// Capabilities correlation of every non-capability benchmark, by area.
pub struct OverviewFigure<'a> {
    panels: Vec<Panel<'a>>,
    bars: Vec<Bars>,
    /// Every area shown, in legend (and colour) order.
    areas: Vec<String>,
    frame: Frame,
}

impl<'a> OverviewFigure<'a> {
    /// One panel per analysis, the default selection (headline benchmarks
    /// of every area), areas from the paper's manifest.
    pub fn new(panels: Vec<Panel<'a>>) -> Self {
        Self::filtered(panels, None, &OverviewFilter::default())
    }

    /// One panel per analysis, the benchmarks `filter` keeps, areas from
    /// `info` where it has them.
    pub fn filtered(
        panels: Vec<Panel<'a>>,
        info: Option<&InfoTable>,
        filter: &OverviewFilter,
    ) -> Self {
        let bars: Vec<Bars> = panels
            .iter()
            .map(|p| bars(p.analysis, p.intervals, info, filter))
            .collect();
        let all: Vec<Bar> = bars.iter().flat_map(|b| b.bars.iter().cloned()).collect();
        OverviewFigure {
            areas: area_order(&all),
            panels,
            bars,
            frame: Frame::default(),
        }
    }

    /// Laid out in `frame`.
    pub fn with_frame(self, frame: Frame) -> Self {
        OverviewFigure { frame, ..self }
    }

    /// The bars of each panel.
    pub fn panel_bars(&self) -> &[Bars] {
        &self.bars
    }

    fn rows(&self) -> u32 {
        self.bars
            .iter()
            .map(|b| rows(&b.bars).len())
            .max()
            .unwrap_or(0) as u32
    }

    fn color(&self, area: &str) -> RGBColor {
        area_color(self.areas.iter().position(|a| a == area).unwrap_or(0))
    }

    /// Legend entries: (swatch, text); reference lines first, then areas.
    fn legend(&self, panel: &Panel, intervals: bool) -> Vec<(Swatch, String)> {
        let lines = panel.lines;
        let mut out = vec![
            (
                Swatch::Line(GREY, (6, 4)),
                format!("±{}: the paper's \"low\" bound", style::pct(lines.low)),
            ),
            (
                Swatch::Line(INK, (2, 3)),
                format!(
                    "{}: high (capability benchmarks, leave-one-out)",
                    style::pct(lines.high)
                ),
            ),
        ];
        if intervals {
            out.push((
                Swatch::Line(INK, (40, 1)),
                match panel.bootstrap {
                    Some(boot) => format!("interval: {}", boot.interval_note()),
                    None => "interval of the correlation".into(),
                },
            ));
        }
        out.extend(
            self.areas
                .iter()
                .map(|a| (Swatch::Fill(self.color(a)), a.clone())),
        );
        out
    }

    /// Legend lines at panel width `w`: entries flow into columns.
    fn legend_layout(&self, w: u32) -> (u32, Vec<(u32, u32)>) {
        let panel = &self.panels[0];
        let entries = self.legend(panel, self.has_intervals());
        let item_w = entries
            .iter()
            .map(|(_, t)| style::measure(t, TICK_SIZE) + 44)
            .max()
            .unwrap_or(100);
        let per_line = (w.saturating_sub(8) / item_w).max(1);
        let spots = (0..entries.len() as u32)
            .map(|k| {
                (
                    4 + (k % per_line) * item_w,
                    10 + (k / per_line) * LEGEND_LINE,
                )
            })
            .collect();
        let lines = (entries.len() as u32).div_ceil(per_line);
        (lines * LEGEND_LINE + 10, spots)
    }

    fn has_intervals(&self) -> bool {
        self.bars
            .iter()
            .any(|b| b.bars.iter().any(|x| x.interval.is_some()))
    }

    /// Panel grid, panel height and the width of the benchmark names.
    fn layout(&self) -> (Grid, u32, u32) {
        let name_w = style::measure_max(
            self.bars
                .iter()
                .flat_map(|b| b.bars.iter().map(|x| x.name.as_str())),
            ROW_SIZE,
        ) + 12;
        let natural = (name_w + PLOT_W + 30).max(560 / self.panels.len().max(1) as u32);
        let grid = self.frame.grid(self.panels.len(), natural, MIN_PANEL_W);
        let name_w = name_w.min(grid.panel_w * 2 / 5);
        let rows = self.rows().max(4);
        let legend = self.legend_layout(grid.panel_w).0;
        let caption = self
            .panels
            .iter()
            .zip(&self.bars)
            .map(|(p, b)| caption_extra(&self.caption(p, b), grid.panel_w))
            .max()
            .unwrap_or(0);
        let panel_h = self.frame.panel_h(&grid, |_| {
            TOP - TITLE_SPACE + caption + AXIS + legend + ROW * rows
        });
        (grid, panel_h, name_w)
    }
}

/// Space right of a correlation chart's plotting area: room for half of
/// its last tick label, `100%`.
pub(super) const CHART_RIGHT: u32 = 20;

/// What a correlation chart's caption takes beyond one line in a panel
/// `width` wide.
pub(super) fn caption_extra(caption: &str, width: u32) -> u32 {
    style::caption_extra(caption, LABEL_SIZE, width.saturating_sub(CHART_RIGHT))
}

/// `area` under a correlation chart's `caption` (wrapped to the width):
/// where [`correlation_chart`] builds the chart.
pub(super) fn chart_body<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
) -> Result<DrawingArea<DB, Shift>, super::PlotError> {
    style::caption(&area.margin(6, 0, 0, CHART_RIGHT), caption, LABEL_SIZE)
}

/// A chart of capabilities correlations (−100…100%, the method named on
/// the axis) on `body` ([`chart_body`] of `area`) with `n` rows,
/// `(name_w, axis)` units for the names and the axis, and reference lines
/// at ± the low line and at the high line.
pub(super) fn correlation_chart<'a, DB: DrawingBackend>(
    (area, body): (&DrawingArea<DB, Shift>, &'a DrawingArea<DB, Shift>),
    (name_w, axis): (u32, u32),
    n: f64,
    (method, lines): (CorrelationMethod, Lines),
) -> Result<CorrelationChart<'a, DB>, super::PlotError> {
    let mut chart = ChartBuilder::on(body)
        .x_label_area_size(axis)
        .y_label_area_size(name_w)
        .build_cartesian_2d(-1.0..1.0, -0.5..(n - 0.5))?;
    let percent = |x: f64| format!("{:.0}%", x * 100.0);
    let (plot_x, plot_y) = chart.plotting_area().get_pixel_range();
    let ticks = style::tick_count(-1.0..1.0, (plot_x.end - plot_x.start) as u32, 11, |x| {
        style::measure(&percent(x), TICK_SIZE)
    });
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(ticks)
        .x_label_formatter(&|x| percent(*x))
        .max_light_lines(0)
        .bold_line_style(LIGHT_GREY)
        .label_style(style::text(TICK_SIZE))
        .draw()?;
    style::x_desc(
        area,
        &format!("capabilities correlation ({})", method_symbol(method)),
        plot_x,
        plot_y.end + axis as i32,
    )?;
    let full = [-0.5, n - 0.5];
    for x in [lines.low, -lines.low] {
        chart.draw_series(DashedLineSeries::new(
            full.map(|y| (x, y)),
            6,
            4,
            GREY.stroke_width(2),
        ))?;
    }
    chart.draw_series(DashedLineSeries::new(
        full.map(|y| (lines.high, y)),
        2,
        3,
        INK.stroke_width(2),
    ))?;
    Ok(chart)
}

/// The chart [`correlation_chart`] builds.
pub(super) type CorrelationChart<'a, DB> =
    ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// What a legend entry shows beside its text.
#[derive(Clone, Copy)]
enum Swatch {
    /// A dashed line (dash, gap).
    Line(RGBColor, (i32, i32)),
    /// A filled square.
    Fill(RGBColor),
}

impl Figure for OverviewFigure<'_> {
    fn size(&self) -> (u32, u32) {
        let (grid, panel_h, _) = self.layout();
        super::size::grid_size(&self.frame, (grid, panel_h))
    }

    fn title(&self) -> String {
        "How strongly each benchmark tracks capabilities, by safety area".into()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let (grid, panel_h, name_w) = self.layout();
        super::size::panel_grid(
            root,
            &self.frame,
            &self.title(),
            (grid, panel_h),
            self.panels.len(),
            |area, i| self.draw_panel(area, &self.panels[i], i, name_w),
        )
    }
}

impl OverviewFigure<'_> {
    fn caption(&self, panel: &Panel, bars: &Bars) -> String {
        let mut caption = format!(
            "{} ({})",
            panel.label,
            crate::words::count(bars.bars.len(), "benchmark", "benchmarks")
        );
        let mut notes = Vec::new();
        if bars.collapsed > 0 {
            notes.push(format!("{} sub-splits folded", bars.collapsed));
        }
        if bars.missing > 0 {
            notes.push(format!("{} without a value", bars.missing));
        }
        if !notes.is_empty() {
            caption = format!("{caption}; {}", notes.join(", "));
        }
        caption
    }

    fn draw_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        panel: &Panel,
        index: usize,
        name_w: u32,
    ) -> DrawResult {
        let bars = &self.bars[index];
        let rows = rows(&bars.bars);
        // At least four rows of space, so a lone bar stays a bar.
        let n = self.rows().max(4) as f64;
        let (legend_h, spots) = self.legend_layout(area.dim_in_pixel().0);
        // The legend goes under the chart, where no bar can be.
        let (chart_area, legend_area) =
            area.split_vertically(area.dim_in_pixel().1.saturating_sub(legend_h));
        let body = chart_body(&chart_area, &self.caption(panel, bars))?;
        let mut chart = correlation_chart(
            (&chart_area, &body),
            (name_w, AXIS),
            n,
            (panel.analysis.method, panel.lines),
        )?;
        let y = |i: usize| n - 1.0 - i as f64;
        let has_intervals = bars.bars.iter().any(|b| b.interval.is_some());
        let label_style = style::anchored(ROW_SIZE, HPos::Right, VPos::Center);
        for (i, row) in rows.iter().enumerate() {
            let (_, py) = style::local(area, chart.backend_coord(&(-1.0, y(i))));
            match row {
                Row::Heading(name) => {
                    area.draw(&Text::new(
                        style::fit(name, ROW_SIZE, name_w + 40),
                        (4, py),
                        style::anchored(ROW_SIZE, HPos::Left, VPos::Center),
                    ))?;
                }
                Row::Bar(bar) => {
                    let color = self.color(&bar.area);
                    // With intervals the bars are lighter, so the whiskers
                    // stand out.
                    let fill = if has_intervals {
                        color.mix(0.5).filled()
                    } else {
                        color.filled()
                    };
                    let yi = y(i);
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(0.0, yi - 0.36), (bar.r, yi + 0.36)],
                        fill,
                    )))?;
                    super::tooltips::tip(
                        chart.backend_coord(&(0.0, yi - 0.36)),
                        chart.backend_coord(&(bar.r, yi + 0.36)),
                        format!(
                            "{} ({}, {}): capabilities correlation {}",
                            bar.name,
                            bar.area,
                            panel.label,
                            style::pct_with_interval(bar.r, bar.interval)
                        ),
                    );
                    if let Some(i) = bar.interval {
                        chart.draw_series(std::iter::once(style::whisker(
                            (i.low, yi),
                            (i.high, yi),
                            (0.0, 0.25),
                            INK.stroke_width(1),
                        )))?;
                    }
                    area.draw(&Text::new(
                        style::fit(&bar.name, ROW_SIZE, name_w - 12),
                        (name_w as i32 - 6, py),
                        label_style.clone(),
                    ))?;
                }
            }
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.5), (0.0, n - 0.5)],
            INK.stroke_width(1),
        )))?;
        for ((swatch, text), (lx, ly)) in self.legend(panel, has_intervals).iter().zip(spots) {
            let (lx, ly) = (lx as i32, ly as i32);
            match *swatch {
                Swatch::Line(color, (dash, gap)) => legend_area.draw(&DashedPathElement::new(
                    vec![(lx, ly), (lx + 28, ly)],
                    dash,
                    gap,
                    color.stroke_width(2),
                ))?,
                Swatch::Fill(color) => legend_area.draw(&Rectangle::new(
                    [(lx + 8, ly - 6), (lx + 20, ly + 6)],
                    color.filled(),
                ))?,
            }
            style::legend_text(&legend_area, text, (lx, ly))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_splits_find_their_headline() {
        let ids = [
            "bbq",
            "bbq_amb",
            "HarmBench-GCG-T-all",
            "HarmBench-GCG-T-harmful",
            "machiavelli-violations.Σ",
            "machiavelli-violations.killing",
            "glue",
            "glue_mnli",
            "glue_mnli_mismatch",
            "truthfulqa_truth",
            "truthfulqa_truth*info",
            "steer",
            "steer2",
        ];
        assert_eq!(headline_of("bbq_amb", &ids), Some("bbq"));
        assert_eq!(
            headline_of("HarmBench-GCG-T-harmful", &ids),
            Some("HarmBench-GCG-T-all")
        );
        assert_eq!(
            headline_of("machiavelli-violations.killing", &ids),
            Some("machiavelli-violations.Σ")
        );
        assert_eq!(headline_of("glue_mnli_mismatch", &ids), Some("glue"));
        for head in [
            "bbq",
            "HarmBench-GCG-T-all",
            "glue",
            "truthfulqa_truth*info",
            "steer2",
        ] {
            assert_eq!(headline_of(head, &ids), None, "{head}");
        }
    }

    #[test]
    fn areas_come_from_the_manifest_or_are_other() {
        assert_eq!(area_of("wmdp", None), "weaponization");
        assert_eq!(area_of("my_new_benchmark", None), OTHER_AREA);
    }

    #[test]
    fn areas_are_ordered_by_mean_correlation() {
        let bar = |area: &str, r: f64| Bar {
            benchmark: format!("{area}{r}"),
            name: String::new(),
            area: area.into(),
            r,
            interval: None,
        };
        let bars = [bar("bias", 0.1), bar("alignment", 0.8), bar("bias", 0.0)];
        assert_eq!(area_order(&bars), vec!["alignment", "bias"]);
    }
}
