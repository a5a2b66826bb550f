#!/usr/bin/env python3
"""Run a command several times and report its median wall time and median
CPU time (user + sys), from the child's own clock and rusage (no wrapper
process in between), and its peak resident memory from one more run under GNU
time (a child forked from Python would count Python's own pages too).

    python3 bench/measure.py --runs N --timeout S --out FILE -- CMD ARGS...

Prints `wall_s cpu_s peak_kib` on one line; exits 1 when a run fails or
times out (its stderr is kept in FILE.err).
"""
import argparse
import os
import signal
import statistics
import subprocess
import sys
import time

GNU_TIME = "/usr/bin/time"


def run_once(cmd, out_path, timeout):
    with open(out_path, "wb") as out, open(out_path + ".err", "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.send_signal(signal.SIGKILL)
                os.wait4(proc.pid, 0)
                return None
            time.sleep(0.0005)
        wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        return None
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=1200)
    parser.add_argument("--out", required=True)
    parser.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    results = []
    for _ in range(args.runs):
        r = run_once(cmd, args.out, args.timeout)
        if r is None:
            sys.exit(1)
        results.append(r)
    wall = statistics.median(r[0] for r in results)
    cpu = statistics.median(r[1] for r in results)
    peak = max(r[2] for r in results)
    if os.path.exists(GNU_TIME):
        timed = [GNU_TIME, "-f", "%M", "-o", args.out + ".time", *cmd]
        if run_once(timed, args.out, args.timeout) is None:
            sys.exit(1)
        with open(args.out + ".time") as f:
            peak = int(f.read().split()[-1])
    print(f"{wall:.6f} {cpu:.6f} {peak}")


if __name__ == "__main__":
    main()
