"""The ``safetywashing`` console script: the Rust command line itself, run
in this process through the native module (same flags, output and exit
status as the standalone binary)."""

import signal
import sys


def main() -> None:
    """Run the command line with this process's arguments and exit with its
    status."""
    from . import _native

    # Ctrl-C ends the command at once, as it ends the binary (Python's own
    # handler would only run after the command returned).
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    sys.stdout.flush()
    raise SystemExit(_native.run_cli(["safetywashing", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
