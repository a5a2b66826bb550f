//! The physical size of a figure: width and height with units, the text
//! size in points, the PNG resolution, and presets for a paper, a slide and
//! the web.
//!
//! Figures are laid out in drawing units in which tick labels are
//! [`TICK_SIZE`] units high. A [`FigureSize`] fixes how many points one unit
//! is (`font_pt / TICK_SIZE`), so asking for a width in inches and a font
//! size in points decides how many units wide the layout is ([`Frame`]).
//! The SVG then carries the physical `width`/`height` and a `viewBox` in
//! units; PDF and PNG are converted from that SVG.
//!
//! A request is collected in a [`SizeRequest`] and checked once
//! ([`SizeRequest::resolve`]) before anything is drawn: text never ends up
//! below [`MIN_TEXT_PT`].

use super::style::{self, ROW_SIZE, TICK_SIZE};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// Points per inch.
pub const PT_PER_IN: f64 = 72.0;
/// CSS pixels per inch.
pub const PX_PER_IN: f64 = 96.0;
/// Millimetres per inch.
pub const MM_PER_IN: f64 = 25.4;
/// No text of a figure is smaller than this (points).
pub const MIN_TEXT_PT: f64 = 6.0;
/// The smallest text any figure draws (plotters size).
pub const SMALLEST_TEXT: f64 = ROW_SIZE;
/// Em size per plotters text size: plotters draws size `s` with an em of
/// `s / 1.24`, and writes that as the SVG `font-size`.
pub const EM_PER_SIZE: f64 = 1.0 / 1.24;
/// Narrowest and widest layouts, in drawing units.
const LAYOUT_RANGE: (f64, f64) = (240.0, 6000.0);
/// Allowed PNG resolutions (dots per inch).
const DPI_RANGE: (f64, f64) = (36.0, 2400.0);
/// Longest side of a PNG, in pixels.
const MAX_SIDE_PX: f64 = 30000.0;

/// A unit of length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Inches.
    In,
    /// Millimetres.
    Mm,
    /// CSS pixels (1/96 in).
    Px,
}

impl Unit {
    /// Points in one of this unit.
    pub fn points(self) -> f64 {
        match self {
            Unit::In => PT_PER_IN,
            Unit::Mm => PT_PER_IN / MM_PER_IN,
            Unit::Px => PT_PER_IN / PX_PER_IN,
        }
    }

    /// The unit's suffix (`in`, `mm`, `px`), as SVG writes it.
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::In => "in",
            Unit::Mm => "mm",
            Unit::Px => "px",
        }
    }
}

/// A length: a positive number and a unit (`3.3in`, `180mm`, `1200px`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Length {
    /// The number.
    pub value: f64,
    /// Its unit.
    pub unit: Unit,
}

impl Length {
    /// A length of `value` `unit`s.
    pub fn new(value: f64, unit: Unit) -> Length {
        Length { value, unit }
    }

    /// The length in points.
    pub fn points(self) -> f64 {
        self.value * self.unit.points()
    }

    /// The length in inches.
    pub fn inches(self) -> f64 {
        self.points() / PT_PER_IN
    }
}

impl fmt::Display for Length {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Four decimals at most, no trailing zeros: `3.3in`, `441px`.
        let s = format!("{:.4}", self.value);
        let s = s.trim_end_matches('0').trim_end_matches('.');
        write!(f, "{s}{}", self.unit.suffix())
    }
}

impl FromStr for Length {
    type Err = SizeError;
    fn from_str(s: &str) -> Result<Length, SizeError> {
        let t = s.trim().to_ascii_lowercase();
        let bad = || SizeError::Length(s.to_string());
        // The unit is the letters at the end, so `1e3px` is a number in px.
        let split = t.trim_end_matches(|c: char| c.is_ascii_alphabetic()).len();
        let (number, unit) = t.split_at(split);
        let unit = match unit.trim() {
            "in" => Unit::In,
            "mm" => Unit::Mm,
            "px" => Unit::Px,
            _ => return Err(bad()),
        };
        let value: f64 = number.trim().parse().map_err(|_| bad())?;
        if !(value.is_finite() && value > 0.0) {
            return Err(bad());
        }
        Ok(Length { value, unit })
    }
}

/// Size presets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// A paper's single column: 3.3 in wide, 7 pt text, no title, 300 dpi.
    Paper,
    /// A 16:9 slide: 10 × 5.6 in, 16 pt text, 150 dpi.
    Slide,
    /// A web page: the figure's own width in CSS pixels, 13 px text, 96 dpi.
    Web,
}

impl Preset {
    /// Every preset, in the order `--help` lists them.
    pub const ALL: [Preset; 3] = [Preset::Paper, Preset::Slide, Preset::Web];

    /// Name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Paper => "paper",
            Preset::Slide => "slide",
            Preset::Web => "web",
        }
    }

    /// The preset's size.
    pub fn size(self) -> FigureSize {
        match self {
            Preset::Paper => FigureSize {
                width: Some(Length::new(3.3, Unit::In)),
                height: None,
                font_pt: 7.0,
                title: false,
                dpi: 300.0,
            },
            Preset::Slide => FigureSize {
                width: Some(Length::new(10.0, Unit::In)),
                height: Some(Length::new(5.6, Unit::In)),
                font_pt: 16.0,
                title: true,
                dpi: 150.0,
            },
            Preset::Web => FigureSize::default(),
        }
    }
}

impl FromStr for Preset {
    type Err = SizeError;
    fn from_str(s: &str) -> Result<Preset, SizeError> {
        Preset::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| SizeError::Preset(s.to_string()))
    }
}

/// Why a requested size can't be drawn.
#[derive(Debug, Error, PartialEq)]
pub enum SizeError {
    /// Not a number with a unit.
    #[error(
        "'{0}' is not a length: expected a positive number and a unit, e.g. 3.3in, 180mm or 1200px"
    )]
    Length(String),
    /// Not a preset's name.
    #[error("unknown size preset '{0}': expected paper, slide or web")]
    Preset(String),
    /// The text would be smaller than [`MIN_TEXT_PT`].
    #[error(
        "a font size of {font_pt} pt puts the smallest text at {smallest_pt:.1} pt; text must be at least 6 pt, so the font size at least {need_pt:.1} pt"
    )]
    TextTooSmall {
        /// The font size asked for.
        font_pt: f64,
        /// The smallest text it gives.
        smallest_pt: f64,
        /// The least font size that keeps text at 6 pt.
        need_pt: f64,
    },
    /// A value outside the range the figures can be drawn in.
    #[error("{what} {value} is out of range: {expected}")]
    OutOfRange {
        /// Which value (`width`, `height`, `font size`, `dpi`).
        what: &'static str,
        /// As given.
        value: String,
        /// What would work.
        expected: String,
    },
}

/// A size as asked for: a preset and the values that override it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SizeRequest {
    /// Preset the other values override (default: web).
    pub preset: Option<Preset>,
    /// Figure width.
    pub width: Option<Length>,
    /// Figure height (default: what the figure needs at that width).
    pub height: Option<Length>,
    /// Size of tick labels and body text, in points.
    pub font_pt: Option<f64>,
    /// PNG resolution.
    pub dpi: Option<f64>,
    /// Draw the figure's title (default: the preset's choice).
    pub title: Option<bool>,
}

impl SizeRequest {
    /// Check the request and settle every value.
    pub fn resolve(self) -> Result<FigureSize, SizeError> {
        let mut size = self.preset.unwrap_or(Preset::Web).size();
        if let Some(w) = self.width {
            size.width = Some(w);
            // A width of its own replaces the preset's shape, not just its width.
            if self.height.is_none() {
                size.height = None;
            }
        }
        size.height = self.height.or(size.height);
        size.font_pt = self.font_pt.unwrap_or(size.font_pt);
        size.dpi = self.dpi.unwrap_or(size.dpi);
        size.title = self.title.unwrap_or(size.title);
        size.check()?;
        Ok(size)
    }
}

/// A checked size: what [`SizeRequest::resolve`] returns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FigureSize {
    width: Option<Length>,
    height: Option<Length>,
    font_pt: f64,
    title: bool,
    dpi: f64,
}

impl Default for FigureSize {
    /// The web size: each figure's own layout, one unit per CSS pixel.
    fn default() -> Self {
        FigureSize {
            width: None,
            height: None,
            font_pt: TICK_SIZE * EM_PER_SIZE * Unit::Px.points(),
            title: true,
            dpi: PX_PER_IN,
        }
    }
}

fn out_of_range(what: &'static str, value: impl fmt::Display, expected: String) -> SizeError {
    SizeError::OutOfRange {
        what,
        value: value.to_string(),
        expected,
    }
}

impl FigureSize {
    fn check(&self) -> Result<(), SizeError> {
        if !(self.font_pt.is_finite() && self.font_pt > 0.0 && self.font_pt <= 200.0) {
            return Err(out_of_range(
                "font size",
                self.font_pt,
                "a number of points above 0 and up to 200".into(),
            ));
        }
        let smallest_pt = self.font_pt * SMALLEST_TEXT / TICK_SIZE;
        if smallest_pt < MIN_TEXT_PT - 1e-9 {
            return Err(SizeError::TextTooSmall {
                font_pt: self.font_pt,
                smallest_pt,
                need_pt: (MIN_TEXT_PT * TICK_SIZE / SMALLEST_TEXT * 10.0).ceil() / 10.0,
            });
        }
        if !(self.dpi.is_finite() && (DPI_RANGE.0..=DPI_RANGE.1).contains(&self.dpi)) {
            return Err(out_of_range(
                "dpi",
                self.dpi,
                format!("{} to {}", DPI_RANGE.0, DPI_RANGE.1),
            ));
        }
        let unit_pt = self.unit_pt();
        let (lo, hi) = LAYOUT_RANGE;
        for (what, length) in [("width", self.width), ("height", self.height)] {
            let Some(length) = length else { continue };
            let units = length.points() / unit_pt;
            if !(lo..=hi).contains(&units) {
                let at = |u: f64| Length::new(u * unit_pt / length.unit.points(), length.unit);
                return Err(out_of_range(
                    what,
                    length,
                    format!(
                        "with {} pt text, from {} to {}",
                        (self.font_pt * 10.0).round() / 10.0,
                        at(lo),
                        at(hi)
                    ),
                ));
            }
        }
        for length in [self.width, self.height].into_iter().flatten() {
            if length.inches() * self.dpi > MAX_SIDE_PX {
                return Err(out_of_range(
                    "dpi",
                    self.dpi,
                    format!("at most {MAX_SIDE_PX} pixels a side (here {length})"),
                ));
            }
        }
        Ok(())
    }

    /// Points per drawing unit.
    pub fn unit_pt(&self) -> f64 {
        self.font_pt / (TICK_SIZE * EM_PER_SIZE)
    }

    /// Size of tick labels and body text, in points.
    pub fn font_pt(&self) -> f64 {
        self.font_pt
    }

    /// PNG resolution (dots per inch).
    pub fn dpi(&self) -> f64 {
        self.dpi
    }

    /// Where a figure of this size is laid out.
    pub fn frame(&self) -> Frame {
        let units = |l: Option<Length>| l.map(|l| (l.points() / self.unit_pt()).round() as u32);
        Frame {
            width: units(self.width),
            height: units(self.height),
            title: self.title,
        }
    }

    /// The physical width and height of a figure laid out `units` wide and
    /// high: as asked where asked, else at this size's scale (in the unit of
    /// the width, or CSS pixels).
    pub fn physical(&self, units: (u32, u32)) -> (Length, Length) {
        let unit = self.width.or(self.height).map_or(Unit::Px, |l| l.unit);
        let at = |u: u32| Length::new(u as f64 * self.unit_pt() / unit.points(), unit);
        (
            self.width.unwrap_or_else(|| at(units.0)),
            self.height.unwrap_or_else(|| at(units.1)),
        )
    }

    /// Pixel size of a PNG of a figure laid out `units` wide and high.
    pub fn pixels(&self, units: (u32, u32)) -> (u32, u32) {
        let (w, h) = self.physical(units);
        let px = |l: Length| ((l.inches() * self.dpi).round() as u32).max(1);
        (px(w), px(h))
    }
}

/// The drawing area a figure is laid out in (drawing units): its width and
/// height where fixed (else the figure's own) and whether it draws its title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    /// Width; `None`: the figure's natural width.
    pub width: Option<u32>,
    /// Height; `None`: what the figure needs at its width.
    pub height: Option<u32>,
    /// Whether the title is drawn (papers put it in the caption instead).
    pub title: bool,
}

impl Default for Frame {
    fn default() -> Self {
        Frame {
            width: None,
            height: None,
            title: true,
        }
    }
}

/// Space the figure title takes (drawing units).
pub const TITLE_SPACE: u32 = 40;

impl Frame {
    /// Space above the panels for the title.
    pub fn title_space(&self) -> u32 {
        if self.title { TITLE_SPACE } else { 0 }
    }

    /// How `n` panels of natural width `natural` (at least `min` wide) sit
    /// in the frame: (columns, rows, panel width).
    pub fn grid(&self, n: usize, natural: u32, min: u32) -> Grid {
        let n = n.max(1) as u32;
        match self.width {
            None => Grid {
                columns: n,
                rows: 1,
                panel_w: natural,
            },
            Some(w) => {
                let columns = (w / min.max(1)).clamp(1, n);
                Grid {
                    columns,
                    rows: n.div_ceil(columns),
                    panel_w: w / columns,
                }
            }
        }
    }

    /// Height of each of `grid.rows` panels: from the frame's height when
    /// fixed, else `natural(panel_w)`.
    pub fn panel_h(&self, grid: &Grid, natural: impl Fn(u32) -> u32) -> u32 {
        match self.height {
            Some(h) => h.saturating_sub(self.title_space()) / grid.rows,
            None => natural(grid.panel_w),
        }
    }
}

/// Panels in rows and columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grid {
    /// Panels side by side.
    pub columns: u32,
    /// Rows of panels.
    pub rows: u32,
    /// Width of each panel.
    pub panel_w: u32,
}

/// Draw the figure title centred at the top of `root` (when the frame has
/// one) and return the area below it.
pub fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    frame: &Frame,
    title: &str,
) -> Result<DrawingArea<DB, Shift>, super::PlotError> {
    if !frame.title {
        return Ok(root.clone());
    }
    let (top, body) = root.split_vertically(frame.title_space());
    let (w, h) = top.dim_in_pixel();
    let room = w.saturating_sub(8);
    // A title too wide for its line takes two lines of smaller text.
    let (size, lines) = if style::measure(title, style::TITLE_SIZE) <= room {
        (style::TITLE_SIZE, vec![title.to_string()])
    } else {
        let mut lines = style::wrap(title, style::LABEL_SIZE, room);
        if lines.len() > 2 {
            let rest = lines.split_off(1).join(" ");
            lines.push(style::fit(&rest, style::LABEL_SIZE, room));
        }
        (style::LABEL_SIZE, lines)
    };
    let step = style::text_height(size) as i32 + 4;
    let first = h as i32 / 2 - step * (lines.len() as i32 - 1) / 2;
    for (k, line) in lines.into_iter().enumerate() {
        top.draw(&Text::new(
            line,
            (w as i32 / 2, first + step * k as i32),
            style::anchored(size, HPos::Center, VPos::Center),
        ))?;
    }
    Ok(body)
}

/// Draw the figure title, then `n` panels in `grid`, `panel_h` high, each
/// drawn by `draw(area, index)`.
pub fn panel_grid<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    frame: &Frame,
    title: &str,
    (grid, panel_h): (Grid, u32),
    n: usize,
    mut draw: impl FnMut(&DrawingArea<DB, Shift>, usize) -> Result<(), super::PlotError>,
) -> Result<(), super::PlotError> {
    let body = titled(root, frame, title)?;
    for i in 0..n as u32 {
        let (col, row) = (i % grid.columns, i / grid.columns);
        let area = body
            .clone()
            .shrink((col * grid.panel_w, row * panel_h), (grid.panel_w, panel_h));
        draw(&area, i as usize)?;
    }
    Ok(())
}

/// Size of `grid`'s panels `panel_h` high, under the frame's title.
pub fn grid_size(frame: &Frame, (grid, panel_h): (Grid, u32)) -> (u32, u32) {
    (
        grid.panel_w * grid.columns,
        frame.title_space() + panel_h * grid.rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_parse_with_units() {
        assert_eq!("3.3in".parse(), Ok(Length::new(3.3, Unit::In)));
        assert_eq!(" 180 MM".parse(), Ok(Length::new(180.0, Unit::Mm)));
        assert_eq!("1200px".parse(), Ok(Length::new(1200.0, Unit::Px)));
        // An exponent is part of the number, not the unit.
        assert_eq!("1.2e3px".parse(), Ok(Length::new(1200.0, Unit::Px)));
        for bad in ["3.3", "in", "-2in", "0mm", "3cm", "nanin", "3.3 in x"] {
            assert!(bad.parse::<Length>().is_err(), "{bad}");
        }
        assert!((Length::new(25.4, Unit::Mm).inches() - 1.0).abs() < 1e-12);
        assert_eq!(Length::new(3.3, Unit::In).to_string(), "3.3in");
        assert_eq!(Length::new(441.0, Unit::Px).to_string(), "441px");
    }

    #[test]
    fn paper_preset_lays_out_356_units_at_7_pt() {
        let size = SizeRequest {
            preset: Some(Preset::Paper),
            ..Default::default()
        }
        .resolve()
        .unwrap();
        let frame = size.frame();
        // 237.6 pt at 7 pt per 13 / 1.24 units.
        assert_eq!(frame.width, Some(356));
        assert!(!frame.title);
        assert_eq!(size.dpi(), 300.0);
        let (w, h) = size.physical((356, 300));
        assert_eq!(w, Length::new(3.3, Unit::In));
        assert!((h.inches() - 300.0 * 7.0 * 1.24 / 13.0 / 72.0).abs() < 1e-9);
        assert_eq!(size.pixels((356, 300)).0, 990);
    }

    #[test]
    fn web_default_is_one_unit_per_pixel() {
        let size = SizeRequest::default().resolve().unwrap();
        assert_eq!(size.frame(), Frame::default());
        assert_eq!(size.pixels((760, 480)), (760, 480));
        assert_eq!(size.physical((760, 480)).0.to_string(), "760px");
    }

    #[test]
    fn small_text_and_odd_sizes_are_refused() {
        let req = |font: f64| SizeRequest {
            font_pt: Some(font),
            ..Default::default()
        };
        assert!(matches!(
            req(5.0).resolve(),
            Err(SizeError::TextTooSmall { need_pt, .. }) if need_pt == 6.5
        ));
        assert!(req(6.5).resolve().is_ok());
        let narrow = SizeRequest {
            width: Some(Length::new(1.0, Unit::In)),
            ..Default::default()
        };
        assert!(matches!(
            narrow.resolve(),
            Err(SizeError::OutOfRange { what: "width", .. })
        ));
        let dpi = SizeRequest {
            dpi: Some(10.0),
            ..Default::default()
        };
        assert!(dpi.resolve().is_err());
    }

    #[test]
    fn grid_stacks_panels_that_do_not_fit_side_by_side() {
        let frame = Frame {
            width: Some(356),
            ..Frame::default()
        };
        assert_eq!(
            frame.grid(2, 640, 300),
            Grid {
                columns: 1,
                rows: 2,
                panel_w: 356
            }
        );
        let wide = Frame {
            width: Some(940),
            ..Frame::default()
        };
        assert_eq!(wide.grid(2, 640, 300).columns, 2);
        assert_eq!(Frame::default().grid(2, 640, 300).panel_w, 640);
    }
}
