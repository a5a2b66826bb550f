"""A long bootstrap (in analyze and in check) releases the GIL and stops on
Ctrl-C (SIGINT) with KeyboardInterrupt within about a second."""

import os
import signal
import threading
import time

import numpy as np
import pandas as pd
import pytest

import safetywashing as sw


def big_matrix(n=300, k=12, seed=2):
    rng = np.random.default_rng(seed)
    g = rng.normal(size=n)
    caps = {f"c{i}": g + rng.normal(size=n) for i in range(k)}
    safety = {f"s{i}": rng.normal(size=n) for i in range(40)}
    frame = pd.DataFrame({**caps, **safety}, index=[f"m{i}" for i in range(n)])
    return frame, list(caps)


def long_analyze(frame, caps):
    return sw.analyze(frame, capabilities=caps, bootstrap=200_000)


def long_check(frame, caps):
    new = frame[["s0"]].rename(columns={"s0": "mine"})
    reference = frame.drop(columns=["s0"])
    return sw.check(new, against=reference, capabilities=caps, bootstrap=200_000)


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")
@pytest.mark.parametrize("long_call", [long_analyze, long_check], ids=["analyze", "check"])
def test_ctrl_c_interrupts_a_long_bootstrap(long_call):
    frame, caps = big_matrix()
    sent = {}
    ticks = []

    def interrupt():
        sent["at"] = time.monotonic()
        os.kill(os.getpid(), signal.SIGINT)

    # The GIL is released: this thread keeps running during the bootstrap.
    def tick():
        while "at" not in sent:
            ticks.append(1)
            time.sleep(0.05)

    threading.Thread(target=tick, daemon=True).start()
    timer = threading.Timer(1.0, interrupt)
    timer.start()
    start = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            long_call(frame, caps)
    finally:
        timer.cancel()
    assert "at" in sent, "the bootstrap finished before the interrupt"
    stopped = time.monotonic()
    assert stopped - sent["at"] < 1.5, f"stopped {stopped - sent['at']:.2f}s after SIGINT"
    assert stopped - start < 5
    assert len(ticks) >= 10, "another Python thread could not run: the GIL was held"
    # The module still works afterwards.
    assert sw.analyze(frame, capabilities=caps).pc1_variance_explained > 0
