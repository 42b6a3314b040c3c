"""Language-model training throughput: fastai's `language_model_learner(AWD_LSTM, pretrained=False)` vs rnn_transfer's
`lm_learner` (same architecture and sizes: fastai's default AWD-LSTM config, emb 400, hidden 1152, 3 layers), at
vocabularies of 10k, 30k and 60k tokens; ours also with the AWD-GRU.

Usage: python bench/lm_train.py [--quick] [--data-dir ../shared/data] [--vocabs 10000,30000,60000] [--batches 10]
Data: Wikipedia articles tokenised once (outside the timing); the vocabulary is built from the first 2 shards, the
training stream is the first `batches` x 64 x 72 tokens of it, validation is the first valid articles (20k tokens).
Each side runs in its own fresh process and trains one epoch over the same stream with `fit_one_cycle(1, 2e-3)`,
batch size 64, sequence length 72, the moms (0.8, 0.7, 0.8), Adam betas and weight decay of fastai's `LMLearner`; fastai reads it through its own `LMDataLoader`,
ours through `LMStream` (randomised window lengths around 72). Tokens/s counts training tokens after the first batch
(the warm-up batch of each side is excluded from both). Every side starts from the same initial weights (one seeded
initialisation per architecture), and validation perplexity after the same tokens is reported too.
Achieved GFLOP/s = analytic training FLOPs per token (3 x 2 x multiply-adds of the RNN layers and the softmax) x tokens/s,
compared with the fp32 and bf16 matrix-product rates this CPU reaches (measured here in a separate process).
"""
import sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import parser, quiet, run_side, side_return, side_payload, emit, side_args

QUICK_CFG = dict(emb_sz=64, n_hid=128, n_layers=3)

def ours_preset(**kw) -> dict:
    "Our learner's settings for these comparisons: the moms, Adam betas and weight decay of fastai's `LMLearner`."
    from rnn_transfer.core import get_preset
    return get_preset('paper', moms=(0.8, 0.7, 0.8), wd=0.01, betas=(0.9, 0.99), **kw)

def rnn_macs(cfg, arch):
    "Forward multiply-adds per token of the stacked RNN."
    gates, n, E, H = (4 if arch == 'lstm' else 3), cfg['n_layers'], cfg['emb_sz'], cfg['n_hid']
    macs = 0
    for l in range(n):
        i, h = (E if l == 0 else H), (E if l == n - 1 else H)
        macs += gates * h * (i + h)
    return macs

def prepare(a, vocabs):
    "Tokenise once; return per-vocab numericalised train/valid streams as document lists of int32 arrays."
    import pandas as pd
    from rnn_transfer.text import tokenize, make_vocab, numericalize
    d = Path(a.data_dir)/'wikipedia'
    files = sorted(d.glob('train-*.parquet'))[:1 if a.quick else 2]
    train = pd.concat([pd.read_parquet(f, columns=['text']) for f in files]).text.tolist()
    if a.quick: train = train[:300]
    valid = pd.read_parquet(d/'valid.parquet').text.tolist()
    tt, vt = tokenize(train), tokenize(valid)
    out = {}
    for V in vocabs:
        vocab = make_vocab(tt, 2, V)
        ids, offs = numericalize(tt, vocab); vids, voffs = numericalize(vt, vocab)
        out[V] = dict(vocab=vocab, train=[ids[offs[i]:offs[i+1]] for i in range(len(offs) - 1)],
                      valid=[vids[voffs[i]:voffs[i+1]] for i in range(len(voffs) - 1)])
    return out

def cut(docs, n_tok):
    "Leading documents totalling `n_tok` tokens (the last one cut)."
    out, n = [], 0
    for d in docs:
        if n >= n_tok: break
        out.append(d[:n_tok - n]); n += len(out[-1])
    return out

def side(a):
    quiet()
    import numpy as np, torch
    from fastai.text.all import (LMDataLoader, DataLoaders, language_model_learner, AWD_LSTM, accuracy, Perplexity,
                                 TensorText, Callback, awd_lstm_lm_config, set_seed)
    from rnn_transfer.loaders import LMStream
    from rnn_transfer.models import language_model
    from rnn_transfer.lm import lm_learner
    p = side_payload(a.io)
    bs, sl = 64, 72
    train, valid, vocab = cut(p['train'], p['n_train']), cut(p['valid'], p['n_valid']), p['vocab']
    cfg = {**awd_lstm_lm_config, **p['cfg']}

    class Clock(Callback):
        order = 100
        def before_fit(self): self.n, self.t, self.k = 0, 0., 0
        def before_batch(self):
            if self.training: self.t0 = time.perf_counter()
        def after_batch(self):
            if not self.training: return
            self.k += 1
            if self.k > 1: self.n += self.xb[0].numel(); self.t += time.perf_counter() - self.t0
    set_seed(0)
    if a.side == 'fastai':
        dls = DataLoaders(LMDataLoader([TensorText(torch.from_numpy(d.astype(np.int64))) for d in train], bs=bs, seq_len=sl, shuffle=False),
                          LMDataLoader([TensorText(torch.from_numpy(d.astype(np.int64))) for d in valid], bs=bs, seq_len=sl, shuffle=False))
        dls.vocab = vocab
        learn = language_model_learner(dls, AWD_LSTM, config=cfg, pretrained=False, metrics=[accuracy, Perplexity()])
        learn.model.load_state_dict(p['init'])
    else:
        ids, vids = np.concatenate(train), np.concatenate(valid)
        offs = np.concatenate([[0], np.cumsum([len(d) for d in train])])
        dls = DataLoaders(LMStream(ids, offs, bs=bs, bptt=sl, shuffle=False, seed=0), LMStream(vids, bs=bs, bptt=sl, random_bptt=False, seed=0))
        arch, *flags = p['arch'].split('+')
        preset = ours_preset(rnn_bf16='rnn_fp32' not in flags and 'fp32' not in flags,
                             fused_softmax='unfused' not in flags, cpu_bf16='fp32' not in flags)
        model = language_model(arch, len(vocab), cfg, drop_mult=1.); model.load_state_dict(p['init'])
        learn = lm_learner(dls, model, preset)
    clock = Clock(); learn.add_cb(clock)
    learn.fit_one_cycle(1, 2e-3)
    names = [n for n in learn.recorder.metric_names[1:] if n != 'time']
    res = dict(zip(names, map(float, learn.recorder.values[-1])))
    side_return(a.io, dict(tokens=clock.n, seconds=clock.t, tokens_per_s=clock.n / clock.t, perplexity=res['perplexity'],
                           valid_loss=res['valid_loss'], precision=('bf16 RNN + softmax' if any(type(c).__name__ == 'CPUBF16' for c in learn.cbs) else
                                      'bf16 softmax, fp32 RNN' if getattr(learn.loss_func, 'dtype', None) == torch.bfloat16 else 'fp32')))

def peak_side(a):
    import torch
    res = {}
    for dt in (torch.float32, torch.bfloat16):
        x, w = torch.randn(4096, 1024).to(dt), torch.randn(1024, 4096).to(dt)
        torch.mm(x, w); t = time.perf_counter()
        for _ in range(10): torch.mm(x, w)
        res[str(dt).split('.')[-1]] = 10 * 2 * 4096 * 1024 * 4096 / (time.perf_counter() - t) / 1e9
    side_return(a.io, res)

def main():
    ap = parser(__doc__)
    ap.add_argument('--vocabs', default='10000,30000,60000')
    ap.add_argument('--batches', type=int, default=10, help='training batches of 64 x 72 tokens per side')
    ap.add_argument('--archs', default='lstm,lstm+rnn_fp32,gru', help='our variants: lstm or gru (default precision: bf16 RNN + softmax on a CPU '
                    'with bf16 units), optionally with +rnn_fp32 (only the softmax in bf16), +fp32 (all fp32), +unfused (fastai\'s cross-entropy)')
    a = ap.parse_args()
    if a.side == 'peak': return peak_side(a)
    if a.side: return side(a)
    quiet()
    vocabs = [1000, 3000] if a.quick else [int(v) for v in a.vocabs.split(',')]
    batches = 3 if a.quick else a.batches
    from fastai.text.all import awd_lstm_lm_config
    cfg = QUICK_CFG if a.quick else {k: awd_lstm_lm_config[k] for k in ('emb_sz', 'n_hid', 'n_layers')}
    args = side_args(a)
    peak = run_side(__file__, 'peak', 'peak', args)
    data = prepare(a, vocabs)
    for V in vocabs:
        d = data[V]
        pay = dict(train=d['train'], valid=d['valid'], vocab=d['vocab'], cfg=cfg, n_train=(batches + 1) * 64 * 72 + 1, n_valid=20000 if not a.quick else 5000)
        inits = {}
        def init(arch):   # the same initial weights on every side that runs this architecture
            if arch not in inits:
                from fastai.torch_core import set_seed
                from rnn_transfer.models import language_model
                set_seed(0); inits[arch] = language_model(arch, len(d['vocab']), {**awd_lstm_lm_config, **cfg}).state_dict()
            return inits[arch]
        f = run_side(__file__, 'fastai', f'v{V}', args, {**pay, 'arch': 'lstm', 'init': init('lstm')})
        for arch in a.archs.split(','):
            o = run_side(__file__, 'ours', f'v{V}', args, {**pay, 'arch': arch, 'init': init(arch.split('+')[0])})
            flops = 6 * (rnn_macs(cfg, arch.split('+')[0]) + cfg['emb_sz'] * len(d['vocab']))
            flops_f = 6 * (rnn_macs(cfg, 'lstm') + cfg['emb_sz'] * len(d['vocab']))
            emit(a, 'lm_train', f"vocab {len(d['vocab']) // 1000}k, ours {arch.split('+')[0].upper()}{''.join(' +' + x for x in arch.split('+')[1:])}", 'training tokens/s', 'tokens/s', f['tokens_per_s'], o['tokens_per_s'],
                 vocab=len(d['vocab']), config=cfg, tokens_fastai=f['tokens'], tokens_ours=o['tokens'],
                 ppl_fastai=round(f['perplexity'], 1), ppl_ours=round(o['perplexity'], 1), precision_ours=o['precision'],
                 gflops_fastai=round(flops_f * f['tokens_per_s'] / 1e9, 1), gflops_ours=round(flops * o['tokens_per_s'] / 1e9, 1),
                 peak_gflops_fp32=round(peak['float32'], 1), peak_gflops_bf16=round(peak['bfloat16'], 1))

if __name__ == '__main__': main()
