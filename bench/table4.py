"""The paper's Table 4 at this scale: test error with and without the pretrained general-domain encoder.

For each task (TREC-6; IMDb with a subset of the training labels), the same language-model fine-tuning and the same
classifier schedule (gradual unfreezing) run twice:
  * pretrained: the shipped encoder (or --lm), fine-tuned on the task's training text, then the classifier;
  * from scratch: a language model trained on the task's training text alone (same epochs), then the classifier;
and, for reference, a classifier trained with no language model at all (`--lm none`).
Hyperparameters come from the preset; nothing is chosen on a test split (validation is cut from train).
Results: one JSON line per run in bench/results/table4.jsonl and a Markdown table on stdout.

    python bench/table4.py [--lm rnn_transfer/pretrained/...] [--tasks trec imdb] [--imdb-labels 2000] [--out runs/table4]
"""
import argparse, json, sys, time, datetime
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from _common import git_rev, quiet, command

RESULTS = Path(__file__).parent/'results'/'table4.jsonl'

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--lm', help="pretrained LM checkpoint (default: the shipped encoder)")
    ap.add_argument('--data-dir', default=str(Path(__file__).resolve().parents[2]/'shared'/'data'))
    ap.add_argument('--tasks', nargs='+', default=['trec', 'imdb'])
    ap.add_argument('--imdb-labels', type=int, default=2000, help="IMDb training labels (a random subset)")
    ap.add_argument('--imdb-test', type=int, default=5000, help="IMDb test reviews (a random subset of the official test set)")
    ap.add_argument('--preset', default='cpu')
    ap.add_argument('--seed', type=int, default=42)
    ap.add_argument('--out', default='runs/table4')
    ap.add_argument('--variants', nargs='+', default=['pretrained', 'lm-from-scratch', 'no-lm'], help="which runs (default all three)")
    ap.add_argument('--model', default='256,400,3', help="EMB,HID,LAYERS of the runs that do not start from --lm (default: the shipped encoder's size)")
    ap.add_argument('--keep-vocab', action='store_true', help="pretrained variant: keep the encoder's words beyond the task's own vocabulary")
    ap.add_argument('--clas-epochs', type=int, help="epochs of the last classifier stage, every variant (default: the preset's; no-LM trains 3 + this many)")
    ap.add_argument('--clas-lr', type=float, help="first-stage classifier learning rate, every variant (default: the preset's)")
    ap.add_argument('--clas-drop-mult', type=float, help="classifier dropout multiplier, every variant (default: the preset's)")
    ap.add_argument('--quick', action='store_true', help="tiny preset and few documents: checks the script runs")
    a = ap.parse_args(); quiet()
    from rnn_transfer.lm import pretrain, finetune
    from rnn_transfer.checkpoint import DEFAULT_LM
    from rnn_transfer.classify import train_classifier
    lm = a.lm or str(DEFAULT_LM)
    out, rows = Path(a.out), []
    preset = 'tiny' if a.quick else a.preset
    from rnn_transfer.core import get_preset
    P = get_preset(preset)
    epochs, clas_lr, drop = a.clas_epochs or P['clas_final_epochs'], a.clas_lr or P['clas_lr'], a.clas_drop_mult or P.get('clas_drop_mult', 0.5)
    tag = ''.join(f'-{k}{v}' for k, v in (('e', a.clas_epochs), ('lr', a.clas_lr), ('drop', a.clas_drop_mult)) if v)   # each setting has its own run folders
    kv = '-keep-vocab' if a.keep_vocab else ''
    size = {} if a.quick else dict(model=dict(zip(('emb_sz', 'n_hid', 'n_layers'), map(int, a.model.split(',')))))
    for task in a.tasks:
        n_train = a.imdb_labels if task == 'imdb' else None
        n_test = a.imdb_test if task == 'imdb' else None
        if a.quick: n_train, n_test = 200, 100
        kw = dict(data_dir=a.data_dir, seed=a.seed)
        lm_src = task
        if n_train:   # the LMs read the text of the same random labelled subset the classifier trains on (the parquet is sorted by label)
            from rnn_transfer.data import labelled_frames
            tr, _, _ = labelled_frames(task, data_dir=a.data_dir, max_train=n_train, seed=a.seed)
            lm_src = out/task/'lm-text'; lm_src.mkdir(parents=True, exist_ok=True); tr[['text']].to_parquet(lm_src/'train.parquet')
        for variant in a.variants:
            t0 = time.perf_counter(); v = variant + (kv if variant == 'pretrained' else ''); d = out/task/v
            if variant != 'no-lm' and (d/'lm'/'metrics.json').exists() and json.loads((d/'lm'/'checkpoint.json').read_text()).get('preset') == preset:   # finished earlier
                lm_m = json.loads((d/'lm'/'metrics.json').read_text())
            elif variant == 'pretrained':
                lm_m = finetune(lm, lm_src, d/'lm', preset=preset, keep_vocab=a.keep_vocab or None, **kw)
            elif variant == 'lm-from-scratch':
                lm_m = pretrain(lm_src, d/'lm', preset=preset, max_train_docs=0, epochs=2, **size, **kw)   # as many epochs as fine-tuning (head + all)
            else: lm_m = None
            m = train_classifier(None if variant == 'no-lm' else d/'lm', task, out/task/(v + tag)/'clas', preset=preset, arch='lstm' if variant == 'no-lm' else None,
                                 max_train=n_train, max_test=n_test, final_epochs=a.clas_epochs, lr=a.clas_lr, clas_drop_mult=a.clas_drop_mult, **(size if variant == 'no-lm' else {}), **kw)
            row = dict(bench='table4', task=task, variant=variant, test_error=m['test_error'], valid_error=m['valid_error'], test_n=m['test_n'],
                       train_n=m['train_n'], lm_perplexity=lm_m and lm_m['perplexity'], wall_seconds=round(time.perf_counter() - t0, 1),
                       preset=preset, keep_vocab=a.keep_vocab and variant == 'pretrained', clas_final_epochs=epochs, clas_lr=clas_lr, clas_drop_mult=drop, lm=lm if variant == 'pretrained' else None, quick=a.quick, command=command(), git=git_rev(),
                       date=datetime.date.today().isoformat())
            rows.append(row); print(json.dumps(row), flush=True)
            if not a.quick:
                RESULTS.parent.mkdir(exist_ok=True)
                with open(RESULTS, 'a') as f: f.write(json.dumps(row) + '\n')
    if not a.quick: rows = [json.loads(l) for l in RESULTS.read_text().splitlines()]   # the latest run of each variant, this one's or earlier
    print('\n| task | pretrained encoder | LM from scratch | no LM |\n|---|---|---|---|')
    for task in a.tasks:
        e = {r['variant']: r['test_error'] for r in rows if r['task'] == task and r.get('keep_vocab', False) == (a.keep_vocab and r['variant'] == 'pretrained')
             and (r.get('clas_final_epochs', P['clas_final_epochs']), r.get('clas_lr', P['clas_lr']), r.get('clas_drop_mult', 0.5)) == (epochs, clas_lr, drop)}   # this run's settings
        print(f"| {task} | " + ' | '.join(f"{e[v]:.2%}" if v in e else '-' for v in ('pretrained', 'lm-from-scratch', 'no-lm')) + ' |')

if __name__ == '__main__': main()
