//! Point labels that don't collide: labels are tried in priority order at
//! four spots around their point (right, left, above, below) and kept only
//! where they overlap no earlier label, no other point, no obstacle (the fit
//! line) and stay inside the plot. With many points this thins the labels to
//! the most telling ones instead of printing an unreadable heap. The first
//! few in priority order (the extremes) are always placed: where no spot is
//! free, at the first spot (those four, then right and left shifted up or
//! down by up to one and a half label heights) overlapping nothing, else
//! no other label and no obstacle, else no other label, else the first
//! inside the plot, readable over a marker thanks to the label's halo.

use plotters::style::text_anchor::{HPos, VPos};

/// An axis-aligned pixel box (`x0 <= x1`, `y0 <= y1`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PixelBox {
    /// Left.
    pub x0: i32,
    /// Top.
    pub y0: i32,
    /// Right.
    pub x1: i32,
    /// Bottom.
    pub y1: i32,
}

impl PixelBox {
    fn overlaps(&self, o: &PixelBox) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }

    fn inside(&self, o: &PixelBox) -> bool {
        self.x0 >= o.x0 && self.x1 <= o.x1 && self.y0 >= o.y0 && self.y1 <= o.y1
    }
}

/// A label given a place: draw text `index` at `at` with this anchor.
#[derive(Clone, Copy)]
pub struct Placed {
    /// Index of the point (and label).
    pub index: usize,
    /// Anchor position in pixels.
    pub at: (i32, i32),
    /// Horizontal anchor.
    pub h: HPos,
    /// Vertical anchor.
    pub v: VPos,
}

/// What labels must stay clear of besides each other.
pub struct Clear<'a> {
    /// The plotting area, which labels stay inside.
    pub bounds: PixelBox,
    /// Other marks to avoid (e.g. short pieces of the fit line).
    pub obstacles: &'a [PixelBox],
    /// Marker radius plus padding.
    pub gap: i32,
}

/// Place labels of `sizes` (w, h in px) beside `points`, trying the points
/// in `order`, keeping at most `max`; the first `must` of `order` are placed
/// whatever they overlap (see the module documentation).
pub fn place_labels(
    points: &[(i32, i32)],
    sizes: &[(u32, u32)],
    order: &[usize],
    (max, must): (usize, usize),
    clear: &Clear,
) -> Vec<Placed> {
    let (bounds, gap) = (clear.bounds, clear.gap);
    let marker_boxes: Vec<PixelBox> = points
        .iter()
        .map(|&(x, y)| PixelBox {
            x0: x - gap + 1,
            y0: y - gap + 1,
            x1: x + gap - 1,
            y1: y + gap - 1,
        })
        .collect();
    let mut taken: Vec<PixelBox> = Vec::new();
    let mut placed = Vec::new();
    for (rank, &i) in order.iter().enumerate() {
        if placed.len() >= max {
            break;
        }
        let (x, y) = points[i];
        let (w, h) = (sizes[i].0 as i32, sizes[i].1 as i32);
        let spots = [
            (x + gap, y, HPos::Left, VPos::Center, x + gap, y - h / 2),
            (
                x - gap,
                y,
                HPos::Right,
                VPos::Center,
                x - gap - w,
                y - h / 2,
            ),
            (
                x,
                y - gap,
                HPos::Center,
                VPos::Bottom,
                x - w / 2,
                y - gap - h,
            ),
            (x, y + gap, HPos::Center, VPos::Top, x - w / 2, y + gap),
        ];
        let boxed = |bx: i32, by: i32| PixelBox {
            x0: bx,
            y0: by,
            x1: bx + w,
            y1: by + h,
        };
        let free = |b: &PixelBox| b.inside(&bounds) && !taken.iter().any(|t| t.overlaps(b));
        let clear_of_marks =
            |b: &PixelBox| free(b) && !clear.obstacles.iter().any(|o| o.overlaps(b));
        let clear_of_all = |b: &PixelBox| {
            clear_of_marks(b)
                && !marker_boxes
                    .iter()
                    .enumerate()
                    .any(|(j, m)| j != i && m.overlaps(b))
        };
        let mut fits = spots
            .iter()
            .copied()
            .find(|&(_, _, _, _, bx, by)| clear_of_all(&boxed(bx, by)));
        if fits.is_none() && rank < must {
            // Also right and left of the point shifted up or down by up to
            // one and a half label heights: the first spot clear of
            // everything, else of other labels and obstacles, else of
            // other labels, else inside the plot.
            let beside = spots[..2].iter().copied();
            let shifted = [h / 2, -h / 2, h, -h, h * 3 / 2, -h * 3 / 2]
                .into_iter()
                .flat_map(|d| {
                    beside
                        .clone()
                        .map(move |(ax, ay, hp, vp, bx, by)| (ax, ay + d, hp, vp, bx, by + d))
                });
            let all: Vec<_> = spots.iter().copied().chain(shifted).collect();
            let at = |ok: &dyn Fn(&PixelBox) -> bool| {
                all.iter()
                    .copied()
                    .find(|&(_, _, _, _, bx, by)| ok(&boxed(bx, by)))
            };
            fits = at(&clear_of_all)
                .or_else(|| at(&clear_of_marks))
                .or_else(|| at(&free))
                .or_else(|| at(&|b| b.inside(&bounds)))
                .or(Some(spots[0]));
        }
        if let Some((ax, ay, h_pos, v_pos, bx, by)) = fits {
            taken.push(PixelBox {
                x0: bx - 1,
                y0: by,
                x1: bx + w + 1,
                y1: by + h,
            });
            placed.push(Placed {
                index: i,
                at: (ax, ay),
                h: h_pos,
                v: v_pos,
            });
        }
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOUNDS: PixelBox = PixelBox {
        x0: 0,
        y0: 0,
        x1: 400,
        y1: 300,
    };

    const CLEAR: Clear = Clear {
        bounds: BOUNDS,
        obstacles: &[],
        gap: 5,
    };

    #[test]
    fn isolated_points_get_labels_on_the_right() {
        let points = [(50, 50), (200, 200)];
        let placed = place_labels(&points, &[(40, 12), (40, 12)], &[0, 1], (10, 0), &CLEAR);
        assert_eq!(placed.len(), 2);
        assert!(placed.iter().all(|p| matches!(p.h, HPos::Left)));
    }

    #[test]
    fn crowded_labels_are_thinned_without_overlap() {
        // Twenty points on top of one another: only a few labels fit around.
        let points: Vec<(i32, i32)> = (0..20).map(|i| (200, 150 + i % 2)).collect();
        let order: Vec<usize> = (0..20).collect();
        let placed = place_labels(&points, &[(60, 12); 20], &order, (20, 0), &CLEAR);
        assert!(!placed.is_empty() && placed.len() < 20);
    }

    #[test]
    fn the_first_labels_are_placed_even_among_markers() {
        // A point ringed by markers on every side: no free spot.
        let ring: Vec<(i32, i32)> = [(0, 0), (12, 0), (-12, 0), (0, -12), (0, 12)]
            .iter()
            .flat_map(|&(dx, dy)| (0..4).map(move |k| (200 + dx * (k + 1), 150 + dy * (k + 1))))
            .collect();
        let mut points = vec![(200, 150)];
        points.extend(ring);
        let sizes = vec![(40, 12); points.len()];
        let order: Vec<usize> = (0..points.len()).collect();
        assert!(
            place_labels(&points, &sizes, &order[..1], (10, 0), &CLEAR).is_empty(),
            "thinned when not required"
        );
        let placed = place_labels(&points, &sizes, &order[..1], (10, 1), &CLEAR);
        assert_eq!(placed.len(), 1);
        assert_eq!(placed[0].index, 0);
    }

    #[test]
    fn labels_avoid_obstacles() {
        // A line just right of the point: the label goes to the left.
        let line: Vec<PixelBox> = (0..30)
            .map(|k| PixelBox {
                x0: 210,
                y0: 130 + k,
                x1: 212,
                y1: 131 + k,
            })
            .collect();
        let clear = Clear {
            obstacles: &line,
            ..CLEAR
        };
        let placed = place_labels(&[(200, 150)], &[(40, 12)], &[0], (1, 0), &clear);
        assert!(matches!(placed[0].h, HPos::Right));
    }

    #[test]
    fn respects_the_cap_and_the_bounds() {
        let points = [(395, 150), (10, 10), (100, 100)];
        let placed = place_labels(&points, &[(50, 12); 3], &[0, 1, 2], (2, 0), &CLEAR);
        assert_eq!(placed.len(), 2);
        // The point at the right edge is labelled on its left.
        assert!(matches!(placed[0].h, HPos::Right));
    }
}
