//! `heatmap`: the capability correlation matrix, the value printed in each
//! cell, display names on both axes; one panel per matrix.
//!
//! Cells shade from white (0) to blue (+100%) or vermillion (−100%), so the
//! strength of a correlation reads as lightness even in greyscale; the text
//! turns white on dark cells.

use super::style::{self, BLUE, INK, LABEL_SIZE, TICK_SIZE, VERMILLION};
use super::{DrawResult, Figure, Panel};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Side of one cell (px).
const CELL: i32 = 46;
/// Space for the panel title (px).
const CAPTION: i32 = 34;
/// Colour bar width and its gap to the matrix (px).
const BAR: (i32, i32) = (14, 16);

/// The capability correlation matrices.
pub struct HeatmapFigure<'a> {
    panels: Vec<Panel<'a>>,
    names: Vec<Vec<String>>,
    label_w: i32,
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
        let label_w =
            style::measure_max(names.iter().flatten().map(String::as_str), TICK_SIZE) as i32 + 10;
        HeatmapFigure {
            panels,
            names,
            label_w,
        }
    }

    fn k(&self) -> i32 {
        self.names.iter().map(Vec::len).max().unwrap_or(1) as i32
    }

    fn panel_w(&self) -> i32 {
        self.label_w + self.k() * CELL + BAR.0 + BAR.1 + 70
    }
}

/// Cell colour for correlation `r` in [-1, 1].
pub fn cell_color(r: f64) -> RGBColor {
    let t = r.abs().clamp(0.0, 1.0);
    let end = if r >= 0.0 { BLUE } else { VERMILLION };
    let mix = |a: u8| (255.0 + (a as f64 - 255.0) * t).round() as u8;
    RGBColor(mix(end.0), mix(end.1), mix(end.2))
}

impl Figure for HeatmapFigure<'_> {
    fn size(&self) -> (u32, u32) {
        let w = self.panel_w() * self.panels.len().max(1) as i32;
        let h = 50 + CAPTION + self.k() * CELL + self.label_w + 20;
        (w as u32, h as u32)
    }

    fn title(&self) -> String {
        "Correlations among capability benchmarks".into()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        style::titled_panels(
            root,
            &self.title(),
            self.panel_w() as u32,
            self.panels.len(),
            |area, i| self.draw_panel(area, &self.panels[i], &self.names[i]),
        )
    }
}

impl HeatmapFigure<'_> {
    fn draw_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        panel: &Panel,
        names: &[String],
    ) -> DrawResult {
        let fit = &panel.analysis.fit;
        let k = names.len() as i32;
        let (left, top) = (self.label_w, CAPTION);
        area.draw(&Text::new(
            format!(
                "{} (n = {}, mean {})",
                panel.label,
                fit.rows.len(),
                style::pct(fit.correlation_mean)
            ),
            (left + k * CELL / 2, 8),
            style::anchored(LABEL_SIZE, HPos::Center, VPos::Top),
        ))?;
        for (i, row) in fit.correlation_matrix.iter().enumerate() {
            for (j, &r) in row.iter().enumerate() {
                let (x, y) = (left + j as i32 * CELL, top + i as i32 * CELL);
                let fill = cell_color(r);
                area.draw(&Rectangle::new(
                    [(x, y), (x + CELL, y + CELL)],
                    fill.filled(),
                ))?;
                let ink = if r.abs() > 0.55 { WHITE } else { INK };
                area.draw(&Text::new(
                    format!("{:.0}", r * 100.0),
                    (x + CELL / 2, y + CELL / 2),
                    style::anchored(TICK_SIZE, HPos::Center, VPos::Center).color(&ink),
                ))?;
            }
        }
        let bottom = top + k * CELL;
        for (i, name) in names.iter().enumerate() {
            let mid = i as i32 * CELL + CELL / 2;
            area.draw(&Text::new(
                name.as_str(),
                (left - 6, top + mid),
                style::anchored(TICK_SIZE, HPos::Right, VPos::Center),
            ))?;
            area.draw(&Text::new(
                name.as_str(),
                (left + mid, bottom + 6),
                style::anchored(TICK_SIZE, HPos::Right, VPos::Center)
                    .transform(FontTransform::Rotate270),
            ))?;
        }
        self.draw_color_bar(area, left + k * CELL + BAR.1, top, k * CELL)
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
}
