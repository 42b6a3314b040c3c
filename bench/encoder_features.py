"""Why gradual unfreezing learns nothing from some encoders: how much their pooled features vary from document to document.

For each LM encoder (a checkpoint folder, a shipped LM's name, or `random` for the untrained weights of the first LM's shape), run N
labelled documents through it and take the classifier head's input (last, max and mean of the last layer's outputs, as fastai's
`masked_concat_pool`). Reported per encoder:
- `feature_sd`, `feature_mean_abs`, `ratio`: the mean over features of their standard deviation across documents, of their absolute
  mean, and the first over the second (near 0: every document gets almost the same vector);
- `probe_accuracy`: 5-fold cross-validated accuracy of a logistic regression on the features, each standardised (as the head's first
  BatchNorm does), in evaluation mode: how well the classes can be told apart from these features at all (`majority` is the baseline);
- `dropout_noise`: with the classifier's dropout on (training mode, the preset's classifier drop_mult), the standard deviation of a
  document's features from pass to pass (from two passes), over their standard deviation across documents in evaluation mode (each
  a mean over features): above 1, the noise a head sees while it trains is larger than the differences between documents.
Appends one JSON line per encoder to bench/results/encoder_features.jsonl.

    python bench/encoder_features.py --task trec --lms runs/experiments/lms/trec-scratch-cpu random default
"""
import argparse, datetime, json, os, sys
from pathlib import Path
import numpy as np, torch

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT/'bench'/'results'/'encoder_features.jsonl'

def features(sd, meta, ids, offs, train=False, drop_mult=0.5) -> np.ndarray:
    from rnn_transfer.models import text_classifier
    from rnn_transfer.classify import encoder_state
    from fastai.text.models.core import masked_concat_pool
    m = text_classifier(meta['arch'], len(meta['vocab']), 2, meta['config'], lin_ftrs=[50], seq_len=70, drop_mult=drop_mult)
    if sd is not None: m.load_state_dict({**m.state_dict(), **encoder_state(sd)})
    enc = m.train(train)[0]; out = []
    with torch.no_grad():
        for i in range(len(offs) - 1):
            x = torch.from_numpy(ids[offs[i]:offs[i + 1]].astype(np.int64))[None]
            enc.reset(); o, mask = enc(x)
            out.append(masked_concat_pool(o, mask, 70)[0].numpy())   # the head's own pooling
    return np.stack(out)

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--task', default='trec', help='labelled corpus name (in --data-dir) or path (default trec)')
    ap.add_argument('--lms', nargs='+', required=True, help="LM checkpoint folders, shipped LM names ('default'), or 'random' (the first LM's shape, untrained)")
    ap.add_argument('--n', type=int, default=300, help='documents from the train split (default 300)')
    ap.add_argument('--data-dir', default=os.environ.get('RNN_TRANSFER_DATA', str(ROOT.parent/'shared'/'data')))
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--no-save', action='store_true', help=f'print only, do not append to {OUT.relative_to(ROOT)}')
    a = ap.parse_args(argv)
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score, StratifiedKFold
    from rnn_transfer.checkpoint import load_checkpoint, resolve_lm
    from rnn_transfer.core import get_preset
    from rnn_transfer.data import labelled_frames
    from rnn_transfer.text import tokenize, numericalize
    train = labelled_frames(a.task, None, a.data_dir, 'text', 'label', a.n, None, a.seed)[0]
    docs = tokenize(list(train.text), progress=False)
    y = np.unique(np.asarray(train.label), return_inverse=True)[1]
    first = None
    for name in a.lms:
        torch.manual_seed(a.seed)
        if name == 'random':
            if first is None: sys.exit("encoder_features: put an LM before 'random' (it takes that LM's shape and vocabulary).")
            sd, meta = None, first
        else: sd, meta = load_checkpoint(resolve_lm(name), kind='lm'); first = first or meta
        ids, offs = numericalize(docs, meta['vocab'])
        f = features(sd, meta, ids, offs)
        sdv, mag = float(f.std(0).mean()), float(np.abs(f.mean(0)).mean())
        z = (f - f.mean(0)) / np.sqrt(f.var(0) + 1e-5)   # as BatchNorm1d (eps 1e-5) standardises the head's input
        probe = float(cross_val_score(LogisticRegression(max_iter=3000), z, y, cv=StratifiedKFold(5, shuffle=True, random_state=a.seed)).mean())
        dm = get_preset(meta.get('preset', 'cpu')).get('clas_drop_mult', 0.5)
        torch.manual_seed(a.seed); t1 = features(sd, meta, ids, offs, train=True, drop_mult=dm)
        torch.manual_seed(a.seed + 1); t2 = features(sd, meta, ids, offs, train=True, drop_mult=dm)
        noise = float(np.sqrt(((t1 - t2) ** 2).mean(0) / 2).mean() / f.std(0).mean())   # one pass's noise sd (the difference of two has twice its variance)
        row = dict(task=a.task, encoder=name, n=len(docs), feature_sd=round(sdv, 5), feature_mean_abs=round(mag, 5), ratio=round(sdv / mag, 4),
                   probe_accuracy=round(probe, 4), majority=round(float(np.bincount(y).max() / len(y)), 4), dropout_noise=round(noise, 3),
                   date=datetime.datetime.now().isoformat(timespec='seconds'), command='python bench/encoder_features.py ' + ' '.join(argv or sys.argv[1:]))
        print(json.dumps(row), flush=True)
        if not a.no_save:
            with open(OUT, 'a') as fh: fh.write(json.dumps(row) + '\n')

if __name__ == '__main__': main()
