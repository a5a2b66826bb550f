//! Writes that lose nothing: the binary's `--output` goes through the atomic
//! writer, so a failed or interrupted write leaves the previous file
//! byte-identical. Each test puts a known previous file in place, makes the
//! next write fail in a real way, and compares bytes.
//!
//! - a file-size limit (`ulimit -f`, as a full disk would) in a subprocess;
//! - SIGKILL while a large output is being written, and SIGTERM (whose
//!   handler also removes the temporary file);
//! - a stale temporary file of a killed run, removed by the next write;
//! - a destination that is a folder (refused before anything is written).
//!
//! A rename failing over an existing file is tested in `src/atomic.rs`,
//! where the rename step can be made to fail directly.

use crate::common;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PREVIOUS: &[u8] = b"{\"previous\": \"output, which must survive\"}\n";

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_safetywashing"))
}

/// A scratch folder on the same disk as the build (not a RAM-backed /tmp),
/// so syncing a large file takes real time.
fn scratch() -> tempfile::TempDir {
    tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap()
}

/// A valid matrix of `models` rows whose ids are `id_len` characters long;
/// `analyze --format json` lists every id twice, so the output is large.
fn write_matrix(path: &Path, models: usize, id_len: usize) {
    let mut text = String::with_capacity(models * (id_len + 40));
    text.push_str("model,a,b,c,s\n");
    for i in 0..models {
        // Deterministic, non-constant, not perfectly correlated values.
        let a = (i * 7919) % 1000;
        let b = (i * 104_729 + 13) % 997;
        let c = (i * 1_299_709 + 7) % 991;
        let s = (i * 15_485_863 + 3) % 983;
        let _ = writeln!(text, "{i:0>id_len$},{a},{b},{c},{s}");
    }
    std::fs::write(path, text).unwrap();
}

fn analyze_args(input: &Path, output: &Path) -> Vec<String> {
    [
        "analyze",
        input.to_str().unwrap(),
        "--capabilities",
        "a,b,c",
        "--format",
        "json",
        "--output",
        output.to_str().unwrap(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Names in `dir` other than `keep`.
fn other_entries(dir: &Path, keep: &[&str]) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !keep.contains(&n.as_str()))
        .collect()
}

/// Run `analyze` from `input` to `output`; it must succeed.
fn analyze_ok(input: &Path, output: &Path) {
    let out = Command::new(binary())
        .args(analyze_args(input, output))
        .output()
        .unwrap();
    let stderr = common::stderr_of(&out);
    assert!(out.status.success(), "{stderr}");
}

#[test]
fn successful_output_replaces_the_file_and_leaves_no_temp_file() {
    let dir = scratch();
    let (input, output) = (dir.path().join("m.csv"), dir.path().join("out.json"));
    write_matrix(&input, 20, 8);
    std::fs::write(&output, PREVIOUS).unwrap();
    analyze_ok(&input, &output);
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&output).unwrap()).unwrap();
    assert_eq!(written["models_used"].as_array().unwrap().len(), 20);
    assert!(other_entries(dir.path(), &["m.csv", "out.json"]).is_empty());
}

#[cfg(unix)]
#[test]
fn file_size_limit_leaves_previous_output_byte_identical() {
    let dir = scratch();
    let (input, output) = (dir.path().join("m.csv"), dir.path().join("out.json"));
    write_matrix(&input, 2000, 40); // about 200 KB of JSON
    std::fs::write(&output, PREVIOUS).unwrap();
    // `ulimit -f 64`: at most 64 blocks (32 or 64 KiB) per file, as a disk
    // filling up part-way through the write would.
    let out = Command::new("sh")
        .arg("-c")
        .arg("ulimit -f 64 && exec \"$0\" \"$@\"")
        .arg(binary())
        .args(analyze_args(&input, &output))
        .output()
        .unwrap();
    let stderr = common::stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(
        stderr.contains("error: writing ") && stderr.contains("File too large"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&output).unwrap(), PREVIOUS);
    // The writer removed its temporary file.
    assert!(other_entries(dir.path(), &["m.csv", "out.json"]).is_empty());
}

/// Start `analyze` writing about 50 MB of JSON over a previous `out.json`
/// in `dir`, and return once its temporary file (`.out.json.XXXXXX.tmp`)
/// exists: from then on the process is inside the atomic write.
fn start_a_long_write(dir: &Path) -> (std::process::Child, String) {
    let (input, output) = (dir.join("m.csv"), dir.join("out.json"));
    // 150,000 models with 150-character ids: about 50 MB of JSON to write
    // and sync, so the write takes real time.
    write_matrix(&input, 150_000, 150);
    std::fs::write(&output, PREVIOUS).unwrap();
    let mut child = Command::new(binary())
        .args(analyze_args(&input, &output))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        let found = other_entries(dir, &["m.csv", "out.json"])
            .into_iter()
            .find(|n| n.starts_with(".out.json.") && n.ends_with(".tmp"));
        if let Some(name) = found {
            return (child, name);
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the process finished ({status}) before its write could be interrupted");
        }
        assert!(start.elapsed() < Duration::from_secs(300), "no write began");
        std::thread::sleep(Duration::from_micros(200));
    }
}

#[cfg(unix)]
#[test]
fn sigterm_mid_write_removes_the_temp_file_and_keeps_the_output() {
    let dir = scratch();
    let (mut child, _) = start_a_long_write(dir.path());
    // Past the microseconds between creating the file and listing it.
    std::thread::sleep(Duration::from_millis(20));
    // SAFETY: signalling our own child process.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGTERM) }, 0);
    let status = child.wait().unwrap();
    // The handler exits 128 + 15, the output as it was.
    assert_eq!(status.code(), Some(143), "{status}");
    assert_eq!(
        std::fs::read(dir.path().join("out.json")).unwrap(),
        PREVIOUS
    );
    let left = other_entries(dir.path(), &["m.csv", "out.json"]);
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn a_stale_temp_file_of_a_killed_run_is_removed_by_the_next_write() {
    let dir = scratch();
    let (input, output) = (dir.path().join("m.csv"), dir.path().join("out.json"));
    write_matrix(&input, 20, 8);
    let stale = dir.path().join(".out.json.AbC123.tmp");
    let file = std::fs::File::create(&stale).unwrap();
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    file.set_modified(hour_ago).unwrap();
    drop(file);
    // A fresh one may belong to a run writing now: it stays.
    let fresh = dir.path().join(".out.json.XyZ789.tmp");
    std::fs::write(&fresh, "").unwrap();
    analyze_ok(&input, &output);
    assert!(!stale.exists(), "the stale temporary file is still there");
    assert!(fresh.exists(), "a fresh temporary file was removed");
}

#[cfg(unix)]
#[test]
fn sigkill_mid_write_leaves_previous_output_byte_identical() {
    use std::os::unix::process::ExitStatusExt;

    let dir = scratch();
    let (mut child, temp) = start_a_long_write(dir.path());
    let output = dir.path().join("out.json");
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(9), "not killed by SIGKILL: {status}");
    assert_eq!(
        std::fs::read(&output).unwrap(),
        PREVIOUS,
        "the previous output changed"
    );
    // A killed process cannot clean up: its hidden temporary file may remain,
    // but it is never mistaken for the output.
    let left = other_entries(dir.path(), &["m.csv", "out.json"]);
    assert!(
        left.iter().all(|n| n == &temp),
        "unexpected files: {left:?}"
    );
}

#[test]
fn destination_that_cannot_be_replaced_is_left_alone() {
    let dir = scratch();
    let input = dir.path().join("m.csv");
    write_matrix(&input, 20, 8);
    let folder = dir.path().join("out.json");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("inside.txt"), PREVIOUS).unwrap();
    let out = Command::new(binary())
        .args(analyze_args(&input, &folder))
        .output()
        .unwrap();
    let stderr = common::stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("is a directory; nothing written"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(folder.join("inside.txt")).unwrap(), PREVIOUS);
    assert!(other_entries(dir.path(), &["m.csv", "out.json"]).is_empty());
}
