"""This machine's ceiling for LM training, and where a training step's time goes.

1. Matrix-multiply rates (GFLOP/s) at the shapes an AWD-LSTM training step uses, in fp32 and bf16, next to a large
   square GEMM (the best case).
2. The training step broken down (embedding, each LSTM layer forward and backward, the softmax, the optimizer, the
   data, and the rest: fastai's loop and callbacks), each part's time and achieved GFLOP/s, at the shipped and the
   paper size, with the full (blocked) tied softmax and the two-level one; the whole step measured in the package's
   own `Learner` on Zipf-distributed tokens.

Usage: python bench/roofline.py [--threads 2] [--quick] [--only gemm|step] [--no-save]
Results: one JSON line per GEMM and per breakdown appended to bench/results/roofline.jsonl.
"""
import argparse, datetime, json, platform, sys, time
from pathlib import Path
import torch
sys.path.insert(0, str(Path(__file__).parent))
from _common import time_steps

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

# ---- the training step, part by part -------------------------------------------------------------------------------

STEPS = {'shipped (256/400/3, 24k)': dict(emb=256, hid=400, layers=3, vocab=24_000),
         'paper (400/1150/3, 60k)': dict(emb=400, hid=1150, layers=3, vocab=60_000)}
SOFTMAX = {'full': None, 'two-level 2000,6000,12000': [2000, 6000, 12000]}

def zipf_ids(vocab:int, n:int, seed:int=0) -> torch.Tensor:
    "`n` token ids with Zipf frequencies (rank r with probability ~ 1/r), as a frequency-ordered vocabulary has them."
    g = torch.Generator().manual_seed(seed)
    p = 1 / torch.arange(1, vocab + 1, dtype=torch.float64)
    return torch.multinomial((p / p.sum()).float(), n, replacement=True, generator=g)

def timed(f, reps:int) -> float:
    "Mean seconds of `f()` over `reps` calls, after one warm-up call."
    f()
    t0 = time.perf_counter()
    for _ in range(reps): f()
    return (time.perf_counter() - t0) / reps

def _softmax_flops(n:int, emb:int, vocab:int, cutoffs, y:torch.Tensor) -> float:
    "Matrix-multiply FLOPs of the softmax's forward and backward (the blocked one recomputes its forward: 4 products)."
    if not cutoffs: return 4 * 2 * n * emb * vocab
    cut = [c for c in cutoffs if c < vocab] + [vocab]
    cols = n * (cut[0] + len(cut) - 1) + sum(int(((y >= a) & (y < b)).sum()) * (b - a) for a, b in zip(cut, cut[1:]))
    return 3 * 2 * emb * cols

def breakdown(emb:int, hid:int, layers:int, vocab:int, cutoffs=None, bs:int=64, bptt:int=70, reps:int=5,
              batches:int=8) -> list[dict]:
    "Seconds and GFLOP/s of each part of one training window, and of the whole step in fastai's loop."
    from fastai.data.core import DataLoaders
    from rnn_transfer.core import get_preset
    from rnn_transfer.models import language_model
    from rnn_transfer.losses import TiedSoftmaxCE, adaptive_nll
    from rnn_transfer.loaders import LMStream
    from rnn_transfer.lm import lm_learner
    from rnn_transfer.callbacks import cpu_bf16_ok
    torch.manual_seed(0)
    bf16 = cpu_bf16_ok()
    dt = torch.bfloat16 if bf16 else torch.float32
    ac = lambda: torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16)
    p = get_preset('cpu', model=dict(emb_sz=emb, n_hid=hid, n_layers=layers, **({'cutoffs': cutoffs} if cutoffs else {})),
                   bs=bs, bptt=bptt)
    model = language_model('lstm', vocab, p['model'], drop_mult=p['drop_mult']).train()
    enc, dec, n = model[0], model[1], bs * bptt
    ids = zipf_ids(vocab, n * (batches + 8) * 2)
    x, y = ids[:n].view(bs, bptt), ids[1:n + 1]
    rows = []
    def part(name, fwd, bwd_of=None, flops=0.):
        "Time `fwd` alone, then forward + backward; the backward is the difference."
        row = dict(part=name, forward_s=timed(fwd, reps), flops=flops)
        if bwd_of is not None: row['backward_s'] = timed(lambda: bwd_of(fwd()), reps) - row['forward_s']
        row['seconds'] = row['forward_s'] + row.get('backward_s', 0.)
        rows.append(row)
    back = lambda out: out.float().sum().backward()
    def emb_fwd():
        with ac(): return enc.input_dp(enc.encoder_dp(x))
    part('embedding (+ dropouts)', emb_fwd, back)
    sizes = [emb] + [hid] * (layers - 1) + [emb]
    for l, rnn in enumerate(enc.rnns):
        inp = torch.randn(bs, bptt, sizes[l], requires_grad=True)
        h0 = tuple(torch.zeros(1, bs, sizes[l + 1]) for _ in range(2))
        def fwd(rnn=rnn, inp=inp, h0=h0):
            with ac(): return rnn(inp, h0)[0]
        f = 2 * n * 4 * sizes[l + 1] * (sizes[l] + sizes[l + 1])   # input and hidden products, the 4 gates
        part(f'LSTM layer {l + 1} ({sizes[l]} -> {sizes[l + 1]})', fwd, back, 3 * f)
    h = torch.randn(n, emb, dtype=dt, requires_grad=True)
    if cutoffs: sm = lambda: adaptive_nll(h, dec, y, dt)[0]
    else: sm = lambda: TiedSoftmaxCE.apply(h, dec.decoder.weight, dec.decoder.bias, y, 512, False, dt)[0]
    part('softmax' + (' (two-level)' if cutoffs else ' (full, blocked)'), sm, lambda l: l.backward(),
         _softmax_flops(n, emb, vocab, cutoffs, y))
    # the optimizer, the data and the whole step, through the package's own Learner
    trn = LMStream(ids.numpy(), bs=bs, bptt=bptt, seed=0)
    val = LMStream(ids[:n * 2].numpy(), bs=8, bptt=bptt, random_bptt=False)
    learn = lm_learner(DataLoaders(trn, val), model, p)
    learn.create_opt()
    for q in model.parameters(): q.grad = torch.zeros_like(q)
    part('optimizer (Adam, fastai)', lambda: learn.opt.step())
    it = iter(trn)
    part('data (one LMStream batch)', lambda: next(it))
    t = time_steps(learn, p['lm_lr'], batches)
    step = t['seconds'] / t['batches']
    parts = sum(r['seconds'] for r in rows)
    rows.append(dict(part="the rest: fastai's loop, callbacks, AR/TAR, casts", seconds=step - parts, flops=0.))
    rows.append(dict(part='whole training step (measured)', seconds=step, flops=sum(r['flops'] for r in rows),
                     tokens_per_s=n / step))
    for r in rows: r['gflops'] = r['flops'] / r['seconds'] / 1e9 if r['flops'] and r['seconds'] > 0 else None
    return rows

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--threads', type=int, default=torch.get_num_threads(), help='torch threads (default: all)')
    ap.add_argument('--quick', action='store_true', help='0.2 s a shape and 2 repeats a part (results marked quick)')
    ap.add_argument('--only', choices=['gemm', 'step'], help='only the GEMM rates, or only the step breakdown')
    ap.add_argument('--sizes', nargs='+', choices=list(STEPS), default=list(STEPS), help='model sizes of the breakdown')
    ap.add_argument('--no-save', action='store_true', help='print only, do not append to bench/results/roofline.jsonl')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    import warnings; warnings.filterwarnings('ignore')
    when = datetime.datetime.now().isoformat(timespec='seconds')
    cmd = 'python bench/roofline.py' + (' --quick' if args.quick else '') + (f' --only {args.only}' if args.only else '')
    info = dict(threads=args.threads, quick=args.quick, cpu=_cpu(), torch=torch.__version__, date=when, command=cmd)
    save = lambda row: None if args.no_save else open(RESULTS, 'a').write(json.dumps(row) + '\n')
    if args.only != 'step':
        print(f"{'size':28} {'GEMM':56} {'fp32':>8} {'bf16':>8}  GFLOP/s, {args.threads} thread(s)")
        for size, gemms in SIZES.items():
            for name, (m, k, n) in gemms.items():
                rates = {str(dt).replace('torch.', ''): round(gflops(m, k, n, dt, 0.2 if args.quick else 1.0), 1)
                         for dt in (torch.float32, torch.bfloat16)}
                print(f"{size:28} {name:56} {rates['float32']:8.1f} {rates['bfloat16']:8.1f}")
                save(dict(bench='roofline', size=size, gemm=name, shape=[m, k, n], gflops=rates, **info))
    if args.only == 'gemm': return
    for size in args.sizes:
        for sm, cutoffs in SOFTMAX.items():
            rows = breakdown(**STEPS[size], cutoffs=cutoffs, reps=2 if args.quick else 5, batches=3 if args.quick else 8)
            step = rows[-1]
            print(f"\n{size}, softmax {sm}: {step['seconds'] * 1e3:.0f} ms a 64 x 70 window, "
                  f"{step['tokens_per_s']:,.0f} tokens/s")
            for r in rows:
                g = f"{r['gflops']:7.1f}" if r['gflops'] else ' ' * 7
                print(f"  {r['part']:58} {r['seconds'] * 1e3:8.1f} ms {100 * r['seconds'] / step['seconds']:5.1f}% {g}")
            save(dict(bench='step_breakdown', size=size, softmax=sm, cutoffs=cutoffs, bs=64, bptt=70,
                      rows=[{k: (round(v, 6) if isinstance(v, float) else v) for k, v in r.items()} for r in rows],
                      **info))

def _cpu() -> str:
    "The CPU's model name."
    try: return next(l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name'))
    except (OSError, StopIteration): return platform.processor() or platform.machine()

if __name__ == '__main__': main()
