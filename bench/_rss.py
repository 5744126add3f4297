"""`python -m bench._rss CMD...`: run CMD and print its peak RSS as the last stderr line.

The benchmark's own process is large by the time it replays; a child forked from it starts
with the parent's pages, so its `ru_maxrss` would report the parent's size. This small process
forks the command instead, so the figure is the command's own.
"""

import resource
import subprocess
import sys


def main() -> int:
    """Run the command; exit with its code after printing `peak_rss_kb=N` to stderr."""
    code = subprocess.call(sys.argv[1:])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"peak_rss_kb={peak}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
