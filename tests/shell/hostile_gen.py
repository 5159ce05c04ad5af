#!/usr/bin/env python3
"""hostile_gen.py [--bin B] [--seed S] [--per-kind N] [--seconds T] — plays the
hostile user: generates N inputs of each kind (CLI values, mutated study
files, golden files, shard CSVs and JSONs, resume files, IDX files, kill -9,
ulimit -f, unwritable --out, signals), runs dmlbench on each under a timeout
and a memory cap, and sorts the outcomes:

  refused   exit 1, one "dmlbench: ..." line, no raw control byte in it
  accepted  exit 0 (or merge/fit's 3) and the output checks out
  CRASH     killed by a signal, a sanitizer report, or another exit status
  HANG      the timeout ended it
  MESSY     exit 1, but not one clean line
  WRONG     accepted, but a row is lost, twice, or not its point's

Prints one line per case that is not refused or accepted, then the counts;
exits 1 when any case is CRASH, HANG, MESSY or WRONG.  Bounded: --seconds
(default 600) stops generating.  HOSTILE_NO_VLIMIT=1 lifts the memory cap
(for a sanitizer build).  Run from the repository root."""
import argparse, csv, glob, gzip, io, json, os, random, re, shutil, signal, struct, subprocess, sys, tempfile, time

P = argparse.ArgumentParser()
P.add_argument('--bin', default='build/dmlbench')
P.add_argument('--seed', type=int, default=1)
P.add_argument('--per-kind', type=int, default=30)
P.add_argument('--seconds', type=float, default=600)
A = P.parse_args()
BIN = os.path.abspath(A.bin)
R = random.Random(A.seed)
W = tempfile.mkdtemp(prefix='dmlbench-gen.')
T0 = time.time()
counts, bad = {}, []
TINY = ['M 16', 'C 4', 'D 4', 'reps 2', 'warmup 0', 'max_seconds 0.01']
HOSTILE = ['-1', '0', '+5', '1e309', 'nan', 'inf', '-inf', '0x10', ' 5', '5 ', '', '99999999999999999999',
           '1e-300', '3.5', '\u0661', '\xff', 'a' * 300, '--', '1e19', '2e19', '9007199254740993', '4294967296',
           '1e9', '65536', '-0', '1,2', '7\n8', '1e-45', '3.4e38', '1024', '100001']


def run(args, timeout=30, vlimit=4000000, fsize=None, env=None):
    """Runs args; returns (rc, stdout, stderr, timed out)."""
    if os.environ.get('HOSTILE_NO_VLIMIT'):  # sanitizers reserve terabytes of address space
        vlimit = 'unlimited'
    limits = f'ulimit -v {vlimit};' + (f' ulimit -f {fsize};' if fsize is not None else '')
    cmd = ['bash', '-c', limits + ' exec "$@"', 'x'] + args
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env)
        return p.returncode, p.stdout, p.stderr, False
    except subprocess.TimeoutExpired as e:
        return None, e.stdout or b'', e.stderr or b'', True


def judge(kind, what, rc, err, hung, ok_codes=(0,), check=None, out=b''):
    """Sorts one outcome; check() -> '' or why an accepted run is wrong."""
    lines = [l for l in err.decode('utf-8', 'replace').splitlines() if l.startswith('dmlbench: ')]
    if kind == 'golden' and rc == 1 and not lines and re.search(rb'golden \w+: \d+ passed, [1-9]\d* failed', out):
        rc = 0  # a case that parses and does not match its reference: a verdict, reported on stdout
    if hung:
        v = 'HANG'
    elif rc is None or rc < 0 or rc >= 128 or b'Sanitizer' in err or b'runtime error' in err:
        v = 'CRASH'
    elif rc == 1:
        text = lines[0] if lines else ''
        clean = len(lines) == 1 and not re.search(r'[\x00-\x08\x0b-\x1f\x7f]', text)
        v = 'refused' if clean else 'MESSY'
    elif rc in ok_codes:
        why = check() if check else ''
        v = 'accepted' if not why else 'WRONG'
        if why:
            err = why.encode()
    else:
        v = 'CRASH'
    counts[v] = counts.get(v, 0) + 1
    counts[kind] = counts.get(kind, 0) + 1
    if v not in ('refused', 'accepted'):
        msg = f'{v:8} {kind}: {what[:150]!r}: rc={rc}: {err.decode("utf-8", "replace")[-300:]!r}'
        bad.append(msg)
        print(msg, flush=True)


def out_of_time():
    return time.time() - T0 > A.seconds


def write(path, data):
    with open(path, 'wb' if isinstance(data, bytes) else 'w') as f:
        f.write(data)
    return path


def mutate_lines(text):
    """One hostile change to a text of lines."""
    L = text.split('\n')
    i = R.randrange(len(L))
    op = R.randrange(9)
    if op == 0:
        del L[i]
    elif op == 1:
        L.insert(i, L[i])
    elif op == 2:
        toks = L[i].split(' ')
        toks[R.randrange(len(toks))] = R.choice(HOSTILE)
        L[i] = ' '.join(toks)
    elif op == 3:
        return text[:R.randrange(len(text) + 1)]
    elif op == 4:
        pos = R.randrange(len(L[i]) + 1)
        L[i] = L[i][:pos] + R.choice(['\x00', '\r', '\x1b', ',', '"', '#', '[', '\t', '\\']) + L[i][pos:]
    elif op == 5:
        L.insert(i, R.choice(['study ' + 'x' * R.choice([99, 100, 101, 255, 300]), 'study ../x', 'passes 101',
                              'threads 5000', 'M geom 16 1000000 64', 'fit_min_M 1e9', 'noise 1e30',
                              'seed 18446744073709551615', 'max_seconds 1e-9', 'alpha 1e-300', 'H 65536',
                              'classes_in_batch 1', 'per_class 0', '[triplet]', '[nope]', 'quick', 'eval_limit 1']))
    elif op == 6:
        L[i] = L[i] * R.randrange(2, 50)
    elif op == 7:
        j = R.randrange(len(L))
        L[i], L[j] = L[j], L[i]
    else:
        L[i] = re.sub(r'\d+(\.\d+)?', lambda m: R.choice(HOSTILE), L[i], count=1)
    return '\n'.join(L)


# ------------------------------------------------------------------ CLI values
def cli_cases():
    opts = {'run': ['--M', '--C', '--D', '--reps', '--warmup', '--seed', '--threads', '--noise', '--proxy-noise',
                    '--alpha', '--delta', '--margin', '--scale', '--per-class', '--fused', '--isa', '--algorithm'],
            'golden': ['--isa', '--threads'], 'fit': ['--min-M', '--out'], 'merge': ['--out'],
            'sweep': ['--threads', '--shard', '--out'],
            'train': ['--M', '--D', '--H', '--epochs', '--lr', '--train-limit', '--eval-limit', '--threads', '--seed',
                      '--protocol', '--margin', '--scale', '--eval-every']}
    base = {'run': ['run', '--loss', 'ms', '--M', '16', '--C', '4', '--D', '4', '--reps', '2'],
            'golden': ['golden', 'tests/golden/ms_mined.txt'], 'fit': ['fit', 'tests/fuzz/seed/csv/tiny.csv'],
            'merge': ['merge'], 'sweep': ['sweep', '--out', W + '/cli', write(W + '/cli.txt', '\n'.join(
                ['losses ms'] + TINY) + '\n')],
            'train': ['train', '--loss', 'ms', '--epochs', '0', '--train-limit', '300', '--eval-limit', '200',
                      '--no-baseline']}
    for k in range(A.per_kind * 2):
        if out_of_time():
            return
        cmd = R.choice(list(opts))
        o, v = R.choice(opts[cmd]), R.choice(HOSTILE + ['all', 'ref', 'avx512', 'sorted', 'open', '1/2', '3/2'])
        args = base[cmd][:1] + [o, v] + base[cmd][1:]
        rc, out, err, hung = run([BIN] + args, timeout=60)
        judge('cli', ' '.join(args), rc, err, hung, ok_codes=(0, 3))


# ------------------------------------------------------------------ study files
def study_cases():
    bases = ['\n'.join(['study g', 'losses proxy_anchor ms', 'delta 0.1 0.15'] + TINY),
             '\n'.join(['study k', 'kernels gemm lse', 'isa all'] + TINY),
             '\n'.join(['study t', 'losses triplet', 'algorithm enumerate sorted', 'threads 1 2'] + TINY)]
    bases += [open(f).read() for f in sorted(glob.glob('experiments/*.txt'))]
    for k in range(A.per_kind * 2):
        if out_of_time():
            return
        text = R.choice(bases)
        for _ in range(R.randrange(1, 4)):
            text = mutate_lines(text)
        f = write(f'{W}/s{k}.txt', text.encode('utf-8', 'surrogateescape') if False else text.encode('latin-1', 'replace'))
        out = f'{W}/so{k}'
        # the experiments' own grids run for minutes: read them (a shard with no point), run the tiny ones
        args = [BIN, 'sweep', '--out', out, f] + (['--quick', '--shard', '4095/4096'] if len(text) > 400 else [])
        rc, o, err, hung = run(args, timeout=60)
        judge('study', text[-120:], rc, err, hung, ok_codes=(0, 3), check=lambda: sweep_rows_ok(out, f))


def sweep_rows_ok(out, deffile):
    """Every CSV row as wide as the header, no point index twice."""
    for c in glob.glob(out + '/*.csv'):
        if c.endswith('complexity.csv'):
            continue
        rows = list(csv.reader(open(c, errors='replace')))
        if not rows:
            return f'{c} is empty'
        seen = set()
        for r in rows[1:]:
            if len(r) != len(rows[0]):
                return f'{c}: a row of {len(r)} fields, the header {len(rows[0])}'
            if r[2] not in ('train', 'baseline') and r[1] in seen:
                return f'{c}: point {r[1]} twice'
            seen.add(r[1])
    return ''


# ------------------------------------------------------------------ golden files
def golden_cases():
    files = sorted(glob.glob('tests/golden/*.txt'))
    for k in range(A.per_kind * 2):
        if out_of_time():
            return
        text = open(R.choice(files)).read()
        for _ in range(R.randrange(1, 3)):
            text = mutate_lines(text)
        f = write(f'{W}/g{k}.txt', text.encode('latin-1', 'replace'))
        rc, o, err, hung = run([BIN, 'golden', f], timeout=60)
        judge('golden', text[:100], rc, err, hung, out=o)


# ------------------------------------------------------------------ shards (merge)
def make_shards():
    d = f'{W}/shards'
    f = write(f'{W}/mz.txt', '\n'.join(['study mz', 'losses proxy_anchor ms', 'M 16 32 64', 'C 16', 'D 8', 'reps 2',
                                       'warmup 0', 'max_seconds 0.01', 'fit_min_M 16']) + '\n')
    for k in range(2):
        subprocess.run([BIN, 'sweep', '--shard', f'{k}/2', '--out', d, f], capture_output=True)
    return d


def merge_cases():
    d = make_shards()
    names = [f'{d}/mz.shard-{k}-of-2' for k in range(2)]
    for k in range(A.per_kind * 2):
        if out_of_time():
            return
        m = f'{W}/m{k}'
        os.makedirs(m)
        for n in names:
            for ext in ('.csv', '.json'):
                shutil.copy(n + ext, m + '/' + os.path.basename(n) + ext)
        victim = m + '/' + os.path.basename(R.choice(names)) + R.choice(['.csv', '.json'])
        text = open(victim, encoding='latin-1').read()
        if victim.endswith('.json') and R.random() < 0.5:
            js = json.loads(text)
            key = R.choice(['study', 'points_hash', 'quick', 'passes', 'shard'])
            js[key] = R.choice([1.5, -1, 'x' * 300, '../x', None, [], {'k': 0.5}, 1e300, 'mz'])
            text = json.dumps(js)
        else:
            text = mutate_lines(text)
        write(victim, text.encode('latin-1', 'replace'))
        files = [m + '/' + os.path.basename(n) + '.csv' for n in names]
        if R.random() < 0.2:
            files.append(files[0])
        out = m + '/out'
        rc, o, err, hung = run([BIN, 'merge', '--out', out] + files, timeout=60)
        judge('merge', f'{os.path.basename(victim)}: {text[-100:]}', rc, err, hung, ok_codes=(0, 3),
              check=lambda: merged_ok(out, m))


def merged_ok(out, m):
    if set(os.listdir(m)) - {'out', 'mz.shard-0-of-2.csv', 'mz.shard-0-of-2.json', 'mz.shard-1-of-2.csv',
                             'mz.shard-1-of-2.json'}:
        return f'merge wrote outside --out: {os.listdir(m)}'
    for c in glob.glob(out + '/*.csv'):
        if c.endswith('complexity.csv') or c.endswith('fit-rows.csv'):
            continue
        rows = list(csv.reader(open(c, errors='replace')))
        pts = [r[1] for r in rows[1:]]
        if sorted(pts, key=int) != [str(i) for i in range(6)]:
            return f'{c}: points {pts}, not 0..5 once each'
    return ''


# ------------------------------------------------------------------ resume files
def resume_cases():
    f = write(f'{W}/rz.txt', '\n'.join(['study rz', 'losses proxy_anchor', 'delta 0.1 0.15 0.2'] + TINY) + '\n')
    full = f'{W}/rzfull'
    subprocess.run([BIN, 'sweep', '--out', full, f], capture_output=True)
    good = open(full + '/rz.csv', encoding='latin-1').read()
    for k in range(A.per_kind * 2):
        if out_of_time():
            return
        d = f'{W}/r{k}'
        os.makedirs(d)
        text = good
        for _ in range(R.randrange(1, 3)):
            text = mutate_lines(text)
        write(d + '/' + R.choice(['rz.partial.csv', 'rz.csv']), text.encode('latin-1', 'replace'))
        rc, o, err, hung = run([BIN, 'sweep', '--resume', '--out', d, f], timeout=60)
        judge('resume', text[-120:], rc, err, hung, check=lambda: resumed_ok(d))


def resumed_ok(d):
    """Every point once, each row's delta column the one its key says."""
    rows = list(csv.DictReader(open(d + '/rz.csv', errors='replace')))
    if sorted(r['point'] for r in rows) != ['0', '1', '2']:
        return f'points {[r["point"] for r in rows]}'
    for r in rows:
        key = dict(kv.split('=', 1) for kv in r['key'].split(';') if '=' in kv)
        if float(r['delta']) != float(key.get('delta', 'nan')) or r['M'] != key.get('M'):
            return f'point {r["point"]}: delta {r["delta"]}, M {r["M"]}, but its key says {r["key"]}'
    return ''


# ------------------------------------------------------------------ IDX files
def idx_cases():
    def images(n):
        return struct.pack('>IIII', 0x803, n, 28, 28) + R.randbytes(n * 784)

    def labels(n):
        return struct.pack('>II', 0x801, n) + bytes(i % 10 for i in range(n))
    base = {'train-images-idx3-ubyte': images(120), 'train-labels-idx1-ubyte': labels(120),
            't10k-images-idx3-ubyte': images(60), 't10k-labels-idx1-ubyte': labels(60)}
    for k in range(A.per_kind):
        if out_of_time():
            return
        d = f'{W}/i{k}'
        os.makedirs(d)
        victim = R.choice(list(base))
        for name, data in base.items():
            gz = R.random() < 0.7
            if name == victim:
                b = bytearray(gzip.compress(data) if gz else data)
                op = R.randrange(6)
                if op == 0:
                    b = b[:R.randrange(len(b))]
                elif op == 1:
                    b[R.randrange(len(b))] ^= 1 << R.randrange(8)
                elif op == 2:
                    b = b[:-8] if gz else b + b'x'
                elif op == 3:
                    raw = bytearray(data)
                    raw[4 + 4 * R.randrange(1 if 'labels' in name else 3) + R.randrange(4)] = R.randrange(256)
                    b = gzip.compress(bytes(raw)) if gz else raw
                elif op == 4:
                    b = bytearray(gzip.compress(struct.pack('>IIII', 0x803, 400000, 28, 28) + bytes(400000 * 784), 1))
                else:
                    b = bytearray(b'\x1f\x8b' + R.randbytes(100))
                write(f'{d}/{name}' + ('.gz' if gz else ''), bytes(b))
            else:
                write(f'{d}/{name}.gz', gzip.compress(data))
        args = [BIN, 'train', '--loss', 'ms', '--data', d, '--epochs', '1', '--M', '20', '--no-baseline',
                '--train-limit', R.choice(['100', '1000']), '--eval-limit', R.choice(['50', '500'])]
        rc, o, err, hung = run(args, timeout=90, vlimit=2000000)
        judge('idx', f'{victim} op', rc, err, hung)


# ------------------------------------------------------------------ faults
def fault_cases():
    """kill -9 and signals mid-run, ulimit -f, an unwritable --out; then --resume completes every point once."""
    f = write(f'{W}/fz.txt', '\n'.join(['study fz', 'losses proxy_anchor ms', 'delta 0.1 0.15 0.2 0.25',
                                       'M 16 32', 'C 8', 'D 8', 'reps 30', 'warmup 0', 'max_seconds 0.05']) + '\n')
    global FZ_POINTS  # ms has no delta: 8 + 2 points, as a clean run says
    subprocess.run([BIN, 'sweep', '--out', W + '/fzclean', f], capture_output=True)
    FZ_POINTS = len(list(csv.DictReader(open(W + '/fzclean/fz.csv'))))
    for k in range(A.per_kind):
        if out_of_time():
            return
        d = f'{W}/f{k}'
        op = R.randrange(4)
        if op < 2:
            p = subprocess.Popen([BIN, 'sweep', '--out', d, f], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(R.uniform(0.05, 1.5))
            p.send_signal(R.choice([signal.SIGKILL, signal.SIGINT, signal.SIGTERM, signal.SIGHUP]))
            p.wait()
            what = 'signal'
        elif op == 2:
            rc, o, err, hung = run([BIN, 'sweep', '--out', d, f], fsize=R.choice([0, 1, 4, 8, 16]))
            judge('fault', 'ulimit -f', rc, err, hung)
            what = 'ulimit -f'
        else:
            rc, o, err, hung = run([BIN, 'sweep', '--out', R.choice(['/proc/dmlbench', '/sys/dmlbench', '/dev/null/x']), f])
            judge('fault', 'unwritable --out', rc, err, hung)
            continue
        rc, o, err, hung = run([BIN, 'sweep', '--resume', '--out', d, f], timeout=120)
        judge('fault', what + ', then --resume', rc, err, hung, check=lambda: faulted_ok(d))


def faulted_ok(d):
    left = [x for x in os.listdir(d) if '.tmp' in x or x.endswith('.partial.csv')]
    if left:
        return f'left behind: {left}'
    rows = list(csv.DictReader(open(d + '/fz.csv', errors='replace')))
    pts = sorted(int(r['point']) for r in rows)
    return '' if pts == list(range(FZ_POINTS)) else f'points {pts}, not 0..{FZ_POINTS - 1} once each'


for step in (cli_cases, study_cases, golden_cases, merge_cases, resume_cases, idx_cases, fault_cases):
    step()
shutil.rmtree(W, ignore_errors=True)
total = sum(counts.get(v, 0) for v in ('refused', 'accepted', 'CRASH', 'HANG', 'MESSY', 'WRONG'))
kinds = ', '.join(f'{k} {counts[k]}' for k in ('cli', 'study', 'golden', 'merge', 'resume', 'idx', 'fault') if k in counts)
print(f'hostile_gen: {total} inputs ({kinds}) in {time.time() - T0:.0f} s: ' +
      ', '.join(f'{v} {counts.get(v, 0)}' for v in ('refused', 'accepted', 'CRASH', 'HANG', 'MESSY', 'WRONG')))
sys.exit(1 if bad else 0)
