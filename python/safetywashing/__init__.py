"""Does a safety benchmark measure safety, or just capabilities?

The analysis of Ren et al. (2024), "Safetywashing: Do AI Safety Benchmarks
Actually Measure Safety Progress?" (arXiv 2407.21792), from Python. The
numbers come from the same Rust library as the ``safetywashing`` command
line (this package also installs that command); this module only turns
pandas objects into its inputs and its JSON/CSV documents back into pandas
objects.

>>> import safetywashing as sw
>>> a = sw.analyze(sw.paper_data("chat"))
>>> a.benchmarks.head()

Keyword arguments mirror the command line's flags, with the same defaults.
Bad input raises :class:`SafetywashingError` (a ``ValueError``) with the
message the command line prints. Long computations (a bootstrap, a
permutation test) release the GIL and stop on Ctrl-C with
``KeyboardInterrupt``.
"""

from __future__ import annotations

import io
import json
import os
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _native
from ._native import SafetywashingError

__all__ = [
    "Analysis",
    "CheckReport",
    "Figure",
    "Residuals",
    "SafetywashingError",
    "analyze",
    "calibrate",
    "check",
    "paper_data",
    "plot",
    "residuals",
    "score",
]

__version__ = _native.__version__

#: The command line's default compute column: used when present, skipped
#: when absent (a column named explicitly must exist).
DEFAULT_COMPUTE_COLUMN = "FLOP"

PathLike = Union[str, "os.PathLike[str]"]


# ---------------------------------------------------------------- inputs


def _names(value: Union[None, str, Sequence[str]], what: str) -> Optional[List[str]]:
    """A list of names given as a list or as ``"A,B,..."`` (like the flags)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.split(",")
    try:
        return [str(v) for v in value]
    except TypeError:
        raise SafetywashingError(
            f"{what} must be a list of names or a comma-separated string, got {value!r}"
        ) from None


def _cell(value: Any) -> Any:
    """A DataFrame cell, with every pandas spelling of "missing" as None."""
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):  # list-like cells are not missing
        pass
    return value


def _compute(compute_column: Optional[str]) -> Optional[str]:
    """The CLI's default compute column is optional; any other must exist."""
    if compute_column is None or compute_column == DEFAULT_COMPUTE_COLUMN:
        return None
    return compute_column


def _is_path(value: Any) -> bool:
    return isinstance(value, (str, os.PathLike))


def _matrix(
    matrix: Any,
    *,
    model_column: Optional[str] = None,
    meta_columns: Union[None, str, Sequence[str]] = None,
    compute_column: Optional[str] = DEFAULT_COMPUTE_COLUMN,
    scores: bool = False,
) -> "_native.Matrix":
    """A path or DataFrame (model ids in the index or ``model_column``)
    loaded by the library's reader."""
    meta = _names(meta_columns, "meta_columns")
    compute = _compute(compute_column)
    if _is_path(matrix):
        return _native.read_matrix(os.fspath(matrix), model_column, meta, compute, scores)
    if isinstance(matrix, pd.Series):
        matrix = matrix.to_frame(name=matrix.name if matrix.name is not None else "score")
    if not isinstance(matrix, pd.DataFrame):
        raise SafetywashingError(
            f"expected a path or a pandas DataFrame, got {type(matrix).__name__}"
        )
    frame = matrix
    if model_column is not None:
        if model_column not in frame.columns:
            raise SafetywashingError(
                f"DataFrame: no model column '{model_column}'; columns: "
                + ", ".join(map(str, frame.columns))
            )
        frame = frame.set_index(model_column)
    source = str(frame.attrs.get("source", "DataFrame"))
    header = str(frame.index.name) if frame.index.name is not None else "model"
    models = ["" if _cell(m) is None else str(m) for m in frame.index]
    columns = [
        (str(name), [_cell(v) for v in frame.iloc[:, i].tolist()])
        for i, name in enumerate(frame.columns)
    ]
    return _native.frame_matrix(source, header, models, columns, meta, compute, scores)


def _info(info: Any) -> Optional["_native.Info"]:
    """A benchmark info table (path or DataFrame ``benchmark,name,metric``)."""
    if info is None:
        return None
    if _is_path(info):
        return _native.read_info(path=os.fspath(info))
    if isinstance(info, pd.DataFrame):
        frame = info if isinstance(info.index, pd.RangeIndex) else info.reset_index()
        return _native.read_info(text=frame.to_csv(index=False), source="info DataFrame")
    raise SafetywashingError(
        f"info must be a path or a pandas DataFrame, got {type(info).__name__}"
    )


#: Exact float parsing: pandas before 3 needs asking for it (3 parses
#: exactly by default and deprecates the option).
_EXACT = {"float_precision": "round_trip"} if int(pd.__version__.split(".")[0]) < 3 else {}


def _read_csv(text: str, index: Optional[str]) -> pd.DataFrame:
    """A CSV document of the library as a DataFrame: numbers exactly as
    written (round trip), only empty cells missing."""
    if not text.strip():
        return pd.DataFrame()
    frame = pd.read_csv(
        io.StringIO(text),
        **_EXACT,
        keep_default_na=False,
        na_values=[""],
    )
    return frame.set_index(index) if index is not None else frame


def _float(value: Optional[float]) -> float:
    return float("nan") if value is None else float(value)


# -------------------------------------------------------------- analysis


def _series(values: Dict[str, Any], name: str, index_name: str) -> pd.Series:
    """A float Series from a JSON object (null → NaN), its index named."""
    s = pd.Series({k: _float(v) for k, v in values.items()}, name=name, dtype="float64")
    s.index.name = index_name
    return s


class Analysis:
    """The analysis of one benchmark matrix (``safetywashing analyze``).

    Every attribute is read from the JSON document the command line writes
    for the same input (:meth:`to_json`), or from its CSV (:attr:`benchmarks`).
    """

    def __init__(self, native: "_native.Analysis") -> None:
        self._native = native
        self._json = native.export("json")
        self._doc: Dict[str, Any] = json.loads(self._json)

    @property
    def benchmarks(self) -> pd.DataFrame:
        """One row per benchmark, indexed by benchmark id, with the columns of
        ``--format csv`` (uncertainty columns too, when computed) except
        ``matrix``, the same on every row (see ``to_dict()["matrix"]``)."""
        return _read_csv(self._native.export("csv"), "benchmark").drop(columns="matrix")

    @property
    def scores(self) -> pd.Series:
        """Capabilities score of each model used, indexed by model id."""
        return _series(self._doc["capabilities_scores"], "capabilities_score", "model")

    @property
    def loadings(self) -> pd.Series:
        """PC1 loading of each capability benchmark."""
        return _series(self._doc["pc1_loadings"], "pc1_loading", "benchmark")

    @property
    def eigenvalues(self) -> np.ndarray:
        """Eigenvalues of the capability correlation matrix, largest first."""
        return np.array([_float(v) for v in self._doc["eigenvalues"]], dtype=float)

    @property
    def pc1_variance_explained(self) -> float:
        """Share of the capability benchmarks' variance on PC1."""
        return _float(self._doc["pc1_variance_explained"])

    @property
    def capability_correlation_matrix(self) -> pd.DataFrame:
        """Correlations among the capability benchmarks."""
        names = self._doc["capability_benchmarks"]
        rows = [[_float(v) for v in row] for row in self._doc["capability_correlation_matrix"]]
        return pd.DataFrame(rows, index=pd.Index(names, name="benchmark"), columns=names)

    @property
    def models_used(self) -> List[str]:
        """Models scored (they have every capability benchmark), in file order."""
        return list(self._doc["models_used"])

    @property
    def models_excluded(self) -> Dict[str, List[str]]:
        """Models left out, each with the capability benchmarks it lacks."""
        return {e["model"]: list(e["missing"]) for e in self._doc["models_excluded"]}

    def to_json(self) -> str:
        """The JSON document of ``safetywashing analyze --format json``."""
        return self._json

    def to_dict(self) -> Dict[str, Any]:
        """:meth:`to_json` as Python objects (``None`` for undefined numbers)."""
        return json.loads(self._json)

    def to_text(self) -> str:
        """The command line's text report."""
        return self._native.export("text")

    def to_markdown(self) -> str:
        """The command line's Markdown report."""
        return self._native.export("markdown")

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        d = self._doc
        return (
            f"<safetywashing.Analysis of {d['matrix']}: {len(d['models_used'])} models, "
            f"{len(d['capability_benchmarks'])} capability benchmarks, "
            f"{len(d['benchmarks'])} benchmarks>"
        )

    def _repr_html_(self) -> str:
        import html

        d = self._doc
        pc1 = d["pc1_variance_explained"]
        head = (
            f"<p><b>{html.escape(str(d['matrix']))}</b>: {len(d['models_used'])} models, "
            f"method {html.escape(d['method'])}, PC1 explains "
            f"{'n/a' if pc1 is None else f'{pc1:.1%}'} of capability variance</p>"
        )
        return head + self.benchmarks.to_html()


def _options(**kwargs: Any) -> "_native.Options":
    kwargs["capabilities"] = _names(kwargs.get("capabilities"), "capabilities")
    return _native.options(**kwargs)


def analyze(
    matrix: Union[PathLike, pd.DataFrame],
    *,
    capabilities: Union[None, str, Sequence[str]] = None,
    method: str = "spearman",
    info: Union[None, PathLike, pd.DataFrame] = None,
    meta_columns: Union[None, str, Sequence[str]] = None,
    compute_column: Optional[str] = DEFAULT_COMPUTE_COLUMN,
    model_column: Optional[str] = None,
    bootstrap: int = 0,
    seed: int = 1,
    confidence: float = 0.95,
    interval: str = "bca",
    cluster_column: Optional[str] = None,
    cluster_by_prefix: bool = False,
    permutations: int = 0,
    leave_one_out: bool = False,
    sensitivity: bool = False,
    impute: Optional[str] = None,
    impute_rank: int = 1,
) -> Analysis:
    """Capabilities and compute correlation of every benchmark in ``matrix``
    (``safetywashing analyze``).

    ``matrix`` is a CSV path or a DataFrame with one row per model (model ids
    in the index, or in the column ``model_column``). ``capabilities``
    defaults to the paper's 12 benchmarks; ``meta_columns`` to
    ``model_size,FLOP,name,type``; ``compute_column`` to ``FLOP`` (skipped
    when absent; a column named explicitly must exist). ``bootstrap=N``
    (N >= 10) adds intervals, ``permutations=N`` p- and q-values (0: none).
    ``impute="pca"`` imputes missing capability cells.
    """
    m = _matrix(
        matrix, model_column=model_column, meta_columns=meta_columns, compute_column=compute_column
    )
    opts = _options(
        capabilities=capabilities,
        method=method,
        bootstrap=bootstrap,
        seed=seed,
        confidence=confidence,
        interval=interval,
        cluster_column=cluster_column,
        cluster_by_prefix=cluster_by_prefix,
        permutations=permutations,
        leave_one_out=leave_one_out,
        sensitivity=sensitivity,
        impute=impute,
        impute_rank=impute_rank,
    )
    return Analysis(_native.analyze(m, opts, _info(info)))


# ----------------------------------------------------------------- check


class CheckReport:
    """A new benchmark's capabilities correlation against a reference, with a
    verdict (``safetywashing check``)."""

    def __init__(self, native: "_native.Check") -> None:
        self._native = native
        self._json = native.to_json()
        self._doc: Dict[str, Any] = json.loads(self._json)

    @property
    def benchmarks(self) -> pd.DataFrame:
        """One row per checked benchmark, indexed by its column header."""
        rows = self._doc.get("benchmarks", [])
        frame = pd.DataFrame(rows)
        if "benchmark" in frame.columns:
            frame = frame.set_index("benchmark")
        return frame

    def any_at_or_above(self, r: float) -> bool:
        """Whether any checked |r| reaches ``r`` (the CLI's ``--fail-above``)."""
        return self._native.any_at_or_above(r)

    def to_json(self) -> str:
        """The JSON document of ``safetywashing check --format json``."""
        return self._json

    def to_dict(self) -> Dict[str, Any]:
        """:meth:`to_json` as Python objects."""
        return json.loads(self._json)

    def __str__(self) -> str:
        return self._native.text()

    def __repr__(self) -> str:
        return f"<safetywashing.CheckReport: {len(self._doc.get('benchmarks', []))} benchmark(s)>"

    def _repr_html_(self) -> str:
        import html

        return f"<pre>{html.escape(str(self))}</pre>"


def _reference(against: Any, **matrix_kwargs: Any) -> "_native.Matrix":
    if isinstance(against, str) and against in ("base", "chat"):
        return _native.read_matrix(
            _native.paper_data_path(against),
            matrix_kwargs["model_column"],
            _names(matrix_kwargs["meta_columns"], "meta_columns"),
            _compute(matrix_kwargs["compute_column"]),
        )
    return _matrix(against, **matrix_kwargs)


def _aliases(aliases: Any) -> Optional[str]:
    """An alias table as CSV text: a path, a ``{from: to}`` dict or a DataFrame."""
    if aliases is None:
        return None
    if _is_path(aliases):
        try:
            with open(aliases, encoding="utf-8") as f:
                return f.read()
        except OSError as e:
            raise SafetywashingError(f"{os.fspath(aliases)}: {e.strerror}") from None
    if isinstance(aliases, dict):
        frame = pd.DataFrame({"from": list(aliases), "to": list(aliases.values())})
        return frame.to_csv(index=False)
    if isinstance(aliases, pd.DataFrame):
        return aliases.to_csv(index=False)
    raise SafetywashingError(
        f"aliases must be a path, a dict or a DataFrame, got {type(aliases).__name__}"
    )


def check(
    new: Union[PathLike, pd.DataFrame, pd.Series],
    *,
    against: Union[str, PathLike, pd.DataFrame] = "chat",
    benchmark: Optional[str] = None,
    lower_is_better: bool = False,
    aliases: Union[None, PathLike, Dict[str, str], pd.DataFrame] = None,
    low_below: Optional[float] = None,
    high_at: Union[None, float, str] = None,
    capabilities: Union[None, str, Sequence[str]] = None,
    method: str = "spearman",
    meta_columns: Union[None, str, Sequence[str]] = None,
    compute_column: Optional[str] = DEFAULT_COMPUTE_COLUMN,
    model_column: Optional[str] = None,
    bootstrap: int = 0,
    seed: int = 1,
    confidence: float = 0.95,
    interval: str = "bca",
) -> CheckReport:
    """Check a new benchmark's capabilities correlation against a reference
    (``safetywashing check``).

    ``new`` holds model ids (first column of a file, or a DataFrame/Series
    index) and one or more score columns. ``against`` is ``"base"`` or
    ``"chat"`` (the paper's matrices) or a matrix path or DataFrame, read with
    ``meta_columns``, ``compute_column`` and ``model_column``. Model names are
    matched exactly, then through ``aliases``, then normalised.

    ``low_below`` defaults to the paper's 0.40 (its τ equivalent, about
    0.273, with ``method="kendall"``); ``high_at`` to the mean correlation of
    each capability benchmark with a composite fitted without it
    (``"leave-one-out"``), or ``"paper"`` for the paper's mean correlation
    among the capability benchmarks, or a fraction.
    """
    new_matrix = _matrix(new, scores=True)
    reference = _reference(
        against, model_column=model_column, meta_columns=meta_columns, compute_column=compute_column
    )
    opts = _options(
        capabilities=capabilities,
        method=method,
        bootstrap=bootstrap,
        seed=seed,
        confidence=confidence,
        interval=interval,
    )
    return CheckReport(
        _native.check(
            new_matrix,
            reference,
            opts,
            benchmark,
            lower_is_better,
            _aliases(aliases),
            low_below,
            high_at,
        )
    )


# ------------------------------------------------------------------ score


def score(
    new: Union[PathLike, pd.DataFrame],
    *,
    against: Union[str, PathLike, pd.DataFrame] = "chat",
    impute: bool = False,
    refit: bool = False,
    aliases: Union[None, PathLike, Dict[str, str], pd.DataFrame] = None,
    capabilities: Union[None, str, Sequence[str]] = None,
    method: str = "spearman",
    meta_columns: Union[None, str, Sequence[str]] = None,
    compute_column: Optional[str] = DEFAULT_COMPUTE_COLUMN,
    model_column: Optional[str] = None,
) -> pd.DataFrame:
    """Place new models on a reference's frozen capabilities score
    (``safetywashing score``), without refitting: each capability value
    z-scored with the reference's mean and population std, dotted with the
    reference's first principal component.

    Returns one row per new model (indexed by model) with the CLI's CSV
    columns: ``capabilities_score``, ``rank_among_reference`` (1 = highest),
    ``percentile``, ``imputed``, and with ``refit=True`` the refitted
    placement too. The CLI's JSON document is in ``.attrs["json"]``. A model
    missing a capability benchmark raises ``SafetywashingError`` unless
    ``impute=True``.
    """
    new_matrix = _matrix(new, scores=True)
    reference = _reference(
        against, model_column=model_column, meta_columns=meta_columns, compute_column=compute_column
    )
    opts = _options(capabilities=capabilities, method=method)
    doc_json, table_csv = _native.score(
        new_matrix, reference, opts, _aliases(aliases), impute, refit
    )
    frame = pd.read_csv(io.StringIO(table_csv), index_col="model")
    frame.attrs["json"] = doc_json
    return frame


# ------------------------------------------------------------- residuals


class Residuals:
    """One benchmark regressed on the capabilities score
    (``safetywashing residuals``)."""

    def __init__(self, doc_json: str, table_csv: str) -> None:
        self._json = doc_json
        self._doc: Dict[str, Any] = json.loads(doc_json)
        self._csv = table_csv

    @property
    def models(self) -> pd.DataFrame:
        """One row per model, ranked by residual (the ``--format csv`` rows)."""
        return _read_csv(self._csv, "model")

    def __getitem__(self, key: str) -> Any:
        """A field of the JSON document (``slope``, ``r_squared``, ...)."""
        return self._doc[key]

    def keys(self) -> List[str]:
        """The fields of the JSON document."""
        return list(self._doc)

    def to_json(self) -> str:
        """The JSON document of ``safetywashing residuals --format json``."""
        return self._json

    def to_dict(self) -> Dict[str, Any]:
        """:meth:`to_json` as Python objects."""
        return json.loads(self._json)

    def __repr__(self) -> str:
        return f"<safetywashing.Residuals of {self._doc.get('benchmark')!r}>"

    def _repr_html_(self) -> str:
        return self.models.to_html()


def residuals(
    matrix: Union[PathLike, pd.DataFrame],
    benchmark: str,
    *,
    capabilities: Union[None, str, Sequence[str]] = None,
    method: str = "spearman",
    confidence: float = 0.95,
    meta_columns: Union[None, str, Sequence[str]] = None,
    compute_column: Optional[str] = DEFAULT_COMPUTE_COLUMN,
    model_column: Optional[str] = None,
) -> Residuals:
    """Regress ``benchmark`` on the capabilities score and rank models by
    residual (``safetywashing residuals``): a positive residual is safer than
    the model's capabilities predict."""
    m = _matrix(
        matrix, model_column=model_column, meta_columns=meta_columns, compute_column=compute_column
    )
    caps = _names(capabilities, "capabilities")
    doc = _native.residuals(m, benchmark, caps, method, confidence, "json")
    table = _native.residuals(m, benchmark, caps, method, confidence, "csv")
    return Residuals(doc, table)


# ------------------------------------------------------------- calibrate


def calibrate(
    paths: Union[PathLike, Sequence[PathLike]],
    *,
    rms_variant: str = "paper",
    bin_size: int = 100,
    tune_split: Optional[float] = None,
    seed: int = 1,
    skip_bad_lines: bool = False,
) -> pd.DataFrame:
    """Accuracy, Brier score and RMS calibration error of lm-eval samples
    files (``safetywashing calibrate``), one row per file (the ``--format
    csv`` columns)."""
    files = [os.fspath(paths)] if _is_path(paths) else [os.fspath(p) for p in paths]
    text = _native.calibrate(files, "csv", rms_variant, bin_size, tune_split, seed, skip_bad_lines)
    return _read_csv(text, "file")


# ------------------------------------------------------------ paper data


def paper_data(which: str = "base") -> pd.DataFrame:
    """The paper's base or chat matrix (model ids in the index) or its info
    table (``which="info"``), fetched, checked against the pinned SHA-256 and
    cached as the command line does (``SAFETYWASHING_DATA=DIR`` uses a local
    copy). ``attrs["source"]`` is the file's path, so results name it as the
    command line does."""
    path = _native.paper_data_path(which)
    frame = pd.read_csv(
        path,
        index_col=None if which == "info" else 0,
        **_EXACT,
        keep_default_na=False,
        na_values=["", "NaN", "nan", "NA"],
        encoding="utf-8-sig",
    )
    frame.attrs["source"] = path
    return frame


# ------------------------------------------------------------------ plot


class Figure:
    """A figure as SVG or PNG bytes; shown inline in notebooks."""

    def __init__(self, data: bytes, format: str) -> None:
        self.data = bytes(data)
        self.format = format

    def _repr_svg_(self) -> Optional[str]:
        return self.data.decode("utf-8") if self.format == "svg" else None

    def _repr_png_(self) -> Optional[bytes]:
        return self.data if self.format == "png" else None

    def save(self, path: PathLike) -> None:
        """Write the image to ``path`` (atomically); its extension must match
        the figure's format."""
        ext = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
        if ext != self.format:
            raise SafetywashingError(
                f"{os.fspath(path)}: this figure is {self.format.upper()}; "
                f"save it as .{self.format} (or plot with format='{ext or 'svg'}')"
            )
        _native.write_file(os.fspath(path), self.data)

    def __repr__(self) -> str:
        return f"<safetywashing.Figure {self.format}, {len(self.data)} bytes>"


def plot(
    kind: str,
    matrix: Union[None, PathLike, pd.DataFrame, Sequence[Union[PathLike, pd.DataFrame]]] = None,
    *,
    benchmark: Optional[str] = None,
    x: str = "capabilities",
    format: str = "svg",
    info: Union[None, PathLike, pd.DataFrame] = None,
    capabilities: Union[None, str, Sequence[str]] = None,
    method: str = "spearman",
    meta_columns: Union[None, str, Sequence[str]] = None,
    compute_column: Optional[str] = DEFAULT_COMPUTE_COLUMN,
    model_column: Optional[str] = None,
    bootstrap: int = 0,
    seed: int = 1,
    confidence: float = 0.95,
    interval: str = "bca",
    cluster_column: Optional[str] = None,
    cluster_by_prefix: bool = False,
) -> Figure:
    """A figure (``safetywashing plot``): ``overview``, ``scatter`` (needs
    ``benchmark``; ``x`` is ``capabilities``, ``compute`` or a benchmark),
    ``ranking``, ``scree`` or ``heatmap``. ``matrix`` is one matrix or a list
    (one panel each); ``None`` is the paper's base and chat matrices with
    its info table. With ``bootstrap=N`` intervals are drawn."""
    if matrix is None:
        matrix = [_native.paper_data_path("base"), _native.paper_data_path("chat")]
        if info is None:
            info = _native.paper_data_path("info")
    many = matrix if isinstance(matrix, (list, tuple)) else [matrix]
    matrices = [
        _matrix(
            m, model_column=model_column, meta_columns=meta_columns, compute_column=compute_column
        )
        for m in many
    ]
    opts = _options(
        capabilities=capabilities,
        method=method,
        bootstrap=bootstrap,
        seed=seed,
        confidence=confidence,
        interval=interval,
        cluster_column=cluster_column,
        cluster_by_prefix=cluster_by_prefix,
    )
    data = _native.plot(kind, matrices, opts, _info(info), benchmark, x, format)
    return Figure(data, format)
