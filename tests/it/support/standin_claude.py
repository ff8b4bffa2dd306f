#!/usr/bin/env python3
"""A stand-in for `claude` in the relay's tests: it answers `--version` and `auth status`, and
when the doctor runs it as its rehearsal it sends what `STANDIN_PLAN` names to the base URL it was given (the relay's,
with the run's secret), writes each answer's status to `STANDIN_REPORT`, floods its stdout if
asked, then says it is done (`STANDIN_READY`) and waits for `STANDIN_GO` before it exits."""

import json
import os
import socket
import sys
import time
import urllib.parse

if sys.argv[1:2] == ["--version"]:
    print("2.1.337 (Claude Code)")
    sys.exit(0)

if sys.argv[1:3] == ["auth", "status"]:
    # As 2.1.337 answers it on Bedrock (the rehearsal is what this stand-in plays).
    print(json.dumps({"loggedIn": True, "authMethod": "third_party", "apiProvider": "bedrock"}))
    sys.exit(0)

BASE = urllib.parse.urlsplit(os.environ["ANTHROPIC_BEDROCK_BASE_URL"])
HOST, PORT, PREFIX = BASE.hostname, BASE.port, BASE.path.rstrip("/")
REGION = os.environ.get("AWS_REGION", "us-east-1")
MODEL = "us.anthropic.claude-haiku-4-5-20251001-v1:0"


def signature(region=REGION, service="bedrock"):
    # The relay never checks the client's signature; it signs again with the real credentials.
    return (
        f"AWS4-HMAC-SHA256 Credential=AKIDSTANDIN/20261207/{region}/{service}/aws4_request, "
        "SignedHeaders=host, Signature=00"
    )


def send(method, path, body=b"", headers=None, chunked_mb=0, declared=None):
    """One HTTP/1.1 request on its own connection; the answer's status, or None."""
    conn = socket.create_connection((HOST, PORT), timeout=60)
    fields = {
        "host": f"{HOST}:{PORT}",
        "authorization": signature(),
        "content-type": "application/json",
        "connection": "close",
    }
    fields.update(headers or {})
    if chunked_mb:
        fields["transfer-encoding"] = "chunked"
    else:
        fields["content-length"] = str(len(body) if declared is None else declared)
    head = f"{method} {PREFIX}{path} HTTP/1.1\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in fields.items()) + "\r\n"
    try:
        conn.sendall(head.encode())
        if chunked_mb:
            chunk = b"x" * (1 << 20)
            for _ in range(chunked_mb):
                conn.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            conn.sendall(b"0\r\n\r\n")
        else:
            conn.sendall(body)
            if declared is not None:
                conn.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    data = b""
    try:
        while b"\r\n" not in data:
            got = conn.recv(4096)
            if not got:
                break
            data += got
    except OSError:
        pass
    conn.close()
    line = data.split(b"\r\n", 1)[0].split()
    return int(line[1]) if len(line) > 1 else None


def body(value):
    return json.dumps(value).encode()


STEPS = {
    # A request as Claude Code sends it: answered by the account.
    "probe": lambda: send("POST", f"/model/{MODEL}/invoke", body({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 1, "messages": [{"role": "user", "content": "."}]})),
    # 200 MB, chunked: answered 413 without being read.
    "huge": lambda: send("POST", f"/model/{MODEL}/invoke-with-response-stream", chunked_mb=200),
    # A 3 MB probe: forwarded cut to 16 KB.
    "big-probe": lambda: send("POST", f"/model/{MODEL}/invoke", body({"max_tokens": 1, "messages": [{"role": "user", "content": "x" * 3_000_000}]})),
    # 30,000 short system blocks in a real turn: cut to 16 KB.
    "blocks": lambda: send("POST", f"/model/{MODEL}/invoke-with-response-stream", body({"max_tokens": 64000, "system": [{"type": "text", "text": f"b{i}"} for i in range(30000)], "messages": [{"role": "user", "content": "hi"}]})),
    "no-messages": lambda: send("POST", f"/model/{MODEL}/invoke", body({"max_tokens": 10})),
    "empty": lambda: send("POST", f"/model/{MODEL}/invoke", b"{}"),
    "legacy": lambda: send("POST", f"/model/{MODEL}/invoke", body({"prompt": "\n\nHuman: hi\n\nAssistant:", "max_tokens_to_sample": 300})),
    "truncated": lambda: send("POST", f"/model/{MODEL}/invoke", b'{"max_tokens": 1, "messa', declared=100_000),
    "dotdot": lambda: send("GET", "/inference-profiles/..%2F..%2Fsts"),
    "dotdot-raw": lambda: send("GET", "/model/../../inference-profiles"),
    "foreign-scope": lambda: send("POST", f"/model/{MODEL}/invoke", body({"max_tokens": 1, "messages": [{"role": "user", "content": "."}]}), headers={"authorization": signature("us-west-2", "sts")}),
    "extra-headers": lambda: send("POST", f"/model/{MODEL}/invoke", body({"max_tokens": 1, "messages": [{"role": "user", "content": "."}]}), headers={"x-amz-target": "AWSSecurityTokenServiceV20110615.AssumeRole", "proxy-authorization": "Basic c3RyYW5nZXI=", "x-stranger": "1"}),
}

report = {}
for step in filter(None, os.environ.get("STANDIN_PLAN", "").split(",")):
    if step.startswith("flood:"):
        megabytes = int(step.split(":")[1])
        line = b"y\n" * (1 << 19)
        try:
            for _ in range(megabytes):
                sys.stdout.buffer.write(line)
            sys.stdout.flush()
        except OSError:
            pass
        report[step] = "flooded"
        continue
    report[step] = STEPS[step]()

if os.environ.get("STANDIN_REPORT"):
    with open(os.environ["STANDIN_REPORT"], "w") as out:
        json.dump(report, out)
if os.environ.get("STANDIN_READY"):
    open(os.environ["STANDIN_READY"], "w").close()
    go = os.environ.get("STANDIN_GO")
    while go and not os.path.exists(go):
        time.sleep(0.05)
