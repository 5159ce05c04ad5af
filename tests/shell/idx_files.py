#!/usr/bin/env python3
"""idx_files.py DIR — small MNIST-format data sets for hostile2_test.sh:
DIR/ok (gzip IDX files, 200 training and 100 test images of 10 classes),
DIR/cut (the same, the training images missing their 8-byte gzip trailer),
DIR/bomb (training images: about 300 kB of gzip that holds 400 000 images of
zeros, as its header declares; labels to match; a small test set)."""
import gzip, os, random, struct, sys, zlib

def images(n, pixels=None):
    head = struct.pack('>IIII', 0x803, n, 28, 28)
    return head + (pixels if pixels is not None else random.randbytes(n * 784))

def labels(n):
    return struct.pack('>II', 0x801, n) + bytes(i % 10 for i in range(n))

def write(d, name, data):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)

def gz_stream(chunks):
    """gzip of the concatenated chunks, compressed a chunk at a time."""
    c, crc, size, out = zlib.compressobj(9, zlib.DEFLATED, 31), 0, 0, []
    for ch in chunks:
        out.append(c.compress(ch))
    out.append(c.flush())
    return b''.join(out)

random.seed(1)
root = sys.argv[1]
for sub in ('ok', 'cut'):
    for p, n in (('train', 200), ('t10k', 100)):
        write(os.path.join(root, sub), p + '-images-idx3-ubyte.gz', gzip.compress(images(n)))
        write(os.path.join(root, sub), p + '-labels-idx1-ubyte.gz', gzip.compress(labels(n)))
cut = os.path.join(root, 'cut', 'train-images-idx3-ubyte.gz')
data = open(cut, 'rb').read()
open(cut, 'wb').write(data[:-8])
n = 400000  # 314 MB of pixels, 1.25 GB as floats: more than the 1 GB the test allows
zero = bytes(784 * 1000)
write(os.path.join(root, 'bomb'), 'train-images-idx3-ubyte.gz',
      gz_stream([struct.pack('>IIII', 0x803, n, 28, 28)] + [zero] * (n // 1000)))
write(os.path.join(root, 'bomb'), 'train-labels-idx1-ubyte.gz', gzip.compress(labels(n)))
write(os.path.join(root, 'bomb'), 't10k-images-idx3-ubyte.gz', gzip.compress(images(100)))
write(os.path.join(root, 'bomb'), 't10k-labels-idx1-ubyte.gz', gzip.compress(labels(100)))
print(root)
