"""Pretraining quality per CPU hour: language models trained for the same training-time budget, then TREC-6 through
the same fine-tuning and classifier.

Arms (each a `rnn-transfer pretrain` command that differs only in its softmax):
  * full: today's path, the full tied softmax computed in blocks (`--cutoffs none`);
  * two-level: the two-level softmax over the tied embedding (`--cutoffs 2000,6000,12000`).
Each arm pretrains on the same Wikipedia shards with the same vocabulary, model and preset for `--minutes` of training
steps (`--train-minutes`: the one-cycle schedule runs on the share of the budget spent). The arms run side by side,
one thread each, so that they share the machine alike; then, one after another on all threads, each LM is fine-tuned
on TREC-6's training text and a classifier trained (cpu preset), and the throughput of both stages is recorded.

Validation perplexity is on the same 60 Wikipedia validation articles with the same vocabulary, each model's
full-vocabulary distribution (the two-level softmax's is a distribution over every word too).
Stages already finished in `--out` are read, not rerun, so the same command resumes.
Results: bench/results/lm_budget.json and a Markdown table on stdout.

    python bench/lm_budget.py [--minutes 75] [--out ~/runs/ab] [--data-dir ../shared/data] [--quick]
"""
import argparse, json, os, subprocess, sys, datetime
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from _common import git_rev, command, cpu_name, tidy

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT/'bench'/'results'/'lm_budget.json'
ARMS = {'full': 'none', 'adaptive': '2000,6000,12000'}   # arm -> --cutoffs

def rt(*args) -> list[str]:
    "The rnn-transfer console script of this interpreter's environment, with `args`."
    exe = Path(sys.executable).parent/'rnn-transfer'
    return [str(exe) if exe.exists() else 'rnn-transfer', *map(str, args)]

def pretrain_cmd(a, arm:str) -> list[str]:
    size = ['--preset', 'tiny', '--max-train-docs', '60'] if a.quick else [
        '--preset', 'cpu', '--model', '256,400,3', '--max-vocab', '24000', '--max-train-files', '3', '--max-train-docs', '0']
    return rt('pretrain', '--corpus', 'wikitext-103', '--data-dir', a.data_dir, *size, '--epochs', 1 if not a.quick else 20,
              '--train-minutes', a.minutes, '--cutoffs', ARMS[arm] if not a.quick else {'full': 'none'}.get(arm, '100,400'),
              '--curve-every', 150, '--save-every', 100, '--quiet', '--out', Path(a.out)/arm)

def metrics(folder:Path) -> dict|None:
    f = folder/'metrics.json'
    return json.loads(f.read_text()) if f.exists() else None

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--minutes', type=float, default=75, help="pretraining budget of each arm, minutes of training steps")
    ap.add_argument('--out', default=str(Path.home()/'runs'/'ab'), help="run folders (outside the repository)")
    ap.add_argument('--data-dir', default=str(ROOT.parent/'shared'/'data'))
    ap.add_argument('--arms', nargs='+', default=list(ARMS), choices=list(ARMS))
    ap.add_argument('--quick', action='store_true', help="tiny preset, seconds of pretraining: checks the script runs")
    ap.add_argument('--no-save', action='store_true', help="print only, do not write bench/results/lm_budget.json")
    a = ap.parse_args()
    if a.quick: a.minutes = min(a.minutes, 0.1)
    out = Path(a.out).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    todo = [arm for arm in a.arms if metrics(out/arm) is None]
    procs = {arm: subprocess.Popen(pretrain_cmd(a, arm), env={**os.environ, 'OMP_NUM_THREADS': '1'},
                                   stdout=open(out/f'{arm}.log', 'a'), stderr=subprocess.STDOUT) for arm in todo}
    for arm, p in procs.items():
        if p.wait(): raise SystemExit(f"pretraining {arm} failed: see {out/arm}.log")
    ft_size = ['--preset', 'tiny', '--max-train-docs', '300'] if a.quick else []
    clas_size = ['--preset', 'tiny', '--max-train', '300', '--max-test', '100'] if a.quick else []
    rows = {}
    for arm in a.arms:
        ft, clas = out/f'{arm}-trec-ft', out/f'{arm}-trec-clas'
        if metrics(ft) is None:
            subprocess.run(rt('finetune', '--lm', out/arm, '--target', 'trec', '--data-dir', a.data_dir, *ft_size, '--quiet',
                              '--out', ft), check=True)
        if metrics(clas) is None:
            subprocess.run(rt('classify', '--lm', ft, '--target', 'trec', '--data-dir', a.data_dir, *clas_size,
                              '--quiet', '--out', clas), check=True)
        pre, f, c = metrics(out/arm), metrics(ft), metrics(clas)
        base = c.get('baseline') or {}
        rows[arm] = dict(
            cutoffs=ARMS[arm], pretrain=dict(perplexity=pre['perplexity'], tokens_seen=pre['tokens_seen'],
                                             train_seconds=pre['train_seconds'], tokens_per_s=pre['tokens_per_s'],
                                             curve=pre.get('curve')),
            finetune=dict(perplexity_before=f['perplexity_before'], perplexity=f['perplexity'],
                          tokens_per_s=f['tokens_per_s'], train_seconds=f['train_seconds']),
            classify=dict(test_error=c['test_error'], valid_error=c.get('valid_error'),
                          wall_seconds=c.get('wall_seconds'), baseline_test_error=base.get('test_error'),
                          baseline_valid_error=base.get('valid_error')))
    print("| arm | pretrain tokens seen | tokens/s | valid perplexity | finetune tokens/s | TREC-6 test error "
          "| TF-IDF + LR |\n|---|---|---|---|---|---|---|")
    for arm, r in rows.items():
        p, f, c = r['pretrain'], r['finetune'], r['classify']
        print(f"| {arm} | {p['tokens_seen']:,} | {p['tokens_per_s']:,.0f} | {p['perplexity']:.1f} | "
              f"{f['tokens_per_s']:,.0f} | {100 * c['test_error']:.1f}% | {100 * (c['baseline_test_error'] or 0):.1f}% |")
    if not a.no_save and not a.quick:
        RESULTS.write_text(json.dumps(dict(
            bench='lm_budget', minutes=a.minutes, arms=rows, command=command(), git=git_rev(), cpu=cpu_name(),
            cores=os.cpu_count(),
            pretrain_commands={arm: tidy(' '.join(pretrain_cmd(a, arm)[1:])) for arm in a.arms},
            note="pretraining arms side by side, one thread each; fine-tuning and classifiers one after another",
            date=datetime.datetime.now().isoformat(timespec='seconds')), indent=1))

if __name__ == '__main__': main()
