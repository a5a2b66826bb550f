//! The paper's data, fetched for the user: three files from the paper's
//! repository at a pinned commit, each checked against a pinned SHA-256
//! before it is used, and kept in the user's cache directory.
//!
//! `SAFETYWASHING_DATA=DIR` points at a folder that already holds the files
//! (offline use, tests); they are checked just the same, and nothing is
//! downloaded into such a folder. A file whose checksum differs is never used.

use crate::atomic::write_atomic;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Environment variable naming a folder that holds the paper's files.
pub const DATA_ENV: &str = "SAFETYWASHING_DATA";

/// Environment variable overriding the download base URL (mirrors, tests).
pub const URL_ENV: &str = "SAFETYWASHING_DATA_URL";

/// The paper repository commit the files are pinned to.
pub const PAPER_COMMIT: &str = "bee302c11f174afb064d721123b16b810d34f4fd";

/// Raw-file URL of the paper repository's `data/` folder at [`PAPER_COMMIT`].
pub const PAPER_BASE_URL: &str = "https://raw.githubusercontent.com/centerforaisafety/safetywashing/bee302c11f174afb064d721123b16b810d34f4fd/data";

/// One pinned file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaperFile {
    /// File name in the repository's `data/` folder.
    pub name: &'static str,
    /// Expected SHA-256, lower-case hex.
    pub sha256: &'static str,
}

/// Base-model matrix (27 models).
pub const BASE_MATRIX: PaperFile = PaperFile {
    name: "benchmarks_base_models.csv",
    sha256: "52b0af4f6d6c4426614f4b95d21086d25955fa8c978d88349bdeed82bdcb1be5",
};
/// Chat-model matrix (26 models).
pub const CHAT_MATRIX: PaperFile = PaperFile {
    name: "benchmarks_chat_models.csv",
    sha256: "5ede988872d8bba23d0bb87fcebb9704d7fe7d4e6f065226b691499333f57c58",
};
/// Benchmark info table.
pub const INFO_TABLE: PaperFile = PaperFile {
    name: "benchmarks_info.csv",
    sha256: "a043fd235bff9b38897e7cd2a566dbdf041f56eb779dcdd0c45e55809e758470",
};

/// The three files, in download order.
pub const PAPER_FILES: [PaperFile; 3] = [BASE_MATRIX, CHAT_MATRIX, INFO_TABLE];

/// Something went wrong getting the paper's data.
#[derive(Debug, Error)]
pub enum DataError {
    /// No cache directory could be determined.
    #[error(
        "no cache directory on this system (HOME unset?); set {DATA_ENV}=DIR to a folder holding {}",
        file_list()
    )]
    NoCacheDir,
    /// A file in a user-given data folder is missing.
    #[error(
        "{path} is missing: {DATA_ENV} must name a folder holding {}",
        file_list()
    )]
    Missing {
        /// Expected path.
        path: PathBuf,
    },
    /// A file's checksum differs from the pinned one.
    #[error(
        "{path}: SHA-256 is {found}, expected {expected}; the file is not the pinned release and was not used"
    )]
    Checksum {
        /// The file (or URL) checked.
        path: String,
        /// Pinned checksum.
        expected: &'static str,
        /// Checksum found.
        found: String,
    },
    /// A download failed.
    #[error(
        "could not download {url}: {reason}. To work offline, fetch the three files from {base}/ on a connected machine ({}), put them in one folder and set {DATA_ENV}=that folder, or pass matrix files to the command; to download from a mirror, set {URL_ENV}=its base URL",
        file_list(),
        base = PAPER_BASE_URL
    )]
    Download {
        /// URL tried.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// Reading or writing a file failed.
    // The I/O error is shown in the message, not chained as a source, so
    // `error: {e:#}` prints it once.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Underlying error.
        error: std::io::Error,
    },
}

fn file_list() -> String {
    PAPER_FILES
        .iter()
        .map(|f| f.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where the paper's files are looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataDir {
    /// A folder named by `SAFETYWASHING_DATA` (never downloaded into).
    User(PathBuf),
    /// The tool's cache folder (downloaded into on demand).
    Cache(PathBuf),
}

impl DataDir {
    /// The folder.
    pub fn path(&self) -> &Path {
        match self {
            DataDir::User(p) | DataDir::Cache(p) => p,
        }
    }

    /// Path of one of the paper's files in this folder.
    pub fn file(&self, file: PaperFile) -> PathBuf {
        self.path().join(file.name)
    }
}

/// The data folder in force: `SAFETYWASHING_DATA`, else the user's cache.
pub fn data_dir() -> Result<DataDir, DataError> {
    if let Some(dir) = std::env::var_os(DATA_ENV).filter(|d| !d.is_empty()) {
        return Ok(DataDir::User(PathBuf::from(dir)));
    }
    let cache = dirs::cache_dir().ok_or(DataError::NoCacheDir)?;
    Ok(DataDir::Cache(
        cache.join("safetywashing").join(&PAPER_COMMIT[..12]),
    ))
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex SHA-256 of the file at `path`, read in pieces (a file of
/// any size takes the same little memory).
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            return Ok(hex(&hasher.finalize()));
        }
        hasher.update(&buffer[..n]);
    }
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Download URL of one file (honours `SAFETYWASHING_DATA_URL`).
pub fn url(file: PaperFile) -> String {
    let base = std::env::var(URL_ENV).unwrap_or_else(|_| PAPER_BASE_URL.to_string());
    format!("{}/{}", base.trim_end_matches('/'), file.name)
}

/// What happened to one file during [`ensure`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileStatus {
    /// Already present with the right checksum.
    Present(PathBuf),
    /// Downloaded and verified just now.
    Downloaded(PathBuf),
}

impl FileStatus {
    /// The verified file.
    pub fn path(&self) -> &Path {
        match self {
            FileStatus::Present(p) | FileStatus::Downloaded(p) => p,
        }
    }
}

/// Check one present file against its pinned checksum.
pub fn verify(path: &Path, file: PaperFile) -> Result<(), DataError> {
    let found = sha256_file(path).map_err(|error| DataError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    if found != file.sha256 {
        return Err(DataError::Checksum {
            path: path.display().to_string(),
            expected: file.sha256,
            found,
        });
    }
    Ok(())
}

/// Make sure every paper file is present and verified, downloading into the
/// cache what is missing (or, with `force`, everything). Files in a
/// `SAFETYWASHING_DATA` folder are only verified.
pub fn ensure(force: bool) -> Result<Vec<FileStatus>, DataError> {
    ensure_with(force, &mut |_| {})
}

/// A download about to start: which file, from where, to where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// The file.
    pub file: PaperFile,
    /// The URL it comes from.
    pub url: String,
    /// Where the verified copy will be kept.
    pub path: PathBuf,
}

/// [`ensure`], calling `before_download` before each download so a caller
/// can say what is fetched from where (the library itself never prints).
pub fn ensure_with(
    force: bool,
    before_download: &mut dyn FnMut(&Download),
) -> Result<Vec<FileStatus>, DataError> {
    let dir = data_dir()?;
    PAPER_FILES
        .iter()
        .map(|&file| ensure_file(&dir, file, force, before_download))
        .collect()
}

fn ensure_file(
    dir: &DataDir,
    file: PaperFile,
    force: bool,
    before_download: &mut dyn FnMut(&Download),
) -> Result<FileStatus, DataError> {
    let path = dir.file(file);
    match dir {
        DataDir::User(_) => {
            if !path.exists() {
                return Err(DataError::Missing { path });
            }
            verify(&path, file)?;
            Ok(FileStatus::Present(path))
        }
        DataDir::Cache(folder) => {
            if !force && path.exists() && verify(&path, file).is_ok() {
                return Ok(FileStatus::Present(path));
            }
            before_download(&Download {
                file,
                url: url(file),
                path: path.clone(),
            });
            let bytes = download(&url(file))?;
            let found = sha256_hex(&bytes);
            if found != file.sha256 {
                return Err(DataError::Checksum {
                    path: url(file),
                    expected: file.sha256,
                    found,
                });
            }
            let io = |error| DataError::Io {
                path: path.clone(),
                error,
            };
            std::fs::create_dir_all(folder).map_err(io)?;
            write_atomic(&path, &bytes).map_err(io)?;
            Ok(FileStatus::Downloaded(path))
        }
    }
}

#[cfg(not(feature = "download"))]
fn download(url: &str) -> Result<Vec<u8>, DataError> {
    Err(DataError::Download {
        url: url.to_string(),
        reason: "this build of the library has no download support (cargo feature `download`)"
            .to_string(),
    })
}

#[cfg(feature = "download")]
fn download(url: &str) -> Result<Vec<u8>, DataError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(60)))
        .build()
        .into();
    let failed = |reason: String| DataError::Download {
        url: url.to_string(),
        reason,
    };
    let mut response = agent.get(url).call().map_err(|e| failed(e.to_string()))?;
    response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_vec()
        .map_err(|e| failed(e.to_string()))
}

/// The verified paths of the base matrix, chat matrix and info table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperData {
    /// `benchmarks_base_models.csv`.
    pub base: PathBuf,
    /// `benchmarks_chat_models.csv`.
    pub chat: PathBuf,
    /// `benchmarks_info.csv`.
    pub info: PathBuf,
}

/// The paper's data, fetched first when needed.
pub fn paper_data() -> Result<PaperData, DataError> {
    paper_data_with(&mut |_| {})
}

/// [`paper_data`], calling `before_download` before each download.
pub fn paper_data_with(before_download: &mut dyn FnMut(&Download)) -> Result<PaperData, DataError> {
    let files = ensure_with(false, before_download)?;
    Ok(PaperData {
        base: files[0].path().to_path_buf(),
        chat: files[1].path().to_path_buf(),
        info: files[2].path().to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_empty_input() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn a_modified_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(INFO_TABLE.name);
        std::fs::write(&path, b"benchmark,name,metric\n").unwrap();
        let err = verify(&path, INFO_TABLE).unwrap_err().to_string();
        assert!(err.contains("not the pinned release"), "{err}");
    }
}
