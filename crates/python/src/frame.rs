//! A DataFrame's cells as the wide CSV the library reads, so a DataFrame
//! goes through the very loader (and checks) a file does. Numbers are
//! written in Rust's shortest round-trip form, so the loader reads back the
//! same doubles; a cell that is not a number where one is expected is an
//! error naming the column and the model, since a DataFrame has no lines.

use crate::{SafetywashingError, error};
use pyo3::prelude::*;
use pyo3::types::PyString;
use safetywashing::load::MatrixFormat;

/// Whether a column holds numbers: every column except the metadata ones
/// (the loader's own rule; the compute column is numeric too).
fn is_numeric(header: &str, format: &MatrixFormat) -> bool {
    !format.meta_columns.iter().any(|m| m == header.trim())
}

/// The CSV text of one cell of a numeric column; `None` and NaN are missing.
fn number_cell(
    source: &str,
    header: &str,
    model: &str,
    cell: &Bound<'_, PyAny>,
) -> PyResult<String> {
    let bad = |expected: &str, found: String| {
        SafetywashingError::new_err(format!(
            "{source}: column '{header}', model '{model}': expected {expected}, found {found}"
        ))
    };
    if cell.is_none() {
        return Ok(String::new());
    }
    if cell.is_instance_of::<PyString>() {
        let text: String = cell.extract()?;
        return Err(bad(
            "a number (or NaN/None for a missing value)",
            format!("the text '{text}'"),
        ));
    }
    match cell.extract::<f64>() {
        Ok(v) if v.is_nan() => Ok(String::new()),
        Ok(v) if v.is_finite() => Ok(format!("{v}")),
        Ok(v) => Err(bad("a finite number", format!("{v}"))),
        Err(_) => Err(bad(
            "a number (or NaN/None for a missing value)",
            format!("'{}'", cell.repr()?),
        )),
    }
}

/// The CSV text of one cell of a metadata column (kept as text).
fn text_cell(cell: &Bound<'_, PyAny>) -> PyResult<String> {
    if cell.is_none() {
        return Ok(String::new());
    }
    if let Ok(v) = cell.extract::<f64>()
        && !cell.is_instance_of::<PyString>()
    {
        return Ok(if v.is_nan() {
            String::new()
        } else {
            format!("{v}")
        });
    }
    Ok(cell.str()?.to_string())
}

/// The wide CSV of a DataFrame: `model_header` and the row ids first, then
/// each `(header, cells)` column in order.
pub fn to_csv(
    source: &str,
    model_header: &str,
    models: &[String],
    columns: &[(String, Vec<Bound<'_, PyAny>>)],
    format: &MatrixFormat,
) -> PyResult<Vec<u8>> {
    let mut out = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    let mut header = vec![model_header.to_string()];
    header.extend(columns.iter().map(|(h, _)| h.clone()));
    out.write_record(&header).map_err(error)?;
    for (row, model) in models.iter().enumerate() {
        let mut record = Vec::with_capacity(columns.len() + 1);
        record.push(model.clone());
        for (name, cells) in columns {
            let cell = cells.get(row).ok_or_else(|| {
                SafetywashingError::new_err(format!(
                    "{source}: column '{name}' has {} cells for {} models",
                    cells.len(),
                    models.len()
                ))
            })?;
            record.push(if is_numeric(name, format) {
                number_cell(source, name, model, cell)?
            } else {
                text_cell(cell)?
            });
        }
        out.write_record(&record).map_err(error)?;
    }
    out.into_inner().map_err(|e| error(e.into_error()))
}
