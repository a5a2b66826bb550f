//! The HTML report in a real browser: headless Chromium renders it to a PNG
//! and dumps the DOM after its script ran. The DOM must hold one benchmark
//! table per matrix with a row per benchmark, the sort script must have run
//! without errors and sorted the first table when its header was clicked
//! (the page's `#selftest` hook clicks it), and the screenshot must not be
//! blank.
//!
//! Without Chromium the tests print a visible `SKIPPED` line, unless
//! `SAFETYWASHING_REQUIRE_BROWSER=1` (set by `.ci/run`, which installs
//! Debian's `chromium`), in which case they fail. `SAFETYWASHING_CHROMIUM`
//! names the browser binary when it is not `chromium` on the PATH.

use crate::common;
use crate::support::fixture;

use assert_cmd::Command;
use safetywashing::load::{MatrixFormat, load_matrix};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// The browser binary, or `None` (after saying why) when there is none.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SAFETYWASHING_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    common::skip(
        "no chromium on PATH (install Debian's chromium or set SAFETYWASHING_CHROMIUM)",
        "SAFETYWASHING_REQUIRE_BROWSER",
    );
    None
}

/// Run headless Chromium on `url` with `extra` flags and a fresh profile;
/// returns its standard output.
fn headless(browser: &Path, profile: &Path, extra: &[String], url: &str) -> Vec<u8> {
    let mut child = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut out).unwrap();
        out
    });
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium failed: {status}");
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 180 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().unwrap()
}

/// One `<table class="sortable benchmarks" …>` of the DOM: its opening tag
/// and the first-cell sort values of its body rows.
struct Table {
    open_tag: String,
    names: Vec<String>,
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].to_string())
}

fn benchmark_tables(dom: &str) -> Vec<Table> {
    let mut tables = Vec::new();
    let mut rest = dom;
    while let Some(i) = rest.find("<table class=\"sortable benchmarks\"") {
        let table = &rest[i..];
        let end = table.find("</table>").expect("table closes");
        let body = &table[..end];
        let open_tag = body[..body.find('>').unwrap() + 1].to_string();
        let tbody = &body[body.find("<tbody>").expect("tbody")..];
        let names = tbody
            .split("<tr")
            .skip(1)
            .map(|row| attribute(row, "data-value").unwrap_or_default())
            .collect();
        tables.push(Table { open_tag, names });
        rest = &table[end..];
    }
    tables
}

/// Share of pixels that differ from the most common colour, and the number
/// of distinct colours.
fn ink(png_bytes: &[u8]) -> (f64, usize) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut buf).unwrap();
    let step = frame.color_type.samples();
    let mut counts = std::collections::HashMap::new();
    for px in buf[..frame.buffer_size()].chunks(step) {
        *counts.entry(px[..3].to_vec()).or_insert(0usize) += 1;
    }
    let total: usize = counts.values().sum();
    let background = counts.values().copied().max().unwrap_or(0);
    (1.0 - background as f64 / total as f64, counts.len())
}

/// Write the report, open it in the browser, check DOM and screenshot;
/// `rows` is the expected row count of each matrix's table.
fn check_report(browser: &Path, dir: &Path, report_args: &[String], rows: &[usize]) {
    let html = dir.join("report.html");
    Command::cargo_bin("safetywashing")
        .unwrap()
        .args(report_args)
        .arg("-o")
        .arg(&html)
        .assert()
        .success();
    let url = format!("file://{}", html.display());

    let dom = headless(
        browser,
        &dir.join("profile-dom"),
        &["--dump-dom".to_string()],
        &format!("{url}#selftest"),
    );
    let dom = String::from_utf8(dom).expect("DOM is UTF-8");
    assert!(
        dom.contains("data-sort-script=\"ok\""),
        "the sort script did not run cleanly"
    );
    assert!(
        dom.contains("data-selftest=\"ok\""),
        "clicking the name header did not sort"
    );
    let tables = benchmark_tables(&dom);
    assert_eq!(tables.len(), rows.len(), "one benchmark table per matrix");
    for (t, &want) in tables.iter().zip(rows) {
        assert_eq!(t.names.len(), want, "rows of {}", t.open_tag);
        assert_eq!(attribute(&t.open_tag, "data-rows"), Some(want.to_string()));
        assert_eq!(
            attribute(&t.open_tag, "data-sortable").as_deref(),
            Some("ready")
        );
    }
    // The self-test clicked the first table's name header: rows now by name.
    let names = &tables[0].names;
    assert!(
        names.windows(2).all(|w| w[0] <= w[1]),
        "not sorted by name: {names:?}"
    );
    // The other tables keep the server-side order (capabilities, descending).
    assert!(dom.matches("<button type=\"button\">").count() >= 6 * rows.len());

    let shot = dir.join("report.png");
    headless(
        browser,
        &dir.join("profile-shot"),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,1800".to_string(),
        ],
        &url,
    );
    let (share, colours) = ink(&std::fs::read(&shot).expect("screenshot written"));
    assert!(
        share > 0.03,
        "screenshot nearly blank: {:.1}% ink",
        share * 100.0
    );
    assert!(colours > 20, "screenshot has only {colours} colours");
}

#[test]
fn report_of_a_small_matrix_works_in_chromium() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (matrix, info) = fixture::write(dir.path());
    let args: Vec<String> = vec![
        "report".into(),
        matrix.display().to_string(),
        "--info".into(),
        info.display().to_string(),
        "--capabilities".into(),
        fixture::CAPABILITIES.into(),
    ];
    check_report(&browser, dir.path(), &args, &[fixture::BENCHMARKS]);
}

#[test]
fn report_of_the_paper_data_works_in_chromium() {
    with_shared!(shared => {
        let Some(browser) = chromium() else { return };
        let paper = common::paper_dir(&shared);
        let rows: Vec<usize> = ["benchmarks_base_models.csv", "benchmarks_chat_models.csv"]
            .iter()
            .map(|f| load_matrix(&paper.join(f), &MatrixFormat::default()).unwrap().benchmarks.len())
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let args: Vec<String> = vec![
            "report".into(),
            paper.join("benchmarks_base_models.csv").display().to_string(),
            paper.join("benchmarks_chat_models.csv").display().to_string(),
            "--info".into(),
            paper.join("benchmarks_info.csv").display().to_string(),
        ];
        check_report(&browser, dir.path(), &args, &rows);
    });
}
