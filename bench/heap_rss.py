"""Resident memory of long CPU language-model training: fastai's training loop as is vs with rnn_transfer's `TrimHeap`.

Usage: python bench/heap_rss.py [--quick] [--steps 200]
Both sides train the same `lm_learner` (AWD-LSTM 256/400/3, vocabulary 24,000, bs 64, bptt 70: the shipped encoder's
size) on random token ids for `--steps` batches, each side in a fresh process; the only difference is the callback:
"fastai" has `TrimHeap` removed (fastai's `Learner` loop, nothing returned to the OS), "ours" keeps it (glibc
`malloc_trim` every 25 batches). Reported: resident memory (VmRSS, read without trimming) after the last step minus
after the first, and seconds per step over the same steps. Found during the 7,790-step Wikipedia pretraining, whose
resident set reached 23 GB at step 2,300 without it.
"""
import sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import parser, quiet, run_side, side_return, emit, side_args

def vm_rss() -> int:
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'): return int(line.split()[1]) * 1024
    return 0

def side(a):
    quiet()
    import numpy as np, torch
    from fastai.callback.core import Callback, CancelFitException
    from fastai.data.core import DataLoaders
    from rnn_transfer.loaders import LMStream
    from rnn_transfer.models import language_model
    from rnn_transfer.core import get_preset
    from rnn_transfer.lm import lm_learner
    from rnn_transfer.callbacks import TrimHeap
    torch.manual_seed(0)
    steps = 30 if a.quick else a.steps
    vocab, p = 24000, get_preset('cpu', model=dict(emb_sz=256, n_hid=400, n_layers=3))
    ids = np.random.default_rng(0).integers(0, vocab, (steps + 5) * p['bs'] * 90).astype(np.int32)
    dls = DataLoaders(LMStream(ids, bs=p['bs'], bptt=p['bptt'], seed=0), LMStream(ids[:20000], bs=8, bptt=p['bptt'], random_bptt=False, seed=0))
    rec = []
    class Probe(Callback):
        order = 99
        def after_batch(self):
            if not self.training: return
            rec.append((time.perf_counter(), vm_rss()))
            if len(rec) > steps: raise CancelFitException()
    learn = lm_learner(dls, language_model('lstm', vocab, p['model'], drop_mult=p['drop_mult']), p, cbs=[Probe()])
    if a.side == 'fastai': learn.remove_cbs([c for c in learn.cbs if isinstance(c, TrimHeap)])
    learn.fit(1, 1e-3)
    (t0, r0), (t1, r1) = rec[0], rec[-1]
    side_return(a.io, dict(growth=r1 - r0, first=r0, last=r1, peak=max(r for _, r in rec), s_per_step=(t1 - t0) / (len(rec) - 1), steps=len(rec) - 1))

def main():
    ap = parser(__doc__); ap.add_argument('--steps', type=int, default=200)
    a = ap.parse_args()
    if a.side: return side(a)
    quiet()
    args = side_args(a) + ['--steps', str(a.steps)]
    f = run_side(__file__, 'fastai', 'lm-train', args)
    o = run_side(__file__, 'ours', 'lm-train', args)
    mb = lambda b: round(b / 2**20, 1)
    case = f"AWD-LSTM 256/400/3, vocab 24k, {f['steps']} steps"
    emit(a, 'heap_rss', case, 'resident memory growth over training', 'MB', max(mb(f['growth']), 1.), max(mb(o['growth']), 1.), higher_is_better=False,
         peak_mb_fastai=mb(f['peak']), peak_mb_ours=mb(o['peak']), first_mb_fastai=mb(f['first']), first_mb_ours=mb(o['first']))
    emit(a, 'heap_rss', case, 'training speed', 's/step', f['s_per_step'], o['s_per_step'], higher_is_better=False)

if __name__ == '__main__': main()
