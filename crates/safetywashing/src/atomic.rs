//! The one way this tool writes a file.
//!
//! What happens depends on what the destination is:
//!
//! - **a missing path or a regular file**: the content goes into a temporary
//!   file in the same directory, flushed and synced, then renamed over the
//!   destination, and the directory synced so the rename itself survives a
//!   crash. A reader sees either the old file or the complete new one. The
//!   old file's mode is kept, and its owner and group where the process may
//!   set them (as root, or for a file it owns).
//! - **a symbolic link**: the file it points to (following the whole chain)
//!   is replaced as above, in that file's directory; the link stays a link.
//! - **a regular file with several hard links**: written in place (truncated
//!   and rewritten), so every name keeps showing the same file. The content is
//!   produced into a temporary file first, so a failing producer leaves the
//!   destination untouched, but a crash during the final copy can leave it
//!   half-written: only this case is not atomic.
//! - **a character or block device, a FIFO, `/dev/stdout`, `/dev/fd/N`**:
//!   written directly, never replaced by a regular file.
//! - **a read-only regular file** (no write bit at all, or one this process
//!   may not write): refused, naming the file, even when running as root.
//! - **a directory or a socket**: refused.
//!
//! On any error the destination is untouched and the temporary file is
//! removed (the `tempfile` guard deletes it on drop; [`remove_temp_files`]
//! is for a SIGINT/SIGTERM handler). Only a process killed outright
//! (SIGKILL, power loss) can leave the hidden `.NAME.XXXXXX.tmp` file
//! behind, and the destination is intact even then; the next write to NAME
//! removes such leftovers (unlocked, over a minute old).
//!
//! [`EditLock`] serialises read-modify-write edits of one file between
//! processes (an advisory `flock`, re-taken if the file was replaced while
//! waiting).

use std::fs::{self, File, Metadata};
use std::io::{self, Seek, Write};
use std::path::{Path, PathBuf};

/// Write `bytes` to `path` (see the module documentation for what each kind
/// of destination gets).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Write to `path`, producing the content with `fill` (see the module
/// documentation for what each kind of destination gets).
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    match destination(path)? {
        Destination::Stream(p) => write_stream(&p, fill),
        Destination::Replace(p, meta) => write_then_persist(&p, meta.as_ref(), fill, |tmp, p| {
            tmp.persist(p).map(drop).map_err(|e| e.error)
        }),
        Destination::InPlace(p) => write_in_place(&p, fill),
    }
}

/// How a destination is written.
#[derive(Debug)]
enum Destination {
    /// Open and write (a device, a FIFO, a standard stream).
    Stream(PathBuf),
    /// Temporary file + rename at this path (symlinks resolved), with the
    /// metadata of the file it replaces, if any.
    Replace(PathBuf, Option<Metadata>),
    /// A regular file with several hard links: rewrite it in place.
    InPlace(PathBuf),
}

/// An error about the destination; callers name the path they were given
/// (as `writing PATH: …`).
fn err(kind: io::ErrorKind, what: impl std::fmt::Display) -> io::Error {
    io::Error::new(kind, what.to_string())
}

/// Decide how `path` is written, refusing what must not be.
fn destination(path: &Path) -> io::Result<Destination> {
    if is_standard_stream(path) {
        return Ok(Destination::Stream(path.to_path_buf()));
    }
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            // A missing path, or a link to one: create the file the link names.
            return Ok(Destination::Replace(resolve_dangling(path)?, None));
        }
        Err(e) if e.kind() == io::ErrorKind::NotADirectory => {
            return Err(err(
                e.kind(),
                format_args!(
                    "{} is not a folder; nothing written",
                    crate::escape::control(&dir_of(path).display().to_string())
                ),
            ));
        }
        Err(e) => return Err(e),
    };
    let kind = meta.file_type();
    if kind.is_dir() {
        return Err(err(
            io::ErrorKind::IsADirectory,
            "is a directory; nothing written",
        ));
    }
    if !kind.is_file() {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if kind.is_socket() {
                return Err(err(
                    io::ErrorKind::InvalidInput,
                    "is a socket; nothing written",
                ));
            }
        }
        return Ok(Destination::Stream(path.to_path_buf()));
    }
    let real = fs::canonicalize(path)?;
    refuse_read_only(&real, &meta)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            return Ok(Destination::InPlace(real));
        }
    }
    Ok(Destination::Replace(real, Some(meta)))
}

/// `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`: whatever
/// they point to (a pipe, a terminal, a file opened for appending) is the
/// caller's, so they are written, never replaced.
pub fn is_standard_stream(path: &Path) -> bool {
    let s = path.as_os_str().to_string_lossy();
    ["/dev/stdout", "/dev/stderr", "/dev/stdin"].contains(&s.as_ref())
        || s.starts_with("/dev/fd/")
        || s.starts_with("/proc/self/fd/")
}

/// Follow a chain of symbolic links that ends at a missing path, and
/// return that path (`path` itself when it is no link).
fn resolve_dangling(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(err(
        io::ErrorKind::InvalidInput,
        "too many levels of symbolic links",
    ))
}

/// Refuse a file without any write bit (even as root, who could rename over
/// it), or one this process may not write.
fn refuse_read_only(path: &Path, meta: &Metadata) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode();
        let no_bits = mode & 0o222 == 0;
        let denied = std::ffi::CString::new(path.as_os_str().as_bytes())
            // SAFETY: a valid NUL-terminated path; access only reads it.
            .map(|c| unsafe { libc::access(c.as_ptr(), libc::W_OK) } != 0)
            .unwrap_or(false);
        if no_bits || denied {
            return Err(err(
                io::ErrorKind::PermissionDenied,
                format_args!(
                    "the file {} is read-only (mode {:03o}); nothing written (make it writable with chmod u+w to allow this)",
                    crate::escape::control(&path.display().to_string()),
                    mode & 0o7777
                ),
            ));
        }
    }
    #[cfg(not(unix))]
    if meta.permissions().readonly() {
        return Err(err(
            io::ErrorKind::PermissionDenied,
            "the file is read-only; nothing written",
        ));
    }
    Ok(())
}

/// Write a device, FIFO or standard stream directly.
fn write_stream(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let file = fs::OpenOptions::new().write(true).open(path)?;
    let mut out = io::BufWriter::new(file);
    fill(&mut out)?;
    out.flush()
}

/// Produce the content into a temporary file, then copy it over a
/// hard-linked file in place (keeping its inode, links, mode and owner).
fn write_in_place(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let mut tmp = temp_file_beside(path)?;
    {
        let mut buffered = io::BufWriter::new(tmp.file().as_file_mut());
        fill(&mut buffered)?;
        buffered.flush()?;
    }
    let staged = tmp.file().as_file_mut();
    staged.rewind()?;
    let mut dest = fs::OpenOptions::new().write(true).open(path)?;
    dest.set_len(0)?;
    io::copy(staged, &mut dest)?;
    dest.sync_all()
}

/// The directory a path's temporary file goes in.
fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The hidden prefix of `path`'s temporary files: `.NAME.`.
fn temp_prefix(path: &Path) -> io::Result<std::ffi::OsString> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file path"))?;
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    Ok(prefix)
}

/// A new hidden temporary file beside `path`, removed when dropped (or by
/// [`remove_temp_files`]), and locked while it lives so that a later run can
/// tell it from one a killed run left behind.
fn temp_file_beside(path: &Path) -> io::Result<Temp> {
    // Before the first temporary file exists: whatever removes them on a
    // signal must be in place when there is one to remove.
    FIRST_TEMP.call_once(|| {
        if let Some(hook) = ON_FIRST_TEMP.get() {
            hook();
        }
    });
    let dir = dir_of(path);
    let prefix = temp_prefix(path)?;
    remove_stale_temp_files(dir, &prefix);
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // A new file gets the usual mode (0666 less the umask), not tempfile's 0600.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let tmp = builder.tempfile_in(dir).map_err(|e| {
        let shown = crate::escape::control(&dir.display().to_string()).into_owned();
        let message = if e.kind() == io::ErrorKind::NotFound {
            format!("there is no folder {shown}; nothing written")
        } else {
            // The cause alone: tempfile's own text adds the temporary name.
            let cause =
                std::error::Error::source(&e).map_or_else(|| e.to_string(), ToString::to_string);
            format!("cannot create a temporary file in {shown}: {cause}")
        };
        io::Error::new(e.kind(), message)
    })?;
    // Best effort: a file system without locks only loses the stale check.
    let _ = tmp.as_file().try_lock();
    Ok(Temp::register(tmp))
}

/// Run `hook` once, just before this process creates its first temporary
/// file (the CLI installs its SIGINT/SIGTERM handling there, so that a run
/// that writes no file starts no thread for it). Only the first hook set
/// counts.
pub fn on_first_temp_file(hook: fn()) {
    let _ = ON_FIRST_TEMP.set(hook);
}

static ON_FIRST_TEMP: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();
static FIRST_TEMP: std::sync::Once = std::sync::Once::new();

/// Temporary files being written now, for [`remove_temp_files`].
static LIVE: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// A temporary file, listed in [`LIVE`] while it exists.
struct Temp(Option<tempfile::NamedTempFile>);

impl Temp {
    fn register(tmp: tempfile::NamedTempFile) -> Temp {
        if let Ok(mut live) = LIVE.lock() {
            live.push(tmp.path().to_path_buf());
        }
        Temp(Some(tmp))
    }

    fn file(&mut self) -> &mut tempfile::NamedTempFile {
        self.0.as_mut().expect("present until taken")
    }

    /// The file, no longer listed (the caller renames it away).
    fn take(mut self) -> tempfile::NamedTempFile {
        let tmp = self.0.take().expect("present until taken");
        unlist(tmp.path());
        tmp
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        if let Some(tmp) = &self.0 {
            unlist(tmp.path());
        }
    }
}

fn unlist(path: &Path) {
    if let Ok(mut live) = LIVE.lock() {
        live.retain(|p| p != path);
    }
}

/// Remove every temporary file this process is writing now. For a signal
/// handler (SIGINT, SIGTERM) run in a normal thread just before the process
/// exits: the destinations stay as they were.
pub fn remove_temp_files() {
    if let Ok(live) = LIVE.lock() {
        for p in live.iter() {
            let _ = fs::remove_file(p);
        }
    }
}

/// Remove `.NAME.XXXXXX.tmp` files a killed run left in `dir`: unlocked
/// (their writer is gone) and over a minute old (not one being created
/// this moment). Best effort.
fn remove_stale_temp_files(dir: &Path, prefix: &std::ffi::OsStr) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let prefix = prefix.as_encoded_bytes();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let bytes = name.as_encoded_bytes();
        if !(bytes.starts_with(prefix) && bytes.ends_with(b".tmp")) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 60);
        let path = entry.path();
        if old
            && let Ok(f) = File::open(&path)
            && f.try_lock().is_ok()
        {
            let _ = fs::remove_file(&path);
        }
    }
}

/// The steps of [`write_atomic_with`] for a file replaced by rename, with
/// the final rename passed in so tests can make it fail. `old` is the
/// metadata of the file replaced, if any.
fn write_then_persist(
    path: &Path,
    old: Option<&Metadata>,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    persist: impl FnOnce(tempfile::NamedTempFile, &Path) -> io::Result<()>,
) -> io::Result<()> {
    let mut tmp = temp_file_beside(path)?;
    {
        let mut buffered = io::BufWriter::new(tmp.file().as_file_mut());
        fill(&mut buffered)?;
        buffered.flush()?;
    }
    tmp.file().as_file().sync_all()?;
    if let Some(meta) = old {
        keep_mode_and_owner(tmp.file().as_file(), meta)?;
    }
    persist(tmp.take(), path).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("cannot rename the temporary file over it: {e}"),
        )
    })?;
    sync_dir(dir_of(path));
    Ok(())
}

/// Give the new file the old one's permissions, and its owner and group
/// where allowed (as root, or the groups of a file this process owns);
/// where not, the new file belongs to whoever ran the tool.
fn keep_mode_and_owner(file: &File, old: &Metadata) -> io::Result<()> {
    file.set_permissions(old.permissions())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // Best effort: an unprivileged user cannot give a file away.
        let _ = std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid()));
        // chown clears set-id bits; put the mode back.
        file.set_permissions(old.permissions())?;
    }
    Ok(())
}

/// Make a rename durable by syncing its directory. Best effort: the new file
/// is complete and in place already, and some file systems refuse this.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}
/// An exclusive advisory lock (`flock`) on a file being edited in place
/// (read, changed, written back). Every edit by this tool takes it before
/// reading, so two edits of one file run one after the other and neither
/// loses the other's change; readers take no lock and are never blocked.
/// Released when dropped.
#[derive(Debug)]
pub struct EditLock {
    _file: File,
}

impl EditLock {
    /// Lock the file `path` names (a symlink's target). `on_wait` is called
    /// once if another process holds the lock, before waiting for it.
    pub fn acquire(path: &Path, on_wait: impl FnOnce()) -> io::Result<EditLock> {
        let mut on_wait = Some(on_wait);
        // An edit replaces the file by rename: a lock taken on the old file
        // while it was being replaced guards nothing, so lock again until
        // the locked file is the one the path names.
        for _ in 0..1000 {
            let file = File::open(path)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    if let Some(f) = on_wait.take() {
                        f();
                    }
                    file.lock()?;
                }
                Err(fs::TryLockError::Error(e)) => return Err(e),
            }
            if same_inode(&file.metadata()?, &fs::metadata(path)?) {
                return Ok(EditLock { _file: file });
            }
        }
        Err(err(
            io::ErrorKind::WouldBlock,
            "keeps being replaced by another process; nothing written",
        ))
    }
}

#[cfg(unix)]
fn same_inode(a: &Metadata, b: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_inode(_: &Metadata, _: &Metadata) -> bool {
    true
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
        let old = std::fs::metadata(&path).unwrap();
        let err = write_then_persist(
            &path,
            Some(&old),
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
        assert!(err.ends_with("/no/such; nothing written"), "{err}");
        assert!(err.starts_with("there is no folder "), "{err}");
        // Not tempfile's own text, which names the temporary file.
        assert!(!err.contains(".out.txt."), "{err}");
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

    #[cfg(unix)]
    #[test]
    fn symlink_is_kept_and_its_target_replaced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("real")).unwrap();
        let target = dir.path().join("real/out.txt");
        std::fs::write(&target, b"old").unwrap();
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink("real/out.txt", &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        // The temporary file went into the target's folder and is gone.
        assert_eq!(
            std::fs::read_dir(dir.path().join("real")).unwrap().count(),
            1
        );
        // A dangling link: the file it names is created.
        std::os::unix::fs::symlink("real/new.txt", dir.path().join("dangling")).unwrap();
        write_atomic(&dir.path().join("dangling"), b"made").unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("real/new.txt")).unwrap(),
            b"made"
        );
    }

    #[cfg(unix)]
    #[test]
    fn hard_links_are_kept() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.txt");
        let b = dir.path().join("b.txt");
        std::fs::write(&a, b"old content").unwrap();
        std::fs::hard_link(&a, &b).unwrap();
        let inode = std::fs::metadata(&a).unwrap().ino();
        write_atomic(&a, b"new").unwrap();
        assert_eq!(std::fs::read(&b).unwrap(), b"new");
        assert_eq!(std::fs::metadata(&a).unwrap().ino(), inode);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
        // A failing producer leaves the hard-linked file untouched.
        let failed = write_atomic_with(&a, |w| {
            w.write_all(b"partial")?;
            Err(io::Error::other("disk full"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&b).unwrap(), b"new");
    }

    #[cfg(unix)]
    #[test]
    fn read_only_file_is_refused_even_as_root() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("locked.csv");
        std::fs::write(&path, b"keep").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        let e = write_atomic(&path, b"new").unwrap_err().to_string();
        assert!(e.contains("locked.csv") && e.contains("read-only"), "{e}");
        assert_eq!(std::fs::read(&path).unwrap(), b"keep");
    }

    #[cfg(unix)]
    #[test]
    fn fifo_is_written_not_replaced() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let c = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        write_atomic(&fifo, b"through the pipe").unwrap();
        assert_eq!(reader.join().unwrap(), b"through the pipe");
        use std::os::unix::fs::FileTypeExt;
        assert!(
            std::fs::symlink_metadata(&fifo)
                .unwrap()
                .file_type()
                .is_fifo()
        );
    }

    #[test]
    fn directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let e = write_atomic(dir.path(), b"x").unwrap_err().to_string();
        assert!(e.contains("is a directory"), "{e}");
    }
}
