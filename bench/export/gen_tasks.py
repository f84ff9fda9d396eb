#!/usr/bin/env python3
"""Deterministic export benchmark inputs (Label Studio import JSON).

  gen_tasks.py images N OUT.json   N image tasks, 3 RectangleLabels boxes each
  gen_tasks.py text N OUT.json     N text tasks, 5 token-aligned NER spans each
  gen_tasks.py uploads N OUT.json DIR   the image tasks, each naming its own uploaded image
                                   (/data/upload/1/<i>.png): DIR/1/<i>.png are written too, 1x1 PNGs
  gen_tasks.py large N OUT.json KB   N text tasks of about KB kilobytes of text, 5 NER spans each
Annotations are by user 1 (completed_by: 1). Same arguments, same bytes.
"""
import json
import os
import random
import struct
import sys
import zlib

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


def large_text_task(rng, i, kb):
    """A text task of about `kb` KB: text_task's sentence, then filler words."""
    task = text_task(rng, i)
    words = []
    size = len(task["data"]["text"])
    while size < kb * 1024:
        words.append(rng.choice(WORDS))
        size += len(words[-1]) + 1
    task["data"]["text"] += " " + " ".join(words)
    return task


def png_1x1():
    """A 1x1 grey PNG: the copies' bytes matter little, their number does."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b""))


PNG = png_1x1()


def upload_task(rng, i, upload_dir):
    task = image_task(rng, i)
    name = f"{i:06d}.png"
    with open(os.path.join(upload_dir, "1", name), "wb") as f:
        f.write(PNG)
    task["data"]["image"] = f"/data/upload/1/{name}"
    return task


def main():
    kind, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    rng = random.Random(20240102 if kind == "text" else 20240101)
    make = {"images": image_task, "text": text_task}.get(kind)
    if kind == "large":
        make = lambda rng, i: large_text_task(rng, i, int(sys.argv[4]))
    if kind == "uploads":
        os.makedirs(os.path.join(sys.argv[4], "1"), exist_ok=True)
        make = lambda rng, i: upload_task(rng, i, sys.argv[4])
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
