"""Type stubs of the native module (crates/python): the library behind
``safetywashing``. Use the functions of the ``safetywashing`` package; these
take its already-converted inputs."""

from typing import Any, List, Optional, Sequence, Tuple, Union

__version__: str

class SafetywashingError(ValueError):
    """Bad input or options: carries the one-line message the command line prints."""

class Matrix:
    """A loaded benchmark matrix."""

class Info:
    """A loaded benchmark info table."""

class Options:
    """Checked analysis options."""

class Analysis:
    """One matrix's full analysis."""

    def export(self, format: str) -> str: ...

class Check:
    """A new benchmark's check against a reference."""

    def to_json(self) -> str: ...
    def text(self) -> str: ...
    def any_at_or_above(self, bound: float) -> bool: ...

def read_matrix(
    path: str,
    model_column: Optional[str] = None,
    meta_columns: Optional[Sequence[str]] = None,
    compute_column: Optional[str] = None,
    scores: bool = False,
) -> Matrix: ...
def frame_matrix(
    source: str,
    model_header: str,
    models: Sequence[str],
    columns: Sequence[Tuple[str, Sequence[Any]]],
    meta_columns: Optional[Sequence[str]] = None,
    compute_column: Optional[str] = None,
    scores: bool = False,
) -> Matrix: ...
def read_info(
    path: Optional[str] = None, text: Optional[str] = None, source: Optional[str] = None
) -> Info: ...
def paper_data_path(which: str) -> str: ...
def options(
    capabilities: Optional[Sequence[str]] = None,
    method: str = "spearman",
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
) -> Options: ...
def analyze(matrix: Matrix, options: Options, info: Optional[Info] = None) -> Analysis: ...
def plot(
    kind: str,
    matrices: List[Matrix],
    options: Options,
    info: Optional[Info] = None,
    benchmark: Optional[str] = None,
    x: str = "capabilities",
    format: str = "svg",
) -> bytes: ...
def residuals(
    matrix: Matrix,
    benchmark: str,
    capabilities: Optional[Sequence[str]] = None,
    method: str = "spearman",
    confidence: float = 0.95,
    format: str = "json",
) -> str: ...
def check(
    new: Matrix,
    reference: Matrix,
    options: Options,
    benchmark: Optional[str] = None,
    lower_is_better: bool = False,
    aliases: Optional[str] = None,
    low_below: Optional[float] = None,
    high_at: Union[None, float, str] = None,
) -> Check: ...
def score(
    new: Matrix,
    reference: Matrix,
    options: Options,
    aliases: Optional[str] = None,
    impute: bool = False,
    refit: bool = False,
) -> Tuple[str, str]: ...
def calibrate(
    files: Sequence[str],
    format: str = "csv",
    rms_variant: str = "paper",
    bin_size: int = 100,
    tune_split: Optional[float] = None,
    seed: int = 1,
    skip_bad_lines: bool = False,
) -> str: ...
def write_file(path: str, bytes: bytes) -> None: ...
def run_cli(argv: Sequence[str]) -> int: ...
