"""Does the CPU fast path cost perplexity? Our LM learner in fp32 (fastai's cross-entropy), with the blocked softmax in
bf16, and with bf16 autocast of the RNN too: same initial weights, same data, same dropout draws, fastai's default
AWD-LSTM size (emb 400, hidden 1152, 3 layers) at a 10k vocabulary.

Usage: python bench/lm_precision.py [--quick] [--data-dir ../shared/data] [--batches 30]
Writes bench/results/lm_precision.json: validation perplexity after the same tokens and training tokens/s of each variant.
"""
import json, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import parser, quiet, command, git_rev, ROOT

def main():
    ap = parser(__doc__)
    ap.add_argument('--batches', type=int, default=30)
    a = ap.parse_args(); quiet()
    import numpy as np
    import lm_train as B
    from fastai.text.all import awd_lstm_lm_config, DataLoaders, set_seed
    from rnn_transfer.loaders import LMStream
    from rnn_transfer.models import language_model
    from rnn_transfer.lm import lm_learner
    V, nb = (1000, 3) if a.quick else (10000, a.batches)
    cfg = {**awd_lstm_lm_config, **(B.QUICK_CFG if a.quick else {})}
    d = B.prepare(a, [V])[V]
    train, valid = B.cut(d['train'], (nb + 1) * 64 * 72 + 1), B.cut(d['valid'], 20000)
    ids, vids = np.concatenate(train), np.concatenate(valid); offs = np.concatenate([[0], np.cumsum([len(x) for x in train])])
    set_seed(0); init = language_model('lstm', len(d['vocab']), cfg).state_dict()
    rows = []
    for name, kw in [('fp32, fastai cross-entropy', dict(fused_softmax=False, cpu_bf16=False, rnn_bf16=False)),
                     ('blocked softmax in bf16, RNN fp32', dict(rnn_bf16=False)), ('bf16 RNN + blocked bf16 softmax (default)', dict(rnn_bf16=True))]:
        set_seed(0)
        dls = DataLoaders(LMStream(ids, offs, bs=64, bptt=72, seed=0), LMStream(vids, bs=64, bptt=72, random_bptt=False, seed=0))
        m = language_model('lstm', len(d['vocab']), cfg); m.load_state_dict(init)
        learn = lm_learner(dls, m, B.ours_preset(**kw))
        learn.fit_one_cycle(1, 2e-3)
        rows.append(dict(variant=name, perplexity=round(float(learn.recorder.values[-1][-1]), 2), tokens=learn.throughput.tokens,
                         tokens_per_s=round(learn.throughput.tokens_per_s, 1)))
        print(json.dumps(rows[-1]), flush=True)
    res = dict(command=command(), git=git_rev(), vocab=len(d['vocab']), batches=nb, quick=a.quick, rows=rows)
    if not a.no_save: (ROOT/'bench'/'results'/'lm_precision.json').write_text(json.dumps(res, indent=1))

if __name__ == '__main__': main()
