"""Every error path raises SafetywashingError (a ValueError) with the
command line's one-line message; none is a Rust panic."""

import numpy as np
import pandas as pd
import pytest

import safetywashing as sw
from safetywashing import SafetywashingError

CAPS = ["a", "b", "c"]


def frame():
    rng = np.random.default_rng(1)
    g = rng.normal(size=12)
    df = pd.DataFrame({c: g + rng.normal(size=12) for c in CAPS + ["s"]})
    df.index = [f"m{i}" for i in range(12)]
    return df


def raises(fn, *args, match=None, **kwargs):
    with pytest.raises(SafetywashingError, match=match) as e:
        fn(*args, **kwargs)
    assert "\n" not in str(e.value)
    return str(e.value)


def test_it_is_a_value_error():
    assert issubclass(SafetywashingError, ValueError)
    assert SafetywashingError.__module__ == "safetywashing"


def test_non_numeric_cell_names_column_and_model():
    df = frame().astype({"s": object})
    df.loc["m7", "s"] = "n/a?"
    msg = raises(sw.analyze, df, capabilities=CAPS)
    assert "column 's'" in msg and "model 'm7'" in msg and "n/a?" in msg
    df = frame()
    df.loc["m2", "b"] = np.inf
    msg = raises(sw.analyze, df, capabilities=CAPS)
    assert "column 'b'" in msg and "model 'm2'" in msg and "finite" in msg


def test_file_errors_are_the_cli_messages(cli, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("model,a,b,c\nm1,1,2,x\nm2,1,2,3\n")
    for path in [bad, tmp_path / "missing.csv"]:
        stderr = cli("analyze", path, "--capabilities", "a,b,c", check=False).stderr
        msg = raises(sw.analyze, str(path), capabilities=CAPS)
        assert stderr.strip().splitlines()[-1] == f"error: {msg}".strip()


def test_option_errors_are_the_cli_messages(cli, tmp_path):
    path = tmp_path / "m.csv"
    frame().to_csv(path, index_label="model")
    cases = [
        (dict(bootstrap=5), ["--bootstrap", "5"]),
        (dict(capabilities=["a", "nope"]), ["--capabilities", "a,nope"]),
        (dict(bootstrap=20, confidence=1.5), ["--bootstrap", "20", "--confidence", "1.5"]),
        (dict(impute_rank=2), ["--impute-rank", "2"]),
        (dict(bootstrap=20, cluster_column="fam"), ["--bootstrap", "20", "--cluster-column", "fam"]),
    ]
    for kwargs, flags in cases:
        kwargs.setdefault("capabilities", CAPS)
        if "--capabilities" not in flags:
            flags = flags + ["--capabilities", "a,b,c"]
        stderr = cli("analyze", path, *flags, check=False).stderr
        msg = raises(sw.analyze, str(path), **kwargs)
        assert stderr.strip().splitlines()[-1] == f"error: {msg}".strip(), kwargs


def test_other_bad_inputs():
    df = frame()
    raises(sw.analyze, df, capabilities=CAPS, method="spearmen", match="spearman")
    raises(sw.analyze, df, capabilities=CAPS, interval="nope")
    raises(sw.analyze, df, capabilities=CAPS, impute="mean")
    raises(sw.analyze, df, capabilities=CAPS, model_column="nope", match="no model column")
    raises(sw.analyze, df, capabilities=CAPS, compute_column="FLOPs", match="compute column")
    raises(sw.analyze, [1, 2, 3], match="expected a path or a pandas DataFrame")
    raises(sw.analyze, df, capabilities=CAPS, info=42, match="info must be")
    dup = pd.concat([df, df.iloc[:1]])
    raises(sw.analyze, dup, capabilities=CAPS, match="duplicate model id")
    raises(sw.analyze, pd.DataFrame({"a": []}), match="no model rows")
    raises(sw.analyze, df, capabilities=CAPS, info=pd.DataFrame({"x": [1]}))
    raises(sw.residuals, df, "nope", capabilities=CAPS, match="no benchmark column")
    raises(sw.plot, "scatter", df, capabilities=CAPS, match="needs a benchmark")
    raises(sw.plot, "pie", df, capabilities=CAPS)
    raises(sw.plot, "overview", df, capabilities=CAPS, format="gif")
    fig = sw.plot("overview", df, capabilities=CAPS)
    raises(fig.save, "figure.png", match="SVG")
    raises(sw.paper_data, "neither")
    raises(sw.calibrate, ["/nonexistent/samples.jsonl"])
    raises(sw.calibrate, [], match="at least one")
    raises(sw.calibrate, ["x.jsonl"], bin_size=0, match="bin-size")
    raises(sw.check, df[["s"]], against="/nonexistent.csv")
    raises(sw.check, df[["s"]], against=df, capabilities=CAPS, benchmark="t")
    raises(sw.check, df[["s"]], against=df, capabilities=CAPS, aliases=3)
