"""DataFrames in and out: index names, dtypes, NaN as missing, model ids in
the index or a column; the same result as the CSV file of the same table."""

import numpy as np
import pandas as pd
import pytest

import safetywashing as sw

CAPS = ["c0", "c1", "c2", "c3"]


def table(n=30, seed=5):
    """A small matrix with a capabilities factor, missing cells, integer and
    text columns."""
    rng = np.random.default_rng(seed)
    g = rng.normal(size=n)
    frame = pd.DataFrame(
        {c: 50 + 10 * g + rng.normal(size=n) for c in CAPS},
        index=pd.Index([f"org/model-{i}" for i in range(n)], name="model_id"),
    )
    frame["safety"] = -3 * g + rng.normal(size=n)
    frame["count_bench"] = (100 + 5 * g).round().astype("int64")
    frame["family"] = [f"fam{i % 4}" for i in range(n)]
    frame["FLOP"] = np.exp(g + 50)
    frame.loc["org/model-3", "safety"] = np.nan
    frame.loc["org/model-4", "c1"] = np.nan  # left out of the score
    return frame


def test_dataframe_equals_its_csv_file(tmp_path):
    frame = table()
    path = tmp_path / "m.csv"
    frame.to_csv(path)
    kwargs = dict(capabilities=CAPS, meta_columns=["family"])
    from_file = sw.analyze(str(path), **kwargs)
    frame.attrs["source"] = str(path)
    from_frame = sw.analyze(frame, **kwargs)
    assert from_frame.to_json() == from_file.to_json()
    assert from_frame.models_excluded == {"org/model-4": ["c1"]}
    assert "org/model-4" not in from_frame.scores.index


def test_round_trip_names_dtypes_and_missing():
    frame = table()
    a = sw.analyze(frame, capabilities=CAPS, meta_columns="family")
    b = a.benchmarks
    assert b.index.name == "benchmark"
    assert list(b.index) == CAPS + ["safety", "count_bench"]
    assert b["n"].dtype == np.int64 and b["compute_n"].dtype == np.int64
    assert b["capabilities_correlation"].dtype == np.float64
    assert b.loc["safety", "n"] == len(frame) - 2  # one NaN cell, one unscored model
    assert b.loc["c0", "role"] == "capability" and b.loc["safety", "role"] == "safety"
    assert a.scores.index.name == "model"
    assert a.scores.dtype == np.float64
    assert a.loadings.index.tolist() == CAPS
    assert a.capability_correlation_matrix.index.tolist() == CAPS
    # Every pandas spelling of "missing" is a missing cell.
    spelled = frame.astype({"safety": object})
    spelled.loc["org/model-3", "safety"] = None
    spelled.loc["org/model-5", "safety"] = pd.NA
    plain = frame.copy()
    plain.loc["org/model-5", "safety"] = np.nan
    assert (
        sw.analyze(spelled, capabilities=CAPS, meta_columns="family").to_json()
        == sw.analyze(plain, capabilities=CAPS, meta_columns="family").to_json()
    )


def test_model_ids_in_a_named_column():
    frame = table()
    in_column = frame.reset_index()
    a = sw.analyze(frame, capabilities=CAPS, meta_columns="family")
    b = sw.analyze(in_column, capabilities=CAPS, meta_columns="family", model_column="model_id")
    assert a.to_json() == b.to_json()


def test_no_compute_column_is_fine_by_default():
    frame = table().drop(columns="FLOP")
    a = sw.analyze(frame, capabilities=CAPS, meta_columns="family")
    assert a.to_dict()["compute_column"] is None
    assert a.benchmarks["compute_correlation"].isna().all()


def test_info_table_as_dataframe():
    info = pd.DataFrame(
        {"benchmark": ["safety"], "name": ["Safety Bench"], "metric": ["Accuracy (↑)"]}
    )
    a = sw.analyze(table(), capabilities=CAPS, meta_columns="family", info=info)
    assert a.benchmarks.loc["safety", "name"] == "Safety Bench"
    assert sw.analyze(
        table(), capabilities=CAPS, meta_columns="family", info=info.set_index("benchmark")
    ).to_json() == a.to_json()


def test_cluster_bootstrap_and_figures(tmp_path):
    frame = table()
    a = sw.analyze(
        frame, capabilities=CAPS, meta_columns="family", bootstrap=50, cluster_column="family"
    )
    assert a.to_dict()["uncertainty"]["bootstrap"]["units"] == 4
    fig = sw.plot("overview", frame, capabilities=CAPS, meta_columns="family")
    svg = fig._repr_svg_()
    assert svg.startswith("<svg") or "<svg" in svg[:200]
    assert fig._repr_png_() is None
    fig.save(tmp_path / "o.svg")
    assert (tmp_path / "o.svg").read_bytes() == fig.data
    png = sw.plot(
        "scatter", frame, benchmark="safety", capabilities=CAPS, meta_columns="family",
        format="png",
    )
    assert png.data.startswith(b"\x89PNG") and png._repr_png_() == png.data
    two = sw.plot("scree", [frame, frame.iloc[:20]], capabilities=CAPS, meta_columns="family")
    assert two.data != fig.data


@pytest.mark.parametrize("kind", ["overview", "ranking", "scree", "heatmap"])
def test_figures_are_the_cli_figures(paper, cli, tmp_path, kind):
    out = tmp_path / f"{kind}.svg"
    cli("plot", kind, "-o", out)
    assert sw.plot(kind).data == out.read_bytes()
