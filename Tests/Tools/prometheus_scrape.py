#!/usr/bin/env python3
"""A real Prometheus server scrapes the agent: the end-to-end check of its /metrics.

Starts the agent (the binary given) on loopback, checks one scrape with `promtool check
metrics` (every metric has help text and a valid type), starts Debian's `prometheus` with a
one-second scrape of the agent's health port, sends probe traffic, and reads back through
Prometheus's HTTP API: `up` is 1, `uservice_lifecycle_state{state="ready"}` is 1, and a p90 of
`http_server_request_duration_seconds` for `/readyz` (from `histogram_quantile` over the
buckets) is a number within the histogram's range. Exits 1 with the reason on any failure.

usage: Tests/Tools/prometheus_scrape.py PATH/TO/uservice
"""
import json
import math
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=2.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


def wait_for(what, check, seconds):
    """Calls `check` until it returns a true value (which is returned) or `seconds` pass."""
    deadline = time.monotonic() + seconds
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except OSError as error:
            last_error = error
        time.sleep(0.2)
    raise SystemExit(f"FAIL: {what} within {seconds} s (last error: {last_error})")


def query(prometheus_port, expression):
    """The instant vector of a PromQL expression, as (labels, value) pairs."""
    url = f"http://127.0.0.1:{prometheus_port}/api/v1/query?" + urllib.parse.urlencode({"query": expression})
    answer = json.loads(get(url))
    if answer.get("status") != "success":
        raise SystemExit(f"FAIL: query {expression!r}: {answer}")
    return [(sample["metric"], float(sample["value"][1])) for sample in answer["data"]["result"]]


def main():
    binary = sys.argv[1]
    health_port, data_port, prometheus_port = free_port(), free_port(), free_port()
    work = Path(tempfile.mkdtemp(prefix="prometheus-scrape-"))
    config = work / "uservice.yaml"
    config.write_text(
        f"health: {{address: 127.0.0.1, port: {health_port}}}\nserver: {{address: 127.0.0.1, port: {data_port}}}\n")
    (work / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        "scrape_configs:\n"
        f"  - job_name: uservice\n    static_configs: [{{targets: ['127.0.0.1:{health_port}']}}]\n")
    agent = subprocess.Popen([binary, "start", "--config", str(config)], stderr=subprocess.DEVNULL)
    prometheus = None
    try:
        wait_for("the agent answers /readyz", lambda: get(f"http://127.0.0.1:{health_port}/readyz"), 20)
        exposition = get(f"http://127.0.0.1:{health_port}/metrics")
        lint = subprocess.run(["promtool", "check", "metrics"], input=exposition, capture_output=True)
        if lint.returncode != 0 or lint.stdout.strip() or lint.stderr.strip():
            raise SystemExit(f"FAIL: promtool check metrics:\n{(lint.stdout + lint.stderr).decode()}")
        print("promtool check metrics: clean")
        check = subprocess.run(["promtool", "check", "config", str(work / "prometheus.yml")], capture_output=True)
        if check.returncode != 0:
            raise SystemExit(f"FAIL: promtool check config:\n{(check.stdout + check.stderr).decode()}")

        prometheus = subprocess.Popen(
            ["prometheus", f"--config.file={work / 'prometheus.yml'}", f"--storage.tsdb.path={work / 'data'}",
             f"--web.listen-address=127.0.0.1:{prometheus_port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for("Prometheus is ready", lambda: get(f"http://127.0.0.1:{prometheus_port}/-/ready"), 30)
        up = wait_for("a first scrape with up == 1",
                      lambda: [value for _, value in query(prometheus_port, 'up{job="uservice"}') if value == 1], 30)
        print(f"up: {up[0]:.0f}")
        state = query(prometheus_port, 'uservice_lifecycle_state{state="ready"}')
        if [value for _, value in state] != [1.0]:
            raise SystemExit(f"FAIL: uservice_lifecycle_state{{state=\"ready\"}} is {state}")
        print("uservice_lifecycle_state{state=\"ready\"}: 1")

        p90_query = ('histogram_quantile(0.9, sum by (le) '
                     '(rate(http_server_request_duration_seconds_bucket{route="/readyz"}[10s])))')

        def p90_with_traffic():
            for _ in range(50):
                get(f"http://127.0.0.1:{health_port}/readyz")
            samples = query(prometheus_port, p90_query)
            return samples and not math.isnan(samples[0][1]) and samples[0][1]

        p90 = wait_for("a p90 of /readyz durations", p90_with_traffic, 40)
        if not 0 < p90 <= 10:
            raise SystemExit(f"FAIL: p90 {p90} s is outside the histogram's buckets")
        print(f"/readyz p90 through Prometheus: {p90 * 1000:.2f} ms")
        print("PASS: Prometheus scraped the agent")
    finally:
        for process in (prometheus, agent):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)


if __name__ == "__main__":
    main()
