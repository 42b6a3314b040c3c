"""Tokenise corpora once and pack them as compressed integer arrays, for runs on a machine without spaCy or datasets
(e.g. a lent GPU box): bench/paper_gpu.py reads the pack.

Usage: python bench/pack_tokens.py --data-dir ../shared/data --out .gpu/pack.npz [--wiki-shards 3] [--imdb-test 10000]
"""
import argparse, json, time, collections
from pathlib import Path
import numpy as np
from rnn_transfer.data import load_corpus, as_frame
from rnn_transfer.text import tokenize
from rnn_transfer.data import labelled_frames

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument('--data-dir', default='../shared/data')
ap.add_argument('--out', default='.gpu/pack.npz')
ap.add_argument('--wiki-shards', type=int, default=3)
ap.add_argument('--imdb-test', type=int, default=10000, help='random subset of the IMDb test set')
ap.add_argument('--seed', type=int, default=42)
a = ap.parse_args()
t0 = time.perf_counter()
sets, labels = {}, {}
wiki = load_corpus('wikitext-103', a.data_dir, max_train_files=a.wiki_shards)
sets['wiki_train'] = list(as_frame(wiki['train']).text); sets['wiki_valid'] = list(as_frame(wiki['validation']).text)
for name, kw in (('trec', {}), ('imdb', dict(max_test=a.imdb_test))):
    tr, te, _ = labelled_frames(name, data_dir=a.data_dir, seed=a.seed, **kw)
    sets[f'{name}_train'], labels[f'{name}_train'] = list(tr.text), list(tr.label)
    sets[f'{name}_test'], labels[f'{name}_test'] = list(te.text), list(te.label)
docs = {k: tokenize(v, progress=True) for k, v in sets.items()}
count = collections.Counter(t for d in docs.values() for doc in d for t in doc)
vocab = [w for w, _ in count.most_common()]
o2i = {w: i for i, w in enumerate(vocab)}
arrays = {}
for k, d in docs.items():
    arrays[f'{k}_ids'] = np.fromiter((o2i[t] for doc in d for t in doc), dtype=np.uint32)
    arrays[f'{k}_offsets'] = np.concatenate([[0], np.cumsum([len(doc) for doc in d])]).astype(np.int64)
Path(a.out).parent.mkdir(parents=True, exist_ok=True)
np.savez_compressed(a.out, vocab=np.array(json.dumps(vocab)), labels=np.array(json.dumps(labels)), **arrays)
print(json.dumps({k: int(v.shape[0]) for k, v in arrays.items() if k.endswith('_ids')}), f'{Path(a.out).stat().st_size/2**20:.1f} MiB', f'{time.perf_counter()-t0:.0f} s')
