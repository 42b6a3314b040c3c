"Bad input gets one readable message (exit 2 from the CLI, a specific exception from the API) and leaves no output behind."
import pandas as pd, pytest, warnings
from pathlib import Path
from conftest import cli
from rnn_transfer.data import DataError, RnnTransferError, load_corpus
from rnn_transfer.lm import pretrain, CheckpointError, load_checkpoint
from rnn_transfer.classifier import train_classifier

def _fails(args, *needles, tmp_path=None):
    r = cli(*args, check=False)
    assert r.returncode == 2, (r.returncode, r.stdout[-2000:], r.stderr[-2000:])
    assert 'Traceback' not in r.stderr
    for n in needles: assert n in r.stderr, r.stderr
    return r

def test_missing_path(tmp_path):
    _fails(['pretrain', '--corpus', tmp_path/'nope.csv', '--preset', 'tiny', '--out', tmp_path/'o'], 'no such file')
    assert not (tmp_path/'o').exists()

def test_empty_file(tmp_path):
    (tmp_path/'e.csv').write_text('')
    _fails(['pretrain', '--corpus', tmp_path/'e.csv', '--preset', 'tiny', '--out', tmp_path/'o'], 'empty')
    assert not (tmp_path/'o').exists()
    with pytest.raises(DataError, match='empty'): load_corpus(tmp_path/'e.csv')

def test_missing_column(tmp_path, corpora):
    pd.DataFrame({'review': ['a b c'] * 10, 'sentiment': ['x', 'y'] * 5}).to_csv(tmp_path/'d.csv', index=False)
    r = _fails(['classify', '--lm', 'none', '--preset', 'tiny', '--target', tmp_path/'d.csv', '--out', tmp_path/'o'], "no text column 'text'", 'Columns found: review, sentiment')
    _fails(['classify', '--lm', 'none', '--preset', 'tiny', '--target', tmp_path/'d.csv', '--text-col', 'review', '--out', tmp_path/'o'], "no label column 'label'")
    assert not (tmp_path/'o').exists()

def test_one_class(tmp_path):
    pd.DataFrame({'text': ['good film', 'great film', 'fine film'], 'label': ['pos'] * 3}).to_csv(tmp_path/'d.csv', index=False)
    _fails(['classify', '--lm', 'none', '--preset', 'tiny', '--target', tmp_path/'d.csv', '--out', tmp_path/'o'], 'one class only')
    with pytest.raises(DataError, match='one class only'): train_classifier(None, tmp_path/'d.csv', tmp_path/'o', preset='tiny')
    assert not (tmp_path/'o').exists()

def test_unseen_test_labels(tmp_path, corpora):
    pd.DataFrame({'text': ['odd film'] * 3, 'label': ['meh'] * 3}).to_csv(tmp_path/'t.csv', index=False)
    _fails(['classify', '--lm', 'none', '--preset', 'tiny', '--target', corpora/'target', '--test', tmp_path/'t.csv', '--out', tmp_path/'o'], "never occur in training")

def test_non_utf8_is_replaced_and_counted(tmp_path):
    rows = ''.join(f'"the film number {i} was caf\xe9 good",{"pos" if i % 2 else "neg"}\n' for i in range(60))
    (tmp_path/'d.csv').write_bytes(('text,label\n' + rows).encode('latin-1'))
    with pytest.warns(UserWarning, match='60 byte\\(s\\) were not valid UTF-8'):
        dd = load_corpus(tmp_path/'d.csv')
    assert '\ufffd' in dd['train'][0]['text']
    r = cli('pretrain', '--corpus', tmp_path/'d.csv', '--preset', 'tiny', '--out', tmp_path/'o', '--epochs', 1)
    assert 'not valid UTF-8' in r.stderr and (tmp_path/'o'/'checkpoint.json').exists()

def test_wrong_checkpoint(tmp_path, corpora):
    cli('pretrain', '--corpus', corpora/'general', '--preset', 'tiny', '--out', tmp_path/'lm', '--epochs', 1)
    # an LM where a classifier is needed
    _fails(['predict', '--model', tmp_path/'lm', 'some text'], 'this is a lm checkpoint, a classifier checkpoint is needed')
    # not a checkpoint at all
    _fails(['finetune', '--lm', tmp_path, '--target', corpora/'target', '--out', tmp_path/'o'], 'not a checkpoint folder')
    # truncated weights
    w = tmp_path/'lm'/'model.safetensors'; w.write_bytes(w.read_bytes()[:500])
    _fails(['generate', '--model', tmp_path/'lm', 'The film'], 'truncated or corrupted')
    assert not (tmp_path/'o').exists()

def test_checkpoint_of_other_architecture(tmp_path, corpora):
    from rnn_transfer.lm import load_weights
    from rnn_transfer.models import language_model
    pretrain(corpora/'general', tmp_path/'lm', preset='tiny', arch='gru', epochs=1)
    sd, meta = load_checkpoint(tmp_path/'lm')
    with pytest.raises(CheckpointError, match="arch='gru'"):
        load_weights(language_model('lstm', meta['vocab_sz'], meta['config']), sd, meta, dict(arch='lstm', vocab_sz=meta['vocab_sz']))
    with pytest.raises(CheckpointError, match='vocab_sz'):
        load_weights(language_model('gru', 16, meta['config']), sd, meta, dict(arch='gru', vocab_sz=16))

def test_unknown_names(tmp_path):
    _fails(['pretrain', '--corpus', 'wikitext-99', '--preset', 'tiny', '--out', tmp_path/'o'], 'not a known corpus (wikitext-103, imdb, trec)')
    r = cli('pretrain', '--preset', 'huge', check=False)
    assert r.returncode == 2 and 'invalid choice' in r.stderr
    with pytest.raises(RnnTransferError, match='tiny, demo, cpu, paper'): pretrain('x', tmp_path/'o', preset='huge')

def test_offline_hub_message(tmp_path):
    _fails(['classify', '--lm', 'none', '--target', 'trec', '--data-dir', tmp_path, '--out', tmp_path/'o'], 'offline', '--data-dir')
