//! Every example the user is shown is run here, so none can drift.
//!
//! - **README**: each `$ command` line in a fenced block is run with bash in
//!   one scenario folder, in document order (a later example may read what an
//!   earlier one wrote), and its stdout and stderr together must equal the
//!   lines shown under it. A line `…` (or `...`) stands for any number of
//!   lines. A command with no lines under it must succeed; one whose shown
//!   output has an `error:` line must exit with status 2.
//! - **`--help`**: every `safetywashing …` line of every subcommand's help is
//!   run the same way. It must exit 0, or the status its comment states
//!   (`exit N`); text after `→ ` in its comment must appear in its output.
//! - **Figures**: a README sentence naming the command that drew a committed
//!   figure (`` (`safetywashing plot … -o docs/X.svg`) ``) must reproduce the
//!   file byte for byte.
//!
//! The scenario folder holds what the examples name: the paper's files and
//! `safetywashing-paper/`, a cache folder that starts empty, so the first
//! command that needs the paper's data downloads it, from a mirror of
//! `../shared` on 127.0.0.1 (`SAFETYWASHING_DATA_URL`), ObsScaling's base matrix, the shared lm-eval output as
//! `lm-eval-0.4.13/` and `out/`, the Inspect logs as `logs/`, a leaderboard
//! snapshot — all links into `../shared` — and the project's own example
//! inputs (`examples/inputs/`). With lm-eval available, `tasks/` holds two
//! tiny local tasks and the stand-in completions server runs; the README's
//! port is replaced by the server's.

use crate::common;
use crate::support::lm_eval::{Server, lm_eval, write_tasks};
use crate::support::mirror::Mirror;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Examples not run, each with why; each must match exactly one example.
const NOT_RUN: [(&str, &str); 3] = [
    (
        "--backend vllm",
        "needs a GPU and a model download from the Hugging Face Hub",
    ),
    (
        "--tasks piqa,arc_challenge",
        "downloads the tasks' datasets from the Hugging Face Hub",
    ),
    (
        "score eval/matrix.csv",
        "reads what the evaluate examples above it wrote",
    ),
];

/// One example: where it is, the command, the output lines shown for it.
#[derive(Debug)]
struct Example {
    origin: String,
    /// The fenced block it is in (README), so that when one example is
    /// skipped the ones after it in its block, which may read its output,
    /// are skipped too.
    block: usize,
    command: String,
    shown: Vec<String>,
}

/// The `$ …` examples of fenced blocks in a Markdown text.
fn readme_examples(text: &str) -> Vec<Example> {
    let mut examples: Vec<Example> = Vec::new();
    let mut in_fence = false;
    let mut block = 0;
    let mut current: Option<Example> = None;
    let mut lines = text.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        if line.starts_with("```") {
            in_fence = !in_fence;
            block += 1;
            examples.extend(current.take());
            continue;
        }
        if !in_fence {
            continue;
        }
        if let Some(command) = line.strip_prefix("$ ") {
            examples.extend(current.take());
            let mut command = command.to_string();
            while command.ends_with('\\') {
                let Some((_, next)) = lines.next() else { break };
                command.push('\n');
                command.push_str(next);
            }
            current = Some(Example {
                origin: format!("README.md:{}", i + 1),
                block,
                command,
                shown: Vec::new(),
            });
        } else if let Some(example) = current.as_mut() {
            example.shown.push(line.to_string());
        }
    }
    examples.extend(current);
    examples
}

/// Whether a shown line stands for any number of lines.
fn is_elision(line: &str) -> bool {
    matches!(line.trim(), "…" | "...")
}

/// Whether one actual line is what a shown line shows: equal but for
/// trailing spaces, where a `…` inside the shown line stands for any text.
fn line_matches(shown: &str, actual: &str) -> bool {
    let (shown, actual) = (shown.trim_end(), actual.trim_end());
    let mut pieces = shown.split('…');
    let first = pieces.next().unwrap_or_default();
    let Some(mut rest) = actual.strip_prefix(first) else {
        return false;
    };
    let pieces: Vec<&str> = pieces.collect();
    let Some((last, middle)) = pieces.split_last() else {
        return rest.is_empty();
    };
    for piece in middle {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// Whether `actual` is what `shown` shows (elision lines match any run of
/// lines; see [`line_matches`] for one line).
fn output_matches(shown: &[String], actual: &[&str]) -> bool {
    // match_from[j]: whether shown[i..] matches actual[j..], built from the end.
    let n = actual.len();
    let mut next = vec![false; n + 1];
    next[n] = true;
    for line in shown.iter().rev() {
        let mut here = vec![false; n + 1];
        for j in (0..=n).rev() {
            here[j] = if is_elision(line) {
                next[j] || (j < n && here[j + 1])
            } else {
                j < n && line_matches(line, actual[j]) && next[j + 1]
            };
        }
        next = here;
    }
    next[0]
}

/// The folder the examples run in, and the server evaluate talks to.
struct Scenario {
    dir: tempfile::TempDir,
    server: Option<Server>,
    lm_eval: Option<PathBuf>,
    mirror: Mirror,
}

fn link(target: &Path, name: &Path) {
    std::os::unix::fs::symlink(target, name)
        .unwrap_or_else(|e| panic!("link {} → {}: {e}", name.display(), target.display()));
}

impl Scenario {
    fn new(shared: &Path, with_lm_eval: bool) -> Scenario {
        let dir = tempfile::tempdir().unwrap();
        let here = dir.path();
        let paper = common::paper_dir(shared);
        link(&paper, &here.join("safetywashing-paper"));
        for file in [
            "benchmarks_base_models.csv",
            "benchmarks_chat_models.csv",
            "benchmarks_info.csv",
        ] {
            link(&paper.join(file), &here.join(file));
        }
        let data = shared.join("data");
        let obs = data.join("obsscaling/base_llm_benchmark_eval.csv");
        link(&obs, &here.join("base_llm_benchmark_eval.csv"));
        link(&data.join("lm-eval-0.4.13"), &here.join("lm-eval-0.4.13"));
        link(&data.join("lm-eval-0.4.13"), &here.join("out"));
        link(&data.join("inspect"), &here.join("logs"));
        let board = "llm_trustworthy_241001_safety.csv";
        link(&data.join("leaderboards").join(board), &here.join(board));
        let inputs = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/inputs");
        for entry in std::fs::read_dir(&inputs).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, here.join(path.file_name().unwrap())).unwrap();
        }
        let lm_eval = if with_lm_eval { lm_eval() } else { None };
        let server = lm_eval.as_ref().map(|_| {
            write_tasks(here);
            Server::start()
        });
        Scenario {
            dir,
            server,
            lm_eval,
            mirror: Mirror::serve(&paper),
        }
    }

    /// Run one command line with bash; stdout and stderr together.
    fn run(&self, command: &str) -> (Option<i32>, String) {
        let mut command = command.to_string();
        if let Some(server) = &self.server {
            command = with_port(&command, server.port);
        }
        let binary = PathBuf::from(env!("CARGO_BIN_EXE_safetywashing"));
        let mut path = vec![binary.parent().unwrap().to_path_buf()];
        if let Some(lm_eval) = &self.lm_eval {
            path.extend(lm_eval.parent().map(Path::to_path_buf));
        }
        path.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!("set -o pipefail\n{{ {command}\n}} 2>&1"))
            .current_dir(self.dir.path())
            .env("PATH", std::env::join_paths(path).unwrap())
            .env_remove("SAFETYWASHING_DATA")
            .env("SAFETYWASHING_DATA_URL", self.mirror.url())
            .env("XDG_CACHE_HOME", self.dir.path().join(".cache"))
            .env("HF_DATASETS_OFFLINE", "1")
            .env("HF_HUB_OFFLINE", "1")
            .env_remove("COLUMNS")
            .output()
            .unwrap();
        (out.status.code(), common::stdout_of(&out))
    }
}

/// The command with every `127.0.0.1:PORT` pointed at `port`.
fn with_port(command: &str, port: u16) -> String {
    let mut out = String::new();
    let mut rest = command;
    while let Some(at) = rest.find("127.0.0.1:") {
        let (head, tail) = rest.split_at(at + "127.0.0.1:".len());
        out.push_str(head);
        out.push_str(&port.to_string());
        rest = tail.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    out.push_str(rest);
    out
}

/// Whether an example needs the real lm-eval.
fn needs_lm_eval(command: &str) -> bool {
    command.contains("safetywashing evaluate")
}

/// The reason an example is not run, if it is one of [`NOT_RUN`].
fn not_run(command: &str) -> Option<&'static str> {
    NOT_RUN
        .iter()
        .find(|(pattern, _)| command.contains(pattern))
        .map(|(_, why)| *why)
}

/// A failure report of one example.
fn failure(example: &Example, status: Option<i32>, output: &str) -> String {
    let mut shown = example.shown.join("\n");
    if shown.is_empty() {
        shown = "(no output shown)".into();
    }
    let actual: String = output.lines().take(80).collect::<Vec<_>>().join("\n");
    format!(
        "{}: $ {}\n--- shown\n{shown}\n--- got (exit {status:?})\n{actual}\n",
        example.origin, example.command
    )
}

/// Every README example prints what the README shows.
#[test]
fn readme_examples_print_what_the_readme_shows() {
    with_shared!(shared => {
        let readme = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"),
        )
        .unwrap();
        let examples = readme_examples(&readme);
        assert!(examples.len() >= 20, "found only {} examples", examples.len());
        let scenario = Scenario::new(&shared, examples.iter().any(|e| needs_lm_eval(&e.command)));
        let mut failures = Vec::new();
        let mut skipped_block = None;
        for example in &examples {
            if let Some(why) = not_run(&example.command) {
                panic!("{}: README examples are all run, but this one is listed as not run ({why})", example.origin);
            }
            if needs_lm_eval(&example.command) && scenario.lm_eval.is_none() {
                skipped_block = Some(example.block);
            }
            if skipped_block == Some(example.block) {
                eprintln!("SKIPPED {}: lm_eval is not available (for it or an example before it in its block)", example.origin);
                continue;
            }
            let (status, output) = scenario.run(&example.command);
            let expected = if example.shown.iter().any(|l| l.starts_with("error:")) { 2 } else { 0 };
            let lines: Vec<&str> = output.lines().collect();
            let shown_ok = example.shown.is_empty() || output_matches(&example.shown, &lines);
            if status != Some(expected) || !shown_ok {
                failures.push(failure(example, status, &output));
            }
        }
        assert!(failures.is_empty(), "{} of {} README examples differ:\n\n{}", failures.len(), examples.len(), failures.join("\n"));
    });
}

/// The subcommand paths of the CLI (`["analyze"]`, `["import", "lm-eval"]`, …).
fn subcommands(scenario: &Scenario, prefix: &[String]) -> Vec<Vec<String>> {
    let (_, help) = scenario.run(&format!("safetywashing {} --help", prefix.join(" ")));
    let mut found = Vec::new();
    let listed = help
        .lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty());
    for line in listed {
        let name = line.split_whitespace().next().unwrap_or_default();
        if name == "help" {
            continue;
        }
        let mut path = prefix.to_vec();
        path.push(name.to_string());
        let nested = subcommands(scenario, &path);
        if nested.is_empty() {
            found.push(path);
        } else {
            found.extend(nested);
        }
    }
    found
}

/// Indentation of a line, in bytes.
fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The `safetywashing …` example lines of a help text, with their comments:
/// the text after ` #` on the command's last line, and `#` lines indented
/// deeper than the command just below it.
fn help_examples(help: &str, origin: &str) -> Vec<(Example, String)> {
    let mut examples = Vec::new();
    let mut lines = help.lines().peekable();
    while let Some(line) = lines.next() {
        if !line.trim_start().starts_with("safetywashing ") {
            continue;
        }
        let mut command = line.trim().to_string();
        while command.ends_with('\\') {
            let Some(next) = lines.next() else { break };
            command.push('\n');
            command.push_str(next);
        }
        let (command, mut comment) = match command.find(" #") {
            Some(at) => (
                command[..at].trim_end().to_string(),
                command[at + 2..].trim().to_string(),
            ),
            None => (command, String::new()),
        };
        while let Some(next) =
            lines.next_if(|next| next.trim_start().starts_with('#') && indent(next) > indent(line))
        {
            comment.push(' ');
            comment.push_str(next.trim_start().trim_start_matches('#').trim());
        }
        let comment = comment.trim().to_string();
        let example = Example {
            origin: origin.to_string(),
            block: 0,
            command,
            shown: Vec::new(),
        };
        examples.push((example, comment));
    }
    examples
}

/// The exit status a help example's comment states (`exit N`), else 0.
fn stated_status(comment: &str) -> i32 {
    comment
        .split("exit ")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Every `--help` example runs, with the exit status and output its comment states.
#[test]
fn help_examples_run_as_their_comments_say() {
    with_shared!(shared => {
        let listing = Scenario::new(&shared, false);
        // Each subcommand's examples run in order in a folder of their own,
        // so one command's outputs are never another command's inputs.
        let mut per_command = Vec::new();
        for path in subcommands(&listing, &[]) {
            let origin = format!("safetywashing {} --help", path.join(" "));
            let (_, help) = listing.run(&origin);
            per_command.push(help_examples(&help, &origin));
        }
        let examples: Vec<&(Example, String)> = per_command.iter().flatten().collect();
        assert!(examples.len() >= 30, "found only {} help examples", examples.len());
        for (pattern, _) in NOT_RUN {
            let n = examples.iter().filter(|(e, _)| e.command.contains(pattern)).count();
            assert_eq!(n, 1, "NOT_RUN entry '{pattern}' matches {n} help examples");
        }
        let mut failures = Vec::new();
        for command_examples in &per_command {
            let scenario = Scenario::new(&shared, false);
            for (example, comment) in command_examples {
                if let Some(why) = not_run(&example.command) {
                    eprintln!("not run: {}: {} ({why})", example.origin, example.command);
                    continue;
                }
                let (status, output) = scenario.run(&example.command);
                let claim = comment.split("→ ").nth(1).map(str::trim);
                let claim_ok = claim.is_none_or(|c| output.contains(c));
                if status != Some(stated_status(comment)) || !claim_ok {
                    let mut report = failure(example, status, &output);
                    report.push_str(&format!("--- comment: {comment}\n"));
                    failures.push(report);
                }
            }
        }
        assert!(failures.is_empty(), "{} of {} help examples fail:\n\n{}", failures.len(), examples.len(), failures.join("\n"));
    });
}

/// The committed figures are what the README's commands draw.
#[test]
fn committed_figures_are_what_their_commands_draw() {
    with_shared!(shared => {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
        // Prose wraps lines: a command is the text between "(`safetywashing" and "`)".
        let prose = readme.replace('\n', " ");
        let scenario = Scenario::new(&shared, false);
        let mut checked = 0;
        for piece in prose.split("(`safetywashing ").skip(1) {
            let Some(end) = piece.find("`)") else { continue };
            let command = &piece[..end];
            let Some(at) = command.find("-o docs/") else { continue };
            let figure = command[at + 3..].split_whitespace().next().unwrap();
            let fresh = format!("fresh-{}", figure.replace('/', "-"));
            let (status, output) = scenario.run(&format!(
                "safetywashing {}",
                command.replace(&format!("-o {figure}"), &format!("-o {fresh}"))
            ));
            assert_eq!(status, Some(0), "{command}: {output}");
            let drawn = std::fs::read(scenario.dir.path().join(&fresh)).unwrap();
            let committed = std::fs::read(root.join(figure)).unwrap();
            assert!(drawn == committed, "{figure} is not what `safetywashing {command}` draws now: re-run it");
            checked += 1;
        }
        assert!(checked >= 2, "found {checked} figure commands in the README");
    });
}

#[test]
fn elision_matches_any_run_of_lines() {
    let shown: Vec<String> = ["a", "…", "d"].iter().map(|s| s.to_string()).collect();
    assert!(output_matches(&shown, &["a", "d"]));
    assert!(output_matches(&shown, &["a", "b", "c", "d"]));
    assert!(!output_matches(&shown, &["a", "b", "c"]));
    assert!(!output_matches(&shown, &["x", "d"]));
    assert!(output_matches(&["a ".to_string()], &["a"]));
    assert!(line_matches(
        "downloaded …/x.csv",
        "downloaded /tmp/a/x.csv"
    ));
    assert!(line_matches("a…b…c", "a-b-c"));
    assert!(!line_matches("a…b…c", "a-c-b"));
    assert!(!line_matches("…/x.csv", "/tmp/x.csv.bak"));
}

#[test]
fn readme_parser_joins_continued_commands() {
    let text = "x\n```console\n$ one \\\n  two\nout1\nout2\n$ three\n```\n$ not in a block\n";
    let examples = readme_examples(text);
    assert_eq!(examples.len(), 2);
    assert_eq!(examples[0].command, "one \\\n  two");
    assert_eq!(examples[0].shown, ["out1", "out2"]);
    assert_eq!(examples[1].origin, "README.md:7");
    assert_eq!(
        with_port("u=http://127.0.0.1:33739/v1", 8),
        "u=http://127.0.0.1:8/v1"
    );
    assert_eq!(stated_status("fails the guard: exit 1"), 1);
}

#[test]
fn help_parser_attaches_deeper_comment_lines() {
    let help = "Examples:\n  # before\n  safetywashing a \\\n      --b\n      # says → x\n  safetywashing c # exit 3\n";
    let examples = help_examples(help, "h");
    assert_eq!(examples.len(), 2);
    assert_eq!(examples[0].0.command, "safetywashing a \\\n      --b");
    assert_eq!(examples[0].1, "says → x");
    assert_eq!(examples[1].1, "exit 3");
}
