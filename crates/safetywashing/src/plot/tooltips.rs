//! Tooltips on marks: while a figure draws, each bar, point and cell
//! registers its box (in drawing units) and a text naming it and its value;
//! the SVG then gets, above everything, one invisible rectangle per mark
//! holding a `<title>`, so that a browser shows the text on hover (in the
//! report's inline figures too). PNG and PDF are converted without them.
//! Only figures drawn through [`collect`] keep tips; elsewhere registering
//! does nothing.

use plotters::coord::Shift;
use plotters::prelude::*;
use std::cell::RefCell;

/// One mark's box and text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tip {
    x0: i32,
    y0: i32,
    x1: i32,
    y1: i32,
    text: String,
}

thread_local! {
    static TIPS: RefCell<Option<Vec<Tip>>> = const { RefCell::new(None) };
}

/// Register `text` over the box with corners `a` and `b` (backend
/// coordinates, any order).
pub(crate) fn tip(a: (i32, i32), b: (i32, i32), text: impl Into<String>) {
    TIPS.with(|tips| {
        if let Some(tips) = tips.borrow_mut().as_mut() {
            tips.push(Tip {
                x0: a.0.min(b.0),
                y0: a.1.min(b.1),
                x1: a.0.max(b.0),
                y1: a.1.max(b.1),
                text: text.into(),
            });
        }
    });
}

/// Register `text` over a point mark at `at` (backend coordinates) of
/// radius `r`.
pub(crate) fn point(at: (i32, i32), r: i32, text: impl Into<String>) {
    tip((at.0 - r, at.1 - r), (at.0 + r, at.1 + r), text);
}

/// Register `text` over the box with corners `a` and `b` in `area`'s own
/// coordinates.
pub(crate) fn in_area<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    a: (i32, i32),
    b: (i32, i32),
    text: impl Into<String>,
) {
    let (bx, by) = area.get_base_pixel();
    tip((a.0 + bx, a.1 + by), (b.0 + bx, b.1 + by), text);
}

/// Run `draw`, keeping the tips it registers.
pub(crate) fn collect<T>(draw: impl FnOnce() -> T) -> (T, Vec<Tip>) {
    let outer = TIPS.with(|tips| tips.replace(Some(Vec::new())));
    let result = draw();
    let tips = TIPS.with(|tips| tips.replace(outer)).unwrap_or_default();
    (result, tips)
}

/// The SVG elements of `tips`: invisible rectangles (painted, so they take
/// the pointer) with a `<title>` each.
pub(crate) fn svg(tips: &[Tip]) -> String {
    let mut out = String::new();
    for t in tips {
        out.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#FFFFFF\" fill-opacity=\"0\"><title>{}</title></rect>\n",
            t.x0,
            t.y0,
            (t.x1 - t.x0).max(1),
            (t.y1 - t.y0).max(1),
            super::xml_escape(&t.text)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tips_are_kept_only_while_collecting() {
        tip((0, 0), (1, 1), "lost");
        let ((), tips) = collect(|| {
            point((10, 20), 4, "a <b>");
            tip((5, 9), (1, 3), "c");
        });
        assert_eq!(tips.len(), 2);
        let svg = svg(&tips);
        assert!(svg.contains("x=\"6\" y=\"16\" width=\"8\" height=\"8\""));
        assert!(svg.contains("<title>a &lt;b&gt;</title>"));
        assert!(svg.contains("x=\"1\" y=\"3\" width=\"4\" height=\"6\""));
        let ((), none) = collect(|| {});
        assert!(none.is_empty());
    }
}
