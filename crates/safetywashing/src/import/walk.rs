//! Walking evaluation-output folders: every real directory is visited once
//! (a set of device + inode), so a symbolic link back to a parent or to a
//! folder already walked ends nothing in a loop and counts no file twice;
//! such links are listed for the user instead.

use super::ImportError;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// What a walk found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Walk {
    /// Matching files, sorted, each real file once: `true` for a path given
    /// directly, `false` for one found in a folder.
    pub files: Vec<(PathBuf, bool)>,
    /// Symbolic links not followed: they lead to a folder (or file) that
    /// was already walked, such as a link back to a parent.
    pub skipped_links: Vec<PathBuf>,
}

/// Walk `roots`: a file given directly is taken as is; folders are searched
/// recursively for files whose path `wanted` accepts.
pub fn walk(roots: &[PathBuf], wanted: impl Fn(&Path) -> bool) -> Result<Walk, ImportError> {
    let mut out = Walk::default();
    let mut seen = HashSet::new();
    for root in roots {
        if !root.is_dir() {
            if seen.insert(identity(root)) {
                out.files.push((root.clone(), true));
            }
            continue;
        }
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            if !seen.insert(identity(&dir)) {
                out.skipped_links.push(dir);
                continue;
            }
            let mut entries = Vec::new();
            for entry in std::fs::read_dir(&dir).map_err(|e| ImportError::io(&dir, e))? {
                entries.push(entry.map_err(|e| ImportError::io(&dir, e))?.path());
            }
            // Sorted, so which of two paths to one file is kept is stable:
            // the first in path order.
            entries.sort();
            let mut folders = Vec::new();
            for path in entries {
                if path.is_dir() {
                    folders.push(path);
                } else if wanted(&path) {
                    if seen.insert(identity(&path)) {
                        out.files.push((path, false));
                    } else {
                        out.skipped_links.push(path);
                    }
                }
            }
            // Popped in path order.
            stack.extend(folders.into_iter().rev());
        }
    }
    out.files.sort();
    out.skipped_links.sort();
    // A path both given and found in a folder is skipped once.
    out.skipped_links.dedup();
    Ok(out)
}

/// What makes two paths one file: device and inode where the system has
/// them, else the canonical path (else the path as given).
#[cfg(unix)]
fn identity(p: &Path) -> (u64, u64, PathBuf) {
    use std::os::unix::fs::MetadataExt;
    match std::fs::metadata(p) {
        Ok(m) => (m.dev(), m.ino(), PathBuf::new()),
        Err(_) => (0, 0, p.to_path_buf()),
    }
}

#[cfg(not(unix))]
fn identity(p: &Path) -> (u64, u64, PathBuf) {
    (
        0,
        0,
        std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()),
    )
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_link_back_to_a_parent_is_walked_once_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("run/sub");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join("results.json"), "{}").unwrap();
        std::os::unix::fs::symlink("../..", sub.join("loop")).unwrap();
        std::os::unix::fs::symlink("results.json", sub.join("results_2.json")).unwrap();
        let w = walk(&[dir.path().to_path_buf()], |p| {
            p.extension().is_some_and(|e| e == "json")
        })
        .unwrap();
        assert_eq!(w.files, vec![(sub.join("results.json"), false)]);
        assert_eq!(
            w.skipped_links,
            vec![sub.join("loop"), sub.join("results_2.json")]
        );
    }
}
