//! `heatmap`: the capability correlation matrix, the value printed in each
//! cell, display names on both axes; one panel per matrix.
//!
//! Cells shade from white (0) to blue (+100%) or vermillion (−100%), so the
//! strength of a correlation reads as lightness even in greyscale; the text
//! is black or white, whichever contrasts more (at least 4.5:1).
//!
//! Benchmarks are in the order given, or clustered ([`HeatmapOrder`]): the
//! leaf order of average-linkage clustering on 1 − |r|, so benchmarks that
//! move together sit together and blocks show.

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

/// The order of the benchmarks on a heatmap's axes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HeatmapOrder {
    /// The order of the capability list.
    #[default]
    Given,
    /// Average-linkage clustering on 1 − |r| ([`clustered_order`]), one
    /// order for every panel (from their mean |r|) so panels compare cell
    /// by cell.
    Clustered,
}

impl std::str::FromStr for HeatmapOrder {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "given" => Ok(HeatmapOrder::Given),
            "clustered" => Ok(HeatmapOrder::Clustered),
            other => Err(format!(
                "unknown heatmap order '{other}': expected given or clustered"
            )),
        }
    }
}

/// The leaf order of average-linkage hierarchical clustering of items whose
/// correlations are `r`, on the distance 1 − |r|. Deterministic: the
/// closest pair of clusters merges first (ties: the earliest pair), and of
/// the two, the one with the larger mean `weights` (e.g. PC1 loadings; ties:
/// the earlier cluster) goes first, so the most loaded block leads.
pub fn clustered_order(r: &[Vec<f64>], weights: &[f64]) -> Vec<usize> {
    let k = r.len();
    let distance = |i: usize, j: usize| 1.0 - r[i][j].abs();
    let mean_weight = |c: &[usize]| {
        c.iter()
            .map(|&i| weights.get(i).copied().unwrap_or(0.0))
            .sum::<f64>()
            / c.len() as f64
    };
    let mut clusters: Vec<Vec<usize>> = (0..k).map(|i| vec![i]).collect();
    while clusters.len() > 1 {
        let linkage = |a: &[usize], b: &[usize]| {
            let total: f64 = a
                .iter()
                .flat_map(|&i| b.iter().map(move |&j| (i, j)))
                .map(|(i, j)| distance(i, j))
                .sum();
            total / (a.len() * b.len()) as f64
        };
        let mut best = (0, 1, f64::INFINITY);
        for a in 0..clusters.len() {
            for b in (a + 1)..clusters.len() {
                let d = linkage(&clusters[a], &clusters[b]);
                if d.total_cmp(&best.2).is_lt() {
                    best = (a, b, d);
                }
            }
        }
        let (a, b, _) = best;
        let second = clusters.remove(b);
        let first = std::mem::take(&mut clusters[a]);
        clusters[a] = if mean_weight(&second).total_cmp(&mean_weight(&first)).is_gt() {
            [second, first].concat()
        } else {
            [first, second].concat()
        };
    }
    clusters.pop().unwrap_or_default()
}

/// The capability correlation matrices.
pub struct HeatmapFigure<'a> {
    panels: Vec<Panel<'a>>,
    names: Vec<Vec<String>>,
    frame: Frame,
    /// Each panel's benchmark order (indices into its fit's benchmarks).
    order: Vec<Vec<usize>>,
}

/// Where a heatmap's parts go at its frame's size.
struct Layout {
    grid: Grid,
    panel_h: u32,
    label_w: i32,
    cell: i32,
    /// Space above the cells: the caption, wrapped to the panel's width.
    top: i32,
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
        let order = panels
            .iter()
            .map(|p| (0..p.analysis.fit.benchmarks.len()).collect())
            .collect();
        HeatmapFigure {
            panels,
            names,
            frame: Frame::default(),
            order,
        }
    }

    /// With the benchmarks in `order`. Clustered, every panel takes the
    /// order of the panels' mean |r| when they share their benchmarks, its
    /// own otherwise.
    pub fn with_order(self, order: HeatmapOrder) -> Self {
        if order == HeatmapOrder::Given {
            return self;
        }
        let fits: Vec<_> = self.panels.iter().map(|p| &p.analysis.fit).collect();
        let shared = fits.windows(2).all(|w| w[0].benchmarks == w[1].benchmarks);
        let order = if shared && !fits.is_empty() {
            let k = fits[0].benchmarks.len();
            let n = fits.len() as f64;
            let mean = |f: &dyn Fn(&crate::capabilities::CapabilitiesFit) -> f64| {
                fits.iter().map(|fit| f(fit)).sum::<f64>() / n
            };
            let r: Vec<Vec<f64>> = (0..k)
                .map(|i| {
                    (0..k)
                        .map(|j| mean(&|fit| fit.correlation_matrix[i][j].abs()))
                        .collect()
                })
                .collect();
            let weights: Vec<f64> = (0..k).map(|i| mean(&|fit| fit.loadings[i])).collect();
            vec![clustered_order(&r, &weights); fits.len()]
        } else {
            fits.iter()
                .map(|fit| clustered_order(&fit.correlation_matrix, &fit.loadings))
                .collect()
        };
        let names = self
            .names
            .iter()
            .zip(&order)
            .map(|(names, order)| order.iter().map(|&i| names[i].clone()).collect())
            .collect();
        HeatmapFigure {
            order,
            names,
            ..self
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
        let top = CAPTION
            + self
                .panels
                .iter()
                .map(|p| style::caption_extra(&caption(p), LABEL_SIZE, caption_room(panel_w)))
                .max()
                .unwrap_or(0) as i32;
        let natural_h = |cell: i32| (top + k * cell + label_w + 10) as u32;
        let panel_h = self.frame.panel_h(&grid, |_| natural_h(cell));
        if self.frame.height.is_some() {
            let room = (panel_h as i32 - top - label_w - 10) / k;
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
            top,
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
            |area, i| {
                let panel = (&self.panels[i], &self.names[i][..], &self.order[i][..]);
                self.draw_panel(area, panel, &layout)
            },
        )
    }
}

/// A panel's caption: its label, models and mean capability correlation.
fn caption(panel: &Panel) -> String {
    let fit = &panel.analysis.fit;
    format!(
        "{} (n = {}, mean {})",
        panel.label,
        fit.rows.len(),
        style::pct(fit.correlation_mean)
    )
}

/// Width a caption may take in a panel `panel_w` wide.
fn caption_room(panel_w: i32) -> u32 {
    (panel_w - 8).max(0) as u32
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
        (panel, names, order): (&Panel, &[String], &[usize]),
        layout: &Layout,
    ) -> DrawResult {
        let fit = &panel.analysis.fit;
        let k = names.len() as i32;
        let (left, top, cell) = (layout.label_w, layout.top, layout.cell);
        // The caption over the cells, each line moved sideways as far as it
        // must to stay inside the panel.
        let panel_w = area.dim_in_pixel().0 as i32;
        let step = style::text_height(LABEL_SIZE) as i32 + 4;
        let lines = style::wrap(&caption(panel), LABEL_SIZE, caption_room(panel_w));
        for (row, line) in lines.into_iter().enumerate() {
            let half = style::measure(&line, LABEL_SIZE) as i32 / 2 + 4;
            let x = (left + k * cell / 2).min(panel_w - half).max(half);
            area.draw(&Text::new(
                line,
                (x, 8 + row as i32 * step),
                style::anchored(LABEL_SIZE, HPos::Center, VPos::Top),
            ))?;
        }
        for (i, &bi) in order.iter().enumerate() {
            for (j, &bj) in order.iter().enumerate() {
                let r = fit.correlation_matrix[bi][bj];
                let (x, y) = (left + j as i32 * cell, top + i as i32 * cell);
                let fill = cell_color(r);
                area.draw(&Rectangle::new(
                    [(x, y), (x + cell, y + cell)],
                    fill.filled(),
                ))?;
                super::tooltips::in_area(
                    area,
                    (x, y),
                    (x + cell, y + cell),
                    format!("{} × {}: {}", names[i], names[j], style::pct(r)),
                );
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
    fn clustering_puts_blocks_together_most_loaded_first() {
        // Items 0, 2, 4 move together, and 1, 3 (more weakly, against 0, 2,
        // 4's block only slightly).
        let strong = 0.9;
        let weak = 0.6;
        let across = 0.1;
        let block = |i: usize| i % 2;
        let r: Vec<Vec<f64>> = (0..5)
            .map(|i| {
                (0..5)
                    .map(|j| match (i == j, block(i) == block(j), block(i)) {
                        (true, _, _) => 1.0,
                        (false, true, 0) => strong,
                        (false, true, _) => -weak,
                        _ => across,
                    })
                    .collect()
            })
            .collect();
        // The weak block loads more: it leads. Its anticorrelation counts
        // as closeness (|r|).
        let weights = [0.1, 0.5, 0.1, 0.5, 0.1];
        let order = clustered_order(&r, &weights);
        assert_eq!(order, vec![1, 3, 0, 2, 4]);
        // Equal weights: the earlier cluster (the one holding 0) first.
        assert_eq!(clustered_order(&r, &[0.0; 5]), vec![0, 2, 4, 1, 3]);
        assert_eq!(clustered_order(&[vec![1.0]], &[1.0]), vec![0]);
        assert!(clustered_order(&[], &[]).is_empty());
    }

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
