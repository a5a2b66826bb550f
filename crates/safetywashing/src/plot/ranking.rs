//! `ranking`: models sorted by capabilities score, as a dot plot (one row per
//! model, highest score on top), one panel per matrix. With a bootstrap, each
//! model's score interval is a whisker through its dot, PC1's share carries
//! its interval, and a line under the axis says how the intervals were made.

use super::size::{Frame, Grid, TITLE_SPACE};
use super::style::{self, GREY, INK, LABEL_SIZE, LIGHT_GREY, ROW_SIZE, TICK_SIZE};
use super::{DrawResult, Figure, Panel};
use crate::uncertainty::Interval;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Height of one model's row (px).
const ROW: u32 = 16;
/// Width of a panel's plotting area (px).
const PLOT_W: u32 = 300;
/// Space above the rows: figure title and panel title (px).
const TOP: u32 = 80;
/// Space below the rows: ticks and axis description (px).
const BOTTOM: u32 = 60;
/// Longest model name shown in full.
const MAX_NAME: usize = 48;
/// Space right of the plotting area (px).
const RIGHT: u32 = 20;
/// Panels narrower than this are stacked.
const MIN_PANEL_W: u32 = 260;
/// Extra room below the axis for the interval note (px).
const NOTE_H: u32 = 22;

/// Models by capabilities score.
pub struct RankingFigure<'a> {
    panels: Vec<Panel<'a>>,
    names: Vec<Vec<String>>,
    frame: Frame,
}

impl<'a> RankingFigure<'a> {
    /// One panel per analysis.
    pub fn new(panels: Vec<Panel<'a>>) -> Self {
        let names: Vec<Vec<String>> = panels
            .iter()
            .map(|p| {
                p.analysis
                    .ranking()
                    .iter()
                    .map(|(m, _)| style::ellipsize(m, MAX_NAME))
                    .collect()
            })
            .collect();
        RankingFigure {
            panels,
            names,
            frame: Frame::default(),
        }
    }

    fn has_intervals(&self) -> bool {
        self.panels.iter().any(|p| p.bootstrap.is_some())
    }

    /// Laid out in `frame`.
    pub fn with_frame(self, frame: Frame) -> Self {
        RankingFigure { frame, ..self }
    }

    /// Room below the rows: ticks, axis description and any interval note.
    fn bottom(&self) -> u32 {
        BOTTOM + if self.has_intervals() { NOTE_H } else { 0 }
    }

    fn rows(&self) -> u32 {
        self.names.iter().map(Vec::len).max().unwrap_or(0) as u32
    }

    /// Panel grid, panel height and the width of the model names.
    fn layout(&self) -> (Grid, u32, u32) {
        let name_w =
            style::measure_max(self.names.iter().flatten().map(String::as_str), ROW_SIZE) + 12;
        let natural = (name_w + PLOT_W + 30).max(500 / self.panels.len().max(1) as u32);
        let grid = self.frame.grid(self.panels.len(), natural, MIN_PANEL_W);
        let name_w = name_w.min(grid.panel_w * 2 / 5);
        let rows = self.rows().max(3);
        let caption = self
            .panels
            .iter()
            .map(|p| {
                style::caption_extra(
                    &self.caption(p),
                    LABEL_SIZE,
                    grid.panel_w.saturating_sub(RIGHT),
                )
            })
            .max()
            .unwrap_or(0);
        let panel_h = self.frame.panel_h(&grid, |_| {
            TOP - TITLE_SPACE + caption + self.bottom() + ROW * rows
        });
        (grid, panel_h, name_w)
    }

    /// A panel's caption: its label, models and PC1's share (with its
    /// interval under a bootstrap).
    fn caption(&self, panel: &Panel) -> String {
        let share = panel.analysis.fit.pc1_variance_explained();
        let share_interval = panel
            .bootstrap
            .and_then(|b| panel.interval(&b.pc1_variance_explained));
        format!(
            "{} ({}, PC1 {})",
            panel.label,
            crate::words::count(panel.analysis.ranking().len(), "model", "models"),
            style::pct_with_interval(share, share_interval)
        )
    }
}

impl Figure for RankingFigure<'_> {
    fn size(&self) -> (u32, u32) {
        let (grid, panel_h, _) = self.layout();
        super::size::grid_size(&self.frame, (grid, panel_h))
    }

    fn title(&self) -> String {
        "Models by capabilities score".into()
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

impl RankingFigure<'_> {
    fn draw_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        panel: &Panel,
        index: usize,
        name_w: u32,
    ) -> DrawResult {
        let ranking = panel.analysis.ranking();
        let n = self.rows() as f64;
        // Each row's score interval, in ranking order (the order of
        // `Analysis::ranking`: highest score first, ties in file order).
        let scores = &panel.analysis.fit.scores;
        let mut order: Vec<usize> = (0..scores.len()).collect();
        order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
        let whiskers: Vec<Option<Interval>> = match panel.bootstrap {
            Some(boot) => order
                .iter()
                .map(|&j| boot.scores.get(j).and_then(|e| panel.interval(e)))
                .collect(),
            None => Vec::new(),
        };
        let ends = whiskers.iter().flatten().flat_map(|i| [i.low, i.high]);
        let (lo, hi) = ranking
            .iter()
            .map(|&(_, s)| s)
            .chain(ends)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), s| {
                (lo.min(s), hi.max(s))
            });
        let pad = ((hi - lo) * 0.06).max(0.1);
        let body = style::caption(
            &area.margin(6, 0, 0, RIGHT),
            &self.caption(panel),
            LABEL_SIZE,
        )?;
        let axis_h = BOTTOM - 10;
        let mut chart = ChartBuilder::on(&body)
            .margin_bottom(self.bottom() - BOTTOM)
            .x_label_area_size(axis_h)
            .y_label_area_size(name_w)
            .build_cartesian_2d((lo - pad)..(hi + pad), -0.5..(n - 0.5))?;
        let (plot_x, plot_y) = chart.plotting_area().get_pixel_range();
        let tick_label = |v: f64| style::tick(v, hi - lo);
        let ticks = style::tick_count(
            (lo - pad)..(hi + pad),
            (plot_x.end - plot_x.start) as u32,
            10,
            |v| style::measure(&tick_label(v), TICK_SIZE),
        );
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(ticks)
            .max_light_lines(0)
            .bold_line_style(LIGHT_GREY)
            .label_style(style::text(TICK_SIZE))
            .x_label_formatter(&|v| tick_label(*v))
            .draw()?;
        style::x_desc(
            area,
            "capabilities score (PC1)",
            plot_x,
            plot_y.end + axis_h as i32,
        )?;
        let color = style::series_color(index);
        // Row i (rank i + 1) sits at y = n - 1 - i, so the best model is on top.
        let y = |i: usize| n - 1.0 - i as f64;
        chart.draw_series(ranking.iter().enumerate().map(|(i, _)| {
            PathElement::new(vec![(lo - pad, y(i)), (hi + pad, y(i))], LIGHT_GREY)
        }))?;
        for (i, w) in whiskers.iter().enumerate() {
            if let Some(w) = w {
                chart.draw_series(std::iter::once(style::whisker(
                    (w.low, y(i)),
                    (w.high, y(i)),
                    (0.0, 0.25),
                    color.stroke_width(1),
                )))?;
            }
        }
        chart.draw_series(
            ranking
                .iter()
                .enumerate()
                .map(|(i, &(_, s))| style::marker(index, (s, y(i)), 4, color.filled())),
        )?;
        for (i, &(model, s)) in ranking.iter().enumerate() {
            let interval = whiskers.get(i).copied().flatten();
            let text = match interval {
                Some(w) => format!(
                    "{model} ({}): capabilities score {s:.2} [{:.2}, {:.2}]",
                    panel.label, w.low, w.high
                ),
                None => format!("{model} ({}): capabilities score {s:.2}", panel.label),
            };
            super::tooltips::point(chart.backend_coord(&(s, y(i))), 6, text);
        }
        if let Some(boot) = panel.bootstrap {
            let note = format!("whiskers: {}", boot.interval_note());
            let (w, h) = area.dim_in_pixel();
            area.draw(&Text::new(
                style::fit(&note, ROW_SIZE, w.saturating_sub(12)),
                (6, h as i32 - 4),
                style::anchored(ROW_SIZE, HPos::Left, VPos::Bottom).color(&GREY),
            ))?;
        }
        let label_style = style::anchored(ROW_SIZE, HPos::Right, VPos::Center).color(&INK);
        for (i, name) in self.names[index].iter().enumerate() {
            let (_, py) = style::local(area, chart.backend_coord(&(lo - pad, y(i))));
            area.draw(&Text::new(
                style::fit(name, ROW_SIZE, name_w - 12),
                (name_w as i32 - 6, py),
                label_style.clone(),
            ))?;
        }
        Ok(())
    }
}
