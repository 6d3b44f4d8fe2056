#!/usr/bin/env python3
"""Samples a running `plexus-node launch` deployment for SECONDS: every network's finality lag
(best minus finalized block of one producer, every INTERVAL seconds) and every process's CPU time
and resident memory. Prints one table per network and per process; used by scripts/density.sh.

Usage: deployment-sampler.py LAUNCH_JSON LAUNCH_PID SECONDS [LABEL]
"""
import json
import os
import sys
import time
import urllib.request

INTERVAL = 2.0
TICK = os.sysconf("SC_CLK_TCK")


def rpc(url, method, params=()):
    body = json.dumps({"id": 1, "jsonrpc": "2.0", "method": method, "params": list(params)})
    request = urllib.request.Request(
        url, body.encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as answer:
        return json.load(answer)["result"]


def height(url, finalized):
    at = [rpc(url, "chain_getFinalizedHead")] if finalized else []
    return int(rpc(url, "chain_getHeader", at)["number"], 16)


def children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    found.append(int(entry))
            except OSError:
                pass
    return found


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main():
    report_file, launch_pid, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    label = sys.argv[4] if len(sys.argv) > 4 else "sample"
    report = json.load(open(report_file))
    names = {n["pid"]: f'{n["network"]}/{n["name"]}' for n in report["nodes"]}
    producer = {}
    for n in report["nodes"]:
        if n["role"] == "producer":
            producer.setdefault(n["network"], n["rpc"].replace("ws://", "http://"))
    pids = children(launch_pid)
    before = {pid: cpu_ticks(pid) for pid in pids}
    lags = {network: [] for network in producer}
    finalized_at_start = {network: height(url, True) for network, url in producer.items()}
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        for network, url in producer.items():
            try:
                lags[network].append(height(url, False) - height(url, True))
            except OSError as error:
                print(f"{label}: {network}: {error}", file=sys.stderr)
        time.sleep(INTERVAL)
    wall = time.monotonic() - started
    print(f"\n{label}: {wall:.0f} s, finality lag (best - finalized, every {INTERVAL:.0f} s):")
    print(f"  {'network':<8} {'mean':>6} {'max':>4} {'blocks finalized/s':>19}")
    for network, samples in lags.items():
        gained = height(producer[network], True) - finalized_at_start[network]
        mean = sum(samples) / max(len(samples), 1)
        print(f"  {network:<8} {mean:6.2f} {max(samples, default=0):4d} {gained / wall:19.2f}")
    print(f"{label}: CPU and memory per process:")
    total = 0.0
    for pid in pids:
        try:
            used = (cpu_ticks(pid) - before[pid]) / TICK
            memory = rss_mb(pid)
        except OSError:
            continue
        total += used
        name = names.get(pid, f"relayer (pid {pid})")
        print(f"  {name:<24} {100 * used / wall:5.1f} % of a core {memory:7.0f} MB")
    print(f"  {'all':<24} {100 * total / wall:5.1f} % of a core (machine: {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
