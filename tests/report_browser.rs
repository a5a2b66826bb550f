//! The HTML report in a real browser: headless Chromium renders it to a PNG
//! and dumps the DOM after its script ran. The DOM must hold one benchmark
//! table (every matrix side by side) with a row per benchmark, the sort
//! script must have run without errors and sorted the table when its header
//! was clicked (the page's `#selftest` hook clicks it), and the screenshot
//! must not be blank.
//!
//! Layout is measured in the browser by a probe script of the test's own
//! (the report is shown in an `<iframe>` of the width asked for, since
//! headless Chromium's window is never narrower than 500 px): at 1400 and
//! 390 px the page has no horizontal overflow, and after the benchmark
//! table is scrolled its header is still at the top of the table's box and
//! is what a click there would hit. The filter is driven through the
//! address (`#filter=WORDS`): the rows left visible are exactly those whose
//! name, id, area or metric hold every word.
//!
//! Without Chromium the tests print a visible `SKIPPED` line, unless
//! `SAFETYWASHING_REQUIRE_BROWSER=1` (set by `.ci/run`, which installs
//! Debian's `chromium`), in which case they fail. `SAFETYWASHING_CHROMIUM`
//! names the browser binary when it is not `chromium` on the PATH.

use crate::common;
use crate::support::fixture;

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
/// and its body rows.
struct Table {
    open_tag: String,
    names: Vec<String>,
    rows: Vec<BodyRow>,
}

/// A body row: what the filter searches, and whether the row is hidden.
struct BodyRow {
    filter: String,
    hidden: bool,
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].to_string())
}

/// The opening tag at the start of `html` (quoted values may hold `>`).
fn start_tag(html: &str) -> &str {
    let mut quoted = false;
    for (i, c) in html.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '>' if !quoted => return &html[..=i],
            _ => {}
        }
    }
    html
}

/// Attribute names of an opening tag (values skipped).
fn attribute_names(tag: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = tag.trim_start_matches('<');
    rest = rest.trim_start_matches(|c: char| c.is_ascii_alphanumeric());
    loop {
        rest = rest.trim_start();
        let end = rest
            .find(|c: char| c == '=' || c == '>' || c.is_whitespace())
            .unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        names.push(rest[..end].to_string());
        rest = &rest[end..];
        if let Some(value) = rest.strip_prefix("=\"") {
            rest = &value[value.find('"').map_or(value.len(), |i| i + 1)..];
        }
    }
    names
}

/// HTML character references in attribute text decoded (the few the DOM
/// serializer writes).
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
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
        let rows = tbody
            .split("<tr")
            .skip(1)
            .map(|row| {
                let tag = start_tag(row);
                BodyRow {
                    filter: unescape(&attribute(tag, "data-filter").unwrap_or_default()),
                    hidden: attribute_names(tag).iter().any(|n| n == "hidden"),
                }
            })
            .collect();
        tables.push(Table {
            open_tag,
            names,
            rows,
        });
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

/// `report MATRIX --info INFO --capabilities CAPABILITIES`.
fn report_args(matrix: &Path, info: &Path, capabilities: &str) -> Vec<String> {
    vec![
        "report".into(),
        matrix.display().to_string(),
        "--info".into(),
        info.display().to_string(),
        "--capabilities".into(),
        capabilities.into(),
    ]
}

/// Write the report of `report_args` to `dir/report.html`.
fn write_report(dir: &Path, report_args: &[String]) -> PathBuf {
    let html = dir.join("report.html");
    common::bin()
        .args(report_args)
        .arg("-o")
        .arg(&html)
        .assert()
        .success();
    html
}

/// Open the report, check DOM and screenshot; `rows` is the expected row
/// count of the benchmark table, `matrices` the number of matrices side by
/// side in it.
fn check_report(browser: &Path, dir: &Path, html: &Path, rows: usize, matrices: usize) {
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
    assert_eq!(tables.len(), 1, "one benchmark table for all matrices");
    let t = &tables[0];
    assert_eq!(t.names.len(), rows, "rows of {}", t.open_tag);
    assert_eq!(attribute(&t.open_tag, "data-rows"), Some(rows.to_string()));
    assert_eq!(
        attribute(&t.open_tag, "data-sortable").as_deref(),
        Some("ready")
    );
    // With an empty filter every row shows.
    assert!(t.rows.iter().all(|r| !r.hidden));
    assert_eq!(attribute(&t.open_tag, "data-shown"), Some(rows.to_string()));
    // The self-test clicked the name header: rows now by name.
    let names = &t.names;
    assert!(
        names.windows(2).all(|w| w[0] <= w[1]),
        "not sorted by name: {names:?}"
    );
    // Three columns per benchmark, four per matrix, each a sort button.
    assert_eq!(
        dom.matches("<button type=\"button\">").count(),
        3 + 4 * matrices
    );

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

/// What the probe measured in the report at one width.
#[derive(Debug)]
struct Layout {
    /// The report document's scroll width and its viewport's width.
    scroll_width: f64,
    viewport_width: f64,
    /// Elements (outside scrolling boxes) reaching past the right edge.
    too_wide: String,
    /// The benchmark table box's scroll offset after scrolling it.
    scrolled: f64,
    /// Top of the table's first header cell and of its box, in the viewport.
    header_top: f64,
    box_top: f64,
    /// Whether the point at the header cell's centre hits the header.
    header_hit: bool,
    /// The viewport's height.
    viewport_height: f64,
}

/// Measures the report in `#report` (an iframe) once everything loaded, and
/// writes the numbers as attributes of the wrapper's `<html>`.
const PROBE: &str = r#"
window.addEventListener("load", function () {
  var root = document.documentElement;
  try {
    var frame = document.getElementById("report");
    var d = frame.contentDocument, w = frame.contentWindow, de = d.documentElement;
    var vw = de.clientWidth, wide = [];
    Array.prototype.forEach.call(d.body.querySelectorAll("*"), function (e) {
      var boxed = e.parentElement && e.parentElement.closest(".scroll, .table-scroll");
      if (boxed) { return; }
      var r = e.getBoundingClientRect();
      if (r.right > vw + 0.5 && wide.length < 8) {
        wide.push(e.tagName.toLowerCase() + "." + e.className + " to " + Math.round(r.right));
      }
    });
    var box = d.querySelector(".table-scroll");
    box.scrollIntoView();
    box.scrollTop = box.scrollHeight / 2;
    var th = box.querySelector("thead th");
    var t = th.getBoundingClientRect(), b = box.getBoundingClientRect();
    var hit = d.elementFromPoint(t.left + t.width / 2, t.top + t.height / 2);
    root.setAttribute("data-probe", [de.scrollWidth, vw, box.scrollTop, t.top, b.top,
      hit && hit.closest("thead") ? 1 : 0, w.innerHeight, de.getAttribute("data-sort-script")].join(" "));
    root.setAttribute("data-probe-wide", wide.join("; "));
  } catch (e) {
    root.setAttribute("data-probe-error", "" + e);
  }
});
"#;

/// Show the report in an iframe `width` px wide (900 high) and measure it.
fn layout(browser: &Path, dir: &Path, html: &Path, width: u32) -> Layout {
    let report = std::fs::read_to_string(html).unwrap();
    let srcdoc = report.replace('&', "&amp;").replace('"', "&quot;");
    let wrapper = dir.join(format!("probe-{width}.html"));
    std::fs::write(
        &wrapper,
        format!(
            "<!DOCTYPE html><html><body style=\"margin:0\">\
             <iframe id=\"report\" style=\"border:0;width:{width}px;height:900px\" \
             srcdoc=\"{srcdoc}\"></iframe><script>{PROBE}</script></body></html>"
        ),
    )
    .unwrap();
    let dom = headless(
        browser,
        &dir.join(format!("profile-probe-{width}")),
        &[
            "--dump-dom".to_string(),
            "--window-size=1600,1000".to_string(),
        ],
        &format!("file://{}", wrapper.display()),
    );
    let dom = String::from_utf8(dom).expect("DOM is UTF-8");
    let root = start_tag(&dom[dom.find("<html").expect("html element")..]).to_string();
    if let Some(e) = attribute(&root, "data-probe-error") {
        panic!("the probe failed at {width} px: {e}");
    }
    let probe = attribute(&root, "data-probe").expect("the probe ran");
    let v: Vec<&str> = probe.split(' ').collect();
    assert_eq!(v[7], "ok", "the report's script ran in the iframe");
    let f = |i: usize| v[i].parse::<f64>().unwrap();
    Layout {
        scroll_width: f(0),
        viewport_width: f(1),
        too_wide: unescape(&attribute(&root, "data-probe-wide").unwrap_or_default()),
        scrolled: f(2),
        header_top: f(3),
        box_top: f(4),
        header_hit: v[5] == "1",
        viewport_height: f(6),
    }
}

/// At 1400 and 390 px: no horizontal overflow, and the header of the
/// scrolled benchmark table in view at the top of its box.
fn check_layout(browser: &Path, dir: &Path, html: &Path) {
    for width in [1400, 390] {
        let l = layout(browser, dir, html, width);
        assert_eq!(l.viewport_width, f64::from(width), "{l:?}");
        assert!(
            l.scroll_width <= l.viewport_width,
            "at {width} px the page is {} px wide: {}",
            l.scroll_width,
            l.too_wide
        );
        assert!(l.scrolled > 100.0, "the table did not scroll: {l:?}");
        assert!(
            (l.header_top - l.box_top).abs() <= 2.0,
            "at {width} px the header left the top of the table: {l:?}"
        );
        assert!(
            l.header_hit && l.header_top >= 0.0 && l.header_top < l.viewport_height,
            "at {width} px the header is not in view: {l:?}"
        );
    }
}

/// Open the report with `#filter=WORDS` and check that exactly the rows
/// holding every word stay visible; returns how many did.
fn check_filter(browser: &Path, dir: &Path, html: &Path, words: &str) -> usize {
    let fragment = words.replace(' ', "+");
    let dom = headless(
        browser,
        &dir.join(format!("profile-filter-{fragment}")),
        &["--dump-dom".to_string()],
        &format!("file://{}#filter={fragment}", html.display()),
    );
    let dom = String::from_utf8(dom).expect("DOM is UTF-8");
    let tables = benchmark_tables(&dom);
    let t = &tables[0];
    let wanted: Vec<String> = words.split(' ').map(str::to_lowercase).collect();
    let mut shown = 0;
    for r in &t.rows {
        let matches = wanted.iter().all(|w| r.filter.contains(w.as_str()));
        assert_eq!(!r.hidden, matches, "'{words}' and the row '{}'", r.filter);
        shown += usize::from(matches);
    }
    assert_eq!(
        attribute(&t.open_tag, "data-shown"),
        Some(shown.to_string())
    );
    assert!(
        dom.contains(&format!("{shown} of {} benchmarks match", t.rows.len())),
        "the count beside the filter"
    );
    // The filter box, hidden until the script runs, is shown.
    let filter = start_tag(&dom[dom.find("<div class=\"filter\"").expect("filter box")..]);
    assert!(!attribute_names(filter).iter().any(|n| n == "hidden"));
    shown
}

/// A matrix with enough benchmarks that the table scrolls: twelve models,
/// three capability benchmarks, sixty others in two areas of the info
/// table (bias, honesty), and one model without a capability value.
fn write_tall(dir: &Path) -> (PathBuf, PathBuf) {
    let others = 60;
    let mut m = String::from("model,cap_a,cap_b,cap_c");
    let mut info = String::from(
        "benchmark,name,metric,area\ncap_a,Cap A,Accuracy,\ncap_b,Cap B,Accuracy,\ncap_c,Cap C,Accuracy,\n",
    );
    for j in 0..others {
        m.push_str(&format!(",b{j:02}"));
        let (area, name) = if j % 3 == 0 {
            ("bias", format!("Fairness probe {j}"))
        } else {
            ("honesty", format!("Truth test {j}"))
        };
        info.push_str(&format!("b{j:02},{name},Score,{area}\n"));
    }
    m.push('\n');
    for i in 0..12u64 {
        let w = |k: u64| ((i * 7919 + k * 104_729) % 97) as f64 / 97.0;
        let x = i as f64;
        let cap_a = if i == 5 {
            String::new()
        } else {
            format!("{:.4}", 0.3 + 0.05 * x + 0.1 * w(1))
        };
        m.push_str(&format!(
            "model-{i:02},{cap_a},{:.4},{:.4}",
            0.2 + 0.06 * x + 0.1 * w(2),
            0.1 + 0.04 * x + 0.1 * w(3)
        ));
        for j in 0..others {
            let slope = (j as f64 - 30.0) / 600.0;
            m.push_str(&format!(",{:.4}", 0.5 + slope * x + 0.2 * w(10 + j)));
        }
        m.push('\n');
    }
    let (mp, ip) = (dir.join("tall.csv"), dir.join("tall_info.csv"));
    std::fs::write(&mp, m).unwrap();
    std::fs::write(&ip, info).unwrap();
    (mp, ip)
}

#[test]
fn report_of_a_small_matrix_works_in_chromium() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (matrix, info) = fixture::write(dir.path());
    let html = write_report(
        dir.path(),
        &report_args(&matrix, &info, fixture::CAPABILITIES),
    );
    check_report(&browser, dir.path(), &html, fixture::BENCHMARKS, 1);
    // A name with markup in it is matched as text.
    assert_eq!(check_filter(&browser, dir.path(), &html, "<fast>"), 1);
}

#[test]
fn report_fits_390_and_1400_px_keeps_its_header_and_filters_in_chromium() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (matrix, info) = write_tall(dir.path());
    let html = write_report(
        dir.path(),
        &report_args(&matrix, &info, "cap_a,cap_b,cap_c"),
    );
    check_layout(&browser, dir.path(), &html);
    // Areas and names, one word or several; 20 of the 60 are in "bias".
    assert_eq!(check_filter(&browser, dir.path(), &html, "bias"), 20);
    assert_eq!(check_filter(&browser, dir.path(), &html, "truth 1"), 10);
    assert_eq!(
        check_filter(&browser, dir.path(), &html, "nothing-like-this"),
        0
    );
    // The model without a capability value is listed with what it lacks.
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("<tr><td>model-05</td><td>cap_a</td></tr>"),
        "the left-out model and its missing benchmark"
    );
}

#[test]
fn report_of_the_paper_data_works_in_chromium() {
    with_shared!(shared => {
        let Some(browser) = chromium() else { return };
        let paper = common::paper_dir(&shared);
        let mut ids: Vec<String> = Vec::new();
        for f in ["benchmarks_base_models.csv", "benchmarks_chat_models.csv"] {
            let m = load_matrix(&paper.join(f), &MatrixFormat::default()).unwrap();
            for b in m.benchmarks {
                if !ids.contains(&b.name) {
                    ids.push(b.name);
                }
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let args: Vec<String> = vec![
            "report".into(),
            paper.join("benchmarks_base_models.csv").display().to_string(),
            paper.join("benchmarks_chat_models.csv").display().to_string(),
            "--info".into(),
            paper.join("benchmarks_info.csv").display().to_string(),
        ];
        let html = write_report(dir.path(), &args);
        check_report(&browser, dir.path(), &html, ids.len(), 2);
        check_layout(&browser, dir.path(), &html);
        assert!(check_filter(&browser, dir.path(), &html, "truthful") > 0);
    });
}
