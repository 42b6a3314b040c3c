"""Tagging speed: sentences per second for prediction, our tagger beside the CRF baseline, in one run.

Both sides start from words (the test split of the corpus the tagger was trained on) and end with tags: the tagger
through `TokenTagger.predict` (LM tokens, characters, the encoder(s), the head, Viterbi), the CRF through its word
features and crfsuite's Viterbi. The CRF is fitted here on the same training split with the c2 the tagger's run chose
on validation. Each side runs at 1 thread and at all threads, alternately, best of `--reps`. The tagger's arithmetic
(counted by `torch.utils.flop_counter`) over its time gives its GFLOP/s, beside this machine's fp32 GEMM rate measured
in the same run (2048 x 2048 x 2048): the share of the ceiling.

    python bench/tag_speed.py --tagger ~/runs/tag/ud-ewt [--data-dir ../shared/data] [--reps 3] [--quick]

Results: one JSON line appended to bench/results/tag_speed.jsonl, and a Markdown table on stdout.
"""
import argparse, datetime, json, os, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from _common import git_rev, command, cpu_name, tidy

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT/'bench'/'results'/'tag_speed.jsonl'

def best_of(f, reps:int) -> float:
    "The fastest of `reps` timed calls of `f()`, in seconds."
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        out.append(time.perf_counter() - t0)
    return min(out)

def tagger_flops(tt, sentences:list) -> float:
    "Floating-point operations of one `predict` over `sentences`, as PyTorch's flop counter counts them."
    from torch.utils.flop_counter import FlopCounterMode
    with FlopCounterMode(display=False) as fc: tt.predict(sentences)
    return float(fc.get_total_flops())

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--tagger', required=True, help="a `rnn-transfer tag` output folder")
    ap.add_argument('--data-dir', default=str(ROOT.parent/'shared'/'data'))
    ap.add_argument('--reps', type=int, default=3)
    ap.add_argument('--quick', action='store_true', help="200 test sentences, 300 training sentences for the CRF")
    ap.add_argument('--no-save', action='store_true')
    a = ap.parse_args()
    import torch
    from rnn_transfer.tag import TokenTagger
    from rnn_transfer.tag_data import tag_splits
    from rnn_transfer.tag_baseline import sentence_features, fit_crf
    tt = TokenTagger.from_checkpoint(a.tagger)
    m = json.loads((Path(a.tagger)/'metrics.json').read_text())
    target = tt.meta['provenance'].get('data') or 'ud-ewt'
    frames = tag_splits(target, data_dir=a.data_dir)
    test, train = frames['test'], frames['train']
    if a.quick: test, train = test.iloc[:200], train.iloc[:300]
    sents = [list(s) for s in test.tokens]
    c2 = (m.get('baseline') or {}).get('c2', 0.1)
    crf = fit_crf([sentence_features(s) for s in train.tokens], list(train.tags), c2)
    crf_run = lambda: crf.predict([sentence_features(s) for s in sents])
    ours_run = lambda: tt.predict(sents)
    n_tokens = sum(map(len, sents))
    rows, all_threads = {}, os.cpu_count()
    for threads in sorted({1, all_threads}):
        torch.set_num_threads(threads)
        ours, theirs = best_of(ours_run, a.reps), best_of(crf_run, a.reps)
        rows[threads] = dict(tagger_sentences_per_s=len(sents) / ours, crf_sentences_per_s=len(sents) / theirs,
                             ratio=theirs / ours)
    torch.set_num_threads(all_threads)
    flops = tagger_flops(tt, sents)
    sq = torch.randn(2048, 2048)
    gemm = best_of(lambda: sq @ sq, 5)
    ceiling = 2 * 2048 ** 3 / gemm / 1e9
    achieved = flops / (len(sents) / rows[all_threads]['tagger_sentences_per_s']) / 1e9
    res = dict(bench='tag_speed', tagger=tidy(str(a.tagger)), target=target, sentences=len(sents), words=n_tokens,
               encoder=dict(config=tt.meta['config'], backward=tt.meta['backward'], layers=tt.meta['layers']),
               by_threads=rows, tagger_gflop=round(flops / 1e9, 2), tagger_gflops_per_s=round(achieved, 1),
               gemm_gflops_per_s=round(ceiling, 1), share_of_ceiling=round(achieved / ceiling, 3),
               crf_note="crfsuite's predict runs on one thread", quick=a.quick, command=command(), git=git_rev(),
               cpu=cpu_name(), cores=all_threads, date=datetime.datetime.now().isoformat(timespec='seconds'))
    print("| threads | tagger sentences/s | CRF sentences/s | tagger / CRF |\n|---|---|---|---|")
    for t, r in rows.items():
        print(f"| {t} | {r['tagger_sentences_per_s']:,.0f} | {r['crf_sentences_per_s']:,.0f} | {r['ratio']:.2f} |")
    print(f"tagger: {res['tagger_gflop']} GFLOP for {len(sents):,} sentences, {achieved:.1f} GFLOP/s at {all_threads} "
          f"threads = {achieved / ceiling:.1%} of this machine's fp32 GEMM rate ({ceiling:.0f} GFLOP/s)")
    if not a.no_save and not a.quick:
        with open(RESULTS, 'a') as f: f.write(json.dumps(res) + '\n')

if __name__ == '__main__': main()
