"Every local source layout the loaders promise: split files, aclImdb trees, folder-per-class trees, plain text, JSON lines, CSV columns."
import json, numpy as np, pandas as pd, pytest
from rnn_transfer.data import load_corpus, as_frame
from rnn_transfer.loaders import LMStream
from rnn_transfer.data import labelled_frames

def test_aclimdb_tree(tmp_path):
    for split in ('train', 'test'):
        for lab in ('pos', 'neg'):
            (tmp_path/'aclImdb'/split/lab).mkdir(parents=True)
            for i in range(3): (tmp_path/'aclImdb'/split/lab/f'{i}_7.txt').write_text(f'{lab} review {i}')
    (tmp_path/'aclImdb'/'train'/'unsup').mkdir()   # a folder without .txt files is ignored
    train, test, classes = labelled_frames('imdb', data_dir=tmp_path)
    assert classes == ['neg', 'pos'] and len(train) == 6 and len(test) == 6

def test_folder_per_class(tmp_path):
    for lab in ('a', 'b', 'c'):
        (tmp_path/lab).mkdir(); (tmp_path/lab/'x.txt').write_text(f'text of {lab}')
    train, test, classes = labelled_frames(tmp_path)
    assert classes == ['a', 'b', 'c'] and test is None

def test_text_files_for_lm(tmp_path):
    (tmp_path/'train.txt').write_text('first line\n\nsecond line\n')
    (tmp_path/'valid.txt').write_text('a valid line\n')
    dd = load_corpus(tmp_path)
    assert set(dd) == {'train', 'validation'}
    with pytest.warns(UserWarning, match='dropped 1 empty'):
        assert list(as_frame(dd['train']).text) == ['first line', 'second line']

def test_jsonl_and_custom_columns(tmp_path):
    rows = [{'body': f'doc {i}', 'y': i % 3} for i in range(9)]
    (tmp_path/'d.jsonl').write_text('\n'.join(json.dumps(r) for r in rows))
    train, _, classes = labelled_frames(tmp_path/'d.jsonl', text_col='body', label_col='y')
    assert classes == ['0', '1', '2'] and train.text[0] == 'doc 0'

def test_sharded_parquet(tmp_path):
    for i in range(3): pd.DataFrame({'text': [f'shard {i}'] * 2}).to_parquet(tmp_path/f'train-{i:02d}-of-03.parquet')
    pd.DataFrame({'text': ['v']}).to_parquet(tmp_path/'valid.parquet')
    assert len(load_corpus(tmp_path)['train']) == 6
    assert len(load_corpus(tmp_path, max_train_files=1)['train']) == 2

def test_env_data_dir(tmp_path, monkeypatch):
    (tmp_path/'trec').mkdir()
    pd.DataFrame({'text': ['what is x ?', 'who is y ?'], 'label': ['DESC', 'HUM']}).to_parquet(tmp_path/'trec'/'train.parquet')
    monkeypatch.setenv('RNN_TRANSFER_DATA', str(tmp_path))
    assert len(load_corpus('trec')['train']) == 2

def test_stream_covers_every_token_once():
    "One epoch of the LM stream predicts each token of the (bs-divisible part of the) stream exactly once."
    ids = np.arange(10_001, dtype=np.int32)
    dl = LMStream(ids, bs=8, bptt=30, seed=1)
    ys = np.concatenate([y.numpy().ravel() for _, y in dl])
    assert len(ys) == 8 * (10_000 // 8) and len(np.unique(ys)) == len(ys)
    a = [x.shape[1] for x, _ in LMStream(ids, bs=8, bptt=30, seed=1)]
    b = [x.shape[1] for x, _ in LMStream(ids, bs=8, bptt=30, seed=1)]
    assert a == b and 15 <= np.mean(a) <= 31      # seeded plan; mean near bptt (5% of windows are half length)

def test_bptt_lr_scaling(tmp_path):
    "The learning rate of a batch is scaled by its window length over bptt, then restored."
    from fastai.learner import Learner
    from fastai.data.core import DataLoaders
    from fastai.losses import CrossEntropyLossFlat
    from fastai.callback.core import Callback
    from rnn_transfer.callbacks import BPTTScaledLR
    from rnn_transfer.models import language_model
    seen = []
    class Spy(Callback):
        order = BPTTScaledLR.order + 1
        def before_batch(self):
            if self.training: seen.append((self.xb[0].shape[1], self.opt.hypers[0]['lr']))
    dl = LMStream(np.arange(3000, dtype=np.int32) % 50, bs=4, bptt=20, seed=0)
    learn = Learner(DataLoaders(dl, LMStream(np.arange(500, dtype=np.int32) % 50, bs=4, bptt=20, random_bptt=False)),
                    language_model('lstm', 56, dict(emb_sz=8, n_hid=16, n_layers=2)), loss_func=lambda p, y: CrossEntropyLossFlat()(p[0], y),
                    cbs=[BPTTScaledLR(), Spy()], lr=1e-3)
    learn.fit(1)
    assert all(abs(lr - 1e-3 * sl / 20) < 1e-12 for sl, lr in seen)
    assert learn.opt.hypers[0]['lr'] == 1e-3

def test_tokenize_dataset_cache(tmp_path, corpora, monkeypatch):
    "datasets.map tokenisation is cached on disk: reused while data and settings are unchanged, rebuilt when they change."
    import datasets
    from rnn_transfer import text as data
    ds = datasets.load_dataset('parquet', data_files=str(corpora/'general'/'train.parquet'), split='train', cache_dir=str(tmp_path/'hf'))
    caches = lambda: sorted(p.name for p in (tmp_path/'hf').rglob('cache-*.arrow'))
    t1 = data.tokenize_dataset(ds, num_proc=1); first = caches()
    assert first, "no cache file written"
    t2 = data.tokenize_dataset(ds, num_proc=1)
    assert caches() == first and list(t2) == list(t1)                     # a cache hit: nothing new written
    monkeypatch.setattr(data, 'TOKENIZE_VERSION', data.TOKENIZE_VERSION + 1)
    data.tokenize_dataset(ds, num_proc=1)
    assert len(caches()) > len(first)                                     # other settings: rebuilt
    assert list(t1) == list(data.tokenize(ds['text']))                    # the tokens `tokenize` makes
