#!/usr/bin/env python3
"""Randomised robustness probe of the REST API, against a real `annot serve` it starts itself.

Every route is called with every method, with bodies mutated from valid ones (wrong types, missing and
extra keys, huge and odd values, broken JSON), odd ids and queries; then malformed HTTP (request lines,
headers, lengths, chunking, paths that climb out of their folder), a client that stalls, and multipart
imports of damaged CSV, TSV, TXT and JSON files. The rules it checks, from the developers' guide:
  - no answer is a 5xx, the server never drops a connection, never hangs and never goes down;
  - every 4xx of the API is a JSON object (naming the problem);
  - nothing outside the files the server serves can be read through a path;
  - a project the probe never addresses keeps its tasks and annotations unchanged (nothing is lost).
The same seed makes the same requests, so a finding can be replayed.

With --clients N, N probes send their requests at once (seeds N*seed+i; the server's interleaving is not
replayed), and an annotator imports tasks and writes, edits and deletes annotations on a project of its own
meanwhile: at the end that project holds exactly the tasks and annotations it was told were saved, each
annotation with its last result (no write lost or half-applied under concurrent load).

  api_probe.py ANNOT [--seed N] [--requests N] [--imports N] [--clients N] [--keep-going]
Exit code 0 when nothing was found, 1 with findings (each printed), 2 on a usage or setup error.
Run it longer, or against an AddressSanitizer build (scripts/test-sanitized.sh builds one), with
--requests 50000 --seed K.
"""
import argparse
import collections
import http.client
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

IMAGE_CONFIG = ('<View><Image name="image" value="$image"/><RectangleLabels name="label" toName="image">'
                '<Label value="Car"/><Label value="Person"/></RectangleLabels><Choices name="c" toName="image">'
                '<Choice value="A"/><Choice value="B"/></Choices></View>')
TEXT_CONFIG = ('<View><Text name="text" value="$text"/><Labels name="label" toName="text"><Label value="PER"/>'
               '</Labels><Choices name="c" toName="text"><Choice value="A"/></Choices></View>')
BOX = {"id": "r1", "from_name": "label", "to_name": "image", "type": "rectanglelabels",
       "original_width": 640, "original_height": 480,
       "value": {"x": 10, "y": 20, "width": 30, "height": 40, "rotation": 0, "rectanglelabels": ["Car"]}}
CHOICE = {"from_name": "c", "to_name": "image", "type": "choices", "value": {"choices": ["A"]}}
RESULT = [BOX, CHOICE]

# Every route of the host and the bundle, with {id} / {pk} filled in per request.
ROUTES = """
/api/annotations/{id} /api/annotations/{id}/convert-to-draft /api/config/tags /api/current-user/token /api/current-user/whoami /api/dm/actions
/api/dm/columns /api/dm/views /api/dm/views/order /api/dm/views/reset /api/dm/views/{id} /api/drafts/{id}
/api/import/file-upload/{id} /api/jobs /api/jobs/{id} /api/jobs/{id}/cancel /api/plugins /api/predictions
/api/predictions/{id} /api/projects /api/projects/validate /api/projects/{id} /api/projects/{id}/export
/api/projects/{id}/export/formats /api/projects/{id}/exports /api/projects/{id}/exports/{pk}
/api/projects/{id}/exports/{pk}/convert /api/projects/{id}/exports/{pk}/download
/api/projects/{id}/file-uploads /api/projects/{id}/import /api/projects/{id}/import/predictions
/api/projects/{id}/imports/{pk} /api/projects/{id}/model-versions /api/projects/{id}/next
/api/projects/{id}/reimport /api/projects/{id}/summary /api/projects/{id}/tasks /api/projects/{id}/validate
/api/tasks /api/tasks/{id} /api/tasks/{id}/annotations /api/tasks/{id}/annotations/{pk}/drafts
/api/tasks/{id}/drafts /api/templates /api/token /api/token/blacklist /api/token/refresh /api/users
/api/users/{id} /api/version /data/upload/{id}/x.png /static/x.js /health /version
""".split()
# POST /api/current-user/reset-token is left out: it would end the probe's own token.
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]

TEMPLATES = [
    {"title": "Probe", "label_config": IMAGE_CONFIG, "description": "d", "maximum_annotations": 1},
    {"label_config": TEXT_CONFIG},
    [{"image": "/data/upload/1/a.png"}, {"data": {"image": "http://x/b.png"}, "annotations": [{"result": RESULT}]}],
    {"data": {"image": "http://x/c.png"}, "project": 1},
    {"result": RESULT, "lead_time": 1.5, "was_cancelled": False, "ground_truth": False},
    {"result": RESULT, "task": 1, "model_version": "m1", "score": 0.5},
    {"project": 1, "data": {"title": "v", "filters": {"conjunction": "and", "items": [
        {"filter": "filter:tasks:id", "operator": "greater", "type": "Number", "value": 1}]},
        "ordering": ["tasks:id"]}},
    {"id": "delete_tasks", "project": 1, "selectedItems": {"all": False, "included": [1, 2]}},
    {"task_filter_options": {"view": 1, "skipped": "exclude", "finished": "only", "annotated": "only"},
     "annotation_filter_options": {"usual": True, "ground_truth": True, "skipped": True},
     "serialization_options": {"drafts": {"only_id": True}, "predictions": {"only_id": False}}},
    {"exportType": "COCO", "download_resources": False},
    {"email": "probe@example.com", "username": "u", "password": "pw12345678", "first_name": "A"},
    {"refresh": "xxx"},
    {"ids": [3, 2, 1], "project": 1},
    {"file_upload_ids": [1, 2], "files_as_tasks_list": False},
]
ODD_VALUES = [None, True, False, 0, -1, 1, 2**31, 2**63, -2**63 - 1, 10**30, 1e308, -0.0, 1.5, "", "x", "1",
              "-1", "null", "\U0001F4A5" * 3, "a" * 5000, "\u0000", [], [1], [None], {}, {"a": 1}, [[[[[]]]]],
              "<View>", "<View><Image name='i' value='$i'/></View>", "9" * 40]
BROKEN_BODIES = [b"", b"{", b"[1,", b"null", b"\xff\xfe", b'{"a":1}garbage', b"1e999999",
                 b'"' + b"\\u" * 10 + b'"', b"[" * 5000 + b"]" * 5000, b"[" * 100000, b'{"title":"\xc3\x28"}']
QUERY_KEYS = ["page", "page_size", "project", "ids[]", "ids", "exportType", "download_all_tasks",
              "download_resources", "fields", "view", "include", "resolve_uri", "task", "interpolate_key_frames",
              "return_task", "commit_to_project", "only_id", "ordering", "search", "id", "format", "type"]
QUERY_VALUES = ["1", "0", "-1", "2", "x", "", "true", "false", "99999999999999999999", "COCO", "YOLO", "JSON",
                "JSON_MIN", "CSV", "1,2", "%00", "%ff", "%", "a%20b", "1e5", "null"]
ODD_IDS = ["0", "-1", "abc", "999999", "99999999999999999999", "1.5", "%2e%2e", "", "1%00"]


PRINTING = threading.Lock()  # one finding's lines together when probes run at once


class Probe:
    def __init__(self, port, token, seed, keep_going):
        self.port = port
        self.token = token
        self.rnd = random.Random(seed)
        self.keep_going = keep_going
        self.findings = 0
        self.conn = None
        self.live = {}  # kind -> ids the server gave (projects, tasks, annotations...)
        self.protected = set()  # the sentinel project's ids of every kind: never addressed
        self.malformed = 0
        self.answers = {}  # (method, route, status class) -> count, for --stats
        self.recent = collections.deque(maxlen=8)  # the last requests, named when the server goes down

    # -- plumbing --------------------------------------------------------------------------------
    def finding(self, kind, what, answer=b""):
        self.findings += 1
        with PRINTING:
            print(f"FINDING {kind}: {what[:400]}\n  answer: {answer[:400]!r}", flush=True)
        if not self.keep_going:
            raise SystemExit(1)

    def call(self, method, path, body=None, content_type="application/json"):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Authorization": "Token " + self.token}
        if body is not None:
            headers["Content-Type"] = content_type
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, data

    def call_json(self, method, path, value=None):
        status, data = self.call(method, path, json.dumps(value).encode() if value is not None else None)
        if status >= 300:
            raise RuntimeError(f"{method} {path} answered {status}: {data[:300]!r}")
        return json.loads(data) if data else None

    def alive(self):
        try:
            return self.call("GET", "/health")[0] == 200
        except OSError:
            return False

    def check_answer(self, what, status, data, path):
        route = re.sub(r"/(-?\d+|abc|%2e%2e|1\.5|1%00)(?=/|$)", "/{id}", path.split("?", 1)[0])
        key = (what.split(" ", 1)[0], route, status // 100)
        self.answers[key] = self.answers.get(key, 0) + 1
        if status >= 500:
            self.finding("5xx", f"{what} -> {status}", data)
        elif status >= 400 and path.startswith("/api/"):
            try:
                if not isinstance(json.loads(data), dict):
                    raise ValueError
            except ValueError:
                self.finding("a 4xx that is not a JSON object", f"{what} -> {status}", data)

    # -- the data the probe works on -------------------------------------------------------------
    def seed_project(self, config, kind):
        project = self.call_json("POST", "/api/projects", {"title": "probe " + kind, "label_config": config})
        pid = project["id"]
        field = "image" if kind == "image" else "text"
        tasks = [{"data": {field: f"http://example.com/{k}.png" if kind == "image" else f"text number {k}"},
                  "annotations": [{"result": RESULT if kind == "image" else [], "lead_time": k}],
                  "predictions": [{"result": RESULT if kind == "image" else [], "score": 0.5}]} for k in range(5)]
        self.call_json("POST", f"/api/projects/{pid}/import", tasks)
        return pid

    def snapshot(self, pid):
        """The project's tasks with annotations and predictions, as the export gives them."""
        status, data = self.call("GET", f"/api/projects/{pid}/export?exportType=JSON&download_all_tasks=true")
        if status != 200:
            return None
        return json.loads(data)

    def refresh(self):
        """A fresh project to work on, and the ids the server has now."""
        pid = self.seed_project(IMAGE_CONFIG, "image")
        self.live.setdefault("projects", []).append(str(pid))
        try:
            export = self.call_json("POST", f"/api/projects/{pid}/exports", {})
            self.live.setdefault("exports", []).append(str(export["id"]))
        except RuntimeError as e:
            self.finding("setup", str(e))
        for project in list(self.live["projects"])[-5:]:
            status, data = self.call("GET", f"/api/tasks?project={project}&fields=all&page_size=50")
            if status != 200:
                continue
            answer = json.loads(data)
            for task in answer.get("tasks", []) if isinstance(answer, dict) else answer:
                self.live.setdefault("tasks", []).append(str(task["id"]))
                for kind in ("annotations", "predictions", "drafts"):
                    for item in task.get(kind, []):
                        self.live.setdefault(kind, []).append(str(item["id"] if isinstance(item, dict) else item))
        for kind in self.live:
            self.live[kind] = [i for i in self.live[kind] if i not in self.protected][-40:]

    # -- requests ----------------------------------------------------------------------------------
    def mutate(self, value):
        rnd = self.rnd
        if rnd.random() < 0.1:
            return rnd.choice(ODD_VALUES)
        if isinstance(value, dict):
            value = dict(value)
            for key in list(value):
                x = rnd.random()
                if x < 0.15:
                    del value[key]
                elif x < 0.45:
                    value[key] = self.mutate(value[key])
            if rnd.random() < 0.1:
                value[rnd.choice(["id", "project", "task", "data", "result", "value", "zz"])] = rnd.choice(ODD_VALUES)
            return value
        if isinstance(value, list):
            value = [self.mutate(x) if rnd.random() < 0.4 else x for x in value]
            if value and rnd.random() < 0.1:
                value = value * rnd.randint(2, 50)
            return value
        return rnd.choice(ODD_VALUES) if rnd.random() < 0.3 else value

    def body(self):
        if self.rnd.random() < 0.08:
            return self.rnd.choice(BROKEN_BODIES)
        return json.dumps(self.mutate(self.rnd.choice(TEMPLATES))).encode()

    def an_id(self, kind):
        if self.rnd.random() < 0.3:
            return self.rnd.choice(ODD_IDS)
        return self.rnd.choice(self.live.get(kind) or ["1"])

    def path(self):
        rnd = self.rnd
        route = rnd.choice(ROUTES)
        parts = route.split("/")
        kind = {"dm": "views", "import": "file-uploads"}.get(parts[2], parts[2]) \
            if len(parts) > 2 else ""
        sub = parts[4] if len(parts) > 4 else ""
        path = route.replace("{id}", self.an_id("users_other" if kind == "users" else kind))
        path = path.replace("{pk}", self.an_id({"imports": "imports", "annotations": "annotations"}.get(sub, "exports")))
        if rnd.random() < 0.5:
            path += "?" + "&".join(rnd.choice(QUERY_KEYS) + "=" + rnd.choice(QUERY_VALUES)
                                   for _ in range(rnd.randint(1, 4)))
        return path

    def mutated_requests(self, count):
        rnd = self.rnd
        for i in range(count):
            if i % 250 == 0:
                self.refresh()
            method = rnd.choice(METHODS)
            path = self.path()
            body = self.body() if method in ("POST", "PUT", "PATCH") or rnd.random() < 0.05 else b""
            headers = {"Authorization": "Token " + self.token}
            if body:
                headers["Content-Type"] = "application/json" if rnd.random() < 0.85 else rnd.choice(
                    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=zz",
                     "application/json; charset=latin1"])
            if rnd.random() < 0.03:
                headers["Authorization"] = rnd.choice(["Token x", "Bearer x", "", "Token " + self.token + "x"])
            what = f"{method} {path} body {body[:200]!r}"
            self.recent.append(what)
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                self.conn.request(method, path, body=body, headers=headers)
                r = self.conn.getresponse()
                data = r.read()
            except (OSError, http.client.HTTPException) as e:
                self.conn = None
                # A keep-alive connection the server closed after an error answer is fine once: retry
                # on a new one, and only a second failure counts.
                try:
                    status, data = self.call(method, path, body, headers.get("Content-Type", "application/json"))
                except (OSError, http.client.HTTPException) as e2:
                    self.finding("connection failed", f"{what}: {e} / {e2}")
                    if not self.alive():
                        self.finding("server down", what)
                        print("  the requests before it, oldest first:\n    " + "\n    ".join(list(self.recent)[:-1]))
                        raise SystemExit(1)
                    continue
                self.check_answer(what, status, data, path)
                continue
            if (r.getheader("Connection") or "").lower() == "close":
                self.conn.close()
                self.conn = None
            self.check_answer(what, r.status, data, path)

    def raw_http(self):
        auth = b"Authorization: Token " + self.token.encode() + b"\r\n"
        requests = [
            b"GARBAGE\r\n\r\n",
            b"\x00\x01\x02\x03" * 100,
            b"GET /api/projects HTTP/9.9\r\nHost: x\r\n" + auth + b"\r\n",
            b"GET /api/projects HTTP/1.1\r\nHost: x\r\n" + auth + b"X-Long: " + b"a" * 200000 + b"\r\n\r\n",
            b"POST /api/projects HTTP/1.1\r\nHost: x\r\n" + auth + b"Content-Length: 99999999999999999999\r\n\r\n{}",
            b"POST /api/projects HTTP/1.1\r\nHost: x\r\n" + auth + b"Content-Length: -5\r\n\r\n{}",
            b"POST /api/projects HTTP/1.1\r\nHost: x\r\n" + auth + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
            b"POST /api/projects HTTP/1.1\r\nHost: x\r\n" + auth +
            b"Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
            b"POST /api/projects HTTP/1.1\r\nHost: x\r\n" + auth + b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
            b"GET /api/projects/%ZZ HTTP/1.1\r\nHost: x\r\n" + auth + b"\r\n",
            b"GET /api/projects?" + b"a=1&" * 20000 + b" HTTP/1.1\r\nHost: x\r\n" + auth + b"\r\n",
            b"GET " + b"/a" * 30000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            b"HEAD /api/projects HTTP/1.1\r\nHost: x\r\n" + auth + b"\r\n",
            b"OPTIONS /api/projects HTTP/1.1\r\nHost: x\r\nOrigin: http://elsewhere\r\n"
            b"Access-Control-Request-Method: DELETE\r\n\r\n",
            b"GET /api/projects HTTP/1.1\r\nHost: x\r\nCookie: sessionid=" + b"z" * 5000 + b"\r\n\r\n",
            b"GET /api/projects HTTP/1.1\r\nHost: x\r\nAuthorization: Basic " + b"=" * 100 + b"\r\n\r\n",
            b"GET /api/projects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a.b.c\r\n\r\n",
            b"GET /api/projects HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: Bearer eyJhbGciOiJub25lIn0.eyJ1c2VyX2lkIjoxfQ.\r\n\r\n",
        ]
        climbing = ["/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                    "/static/..%2f..%2f..%2f..%2fetc/passwd", "/data/upload/..%2f..%2f..%2f..%2fetc/passwd",
                    "/data/upload/1/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/plugins/image/..%2f..%2f..%2fetc/passwd",
                    "/static//etc/passwd", "/data/upload//etc/passwd"]
        requests += [b"GET " + p.encode() + b" HTTP/1.1\r\nHost: x\r\n" + auth + b"\r\n" for p in climbing]
        self.malformed = len(requests)
        for request in requests:
            what = request[:160].decode("latin1")
            try:
                s = socket.create_connection(("127.0.0.1", self.port), timeout=30)
                try:
                    s.sendall(request)
                    s.shutdown(socket.SHUT_WR)
                    answer = b""
                    while chunk := s.recv(65536):
                        answer += chunk
                finally:
                    s.close()
            except socket.timeout:
                self.finding("no answer in 30 s", what)
                continue
            except OSError:
                continue  # the server may reset a connection that sent garbage
            if not answer:
                continue
            status_line = answer.split(b"\r\n", 1)[0].split()
            if len(status_line) < 2 or not status_line[1].isdigit():
                self.finding("not an HTTP answer", what, answer)
            elif int(status_line[1]) >= 500:
                self.finding("5xx", what, answer)
            if b"root:x:0:0" in answer:
                self.finding("a path read a file outside the served folders", what, answer)
        if not self.alive():
            self.finding("server down after malformed HTTP", "")
            raise SystemExit(1)

        # A client that sends half a request and stalls must not hold up anyone else.
        stalled = socket.create_connection(("127.0.0.1", self.port))
        stalled.sendall(b"POST /api/projects HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
        start = time.monotonic()
        ok = self.alive()
        if not ok or time.monotonic() - start > 5:
            self.finding("a stalled client holds up others", f"health answered {ok} after {time.monotonic() - start:.1f} s")
        stalled.close()

    def damaged_file(self):
        rnd = self.rnd
        kind = rnd.choice(["csv", "tsv", "txt", "json", "jsonl", "zip", "png", "xml", "gz"])
        rows = rnd.randint(0, 50)
        if kind == "csv":
            content = ("text,other\n" + "".join(rnd.choice(['"a,b",1\n', "x\n", '"unterminated\n', ",,,,\n", "\u00e9,\u00fc\n",
                                                             "\x00,1\n", "a" * 1000 + ",2\n"]) for _ in range(rows))).encode()
        elif kind == "tsv":
            content = ("text\tother\n" + "".join(rnd.choice(["a\tb\n", "x\n", "\t\t\t\n"]) for _ in range(rows))).encode()
        elif kind == "txt":
            content = "".join(rnd.choice(["line\n", "\n", "\r\n", "\u00e9\n", "\x00\n"]) for _ in range(rows)).encode()
        elif kind == "json":
            content = rnd.choice([
                b"[]", b"{}", b"[1,2]", b'[{"text":"a"}]', b'{"text":"x"}', b'[{"data":{"text":1}}]',
                b'[{"data":{"text":"some text"},"annotations":[{"result":[{"from_name":"label","to_name":"text",'
                b'"type":"labels","value":{"start":0,"end":4,"labels":["PER"]}}]}]}]',
                b'[{"data":{"text":"a"},"annotations":[{"result":[{"from_name":"nope","type":"x","value":{}}]}]}]',
                b'[{"data":{"text":"a"},"predictions":[{"result":"x","score":"y"}]}]',
                b"[" * 3000, b'[{"text": "\xff\xfe"}]', b'[{"text":"a"}'])
        elif kind == "jsonl":
            content = b'{"text":"a"}\n{"text":\n'
        elif kind == "gz":
            content = b"\x1f\x8b\x08\x00" + bytes(rnd.randrange(256) for _ in range(100))
        else:
            content = bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 3000)))
        if rnd.random() < 0.2:
            content = content[:rnd.randint(0, len(content))]
        name = rnd.choice([f"f.{kind}", f"../../x.{kind}", f"a b/\u00e9.{kind}", "noext", f".{kind}",
                           "x" * 300 + f".{kind}", f"f.{kind}\\..\\.png"])
        return name, content

    def multipart_imports(self, count):
        rnd = self.rnd
        pid = self.seed_project(TEXT_CONFIG, "text")
        self.live.setdefault("projects", []).append(str(pid))
        for _ in range(count):
            boundary = "----annotprobe%d" % rnd.randint(0, 10**9)
            body = b""
            for name, content in (self.damaged_file() for _ in range(rnd.randint(1, 3))):
                body += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                         f"Content-Type: application/octet-stream\r\n\r\n").encode() + content + b"\r\n"
            if rnd.random() < 0.9:
                body += f"--{boundary}--\r\n".encode()
            path = rnd.choice([f"/api/projects/{pid}/import", f"/api/projects/{pid}/reimport",
                               f"/api/projects/{pid}/import/predictions"])
            path += rnd.choice(["", "?commit_to_project=false", "?return_task_ids=true"])
            try:
                status, data = self.call("POST", path, body, f"multipart/form-data; boundary={boundary}")
            except (OSError, http.client.HTTPException) as e:
                self.finding("connection failed", f"POST {path}: {e}")
                if not self.alive():
                    raise SystemExit(1)
                continue
            self.check_answer(f"POST {path} (multipart, {len(body)} bytes)", status, data, path)
            if rnd.random() < 0.1:
                status, data = self.call("GET", f"/api/projects/{pid}/file-uploads?all=true")
                ids = [u["id"] for u in json.loads(data)][:5] if status == 200 else []
                value = {"file_upload_ids": ids + rnd.choice([[], [999999], ["x"]]),
                         "files_as_tasks_list": rnd.choice([True, False, "x"])}
                path = f"/api/projects/{pid}/reimport"
                status, data = self.call("POST", path, json.dumps(value).encode())
                self.check_answer(f"POST {path} {value}", status, data, path)


class Annotator:
    """Imports tasks and writes, edits and deletes annotations on a project of its own while probes run,
    then checks that the project holds exactly the tasks and annotations the server said it saved, each
    annotation with its last result."""

    def __init__(self, probe, seed):
        self.probe = probe  # its own (calls, findings), not sending random requests
        self.rnd = random.Random(seed)
        self.tasks = []  # the project's task ids
        self.expected = {}  # annotation id -> the result last saved
        self.writes = 0

    def result(self, k):
        box = json.loads(json.dumps(BOX))
        box["id"] = f"a{k}"
        box["value"]["x"] = k % 90 + 0.25
        box["value"]["rectanglelabels"] = [self.rnd.choice(["Car", "Person"])]
        return [box]

    def run(self, pid, writes, stop):
        probe = self.probe
        snapshot = probe.snapshot(pid)
        self.tasks = [t["id"] for t in snapshot]
        self.expected = {a["id"]: a["result"] for t in snapshot for a in t["annotations"]}
        k = 0
        while k < writes or not stop.is_set():
            k += 1
            x = self.rnd.random()
            ids = sorted(self.expected)
            try:
                if x < 0.05:
                    tasks = [{"image": f"http://example.com/annotator/{k}-{n}.png"} for n in range(self.rnd.randint(1, 3))]
                    status, data = probe.call("POST", f"/api/projects/{pid}/import?return_task_ids=true",
                                              json.dumps(tasks).encode())
                    if status == 201:
                        self.tasks += json.loads(data)["task_ids"]
                elif x < 0.6 or not ids:
                    result = self.result(k)
                    status, data = probe.call("POST", f"/api/tasks/{self.rnd.choice(self.tasks)}/annotations",
                                              json.dumps({"result": result, "lead_time": k}).encode())
                    if status == 201:
                        self.expected[json.loads(data)["id"]] = result
                elif x < 0.85:
                    aid, result = self.rnd.choice(ids), self.result(k)
                    status, data = probe.call("PATCH", f"/api/annotations/{aid}", json.dumps({"result": result}).encode())
                    if status == 200:
                        self.expected[aid] = result
                else:
                    aid = self.rnd.choice(ids)
                    status, data = probe.call("DELETE", f"/api/annotations/{aid}")
                    if status == 204:
                        del self.expected[aid]
            except (OSError, http.client.HTTPException) as e:
                probe.finding("connection failed", f"annotator, write {k}: {e}")
                return
            self.writes += 1
            if status not in (200, 201, 204):
                probe.finding("an annotator's write refused", f"write {k} -> {status}", data)

    def check(self, pid):
        snapshot = self.probe.snapshot(pid) or []
        if sorted(t["id"] for t in snapshot) != sorted(self.tasks):
            self.probe.finding("the annotator's project has other tasks than it imported",
                               f"{len(snapshot)} tasks, {len(self.tasks)} imported")
        saved = {a["id"]: a["result"] for t in snapshot for a in t["annotations"]}
        if saved != self.expected:
            lost = sorted(set(self.expected) - set(saved))
            extra = sorted(set(saved) - set(self.expected))
            changed = sorted(i for i in set(saved) & set(self.expected) if saved[i] != self.expected[i])
            self.probe.finding("the annotator's project differs from what the server said it saved",
                               f"lost {lost[:20]}, not deleted {extra[:20]}, other results {changed[:20]}")


def concurrently(probe, clients, requests, seed):
    """`clients` probes at once (this one and clients - 1 more, each with its own data), and an annotator
    on a project of its own, until the probes are done."""
    probes = [probe] + [Probe(probe.port, probe.token, clients * seed + i, probe.keep_going)
                        for i in range(1, clients)]
    for p in probes[1:]:
        p.live = {kind: list(ids) for kind, ids in probe.live.items()}
        p.protected = probe.protected
    annotator = Annotator(Probe(probe.port, probe.token, 0, probe.keep_going), clients * seed + clients)
    own = probe.seed_project(IMAGE_CONFIG, "image")
    probe.protected |= {str(own)} | {str(t["id"]) for t in probe.snapshot(own)}
    stop = threading.Event()

    def probing(p):
        try:
            p.mutated_requests(requests)
        except SystemExit:
            pass  # a finding without --keep-going, or the server down: already printed

    def annotating():
        try:
            annotator.run(own, 200, stop)
        except SystemExit:
            pass

    threads = [threading.Thread(target=probing, args=(p,)) for p in probes]
    writer = threading.Thread(target=annotating)
    for t in threads + [writer]:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    writer.join()
    before = annotator.probe.findings
    probe.findings += sum(p.findings for p in probes[1:]) + before
    probe.malformed += sum(p.malformed for p in probes[1:])
    for p in probes[1:]:
        for key, n in p.answers.items():
            probe.answers[key] = probe.answers.get(key, 0) + n
    if probe.alive():
        annotator.check(own)
        probe.findings += annotator.probe.findings - before
    return annotator.writes


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("annot")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--imports", type=int, default=200)
    parser.add_argument("--clients", type=int, default=1,
                        help="probes at once, each sending --requests, with an annotator beside them")
    parser.add_argument("--keep-going", action="store_true", help="report every finding, not only the first")
    parser.add_argument("--stats", action="store_true", help="print how each route answered")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="annot-api-probe-")
    server = None
    probe = None
    try:
        data = os.path.join(work, "data")
        created = subprocess.run([args.annot, "user", "create", "--email", "probe-admin@example.com", "--admin",
                                  "--data-dir", data], capture_output=True, text=True)
        tokens = re.findall(r"^[0-9a-f]{40}$", created.stdout, re.M)
        if created.returncode != 0 or not tokens:
            print(f"setup: annot user create failed: {created.stderr.strip()}", file=sys.stderr)
            return 2
        port = free_port()
        env = dict(os.environ, ANNOT_PORT=str(port), ANNOT_HOST="127.0.0.1", ANNOT_DATA_DIR=data,
                   ANNOT_LOG_LEVEL="warn")
        log = open(os.path.join(work, "serve.log"), "wb")
        server = subprocess.Popen([args.annot, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
        probe = Probe(port, tokens[0], args.seed, args.keep_going)
        for _ in range(600):
            if probe.alive() or server.poll() is not None:
                break
            time.sleep(0.05)
        if not probe.alive():
            print("setup: annot serve did not answer /health", file=sys.stderr)
            return 2

        # Three projects first, so that the small ids the probe tries (1, 2, 3) are never the sentinel's.
        for _ in range(3):
            probe.live.setdefault("projects", []).append(str(probe.seed_project(IMAGE_CONFIG, "image")))
        sentinel = probe.seed_project(IMAGE_CONFIG, "image")
        before = probe.snapshot(sentinel)
        probe.protected = {str(sentinel)} | {str(t["id"]) for t in before} | \
            {str(a["id"] if isinstance(a, dict) else a) for t in before for a in t["annotations"] + t["predictions"]}
        # A user the probe may edit and delete, never the admin it works as.
        other = probe.call_json("POST", "/api/users", {"email": "probe-other@example.com", "username": "other"})
        probe.live["users_other"] = [str(other["id"])]

        if args.clients > 1:
            writes = concurrently(probe, args.clients, args.requests, args.seed)
        else:
            probe.mutated_requests(args.requests)
        probe.raw_http()
        probe.multipart_imports(args.imports)

        if args.stats:
            for (method, route, klass), n in sorted(probe.answers.items()):
                print(f"{method:7} {route:50} {klass}xx {n}")
        if server.poll() is not None:
            probe.finding("server exited", f"exit code {server.returncode}")
        after = probe.snapshot(sentinel)
        if after != before:
            probe.finding("the untouched project changed", json.dumps(after)[:400])
        clients = f" x {args.clients} clients at once, {writes} annotator writes" if args.clients > 1 else ""
        print(f"api_probe: seed {args.seed}, {args.requests} requests{clients}, {probe.malformed} malformed HTTP "
              f"requests, {args.imports} multipart imports: {probe.findings} findings", flush=True)
        return 1 if probe.findings else 0
    finally:
        if probe is not None and probe.findings:
            # What the server said last (a crash's message, a failed check) goes with the findings.
            if server.poll() is not None:
                print(f"annot serve exit code: {server.returncode}")
            with open(os.path.join(work, "serve.log"), "rb") as f:
                print("serve.log, last lines:\n" + f.read()[-4000:].decode("utf-8", "replace"), flush=True)
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                print("annot serve did not stop on SIGTERM within 30 s", file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
