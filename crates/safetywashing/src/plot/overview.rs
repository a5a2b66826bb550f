//! `overview`: every non-capability benchmark's capabilities correlation as a
//! horizontal bar (with its interval when known), sorted, with reference
//! lines at the paper's "low" bound (40%) and at the mean correlation among
//! capability benchmarks; one panel per matrix, side by side.

use super::style::{self, GREY, INK, LABEL_SIZE, LIGHT_GREY, ROW_SIZE, TICK_SIZE};
use super::{DrawResult, Figure, Panel};
use crate::analysis::{Analysis, Role};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Height of one benchmark's row (px).
const ROW: u32 = 16;
/// Width of a panel's plotting area (px).
const PLOT_W: u32 = 420;
/// Space above the rows (px).
const TOP: u32 = 80;
/// Space below the rows (px).
const BOTTOM: u32 = 50 + LEGEND;
/// Height of the legend under the chart (px).
const LEGEND: u32 = 70;
/// Longest benchmark name shown in full.
const MAX_NAME: usize = 56;

/// One bar: display name, correlation, interval.
pub type Bar = (String, f64, Option<(f64, f64)>);

/// The non-capability benchmarks of an analysis with a correlation, highest
/// first (ties by name), and how many had none.
pub fn bars(analysis: &Analysis, intervals: Option<&super::Intervals>) -> (Vec<Bar>, usize) {
    let mut missing = 0;
    let mut out: Vec<Bar> = Vec::new();
    for b in analysis
        .benchmarks
        .iter()
        .filter(|b| b.role == Role::Safety)
    {
        match b.capabilities_correlation {
            Some(r) => out.push((
                b.name.clone(),
                r,
                intervals.and_then(|i| i.get(&b.benchmark).copied()),
            )),
            None => missing += 1,
        }
    }
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    (out, missing)
}

/// Capabilities correlation of every non-capability benchmark.
pub struct OverviewFigure<'a> {
    panels: Vec<Panel<'a>>,
    bars: Vec<(Vec<Bar>, usize)>,
    name_w: u32,
}

impl<'a> OverviewFigure<'a> {
    /// One panel per analysis.
    pub fn new(panels: Vec<Panel<'a>>) -> Self {
        let bars: Vec<(Vec<Bar>, usize)> = panels
            .iter()
            .map(|p| {
                let (mut b, missing) = bars(p.analysis, p.intervals);
                for bar in &mut b {
                    bar.0 = style::ellipsize(&bar.0, MAX_NAME);
                }
                (b, missing)
            })
            .collect();
        let name_w = style::measure_max(
            bars.iter()
                .flat_map(|(b, _)| b.iter().map(|x| x.0.as_str())),
            ROW_SIZE,
        ) + 12;
        OverviewFigure {
            panels,
            bars,
            name_w,
        }
    }

    fn rows(&self) -> u32 {
        self.bars.iter().map(|(b, _)| b.len()).max().unwrap_or(0) as u32
    }

    fn panel_w(&self) -> u32 {
        self.name_w + PLOT_W + 30
    }
}

impl Figure for OverviewFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (
            (self.panel_w() * self.panels.len().max(1) as u32).max(560),
            TOP + BOTTOM + ROW * self.rows().max(4),
        )
    }

    fn title(&self) -> String {
        "How strongly each benchmark tracks capabilities".into()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        style::titled_panels(
            root,
            &self.title(),
            self.panel_w(),
            self.panels.len(),
            |area, i| self.draw_panel(area, &self.panels[i], i),
        )
    }
}

impl OverviewFigure<'_> {
    fn draw_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        panel: &Panel,
        index: usize,
    ) -> DrawResult {
        let (bars, missing) = &self.bars[index];
        // At least four rows of space, so a lone bar stays a bar.
        let n = self.rows().max(4) as f64;
        let plural = if bars.len() == 1 { "" } else { "s" };
        let mut caption = format!("{} ({} benchmark{plural}", panel.label, bars.len());
        if *missing > 0 {
            caption.push_str(&format!(", {missing} without a value"));
        }
        caption.push(')');
        // The legend goes under the chart, where no bar can be.
        let (chart_area, legend_area) =
            area.split_vertically(area.dim_in_pixel().1.saturating_sub(LEGEND));
        let mut chart = ChartBuilder::on(&chart_area)
            .caption(caption, style::text(LABEL_SIZE))
            .margin_top(6)
            .margin_right(20)
            .x_label_area_size(50)
            .y_label_area_size(self.name_w)
            .build_cartesian_2d(-1.0..1.0, -0.5..(n - 0.5))?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(11)
            .x_label_formatter(&|x| format!("{:.0}%", x * 100.0))
            .max_light_lines(0)
            .bold_line_style(LIGHT_GREY)
            .label_style(style::text(TICK_SIZE))
            .axis_desc_style(style::text(LABEL_SIZE))
            .x_desc("capabilities correlation")
            .draw()?;
        let color = style::series_color(index);
        let y = |i: usize| n - 1.0 - i as f64;
        // With intervals the bars are lighter, so the whiskers stand out.
        let has_intervals = bars.iter().any(|b| b.2.is_some());
        let fill = if has_intervals {
            color.mix(0.45).filled()
        } else {
            color.filled()
        };
        chart.draw_series(
            bars.iter().enumerate().map(|(i, (_, r, _))| {
                Rectangle::new([(0.0, y(i) - 0.36), (*r, y(i) + 0.36)], fill)
            }),
        )?;
        // Whiskers: the interval with end caps.
        chart.draw_series(bars.iter().enumerate().filter_map(|(i, (_, _, iv))| {
            iv.map(|(lo, hi)| {
                let yi = y(i);
                PathElement::new(
                    vec![
                        (lo, yi - 0.25),
                        (lo, yi + 0.25),
                        (lo, yi),
                        (hi, yi),
                        (hi, yi - 0.25),
                        (hi, yi + 0.25),
                    ],
                    INK.stroke_width(1),
                )
            })
        }))?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.5), (0.0, n - 0.5)],
            INK.stroke_width(1),
        )))?;
        let mean = panel.analysis.fit.correlation_mean;
        let full = [-0.5, n - 0.5];
        chart.draw_series(DashedLineSeries::new(
            full.map(|y| (crate::verdict::PAPER_LOW_BOUND, y)),
            6,
            4,
            GREY.stroke_width(2),
        ))?;
        chart.draw_series(DashedLineSeries::new(
            full.map(|y| (mean, y)),
            2,
            3,
            INK.stroke_width(2),
        ))?;
        let mut legend: Vec<(String, ShapeStyle, (i32, i32))> = vec![
            (
                "40%: below this the paper calls a correlation \"low\"".into(),
                GREY.stroke_width(2),
                (6, 4),
            ),
            (
                format!(
                    "{}: mean correlation among capability benchmarks",
                    style::pct(mean)
                ),
                INK.stroke_width(2),
                (2, 3),
            ),
        ];
        if has_intervals {
            legend.push((
                "interval of the correlation".into(),
                INK.stroke_width(1),
                (40, 1),
            ));
        }
        for (k, (text, line, (dash, gap))) in legend.iter().enumerate() {
            let ly = 10 + 18 * k as i32;
            let lx = self.name_w as i32;
            legend_area.draw(&DashedPathElement::new(
                vec![(lx, ly), (lx + 28, ly)],
                *dash,
                *gap,
                *line,
            ))?;
            legend_area.draw(&Text::new(
                text.as_str(),
                (lx + 36, ly),
                style::anchored(TICK_SIZE, HPos::Left, VPos::Center),
            ))?;
        }
        let label_style = style::anchored(ROW_SIZE, HPos::Right, VPos::Center);
        for (i, (name, _, _)) in bars.iter().enumerate() {
            let (_, py) = style::local(area, chart.backend_coord(&(-1.0, y(i))));
            area.draw(&Text::new(
                name.as_str(),
                (self.name_w as i32 - 6, py),
                label_style.clone(),
            ))?;
        }
        Ok(())
    }
}
