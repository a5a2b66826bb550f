//! The real lm-evaluation-harness in tests: where its `lm_eval` is, the
//! stand-in OpenAI-compatible completions server it talks to, and two tiny
//! local tasks (no dataset download).

use crate::common;
use std::path::Path;

/// The real lm_eval, or `None` after a visible skip.
pub fn lm_eval() -> Option<std::path::PathBuf> {
    match std::env::var_os("SAFETYWASHING_LM_EVAL") {
        Some(p) => Some(p.into()),
        None => {
            common::skip(
                "SAFETYWASHING_LM_EVAL is not set (scripts/test sets it to its lm_eval 0.4.13)",
                "SAFETYWASHING_REQUIRE_LM_EVAL",
            );
            None
        }
    }
}

/// The stand-in completions server, stopped when dropped.
pub struct Server {
    child: std::process::Child,
    pub port: u16,
}

impl Server {
    pub fn start() -> Server {
        use std::io::BufRead;
        let python = std::env::var_os("SAFETYWASHING_PYTHON").unwrap_or_else(|| "python3".into());
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/completions_server.py");
        let mut child = std::process::Command::new(python)
            .arg(script)
            .arg("0")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("start the stand-in server");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().strip_prefix("PORT ").unwrap().parse().unwrap();
        Server { child, port }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Two multiple-choice arithmetic tasks with local JSONL data, 12 questions each.
pub fn write_tasks(dir: &Path) -> std::path::PathBuf {
    let tasks = dir.join("tasks");
    std::fs::create_dir_all(tasks.join("data")).unwrap();
    for (name, op) in [("sw_add", '+'), ("sw_mul", '*')] {
        let mut data = String::new();
        for i in 0..12i64 {
            let (a, b) = (3 + 7 * i % 23, 2 + 5 * i % 17);
            let answer = if op == '+' { a + b } else { a * b };
            let choices = [answer + 1, answer, answer - 2, answer + 3];
            let rotation = (i % 4) as usize;
            let rotated: Vec<String> = (0..4)
                .map(|k| choices[(k + rotation) % 4].to_string())
                .collect();
            let target = (5 - rotation) % 4;
            data.push_str(
                &serde_json::json!({
                    "question": format!("What is {a} {op} {b}?"),
                    "choices": rotated,
                    "answer": target,
                })
                .to_string(),
            );
            data.push('\n');
        }
        let data_path = tasks.join("data").join(format!("{name}.jsonl"));
        std::fs::write(&data_path, data).unwrap();
        let yaml = format!(
            "task: {name}\ndataset_path: json\ndataset_kwargs:\n  data_files:\n    test: {}\n\
             test_split: test\noutput_type: multiple_choice\n\
             doc_to_text: \"Question: {{{{question}}}}\\nAnswer:\"\n\
             doc_to_choice: \"{{{{choices}}}}\"\ndoc_to_target: answer\n\
             metric_list:\n  - metric: acc\n    aggregation: mean\n    higher_is_better: true\n\
             metadata:\n  version: 1.0\n",
            data_path.display()
        );
        std::fs::write(tasks.join(format!("{name}.yaml")), yaml).unwrap();
    }
    tasks
}

/// Two groups over [`write_tasks`]' tasks in `tasks`: `sw_pair` (sw_add +
/// sw_mul) and `sw_nest`, a group holding only the group `sw_pair`; both
/// aggregate `acc` weighted by size.
pub fn write_group_tasks(tasks: &Path) {
    for (group, members) in [("sw_pair", "sw_add, sw_mul"), ("sw_nest", "sw_pair")] {
        let yaml = format!(
            "group: {group}\ntask: [{members}]\n\
             aggregate_metric_list:\n  - metric: acc\n    aggregation: mean\n    weight_by_size: true\n\
             metadata:\n  version: 1.0\n"
        );
        std::fs::write(tasks.join(format!("{group}.yaml")), yaml).unwrap();
    }
}

/// Every `results_*.json` under a folder.
pub fn results_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(results_files(&p));
        } else if p
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("results_")
        {
            out.push(p);
        }
    }
    out.sort();
    out
}
