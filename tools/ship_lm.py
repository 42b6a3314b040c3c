"""Ship a pretrained language model as package data: fp16 weights, checkpoint.json with a model card, and a perplexity plot.

    python tools/ship_lm.py RUN_DIR NAME --command "rnn-transfer pretrain ..." [--default]

RUN_DIR is the --out folder of a finished `rnn-transfer pretrain --eval-test --curve-every N` run. The result goes to
rnn_transfer/pretrained/NAME/ (model.safetensors, checkpoint.json, perplexity.png); --default makes it the LM that
`finetune`, `classify` and `demo` start from.
"""
import argparse, json, os, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT_MB = 20

def plot(curve:list, png:Path, title:str):
    import matplotlib; matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 3.6), dpi=110)
    x = [r['tokens'] / 1e6 for r in curve]
    for k, style in (('valid_perplexity', 'o-'), ('test_perplexity', 's--')):
        if all(k in r for r in curve): ax.plot(x, [r[k] for r in curve], style, label=k.split('_')[0], ms=4)
    for r in curve:
        if r['at'] == 'epoch': ax.axvline(r['tokens'] / 1e6, color='grey', lw=0.6, ls=':')
    ax.set(xlabel='training tokens seen (millions)', ylabel='perplexity', yscale='log', title=title)
    ax.grid(alpha=0.3, which='both'); ax.legend()
    fig.tight_layout(); fig.savefig(png); plt.close(fig)

def lineage(run:Path) -> list[dict]:
    """The legs of training behind `run`, oldest first: each `--init` parent's tokens, time and perplexity, from its
    model card (a shipped LM's card lists its own legs, or totals them) or its run's perplexity curve; each leg once."""
    from rnn_transfer.checkpoint import read_meta
    meta = read_meta(run, kind='lm')[1]
    if meta.get('card'):
        c = meta['card']
        if c.get('lineage'): return [dict(l) for l in c['lineage']]   # its own legs, each as it was recorded
        return [dict(leg=f"{run.name} (shipped)", tokens=c['tokens_seen'], train_seconds=c['train_seconds'], data=c['data'],
                     valid_perplexity=c['valid_perplexity'], backwards=bool(meta.get('backwards')))]
    last = json.loads((run/'metrics.json').read_text())['curve'][-1]
    init = (meta.get('provenance') or {}).get('init')
    # a parent shipped from this very run before (shipped again, e.g. to change --hardware) lists this leg already
    earlier = [l for l in lineage(Path(init)) if _home(l['leg']) != _home(str(run))] if init else []
    return earlier + [dict(
        leg=str(run), tokens=last['tokens'], train_seconds=last['train_seconds'], valid_perplexity=last['valid_perplexity'],
        backwards=bool(meta.get('backwards')))]

def _cpu() -> str:
    "This machine's CPU model name."
    for line in Path('/proc/cpuinfo').read_text().splitlines() if Path('/proc/cpuinfo').exists() else []:
        if line.startswith('model name'): return line.split(':', 1)[1].strip()
    return 'unknown CPU'

def _precision() -> str:
    "What `pretrain` trains in on this machine (for runs whose metrics do not say): bf16 where the CPU has bf16 units."
    from rnn_transfer.callbacks import cpu_bf16_ok
    return 'bf16 RNN' if cpu_bf16_ok() else 'fp32 (no bf16 units)'

def _home(s:str) -> str: return s.replace(str(Path.home()), '~')

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('run'); ap.add_argument('name')
    ap.add_argument('--command', required=True, help="the command that trained RUN (recorded in the model card)")
    ap.add_argument('--default', action='store_true', help="make NAME the default shipped LM")
    ap.add_argument('--hardware', help="what it was trained on (default: this machine, in the precision the run records)")
    ap.add_argument('--partner', help="the shipped name of this forward LM's backward partner (a pair, rnn_transfer.pair)")
    a = ap.parse_args()
    from rnn_transfer.checkpoint import export_lm, read_meta
    run = Path(a.run); m = json.loads((run/'metrics.json').read_text())
    _, meta = read_meta(run, kind='lm')
    precision = {'bf16': 'bf16 RNN', 'fp32': 'fp32', 'fp16': 'fp16'}.get(m.get('precision')) or _precision()
    a.hardware = a.hardware or f"{os.cpu_count()} CPU cores ({_cpu()}), {precision}"
    if 'curve' not in m: sys.exit(f"{run}: no perplexity curve in metrics.json; pretrain with --eval-test --curve-every N")
    # every row's epoch as the share of this corpus read so far: a time-budgeted leg's last row says epoch 1 otherwise
    c = [dict(r, epoch=round(r['tokens'] / m['train_tokens'], 4)) for r in m['curve']]; last = c[-1]
    legs = lineage(run)
    for leg in legs: leg['leg'] = _home(leg['leg'])
    bwd = bool(meta.get('backwards'))
    card = dict(
        data=f"English Wikipedia articles (WikiExtractor dump, 2015; the WikiText-103 stand-in in ../shared/data/wikipedia): {m['train_tokens']:,} training tokens, "
             "validation and test on its 60 + 60 held-out articles",
        # tokens and seconds from the curve: it survives resumes, while metrics.json counts the last process only
        tokens_seen=sum(l['tokens'] for l in legs), train_seconds=round(sum(l['train_seconds'] for l in legs), 1),
        # a time-budgeted leg stops inside its epoch: the share of this corpus it read
        epochs=round(last['tokens'] / m['train_tokens'], 2), lineage=legs, backwards=bwd, **({'partner': a.partner} if a.partner else {}),
        valid_perplexity=last['valid_perplexity'], test_perplexity=last.get('test_perplexity'), curve=c, command=_home(a.command),
        hardware=a.hardware,
        intended_use="the backward member of a forward + backward pair: it reads text right to left (finetune, classify and tag use it with its forward partner)" if bwd else
                     "starting point for ULMFiT fine-tuning and classification of English text"
                     + (" (finetune/classify/demo start from it)" if a.default else "")
                     + (f"; with its backward partner {a.partner}, a forward + backward pair (finetune, classify and tag use both)" if a.partner else "")
                     + "; next-word prediction and sampling",
        limits="small (cpu preset) and briefly trained compared with the paper's WikiText-103 model (emb 400, hidden 1150, 103M tokens x many epochs on a GPU): "
               "perplexity is far higher; lower-cased tokens with fastai's xxmaj/xxup markers; 2015 Wikipedia only, so its text reflects that source's topics and biases; "
               "tokens outside its vocabulary start from the mean embedding when fine-tuned")
    dest = ROOT/'rnn_transfer'/'pretrained'/a.name
    export_lm(run, dest, **card)
    ck = dest/'checkpoint.json'   # the run's folders as ~/..., not this machine's home
    ck.write_text(_home(ck.read_text()))
    plot(c, dest/'perplexity.png', f"{a.name}: {meta['arch'].upper()} {meta['config']['emb_sz']}/{meta['config']['n_hid']}/{meta['config']['n_layers']}, vocab {meta['vocab_sz']:,}")
    mb = (dest/'model.safetensors').stat().st_size / 1e6
    if mb >= LIMIT_MB: sys.exit(f"{dest/'model.safetensors'}: {mb:.1f} MB, over the {LIMIT_MB} MB limit")
    if a.default: (dest.parent/'DEFAULT').write_text(a.name + '\n')
    print(json.dumps(dict(shipped=str(dest), weights_mb=round(mb, 2), valid_perplexity=card['valid_perplexity'], test_perplexity=card['test_perplexity'],
                          tokens_seen=card['tokens_seen'], default=a.default)))

if __name__ == '__main__': main()
