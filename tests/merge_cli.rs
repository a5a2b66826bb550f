//! `merge`: outer join by model name across files, non-exact matches listed,
//! conflicts refused unless a winner is named, output that `analyze` reads.

use crate::common;

use crate::common::bin;
use predicates::prelude::*;
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn joins_renamed_models_and_refuses_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        dir.path(),
        "a.csv",
        "model,mmlu,FLOP\nLlama-2-7b-chat-hf,0.45,8.4e22\nYi-6B-Chat,0.6,\n",
    );
    let b = write(
        dir.path(),
        "b.csv",
        "model,refusal,mmlu\nmeta-llama/llama-2-7b-chat-hf,0.3,0.45\nbrand-new,0.5,\n",
    );
    let out = dir.path().join("m.csv");
    bin()
        .arg("merge")
        .args([&a, &b])
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "meta-llama/llama-2-7b-chat-hf → Llama-2-7b-chat-hf (org/ prefix, case)",
        ))
        .stderr(
            predicate::str::contains("added: ").and(predicate::str::contains("model 'brand-new'")),
        );
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        text,
        "model,mmlu,FLOP,refusal\nLlama-2-7b-chat-hf,0.45,8.4e22,0.3\nYi-6B-Chat,0.6,,\nbrand-new,,,0.5\n"
    );

    let c = write(dir.path(), "c.csv", "model,mmlu\nLlama-2-7b-chat-hf,0.46\n");
    let before = std::fs::read(&out).unwrap();
    bin()
        .arg("merge")
        .args([&a, &c])
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("0.45 in").and(predicate::str::contains("--prefer")));
    assert_eq!(
        std::fs::read(&out).unwrap(),
        before,
        "a refused merge writes nothing"
    );
    bin()
        .arg("merge")
        .args([&a, &c])
        .args(["--prefer", "last"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Llama-2-7b-chat-hf,0.46"))
        .stderr(predicate::str::contains("conflict settled by --prefer"));
}

#[test]
fn ambiguous_name_stops_the_merge_and_an_alias_settles_it() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.csv", "model,x\nModel-A,1\nmodel_a,2\n");
    let b = write(dir.path(), "b.csv", "model,y\nMODEL A,3\n");
    bin()
        .arg("merge")
        .args([&a, &b])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "ambiguous: could be Model-A, model_a",
        ));
    let aliases = write(dir.path(), "aliases.csv", "from,to\nMODEL A,model_a\n");
    bin()
        .arg("merge")
        .args([&a, &b])
        .arg("--aliases")
        .arg(&aliases)
        .assert()
        .success()
        .stdout("model,x,y\nModel-A,1,\nmodel_a,2,3\n");
}

#[test]
fn a_leaderboard_merged_into_the_paper_chat_matrix_analyses() {
    with_shared!(shared => {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("merged.csv");
        bin()
            .arg("merge")
            .arg(common::paper_dir(&shared).join("benchmarks_chat_models.csv"))
            .arg(shared.join("data/leaderboards/llm_trustworthy_241001_safety.csv"))
            .arg("-o")
            .arg(&out)
            .assert()
            .success()
            .stderr(predicate::str::contains(
                "meta-llama/Llama-2-7b-chat-hf → Llama-2-7b-chat-hf (org/ prefix)",
            ));
        let json = common::succeeded(bin().args(["analyze", "--format", "json"]).arg(&out));
        let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        let t = v["benchmarks"].as_array().unwrap().iter().find(|b| b["benchmark"] == "trustworthy").unwrap();
        assert!(t["n"].as_u64().unwrap() >= 3, "{t}");
    });
}

#[test]
fn the_first_inputs_column_order_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    // Metadata and compute columns between and after benchmarks, as the
    // paper's files have them.
    let a = write(
        dir.path(),
        "a.csv",
        "model,mmlu,model_size,FLOP,gsm8k,type\nm1,0.5,7,8e22,0.3,base\n",
    );
    let b = write(
        dir.path(),
        "b.csv",
        "model,refusal,name\nm1,0.2,M One\nm2,0.4,M Two\n",
    );
    let out = bin().arg("merge").args([&a, &b]).assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert_eq!(
        text,
        "model,mmlu,model_size,FLOP,gsm8k,type,name,refusal\n\
         m1,0.5,7,8e22,0.3,base,M One,0.2\n\
         m2,,,,,,M Two,0.4\n"
    );
}
