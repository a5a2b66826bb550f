//! PDF and PNG from a figure's SVG: parsed once with `usvg` against a font
//! database holding only the bundled DejaVu Sans (no system fonts, so every
//! machine writes the same bytes), then written by `svg2pdf` (text stays
//! text, the font subset embedded) or rasterised by `resvg`.

use super::PlotError;
use super::style::DEJAVU_SANS;
use resvg::tiny_skia::{Color, Pixmap, Transform};
use resvg::usvg::{self, Tree, fontdb};
use std::sync::{Arc, OnceLock};

/// Metres per inch, for the PNG's pHYs chunk (pixels per metre).
const M_PER_IN: f64 = 0.0254;

fn draw_err(e: impl std::fmt::Display) -> PlotError {
    PlotError::Draw(e.to_string())
}

/// The SVG as a `usvg` tree, its text laid out in the bundled font.
fn tree(svg: &str) -> Result<Tree, PlotError> {
    static FONTS: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    let fontdb = FONTS.get_or_init(|| {
        let mut db = fontdb::Database::new();
        db.load_font_data(DEJAVU_SANS.to_vec());
        // Every family the SVG names falls back to the one face there is.
        db.set_sans_serif_family("DejaVu Sans");
        Arc::new(db)
    });
    let options = usvg::Options {
        font_family: "DejaVu Sans".into(),
        fontdb: fontdb.clone(),
        ..usvg::Options::default()
    };
    Tree::from_str(svg, &options).map_err(draw_err)
}

/// A one-page PDF of the SVG's physical size.
pub fn pdf(svg: &str) -> Result<Vec<u8>, PlotError> {
    let tree = tree(svg)?;
    // usvg measures in CSS pixels: tell svg2pdf so, and the page comes out
    // at the SVG's width and height in points.
    let page = svg2pdf::PageOptions { dpi: 96.0 };
    svg2pdf::to_pdf(&tree, svg2pdf::ConversionOptions::default(), page).map_err(draw_err)
}

/// An RGB PNG of `pixels` (width, height) with `dpi` recorded in its pHYs
/// chunk.
pub fn png(svg: &str, (w, h): (u32, u32), dpi: f64) -> Result<Vec<u8>, PlotError> {
    let tree = tree(svg)?;
    let mut pixmap =
        Pixmap::new(w, h).ok_or_else(|| draw_err(format!("no {w} × {h} pixel image")))?;
    pixmap.fill(Color::WHITE);
    let size = tree.size();
    let transform = Transform::from_scale(w as f32 / size.width(), h as f32 / size.height());
    resvg::render(&tree, transform, &mut pixmap.as_mut());
    // Opaque (white underneath), so the premultiplied RGBA is plain RGB.
    let rgb: Vec<u8> = pixmap
        .data()
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let per_metre = (dpi / M_PER_IN).round() as u32;
    encoder.set_pixel_dims(Some(png::PixelDimensions {
        xppu: per_metre,
        yppu: per_metre,
        unit: png::Unit::Meter,
    }));
    let mut writer = encoder.write_header().map_err(draw_err)?;
    writer.write_image_data(&rgb).map_err(draw_err)?;
    writer.finish().map_err(draw_err)?;
    Ok(bytes)
}
