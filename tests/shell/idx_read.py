#!/usr/bin/env python3
"""idx_read.py FILE... -- an IDX reader written apart from the harness's (the
format as http://yann.lecun.com/exdb/mnist/ and torchvision read it), so a
test can show that another reader reads the files dmlbench writes.

Prints one line a file: type, dimensions, element count, sum of the elements
and a position-weighted checksum sum((i+1) * v) mod 1000000007 over the
elements in file order; exits 1 naming the file on anything malformed."""
import gzip
import struct
import sys

TYPES = {0x08: ('B', 1), 0x09: ('b', 1), 0x0B: ('>h', 2), 0x0C: ('>i', 4),
         0x0D: ('>f', 4), 0x0E: ('>d', 8)}


def read_idx(path):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in TYPES:
        raise ValueError('not an IDX file')
    code, ndim = raw[2], raw[3]
    dims = struct.unpack('>%dI' % ndim, raw[4:4 + 4 * ndim])
    fmt, size = TYPES[code]
    n = 1
    for d in dims:
        n *= d
    body = raw[4 + 4 * ndim:]
    if len(body) != n * size:
        raise ValueError('%d data bytes, header declares %d' % (len(body), n * size))
    if size == 1:
        values = body if fmt == 'B' else struct.unpack('%db' % n, body)
    else:
        values = struct.unpack('>%d%s' % (n, fmt[1]), body)
    return code, dims, values


def main():
    for path in sys.argv[1:]:
        try:
            code, dims, values = read_idx(path)
        except (OSError, ValueError, EOFError, struct.error) as e:
            print('%s: %s' % (path, e), file=sys.stderr)
            return 1
        weighted = 0
        for i, v in enumerate(values):
            weighted = (weighted + (i + 1) * v) % 1000000007
        print('0x%02X %s %d %d %d' % (code, 'x'.join(map(str, dims)), len(values),
                                      sum(values), weighted))
    return 0


if __name__ == '__main__':
    sys.exit(main())
