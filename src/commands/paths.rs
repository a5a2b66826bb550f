//! Paths a command reads and writes: whether two name one file, the check
//! that no output overwrites an input or another output, and the lock an
//! in-place edit holds.

use anyhow::{Context, Result};
use safetywashing::atomic::EditLock;
use safetywashing::escape;
use std::path::Path;

/// Whether `a` and `b` name the same file: the same canonical path, or the
/// same device and inode (hard links). A missing path equals only itself.
pub fn same_file(a: &Path, b: &Path) -> bool {
    if let (Ok(x), Ok(y)) = (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        if x == y {
            return true;
        }
    } else if let (Some(x), Some(y)) = (absolute_missing(a), absolute_missing(b)) {
        return x == y;
    }
    same_inode(a, b)
}

/// A path that does not exist yet, made absolute through its canonical
/// folder, so `out.csv` and `./out.csv` compare equal before either exists.
fn absolute_missing(p: &Path) -> Option<std::path::PathBuf> {
    let dir = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(dir).ok()?.join(p.file_name()?))
}

#[cfg(unix)]
fn same_inode(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_inode(_: &Path, _: &Path) -> bool {
    false
}

/// Take the edit lock on `path` for a read-modify-write edit, saying so on
/// stderr if another run is editing it.
pub fn lock_for_edit(path: &Path) -> Result<EditLock> {
    let shown = escape::control(&path.display().to_string()).into_owned();
    EditLock::acquire(path, || {
        eprintln!("info: waiting for another edit of {shown} to finish");
    })
    .with_context(|| format!("locking {shown} for editing"))
}
