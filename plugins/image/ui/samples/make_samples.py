#!/usr/bin/env python3
"""Writes street.png (480x320), the image plugin's starter-config sample: a flat drawing of a street
(sky, road, two cars, a tree, the sun, a pedestrian) with shapes worth boxing, outlining and
pointing at. Standard library only (zlib); run from anywhere: python3 make_samples.py."""
import math
import os
import struct
import zlib

W, H = 480, 320


def png(path, pixels):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(v for px in row for v in px) for row in pixels)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def main():
    px = [[(0, 0, 0)] * W for _ in range(H)]
    for y in range(H):
        for x in range(W):
            if y < 190:  # sky, lighter towards the horizon
                t = y / 190
                px[y][x] = (int(90 + 110 * t), int(160 + 60 * t), 235)
            elif y < 210:
                px[y][x] = (150, 150, 150)  # pavement
            else:
                px[y][x] = (60, 60, 66)  # road
                if 258 <= y < 264 and (x // 30) % 2 == 0:
                    px[y][x] = (240, 240, 240)  # lane marks

    def rect(x0, y0, x1, y1, c):
        for y in range(max(0, y0), min(H, y1)):
            for x in range(max(0, x0), min(W, x1)):
                px[y][x] = c

    def disc(cx, cy, r, c):
        for y in range(max(0, cy - r), min(H, cy + r + 1)):
            for x in range(max(0, cx - r), min(W, cx + r + 1)):
                if (x - cx) ** 2 + (y - cy) ** 2 <= r * r:
                    px[y][x] = c

    disc(410, 55, 28, (255, 214, 64))  # sun
    rect(78, 110, 90, 200, (110, 72, 40))  # tree trunk
    disc(84, 95, 34, (46, 139, 60))  # tree crown
    # car 1 (red) and car 2 (blue): body, cabin, wheels
    for x0, c in ((150, (200, 40, 40)), (300, (40, 80, 200))):
        rect(x0, 225, x0 + 120, 265, c)
        rect(x0 + 25, 200, x0 + 90, 226, tuple(int(v * 0.8) for v in c))
        rect(x0 + 32, 205, x0 + 83, 222, (180, 220, 240))  # window
        disc(x0 + 25, 266, 12, (20, 20, 20))
        disc(x0 + 95, 266, 12, (20, 20, 20))
    # pedestrian: head and body
    disc(440, 168, 7, (230, 190, 150))
    rect(434, 176, 447, 206, (90, 40, 120))
    rect(435, 206, 440, 222, (30, 30, 60))
    rect(441, 206, 446, 222, (30, 30, 60))
    # a triangular road sign on a pole
    rect(118, 140, 122, 205, (120, 120, 120))
    for y in range(112, 142):
        half = int((y - 112) * 0.6)
        for x in range(120 - half, 120 + half + 1):
            px[y][x] = (250, 200, 0) if abs(x - 120) < half - 2 and y < 139 else (200, 30, 30)
    png(os.path.join(os.path.dirname(os.path.abspath(__file__)), "street.png"), px)


if __name__ == "__main__":
    main()
