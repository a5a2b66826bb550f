//! Paths a command reads and writes: whether two name one file, the check
//! that no output overwrites an input or another output, and the lock an
//! in-place edit holds.

use anyhow::{Context, Result};
use safetywashing::atomic::EditLock;
use safetywashing::escape;
use std::borrow::Cow;
use std::path::{Path, PathBuf};

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

/// Refuse, before reading, an input file too big to be read whole and
/// parsed in the memory this process can get.
pub fn ensure_fits(path: &Path) -> Result<()> {
    Ok(safetywashing::load::ensure_fits(path)?)
}

/// Read a whole input file, refusing first one too big for memory.
pub fn read_whole(path: &Path) -> Result<Vec<u8>> {
    Ok(safetywashing::load::read_whole(path)?)
}

/// What a command does with a file it is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// Read only.
    Read,
    /// Read, and the output may replace it (`merge A B -o A`).
    ReadMayReplace,
    /// Written.
    Write,
    /// Read and written back (`add`'s MATRIX and --info).
    Edit,
}

/// The files one command run is given, each with the flag (or argument
/// name) it came from.
#[derive(Debug, Default)]
pub struct Files<'a>(Vec<(&'static str, Cow<'a, Path>, Use)>);

impl<'a> Files<'a> {
    /// Add `path` (if given) under `role`.
    pub fn with(mut self, role: &'static str, path: Option<&'a Path>, how: Use) -> Self {
        self.0.extend(path.map(|p| (role, Cow::Borrowed(p), how)));
        self
    }

    /// Add every path of `paths` under `role`.
    pub fn with_all(mut self, role: &'static str, paths: &'a [PathBuf], how: Use) -> Self {
        self.0.extend(
            paths
                .iter()
                .map(|p| (role, Cow::Borrowed(p.as_path()), how)),
        );
        self
    }

    /// Add the paper's three files, read when `matrices` is empty (a run
    /// without MATRIX analyses the paper's data): where they are, or where
    /// they will be downloaded to.
    pub fn with_paper_data(mut self, matrices: &[PathBuf]) -> Self {
        if matrices.is_empty()
            && let Ok(dir) = safetywashing::data::data_dir()
        {
            self.0.extend(
                safetywashing::data::PAPER_FILES
                    .iter()
                    .map(|&f| ("the paper's data", Cow::Owned(dir.file(f)), Use::Read)),
            );
        }
        self
    }

    /// Refuse, before anything is read or written, a file written that is
    /// also another file of the run (an input, or another output), unless
    /// that input is one the output may replace. A device or a standard
    /// stream (`/dev/null`, `/dev/stdout`) is never overwritten: two
    /// outputs to one are written one after the other.
    pub fn check(&self) -> Result<()> {
        for (i, (role_a, a, use_a)) in self.0.iter().enumerate() {
            for (role_b, b, use_b) in &self.0[i + 1..] {
                let writes = |u: &Use| matches!(u, Use::Write | Use::Edit);
                if !(writes(use_a) || writes(use_b)) || !same_file(a, b) || shareable(a) {
                    continue;
                }
                let replace_ok = |w: &Use, r: &Use| *w == Use::Write && *r == Use::ReadMayReplace;
                if replace_ok(use_a, use_b) || replace_ok(use_b, use_a) {
                    continue;
                }
                let what = if writes(use_a) && writes(use_b) {
                    "one output would overwrite the other"
                } else {
                    "the output would overwrite an input"
                };
                anyhow::bail!(
                    "{role_a} {} and {role_b} {} are the same file: {what}; nothing written",
                    shown(a),
                    shown(b)
                );
            }
        }
        Ok(())
    }
}

/// Whether several outputs (and inputs) may be `path`: a character or
/// block device, or a standard stream, which are written to and never
/// replaced. (Not a named FIFO: its reader sees the end of the first
/// output and is gone before the second.)
fn shareable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        safetywashing::atomic::is_standard_stream(path)
            || std::fs::metadata(path)
                .is_ok_and(|m| m.file_type().is_char_device() || m.file_type().is_block_device())
    }
    #[cfg(not(unix))]
    {
        safetywashing::atomic::is_standard_stream(path)
    }
}

/// A path as shown in messages, control characters escaped.
pub fn shown(p: &Path) -> String {
    escape::control(&p.display().to_string()).into_owned()
}
