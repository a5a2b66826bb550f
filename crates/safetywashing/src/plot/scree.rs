//! `scree`: eigenvalues of the capability correlation matrix, largest first,
//! one line per matrix (base and chat overlaid), PC1's share in the legend.
//! With a bootstrap, each eigenvalue carries its interval as a whisker (the
//! lines dodged sideways so overlaid whiskers stay apart), PC1's share its
//! interval, and the legend says how the intervals were made.

use super::size::Frame;
use super::style::{self, GREY, INK, LABEL_SIZE, LIGHT_GREY, TICK_SIZE};
use super::{DrawResult, Figure, Panel};
use crate::uncertainty::Interval;
use plotters::coord::Shift;
use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters_backend::{BackendCoord, DrawingErrorKind};

/// Eigenvalues of the capability correlation matrices.
pub struct ScreeFigure<'a> {
    panels: Vec<Panel<'a>>,
    frame: Frame,
}

impl<'a> ScreeFigure<'a> {
    /// One line per analysis.
    pub fn new(panels: Vec<Panel<'a>>) -> Self {
        ScreeFigure {
            panels,
            frame: Frame::default(),
        }
    }

    /// Each panel's eigenvalue intervals (empty without a bootstrap).
    fn intervals(&self) -> Vec<Vec<Option<Interval>>> {
        self.panels
            .iter()
            .map(|p| match p.bootstrap {
                Some(b) => b.eigenvalues.iter().map(|e| p.interval(e)).collect(),
                None => Vec::new(),
            })
            .collect()
    }

    /// Laid out in `frame`.
    pub fn with_frame(self, frame: Frame) -> Self {
        ScreeFigure { frame, ..self }
    }

    /// The legend's entries: the eigenvalue-1 line, each series with PC1's
    /// share (and its interval), and how whiskers were made.
    fn legend(&self) -> Vec<(Key, String)> {
        let mut out = vec![(Key::Kaiser, "eigenvalue 1".to_string())];
        for (i, panel) in self.panels.iter().enumerate() {
            let share = panel
                .bootstrap
                .and_then(|b| panel.interval(&b.pc1_variance_explained));
            out.push((
                Key::Series(i),
                format!(
                    "{}: PC1 explains {}",
                    panel.label,
                    style::pct_with_interval(panel.analysis.fit.pc1_variance_explained(), share)
                ),
            ));
        }
        if let Some(boot) = self.panels.iter().find_map(|p| p.bootstrap) {
            out.push((Key::Whiskers, format!("whiskers: {}", boot.interval_note())));
        }
        out
    }

    /// The legend's lines when it goes under the chart of a figure `w`
    /// wide (each entry's text wrapped to the width); `None` when it fits
    /// in the chart's upper right, clear of the first components.
    fn legend_below(&self, w: u32) -> Option<Vec<(Key, Vec<String>)>> {
        let plot_w = w.saturating_sub(MARGIN + RIGHT + Y_AXIS);
        let widest = style::measure_max(self.legend().iter().map(|(_, t)| t.as_str()), TICK_SIZE);
        if widest + 60 <= plot_w * 3 / 4 {
            return None;
        }
        let room = w.saturating_sub(LEGEND_X + 36 + 8);
        Some(
            self.legend()
                .into_iter()
                .map(|(key, text)| (key, style::wrap(&text, TICK_SIZE, room)))
                .collect(),
        )
    }

    /// Height of the legend under the chart (0 when it is inside).
    fn legend_h(&self, w: u32) -> u32 {
        self.legend_below(w).map_or(0, |entries| {
            let lines: usize = entries.iter().map(|(_, l)| l.len()).sum();
            lines as u32 * LEGEND_LINE + 10
        })
    }
}

/// Margin around the chart.
const MARGIN: u32 = 12;
/// Margin right of the chart.
const RIGHT: u32 = 24;
/// Width of the y axis's labels and description.
const Y_AXIS: u32 = 60;
/// Height of the x axis's labels and description.
const X_AXIS: u32 = 50;
/// Left of a legend drawn under the chart.
const LEGEND_X: u32 = 8;
/// Height of one line of a legend under the chart.
const LEGEND_LINE: u32 = 18;

/// What a legend entry stands for.
#[derive(Debug, Clone, Copy)]
enum Key {
    /// The dashed line at eigenvalue 1.
    Kaiser,
    /// A matrix's eigenvalues (line and markers).
    Series(usize),
    /// The eigenvalues' whiskers.
    Whiskers,
}

/// A legend entry's swatch as a plotters element, 20 units wide, its left
/// end at `at`: the one drawing of each key, for plotters' legend and for
/// a legend under the chart.
struct Swatch {
    key: Key,
    at: (i32, i32),
}

impl<'a> PointCollection<'a, (i32, i32)> for &'a Swatch {
    type Point = &'a (i32, i32);
    type IntoIter = std::iter::Once<&'a (i32, i32)>;
    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&self.at)
    }
}

impl<DB: DrawingBackend> Drawable<DB> for Swatch {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut points: I,
        backend: &mut DB,
        size: (u32, u32),
    ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
        let Some((x, y)) = points.next() else {
            return Ok(());
        };
        match self.key {
            Key::Kaiser => {
                // Dashes of 6 with gaps of 4, as the line in the chart.
                for dash in [0, 10, 20] {
                    let end = (dash + 6).min(20);
                    backend.draw_line((x + dash, y), (x + end, y), &GREY.stroke_width(1))?;
                }
                Ok(())
            }
            Key::Series(i) => {
                let color = style::series_color(i);
                backend.draw_line((x, y), (x + 20, y), &color.stroke_width(2))?;
                let at = (x + 10, y);
                style::marker(i, at, 5, color.filled()).draw(std::iter::once(at), backend, size)
            }
            Key::Whiskers => {
                backend.draw_line((x + 10, y - 6), (x + 10, y + 6), &INK.stroke_width(1))
            }
        }
    }
}

impl Figure for ScreeFigure<'_> {
    fn size(&self) -> (u32, u32) {
        let w = self.frame.width.unwrap_or(760);
        (
            w,
            self.frame
                .height
                .unwrap_or(w * 480 / 760 + self.legend_h(w)),
        )
    }

    fn title(&self) -> String {
        "Eigenvalues of the capability correlation matrix".into()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let body = super::size::titled(root, &self.frame, &self.title())?;
        let k = self
            .panels
            .iter()
            .map(|p| p.analysis.fit.eigenvalues.len())
            .max()
            .unwrap_or(1)
            .max(2);
        let intervals = self.intervals();
        let top = self
            .panels
            .iter()
            .flat_map(|p| p.analysis.fit.eigenvalues.first().copied())
            .chain(intervals.iter().flatten().flatten().map(|i| i.high))
            .fold(1.0f64, f64::max);
        // Overlaid series with whiskers are dodged sideways, by this much each.
        let dodge = |i: usize| {
            if intervals.iter().any(|w| !w.is_empty()) {
                (i as f64 - (self.panels.len() as f64 - 1.0) / 2.0) * 0.12
            } else {
                0.0
            }
        };
        let (w, h) = body.dim_in_pixel();
        let below = self.legend_below(w);
        let (chart_area, legend_area) = body.split_vertically(h.saturating_sub(self.legend_h(w)));
        let mut chart = ChartBuilder::on(&chart_area)
            .margin(MARGIN)
            .margin_right(RIGHT)
            .x_label_area_size(X_AXIS)
            .y_label_area_size(Y_AXIS)
            .build_cartesian_2d(0.5..(k as f64 + 0.5), 0.0..(top * 1.1))?;
        let (plot_x, plot_y) = chart.plotting_area().get_pixel_range();
        let (plot_w, plot_h) = chart.plotting_area().dim_in_pixel();
        let component = |x: f64| format!("{}", x.round() as i64);
        let x_ticks = style::tick_count(0.5..(k as f64 + 0.5), plot_w, k, |x| {
            style::measure(&component(x), TICK_SIZE)
        });
        let y_ticks = style::tick_count(0.0..(top * 1.1), plot_h, 10, |_| {
            style::text_height(TICK_SIZE)
        });
        chart
            .configure_mesh()
            .x_labels(x_ticks)
            .y_labels(y_ticks)
            .x_label_formatter(&|x| component(*x))
            .max_light_lines(0)
            .bold_line_style(LIGHT_GREY)
            .label_style(style::text(TICK_SIZE))
            .axis_desc_style(style::text(LABEL_SIZE))
            .y_label_formatter(&|v| style::tick(*v, top))
            .y_desc("eigenvalue")
            .draw()?;
        style::x_desc(
            &chart_area,
            "principal component",
            plot_x,
            plot_y.end + X_AXIS as i32,
        )?;
        // Entries in `legend` order: the eigenvalue-1 line, one per series,
        // then the whiskers.
        let legend = self.legend();
        // Kaiser's rule of thumb: components above eigenvalue 1 carry more
        // than one benchmark's worth of variance.
        let (key, text) = legend[0].clone();
        chart
            .draw_series(DashedLineSeries::new(
                [(0.5, 1.0), (k as f64 + 0.5, 1.0)],
                6,
                4,
                GREY.stroke_width(1),
            ))?
            .label(text)
            .legend(move |at| Swatch { key, at });
        for (i, panel) in self.panels.iter().enumerate() {
            let fit = &panel.analysis.fit;
            let color = style::series_color(i);
            let points: Vec<(f64, f64)> = fit
                .eigenvalues
                .iter()
                .enumerate()
                .map(|(j, &e)| ((j + 1) as f64 + dodge(i), e))
                .collect();
            for (&(x, _), w) in points.iter().zip(&intervals[i]) {
                if let Some(w) = w {
                    chart.draw_series(std::iter::once(style::whisker(
                        (x, w.low),
                        (x, w.high),
                        (0.05, 0.0),
                        color.stroke_width(1),
                    )))?;
                }
            }
            let line = color.stroke_width(2);
            match style::line_dash(i) {
                Some((dash, gap)) => {
                    chart.draw_series(DashedLineSeries::new(points.clone(), dash, gap, line))?;
                }
                None => {
                    chart.draw_series(LineSeries::new(points.clone(), line))?;
                }
            }
            for (j, &(x, e)) in points.iter().enumerate() {
                let text = match intervals[i].get(j).copied().flatten() {
                    Some(w) => format!(
                        "{}: PC{} eigenvalue {e:.2} [{:.2}, {:.2}]",
                        panel.label,
                        j + 1,
                        w.low,
                        w.high
                    ),
                    None => format!("{}: PC{} eigenvalue {e:.2}", panel.label, j + 1),
                };
                super::tooltips::point(chart.backend_coord(&(x, e)), 7, text);
            }
            let (key, text) = legend[1 + i].clone();
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|&p| style::marker(i, p, 5, color.filled())),
                )?
                .label(text)
                .legend(move |at| Swatch { key, at });
        }
        if let Some((key, text)) = legend.get(1 + self.panels.len()) {
            let key = *key;
            chart
                .draw_series(std::iter::empty::<PathElement<(f64, f64)>>())?
                .label(text.clone())
                .legend(move |at| Swatch { key, at });
        }
        match below {
            None => chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .label_font(style::text(TICK_SIZE))
                .background_style(WHITE.mix(0.9))
                .border_style(LIGHT_GREY)
                .draw()?,
            Some(entries) => {
                let mut y = 10;
                for (key, lines) in entries {
                    legend_area.draw(&Swatch {
                        key,
                        at: (LEGEND_X as i32 + 4, y),
                    })?;
                    for line in lines {
                        style::legend_text(&legend_area, &line, (LEGEND_X as i32, y))?;
                        y += LEGEND_LINE as i32;
                    }
                }
            }
        }
        Ok(())
    }
}
