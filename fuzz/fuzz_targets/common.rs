//! Checks shared by the importer targets.

use safetywashing::import::MatrixBuilder;
use safetywashing::load::{MatrixFormat, parse_matrix};

/// What an importer writes and the matrix loader reads back is what was
/// imported: same models, same columns, same values bit for bit.
pub fn check_round_trip(builder: &MatrixBuilder) {
    if builder.models().is_empty() || builder.columns().is_empty() {
        return; // the import command refuses to write an empty matrix
    }
    let csv = builder.matrix_csv();
    let format = MatrixFormat {
        meta_columns: Vec::new(),
        compute_column: None,
        ..MatrixFormat::default()
    };
    // `import` refuses to write a matrix that does not load back (a model id
    // with a line break, a benchmark named `model`); the bad-input corpus
    // checks that message. Here: what loads must be what was imported.
    let Ok(m) = parse_matrix(&csv, "imported.csv", &format) else {
        return;
    };
    assert_eq!(m.models, builder.models());
    for (column, info) in m.benchmarks.iter().zip(builder.columns()) {
        assert_eq!(column.name, info.id);
        for (model, value) in m.models.iter().zip(&column.values) {
            let want = builder.get(model, &info.id);
            match want {
                Some(v) => assert_eq!(value.to_bits(), v.to_bits(), "{model} {}", info.id),
                None => assert!(value.is_nan()),
            }
        }
    }
}
