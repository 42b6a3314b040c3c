"""This machine's ceiling for LM training: matrix-multiply rates (GFLOP/s) at the shapes an AWD-LSTM training step
uses, in fp32 and bf16, next to a large square GEMM (the best case).

The first part of the roofline (issue 21): the training step's breakdown against these rates is still to come.
Usage: python bench/roofline.py [--threads 2] [--quick] [--no-save]
Results: one JSON line per shape and dtype appended to bench/results/roofline.jsonl.
"""
import argparse, datetime, json, platform, time
from pathlib import Path
import torch

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT/'bench'/'results'/'roofline.jsonl'

def shapes(emb:int, hid:int, vocab:int, bs:int=64, bptt:int=70) -> dict:
    "The GEMMs (m, k, n) of one training window at these sizes: name -> shape."
    n = bs * bptt
    return {'one LSTM step (bs x hid x 4hid)': (bs, hid, 4 * hid),
            'input projection over a window (bs*bptt x emb x 4hid)': (n, emb, 4 * hid),
            'tied softmax over a window (bs*bptt x emb x vocab)': (n, emb, vocab)}

SIZES = {'square': {'2048 x 2048 x 2048': (2048, 2048, 2048)},
         'shipped (256/400/3, 24k)': shapes(256, 400, 24_000),
         'paper (400/1150/3, 60k)': shapes(400, 1150, 60_000)}

def gflops(m:int, k:int, n:int, dtype, seconds:float=1.0) -> float:
    "The rate of `(m x k) @ (k x n)` in `dtype`, timed for about `seconds` after a warm-up."
    a, b = torch.randn(m, k, dtype=dtype), torch.randn(k, n, dtype=dtype)
    for _ in range(2): a @ b
    reps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        a @ b
        reps += 1
    return 2 * m * k * n * reps / (time.perf_counter() - t0) / 1e9

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--threads', type=int, default=torch.get_num_threads(), help='torch threads (default: all)')
    ap.add_argument('--quick', action='store_true', help='0.2 s a shape instead of 1 s (results marked quick)')
    ap.add_argument('--no-save', action='store_true', help='print only, do not append to bench/results/roofline.jsonl')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    when = datetime.datetime.now().isoformat(timespec='seconds')
    print(f"{'size':28} {'GEMM':56} {'fp32':>8} {'bf16':>8}  GFLOP/s, {args.threads} thread(s)")
    for size, gemms in SIZES.items():
        for name, (m, k, n) in gemms.items():
            rates = {str(dt).replace('torch.', ''): round(gflops(m, k, n, dt, 0.2 if args.quick else 1.0), 1)
                     for dt in (torch.float32, torch.bfloat16)}
            print(f"{size:28} {name:56} {rates['float32']:8.1f} {rates['bfloat16']:8.1f}")
            row = dict(bench='roofline', size=size, gemm=name, shape=[m, k, n], gflops=rates, threads=args.threads,
                       quick=args.quick, cpu=platform.processor() or platform.machine(), torch=torch.__version__,
                       date=when, command='python bench/roofline.py' + (' --quick' if args.quick else ''))
            if not args.no_save:
                with open(RESULTS, 'a') as f: f.write(json.dumps(row) + '\n')

if __name__ == '__main__': main()
