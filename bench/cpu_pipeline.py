"""The three ULMFiT stages at the `cpu` preset on the real corpora (Wikipedia shard -> IMDb and TREC-6).

Usage: python bench/cpu_pipeline.py --arch lstm --data-dir ../shared/data --out runs/cpu-lstm [--threads 1] [--stages pretrain,imdb,trec]
Writes each stage's checkpoint and metrics.json under --out, and a summary.json with the wall time of each stage.
"""
import argparse, json, time, warnings
from pathlib import Path
import torch
from rnn_transfer.lm import pretrain, finetune
from rnn_transfer.classify import train_classifier

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument('--arch', default='lstm', choices=['lstm', 'gru'])
ap.add_argument('--data-dir', default='../shared/data')
ap.add_argument('--out', default='runs/cpu')
ap.add_argument('--threads', type=int, default=0, help='torch threads (0: leave the default)')
ap.add_argument('--stages', default='pretrain,imdb,trec')
ap.add_argument('--pretrain-docs', type=int, default=300, help='Wikipedia articles to pretrain on')
ap.add_argument('--imdb-lm-docs', type=int, default=1500, help='IMDb reviews to fine-tune the LM on')
ap.add_argument('--imdb-labels', type=int, default=1000, help='labelled IMDb reviews for the classifier')
ap.add_argument('--imdb-test', type=int, default=1000, help='IMDb test reviews to evaluate on (random subset)')
ap.add_argument('--seed', type=int, default=42)
a = ap.parse_args()
warnings.filterwarnings('ignore')
if a.threads: torch.set_num_threads(a.threads)
out, dd = Path(a.out), Path(a.data_dir)
summary_f = out/'summary.json'
summary = json.loads(summary_f.read_text()) if summary_f.exists() else {}
def stage(name, fn):
    t0 = time.perf_counter(); m = fn()
    summary[name] = {k: v for k, v in m.items() if k not in ('history', 'stages', 'confusion')} | {'stage_wall_seconds': round(time.perf_counter() - t0, 1)}
    out.mkdir(parents=True, exist_ok=True); summary_f.write_text(json.dumps(summary, indent=1)); print(name, summary[name], flush=True)
st = a.stages.split(',')
if 'pretrain' in st: stage('pretrain', lambda: pretrain(dd/'wikipedia', out/'pretrain', preset='cpu', arch=a.arch, seed=a.seed, max_train_docs=a.pretrain_docs))
if 'imdb' in st:
    stage('imdb-finetune', lambda: finetune(out/'pretrain', dd/'imdb', out/'imdb-lm', seed=a.seed, finetune_docs=a.imdb_lm_docs))
    stage('imdb-classify', lambda: train_classifier(out/'imdb-lm', dd/'imdb', out/'imdb-clas', seed=a.seed, max_train=a.imdb_labels, max_test=a.imdb_test))
if 'trec' in st:
    stage('trec-finetune', lambda: finetune(out/'pretrain', dd/'trec', out/'trec-lm', seed=a.seed))
    stage('trec-classify', lambda: train_classifier(out/'trec-lm', dd/'trec', out/'trec-clas', seed=a.seed))
