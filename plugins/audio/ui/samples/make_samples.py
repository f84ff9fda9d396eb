#!/usr/bin/env python3
"""Writes tones.wav, the audio plugin's starter-config sample: 3 s of 16-bit mono PCM at 8 kHz,
a low tone, a pause, a two-note chirp and a pause, so segments have something to mark.
Standard library only (wave); run from anywhere: python3 make_samples.py."""
import math
import os
import struct
import wave

RATE = 8000


def tone(freq, seconds, amp=0.4):
    n = int(RATE * seconds)
    fade = int(RATE * 0.02)  # 20 ms ramps: no clicks at the edges
    out = []
    for i in range(n):
        env = min(1.0, i / fade, (n - 1 - i) / fade)
        out.append(amp * env * math.sin(2 * math.pi * freq * i / RATE))
    return out


def silence(seconds):
    return [0.0] * int(RATE * seconds)


def main():
    samples = tone(220, 0.9) + silence(0.4) + tone(660, 0.4) + tone(880, 0.4) + silence(0.9)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tones.wav")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(struct.pack("<h", int(s * 32767)) for s in samples))


if __name__ == "__main__":
    main()
