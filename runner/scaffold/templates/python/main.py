"""{{NAME}}: a go-micro style service in plain Python (standard library only), run by micro-dev.

The contract it follows (environment, registration, heartbeats, wire format, shutdown) is
docs/writing-a-service.md in micro-dev. In short:

  start    listen on MICRO_SERVER_ADDRESS, register MICRO_SERVER_ADVERTISE in the Consul HTTP API at
           MICRO_REGISTRY_ADDRESS with a TTL check, id "<service>-<MICRO_SERVER_ID>"
  run      pass the TTL check every MICRO_REGISTER_INTERVAL (register again when the registry forgot us);
           answer POST / with a Micro-Endpoint header and a JSON body (go-micro's HTTP transport)
  SIGTERM  deregister, finish the calls in flight, exit 0
"""
import binascii
import json
import os
import re
import signal
import sys
import threading
import time
import urllib.request
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SHORT_NAME = "{{NAME}}"
# The registered name: the API gateway routes GET /{{NAME}}/say/hello to go.micro.api.{{NAME}} Say.Hello.
SERVICE_NAME = "go.micro.api." + SHORT_NAME


class MicroError(Exception):
    """go-micro's error shape; it travels in the Micro-Error response header."""

    def __init__(self, code, detail, status):
        super().__init__(detail)
        self.body = {"id": SERVICE_NAME, "code": code, "detail": detail, "status": status}

    def __str__(self):
        return dumps(self.body)


def bad_request(detail):
    return MicroError(400, detail, "Bad Request")


def greeting(name):
    return "Hello " + name + " from " + SHORT_NAME


def greeter_hello(req, headers):
    """Plain RPC: {"name":"John"} -> {"msg":"Hello John from {{NAME}}"} (/rpc, the proxy, other services)."""
    return {"msg": greeting(str(req.get("name", "")))}


def say_hello(req, headers):
    """The gateway's api handler: api.Request in, api.Response {statusCode, body} out.
    GET /{{NAME}}/say/hello?name=John -> 200 {"message":"Hello John from {{NAME}}"}"""
    pair = (req.get("get") or {}).get("name") or {}
    name = " ".join(pair.get("values") or [])
    if not name:
        raise bad_request("Name cannot be blank")
    return {"statusCode": 200, "body": dumps({"message": greeting(name)})}


def call(service, endpoint, body, headers):
    """A go-micro call through micro-dev's proxy (MICRO_PROXY_ADDRESS, the service's outbound link). The
    request's W3C trace context (traceparent, tracestate) goes along, so the call joins the caller's trace."""
    proxy = os.environ.get("MICRO_PROXY_ADDRESS")
    if not proxy:
        raise MicroError(500, "no MICRO_PROXY_ADDRESS to call " + service + " through", "Internal Server Error")
    out = {"Content-Type": "application/json", "Micro-Service": service, "Micro-Endpoint": endpoint}
    for k in ("traceparent", "tracestate"):
        if headers.get(k):
            out[k] = headers.get(k)
    req = urllib.request.Request("http://" + proxy + "/", data=dumps(body).encode("utf-8"), headers=out, method="POST")
    with urllib.request.urlopen(req, timeout=5) as rsp:
        error = rsp.headers.get("Micro-Error")
        if error:
            raise Exception(error)
        return json.loads(rsp.read().decode("utf-8").strip() or "null")


def say_relay(req, headers):
    """GET /{{NAME}}/say/relay?name=John -> greeter-srv's greeting, called through the proxy with the
    trace context forwarded: `micro-dev traces` shows gateway -> {{NAME}} -> proxy -> greeter-srv as one trace."""
    pair = (req.get("get") or {}).get("name") or {}
    name = " ".join(pair.get("values") or [])
    if not name:
        raise bad_request("Name cannot be blank")
    rsp = call("go.micro.srv.greeter", "Say.Hello", {"name": name}, headers) or {}
    return {"statusCode": 200, "body": dumps({"message": rsp.get("msg", "") + " (via " + SHORT_NAME + ")"})}


# Endpoint (Handler.Method) -> function: JSON request and the request headers in, JSON-able answer out.
HANDLERS = {"Greeter.Hello": greeter_hello, "Say.Hello": say_hello, "Say.Relay": say_relay}


def dumps(value):
    """Compact JSON, as Go's encoding/json writes it."""
    return json.dumps(value, separators=(",", ":"))


def log(line):
    print(line, flush=True)


def duration(text, name):
    """Go durations as micro-dev sends them: 150ms, 10s, 1m30s."""
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise SystemExit(f"{name} {text!r} is not a duration")
    return sum(float(n) * units[u] for n, u in parts)


class InFlight:
    """Counts calls being served, so SIGTERM can wait for them to finish."""

    def __init__(self):
        self.count = 0
        self.cond = threading.Condition()

    def __enter__(self):
        with self.cond:
            self.count += 1

    def __exit__(self, *exc):
        with self.cond:
            self.count -= 1
            self.cond.notify_all()

    def wait_idle(self, timeout):
        with self.cond:
            self.cond.wait_for(lambda: self.count == 0, timeout)


in_flight = InFlight()


class RpcHandler(BaseHTTPRequestHandler):
    """go-micro's HTTP transport: POST (any path), Micro-Endpoint names Handler.Method, JSON body.
    Always 200; an error goes in Micro-Error with an empty body."""

    protocol_version = "HTTP/1.1"  # keep-alive, as go-micro's clients expect
    # The status line, headers and body leave in one write (a buffered wfile, flushed once the handler
    # returns) with TCP_NODELAY. Unbuffered, the body is a second small write that Nagle holds back until
    # the caller's delayed ACK: 40 ms on every call.
    wbufsize = -1
    disable_nagle_algorithm = True

    def do_POST(self):
        with in_flight:
            header = lambda k: self.headers.get(k) or self.headers.get("X-" + k) or ""
            endpoint = header("Micro-Endpoint") or header("Micro-Method")
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            result, error = None, None
            try:
                request = json.loads(raw.decode("utf-8").strip() or "{}")
                handler = HANDLERS.get(endpoint)
                if handler is None:
                    raise Exception(f"rpc: can't find method {endpoint}")
                result = handler(request, self.headers)
            except Exception as e:  # every failure goes back to the caller, as go-micro does
                error = str(e)
            payload = b"" if error is not None else (dumps(result) + "\n").encode("utf-8")
            self.send_response(200)
            for k in ("Micro-Id", "Micro-Service", "Micro-Method", "Micro-Endpoint"):
                v = endpoint if k in ("Micro-Method", "Micro-Endpoint") else header(k)
                self.send_header(k, v)
                self.send_header("X-" + k, v)
            if error is not None:
                self.send_header("Micro-Error", error)
                self.send_header("X-Micro-Error", error)
            else:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    def do_GET(self):
        """Not a call: a plain GET (a health check, a static reverse proxy in front) learns who answers."""
        payload = (dumps({"service": SERVICE_NAME, "status": "ok"}) + "\n").encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass  # one line per call would drown the log


def encode_tag(text):
    """go-micro's Consul tag value: hex(zlib(text))."""
    return binascii.hexlify(zlib.compress(text.encode("utf-8"))).decode("ascii")


class Registration:
    """This instance's entry in the Consul HTTP API at MICRO_REGISTRY_ADDRESS."""

    def __init__(self, bound):
        host, _, port = os.environ.get("MICRO_SERVER_ADVERTISE", bound).rpartition(":")
        registry = os.environ.get("MICRO_REGISTRY_ADDRESS", "127.0.0.1:8500").split(",")[0]
        self.registry = registry if registry.startswith(("http://", "https://")) else "http://" + registry
        self.token = os.environ.get("MICRO_REGISTRY_TOKEN", "")
        # micro-dev finds this instance by the id suffix MICRO_SERVER_ID (or by the advertised address).
        self.id = SERVICE_NAME + "-" + (os.environ.get("MICRO_SERVER_ID") or str(uuid.uuid4()))
        self.host, self.port = host, int(port)
        self.ttl = os.environ.get("MICRO_REGISTER_TTL", "60s")
        self.interval = duration(os.environ.get("MICRO_REGISTER_INTERVAL", "30s"), "MICRO_REGISTER_INTERVAL")
        self.timeout = max(1.0, 2 * self.interval)

    def put(self, path, body=None):
        data = json.dumps(body).encode("utf-8") if body is not None else b""
        req = urllib.request.Request(self.registry + path, data=data, method="PUT")
        if self.token:
            req.add_header("X-Consul-Token", self.token)
        with urllib.request.urlopen(req, timeout=self.timeout) as rsp:
            rsp.read()

    def register(self):
        deregister_after = max(duration(self.ttl, "MICRO_REGISTER_TTL") + 5, 65)
        meta = {"protocol": "mucp", "server": "mucp", "transport": "http", "registry": "consul", "broker": "http"}
        tags = ["v-" + encode_tag("latest")]
        tags += ["t-" + encode_tag(dumps({k: v})) for k, v in meta.items()]
        tags += [
            "e-" + encode_tag(dumps({"name": n, "request": None, "response": None, "metadata": {}}))
            for n in HANDLERS
        ]
        self.put("/v1/agent/service/register", {
            "ID": self.id, "Name": SERVICE_NAME, "Address": self.host, "Port": self.port, "Tags": tags,
            "Check": {"TTL": self.ttl, "DeregisterCriticalServiceAfter": f"{int(deregister_after)}s"},
        })

    def keep_alive(self, stopping):
        """Registers, then passes the TTL check every interval until `stopping` is set. A failed pass (the
        registry restarted, or our entry expired) registers again; errors are logged, never fatal."""
        registered = False
        while True:
            try:
                if not registered:
                    self.register()
                    registered = True
                    log(f"registered {SERVICE_NAME} {self.id} at {self.host}:{self.port}")
                self.put("/v1/agent/check/pass/service:" + self.id)
            except Exception as e:
                log(f"{'heartbeat' if registered else 'register'} {self.id}: {e}")
                registered = False
            if stopping.wait(self.interval):
                return

    def deregister(self):
        try:
            self.put("/v1/agent/service/deregister/" + self.id)
        except Exception as e:
            log(f"deregister {self.id}: {e}")


def main():
    host, _, port = os.environ.get("MICRO_SERVER_ADDRESS", "127.0.0.1:0").rpartition(":")
    server = ThreadingHTTPServer((host or "127.0.0.1", int(port)), RpcHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()

    registration = Registration(f"{server.server_address[0]}:{server.server_address[1]}")
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    registration.keep_alive(stopping)

    # SIGTERM: leave the registry first (callers stop picking us), then finish what is in flight.
    registration.deregister()
    server.shutdown()
    in_flight.wait_idle(5)
    server.server_close()
    log(f"stopped {registration.id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
