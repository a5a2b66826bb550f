//! The one way this tool writes a file: into a temporary file in the same
//! directory, flushed and synced, then renamed over the destination, and the
//! directory synced so the rename itself survives a crash.
//!
//! A reader therefore sees either the old file or the complete new one, never
//! a half-written file; on any error the destination is untouched and the
//! temporary file is removed (the `tempfile` guard deletes it on drop). Only a
//! process killed outright (SIGKILL, power loss) can leave the hidden
//! `.NAME.XXXXXX.tmp` file behind, and the destination is intact even then.

use std::io::{self, Write};
use std::path::Path;

/// Write `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Write to `path` atomically, producing the content with `fill`.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    write_then_persist(path, fill, |tmp, path| {
        tmp.persist(path).map(drop).map_err(|e| e.error)
    })
}

/// The steps of [`write_atomic_with`], with the final rename passed in so
/// tests can make it fail.
fn write_then_persist(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    persist: impl FnOnce(tempfile::NamedTempFile, &Path) -> io::Result<()>,
) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file path"))?;
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // A new file gets the usual mode (0666 less the umask), not tempfile's 0600.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder.tempfile_in(dir).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("cannot create a temporary file in {}: {e}", dir.display()),
        )
    })?;
    {
        let mut buffered = io::BufWriter::new(tmp.as_file_mut());
        fill(&mut buffered)?;
        buffered.flush()?;
    }
    tmp.as_file().sync_all()?;
    // Keep an existing file's permissions.
    if let Ok(meta) = std::fs::metadata(path) {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    persist(tmp, path).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("cannot rename the temporary file over it: {e}"),
        )
    })?;
    sync_dir(dir);
    Ok(())
}

/// Make a rename durable by syncing its directory. Best effort: the new file
/// is complete and in place already, and some file systems refuse this.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn failing_writer_leaves_destination_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_atomic(&path, b"keep me").unwrap();
        let err = write_atomic_with(&path, |w| {
            w.write_all(b"partial")?;
            Err(io::Error::other("disk full"))
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"keep me");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn failing_rename_leaves_destination_untouched_and_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_atomic(&path, b"keep me").unwrap();
        let err = write_then_persist(
            &path,
            |w| w.write_all(b"new content"),
            |_tmp, _path| Err(io::Error::other("rename refused")),
        )
        .unwrap_err();
        assert!(err.to_string().contains("rename refused"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"keep me");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn missing_folder_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no/such/out.txt");
        let err = write_atomic(&path, b"x").unwrap_err().to_string();
        assert!(err.contains("cannot create a temporary file in"), "{err}");
        assert!(err.contains("no/such"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn new_file_is_not_private_and_existing_mode_is_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_atomic(&path, b"a").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        if let Some(umask) = status
            .lines()
            .find_map(|l| l.strip_prefix("Umask:"))
            .and_then(|u| u32::from_str_radix(u.trim(), 8).ok())
        {
            assert_eq!(mode, 0o666 & !umask, "mode {mode:o}, umask {umask:o}");
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&path, b"b").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }
}
