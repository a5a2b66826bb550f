//! `compare`: two matrices' capabilities correlations on the benchmarks
//! they share, as a dumbbell chart: one row per benchmark, a marker per
//! matrix joined by a line, grouped by safety area like the overview (rows
//! follow the first matrix's order), with the first matrix's verdict lines
//! (±40%, the paper's "low" line, and the "high" line).

use super::overview::{
    OverviewFilter, Row, bars, caption_extra, chart_body, correlation_chart, rows,
};
use super::size::{Frame, TITLE_SPACE};
use super::style::{self, GREY, ROW_SIZE};
use super::{DrawResult, Figure, Panel, PlotError};
use crate::load::InfoTable;
use crate::verdict::Lines;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Height of one row (drawing units).
const ROW: u32 = 16;
/// Natural width of the plotting area.
const PLOT_W: u32 = 460;
/// Space above the rows for the title and the caption.
const TOP: u32 = 80;
/// Space below for the axis and the legend.
const BOTTOM: u32 = 50 + 3 * 18 + 10;

/// One shared benchmark: its bar in the first matrix and the second's
/// correlation.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// The first matrix's bar (name, area, correlation).
    pub first: super::overview::Bar,
    /// The second matrix's correlation.
    pub second: f64,
}

/// Two matrices on their shared benchmarks.
pub struct CompareFigure<'a> {
    labels: [&'a str; 2],
    method: crate::stats::CorrelationMethod,
    lines: Lines,
    pairs: Vec<Pair>,
    frame: Frame,
}

impl<'a> CompareFigure<'a> {
    /// The benchmarks both panels have a correlation for, under `filter`
    /// (applied to the first; the second must have the same column).
    pub fn new(
        panels: &[Panel<'a>],
        info: Option<&InfoTable>,
        filter: &OverviewFilter,
    ) -> Result<Self, PlotError> {
        let [a, b] = panels else {
            return Err(PlotError::NoData(format!(
                "compare needs exactly two matrices, not {}",
                panels.len()
            )));
        };
        let second_filter = OverviewFilter {
            top: None,
            ..filter.clone()
        };
        let first = bars(a.analysis, None, info, filter).bars;
        let second = bars(b.analysis, None, info, &second_filter).bars;
        let pairs: Vec<Pair> = first
            .into_iter()
            .filter_map(|bar| {
                let r = second.iter().find(|s| s.benchmark == bar.benchmark)?.r;
                Some(Pair {
                    first: bar,
                    second: r,
                })
            })
            .collect();
        if pairs.is_empty() {
            return Err(PlotError::NoData(format!(
                "{} and {} share no benchmark with a correlation to compare",
                a.label, b.label
            )));
        }
        Ok(CompareFigure {
            labels: [a.label, b.label],
            method: a.analysis.method,
            lines: a.lines,
            pairs,
            frame: Frame::default(),
        })
    }

    /// Laid out in `frame`.
    pub fn with_frame(self, frame: Frame) -> Self {
        CompareFigure { frame, ..self }
    }

    /// The shared benchmarks, in drawing order.
    pub fn pairs(&self) -> &[Pair] {
        &self.pairs
    }

    fn name_w(&self, width: u32) -> u32 {
        let natural =
            style::measure_max(self.pairs.iter().map(|p| p.first.name.as_str()), ROW_SIZE) + 12;
        natural.min(width.saturating_mul(2) / 5)
    }

    fn width(&self) -> u32 {
        self.frame
            .width
            .unwrap_or_else(|| self.name_w(u32::MAX) + PLOT_W + 30)
    }

    /// The chart's caption.
    fn caption(&self) -> String {
        crate::words::count(self.pairs.len(), "shared benchmark", "shared benchmarks")
    }

    fn row_count(&self) -> usize {
        let firsts: Vec<_> = self.pairs.iter().map(|p| p.first.clone()).collect();
        rows(&firsts).len()
    }
}

impl Figure for CompareFigure<'_> {
    fn size(&self) -> (u32, u32) {
        let rows = self.row_count().max(4) as u32;
        let caption = caption_extra(&self.caption(), self.width());
        let natural = TOP - TITLE_SPACE + caption + BOTTOM + ROW * rows + self.frame.title_space();
        (self.width(), self.frame.height.unwrap_or(natural))
    }

    fn title(&self) -> String {
        format!(
            "{} vs {}: capabilities correlation of shared benchmarks",
            self.labels[0], self.labels[1]
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let body = super::size::titled(root, &self.frame, &self.title())?;
        let name_w = self.name_w(self.width());
        let firsts: Vec<_> = self.pairs.iter().map(|p| p.first.clone()).collect();
        let rows = rows(&firsts);
        let n = rows.len().max(4) as f64;
        let (chart_area, legend_area) =
            body.split_vertically(body.dim_in_pixel().1.saturating_sub(BOTTOM - 50));
        let body = chart_body(&chart_area, &self.caption())?;
        let mut chart = correlation_chart(
            (&chart_area, &body),
            (name_w, 50),
            n,
            (self.method, self.lines),
        )?;
        let y = |i: usize| n - 1.0 - i as f64;
        let mut pair = self.pairs.iter();
        for (i, row) in rows.iter().enumerate() {
            let (_, py) = style::local(&body, chart.backend_coord(&(-1.0, y(i))));
            match row {
                // Headings only name the area: colour here means the matrix.
                Row::Heading(area) => {
                    body.draw(&Text::new(
                        style::fit(area, ROW_SIZE, name_w + 40),
                        (4, py),
                        style::anchored(ROW_SIZE, HPos::Left, VPos::Center),
                    ))?;
                }
                Row::Bar(bar) => {
                    let Some(p) = pair.next() else { break };
                    let yi = y(i);
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(p.first.r, yi), (p.second, yi)],
                        GREY.stroke_width(2),
                    )))?;
                    for (k, r) in [p.first.r, p.second].into_iter().enumerate() {
                        let color = style::series_color(k);
                        chart.draw_series(std::iter::once(style::marker(
                            k,
                            (r, yi),
                            4,
                            color.filled(),
                        )))?;
                        super::tooltips::point(
                            chart.backend_coord(&(r, yi)),
                            6,
                            format!(
                                "{} ({}): capabilities correlation {}",
                                bar.name,
                                self.labels[k],
                                style::pct(r)
                            ),
                        );
                    }
                    body.draw(&Text::new(
                        style::fit(&bar.name, ROW_SIZE, name_w - 12),
                        (name_w as i32 - 6, py),
                        style::anchored(ROW_SIZE, HPos::Right, VPos::Center),
                    ))?;
                }
            }
        }
        let legend = [
            (Some(0), self.labels[0].to_string()),
            (Some(1), self.labels[1].to_string()),
            (
                None,
                format!(
                    "±{} and {} (high)",
                    style::pct(self.lines.low),
                    style::pct(self.lines.high)
                ),
            ),
        ];
        for (k, (series, text)) in legend.iter().enumerate() {
            let (lx, ly) = (4, 10 + 18 * k as i32);
            match series {
                Some(s) => {
                    let color = style::series_color(*s);
                    legend_area.draw(
                        &(EmptyElement::at((lx + 14, ly))
                            + style::marker(*s, (0, 0), 4, color.filled())),
                    )?;
                }
                None => legend_area.draw(&DashedPathElement::new(
                    vec![(lx, ly), (lx + 28, ly)],
                    6,
                    4,
                    GREY.stroke_width(1),
                ))?,
            }
            style::legend_text(&legend_area, text, (lx, ly))?;
        }
        Ok(())
    }
}
