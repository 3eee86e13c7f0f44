#!/usr/bin/env python3
"""Reference oracle for Vigil's PDQ tests: Meta's C++ PDQ through the `pdqhash` package.

Reads a case file written by the Swift test: repeated records of
  uint32 little-endian width, uint32 little-endian height, width*height*3 bytes of RGB24.
Writes one line per record: the 8 dihedral hex hashes (original first) and the quality,
comma-separated, followed by the single-hash result and its quality:
  orig,rot90,rot180,rot270,flipx,flipy,flipplus1,flipminus1,quality,single,single_quality
"""
import struct
import sys

import numpy as np
import pdqhash


def to_hex(bits):
    return format(int("".join(str(int(b)) for b in bits), 2), "064x")


def main(path):
    out = sys.stdout
    with open(path, "rb") as f:
        while True:
            header = f.read(8)
            if not header:
                break
            width, height = struct.unpack("<II", header)
            data = f.read(width * height * 3)
            image = np.frombuffer(data, dtype=np.uint8).reshape((height, width, 3))
            hashes, quality = pdqhash.compute_dihedral(image)
            single, single_quality = pdqhash.compute(image)
            fields = [to_hex(h) for h in hashes] + [str(quality), to_hex(single), str(single_quality)]
            out.write(",".join(fields) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
