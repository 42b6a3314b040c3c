"""Batch classification: documents/s to classify IMDb test reviews with one trained classifier, three ways:
fastai `learn.predict` in a loop, fastai `learn.get_preds` on `dls.test_dl(texts)`, and rnn_transfer's
`TextClassifier.predict_proba`.

Usage: python bench/classify.py [--quick] [--data-dir ../shared/data] [--model runs/cpu-lstm/imdb-clas] [--docs 1000]
The same weights run on both sides: the classifier checkpoint (`rnn-transfer classify` output; if --model does not
exist, a `cpu`-preset classifier is first trained from scratch on 1,000 IMDb reviews and saved there) is loaded into
a fastai `TextLearner` with fastai's own `TextDataLoaders` (same vocabulary and classes). Every method classifies the
same `--docs` test reviews from raw text, whole reviews (tokenisation included), after one warm-up document each; each side runs in
its own process. Also reported: the share of documents where fastai's and our predicted labels agree.
"""
import sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import parser, quiet, run_side, side_return, side_payload, emit, ROOT, side_args, shown_path

def side(a):
    quiet()
    import pandas as pd
    p = side_payload(a.io)
    texts = p['texts']
    if a.side == 'fastai':
        from fastai.text.all import TextDataLoaders, TextLearner, CrossEntropyLossFlat
        from rnn_transfer.checkpoint import load_checkpoint
        from rnn_transfer.models import text_classifier
        sd, meta = load_checkpoint(p['model'], kind='classifier')
        classes = meta['classes']
        df = pd.DataFrame({'text': texts[:4 * len(classes)], 'label': [classes[i % len(classes)] for i in range(4 * len(classes))]})
        dls = TextDataLoaders.from_df(df, text_col='text', label_col='label', text_vocab=meta['vocab'], bs=64, seq_len=meta['seq_len'], valid_pct=0.25, seed=0)
        assert list(dls.vocab[1]) == list(classes), (dls.vocab[1], classes)
        model = text_classifier(meta['arch'], meta['vocab_sz'], len(classes), meta['config'], lin_ftrs=meta['lin_ftrs'],
                                seq_len=meta['seq_len'], max_len=meta.get('pool_max_len', 72*20))
        model.load_state_dict(sd)
        learn = TextLearner(dls, model, loss_func=CrossEntropyLossFlat())
        learn.predict(texts[0])
        t = time.perf_counter(); loop = [int(learn.predict(x)[1]) for x in texts]; t_loop = time.perf_counter() - t
        learn.get_preds(dl=learn.dls.test_dl(texts[:1]))
        t = time.perf_counter(); probs, _ = learn.get_preds(dl=learn.dls.test_dl(texts)); t_gp = time.perf_counter() - t
        side_return(a.io, dict(loop=t_loop, get_preds=t_gp, labels=probs.argmax(1).tolist(), loop_labels=loop))
    else:
        from rnn_transfer.classifier import TextClassifier
        clf = TextClassifier.from_checkpoint(p['model'])
        clf.meta['max_len'] = None   # read whole reviews, as fastai's test_dl does (the same work on both sides)
        clf.predict_proba(texts[:1])
        t = time.perf_counter(); probs = clf.predict_proba(texts); dt = time.perf_counter() - t
        side_return(a.io, dict(ours=dt, labels=probs.argmax(1).tolist()))

def main():
    ap = parser(__doc__)
    ap.add_argument('--model', default=str(ROOT/'runs'/'cpu-lstm'/'imdb-clas'), help='classifier checkpoint folder')
    ap.add_argument('--docs', type=int, default=1000, help='IMDb test reviews to classify (--quick: 100)')
    a = ap.parse_args()
    if a.side: return side(a)
    quiet()
    import pandas as pd
    model = Path(a.model)
    if not (model/'checkpoint.json').exists():
        from rnn_transfer.classify import train_classifier
        print(f"no classifier at {model}: training one (cpu preset, from scratch, 1,000 IMDb reviews)", flush=True)
        train_classifier(None, Path(a.data_dir)/'imdb', model, preset='cpu', max_train=1000, max_test=200, final_epochs=1)
    n = 100 if a.quick else a.docs
    texts = pd.read_parquet(Path(a.data_dir)/'imdb'/'test.parquet').sample(n, random_state=0).text.tolist()
    args = side_args(a)
    f = run_side(__file__, 'fastai', 'imdb-test', args, dict(texts=texts, model=str(model)))
    o = run_side(__file__, 'ours', 'imdb-test', args, dict(texts=texts, model=str(model)))
    agree = sum(x == y for x, y in zip(f['labels'], o['labels'])) / n
    common = dict(docs=n, model=shown_path(model),
                  seconds_predict_loop=round(f['loop'], 2), seconds_get_preds=round(f['get_preds'], 2), seconds_ours=round(o['ours'], 2),
                  labels_agree=round(agree, 4))
    emit(a, 'classify', 'vs fastai predict loop', 'documents/s', 'docs/s', n / f['loop'], n / o['ours'], **common)
    emit(a, 'classify', 'vs fastai get_preds', 'documents/s', 'docs/s', n / f['get_preds'], n / o['ours'], **common)

if __name__ == '__main__': main()
