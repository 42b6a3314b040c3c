"""Generation: tokens/s generating 200 words with one language model: fastai `LMLearner.predict(prompt, n_words=200)`
vs rnn_transfer's `LanguageModel.generate(prompt, n_words=200)`.

Usage: python bench/generation.py [--quick] [--data-dir ../shared/data] [--model runs/cpu-lstm/imdb-lm] [--words 200]
The same weights on both sides: the LM checkpoint (`rnn-transfer finetune`/`pretrain` output; if --model does not
exist, a `cpu`-size LM is first trained briefly on 200 IMDb reviews and saved there) is loaded into a fastai
`LMLearner` over fastai's `TextDataLoaders` with the same vocabulary. Both sample at temperature 1 from the full
distribution (fastai's defaults otherwise: `no_unk=True`, the whole text re-read for every new word), no progress
bar, for 3 prompts, after one warm-up generation of 5 words each; each side runs in its own process.
"""
import sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import parser, quiet, run_side, side_return, side_payload, emit, ROOT, side_args, shown_path

PROMPTS = ["This movie was", "I watched this film because", "The plot of the story"]

def side(a):
    quiet()
    import pandas as pd, torch
    p = side_payload(a.io)
    n = p['words']
    if a.side == 'fastai':
        from fastai.text.all import TextDataLoaders, LMLearner, CrossEntropyLossFlat
        from rnn_transfer.checkpoint import load_lm
        model, meta = load_lm(p['model'])
        df = pd.DataFrame({'text': PROMPTS * 4})
        dls = TextDataLoaders.from_df(df, text_col='text', is_lm=True, text_vocab=meta['vocab'], bs=2, seq_len=8, valid_pct=0.25, seed=0)
        learn = LMLearner(dls, model, loss_func=CrossEntropyLossFlat())
        learn.predict(PROMPTS[0], n_words=5, temperature=1., no_bar=True)
        torch.manual_seed(0)
        t = time.perf_counter(); outs = [learn.predict(x, n_words=n, temperature=1., no_bar=True) for x in PROMPTS]; dt = time.perf_counter() - t
    else:
        from rnn_transfer.generate import LanguageModel
        lm = LanguageModel.from_checkpoint(p['model'])
        lm.generate(PROMPTS[0], n_words=5, temperature=1., top_k=None, seed=0)
        t = time.perf_counter(); outs = [lm.generate(x, n_words=n, temperature=1., top_k=None, seed=i) for i, x in enumerate(PROMPTS)]; dt = time.perf_counter() - t
    side_return(a.io, dict(seconds=dt, sample=outs[0][:300]))

def main():
    ap = parser(__doc__)
    ap.add_argument('--model', default=str(ROOT/'runs'/'cpu-lstm'/'imdb-lm'), help='LM checkpoint folder')
    ap.add_argument('--words', type=int, default=200)
    a = ap.parse_args()
    if a.side: return side(a)
    quiet()
    model = Path(a.model)
    if not (model/'checkpoint.json').exists():
        from rnn_transfer.lm import pretrain
        print(f"no LM at {model}: training one briefly (cpu preset, 200 IMDb reviews)", flush=True)
        pretrain(Path(a.data_dir)/'imdb', model, preset='cpu', max_train_docs=200)
    words = 20 if a.quick else a.words
    args = side_args(a)
    pay = dict(model=str(model), words=words)
    f = run_side(__file__, 'fastai', 'generate', args, pay)
    o = run_side(__file__, 'ours', 'generate', args, pay)
    n = words * len(PROMPTS)
    emit(a, 'generate', f'{words} words', 'tokens/s', 'tokens/s', n / f['seconds'], n / o['seconds'],
         model=shown_path(model),
         seconds_fastai=round(f['seconds'], 2), seconds_ours=round(o['seconds'], 2), sample_ours=o['sample'], sample_fastai=f['sample'])

if __name__ == '__main__': main()
