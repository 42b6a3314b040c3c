"""Which encoder layers carry the label: a logistic regression on frozen pooled features, per layer set, beside TF-IDF + LR.

For each label count N, the first N reviews of a seeded sample of the train split are the training set; the probe's C
(and the baseline's) is chosen by 5-fold cross-validation on those N alone; both are scored on a seeded sample of
--n-test reviews of the test split (--dev: of bench/recipe_dev.py's dev set of train reviews instead, which is what
choosing a recipe may look at). Features are the classifier head's own pooling (`masked_concat_pool`: last, max and
mean over time) of each layer's outputs, standardised, from the encoder in evaluation mode, as `text_classifier(...,
pool_layers='all')` computes them: the embedding's output (the token vectors) and each recurrent layer's. Appends one JSON line per label count to bench/results/layer_probe.jsonl.

    python bench/layer_probe.py --lm default
    python bench/layer_probe.py --lm ~/runs/experiments/lms/imdb-all-text-cpu

With --lm-bwd (a backward LM, each document read right to left, as `classify --both` gives its partner), the rows also
probe that LM's features alone (`probe_bwd_all`) and both LMs' side by side (`probe_pair_all`, one logistic regression on
the concatenation; the pair's classifiers are averaged instead, but the probe says what the two together hold).
"""
import argparse, datetime, json, os, sys, time
from pathlib import Path
import numpy as np, pandas as pd, torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'bench'))
from _common import tidy
OUT = ROOT/'bench'/'results'/'layer_probe.jsonl'

def pooled(sd, meta, texts, max_len:int, backwards:bool=False) -> tuple[np.ndarray, list[int], float]:
    """Pooled features of the embedding and every layer (`[last, max, mean]` of each side by side), their sizes, the xxunk
    rate; `backwards`: each document reversed first (a backward LM's input)."""
    from rnn_transfer.models import text_classifier, layer_sizes
    from rnn_transfer.classify import encoder_state
    from fastai.text.data import pad_input_chunk
    from rnn_transfer.text import tokenize, doc_ids
    from rnn_transfer.loaders import classifier_items
    m = text_classifier(meta['arch'], len(meta['vocab']), 2, meta['config'], seq_len=70, pool_layers='all')
    m.load_state_dict({**m.state_dict(), **encoder_state(sd)})
    ids, offs = doc_ids(tokenize(list(texts), progress=False), meta['vocab'], backwards)
    items = classifier_items(ids, offs, np.zeros(len(offs) - 1, dtype=int), max_len=max_len)
    m[1].layers = torch.nn.Identity()   # the head's pooling without its layers: the model's first output is the features
    order = sorted(range(len(items)), key=lambda i: -len(items[i][0]))
    out = [None] * len(items)
    with torch.inference_mode():
        for s in range(0, len(order), 32):
            idx = order[s:s + 32]
            xb = torch.stack([x for x, _ in pad_input_chunk([items[i] for i in idx], pad_idx=1, pad_first=True, seq_len=70)])
            f = m.eval()(xb)[0]
            for j, i in enumerate(idx): out[i] = f[j].numpy()
    return np.stack(out), layer_sizes(meta['config']), float((ids == 0).mean())

def pick(f:np.ndarray, sizes:list[int], layers:list[int]) -> np.ndarray:
    "The columns of `layers` in each of the three poolings."
    d, starts = sum(sizes), np.cumsum([0] + sizes)
    return np.concatenate([f[:, p * d + starts[l]: p * d + starts[l + 1]] for p in range(3) for l in layers], 1)

def cv_fit(X, y, Cs, seed):
    "A logistic regression with its C chosen by 5-fold cross-validation on `X` (the lowest C among equals)."
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score, StratifiedKFold
    cv = StratifiedKFold(5, shuffle=True, random_state=seed)
    best = max(Cs, key=lambda C: (cross_val_score(LogisticRegression(C=C, max_iter=3000), X, y, cv=cv).mean(), -C))
    return LogisticRegression(C=best, max_iter=3000).fit(X, y), best

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--lm', default='default', help="LM checkpoint folder or a shipped LM's name (default: the shipped one)")
    ap.add_argument('--lm-bwd', help='a backward LM too: its features alone and beside --lm\'s (default: none)')
    ap.add_argument('--task', default='imdb', help='labelled corpus in --data-dir (default imdb)')
    ap.add_argument('--labels', type=int, nargs='+', default=[100, 500, 1000, 2000], help='label counts (default 100 500 1000 2000)')
    ap.add_argument('--n-test', type=int, default=2000, help='test reviews scored (default 2000)')
    ap.add_argument('--max-len', type=int, default=600, help='tokens kept per document, its end (default 600)')
    ap.add_argument('--data-dir', default=os.environ.get('RNN_TRANSFER_DATA', str(ROOT.parent/'shared'/'data')))
    ap.add_argument('--seed', type=int, default=42)
    ap.add_argument('--dev', action='store_true',
                    help="score on bench/recipe_dev.py's dev set of 2,000 train reviews, not on the test split")
    ap.add_argument('--no-save', action='store_true', help=f'print only, do not append to {OUT.relative_to(ROOT)}')
    a = ap.parse_args(argv)
    torch.set_num_threads(int(os.environ.get('OMP_NUM_THREADS', torch.get_num_threads())))
    from sklearn.preprocessing import StandardScaler
    from rnn_transfer.checkpoint import load_checkpoint, resolve_lm
    from rnn_transfer.baseline import tfidf_vectorizer
    d = Path(a.data_dir)/a.task
    train = pd.read_parquet(d/'train.parquet')
    if a.dev:   # bench/recipe_dev.py's dev set: 2,000 train reviews (random_state=7); labels from the other 23,000
        dev = train.sample(2000, random_state=7)
        tr = train.drop(dev.index).sample(max(a.labels), random_state=a.seed).reset_index(drop=True)
        te = dev.sample(min(a.n_test, len(dev)), random_state=0).reset_index(drop=True)
    else:
        tr = train.sample(max(a.labels), random_state=a.seed).reset_index(drop=True)
        te = pd.read_parquet(d/'test.parquet').sample(a.n_test, random_state=0).reset_index(drop=True)
    ytr, yte = (np.unique(np.concatenate([tr.label, te.label]), return_inverse=True)[1][i] for i in (slice(0, len(tr)), slice(len(tr), None)))
    sd, meta = load_checkpoint(resolve_lm(a.lm), kind='lm')
    t0 = time.perf_counter()
    (ftr, sizes, unk), (fte, _, _) = pooled(sd, meta, tr.text, a.max_len), pooled(sd, meta, te.text, a.max_len)
    if a.lm_bwd:
        sdb, metab = load_checkpoint(resolve_lm(a.lm_bwd), kind='lm')
        if not metab.get('backwards'): sys.exit(f'--lm-bwd {a.lm_bwd} is not a backward LM')
        btr, bte = (pooled(sdb, metab, t, a.max_len, backwards=True)[0] for t in (tr.text, te.text))
    feat_s = time.perf_counter() - t0
    k = len(sizes)   # the embedding, then each recurrent layer
    sets = {'top': [k - 1], 'embedding': [0], **{f'layer{l}': [l] for l in range(1, k - 1)}, 'rnn_layers': list(range(1, k)),
            'all': list(range(k))}
    for n in a.labels:
        vec = tfidf_vectorizer(n)
        base, bC = cv_fit(vec.fit_transform(tr.text[:n]), ytr[:n], (1., 10., 100.), a.seed)
        row = dict(task=a.task, lm=tidy(a.lm), scored_on='dev' if a.dev else 'test', labels=n, n_test=a.n_test, max_len=a.max_len, unk_rate=round(unk, 4),
                   tfidf_lr=round(1 - base.score(vec.transform(te.text), yte), 4), tfidf_C=bC)
        for name, layers in sets.items():
            sc = StandardScaler().fit(pick(ftr[:n], sizes, layers))
            lr, C = cv_fit(sc.transform(pick(ftr[:n], sizes, layers)), ytr[:n], (1e-3, 1e-2, 1e-1, 1.), a.seed)
            row[f'probe_{name}'] = round(1 - lr.score(sc.transform(pick(fte, sizes, layers)), yte), 4)
        if a.lm_bwd:
            for name, (xtr, xte) in {'bwd_all': (btr, bte), 'pair_all': (np.concatenate([ftr, btr], 1),
                                                                         np.concatenate([fte, bte], 1))}.items():
                sc = StandardScaler().fit(xtr[:n])
                lr, C = cv_fit(sc.transform(xtr[:n]), ytr[:n], (1e-3, 1e-2, 1e-1, 1.), a.seed)
                row[f'probe_{name}'] = round(1 - lr.score(sc.transform(xte), yte), 4)
            row['lm_bwd'] = tidy(a.lm_bwd)
        row.update(feature_seconds=round(feat_s, 1), date=datetime.datetime.now().isoformat(timespec='seconds'),
                   command=tidy('python bench/layer_probe.py ' + ' '.join(argv or sys.argv[1:])))
        print(json.dumps(row), flush=True)
        if not a.no_save:
            with open(OUT, 'a') as fh: fh.write(json.dumps(row) + '\n')

if __name__ == '__main__': main()
