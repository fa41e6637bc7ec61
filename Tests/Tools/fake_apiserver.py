#!/usr/bin/env python3
"""A Kubernetes API server stand-in for uservice's integration tests.

It speaks HTTPS with a certificate signed by a CA it generates with openssl at start, checks
bearer tokens (401), allows only the pod's own namespace (403), serves the pod and ConfigMaps
(get, and list and watch as client-go's Reflector does them), and stores events.k8s.io/v1
Events created by POST and patched by JSON merge PATCH, each answer in Kubernetes' own shapes:
objects with resourceVersion and uid, errors as v1 Status objects. Every Event it stores must
pass the official 1.37 JSON schema (kubernetes-validate, strict) and the API server's own Event
rules, or the request gets 422 Invalid.

Lists and watches take fieldSelector=metadata.name=NAME; ConfigMaps may be listed and watched
only with it (403 otherwise, as RBAC resourceNames answers). A watch (watch=true) streams one
JSON event per line in chunks: from resourceVersion absent, "" or "0", ADDED for what exists,
then every change; from another resourceVersion, every change after it, or one ERROR event
(410 Expired) when it is older than the last compaction. allowWatchBookmarks=true adds a
BOOKMARK every bookmark interval, timeoutSeconds=N ends the stream after N seconds.

A plain-HTTP control port on 127.0.0.1 sets faults and the accepted token, changes the
watched objects, and reports what was received. On start it prints one JSON line:
{"api": PORT, "control": PORT}.

Control endpoints:
  GET  /requests        every API request: method, path, status (200 for a watch once it starts),
                        token, contentType, body, time, clientPort (one per connection),
                        watch (true for a watch), query (the query's parameters, one value each)
  GET  /events          the stored Events
  GET  /watches         the open watch streams: [{"resource": "configmaps|pods", "name": NAME (null:
                        no fieldSelector), "resourceVersion": RV (null: none given), "since": TIME}]
  POST /token           {"token": "..."}: the only token accepted from now on
  POST /fault           {"mode": "500|503|429|hang|reset|lose-response|redirect", "count": N (-1: until
                         cleared), "retryAfter": SECONDS, "method": "POST" (optional filter),
                         "path": TEXT (optional filter: contained in the path with its query),
                         "location": URL (redirect: the 307's Location; default the same path
                         under /redirected on this API server)}
  POST /clear-faults     remove every fault and release hung requests
  POST /delete-events    forget the stored Events, as their TTL would
  POST /configmap        {"name": N, "data": {...}}: creates the ConfigMap (ADDED) or replaces its
                         data (MODIFIED); answers the stored ConfigMap
  POST /delete-configmap {"name": N}: deletes it (DELETED, with a new resourceVersion); answers the
                         deleted ConfigMap, or 404 when there is none
  POST /pod-annotations  {"annotations": {...}}: the pod's annotations become exactly these ({}
                         removes them all; MODIFIED); answers the pod
  POST /touch-pod        a new resourceVersion of the pod with nothing else changed (MODIFIED, as
                         a status update); answers the pod
  POST /compact          compacts the history up to a new resourceVersion: a watch from any version
                         seen so far gets 410 Expired; a list then gives a watchable one
  POST /close-watches    ends every open watch stream cleanly; answers once they have ended
  POST /reset-watches    resets the connection of every open watch stream; answers once they have
                         ended
  POST /watch-options    {"bookmarkInterval": SECONDS (default 1), "chunking": "whole" (one chunk
                         an event, the default) | "fragmented" (three chunks an event, 5 ms apart)
                         | "batched" (one chunk for every event waiting)}, each optional
"""

import argparse
import copy
import json
import select
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import kubernetes_validate

SCHEMA_VERSION = "1.37.0"
EVENTS_PREFIX = "/apis/events.k8s.io/v1/namespaces/"
CORE_PREFIX = "/api/v1/namespaces/"
KINDS = {"configmaps": "ConfigMap", "pods": "Pod"}
CHUNKING = ("whole", "fragmented", "batched")


def generate_pki(directory, ca_out):
    """A CA and a server certificate for 127.0.0.1, ::1 and localhost, with openssl."""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run("req", "-x509", *ec, "-keyout", f"{directory}/ca.key", "-out", ca_out, "-days", "2",
        "-subj", "/CN=fake-kubernetes-ca")
    run("req", *ec, "-keyout", f"{directory}/server.key", "-out", f"{directory}/server.csr",
        "-subj", "/CN=kube-apiserver")
    with open(f"{directory}/san.ext", "w") as ext:
        ext.write("subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\n")
    run("x509", "-req", "-in", f"{directory}/server.csr", "-CA", ca_out, "-CAkey", f"{directory}/ca.key",
        "-CAcreateserial", "-out", f"{directory}/server.crt", "-days", "2", "-extfile", f"{directory}/san.ext")
    return f"{directory}/server.crt", f"{directory}/server.key"


def status(code, reason, message, details=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}
    if details:
        body["details"] = details
    return code, body


def flag(value):
    """A query's boolean parameter."""
    return value in ("true", "1")


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def event_problems(event, namespace):
    """The API server's own rules for events.k8s.io/v1 Events, beyond the JSON schema."""
    problems = []
    for field in ("reportingController", "reportingInstance", "action", "reason"):
        value = event.get(field) or ""
        if not value:
            problems.append((field, "Required value"))
        elif len(value) > 128:
            problems.append((field, "must be no more than 128 characters"))
    if event.get("type") not in ("Normal", "Warning"):
        problems.append(("type", 'Unsupported value: supported values: "Normal", "Warning"'))
    if not event.get("eventTime"):
        problems.append(("eventTime", "Required value"))
    if len((event.get("note") or "").encode()) > 1024:
        problems.append(("note", "must have at most 1024 bytes"))
    regarding = event.get("regarding") or {}
    if regarding.get("namespace") not in (None, "", namespace):
        problems.append(("regarding.namespace", "does not match event.namespace"))
    series = event.get("series")
    if series is not None:
        if series.get("count", 0) < 2:
            problems.append(("series.count", "should be at least 2"))
        if not series.get("lastObservedTime"):
            problems.append(("series.lastObservedTime", "Required value"))
    return problems


class Watch:
    """One open watch stream: what it asks for and the events waiting to be written."""

    def __init__(self, resource, name, resource_version, bookmarks, timeout):
        self.resource = resource
        self.name = name
        self.resource_version = resource_version
        self.bookmarks = bookmarks
        self.since = time.time()
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.queue = []
        self.end = None  # "close": end cleanly, "reset": reset the connection, "gone": the client left

    def matches(self, resource, obj):
        return resource == self.resource and self.name in (None, obj["metadata"]["name"])


class State:
    """Everything the API server holds. Stored objects are replaced, never changed, so an answer
    or a history entry may keep a reference to one."""

    def __init__(self, token, namespace, pod_name, pod_uid):
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)  # notified on every change of a watched object
        self.token = token
        self.namespace = namespace
        self.events = {}
        self.resource_version = 100
        self.pod = {
            "kind": "Pod", "apiVersion": "v1",
            "metadata": {"name": pod_name, "namespace": namespace, "uid": pod_uid,
                         "resourceVersion": self.next_resource_version(), "labels": {"app": "demo"},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "demo-5d8f",
                                              "uid": str(uuid.uuid4()), "controller": True}]},
            "spec": {"nodeName": "node-a", "containers": [{"name": "app", "image": "demo"}]},
            "status": {"phase": "Running"},
        }
        self.configmaps = {}
        self.history = []  # (resourceVersion, resource, type, object), oldest first
        self.compacted_rv = 0
        self.watches = []
        self.bookmark_interval = 1.0
        self.chunking = "whole"
        self.requests = []
        self.faults = []
        self.release = threading.Event()

    def next_resource_version(self):
        self.resource_version += 1
        return str(self.resource_version)

    def objects(self, resource):
        return self.configmaps if resource == "configmaps" else {self.pod["metadata"]["name"]: self.pod}

    def change(self, resource, kind, obj):
        """Under the lock: records a change for watches to resume from and queues it for the open ones."""
        self.history.append((int(obj["metadata"]["resourceVersion"]), resource, kind, obj))
        for watch in self.watches:
            if watch.matches(resource, obj):
                watch.queue.append({"type": kind, "object": obj})
        self.changed.notify_all()

    def replace_pod(self, annotations):
        """Under the lock: a new version of the pod with these annotations."""
        pod = copy.deepcopy(self.pod)
        pod["metadata"].pop("annotations", None)
        if annotations:
            pod["metadata"]["annotations"] = annotations
        pod["metadata"]["resourceVersion"] = self.next_resource_version()
        self.pod = pod
        self.change("pods", "MODIFIED", pod)
        return pod

    def open_watch(self, watch):
        """Under the lock: queues what the watch starts with and counts it as open."""
        since = watch.resource_version
        if since in (None, "", "0"):
            watch.queue = [{"type": "ADDED", "object": obj} for obj in self.objects(watch.resource).values()
                           if watch.matches(watch.resource, obj)]
        elif int(since) < self.compacted_rv:
            watch.queue = [{"type": "ERROR", "object": status(
                410, "Expired", f"too old resource version: {since} ({self.compacted_rv})")[1]}]
            watch.end = "close"
        else:
            watch.queue = [{"type": kind, "object": obj} for rv, resource, kind, obj in self.history
                           if rv > int(since) and watch.matches(resource, obj)]
        self.watches.append(watch)

    def end_watches(self, how):
        """Under the lock: ends every open watch stream and waits until they have ended."""
        ending = [watch for watch in self.watches if watch.end is None]
        for watch in ending:
            watch.end = how
        self.changed.notify_all()
        self.changed.wait_for(lambda: not any(watch in self.watches for watch in ending), timeout=5)

    def take_fault(self, method, path):
        with self.lock:
            for fault in self.faults:
                if fault["count"] == 0 or fault.get("method") not in (None, method) \
                        or fault.get("path") is not None and fault["path"] not in path:
                    continue
                if fault["count"] > 0:
                    fault["count"] -= 1
                return dict(fault)
        return None


class APIHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-kube-apiserver"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.handle_api("GET")

    def do_POST(self):
        self.handle_api("POST")

    def do_PATCH(self):
        self.handle_api("PATCH")

    def handle_api(self, method):
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        auth = self.headers.get("Authorization", "")
        token = auth[len("Bearer "):] if auth.startswith("Bearer ") else None
        query = self.query()
        record = {"method": method, "path": self.path, "token": token, "time": time.time(),
                  "clientPort": self.client_address[1],
                  "contentType": self.headers.get("Content-Type"),
                  "watch": flag(query.get("watch")), "query": query}
        try:
            record["body"] = json.loads(raw) if raw else None
        except ValueError:
            record["body"] = raw.decode("utf-8", "replace")

        fault = state.take_fault(method, self.path)
        if fault and fault["mode"] == "reset":
            record["status"] = "reset"
            self.record(record)
            self.reset()
            return
        if fault and fault["mode"] == "lose-response":
            # The request takes effect, but the answer never arrives.
            code, _ = self.route(method, record["body"], raw) if token == state.token else (401, None)
            record["status"] = f"lost {code}"
            self.record(record)
            self.reset()
            return
        if fault and fault["mode"] == "hang":
            record["status"] = "hang"
            self.record(record)
            state.release.wait(300)
            self.close_connection = True
            return
        if fault and fault["mode"] == "redirect":
            # A client that follows it asks this server again, under /redirected.
            location = fault.get("location") or \
                f"https://127.0.0.1:{self.server.server_address[1]}/redirected{self.path}"
            reply = status(307, "TemporaryRedirect", "injected redirect")
            self.answer(record, *reply, headers={"Location": location})
            return
        if fault:
            code = int(fault["mode"])
            if code == 429:
                retry_after = fault.get("retryAfter", 1)
                reply = status(429, "TooManyRequests", "the server has received too many requests and has asked us "
                               "to try again later", {"retryAfterSeconds": retry_after})
                extra = {"Retry-After": str(retry_after)}
            else:
                reply = status(code, "InternalError" if code == 500 else "ServiceUnavailable",
                               "Internal error occurred: injected fault")
                extra = {}
            self.answer(record, *reply, headers=extra)
            return
        if token != state.token:
            self.answer(record, *status(401, "Unauthorized", "Unauthorized"))
            return
        code, reply = self.route(method, record["body"], raw)
        if isinstance(reply, Watch):
            self.stream(record, reply)
        else:
            self.answer(record, code, reply)

    def query(self):
        """The query's parameters, the last value of each."""
        return dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))

    def route(self, method, body, raw):
        """The answer's status and body; a Watch as the body for a watch to stream."""
        state = self.server.state
        path = urlsplit(self.path).path
        if path == "/version" and method == "GET":
            return 200, {"major": "1", "minor": "37", "gitVersion": "v1.37.0", "platform": "linux/amd64"}
        if path.startswith(CORE_PREFIX):
            parts = path[len(CORE_PREFIX):].split("/")
            if len(parts) in (2, 3) and parts[1] in KINDS and method == "GET":
                return self.read(parts[0], parts[1], parts[2] if len(parts) == 3 else None)
        if path.startswith(EVENTS_PREFIX):
            parts = path[len(EVENTS_PREFIX):].split("/")
            namespace = parts[0]
            if len(parts) in (2, 3) and parts[1] == "events":
                verb = {"POST": "create", "PATCH": "patch", "GET": "get"}[method]
                if namespace != state.namespace:
                    return self.forbidden(verb, "events", "events.k8s.io", namespace)
                if len(parts) == 2 and method == "POST":
                    return self.create_event(namespace, body)
                if len(parts) == 3 and method == "PATCH":
                    return self.patch_event(parts[2], body)
        return status(404, "NotFound", "the server could not find the requested resource")

    def read(self, namespace, resource, name):
        """A get of one object, or a list or watch of a collection."""
        state = self.server.state
        query = self.query()
        watch = flag(query.get("watch"))
        verb = "get" if name is not None else "watch" if watch else "list"
        if namespace != state.namespace:
            return self.forbidden(verb, resource, "", namespace)
        if name is not None:
            with state.lock:
                obj = state.objects(resource).get(name)
            if obj is None:
                return status(404, "NotFound", f'{resource} "{name}" not found', {"name": name, "kind": resource})
            return 200, obj
        selected = None
        for term in filter(None, query.get("fieldSelector", "").split(",")):
            field, _, value = term.partition("=")
            if field != "metadata.name":
                return status(400, "BadRequest", f'field label not supported: {field}')
            selected = value.removeprefix("=")
        if resource == "configmaps" and selected is None:
            return self.forbidden(verb, resource, "", namespace)
        for parameter in ("resourceVersion", "timeoutSeconds"):
            if not (query.get(parameter) or "0").isdigit():
                return status(400, "BadRequest", f'{parameter}: invalid value "{query[parameter]}"')
        if watch:
            return 200, Watch(resource, selected, query.get("resourceVersion"), flag(query.get("allowWatchBookmarks")),
                              int(query.get("timeoutSeconds") or 0) or None)  # 0: no timeout
        with state.lock:
            items = [obj for obj in state.objects(resource).values() if selected in (None, obj["metadata"]["name"])]
            return 200, {"kind": f"{KINDS[resource]}List", "apiVersion": "v1",
                         "metadata": {"resourceVersion": str(state.resource_version)}, "items": items}

    def forbidden(self, verb, resource, group, namespace):
        user = f"system:serviceaccount:{self.server.state.namespace}:uservice"
        qualified = f"{resource}.{group}" if group else resource
        return status(403, "Forbidden", f'{qualified} is forbidden: User "{user}" cannot {verb} resource '
                      f'"{resource}" in API group "{group}" in the namespace "{namespace}"',
                      {"kind": resource, "group": group})

    def invalid(self, name, problems):
        causes = [{"reason": "FieldValueInvalid", "message": message, "field": field} for field, message in problems]
        text = ", ".join(f"{field}: {message}" for field, message in problems)
        return status(422, "Invalid", f'Event.events.k8s.io "{name}" is invalid: {text}',
                      {"name": name, "group": "events.k8s.io", "kind": "Event", "causes": causes})

    def validate(self, event):
        problems = event_problems(event, self.server.state.namespace)
        try:
            kubernetes_validate.validate(event, SCHEMA_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            problems.append(("<schema>", str(error).splitlines()[0]))
        return problems

    def create_event(self, namespace, event):
        state = self.server.state
        if not isinstance(event, dict):
            return status(400, "BadRequest", "the body is not a JSON object")
        name = (event.get("metadata") or {}).get("name", "")
        if (event.get("metadata") or {}).get("namespace") not in (None, namespace):
            return status(400, "BadRequest",
                          "the namespace of the provided object does not match the namespace sent on the request")
        if event.get("series") is not None:
            return self.invalid(name, [("series", "must be nil on create")])
        problems = self.validate(event)
        if problems:
            return self.invalid(name, problems)
        with state.lock:
            if name in state.events:
                return status(409, "AlreadyExists", f'events.events.k8s.io "{name}" already exists',
                              {"name": name, "group": "events.k8s.io", "kind": "events"})
            stored = copy.deepcopy(event)
            stored["metadata"].update({"namespace": namespace, "uid": str(uuid.uuid4()),
                                       "resourceVersion": state.next_resource_version(),
                                       "creationTimestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
            state.events[name] = stored
            return 201, stored

    def patch_event(self, name, patch):
        state = self.server.state
        if self.headers.get("Content-Type") not in ("application/merge-patch+json",
                                                     "application/strategic-merge-patch+json"):
            return status(415, "UnsupportedMediaType",
                          'the body of the request was in an unknown format - accepted media types include: '
                          'application/merge-patch+json, application/strategic-merge-patch+json')
        with state.lock:
            current = state.events.get(name)
        if current is None:
            return status(404, "NotFound", f'events.events.k8s.io "{name}" not found',
                          {"name": name, "group": "events.k8s.io", "kind": "events"})
        patched = merge_patch(current, patch)
        problems = self.validate(patched)
        if problems:
            return self.invalid(name, problems)
        with state.lock:
            patched["metadata"]["resourceVersion"] = state.next_resource_version()
            state.events[name] = patched
        return 200, patched

    def reset(self):
        """Closes the connection with a TCP reset."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def stream(self, record, watch):
        """Streams a watch's events, one JSON line each, in chunks, until it ends."""
        state = self.server.state
        with state.lock:
            state.open_watch(watch)
        record["status"] = 200
        self.record(record)
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.stream_events(watch)
        except OSError:  # the client went away
            self.close_connection = True
        finally:
            with state.lock:
                state.watches.remove(watch)
                state.changed.notify_all()

    def stream_events(self, watch):
        state = self.server.state
        last_bookmark = time.monotonic()
        while True:
            with state.lock:
                while not (watch.queue or watch.end):
                    now = time.monotonic()
                    waits = [0.2]
                    if watch.deadline is not None:
                        if now >= watch.deadline:
                            watch.end = "close"
                            break
                        waits.append(watch.deadline - now)
                    if watch.bookmarks:
                        if now >= last_bookmark + state.bookmark_interval:
                            # Only here, when everything until now has been sent.
                            last_bookmark = now
                            watch.queue.append({"type": "BOOKMARK", "object": {
                                "kind": KINDS[watch.resource], "apiVersion": "v1",
                                "metadata": {"resourceVersion": str(state.resource_version)}}})
                            break
                        waits.append(last_bookmark + state.bookmark_interval - now)
                    # An HTTP/1.1 client sends nothing while an answer streams: a readable socket
                    # means it closed the connection.
                    if select.select([self.connection], [], [], 0)[0]:
                        watch.end = "gone"
                        break
                    state.changed.wait(min(waits))
                events, watch.queue = watch.queue, []
                end, chunking = watch.end, state.chunking
            if end == "reset":
                self.reset()
                return
            if end == "gone":
                self.close_connection = True
                return
            self.write_events([json.dumps(event).encode() + b"\n" for event in events], chunking)
            if end == "close":
                self.wfile.write(b"0\r\n\r\n")
                return

    def write_events(self, lines, chunking):
        if chunking == "batched":
            lines = [b"".join(lines)] if lines else []
        for line in lines:
            if chunking == "fragmented":
                third = len(line) // 3
                for part in (line[:third], line[third:2 * third]):
                    self.write_chunk(part)
                    time.sleep(0.005)
                self.write_chunk(line[2 * third:])
            else:
                self.write_chunk(line)

    def write_chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def answer(self, record, code, body, headers=None):
        record["status"] = code
        self.record(record)
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def record(self, record):
        with self.server.state.lock:
            self.server.state.requests.append(record)


class ControlHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        state = self.server.state
        with state.lock:
            if self.path == "/requests":
                return self.reply(200, state.requests)
            if self.path == "/events":
                return self.reply(200, list(state.events.values()))
            if self.path == "/watches":
                return self.reply(200, [{"resource": watch.resource, "name": watch.name,
                                         "resourceVersion": watch.resource_version, "since": watch.since}
                                        for watch in state.watches])
        self.reply(404, {"error": "no such control endpoint"})

    def do_POST(self):
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        with state.lock:
            if self.path == "/token":
                state.token = body["token"]
                return self.reply(200, {})
            if self.path == "/fault":
                state.faults.append({"mode": str(body["mode"]), "count": body.get("count", -1),
                                     "retryAfter": body.get("retryAfter", 1), "method": body.get("method"),
                                     "path": body.get("path"), "location": body.get("location")})
                return self.reply(200, {})
            if self.path == "/delete-events":
                state.events = {}
                return self.reply(200, {})
            if self.path == "/clear-faults":
                state.faults = []
                state.release.set()
                state.release = threading.Event()
                return self.reply(200, {})
            if self.path == "/configmap":
                current = state.configmaps.get(body["name"])
                metadata = dict(current["metadata"]) if current else {
                    "name": body["name"], "namespace": state.namespace, "uid": str(uuid.uuid4()),
                    "creationTimestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
                metadata["resourceVersion"] = state.next_resource_version()
                configmap = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": metadata, "data": body["data"]}
                state.configmaps[body["name"]] = configmap
                state.change("configmaps", "MODIFIED" if current else "ADDED", configmap)
                return self.reply(200, configmap)
            if self.path == "/delete-configmap":
                current = state.configmaps.pop(body["name"], None)
                if current is None:
                    return self.reply(404, {"error": "no such ConfigMap"})
                deleted = {**current, "metadata": {**current["metadata"],
                                                   "resourceVersion": state.next_resource_version()}}
                state.change("configmaps", "DELETED", deleted)
                return self.reply(200, deleted)
            if self.path == "/pod-annotations":
                return self.reply(200, state.replace_pod(body["annotations"]))
            if self.path == "/touch-pod":
                return self.reply(200, state.replace_pod(state.pod["metadata"].get("annotations")))
            if self.path == "/compact":
                # As etcd after writes elsewhere in the cluster and a compaction at the newest of
                # them: every version seen so far is too old, and a list gives a watchable one.
                state.compacted_rv = int(state.next_resource_version())
                state.history = []  # every change so far is older
                return self.reply(200, {})
            if self.path == "/close-watches":
                state.end_watches("close")
                return self.reply(200, {})
            if self.path == "/reset-watches":
                state.end_watches("reset")
                return self.reply(200, {})
            if self.path == "/watch-options":
                if body.get("chunking", state.chunking) not in CHUNKING:
                    return self.reply(400, {"error": f"chunking must be one of {', '.join(CHUNKING)}"})
                state.bookmark_interval = float(body.get("bookmarkInterval", state.bookmark_interval))
                state.chunking = body.get("chunking", state.chunking)
                state.changed.notify_all()
                return self.reply(200, {})
        self.reply(404, {"error": "no such control endpoint"})

    def reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class TLSServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, handler, context, state):
        super().__init__(address, handler)
        self.context = context
        self.state = state

    def handle_error(self, request, client_address):
        pass  # refused handshakes and resets are what some tests do on purpose

    def get_request(self):
        connection, address = super().get_request()
        # As Go's net package does: each write leaves at once, so a fragmented chunk arrives in pieces.
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # The handshake happens in the handler's thread, so a slow client blocks no one.
        return self.context.wrap_socket(connection, server_side=True, do_handshake_on_connect=False), address


class ControlServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, handler, state):
        super().__init__(address, handler)
        self.state = state


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pki-dir", required=True, help="where to write the generated keys and certificates")
    parser.add_argument("--ca-out", required=True, help="where to write the CA certificate (ca.crt)")
    parser.add_argument("--token", required=True)
    parser.add_argument("--namespace", required=True)
    parser.add_argument("--pod-name", required=True)
    parser.add_argument("--pod-uid", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()

    cert, key = generate_pki(args.pki_dir, args.ca_out)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    state = State(args.token, args.namespace, args.pod_name, args.pod_uid)
    TLSServer.address_family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    api = TLSServer((args.host, 0), APIHandler, context, state)
    control = ControlServer(("127.0.0.1", 0), ControlHandler, state)
    for server in (api, control):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({"api": api.server_address[1], "control": control.server_address[1]}), flush=True)
    sys.stdin.read()  # run until the test closes standard input


if __name__ == "__main__":
    main()
