"""The package gives the command line's numbers: the same JSON document for
the same input, from a file or from a DataFrame."""

import io
import json

import numpy as np
import pandas as pd
import pytest

import safetywashing as sw

WHICH = ["base", "chat"]


def cli_json(cli, path, *flags):
    return cli("analyze", path, "--format", "json", *flags).stdout


@pytest.mark.parametrize("which", WHICH)
def test_paper_analysis_is_the_cli_json(paper, cli, which):
    path = paper / f"benchmarks_{which}_models.csv"
    expected = cli_json(cli, path)
    assert sw.analyze(str(path)).to_json() == expected
    # The DataFrame of paper_data (source = the file's path) gives the same bytes.
    assert sw.analyze(sw.paper_data(which)).to_json() == expected


@pytest.mark.parametrize("which", WHICH)
def test_bootstrap_and_permutations_are_the_cli_json(paper, cli, which):
    path = paper / f"benchmarks_{which}_models.csv"
    flags = ["--bootstrap", "200", "--permutations", "200", "--seed", "7"]
    expected = cli_json(cli, path, *flags)
    a = sw.analyze(sw.paper_data(which), bootstrap=200, permutations=200, seed=7)
    assert a.to_json() == expected
    doc = json.loads(expected)
    assert "uncertainty" in doc and a.to_dict() == doc
    # .benchmarks holds the CLI CSV's columns, uncertainty ones included.
    csv = pd.read_csv(
        io.StringIO(cli("analyze", path, "--format", "csv", *flags).stdout),
        **sw._EXACT,
        keep_default_na=False,
        na_values=[""],
    ).set_index("benchmark")
    pd.testing.assert_frame_equal(a.benchmarks, csv.drop(columns="matrix"))
    assert any("ci_low" in c for c in a.benchmarks.columns)


def test_attributes_are_the_json_fields(paper, cli):
    path = paper / "benchmarks_chat_models.csv"
    doc = json.loads(cli_json(cli, path))
    a = sw.analyze(sw.paper_data("chat"))
    assert a.pc1_variance_explained == doc["pc1_variance_explained"]
    assert list(a.eigenvalues) == doc["eigenvalues"]
    assert a.eigenvalues.dtype == np.float64
    assert a.scores.to_dict() == doc["capabilities_scores"]
    assert a.scores.index.name == "model"
    assert a.loadings.to_dict() == doc["pc1_loadings"]
    m = a.capability_correlation_matrix
    assert list(m.columns) == doc["capability_benchmarks"]
    assert m.values.tolist() == doc["capability_correlation_matrix"]
    assert a.models_used == doc["models_used"]
    assert a.models_excluded == {e["model"]: e["missing"] for e in doc["models_excluded"]}
    assert list(a.benchmarks.index) == [b["benchmark"] for b in doc["benchmarks"]]
    expected = [
        np.nan if b["capabilities_correlation"] is None else b["capabilities_correlation"]
        for b in doc["benchmarks"]
    ]
    np.testing.assert_array_equal(
        a.benchmarks["capabilities_correlation"].to_numpy(), np.array(expected, dtype=float)
    )
    assert "<table" in a._repr_html_()
    assert str(a) == cli("analyze", path).stdout


def test_shuffled_rows_give_the_same_result(paper):
    frame = sw.paper_data("base")
    shuffled = frame.sample(frac=1.0, random_state=3)
    assert list(shuffled.index) != list(frame.index)
    a, b = sw.analyze(frame), sw.analyze(shuffled)
    pd.testing.assert_frame_equal(a.benchmarks, b.benchmarks, rtol=1e-12, atol=1e-12)
    pd.testing.assert_series_equal(
        a.scores.sort_index(), b.scores.sort_index(), rtol=1e-12, atol=1e-12
    )
    np.testing.assert_allclose(a.eigenvalues, b.eigenvalues, rtol=1e-12)
    assert sorted(a.models_used) == sorted(b.models_used)


def test_check_is_the_cli_json(paper, cli, tmp_path):
    chat = sw.paper_data("chat")
    new = pd.DataFrame(
        {"my_bench": chat["mmlu"] * 0.5 + np.arange(len(chat)) % 3},
        index=chat.index.rename("model"),
    )
    path = tmp_path / "new.csv"
    new.to_csv(path)
    expected = cli("check", path, "--against", "chat", "--format", "json").stdout
    report = sw.check(new, against="chat")
    assert report.to_dict()["benchmarks"] == json.loads(expected)["benchmarks"]
    assert sw.check(str(path)).to_json() == expected
    assert list(report.benchmarks.index) == ["my_bench"]
    assert str(sw.check(str(path))) == cli("check", path).stdout


def test_score_is_the_cli_csv_and_json(paper, cli, tmp_path):
    # Two paper base models, held out of the chat reference's fit.
    base = sw.paper_data("base")
    caps = ["mmlu", "arc_challenge", "gsm8k"]
    new = base[caps].iloc[:2]
    path = tmp_path / "new.csv"
    new.to_csv(path)
    args = ("score", path, "--against", "base", "--capabilities", ",".join(caps))
    expected_csv = cli(*args, "--format", "csv").stdout
    expected_json = cli(*args, "--format", "json").stdout
    assert sw.score(str(path), against="base", capabilities=caps).attrs["json"] == expected_json
    got = sw.score(new, against="base", capabilities=caps)
    want = pd.read_csv(io.StringIO(expected_csv), index_col="model")
    pd.testing.assert_frame_equal(got, want)
    assert list(got.index) == list(new.index)
    # A model missing a capability benchmark is refused unless imputing.
    gap = new.copy()
    gap.iloc[0, 0] = np.nan
    with pytest.raises(sw.SafetywashingError, match="capability benchmark"):
        sw.score(gap, against="base", capabilities=caps)
    imputed = sw.score(gap, against="base", capabilities=caps, impute=True)["imputed"]
    assert imputed.iloc[0] == "mmlu"


def test_residuals_are_the_cli_json(paper, cli):
    path = paper / "benchmarks_base_models.csv"
    expected = cli("residuals", path, "--benchmark", "truthfulqa_mc1", "--format", "json").stdout
    r = sw.residuals(sw.paper_data("base"), "truthfulqa_mc1")
    assert r.to_json() == expected
    table = r.models
    assert table.index.name == "model" and len(table) == len(sw.paper_data("base"))


def test_calibration_is_the_cli_csv(paper, cli):
    folder = paper.parent / "lm-eval-0.4.13"
    files = sorted(folder.rglob("samples_*.jsonl"))[:3]
    assert files, f"no lm-eval samples under {folder}"
    expected = cli("calibrate", *files, "--format", "csv").stdout
    table = sw.calibrate(files)
    assert table.index.name == "file" and len(table) == len(files)
    assert table.equals(sw._read_csv(expected, "file"))
    assert table["n"].dtype.kind == "i"
    tuned = sw.calibrate([str(f) for f in files], tune_split=0.5, seed=3)
    assert tuned.equals(
        sw._read_csv(
            cli("calibrate", *files, "--format", "csv", "--tune-split", "0.5", "--seed", "3").stdout,
            "file",
        )
    )
