#!/usr/bin/env python3
"""A Kubernetes API server stand-in for uservice's integration tests.

It speaks HTTPS with a certificate signed by a CA it generates with openssl at start, checks
bearer tokens (401), allows only the pod's own namespace (403), serves the pod, and stores
events.k8s.io/v1 Events created by POST and patched by JSON merge PATCH, each answer in
Kubernetes' own shapes: objects with resourceVersion and uid, errors as v1 Status objects.
Every Event it stores must pass the official 1.37 JSON schema (kubernetes-validate, strict)
and the API server's own Event rules, or the request gets 422 Invalid.

A plain-HTTP control port on 127.0.0.1 sets faults and the accepted token and reports what
was received. On start it prints one JSON line: {"api": PORT, "control": PORT}.

Control endpoints:
  GET  /requests        every API request: method, path, status, token, contentType, body, time,
                        clientPort (one per connection)
  GET  /events          the stored Events
  POST /token           {"token": "..."}: the only token accepted from now on
  POST /fault           {"mode": "500|503|429|hang|reset|lose-response|redirect", "count": N (-1: until
                         cleared), "retryAfter": SECONDS, "method": "POST" (optional filter),
                         "location": URL (redirect: the 307's Location; default the same path
                         under /redirected on this API server)}
  POST /clear-faults     remove every fault and release hung requests
  POST /delete-events    forget the stored Events, as their TTL would
"""

import argparse
import copy
import json
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import kubernetes_validate

SCHEMA_VERSION = "1.37.0"
EVENTS_PREFIX = "/apis/events.k8s.io/v1/namespaces/"
PODS_PREFIX = "/api/v1/namespaces/"


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


class State:
    def __init__(self, token, namespace, pod_name, pod_uid):
        self.lock = threading.Lock()
        self.token = token
        self.namespace = namespace
        self.pod = {
            "kind": "Pod", "apiVersion": "v1",
            "metadata": {"name": pod_name, "namespace": namespace, "uid": pod_uid, "resourceVersion": "1",
                         "labels": {"app": "demo"},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "demo-5d8f",
                                              "uid": str(uuid.uuid4()), "controller": True}]},
            "spec": {"nodeName": "node-a", "containers": [{"name": "app", "image": "demo"}]},
            "status": {"phase": "Running"},
        }
        self.events = {}
        self.resource_version = 100
        self.requests = []
        self.faults = []
        self.release = threading.Event()

    def next_resource_version(self):
        self.resource_version += 1
        return str(self.resource_version)

    def take_fault(self, method):
        with self.lock:
            for fault in self.faults:
                if fault.get("method") not in (None, method) or fault["count"] == 0:
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
        record = {"method": method, "path": self.path, "token": token, "time": time.time(),
                  "clientPort": self.client_address[1],
                  "contentType": self.headers.get("Content-Type")}
        try:
            record["body"] = json.loads(raw) if raw else None
        except ValueError:
            record["body"] = raw.decode("utf-8", "replace")

        fault = state.take_fault(method)
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
        self.answer(record, *self.route(method, record["body"], raw))

    def route(self, method, body, raw):
        state = self.server.state
        path = self.path.split("?")[0]
        if path == "/version" and method == "GET":
            return 200, {"major": "1", "minor": "37", "gitVersion": "v1.37.0", "platform": "linux/amd64"}
        if path.startswith(PODS_PREFIX):
            parts = path[len(PODS_PREFIX):].split("/")
            if len(parts) == 3 and parts[1] == "pods" and method == "GET":
                namespace, _, name = parts
                if namespace != state.namespace:
                    return self.forbidden("get", "pods", "", namespace)
                if name != state.pod["metadata"]["name"]:
                    return status(404, "NotFound", f'pods "{name}" not found', {"name": name, "kind": "pods"})
                return 200, state.pod
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
                          f'the body of the request was in an unknown format - accepted media types include: '
                          f'application/merge-patch+json, application/strategic-merge-patch+json')
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
                                     "location": body.get("location")})
                return self.reply(200, {})
            if self.path == "/delete-events":
                state.events = {}
                return self.reply(200, {})
            if self.path == "/clear-faults":
                state.faults = []
                state.release.set()
                state.release = threading.Event()
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
