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
use plotters::element::DashedPathElement;
use plotters::prelude::*;

/// Eigenvalues of the capability correlation matrices.
pub struct ScreeFigure<'a> {
    panels: Vec<Panel<'a>>,
    frame: Frame,
    note: Option<String>,
}

impl<'a> ScreeFigure<'a> {
    /// One line per analysis.
    pub fn new(panels: Vec<Panel<'a>>) -> Self {
        ScreeFigure {
            panels,
            frame: Frame::default(),
            note: None,
        }
    }

    /// With `note` (how intervals were computed: level, method, resamples)
    /// in the legend when eigenvalue intervals are drawn.
    pub fn with_note(self, note: Option<String>) -> Self {
        ScreeFigure { note, ..self }
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
}

impl Figure for ScreeFigure<'_> {
    fn size(&self) -> (u32, u32) {
        let w = self.frame.width.unwrap_or(760);
        (w, self.frame.height.unwrap_or(w * 480 / 760))
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
        let mut chart = ChartBuilder::on(&body)
            .margin(12)
            .margin_right(24)
            .x_label_area_size(50)
            .y_label_area_size(60)
            .build_cartesian_2d(0.5..(k as f64 + 0.5), 0.0..(top * 1.1))?;
        chart
            .configure_mesh()
            .x_labels(k)
            .x_label_formatter(&|x| format!("{}", x.round() as i64))
            .max_light_lines(0)
            .bold_line_style(LIGHT_GREY)
            .label_style(style::text(TICK_SIZE))
            .axis_desc_style(style::text(LABEL_SIZE))
            .y_label_formatter(&|v| style::tick(*v, top))
            .x_desc("principal component")
            .y_desc("eigenvalue")
            .draw()?;
        // Kaiser's rule of thumb: components above eigenvalue 1 carry more
        // than one benchmark's worth of variance.
        chart
            .draw_series(DashedLineSeries::new(
                [(0.5, 1.0), (k as f64 + 0.5, 1.0)],
                6,
                4,
                GREY.stroke_width(1),
            ))?
            .label("eigenvalue 1")
            .legend(|(x, y)| DashedPathElement::new(vec![(x, y), (x + 20, y)], 6, 4, GREY));
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
            let share = panel
                .bootstrap
                .and_then(|b| panel.interval(&b.pc1_variance_explained));
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
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|&p| style::marker(i, p, 5, color.filled())),
                )?
                .label(format!(
                    "{}: PC1 explains {}",
                    panel.label,
                    style::pct_with_interval(fit.pc1_variance_explained(), share)
                ))
                .legend(move |(x, y)| {
                    EmptyElement::at((x, y))
                        + PathElement::new(vec![(0, 0), (20, 0)], color.stroke_width(2))
                        + style::marker(i, (10, 0), 5, color.filled())
                });
        }
        if let Some(boot) = self.panels.iter().find_map(|p| p.bootstrap) {
            chart
                .draw_series(std::iter::empty::<PathElement<(f64, f64)>>())?
                .label(format!(
                    "whiskers: {}",
                    super::interval_note(self.note.as_deref(), boot)
                ))
                .legend(|(x, y)| {
                    PathElement::new(vec![(x + 10, y - 6), (x + 10, y + 6)], INK.stroke_width(1))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font(style::text(TICK_SIZE))
            .background_style(WHITE.mix(0.9))
            .border_style(LIGHT_GREY)
            .draw()?;
        Ok(())
    }
}
