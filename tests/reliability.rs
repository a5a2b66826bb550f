//! Reliability against unlucky destinations and concurrent runs (issue 16):
//! outputs that are devices, FIFOs, links or read-only files; two edits of
//! one matrix at once; an output that is also an input.

use crate::common;
use crate::common::{bin, stderr_of};
use crate::support::fixture;
use assert_cmd::Command;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// `analyze` of the fixture to `out` (CSV).
fn analyze_to(matrix: &Path, out: &Path) -> Command {
    let mut c = bin();
    c.arg("analyze")
        .arg(matrix)
        .args([
            "--capabilities",
            fixture::CAPABILITIES,
            "--format",
            "csv",
            "-o",
        ])
        .arg(out);
    c
}

fn cstr(p: &Path) -> std::ffi::CString {
    std::ffi::CString::new(p.as_os_str().as_bytes()).unwrap()
}

/// A scores file for `add`: every fixture model, one score each.
fn write_scores(dir: &Path, name: &str, offset: f64) -> PathBuf {
    let mut s = String::from("model,score\n");
    for line in fixture::matrix_csv().lines().skip(1) {
        let model = line.split(',').next().unwrap();
        s.push_str(&format!(
            "{model},{}\n",
            offset + model.len() as f64 / 100.0
        ));
    }
    let p = dir.join(name);
    std::fs::write(&p, s).unwrap();
    p
}

#[test]
fn character_device_output_is_written_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let (matrix, _) = fixture::write(dir.path());
    // A private copy of /dev/null (char 1:3), never the real one.
    let node = dir.path().join("null");
    if !private_null(&node) {
        return;
    }
    analyze_to(&matrix, &node).assert().success();
    let meta = std::fs::symlink_metadata(&node).unwrap();
    assert!(meta.file_type().is_char_device(), "the device was replaced");
    assert_eq!(meta.rdev(), libc::makedev(1, 3));
}

#[test]
fn fifo_output_reaches_the_reader() {
    let dir = tempfile::tempdir().unwrap();
    let (matrix, _) = fixture::write(dir.path());
    let fifo = dir.path().join("pipe");
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(cstr(&fifo).as_ptr(), 0o644) }, 0);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    analyze_to(&matrix, &fifo).assert().success();
    let text = reader.join().unwrap();
    assert!(
        text.contains("capabilities_correlation") || text.contains("tracks"),
        "{text}"
    );
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
}

#[test]
fn symlinked_output_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let (matrix, _) = fixture::write(dir.path());
    std::fs::create_dir(dir.path().join("results")).unwrap();
    let target = dir.path().join("results/out.csv");
    std::fs::write(&target, "old").unwrap();
    let link = dir.path().join("out.csv");
    std::os::unix::fs::symlink("results/out.csv", &link).unwrap();
    analyze_to(&matrix, &link).assert().success();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(std::fs::read_to_string(&target).unwrap().contains("tracks"));
}

#[test]
fn add_keeps_hard_links_mode_and_symlinks() {
    let dir = tempfile::tempdir().unwrap();
    let (matrix, _) = fixture::write(dir.path());
    let scores = write_scores(dir.path(), "new.csv", 0.1);
    let twin = dir.path().join("twin.csv");
    std::fs::hard_link(&matrix, &twin).unwrap();
    std::fs::set_permissions(&matrix, std::fs::Permissions::from_mode(0o640)).unwrap();
    let inode = std::fs::metadata(&matrix).unwrap().ino();
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink("fixture_matrix.csv", &link).unwrap();
    bin()
        .arg("add")
        .arg(&link)
        .arg("--from")
        .arg(&scores)
        .args(["--benchmark", "added"])
        .assert()
        .success();
    let meta = std::fs::metadata(&matrix).unwrap();
    assert_eq!(meta.ino(), inode, "the hard link was split");
    assert_eq!(meta.permissions().mode() & 0o777, 0o640);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let twin_text = std::fs::read_to_string(&twin).unwrap();
    assert!(
        twin_text.lines().next().unwrap().ends_with(",added"),
        "{twin_text}"
    );
}

#[test]
fn read_only_matrix_is_refused_by_name_even_as_root() {
    let dir = tempfile::tempdir().unwrap();
    let (matrix, _) = fixture::write(dir.path());
    let scores = write_scores(dir.path(), "new.csv", 0.1);
    std::fs::set_permissions(&matrix, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = std::fs::read(&matrix).unwrap();
    let out = bin()
        .arg("add")
        .arg(&matrix)
        .arg("--from")
        .arg(&scores)
        .args(["--benchmark", "added"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("fixture_matrix.csv") && err.contains("read-only"),
        "{err}"
    );
    assert_eq!(std::fs::read(&matrix).unwrap(), before);
}

#[test]
fn concurrent_adds_lose_no_column() {
    let dir = tempfile::tempdir().unwrap();
    let (matrix, _) = fixture::write(dir.path());
    let runs: Vec<_> = (0..6)
        .map(|i| {
            let scores = write_scores(dir.path(), &format!("new{i}.csv"), i as f64);
            std::process::Command::new(env!("CARGO_BIN_EXE_safetywashing"))
                .arg("add")
                .arg(&matrix)
                .arg("--from")
                .arg(&scores)
                .args(["--benchmark", &format!("added{i}")])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for run in runs {
        let out = run.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
    }
    let text = std::fs::read_to_string(&matrix).unwrap();
    let header = text.lines().next().unwrap();
    for i in 0..6 {
        assert!(
            header.split(',').any(|h| h == format!("added{i}")),
            "{header}"
        );
    }
    // Every row has the new cells: no edit worked from a stale copy.
    let width = header.split(',').count();
    assert!(
        text.lines().all(|l| l.split(',').count() == width),
        "{text}"
    );
    // No temporary file was left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn output_hard_linked_to_the_input_is_refused_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let (matrix, _) = fixture::write(dir.path());
    let twin = dir.path().join("twin.csv");
    std::fs::hard_link(&matrix, &twin).unwrap();
    let before = std::fs::read(&matrix).unwrap();
    let out = analyze_to(&matrix, &twin).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("MATRIX") && err.contains("--output") && err.contains("same file"),
        "{err}"
    );
    assert_eq!(std::fs::read(&matrix).unwrap(), before);
}

/// A private character device like /dev/null (1:3) at `path`; `false`
/// when this process may not make one (not root).
fn private_null(path: &Path) -> bool {
    // SAFETY: a valid NUL-terminated path.
    let made = unsafe {
        libc::mknod(
            cstr(path).as_ptr(),
            libc::S_IFCHR | 0o666,
            libc::makedev(1, 3),
        )
    };
    if made != 0 {
        eprintln!(
            "skipped: mknod needs root ({})",
            std::io::Error::last_os_error()
        );
    }
    made == 0
}

#[test]
fn two_outputs_may_share_a_device_but_not_a_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let simulate = |out: &Path| {
        let mut c = bin();
        c.args(["simulate", "--models", "20", "--benchmarks", "13", "-o"])
            .arg(out)
            .arg("--truth")
            .arg(out)
            .timeout(std::time::Duration::from_secs(60));
        c
    };
    // /dev/null twice is a way to discard both: nothing is overwritten.
    let null = dir.path().join("null");
    if private_null(&null) {
        simulate(&null).assert().success();
        assert!(
            std::fs::symlink_metadata(&null)
                .unwrap()
                .file_type()
                .is_char_device()
        );
    }
    // A FIFO's reader would see the end of the first output and be gone
    // before the second: refused up front, nothing opened (so no hang).
    let fifo = dir.path().join("pipe");
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(cstr(&fifo).as_ptr(), 0o644) }, 0);
    let out = simulate(&fifo).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("--output") && err.contains("--truth") && err.contains("same file"),
        "{err}"
    );
}

#[test]
fn a_broken_symbolic_link_as_input_is_named_as_one() {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("gone.csv", dir.path().join("m.csv")).unwrap();
    let out = bin()
        .current_dir(dir.path())
        .args(["analyze", "m.csv", "--capabilities", "a,b"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr_of(&out),
        "error: m.csv: a symbolic link to gone.csv, which does not exist\n"
    );
}

/// Copy a committed lm-eval output folder into `dir/out`, and put a link
/// back to `dir` inside it.
fn lm_eval_folder_with_loop(dir: &Path) -> PathBuf {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lm-eval-0.4.2");
    let run = dir.join("out/EleutherAI__pythia-160m");
    std::fs::create_dir_all(&run).unwrap();
    std::fs::copy(
        fixtures.join("EleutherAI__pythia-160m/results.json"),
        run.join("results.json"),
    )
    .unwrap();
    std::os::unix::fs::symlink("../..", run.join("back")).unwrap();
    dir.join("out")
}

#[test]
fn a_symlink_loop_in_an_import_folder_is_walked_once_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = lm_eval_folder_with_loop(dir.path());
    let out = bin()
        .args(["import", "lm-eval"])
        .arg(&out_dir)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("note: skipped") && err.contains("back"),
        "{err}"
    );
    // One file, one model row.
    assert_eq!(err.matches(": using ").count(), 1, "{err}");
    let matrix = common::stdout_of(&out);
    assert_eq!(matrix.lines().count(), 2, "{matrix}");
}

#[test]
fn a_symlink_loop_in_an_inspect_folder_ends() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs/a/b");
    std::fs::create_dir_all(&logs).unwrap();
    std::os::unix::fs::symlink("../..", logs.join("up")).unwrap();
    let out = bin()
        .args(["import", "inspect"])
        .arg(dir.path().join("logs"))
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("note: skipped") && err.contains("up"), "{err}");
}

/// Run the binary in `dir` under a 2 GB address-space limit (`ulimit -v`).
fn under_2gb(dir: &Path, args: &[&str]) -> std::process::Output {
    under_limit(dir, 2_000_000, args)
}

/// Run the binary in `dir` under an address-space limit of `kib` KiB.
fn under_limit(dir: &Path, kib: u64, args: &[&str]) -> std::process::Output {
    let script = format!(
        "ulimit -v {kib} && exec \"$0\" {}",
        args.iter()
            .map(|a| format!("'{a}'"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_safetywashing"))
        .current_dir(dir)
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap()
}

/// Exit 2 with one `error:` line naming the memory needed, no abort.
fn assert_refused_for_memory(out: &std::process::Output, what: &str) {
    let err = stderr_of(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("error: not enough memory for") && err.contains(what),
        "{err}"
    );
    assert!(err.contains(" GB") || err.contains(" TB"), "{err}");
    assert_eq!(
        err.lines().filter(|l| l.starts_with("error:")).count(),
        1,
        "{err}"
    );
    assert!(
        !err.contains("backtrace") && !err.contains("memory allocation of"),
        "{err}"
    );
}

#[test]
fn a_huge_simulation_is_refused_before_it_starts() {
    let dir = tempfile::tempdir().unwrap();
    let out = under_2gb(
        dir.path(),
        &["simulate", "--models", "100000000", "--benchmarks", "100"],
    );
    assert_refused_for_memory(&out, "100000000 models × 100 benchmarks");
}

#[test]
fn ten_million_bootstrap_resamples_are_refused_before_they_run() {
    let dir = tempfile::tempdir().unwrap();
    let (matrix, _) = fixture::write(dir.path());
    let started = std::time::Instant::now();
    let out = under_2gb(
        dir.path(),
        &[
            "analyze",
            matrix.to_str().unwrap(),
            "--capabilities",
            fixture::CAPABILITIES,
            "--bootstrap",
            "10000000",
        ],
    );
    assert_refused_for_memory(&out, "10000000 bootstrap resamples");
    assert!(
        started.elapsed().as_secs() < 30,
        "ran {:?} before refusing",
        started.elapsed()
    );
}

#[test]
fn twenty_thousand_capability_benchmarks_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let k = 20_000;
    let names: Vec<String> = (0..k).map(|i| format!("c{i}")).collect();
    let mut text = format!("model,{}\n", names.join(","));
    for m in 0..4 {
        let row: Vec<String> = (0..k)
            .map(|i| ((i * 7 + m * 13) % 101).to_string())
            .collect();
        text.push_str(&format!("m{m},{}\n", row.join(",")));
    }
    std::fs::write(dir.path().join("wide.csv"), text).unwrap();
    let caps = names.join(",");
    let out = under_2gb(
        dir.path(),
        &["analyze", "wide.csv", "--capabilities", &caps],
    );
    assert_refused_for_memory(&out, "correlation matrix of 20000 capability benchmarks");
}

#[test]
fn a_file_too_big_to_read_is_refused_by_every_reader() {
    let dir = tempfile::tempdir().unwrap();
    // 1.4 GB long, but sparse: it takes no disk, and is refused unread.
    let big = std::fs::File::create(dir.path().join("big.csv")).unwrap();
    big.set_len(1_400_000_000).unwrap();
    std::fs::create_dir_all(dir.path().join("out/org__m")).unwrap();
    std::fs::hard_link(
        dir.path().join("big.csv"),
        dir.path()
            .join("out/org__m/results_2026-01-01T00-00-00.json"),
    )
    .unwrap();
    std::fs::write(dir.path().join("small.csv"), fixture::matrix_csv()).unwrap();
    let caps = fixture::CAPABILITIES;
    let runs: [&[&str]; 11] = [
        &["validate", "big.csv"],
        &["merge", "small.csv", "big.csv"],
        &["analyze", "big.csv", "--capabilities", caps],
        &[
            "analyze",
            "small.csv",
            "--capabilities",
            caps,
            "--info",
            "big.csv",
        ],
        &["validate", "small.csv", "--info", "big.csv"],
        &["merge", "small.csv", "small.csv", "--aliases", "big.csv"],
        &[
            "check",
            "big.csv",
            "--against",
            "small.csv",
            "--capabilities",
            caps,
        ],
        &[
            "score",
            "small.csv",
            "--against",
            "big.csv",
            "--capabilities",
            caps,
        ],
        &["add", "small.csv", "--from", "big.csv", "--benchmark", "x"],
        &[
            "import",
            "long",
            "big.csv",
            "--model-col",
            "m",
            "--benchmark-col",
            "b",
            "--score-col",
            "s",
        ],
        &["import", "lm-eval", "out"],
    ];
    for args in runs {
        let out = under_2gb(dir.path(), args);
        let what = if args[1] == "lm-eval" {
            "reading out/org__m/results_2026-01-01T00-00-00.json (1.4 GB)"
        } else {
            "reading big.csv (1.4 GB)"
        };
        assert_refused_for_memory(&out, what);
    }
}

#[test]
fn a_samples_line_too_long_for_memory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    // One 1.4 GB line (sparse: no disk), no line break.
    let big = std::fs::File::create(dir.path().join("samples_t.jsonl")).unwrap();
    big.set_len(1_400_000_000).unwrap();
    let out = under_2gb(dir.path(), &["calibrate", "samples_t.jsonl"]);
    assert_refused_for_memory(&out, "line 1 of samples_t.jsonl");
}

#[test]
fn a_samples_line_with_three_million_choices_is_an_error_not_an_abort() {
    let dir = tempfile::tempdir().unwrap();
    let mut line = b"{\"target\":0,\"filtered_resps\":[[-1.5,false]".to_vec();
    line.extend(b",[-2.5,false]".repeat(2_999_999));
    line.extend(b"]}\n");
    std::fs::write(dir.path().join("samples_t.jsonl"), line).unwrap();
    let out = under_2gb(dir.path(), &["calibrate", "samples_t.jsonl"]);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(
        err.trim_end(),
        "error: samples_t.jsonl:1: 3000000 choices: at most 65535 are supported"
    );
}

#[test]
fn a_samples_store_too_big_for_memory_is_an_error() {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt;
    let dir = tempfile::tempdir().unwrap();
    // Sample lines streamed through a FIFO (nothing on disk): 60,000
    // choices written `[0]`, 4 bytes a choice in the stream and in the
    // store, so under a 96 MiB limit the store runs out after well under
    // 1 GB of stream.
    let fifo = dir.path().join("samples_t.jsonl");
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(cstr(&fifo).as_ptr(), 0o644) }, 0);
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut line = b"{\"target\":0,\"filtered_resps\":[[0]".to_vec();
            line.extend(b",[0]".repeat(59_999));
            line.extend(b"]}\n");
            let mut pipe = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
            // Until the reader stops (a broken pipe) or 1 GB is written.
            for _ in 0..(1 << 30) / line.len() {
                if pipe.write_all(&line).is_err() {
                    break;
                }
            }
        })
    };
    let out = under_limit(dir.path(), 96 * 1024, &["calibrate", "samples_t.jsonl"]);
    // A writer still waiting for a reader (the run never opened the FIFO)
    // is released by a reader that opens and leaves.
    drop(
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&fifo),
    );
    writer.join().unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with(
            "error: not enough memory for the per-sample store of samples_t.jsonl at line "
        ) && err.contains("split it by lines"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// Names from an info table that try HTML, a link and terminal escapes.
const HOSTILE_INFO: &str = "benchmark,name,metric\n\
    tracks,[click](javascript:alert(1)) <img src=x onerror=alert(1)> <script>x</script> a|b & \u{1b}]0;t\u{7},Score \u{1b}[31m(↑)\n";

/// What no Markdown written from data may hold.
fn assert_markdown_is_inert(md: &str) {
    // An escaped bracket (`\]`) starts no link.
    let unescaped = md.replace("\\]", "");
    for bad in ["<script", "<img", "](javascript:", "\u{1b}", "\u{7}", "a|b"] {
        assert!(!unescaped.contains(bad), "Markdown holds {bad:?}:\n{md}");
    }
    assert!(
        md.contains("&lt;script&gt;") && md.contains("a\\|b &amp;"),
        "{md}"
    );
}

#[test]
fn markdown_outputs_escape_html_pipes_links_and_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let (matrix, _) = fixture::write(dir.path());
    let info = dir.path().join("hostile_info.csv");
    std::fs::write(&info, HOSTILE_INFO).unwrap();
    let analyze = bin()
        .arg("analyze")
        .arg(&matrix)
        .args([
            "--capabilities",
            fixture::CAPABILITIES,
            "--format",
            "markdown",
            "--info",
        ])
        .arg(&info)
        .output()
        .unwrap();
    assert!(analyze.status.success(), "{}", stderr_of(&analyze));
    assert_markdown_is_inert(&common::stdout_of(&analyze));
    let report = dir.path().join("report.md");
    bin()
        .arg("report")
        .arg(&matrix)
        .args(["--capabilities", fixture::CAPABILITIES, "--info"])
        .arg(&info)
        .arg("-o")
        .arg(&report)
        .assert()
        .success();
    let md = std::fs::read_to_string(&report).unwrap();
    assert_markdown_is_inert(&md);
    // The only links are the report's own figures.
    for line in md.lines().filter(|l| l.replace("\\]", "").contains("](")) {
        assert!(line.starts_with("![") && line.ends_with(".svg)"), "{line}");
    }
}
