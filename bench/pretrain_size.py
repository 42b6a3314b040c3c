"""Which `cpu`-preset size to ship: fp16 weight size and training tokens/s of candidate AWD-LSTM sizes on Wikipedia text.

Each candidate trains for the same number of batches (after a warm-up) on the first Wikipedia shard, in this process,
one after another, with the package's default CPU training path. Prints one JSON line per candidate.

    python bench/pretrain_size.py [--data-dir ../shared/data] [--batches 40]
"""
import argparse, json, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from _common import git_rev, quiet, time_steps

CANDIDATES = [  # vocab, emb, hidden, layers
    (20000, 200, 400, 3), (30000, 200, 400, 3), (25000, 200, 500, 3), (20000, 200, 600, 3), (24000, 256, 400, 3), (30000, 200, 500, 3),
]

def fp16_mb(model) -> float:
    "Size of the weights stored once each (tied tensors once) in fp16."
    seen, n = set(), 0
    for v in model.state_dict().values():
        if v.data_ptr() in seen: continue
        seen.add(v.data_ptr()); n += v.numel()
    return n * 2 / 1e6

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data-dir', default=str(Path(__file__).resolve().parents[2]/'shared'/'data'))
    ap.add_argument('--batches', type=int, default=40, help="timed batches per candidate (after 5 warm-up batches)")
    ap.add_argument('--bs', type=int, default=64); ap.add_argument('--bptt', type=int, default=70)
    a = ap.parse_args(); quiet()
    from fastai.torch_core import set_seed
    from fastai.data.core import DataLoaders
    from rnn_transfer.data import load_corpus, as_frame
    from rnn_transfer.text import tokenize, make_vocab, numericalize
    from rnn_transfer.loaders import LMStream
    from rnn_transfer.models import language_model
    from rnn_transfer.lm import lm_learner
    from rnn_transfer.core import get_preset
    dd = load_corpus(Path(a.data_dir)/'wikipedia', max_train_files=1)
    docs = tokenize(list(as_frame(dd['train']).text))
    for V, emb, hid, nl in CANDIDATES:
        set_seed(0)
        vocab = make_vocab(docs, 2, V)
        ids, offs = numericalize(docs, vocab)
        n = (5 + a.batches) * a.bs * (a.bptt + 20)
        trn = LMStream(ids[:n], bs=a.bs, bptt=a.bptt, seed=0); val = LMStream(ids[n:n + 20000], bs=8, bptt=a.bptt, random_bptt=False)
        p = get_preset('cpu', model=dict(emb_sz=emb, n_hid=hid, n_layers=nl), max_vocab=V)
        model = language_model('lstm', len(vocab), p['model'], drop_mult=p['drop_mult'])
        learn = lm_learner(DataLoaders(trn, val), model, p)
        t = time_steps(learn, p['lm_lr'], a.batches, skip=5)
        rec = dict(bench='pretrain_size', case=f'v{len(vocab)}-e{emb}-h{hid}-l{nl}', vocab=len(vocab), emb=emb, hid=hid, layers=nl,
                   params=sum(p.numel() for p in model.parameters()), fp16_mb=round(fp16_mb(model), 2),
                   tokens_per_s=round(t['tokens'] / t['seconds'], 1), batches=a.batches, bs=a.bs, bptt=a.bptt, git=git_rev())
        print(json.dumps(rec), flush=True)

if __name__ == '__main__': main()
