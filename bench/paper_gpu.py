"""ULMFiT at the `paper` preset on a GPU, from a token pack made by bench/pack_tokens.py (no spaCy or datasets needed).

Stages (any subset, in order): pretrain (Wikipedia shards) -> trec (fine-tune LM, classify; and classify from scratch)
-> imdb (fine-tune LM, classify). Checkpoints go under --runs; results.json (appended per stage) under --out.
Usage: python bench/paper_gpu.py --pack .gpu/pack.npz --runs .gpu/runs --out $OUT --stages pretrain,trec [--preset paper]
"""
import argparse, json, time, os, warnings
from pathlib import Path
import numpy as np, torch

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument('--pack', default='.gpu/pack.npz')
ap.add_argument('--runs', default='.gpu/runs')
ap.add_argument('--out', default=os.environ.get('OUT', '.gpu/out'))
ap.add_argument('--stages', default='pretrain,trec,imdb')
ap.add_argument('--preset', default='paper')
ap.add_argument('--arch', default='lstm')
ap.add_argument('--pretrain-epochs', type=int, default=1)
ap.add_argument('--bs', type=int, default=None)
ap.add_argument('--max-pretrain-tokens', type=int, default=None, help='pretrain on the first documents up to this many tokens')
ap.add_argument('--finetune-epochs', type=int, default=1, help='LM fine-tuning epochs after the frozen one')
ap.add_argument('--clas-final-epochs', type=int, default=2)
ap.add_argument('--max-train', type=int, default=None, help='labelled training documents per task (random subset)')
ap.add_argument('--seed', type=int, default=42)
a = ap.parse_args()
warnings.filterwarnings('ignore')
from rnn_transfer.lm import pretrain_docs, finetune_docs
from rnn_transfer.classify import train_classifier_docs

pack = np.load(a.pack)
vocab = json.loads(str(pack['vocab'])); labels = json.loads(str(pack['labels']))
def docs(name):
    ids, offs = pack[f'{name}_ids'], pack[f'{name}_offsets']
    return [[vocab[i] for i in ids[offs[j]:offs[j+1]]] for j in range(len(offs) - 1)]
runs, out = Path(a.runs), Path(a.out); out.mkdir(parents=True, exist_ok=True)
res_f = out/'results.json'
res = json.loads(res_f.read_text()) if res_f.exists() else {}
res.setdefault('device', torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'cpu')
kw = dict(bs=a.bs) if a.bs else {}
def record(name, fn):
    t0 = time.perf_counter(); m = fn()
    res[name] = {k: v for k, v in m.items() if k not in ('history', 'confusion')} | {'stage_wall_seconds': round(time.perf_counter() - t0, 1)}
    res_f.write_text(json.dumps(res, indent=1)); print('RESULT', name, json.dumps(res[name])[:600], flush=True)
def split(name):
    d, l = docs(f'{name}_train'), labels[f'{name}_train']
    idx = np.random.default_rng(a.seed).permutation(len(d)); nv = len(d) // 10
    tr, va = idx[nv:], idx[:nv]
    if a.max_train: tr = tr[:a.max_train]
    return ({'train': [d[i] for i in tr], 'valid': [d[i] for i in va], 'test': docs(f'{name}_test')},
            {'train': [l[i] for i in tr], 'valid': [l[i] for i in va], 'test': labels[f'{name}_test']})
st = a.stages.split(',')
if 'pretrain' in st:
    wt = docs('wiki_train')
    if a.max_pretrain_tokens:
        n = np.searchsorted(np.cumsum([len(x) for x in wt]), a.max_pretrain_tokens); wt = wt[:max(1, n)]
    record('pretrain', lambda: pretrain_docs(wt, docs('wiki_valid'), runs/'pretrain', a.preset, a.arch, a.seed,
                                             data='wikipedia (packed)', pretrain_epochs=a.pretrain_epochs, **kw))
for task in ('trec', 'imdb'):
    if task not in st: continue
    d, l = split(task)
    record(f'{task}-finetune', lambda: finetune_docs(runs/'pretrain', d['train'], d['valid'], runs/f'{task}-lm', a.preset, a.seed, data=task, finetune_epochs=a.finetune_epochs, **kw))
    record(f'{task}-classify', lambda: train_classifier_docs(runs/f'{task}-lm', d, l, runs/f'{task}-clas', a.preset, seed=a.seed, data=task, clas_final_epochs=a.clas_final_epochs, **kw))
    if task == 'trec':
        record('trec-classify-scratch', lambda: train_classifier_docs(None, d, l, runs/'trec-scratch', a.preset, a.arch, a.seed, data=task, clas_final_epochs=a.clas_final_epochs, **kw))
