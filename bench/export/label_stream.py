#!/usr/bin/env python3
"""Labels projects as annotators do, through the API: one POST /api/tasks/{id}/annotations per task.

  label_stream.py PORT TOKEN TASKS.json PROJECT [PROJECT ...]

Each project's tasks (in inner-id order) get the annotation of the same place in TASKS.json (as
gen_tasks.py writes it), in an order shuffled per project (seeded), the projects taking turns: so the
annotations lie in the database in the order they were made, not task after task, and the projects'
rows interleave, as in a project labelled by a team while another is.
"""
import http.client
import json
import random
import sys


def main():
    port, token, source, projects = int(sys.argv[1]), sys.argv[2], sys.argv[3], [int(p) for p in sys.argv[4:]]
    with open(source) as f:
        annotations = [t["annotations"][0] for t in json.load(f)]
    conn = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Authorization": "Token " + token, "Content-Type": "application/json"}

    def call(method, path, body=None):
        conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        r = conn.getresponse()
        data = r.read()
        if r.status >= 300:
            sys.exit(f"{method} {path}: HTTP {r.status} {data[:300]!r}")
        return json.loads(data) if data else None

    order = {}
    for p in projects:
        ids, page = [], 1
        while True:
            r = call("GET", f"/api/tasks?project={p}&page={page}&page_size=1000")
            ids += [t["id"] for t in r["tasks"]]
            if len(ids) >= r["total"]:
                break
            page += 1
        pairs = list(zip(ids, annotations))
        random.Random(p).shuffle(pairs)
        order[p] = pairs
    for k in range(max(len(v) for v in order.values())):
        for p in projects:
            if k < len(order[p]):
                task, a = order[p][k]
                call("POST", f"/api/tasks/{task}/annotations", {"result": a["result"], "lead_time": a["lead_time"]})


if __name__ == "__main__":
    main()
