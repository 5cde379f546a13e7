#!/usr/bin/env python3
"""A real, separate writer process for the deploy folder, writing script versions the way editors and
tools do. Usage: writer.py MODE FILE FIRST LAST [LINES]

Version k of the script is LINES lines "mark(k, i)" followed by 'return "done k"': every prefix that
ends at a line boundary is valid Lua, so a half-written file would compile; the test checks that only
complete versions ever go live. Pauses between chunks are at most 60 ms.

MODE: slow      create the file and write it in chunks with pauses
      inplace   rewrite the existing file in place (r+, truncate, chunks, pauses)
      truncate  truncate first (an empty file), pause, then write in chunks
      rename    write a hidden temp file slowly, then rename it over FILE
      storm     versions FIRST..LAST rewritten in place back to back, no pause (an edit storm)
"""
import os
import random
import sys
import time


def version(k, lines):
    return "".join("mark(%d, %d)\n" % (k, i) for i in range(lines)) + 'return "done %d"\n' % k


def chunks(text, n):
    size = max(1, len(text) // n)
    return [text[i:i + size] for i in range(0, len(text), size)]


def pause(rng):
    time.sleep(rng.uniform(0.005, 0.06))


def write_slowly(f, text, rng):
    for part in chunks(text, 12):
        f.write(part)
        f.flush()
        os.fsync(f.fileno())
        pause(rng)


def main():
    mode, path, first, last = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    lines = int(sys.argv[5]) if len(sys.argv) > 5 else 40
    rng = random.Random(first * 7919 + last)
    for k in range(first, last + 1):
        text = version(k, lines)
        if mode == "slow":
            with open(path, "w") as f:
                write_slowly(f, text, rng)
        elif mode == "inplace":
            with open(path, "r+" if os.path.exists(path) else "w") as f:
                f.truncate(0)
                f.seek(0)
                write_slowly(f, text, rng)
        elif mode == "truncate":
            with open(path, "w") as f:
                f.flush()
                pause(rng)
                write_slowly(f, text, rng)
        elif mode == "rename":
            tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
            with open(tmp, "w") as f:
                write_slowly(f, text, rng)
            os.rename(tmp, path)
        elif mode == "storm":
            with open(path, "r+" if os.path.exists(path) else "w") as f:
                f.truncate(0)
                f.seek(0)
                half = len(text) // 2
                f.write(text[:half])
                f.flush()
                f.write(text[half:])
        else:
            sys.exit("unknown mode " + mode)
        if mode != "storm":
            pause(rng)


main()
