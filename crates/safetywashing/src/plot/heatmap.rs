//! `heatmap`: the capability correlation matrix, the value printed in each
//! cell, display names on both axes; one panel per matrix.
//!
//! Cells shade from white (0) to blue (+100%) or vermillion (−100%), so the
//! strength of a correlation reads as lightness even in greyscale; the text
//! is black or white, whichever contrasts more (at least 4.5:1).

use super::size::{Frame, Grid};
use super::style::{self, BLUE, INK, LABEL_SIZE, ROW_SIZE, TICK_SIZE, VERMILLION};
use super::{DrawResult, Figure, Panel};
use crate::stats::CorrelationMethod;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Natural side of one cell (drawing units).
const CELL: i32 = 46;
/// Space for the panel title (drawing units).
const CAPTION: i32 = 34;
/// Colour bar width and its gap to the matrix (drawing units).
const BAR: (i32, i32) = (14, 16);
/// Room right of the colour bar for its tick labels and method name.
const BAR_TEXT: i32 = 72;
/// Panels narrower than this are stacked.
const MIN_PANEL_W: u32 = 300;
/// Widest cell when the frame is wide.
const MAX_CELL: i32 = 80;

/// The capability correlation matrices.
pub struct HeatmapFigure<'a> {
    panels: Vec<Panel<'a>>,
    names: Vec<Vec<String>>,
    frame: Frame,
}

/// Where a heatmap's parts go at its frame's size.
struct Layout {
    grid: Grid,
    panel_h: u32,
    label_w: i32,
    cell: i32,
    /// Size of the numbers in the cells; `None` when they don't fit.
    cell_text: Option<f64>,
}

impl<'a> HeatmapFigure<'a> {
    /// One panel per analysis.
    pub fn new(panels: Vec<Panel<'a>>) -> Self {
        let names: Vec<Vec<String>> = panels
            .iter()
            .map(|p| {
                let a = p.analysis;
                a.fit
                    .benchmarks
                    .iter()
                    .map(|id| {
                        let name = a
                            .benchmarks
                            .iter()
                            .find(|b| &b.benchmark == id)
                            .map_or(id.as_str(), |b| b.name.as_str());
                        style::ellipsize(name, 24)
                    })
                    .collect()
            })
            .collect();
        HeatmapFigure {
            panels,
            names,
            frame: Frame::default(),
        }
    }

    /// Laid out in `frame`.
    pub fn with_frame(self, frame: Frame) -> Self {
        HeatmapFigure { frame, ..self }
    }

    fn k(&self) -> i32 {
        self.names.iter().map(Vec::len).max().unwrap_or(1).max(1) as i32
    }

    fn layout(&self) -> Layout {
        let k = self.k();
        let natural_label =
            style::measure_max(self.names.iter().flatten().map(String::as_str), TICK_SIZE) as i32
                + 10;
        let fixed = BAR.0 + BAR.1 + BAR_TEXT;
        let natural_w = (natural_label + k * CELL + fixed) as u32;
        let grid = self.frame.grid(self.panels.len(), natural_w, MIN_PANEL_W);
        let panel_w = grid.panel_w as i32;
        // Names take at most a third of a panel; the cells share the rest.
        let label_w = natural_label.min(panel_w / 3);
        let mut cell = if self.frame.width.is_some() {
            ((panel_w - label_w - fixed) / k).clamp(4, MAX_CELL)
        } else {
            CELL
        };
        let natural_h = |cell: i32| (CAPTION + k * cell + label_w + 10) as u32;
        let panel_h = self.frame.panel_h(&grid, |_| natural_h(cell));
        if self.frame.height.is_some() {
            let room = (panel_h as i32 - CAPTION - label_w - 10) / k;
            cell = cell.min(room).max(4);
        }
        let widest = |size: f64| style::measure("−100", size) as i32 + 4;
        let cell_text = [TICK_SIZE, ROW_SIZE]
            .into_iter()
            .find(|&size| widest(size) <= cell && size as i32 + 4 <= cell);
        Layout {
            grid,
            panel_h,
            label_w,
            cell,
            cell_text,
        }
    }

    fn method(&self) -> Option<CorrelationMethod> {
        self.panels.first().map(|p| p.analysis.method)
    }
}

/// Cell colour for correlation `r` in [-1, 1]: a diverging scale from
/// vermillion (−100%) through white (0) to blue (+100%).
pub fn cell_color(r: f64) -> RGBColor {
    let t = r.abs().clamp(0.0, 1.0);
    let end = if r >= 0.0 { BLUE } else { VERMILLION };
    let mix = |a: u8| (255.0 + (a as f64 - 255.0) * t).round() as u8;
    RGBColor(mix(end.0), mix(end.1), mix(end.2))
}

/// WCAG relative luminance of a colour.
fn luminance(c: RGBColor) -> f64 {
    let lin = |v: u8| {
        let v = v as f64 / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2)
}

/// WCAG contrast ratio of two colours (1 to 21).
pub fn contrast(a: RGBColor, b: RGBColor) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// Black or white, whichever contrasts more with `fill`; at least 4.58:1
/// for every colour (the two meet at a luminance of 0.18).
pub fn text_on(fill: RGBColor) -> RGBColor {
    let black = RGBColor(0, 0, 0);
    if contrast(black, fill) >= contrast(WHITE, fill) {
        black
    } else {
        WHITE
    }
}

impl Figure for HeatmapFigure<'_> {
    fn size(&self) -> (u32, u32) {
        let l = self.layout();
        super::size::grid_size(&self.frame, (l.grid, l.panel_h))
    }

    fn title(&self) -> String {
        match self.method() {
            Some(m) => format!(
                "{} correlations among capability benchmarks",
                method_name(m)
            ),
            None => "Correlations among capability benchmarks".into(),
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let layout = self.layout();
        super::size::panel_grid(
            root,
            &self.frame,
            &self.title(),
            (layout.grid, layout.panel_h),
            self.panels.len(),
            |area, i| self.draw_panel(area, &self.panels[i], &self.names[i], &layout),
        )
    }
}

/// A correlation method's name.
pub fn method_name(method: CorrelationMethod) -> &'static str {
    match method {
        CorrelationMethod::Spearman => "Spearman",
        CorrelationMethod::Pearson => "Pearson",
        CorrelationMethod::Kendall => "Kendall",
    }
}

impl HeatmapFigure<'_> {
    fn draw_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        panel: &Panel,
        names: &[String],
        layout: &Layout,
    ) -> DrawResult {
        let fit = &panel.analysis.fit;
        let k = names.len() as i32;
        let (left, top, cell) = (layout.label_w, CAPTION, layout.cell);
        area.draw(&Text::new(
            format!(
                "{} (n = {}, mean {})",
                panel.label,
                fit.rows.len(),
                style::pct(fit.correlation_mean)
            ),
            ((left + k * cell / 2).max(4), 8),
            style::anchored(LABEL_SIZE, HPos::Center, VPos::Top),
        ))?;
        for (i, row) in fit.correlation_matrix.iter().enumerate() {
            for (j, &r) in row.iter().enumerate() {
                let (x, y) = (left + j as i32 * cell, top + i as i32 * cell);
                let fill = cell_color(r);
                area.draw(&Rectangle::new(
                    [(x, y), (x + cell, y + cell)],
                    fill.filled(),
                ))?;
                if let Some(size) = layout.cell_text {
                    area.draw(&Text::new(
                        format!("{:.0}", r * 100.0),
                        (x + cell / 2, y + cell / 2),
                        style::anchored(size, HPos::Center, VPos::Center).color(&text_on(fill)),
                    ))?;
                }
            }
        }
        let bottom = top + k * cell;
        let label_size = if cell >= TICK_SIZE as i32 + 2 {
            TICK_SIZE
        } else {
            ROW_SIZE
        };
        for (i, name) in names.iter().enumerate() {
            let name = style::fit(name, label_size, (left - 10).max(10) as u32);
            let mid = i as i32 * cell + cell / 2;
            area.draw(&Text::new(
                name.clone(),
                (left - 6, top + mid),
                style::anchored(label_size, HPos::Right, VPos::Center),
            ))?;
            area.draw(&Text::new(
                name,
                (left + mid, bottom + 6),
                style::anchored(label_size, HPos::Right, VPos::Center)
                    .transform(FontTransform::Rotate270),
            ))?;
        }
        self.draw_color_bar(area, left + k * cell + BAR.1, top, k * cell)
    }

    fn draw_color_bar<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        x: i32,
        top: i32,
        height: i32,
    ) -> DrawResult {
        const STEPS: i32 = 40;
        for s in 0..STEPS {
            let (y0, y1) = (top + s * height / STEPS, top + (s + 1) * height / STEPS);
            let r = 1.0 - 2.0 * (s as f64 + 0.5) / STEPS as f64;
            area.draw(&Rectangle::new(
                [(x, y0), (x + BAR.0, y1)],
                cell_color(r).filled(),
            ))?;
        }
        area.draw(&Rectangle::new(
            [(x, top), (x + BAR.0, top + height)],
            INK.stroke_width(1),
        ))?;
        for (r, label) in [(1.0, "+100%"), (0.0, "0"), (-1.0, "−100%")] {
            let y = top + ((1.0 - r) / 2.0 * (height - 1) as f64).round() as i32;
            area.draw(&Text::new(
                label,
                (x + BAR.0 + 4, y),
                style::anchored(TICK_SIZE, HPos::Left, VPos::Center),
            ))?;
        }
        if let Some(method) = self.method() {
            // The scale's name, upright along the bar's right side.
            area.draw(&Text::new(
                super::scatter::method_symbol(method),
                (x + BAR_TEXT, top + height / 2),
                style::anchored(TICK_SIZE, HPos::Center, VPos::Center)
                    .transform(FontTransform::Rotate90),
            ))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_fade_to_white_at_zero() {
        assert_eq!(cell_color(0.0), RGBColor(255, 255, 255));
        assert_eq!(cell_color(1.0), BLUE);
        assert_eq!(cell_color(-1.0), VERMILLION);
    }

    #[test]
    fn cell_text_contrast_is_at_least_4_5_everywhere() {
        for step in -100..=100 {
            let fill = cell_color(step as f64 / 100.0);
            let ratio = contrast(text_on(fill), fill);
            assert!(ratio >= 4.5, "r = {step}%: {ratio:.2}");
        }
        assert!((contrast(WHITE, RGBColor(0, 0, 0)) - 21.0).abs() < 1e-9);
    }
}
