//! Refusing work that would not fit in memory, before it starts.
//!
//! Running out of memory in Rust aborts the process (SIGABRT and a
//! backtrace); it is no error a caller can handle. The few allocations that
//! grow with the input without bound (the correlation matrix of the
//! capability benchmarks, a simulated matrix, bootstrap draws, a whole input
//! file) are therefore estimated first and tried as one fallible reservation
//! of that size ([`Vec::try_reserve_exact`], given back at once, never
//! touched): if the system or a limit (`ulimit -v`) refuses it, the work
//! stops with a [`MemoryError`] naming the size and what to make smaller.

use thiserror::Error;

/// A task needs more memory than this process can get.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("not enough memory for {what}: it needs about {}, more than this process can allocate; {remedy}", human(*bytes))]
pub struct MemoryError {
    /// What would be allocated, e.g. "the correlation matrix of 20000
    /// capability benchmarks".
    pub what: String,
    /// The estimate, in bytes.
    pub bytes: u128,
    /// What to make smaller, in words.
    pub remedy: String,
}

/// Succeed when `bytes` can be allocated now; otherwise the error built
/// from `what` and `remedy`.
pub fn ensure(bytes: u128, what: impl FnOnce() -> String, remedy: &str) -> Result<(), MemoryError> {
    if can_allocate(bytes) {
        return Ok(());
    }
    Err(MemoryError {
        what: what(),
        bytes,
        remedy: remedy.to_string(),
    })
}

/// Succeed when the file at `path`, read whole at `per_byte` bytes of
/// memory per byte of file, fits (a file that cannot be inspected passes:
/// reading it reports the problem).
pub fn ensure_file(path: &std::path::Path, per_byte: u128) -> Result<(), MemoryError> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    ensure(
        u128::from(meta.len()).saturating_mul(per_byte),
        || {
            format!(
                "reading {} ({})",
                crate::escape::control(&path.display().to_string()),
                human(u128::from(meta.len()))
            )
        },
        "split the file, or run where more memory is available",
    )
}

/// Whether one block of `bytes` can be reserved (small sizes always can).
fn can_allocate(bytes: u128) -> bool {
    const SMALL: u128 = 16 << 20;
    if bytes <= SMALL {
        return true;
    }
    let Ok(n) = usize::try_from(bytes) else {
        return false;
    };
    let mut probe: Vec<u8> = Vec::new();
    let ok = probe.try_reserve_exact(n).is_ok();
    // Keep the optimiser from removing the unused allocation.
    std::hint::black_box(probe.as_ptr());
    ok
}

/// `bytes` for people: `3.2 GB`, `56 GB`, `800 MB`.
pub fn human(bytes: u128) -> String {
    let b = bytes as f64;
    match b {
        b if b >= 1e12 => format!("{:.1} TB", b / 1e12),
        b if b >= 1e9 => format!("{:.1} GB", b / 1e9),
        b if b >= 1e6 => format!("{:.0} MB", b / 1e6),
        b => format!("{:.0} kB", (b / 1e3).max(1.0)),
    }
}

/// Bytes of `count` values of type `T`, never overflowing.
pub fn bytes_of<T>(count: u128) -> u128 {
    count.saturating_mul(std::mem::size_of::<T>() as u128)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_sizes_pass_and_impossible_ones_fail_with_the_size() {
        assert!(ensure(1024, String::new, "").is_ok());
        let e = ensure(u128::MAX / 2, || "everything".into(), "ask for less").unwrap_err();
        let text = e.to_string();
        assert!(text.contains("not enough memory for everything"), "{text}");
        assert!(
            text.contains("TB") && text.ends_with("ask for less"),
            "{text}"
        );
        assert_eq!(human(3_200_000_000), "3.2 GB");
    }
}
