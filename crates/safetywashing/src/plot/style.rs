//! The look shared by every figure: the bundled font, text sizes, the
//! Okabe–Ito palette with a marker shape and line style per series, and a few
//! drawing helpers.
//!
//! Series are told apart three ways (hue, lightness, marker/line style), so a
//! figure survives greyscale printing and colour-vision deficiencies.

use crate::interval::Interval;
use plotters::coord::Shift;
use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_backend::{BackendCoord, DrawingErrorKind};
use std::sync::Once;

/// DejaVu Sans (Bitstream Vera licence, see `assets/fonts/`).
pub(crate) static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Font family every figure uses (the bundled font is registered under it).
pub const FAMILY: &str = "sans-serif";

/// Figure title size (px).
pub const TITLE_SIZE: f64 = 19.0;
/// Panel title and axis description size (px).
pub const LABEL_SIZE: f64 = 15.0;
/// Tick label and annotation size (px).
pub const TICK_SIZE: f64 = 13.0;
/// Size of per-row names in tall figures (px).
pub const ROW_SIZE: f64 = 12.0;

/// Okabe–Ito blue, the first series.
pub const BLUE: RGBColor = RGBColor(0, 114, 178);
/// Okabe–Ito vermillion, the second series.
pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
/// Okabe–Ito bluish green.
pub const GREEN: RGBColor = RGBColor(0, 158, 115);
/// Okabe–Ito reddish purple.
pub const PURPLE: RGBColor = RGBColor(204, 121, 167);
/// Okabe–Ito orange.
pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
/// Okabe–Ito sky blue.
pub const SKY: RGBColor = RGBColor(86, 180, 233);
/// Text and axes.
pub const INK: RGBColor = RGBColor(30, 30, 30);
/// Reference lines and secondary text.
pub const GREY: RGBColor = RGBColor(110, 110, 110);
/// Grid lines.
pub const LIGHT_GREY: RGBColor = RGBColor(225, 225, 225);

/// Register the bundled font with plotters (once per process).
pub fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is compiled in and known to parse (tested below).
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS);
    });
}

/// Text of `size` px in the figure font and ink colour.
pub fn text(size: f64) -> TextStyle<'static> {
    TextStyle::from((FAMILY, size).into_font()).color(&INK)
}

/// Text anchored at `h`/`v`.
pub fn anchored(size: f64, h: HPos, v: VPos) -> TextStyle<'static> {
    text(size).pos(Pos::new(h, v))
}

/// Colour of series `i` (cycling through six palette colours).
pub fn series_color(i: usize) -> RGBColor {
    [BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY][i % 6]
}

/// Dash pattern (dash, gap in px) of series `i`'s line; `None` = solid.
pub fn line_dash(i: usize) -> Option<(i32, i32)> {
    match i % 3 {
        0 => None,
        1 => Some((9, 5)),
        _ => Some((3, 4)),
    }
}

/// A point marker of series `i`'s shape (circle, triangle, square,
/// diamond, …) at a data coordinate.
pub struct Marker<C> {
    at: C,
    shape: usize,
    size: i32,
    style: ShapeStyle,
}

/// Marker of series `i` at `at`, `size` px from centre to edge.
pub fn marker<C>(i: usize, at: C, size: i32, style: ShapeStyle) -> Marker<C> {
    Marker {
        at,
        shape: i % 4,
        size,
        style,
    }
}

impl<'a, C: 'a> PointCollection<'a, C> for &'a Marker<C> {
    type Point = &'a C;
    type IntoIter = std::iter::Once<&'a C>;
    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&self.at)
    }
}

impl<C, DB: DrawingBackend> Drawable<DB> for Marker<C> {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut points: I,
        backend: &mut DB,
        _: (u32, u32),
    ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
        let Some((x, y)) = points.next() else {
            return Ok(());
        };
        let s = self.size;
        let filled = self.style.filled;
        match self.shape {
            0 => backend.draw_circle((x, y), s as u32, &self.style, filled),
            1 => {
                let t = s + 1;
                backend.fill_polygon(
                    vec![(x, y - t), (x + t, y + t * 3 / 4), (x - t, y + t * 3 / 4)],
                    &self.style,
                )
            }
            2 => backend.draw_rect((x - s, y - s), (x + s, y + s), &self.style, filled),
            _ => {
                let t = s + 1;
                backend.fill_polygon(
                    vec![(x, y - t), (x + t, y), (x, y + t), (x - t, y)],
                    &self.style,
                )
            }
        }
    }
}

/// An interval whisker from `low` to `high` (data coordinates) with end
/// caps reaching `cap` (a data-space offset across the whisker) either side.
pub fn whisker(
    low: (f64, f64),
    high: (f64, f64),
    cap: (f64, f64),
    style: ShapeStyle,
) -> PathElement<(f64, f64)> {
    let (dx, dy) = cap;
    PathElement::new(
        vec![
            (low.0 - dx, low.1 - dy),
            (low.0 + dx, low.1 + dy),
            low,
            high,
            (high.0 - dx, high.1 - dy),
            (high.0 + dx, high.1 + dy),
        ],
        style,
    )
}

/// The colour that marks a text as a halo: [`super::render_svg`] turns its
/// fill into a white outline (stroke), drawn under the text proper.
pub const HALO: RGBColor = RGBColor(255, 255, 254);

/// The SVG attributes of a halo, in place of its marking fill.
pub const HALO_SVG: &str =
    "fill=\"#FFFFFF\" stroke=\"#FFFFFF\" stroke-width=\"3\" stroke-linejoin=\"round\"";

/// `text` in `INK` at `at` with a white halo behind it, so it reads over
/// markers and lines.
pub fn halo_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    at: (i32, i32),
    style: TextStyle,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    area.draw(&Text::new(text, at, style.color(&HALO)))?;
    area.draw(&Text::new(text, at, style.color(&INK)))
}

/// A backend (absolute) pixel position relative to `area`'s top-left.
pub fn local<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, at: (i32, i32)) -> (i32, i32) {
    let (bx, by) = area.get_base_pixel();
    (at.0 - bx, at.1 - by)
}

/// Split `area` into side-by-side columns of the given widths (the last
/// takes whatever is left).
pub fn columns<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    widths: &[u32],
) -> Vec<DrawingArea<DB, Shift>> {
    let mut out = Vec::with_capacity(widths.len());
    let mut rest = area.clone();
    for (i, &w) in widths.iter().enumerate() {
        if i + 1 == widths.len() {
            out.push(rest.clone());
        } else {
            let (left, right) = rest.split_horizontally(w);
            out.push(left);
            rest = right;
        }
    }
    out
}

/// A legend entry's text, right of its 36-unit swatch at `(x, y)`,
/// shortened with `…` where it would run past `area`'s right edge.
pub fn legend_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    (x, y): (i32, i32),
) -> Result<(), super::PlotError> {
    let room = (area.dim_in_pixel().0 as i32 - x - 36 - 4).max(0) as u32;
    area.draw(&Text::new(
        fit(text, TICK_SIZE, room),
        (x + 36, y),
        anchored(TICK_SIZE, HPos::Left, VPos::Center),
    ))?;
    Ok(())
}

/// `label`, shortened with `…` until it is at most `max_w` units wide at
/// `size`.
pub fn fit(label: &str, size: f64, max_w: u32) -> String {
    let mut chars = label.chars().count();
    let mut out = label.to_string();
    while chars > 1 && measure(&out, size) > max_w {
        chars -= 1;
        out = ellipsize(label, chars);
    }
    out
}

/// Shorten `label` to at most `max` characters, ending in `…`.
pub fn ellipsize(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        return label.to_string();
    }
    let mut s: String = label.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// Width in pixels of `label` at `size` px in the bundled font, measured
/// without a backend (used to size figures before drawing).
pub fn measure(label: &str, size: f64) -> u32 {
    register_fonts();
    (FAMILY, size).into_font().box_size(label).map_or_else(
        |_| (label.chars().count() as f64 * size * 0.6) as u32,
        |(w, _)| w,
    )
}

/// Height of a line of text at `size`, as plotters estimates it (one em).
pub fn text_height(size: f64) -> u32 {
    (size / 1.24) as u32
}

/// The pieces of `text` a line may break between: its words, except that
/// `a = b` and a `[low, high]` interval stay whole.
fn unbroken(text: &str) -> Vec<String> {
    let mut pieces: Vec<String> = Vec::new();
    let mut glue = false;
    for word in text.split_whitespace() {
        let open = pieces
            .last()
            .is_some_and(|p| p.matches('[').count() > p.matches(']').count());
        match pieces.last_mut() {
            Some(last) if glue || open || word == "=" => {
                last.push(' ');
                last.push_str(word);
            }
            _ => pieces.push(word.to_string()),
        }
        glue = word == "=";
    }
    pieces
}

/// `text` broken at spaces into lines at most `max_w` units wide at `size`,
/// never inside `a = b` or a `[low, high]` interval unless that alone is
/// too wide (a word wider than a line on its own is shortened with `…`).
pub fn wrap(text: &str, size: f64, max_w: u32) -> Vec<String> {
    let pieces: Vec<String> = unbroken(text)
        .into_iter()
        .flat_map(|p| {
            if measure(&p, size) <= max_w {
                vec![p]
            } else {
                p.split_whitespace().map(String::from).collect()
            }
        })
        .collect();
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in &pieces {
        let longer = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if line.is_empty() || measure(&longer, size) <= max_w {
            line = longer;
        } else {
            lines.push(fit(&line, size, max_w));
            line = word.clone();
        }
    }
    if !line.is_empty() {
        lines.push(fit(&line, size, max_w));
    }
    lines
}

/// Space above and below a chart caption (units), as plotters leaves it.
const CAPTION_PAD: u32 = 5;
/// Space between the lines of a wrapped caption (units).
const CAPTION_LEADING: u32 = 4;

/// Height a chart caption `text` at `size` takes in `width` units: one
/// line as plotters' `ChartBuilder::caption` lays it out, and a line more
/// for each line it wraps onto.
pub fn caption_height(text: &str, size: f64, width: u32) -> u32 {
    let lines = wrap(text, size, width).len().max(1) as u32;
    let h = text_height(size);
    2 * CAPTION_PAD + h + (lines - 1) * (h + CAPTION_LEADING)
}

/// What a caption takes beyond one line (see [`caption_height`]), for
/// layouts that reserve one line.
pub fn caption_extra(text: &str, size: f64, width: u32) -> u32 {
    caption_height(text, size, width) - caption_height("", size, width)
}

/// Draw `text` as a chart caption, centred at the top of `area` and
/// wrapped to its width (one line sits where plotters'
/// `ChartBuilder::caption` puts it), and return the area under it for the
/// chart.
pub fn caption<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    size: f64,
) -> Result<DrawingArea<DB, Shift>, super::PlotError> {
    let (w, _) = area.dim_in_pixel();
    let step = text_height(size) + CAPTION_LEADING;
    for (k, line) in wrap(text, size, w).into_iter().enumerate() {
        area.draw(&Text::new(
            line,
            ((w / 2) as i32, (CAPTION_PAD + k as u32 * step) as i32),
            anchored(size, HPos::Center, VPos::Top),
        ))?;
    }
    Ok(area.split_vertically(caption_height(text, size, w)).1)
}

/// Least space between neighbouring tick labels (units).
pub const TICK_GAP: u32 = 8;

/// The most tick labels, at most `max`, that fit on an axis over `range`
/// drawn `length` units long: the hint for plotters' `x_labels` and
/// `y_labels`, which label the round values `key_points` picks for it.
/// Neighbouring labels keep [`TICK_GAP`] between them; `extent` is a
/// label's size along the axis (its width on a horizontal axis, its height
/// on a vertical one).
pub fn tick_count(
    range: std::ops::Range<f64>,
    length: u32,
    max: usize,
    extent: impl Fn(f64) -> u32,
) -> usize {
    use plotters::coord::ranged1d::Ranged;
    use plotters::coord::types::RangedCoordf64;
    let span = range.end - range.start;
    if span <= 0.0 || !span.is_finite() {
        return max;
    }
    let at = |v: f64| (v - range.start) / span * length as f64;
    let fits = |n: usize| {
        let points = RangedCoordf64::from(range.clone()).key_points(n);
        points.windows(2).all(|p| {
            let room = (extent(p[0]) + extent(p[1])) as f64 / 2.0 + TICK_GAP as f64;
            at(p[1]) - at(p[0]) >= room
        })
    };
    (2..=max).rev().find(|&n| fits(n)).unwrap_or(2)
}

/// Draw an x-axis description as plotters would (centred under the
/// plotting area that spans `plot_x` backend pixels, its bottom at
/// `bottom`), moved sideways as far as it must to stay inside `area`, and
/// shortened with `…` only when wider than `area`.
pub fn x_desc<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    plot_x: std::ops::Range<i32>,
    bottom: i32,
) -> Result<(), super::PlotError> {
    let (w, _) = area.dim_in_pixel();
    let text = fit(text, LABEL_SIZE, w);
    let half = (measure(&text, LABEL_SIZE) / 2) as i32 + 1;
    let (x, y) = local(
        area,
        (plot_x.start + (plot_x.end - plot_x.start) / 2, bottom),
    );
    let x = x.min(w as i32 - half).max(half.min(w as i32 / 2));
    area.draw(&Text::new(
        text,
        (x, y),
        anchored(LABEL_SIZE, HPos::Center, VPos::Bottom),
    ))?;
    Ok(())
}

/// Widest of `labels` at `size` px.
pub fn measure_max<'l>(labels: impl IntoIterator<Item = &'l str>, size: f64) -> u32 {
    labels
        .into_iter()
        .map(|l| measure(l, size))
        .max()
        .unwrap_or(0)
}

/// Tick label for `v` on an axis spanning `span`: as many decimals as the
/// span needs, and never "-0".
pub fn tick(v: f64, span: f64) -> String {
    let decimals = if span >= 20.0 {
        0
    } else if span >= 2.0 {
        1
    } else if span >= 0.2 {
        2
    } else {
        3
    };
    let s = format!("{v:.decimals$}");
    if s.trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        s.trim_start_matches('-').to_string()
    } else {
        s
    }
}

/// A percentage with one decimal, as the paper prints correlations.
pub fn pct(value: f64) -> String {
    format!("{:.1}%", value * 100.0)
}

/// `r = 81.4% [70.2%, 88.0%]` style text: a correlation, its interval when
/// known.
pub fn pct_with_interval(value: f64, interval: Option<Interval>) -> String {
    match interval {
        Some(i) => format!("{} [{}, {}]", pct(value), pct(i.low), pct(i.high)),
        None => pct(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_font_parses() {
        assert!(
            plotters::style::register_font("test-font", FontStyle::Normal, DEJAVU_SANS).is_ok()
        );
    }

    #[test]
    fn ellipsize_keeps_short_and_cuts_long() {
        assert_eq!(ellipsize("MMLU", 10), "MMLU");
        assert_eq!(ellipsize("abcdefghijkl", 5), "abcd…");
    }

    #[test]
    fn ticks_have_sensible_decimals() {
        assert_eq!(tick(-0.0001, 1.0), "0.00");
        assert_eq!(tick(0.25, 1.0), "0.25");
        assert_eq!(tick(4.0, 12.0), "4.0");
        assert_eq!(tick(40.0, 100.0), "40");
    }

    #[test]
    fn wrapped_lines_fit_and_keep_every_word() {
        let text = "base_llm_benchmark_eval (124 models, PC1 87.1% [83.2%, 90.2%])";
        let lines = wrap(text, LABEL_SIZE, 300);
        assert!(lines.len() > 1, "{lines:?}");
        assert!(
            lines.iter().all(|l| measure(l, LABEL_SIZE) <= 300),
            "{lines:?}"
        );
        assert_eq!(lines.join(" "), text);
        assert_eq!(wrap("short", LABEL_SIZE, 300), vec!["short"]);
        // Never inside `n = 27` or an interval.
        assert_eq!(
            wrap(
                "base: Spearman ρ = 69.7% [44.8%, 85.3%], n = 27",
                LABEL_SIZE,
                300
            ),
            vec!["base: Spearman ρ = 69.7% [44.8%, 85.3%],", "n = 27"]
        );
        // A word too long for any line is shortened.
        let one = wrap("abcdefghijklmnopqrstuvwxyz", LABEL_SIZE, 60);
        assert_eq!(one.len(), 1);
        assert!(one[0].ends_with('…') && measure(&one[0], LABEL_SIZE) <= 60);
        assert_eq!(caption_extra("short", LABEL_SIZE, 300), 0);
        assert_eq!(
            caption_extra(text, LABEL_SIZE, 300),
            (lines.len() as u32 - 1) * (text_height(LABEL_SIZE) + CAPTION_LEADING)
        );
    }

    #[test]
    fn tick_count_keeps_labels_apart() {
        let width = |v: f64| measure(&tick(v, 20.0), TICK_SIZE);
        // Plenty of room: as many as asked for.
        assert_eq!(tick_count(-12.0..6.0, 2000, 10, width), 10);
        // A narrow axis gets fewer, and the labels plotters then picks fit.
        let n = tick_count(-12.0..6.0, 200, 10, width);
        assert!((2..10).contains(&n), "{n}");
        use plotters::coord::ranged1d::Ranged;
        let points = plotters::coord::types::RangedCoordf64::from(-12.0..6.0).key_points(n);
        let at = |v: f64| (v + 12.0) / 18.0 * 200.0;
        for p in points.windows(2) {
            let room = (width(p[0]) + width(p[1])) as f64 / 2.0;
            assert!(at(p[1]) - at(p[0]) >= room + TICK_GAP as f64, "{points:?}");
        }
    }

    #[test]
    fn percent_text() {
        assert_eq!(pct(0.8143), "81.4%");
        assert_eq!(
            pct_with_interval(0.5, Some(Interval::new(0.25, 0.75))),
            "50.0% [25.0%, 75.0%]"
        );
    }
}
