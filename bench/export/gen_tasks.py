#!/usr/bin/env python3
"""Deterministic export benchmark inputs (Label Studio import JSON).

  gen_tasks.py images N OUT.json   N image tasks, 3 RectangleLabels boxes each
  gen_tasks.py text N OUT.json     N text tasks, 5 token-aligned NER spans each
Annotations are by user 1 (completed_by: 1). Same arguments, same bytes.
"""
import json
import random
import sys

IMAGE_CONFIG = ('<View><Image name="image" value="$image"/><RectangleLabels name="label" toName="image">'
                '<Label value="Car"/><Label value="Person"/><Label value="Tree"/></RectangleLabels></View>')
TEXT_CONFIG = ('<View><Text name="text" value="$text"/><Labels name="label" toName="text">'
               '<Label value="PER"/><Label value="ORG"/><Label value="LOC"/></Labels></View>')
WORDS = ("the a of and to in is was for on with as by at from his her their this that "
         "city company river report market office station council bridge museum").split()
NAMES = ["Alice", "Bob", "Paris", "Acme", "Berlin", "Globex", "Carol", "Tokyo", "Initech", "Dave"]


def image_task(rng, i):
    result = []
    for k in range(3):
        x, y = rng.uniform(0, 70), rng.uniform(0, 70)
        result.append({"id": f"r{i}_{k}", "from_name": "label", "to_name": "image", "type": "rectanglelabels",
                       "original_width": 1920, "original_height": 1080, "image_rotation": 0,
                       "value": {"x": round(x, 4), "y": round(y, 4), "width": round(rng.uniform(5, 29), 4),
                                 "height": round(rng.uniform(5, 29), 4), "rotation": 0,
                                 "rectanglelabels": [rng.choice(["Car", "Person", "Tree"])]}})
    return {"data": {"image": f"https://example.com/images/{i:06d}.jpg"},
            "annotations": [{"completed_by": 1, "result": result, "was_cancelled": False, "ground_truth": False,
                             "created_at": "2024-01-01T00:00:00.000000Z", "lead_time": 12.5}]}


def text_task(rng, i):
    tokens = [rng.choice(WORDS) for _ in range(40)]
    spans_at = sorted(rng.sample(range(0, 40, 2), 5))
    for at in spans_at:
        tokens[at] = rng.choice(NAMES)
    text, offsets, pos = "", [], 0
    for t in tokens:
        offsets.append(pos)
        text += t + " "
        pos += len(t) + 1
    text = text.rstrip() + "."
    result = []
    for k, at in enumerate(spans_at):
        start, end = offsets[at], offsets[at] + len(tokens[at])
        result.append({"id": f"s{i}_{k}", "from_name": "label", "to_name": "text", "type": "labels",
                       "value": {"start": start, "end": end, "text": text[start:end],
                                 "labels": [rng.choice(["PER", "ORG", "LOC"])]}})
    return {"data": {"text": text},
            "annotations": [{"completed_by": 1, "result": result, "was_cancelled": False, "ground_truth": False,
                             "created_at": "2024-01-01T00:00:00.000000Z", "lead_time": 7.25}]}


def main():
    kind, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    rng = random.Random(20240101 if kind == "images" else 20240102)
    make = image_task if kind == "images" else text_task
    with open(out, "w") as f:
        f.write("[\n")
        for i in range(n):
            f.write((",\n" if i else "") + json.dumps(make(rng, i)))
        f.write("\n]\n")


if __name__ == "__main__":
    if sys.argv[1] == "config":
        print(IMAGE_CONFIG if sys.argv[2] == "images" else TEXT_CONFIG)
    else:
        main()
