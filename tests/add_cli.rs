//! `safetywashing add` end to end, on a temporary copy of the paper's chat
//! matrix and info table (copied at test time from ../shared, never
//! committed): the analysis after adding is the old one plus the new
//! column, every original line's bytes survive, and a failed write leaves
//! the original intact.

use crate::common;
use crate::support::rewrite;

use assert_cmd::Command;
use safetywashing::analysis::{AnalysisOptions, analyze};
use safetywashing::load::{MatrixFormat, load_info, load_matrix};
use std::path::{Path, PathBuf};

struct Setup {
    _dir: tempfile::TempDir,
    matrix: PathBuf,
    info: PathBuf,
    new: PathBuf,
}

fn setup(shared: &Path) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let paper = common::paper_dir(shared);
    let matrix = dir.path().join("chat.csv");
    let info = dir.path().join("info.csv");
    let new = dir.path().join("new.csv");
    std::fs::copy(paper.join("benchmarks_chat_models.csv"), &matrix).unwrap();
    std::fs::copy(paper.join("benchmarks_info.csv"), &info).unwrap();
    // The shared files are read-only, and so are byte copies of them; `add`
    // refuses to rewrite a read-only file.
    for path in [&matrix, &info] {
        let mut permissions = std::fs::metadata(path).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        permissions.set_readonly(false);
        std::fs::set_permissions(path, permissions).unwrap();
    }
    rewrite::write_rewritten_column(&matrix, "truthfulqa_mc1", &new);
    Setup {
        _dir: dir,
        matrix,
        info,
        new,
    }
}

fn add(s: &Setup) -> Command {
    let mut c = common::bin();
    c.arg("add")
        .arg(&s.matrix)
        .arg("--from")
        .arg(&s.new)
        .args([
            "--benchmark",
            "tqa_copy",
            "--name",
            "TQA copy",
            "--metric",
            "Accuracy (↑)",
        ])
        .arg("--info")
        .arg(&s.info);
    c
}

/// Lines with their terminators.
fn lines(bytes: &[u8]) -> Vec<&[u8]> {
    bytes.split_inclusive(|&b| b == b'\n').collect()
}

#[test]
fn add_then_reanalyze_gives_the_old_analysis_plus_the_column() {
    with_shared!(shared => {
        let s = setup(&shared);
        let matrix_before = std::fs::read(&s.matrix).unwrap();
        let info_before = std::fs::read(&s.info).unwrap();
        let out = common::succeeded(&mut add(&s));
        let report = String::from_utf8(out.stdout).unwrap();
        assert!(report.contains("Added column 'tqa_copy'"), "{report}");
        assert!(report.contains("26 of 26 models given a value"), "{report}");
        assert!(report.contains("(org/ prefix"), "{report}");

        // Byte level: each line is the old line plus one appended cell.
        let matrix_after = std::fs::read(&s.matrix).unwrap();
        let (old, new) = (lines(&matrix_before), lines(&matrix_after));
        assert_eq!(old.len(), new.len());
        let original_cells: Vec<String> = csv::Reader::from_path(&s.new)
            .unwrap()
            .records()
            .map(|r| r.unwrap()[1].to_string())
            .collect();
        for (i, (o, n)) in old.iter().zip(&new).enumerate() {
            let body = o.strip_suffix(b"\n").unwrap_or(o);
            assert!(n.starts_with(body), "line {} changed", i + 1);
            let added = std::str::from_utf8(&n[body.len()..]).unwrap();
            let added = added.strip_suffix('\n').unwrap_or(added);
            if i == 0 {
                assert_eq!(added, ",tqa_copy");
            } else {
                // The new cell is the score file's text, byte for byte.
                assert_eq!(added, format!(",{}", original_cells[i - 1]), "line {}", i + 1);
            }
        }
        // The info table: the old bytes, then one new row.
        let info_after = std::fs::read(&s.info).unwrap();
        assert!(info_after.starts_with(&info_before));
        assert_eq!(&info_after[info_before.len()..], "tqa_copy,TQA copy,Accuracy (↑)\n".as_bytes());
        assert_eq!(load_info(&s.info).unwrap().display_name("tqa_copy"), "TQA copy");

        // Analysis: the old results unchanged, the new column equal to truthfulqa_mc1.
        let format = MatrixFormat::default();
        let paper = common::paper_dir(&shared).join("benchmarks_chat_models.csv");
        let before = analyze(&load_matrix(&paper, &format).unwrap(), &AnalysisOptions::default(), None).unwrap();
        let after = analyze(&load_matrix(&s.matrix, &format).unwrap(), &AnalysisOptions::default(), None).unwrap();
        assert_eq!(before.fit, after.fit);
        assert_eq!(after.benchmarks.len(), before.benchmarks.len() + 1);
        assert_eq!(&after.benchmarks[..before.benchmarks.len()], &before.benchmarks[..]);
        let tqa = before.benchmarks.iter().find(|b| b.benchmark == "truthfulqa_mc1").unwrap();
        let copy = after.benchmarks.last().unwrap();
        assert_eq!(copy.benchmark, "tqa_copy");
        assert_eq!(copy.capabilities_correlation, tqa.capabilities_correlation);
        assert_eq!(copy.compute_correlation, tqa.compute_correlation);

        // Adding again is refused without --replace, and changes nothing.
        let out = add(&s).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(common::stderr_of(&out).contains("already exists"));
        assert_eq!(std::fs::read(&s.matrix).unwrap(), matrix_after);
        // With --replace, the column is rewritten in place: same bytes again.
        add(&s).arg("--replace").assert().success();
        assert_eq!(std::fs::read(&s.matrix).unwrap(), matrix_after);
        assert_eq!(std::fs::read(&s.info).unwrap(), info_after);
    });
}

#[test]
fn dry_run_shows_a_diff_and_writes_nothing() {
    with_shared!(shared => {
        let s = setup(&shared);
        let before = std::fs::read(&s.matrix).unwrap();
        let info_before = std::fs::read(&s.info).unwrap();
        let out = add(&s).arg("--dry-run").output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("@@ line 1 @@\n-model,"), "{text}");
        assert!(text.contains("+tqa_copy,TQA copy,Accuracy (↑)"), "{text}");
        assert!(text.contains("Dry run: nothing written."));
        assert_eq!(std::fs::read(&s.matrix).unwrap(), before);
        assert_eq!(std::fs::read(&s.info).unwrap(), info_before);
    });
}

/// Whether this process can write into a read-only directory (root can).
fn writes_ignore_permissions(dir: &Path) -> bool {
    let probe = dir.join(".probe");
    let ok = std::fs::write(&probe, b"x").is_ok();
    let _ = std::fs::remove_file(&probe);
    ok
}

#[cfg(unix)]
#[test]
fn a_failed_write_leaves_the_original_intact() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let matrix = dir.path().join("m.csv");
    // Big enough (> 1 KiB) for the file-size limit used below to bite.
    let mut text = String::from("model,a,b\n");
    for i in 0..200 {
        text.push_str(&format!("model-{i},{}.25,{}\n", i, i % 7));
    }
    std::fs::write(&matrix, &text).unwrap();
    let new = dir.path().join("new.csv");
    std::fs::write(&new, "model,score\nmodel-1,0.5\n").unwrap();

    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    let out = if !writes_ignore_permissions(dir.path()) {
        // The temporary file cannot be created beside the matrix, so nothing
        // can be renamed over it.
        common::bin()
            .arg("add")
            .arg(&matrix)
            .arg("--from")
            .arg(&new)
            .args(["--benchmark", "nb"])
            .output()
            .unwrap()
    } else {
        // Running as root, a read-only directory stops nothing. Instead cap
        // the size of files this process may write (RLIMIT_FSIZE, which binds
        // root too) with SIGXFSZ ignored, so writing the temporary file fails
        // with an error before the rename.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        Command::new("bash")
            .arg("-c")
            .arg("trap '' XFSZ; ulimit -f 1; exec \"$0\" \"$@\"")
            .arg(assert_cmd::cargo::cargo_bin("safetywashing"))
            .arg("add")
            .arg(&matrix)
            .arg("--from")
            .arg(&new)
            .args(["--benchmark", "nb"])
            .output()
            .unwrap()
    };
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", common::stderr_of(&out));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("the original is unchanged"), "{err}");
    assert_eq!(std::fs::read_to_string(&matrix).unwrap(), text);
    // No temporary file left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn unmatched_and_ambiguous_rows_are_listed_and_left_empty() {
    let dir = tempfile::tempdir().unwrap();
    let matrix = dir.path().join("m.csv");
    std::fs::write(&matrix, "model,a\nFoo-7B,1\nfoo_7b,2\nBar,3\n").unwrap();
    let new = dir.path().join("new.csv");
    std::fs::write(&new, "model,score\nFOO 7B,0.1\nbar,0.2\nQux,0.3\n").unwrap();
    let out = common::succeeded(
        common::bin()
            .arg("add")
            .arg(&matrix)
            .arg("--from")
            .arg(&new)
            .args(["--benchmark", "nb"]),
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("1 of 3 models given a value"), "{text}");
    assert!(text.contains("Left empty: Foo-7B, foo_7b"), "{text}");
    assert!(
        text.contains("FOO 7B  ambiguous: could be Foo-7B, foo_7b"),
        "{text}"
    );
    assert!(text.contains("Qux  no match"), "{text}");
    assert_eq!(
        std::fs::read_to_string(&matrix).unwrap(),
        "model,a,nb\nFoo-7B,1,\nfoo_7b,2,\nBar,3,0.2\n"
    );
}
