"""Reads the wrk outputs the benchmark scripts leave ({data}/{label}.{run}): the median run."""
import re


def ms(value):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", value)
    if not m:
        return float("nan")
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[m.group(2)]


def parse(data, label, runs):
    """((req/s, p50 ms, p99 ms, non-2xx, socket errors) of the median run, every run's req/s)."""
    out = []
    for i in range(1, runs + 1):
        t = open(f"{data}/{label}.{i}").read()
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
        p50 = ms(re.search(r"^\s+50%\s+(\S+)", t, re.M).group(1))
        p99 = ms(re.search(r"^\s+99%\s+(\S+)", t, re.M).group(1))
        bad = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
        err = re.search(r"Socket errors: (.*)", t)
        out.append((rps, p50, p99, int(bad.group(1)) if bad else 0, err.group(1) if err else ""))
    out.sort()
    return out[len(out) // 2], [o[0] for o in out]
