#!/usr/bin/env python3
"""Hostile clients against a real uservice agent with its default limits.

Usage: python3 Tests/Tools/hostile_clients.py PATH/TO/uservice

Each scenario starts a fresh agent (`uservice start --config FILE --log-format json`, free
ports) and attacks it while a prober process opens a fresh connection to the health port every
~100 ms and times `GET /livez` to the end of its answer. A scenario passes when the agent stays
alive, its peak RSS (VmHWM) stays within 64 MiB, every probe is answered 200 within 250 ms, the
scenario's own checks hold, and the agent still serves normally afterwards.

  1 slow-readers   a pipelining client per port that never reads its answers (backpressure)
  2 conn-flood     3,000 connections to the data port, half with a partial head (maxConnections)
  3 trailers       a chunked body with 150,000 trailer lines, and one over the 1 MiB limit
  4 hung-plugin    a plugin call that never returns, under load (pluginTimeout, busy refusals)
  5 fd-exhaustion  an agent with 64 file descriptors and 100 held connections (accept backoff)

The probes run in a process of their own so that the attackers' threads here cannot delay
them. Prints one line per scenario with its figures and a summary table; exits 0 when every
scenario passes, 1 otherwise. Python 3.11 standard library only, plus `cc` for the plugin.
"""

import errno
import json
import multiprocessing
import os
import re
import resource
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PLUGIN_HEADERS = REPO / "Sources" / "CUServicePlugin" / "include"
PLUGIN_SOURCE = Path(__file__).resolve().with_name("scripted_plugin.c")

HOST = "127.0.0.1"
RSS_LIMIT_MIB = 64
PROBE_LIMIT_MS = 250
PROBE_INTERVAL = 0.1
PROBE_TIMEOUT = 2.0
PROBE_REQUEST = b"GET /livez HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
DATA_MAX_CONNECTIONS = 1024
MAX_HEADER_BYTES = 1048576
RECOVERY_SECONDS = 2.0
# connect() errors that mean "not now" rather than "no": retried after a short pause.
RETRYABLE_CONNECT = {errno.EAGAIN, errno.EADDRNOTAVAIL}


# --- sockets and HTTP ---------------------------------------------------------------------


def connect(port, timeout, receive_buffer=None):
    """A blocking TCP connection to the agent; retries while the kernel answers EAGAIN."""
    for _ in range(100):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        sock.settimeout(timeout)
        try:
            sock.connect((HOST, port))
            return sock
        except OSError as error:
            sock.close()
            if error.errno not in RETRYABLE_CONNECT:
                raise
            time.sleep(0.01)
    raise ConnectionError(f"connect to port {port}: EAGAIN 100 times")


def start_connect(port):
    """A non-blocking socket whose connection to the agent is under way."""
    while True:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        code = sock.connect_ex((HOST, port))
        if code in (0, errno.EINPROGRESS):
            return sock
        sock.close()
        if code not in RETRYABLE_CONNECT:
            raise OSError(code, os.strerror(code))
        time.sleep(0.01)


def finish_connects(sockets, timeout):
    """The sockets of `sockets` whose handshake completes within `timeout`; closes the others."""
    poller = select.poll()
    waiting = {sock.fileno(): sock for sock in sockets}
    for fd in waiting:
        poller.register(fd, select.POLLOUT)
    connected = []
    deadline = time.monotonic() + timeout
    while waiting and time.monotonic() < deadline:
        for fd, _ in poller.poll(100):
            poller.unregister(fd)
            sock = waiting.pop(fd)
            if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                connected.append(sock)
            else:
                sock.close()
    for sock in waiting.values():
        sock.close()
    return connected


def open_connections(port, count, batch=100):
    """Up to `count` connections to `port`, opened a batch at a time (non-blocking sockets)."""
    connected = []
    for start in range(0, count, batch):
        pending = [start_connect(port) for _ in range(min(batch, count - start))]
        connected += finish_connects(pending, timeout=5.0)
    return connected


def closed_by_peer(sockets):
    """How many of `sockets` the agent has closed (end of stream, reset or hang-up)."""
    poller = select.poll()
    for sock in sockets:
        poller.register(sock.fileno(), select.POLLIN | select.POLLRDHUP)
    by_fd = {sock.fileno(): sock for sock in sockets}
    closed = 0
    for fd, events in poller.poll(0):
        if events & (select.POLLHUP | select.POLLRDHUP | select.POLLERR):
            closed += 1
            continue
        try:
            closed += by_fd[fd].recv(4096) == b""
        except OSError:
            closed += 1
    return closed


def close_all(sockets):
    """Closes every socket of `sockets`."""
    for sock in sockets:
        sock.close()


def read_until_closed(sock, deadline):
    """Everything the peer sends until it closes; TimeoutError past `deadline` (monotonic)."""
    chunks = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the answer did not end in time")
        sock.settimeout(remaining)
        chunk = sock.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


@dataclass
class Response:
    """An HTTP answer: status, header fields (lower-case names) and body."""
    status: int
    headers: dict
    body: bytes


def parse_response(raw):
    """The first HTTP response in `raw`; ConnectionError when there is none."""
    head, separator, body = raw.partition(b"\r\n\r\n")
    if not separator:
        raise ConnectionError(f"no complete answer ({len(raw)} bytes)")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Response(int(lines[0].split(" ")[1]), headers, body)


def request(port, method, path, body=b"", timeout=5.0):
    """Sends one request on a fresh connection (`Connection: close`) and returns its Response."""
    deadline = time.monotonic() + timeout
    head = f"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
    if body or method == "POST":
        head += f"Content-Length: {len(body)}\r\n"
    with connect(port, timeout) as sock:
        sock.sendall(head.encode() + b"\r\n" + body)
        return parse_response(read_until_closed(sock, deadline))


def metric(text, name, **labels):
    """The value of the Prometheus series `name` whose labels include `labels` (0 if absent)."""
    for line in text.splitlines():
        match = re.fullmatch(rf"{re.escape(name)}\{{(.*)\}} (\S+)", line)
        if match and labels.items() <= dict(re.findall(r'(\w+)="([^"]*)"', match.group(1))).items():
            return float(match.group(2))
    return 0.0


# --- the agent ------------------------------------------------------------------------------


class Agent:
    """A `uservice start` process on free ports; collects its JSON log lines from stderr."""

    def __init__(self, binary, workdir, config, max_files=None):
        path = Path(workdir) / f"config-{time.monotonic_ns()}.yaml"
        path.write_text(config)
        environment = {k: v for k, v in os.environ.items() if not k.startswith("KUBERNETES_")}
        self.lines = []
        self.process = subprocess.Popen(
            [binary, "start", "--config", str(path), "--log-format", "json"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            env=environment, preexec_fn=(lambda: limit_files(max_files)) if max_files else None)
        self.pid = self.process.pid
        threading.Thread(target=self._collect, daemon=True).start()
        ready = self.wait_for_log(lambda line: line.get("message") == "ready", timeout=20)
        if ready is None:
            self.kill()
            raise RuntimeError(f"the agent did not get ready; log:\n{self.log_tail()}")
        self.health_port = int(ready["healthPort"])
        self.data_port = int(ready["dataPort"])

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.kill()

    def _collect(self):
        """Reads stderr to its end, so the agent never blocks on a full pipe."""
        for raw in self.process.stderr:
            try:
                line = json.loads(raw)
            except ValueError:
                line = {"message": raw.decode(errors="replace").rstrip()}
            self.lines.append(line)

    def wait_for_log(self, matches, timeout):
        """The first log line that `matches`, waiting up to `timeout` seconds; None if none."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = next((line for line in list(self.lines) if matches(line)), None)
            if found is not None or self.process.poll() is not None:
                return found
            time.sleep(0.02)
        return None

    def log_tail(self, count=5):
        """The last `count` log lines, as text."""
        return "\n".join(json.dumps(line) for line in self.lines[-count:])

    def alive(self):
        """True while the process runs."""
        return self.process.poll() is None

    def peak_rss_mib(self):
        """The process's peak resident set size (VmHWM), in MiB."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024

    def cpu_seconds(self):
        """User plus system CPU time the process has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def open_files(self):
        """How many file descriptors the process has open."""
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def kill(self):
        """Kills the process if it still runs, and reaps it."""
        if self.alive():
            self.process.kill()
        self.process.wait()


def limit_files(count):
    """Sets RLIMIT_NOFILE (soft and hard) to `count`; runs in the agent's child process."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (count, count))


def raise_own_file_limit(wanted):
    """Raises this process's soft RLIMIT_NOFILE towards `wanted`; returns the soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return soft


# --- probes ---------------------------------------------------------------------------------


def probe_once(port):
    """One liveness probe on a fresh connection: (milliseconds to the end of the answer, status
    code or an error text)."""
    started = time.monotonic()
    try:
        with connect(port, PROBE_TIMEOUT) as sock:
            sock.sendall(PROBE_REQUEST)
            outcome = parse_response(read_until_closed(sock, started + PROBE_TIMEOUT)).status
    except (OSError, ValueError) as error:
        outcome = f"{type(error).__name__}: {error}"
    return (time.monotonic() - started) * 1000, outcome


def probe_loop(port, stop, ready, results):
    """The prober process: probes every PROBE_INTERVAL until `stop` is set, then sends the list
    of probes through `results`. Sets `ready` after the first probe."""
    probes = []
    next_at = time.monotonic()
    while not stop.is_set():
        probes.append(probe_once(port))
        ready.set()
        next_at = max(next_at + PROBE_INTERVAL, time.monotonic())
        stop.wait(next_at - time.monotonic())
    results.send(probes)


class Prober:
    """Runs probe_loop in a separate process for the duration of a `with` block; `probes` holds
    the (ms, status) pairs afterwards."""

    def __init__(self, port):
        context = multiprocessing.get_context("spawn")
        self.stop = context.Event()
        self.ready = context.Event()
        self.results, sender = context.Pipe(duplex=False)
        self.process = context.Process(target=probe_loop, args=(port, self.stop, self.ready, sender), daemon=True)
        self.probes = []

    def __enter__(self):
        self.process.start()
        self.ready.wait(10)
        return self

    def __exit__(self, *_):
        self.stop.set()
        if self.results.poll(PROBE_TIMEOUT + 5):
            self.probes = self.results.recv()
        self.process.join(2)
        if self.process.is_alive():
            self.process.kill()


# --- outcomes and shared checks ------------------------------------------------------------


@dataclass
class Outcome:
    """What one scenario measured (`figures`, in print order) and which checks failed."""
    name: str
    figures: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)
    seconds: float = 0.0

    def check(self, condition, failure):
        """Records `failure` unless `condition` holds; returns `condition`."""
        if not condition:
            self.failures.append(failure)
        return condition

    @property
    def passed(self):
        return not self.failures

    def line(self):
        """The scenario's one-line report, then one indented line per failure."""
        figures = ", ".join(f"{key} {value}" for key, value in self.figures.items())
        text = f"[{'PASS' if self.passed else 'FAIL'}] {self.name} ({self.seconds:.1f} s): {figures}"
        return "\n".join([text] + [f"       - {failure}" for failure in self.failures])


def check_probes(outcome, probes):
    """Every probe answered 200 within PROBE_LIMIT_MS; records the worst latency."""
    outcome.figures["probes"] = len(probes)
    outcome.figures["worst probe"] = f"{max((ms for ms, _ in probes), default=0):.0f} ms"
    bad = [(ms, status) for ms, status in probes if status != 200 or ms > PROBE_LIMIT_MS]
    outcome.check(probes, "no probe ran")
    outcome.check(not bad, f"{len(bad)} of {len(probes)} probes not answered 200 within {PROBE_LIMIT_MS} ms, e.g. "
                  + "; ".join(f"{status} after {ms:.0f} ms" for ms, status in bad[:3]))


def check_alive(outcome, agent):
    """The agent is alive and its peak RSS within the bound; returns whether it is alive."""
    if not outcome.check(agent.alive(), f"the agent exited with {agent.process.returncode}; log:\n{agent.log_tail()}"):
        return False
    peak = agent.peak_rss_mib()
    outcome.figures["peak RSS"] = f"{peak:.1f} MiB"
    outcome.check(peak <= RSS_LIMIT_MIB, f"peak RSS {peak:.1f} MiB is over {RSS_LIMIT_MIB} MiB")
    return True


def check_held_up(outcome, agent, probes):
    """The agent is alive, its peak RSS within the bound, the probes passed, and it still
    serves normally."""
    if check_alive(outcome, agent):
        check_probes(outcome, probes)
        check_serves_normally(outcome, agent)


def answer_within(seconds, call):
    """The Response of `call()`, retried on refusals until `seconds` pass; the last error's
    text when no answer came."""
    started = time.monotonic()
    while True:
        try:
            return call()
        except (OSError, ValueError) as error:
            if time.monotonic() - started > seconds:
                return f"{type(error).__name__}: {error}"
            time.sleep(0.05)


def check_serves_normally(outcome, agent):
    """GET / and POST /echo on the data port and /livez on the health port answer 200 (the
    agent may take RECOVERY_SECONDS to notice connections the attack closed)."""
    checks = [
        ("GET /", lambda: request(agent.data_port, "GET", "/", timeout=RECOVERY_SECONDS), None),
        ("POST /echo", lambda: request(agent.data_port, "POST", "/echo", b"still here", timeout=RECOVERY_SECONDS),
         b"still here"),
        ("/livez", lambda: request(agent.health_port, "GET", "/livez", timeout=RECOVERY_SECONDS), None),
    ]
    for label, call, body in checks:
        answer = answer_within(RECOVERY_SECONDS, call)
        good = isinstance(answer, Response) and answer.status == 200 and (body is None or answer.body == body)
        outcome.check(good, f"after the attack, {label} got {answer.status if isinstance(answer, Response) else answer}")


# --- scenario 1: slow readers ----------------------------------------------------------------


@dataclass
class Stream:
    """A payload sent over and over on a non-blocking socket: bytes sent so far, the longest
    time the socket took none (a stall), and the error that ended it if the agent closed it."""
    sock: socket.socket
    payload: memoryview
    sent: int = 0
    last_progress: float = field(default_factory=time.monotonic)
    longest_stall: float = 0.0
    ended_by: str | None = None

    def send(self):
        """Sends what the socket takes of the payload, from where the last send stopped."""
        try:
            count = self.sock.send(self.payload[self.sent % len(self.payload):])
        except BlockingIOError:
            return
        except OSError as error:
            self.ended_by = type(error).__name__
            return
        self.stalled_until(time.monotonic())
        self.sent += count

    def stalled_until(self, now):
        """Ends the current stall at `now`."""
        self.longest_stall = max(self.longest_stall, now - self.last_progress)
        self.last_progress = now


def pump(streams, seconds):
    """Sends on every Stream of `streams`, as fast as the sockets take it, for `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        by_socket = {stream.sock: stream for stream in streams if stream.ended_by is None}
        _, writable, _ = select.select([], list(by_socket), [], 0.1)
        for sock in writable:
            by_socket[sock].send()
    for stream in streams:
        stream.stalled_until(time.monotonic())


def slow_readers(binary, workdir, outcome):
    """Scenario 1: one pipelining connection per port that never reads, for 10 s. Once the
    agent stops reading, the sender stalls when the kernel buffers are full; it may move again
    near the end, when requestTimeout (10 s) answers 408 to the half-read request and the
    agent drops what follows."""
    metrics_request = b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
    echo_request = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 65536\r\n\r\n" + b"x" * 65536
    with Agent(binary, workdir, "health: {port: 0}\nserver: {port: 0}\n") as agent:
        with Prober(agent.health_port) as prober:
            health = connect(agent.health_port, 5, receive_buffer=4096)
            data = connect(agent.data_port, 5, receive_buffer=4096)
            for sock in (health, data):
                sock.setblocking(False)
            streams = [Stream(health, memoryview(metrics_request * 1000)), Stream(data, memoryview(echo_request * 4))]
            try:
                pump(streams, seconds=10)
            finally:
                close_all([health, data])
        for label, stream, single in zip(("health", "data"), streams, (metrics_request, echo_request)):
            outcome.figures[f"{label} requests sent"] = stream.sent // len(single)
            outcome.figures[f"{label} longest stall"] = f"{stream.longest_stall:.1f} s"
            if stream.ended_by:
                outcome.figures[f"{label} connection ended by"] = stream.ended_by
            outcome.check(stream.longest_stall >= 5, f"the {label} sender never stalled 5 s (longest "
                          f"{stream.longest_stall:.1f} s): the agent does not stop reading")
        check_held_up(outcome, agent, prober.probes)


# --- scenario 2: connection flood ------------------------------------------------------------


def send_partial_heads(sockets):
    """Sends an unfinished request head on every socket of `sockets`; returns how many sends
    failed (the agent had closed the connection already)."""
    failed = 0
    for sock in sockets:
        try:
            sock.send(b"GET / HTTP/1.1\r\nHost: x\r\nX-Partial:")
        except OSError:
            failed += 1
    return failed


def connection_flood(binary, workdir, outcome):
    """Scenario 2: 3,000 connections to the data port, half holding a partial head, for 5 s."""
    wanted = min(3000, raise_own_file_limit(3300) - 300)
    with Agent(binary, workdir, "health: {port: 0}\nserver: {port: 0}\n") as agent:
        with Prober(agent.health_port) as prober:
            flood = open_connections(agent.data_port, wanted)
            try:
                failed_sends = send_partial_heads(flood[0::2])
                time.sleep(5)
                scraped = request(agent.health_port, "GET", "/metrics").body.decode()
                closed = closed_by_peer(flood)
            finally:
                close_all(flood)
        check_flood(outcome, len(flood), scraped, closed, failed_sends)
        check_held_up(outcome, agent, prober.probes)


def check_flood(outcome, connected, scraped, closed, failed_sends):
    """The agent refused (counted and closed) about the connections past maxConnections and
    kept at most maxConnections open."""
    surplus = connected - DATA_MAX_CONNECTIONS
    rejected = metric(scraped, "uservice_http_connections_rejected_total", listener="data")
    open_gauge = metric(scraped, "uservice_http_connections", listener="data")
    outcome.figures.update({"connected": connected, "surplus": surplus, "rejected_total": int(rejected),
                            "closed by agent": closed, "open gauge": int(open_gauge),
                            "partial-head sends failed": failed_sends})
    if outcome.check(surplus > 0, f"only {connected} connections opened: the limit was never reached"):
        outcome.check(rejected >= 0.9 * surplus, f"rejected_total {rejected:.0f} is well below the surplus {surplus}")
        outcome.check(closed >= 0.9 * surplus, f"the agent closed {closed} connections, well below the surplus {surplus}")
    outcome.check(open_gauge <= DATA_MAX_CONNECTIONS, f"{open_gauge:.0f} data connections open, over the limit")


# --- scenario 3: trailer flood ---------------------------------------------------------------


def post_chunked_with_trailers(port, trailer_lines):
    """POSTs "hello" to /echo as a chunked body followed by `trailer_lines` lines `a: b`, sending
    from a thread while reading the answer (the agent may answer before the body ends)."""
    body = b"5\r\nhello\r\n0\r\n" + b"a: b\r\n" * trailer_lines + b"\r\n"
    head = b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    with connect(port, 30) as sock:
        def send():
            try:
                sock.sendall(head + body)
            except OSError:
                pass  # the agent answered and closed before the body ended
        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        try:
            return parse_response(read_until_closed(sock, time.monotonic() + 30))
        finally:
            sender.join(5)


def trailer_flood(binary, workdir, outcome):
    """Scenario 3: 150,000 trailer lines (900,000 bytes, within maxHeaderBytes 1 MiB: answered
    200) and 200,000 (1.2 MB, over it: answered 400 or 413); the agent must not crash."""
    config = f"health: {{port: 0}}\nserver: {{port: 0, maxHeaderBytes: {MAX_HEADER_BYTES}}}\n"
    with Agent(binary, workdir, config) as agent:
        with Prober(agent.health_port) as prober:
            for lines in (150_000, 200_000):
                check_trailer_answer(outcome, agent.data_port, lines)
        check_held_up(outcome, agent, prober.probes)


def check_trailer_answer(outcome, port, lines):
    """A body with `lines` trailer lines is echoed when they fit in MAX_HEADER_BYTES, refused
    with 400 or 413 when they do not."""
    expected = {400, 413} if lines * len(b"a: b\r\n") > MAX_HEADER_BYTES else {200}
    started = time.monotonic()
    try:
        answer = post_chunked_with_trailers(port, lines)
        status = answer.status
    except (OSError, ValueError) as error:
        answer, status = None, f"{type(error).__name__}: {error}"
    outcome.figures[f"{lines} lines"] = f"{status} in {time.monotonic() - started:.2f} s"
    outcome.check(status in expected, f"{lines} trailer lines got {status}, expected {sorted(expected)}")
    if status == 200:
        outcome.check(answer.body == b"hello", f"{lines} trailer lines: echoed {answer.body[:40]!r}")


# --- scenario 4: hung plugin -----------------------------------------------------------------


def compile_plugin(workdir):
    """Builds scripted_plugin.c into a shared object in `workdir`; returns its path."""
    output = Path(workdir) / "libscripted.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-Wall", "-I", str(PLUGIN_HEADERS), "-o", str(output), str(PLUGIN_SOURCE)],
                   check=True, capture_output=True)
    return output


def hang_caller(port, deadline, calls):
    """Posts "hang" to /plugins/scripted until `deadline`, a call at a time with a 100 ms pause;
    appends (seconds, status or error text, Retry-After) to `calls`."""
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            answer = request(port, "POST", "/plugins/scripted", b"hang", timeout=5)
            calls.append((time.monotonic() - started, answer.status, answer.headers.get("retry-after")))
        except (OSError, ValueError) as error:
            calls.append((time.monotonic() - started, f"{type(error).__name__}: {error}", None))
        time.sleep(0.1)


def hung_plugin_load(port, seconds=8, callers=40):
    """Runs `callers` hang_caller threads for `seconds`; returns their calls."""
    calls = []
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=hang_caller, args=(port, deadline, calls)) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return calls


def check_plugin_calls(outcome, calls, scraped):
    """Only 504 (timed out) and 503 with Retry-After (busy), each within 2 s, and the refusal
    counters agree."""
    timed_out = sum(status == 504 for _, status, _ in calls)
    busy = [retry for _, status, retry in calls if status == 503]
    other = [status for _, status, _ in calls if status not in (503, 504)]
    slowest = max((seconds for seconds, _, _ in calls), default=0)
    counted_busy = metric(scraped, "uservice_plugin_calls_refused_total", reason="busy")
    counted_timeout = metric(scraped, "uservice_plugin_calls_refused_total", reason="timeout")
    outcome.figures.update({"calls": len(calls), "504": timed_out, "503": len(busy), "slowest call": f"{slowest:.2f} s",
                            "refused busy/timeout": f"{counted_busy:.0f}/{counted_timeout:.0f}"})
    outcome.check(timed_out > 0, "no call timed out with 504")
    outcome.check(busy, "no call was refused with 503")
    outcome.check(all(busy), f"{busy.count(None)} of {len(busy)} 503 answers lack Retry-After")
    outcome.check(not other, f"{len(other)} calls got neither 503 nor 504, e.g. {other[:3]}")
    outcome.check(slowest <= 2.0, f"the slowest call took {slowest:.2f} s (bound 2 s)")
    outcome.check((counted_busy, counted_timeout) == (len(busy), timed_out),
                  f"refusals counted busy {counted_busy:.0f}, timeout {counted_timeout:.0f}; "
                  f"clients saw {len(busy)} and {timed_out}")


def check_exit_on_sigterm(outcome, agent, bound):
    """SIGTERM ends the agent within `bound` seconds (default drain delay 5 s included) and it
    logs that the hung plugin's deinit is skipped."""
    started = time.monotonic()
    agent.process.send_signal(signal.SIGTERM)
    try:
        code = agent.process.wait(bound)
    except subprocess.TimeoutExpired:
        code = None
    took = time.monotonic() - started
    outcome.figures["exit after SIGTERM"] = f"{took:.1f} s (code {code})"
    outcome.check(code is not None, f"the agent still ran {bound} s after SIGTERM")
    time.sleep(0.1)  # the last log lines
    skipped = any("deinit is skipped" in str(line.get("message")) for line in agent.lines)
    outcome.check(skipped, "no warning that the hung plugin's deinit is skipped")


def hung_plugin(binary, workdir, outcome):
    """Scenario 4: 40 callers of a plugin that never returns, for 8 s; then SIGTERM."""
    config = f"health: {{port: 0}}\nserver: {{port: 0, pluginTimeout: 1s}}\nplugins: [{compile_plugin(workdir)}]\n"
    with Agent(binary, workdir, config) as agent:
        with Prober(agent.health_port) as prober:
            calls = hung_plugin_load(agent.data_port)
        check_plugin_calls(outcome, calls, request(agent.health_port, "GET", "/metrics").body.decode())
        check_held_up(outcome, agent, prober.probes)
        if agent.alive():
            check_exit_on_sigterm(outcome, agent, bound=5 + 3)


# --- scenario 5: file descriptor exhaustion --------------------------------------------------


def check_recovery(outcome, agent, held):
    """Closes the held connections; a data request and a probe are then answered 200 within
    RECOVERY_SECONDS each, the first attempt waiting in the listen queue if need be."""
    close_all(held)
    for label, call in (("data GET /", lambda: request(agent.data_port, "GET", "/", timeout=RECOVERY_SECONDS)),
                        ("probe", lambda: parse_probe(probe_once(agent.health_port)))):
        started = time.monotonic()
        try:
            status = call().status
        except (OSError, ValueError) as error:
            status = f"{type(error).__name__}: {error}"
        took = time.monotonic() - started
        outcome.figures[f"{label} after release"] = f"{status} in {took:.2f} s"
        outcome.check(status == 200 and took <= RECOVERY_SECONDS,
                      f"once the connections closed, {label} got {status} after {took:.2f} s")


def parse_probe(probe):
    """A probe's outcome as a Response; ConnectionError for a failed probe."""
    _, status = probe
    if status != 200:
        raise ConnectionError(str(status))
    return Response(200, {}, b"")


def fd_exhaustion(binary, workdir, outcome):
    """Scenario 5: an agent limited to 64 file descriptors, 100 connections held to its data
    port: accepting must back off (no spinning) and recover once they close. Probes cannot be
    accepted while no descriptor is free, so those during the hold are reported, not required."""
    with Agent(binary, workdir, "health: {port: 0}\nserver: {port: 0}\n", max_files=64) as agent:
        with Prober(agent.health_port) as prober:
            held = open_connections(agent.data_port, 100)
            try:
                time.sleep(0.5)
                before = agent.cpu_seconds()
                time.sleep(2)
                cpu = agent.cpu_seconds() - before
                outcome.figures.update({"held": len(held), "agent fds": agent.open_files(), "cpu in 2 s": f"{cpu:.2f} s"})
                outcome.check(cpu < 0.5, f"the agent used {cpu:.2f} s of CPU in 2 s while out of descriptors: spinning")
            finally:
                check_recovery(outcome, agent, held)
        answered = [ms for ms, status in prober.probes if status == 200]
        outcome.figures["probes during hold"] = (f"{len(answered)}/{len(prober.probes)} answered, "
                                                 f"worst {max(answered, default=0):.0f} ms")
        if check_alive(outcome, agent):
            check_serves_normally(outcome, agent)


# --- main ------------------------------------------------------------------------------------


SCENARIOS = [
    ("1 slow-readers", slow_readers),
    ("2 conn-flood", connection_flood),
    ("3 trailers", trailer_flood),
    ("4 hung-plugin", hung_plugin),
    ("5 fd-exhaustion", fd_exhaustion),
]


def run(name, scenario, binary, workdir):
    """Runs one scenario; an exception it raises is a failure of it."""
    outcome = Outcome(name)
    started = time.monotonic()
    try:
        scenario(binary, workdir, outcome)
    except Exception as error:  # noqa: BLE001 - any error fails the scenario, not the run
        outcome.failures.append(f"{type(error).__name__}: {error}")
    outcome.seconds = time.monotonic() - started
    print(outcome.line(), flush=True)
    return outcome


def summary(outcomes, seconds):
    """The summary table."""
    rows = [("scenario", "result", "time", "peak RSS", "worst probe", "probes")]
    for outcome in outcomes:
        rows.append((outcome.name, "PASS" if outcome.passed else "FAIL", f"{outcome.seconds:.1f} s",
                     outcome.figures.get("peak RSS", "-"), outcome.figures.get("worst probe", "-"),
                     str(outcome.figures.get("probes", "-"))))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) for row in rows]
    passed = sum(outcome.passed for outcome in outcomes)
    return "\n".join(lines + [f"{passed}/{len(outcomes)} scenarios passed in {seconds:.1f} s"])


def main(argv):
    if len(argv) != 2 or not os.access(argv[1], os.X_OK):
        print(f"usage: {argv[0]} PATH/TO/uservice", file=sys.stderr)
        return 2
    binary = str(Path(argv[1]).resolve())
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="hostile-clients-") as workdir:
        outcomes = [run(name, scenario, binary, workdir) for name, scenario in SCENARIOS]
    print()
    print(summary(outcomes, time.monotonic() - started))
    return 0 if all(outcome.passed for outcome in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
