"""Bad input gets one readable message (exit 2 from the CLI, a specific exception from the API) and leaves no output behind.

One test per row of the bad-input matrix; each row is tried at the CLI (in-process `main`, the code the console script runs)
and at the Python API. A few rows also run the real console script, for its exit status."""
import json, shutil
import numpy as np, pandas as pd, pytest
from pathlib import Path
from conftest import cli
from rnn_transfer.cli import main
from rnn_transfer.core import DataError, ConfigError, CheckpointError
from rnn_transfer.data import load_corpus
from rnn_transfer.lm import pretrain, finetune
from rnn_transfer.checkpoint import load_checkpoint, load_weights
from rnn_transfer.models import language_model
from rnn_transfer.classify import train_classifier
from rnn_transfer.classifier import TextClassifier
from rnn_transfer.generate import LanguageModel

def run(capsys, *args):
    "Exit status, stdout and stderr of `rnn-transfer ARGS`, run in this process."
    try: code = main([str(a) for a in args])
    except SystemExit as e: code = e.code
    out, err = capsys.readouterr()
    return code, out, err

def fails(capsys, args, *needles, out=None):
    "The CLI exits 2 with one `rnn-transfer: error:` line holding every needle, no traceback, and `out` not created."
    code, _, err = run(capsys, *args)
    assert code == 2, (code, err[-2000:])
    assert 'Traceback' not in err and err.count('error:') == 1, err
    for n in needles: assert n in err, (n, err)
    if out is not None: assert not Path(out).exists(), f"{out} was left behind"
    return err

@pytest.fixture(scope='module')
def ckpts(tmp_path_factory, corpora):
    "A tiny LSTM LM, a tiny GRU LM and a tiny classifier."
    d = tmp_path_factory.mktemp('ckpts')
    pretrain(corpora/'general', d/'lm', preset='tiny', epochs=1)
    pretrain(corpora/'general', d/'gru', preset='tiny', arch='gru', epochs=1, max_vocab=40)
    train_classifier(d/'lm', corpora/'target', d/'clf', preset='tiny', final_epochs=1)
    return d

def copy(src, dst): shutil.copytree(src, dst); return dst

# --- files and paths -------------------------------------------------------------------------------

def test_missing_path(capsys, tmp_path, corpora, ckpts):
    o, nope = tmp_path/'o', tmp_path/'nope.csv'
    fails(capsys, ['pretrain', '--corpus', nope, '--preset', 'tiny', '--out', o], str(nope), 'no such file', out=o)
    fails(capsys, ['finetune', '--lm', ckpts/'lm', '--target', nope, '--out', o], str(nope), 'no such file', out=o)
    fails(capsys, ['classify', '--lm', 'none', '--preset', 'tiny', '--target', corpora/'target', '--test', nope, '--out', o], str(nope), out=o)
    fails(capsys, ['classify', '--lm', tmp_path/'no-lm', '--target', corpora/'target', '--out', o], 'no-lm: no such checkpoint', out=o)
    fails(capsys, ['predict', '--model', ckpts/'clf', '--file', nope], str(nope), 'no such file')
    fails(capsys, ['generate', '--model', tmp_path/'no-lm', 'The'], 'no such checkpoint')
    with pytest.raises(DataError, match='no such file'): load_corpus(nope)
    with pytest.raises(DataError, match='no such file'): pretrain(nope, o, preset='tiny')
    with pytest.raises(CheckpointError, match='no such checkpoint'): TextClassifier.from_checkpoint(tmp_path/'x')
    with pytest.raises(CheckpointError, match='no such checkpoint'): finetune(tmp_path/'x', corpora/'target', o)
    assert not o.exists()

def test_empty_file(capsys, tmp_path, ckpts):
    (tmp_path/'e.csv').write_text(''); (tmp_path/'e.txt').write_text('\n  \n')
    o = tmp_path/'o'
    fails(capsys, ['pretrain', '--corpus', tmp_path/'e.csv', '--preset', 'tiny', '--out', o], 'e.csv: the file is empty', out=o)
    fails(capsys, ['classify', '--lm', 'none', '--preset', 'tiny', '--target', tmp_path/'e.csv', '--out', o], 'the file is empty', out=o)
    fails(capsys, ['predict', '--model', ckpts/'clf', '--file', tmp_path/'e.txt'], 'nothing to classify')
    with pytest.raises(DataError, match='empty'): load_corpus(tmp_path/'e.csv')
    with pytest.raises(DataError, match='empty'): train_classifier(None, tmp_path/'e.csv', o, preset='tiny')

def test_no_text_or_label_column(capsys, tmp_path):
    pd.DataFrame({'review': ['a b c'] * 10, 'sentiment': ['x', 'y'] * 5}).to_csv(tmp_path/'d.csv', index=False)
    o, args = tmp_path/'o', ['--preset', 'tiny', '--out', tmp_path/'o']
    fails(capsys, ['pretrain', '--corpus', tmp_path/'d.csv', *args], "no text column 'text'", 'Columns found: review, sentiment', '--text-col', out=o)
    fails(capsys, ['classify', '--lm', 'none', '--target', tmp_path/'d.csv', *args], "no text column 'text'", 'Columns found: review, sentiment', out=o)
    fails(capsys, ['classify', '--lm', 'none', '--target', tmp_path/'d.csv', '--text-col', 'review', *args], "no label column 'label'", '--label-col', out=o)
    with pytest.raises(DataError, match="no label column 'label'. Columns found: review, sentiment"):
        train_classifier(None, tmp_path/'d.csv', o, text_col='review', preset='tiny')

def test_one_class(capsys, tmp_path):
    pd.DataFrame({'text': ['good film', 'great film', 'fine film'], 'label': ['pos'] * 3}).to_csv(tmp_path/'d.csv', index=False)
    o = tmp_path/'o'
    fails(capsys, ['classify', '--lm', 'none', '--preset', 'tiny', '--target', tmp_path/'d.csv', '--out', o], 'one class only', "'pos'", '--label-col', out=o)
    with pytest.raises(DataError, match='one class only'): train_classifier(None, tmp_path/'d.csv', o, preset='tiny')
    assert not o.exists()

def test_unseen_test_labels(capsys, tmp_path, corpora):
    pd.DataFrame({'text': ['odd film'] * 3, 'label': ['meh'] * 3}).to_csv(tmp_path/'t.csv', index=False)
    o = tmp_path/'o'
    fails(capsys, ['classify', '--lm', 'none', '--preset', 'tiny', '--target', corpora/'target', '--test', tmp_path/'t.csv', '--out', o],
          "test labels ['meh'] never occur in training", out=o)
    with pytest.raises(DataError, match='never occur in training'): train_classifier(None, corpora/'target', o, test=tmp_path/'t.csv', preset='tiny')

# --- messy text: repaired or dropped, and counted --------------------------------------------------

def test_non_utf8_is_replaced_and_counted(capsys, tmp_path, ckpts):
    rows = ''.join(f'"the film number {i} was caf\xe9 good",{"pos" if i % 2 else "neg"}\n' for i in range(60))
    (tmp_path/'d.csv').write_bytes(('text,label\n' + rows).encode('latin-1'))
    with pytest.warns(UserWarning, match='60 byte\\(s\\) were not valid UTF-8'):
        dd = load_corpus(tmp_path/'d.csv')
    assert '\ufffd' in dd['train'][0]['text']
    code, _, err = run(capsys, 'pretrain', '--corpus', tmp_path/'d.csv', '--preset', 'tiny', '--out', tmp_path/'o', '--epochs', 1)
    assert code == 0 and 'rnn-transfer: warning:' in err and '60 byte(s) were not valid UTF-8' in err and (tmp_path/'o'/'checkpoint.json').exists()
    (tmp_path/'r.txt').write_bytes('a caf\xe9 film\nbad \xff\xfe one\n'.encode('latin-1'))
    code, out, err = run(capsys, 'predict', '--model', ckpts/'clf', '--file', tmp_path/'r.txt')
    assert code == 0 and '3 byte(s) were not valid UTF-8' in err and len(out.splitlines()) == 2

def test_empty_documents_dropped_and_counted(capsys, tmp_path, corpora, ckpts):
    df = pd.read_parquet(corpora/'target'/'train.parquet')
    df.loc[:4, 'text'] = ['', '   ', '\n\t', None, ' ']
    df.to_csv(tmp_path/'d.csv', index=False)
    with pytest.warns(UserWarning, match=r'dropped 5 empty or whitespace-only document\(s\)'):
        m = train_classifier(None, tmp_path/'d.csv', tmp_path/'o', preset='tiny', final_epochs=1)
    assert m['train_n'] + m['valid_n'] == len(df) - 5
    pd.DataFrame({'text': ['', '  '], 'label': ['a', 'b']}).to_csv(tmp_path/'blank.csv', index=False)
    fails(capsys, ['classify', '--lm', 'none', '--preset', 'tiny', '--target', tmp_path/'blank.csv', '--out', tmp_path/'o2'],
          "no non-empty documents in column 'text'", out=tmp_path/'o2')
    (tmp_path/'p.txt').write_text('a good film\n\n   \nbad film\n')
    code, out, err = run(capsys, 'predict', '--model', ckpts/'clf', '--file', tmp_path/'p.txt')
    assert code == 0 and 'skipped 2 empty or whitespace-only line(s)' in err and len(out.splitlines()) == 2

def test_long_documents_truncated_and_counted(tmp_path, corpora, ckpts):
    df = pd.read_parquet(corpora/'target'/'train.parquet')
    df.loc[:2, 'text'] = df.loc[:2, 'text'] * 40          # far longer than the tiny preset's max_len=200
    df.to_parquet(tmp_path/'train.parquet')
    with pytest.warns(UserWarning, match=r'document\(s\) longer than max_len=200 tokens were truncated'):
        train_classifier(ckpts/'lm', tmp_path/'train.parquet', tmp_path/'o', preset='tiny', final_epochs=1)

# --- checkpoints ------------------------------------------------------------------------------------

def test_checkpoint_of_other_architecture(capsys, tmp_path, corpora, ckpts):
    o = tmp_path/'o'
    fails(capsys, ['classify', '--lm', ckpts/'gru', '--arch', 'lstm', '--target', corpora/'target', '--out', o], '--arch lstm', 'AWD-GRU', out=o)
    with pytest.raises(ConfigError, match='is an AWD-GRU'): train_classifier(ckpts/'gru', corpora/'target', o, arch='lstm')
    sd, meta = load_checkpoint(ckpts/'gru')
    with pytest.raises(CheckpointError, match="arch='gru'"):
        load_weights(language_model('lstm', meta['vocab_sz'], meta['config']), sd, meta, dict(arch='lstm', vocab_sz=meta['vocab_sz']))
    # a checkpoint.json that claims LSTM over GRU weights
    bad = copy(ckpts/'gru', tmp_path/'bad')
    m = json.loads((bad/'checkpoint.json').read_text()); m['arch'] = 'lstm'; (bad/'checkpoint.json').write_text(json.dumps(m))
    fails(capsys, ['generate', '--model', bad, 'The'], 'does not fit the model', 'wrong-shaped')
    with pytest.raises(CheckpointError, match='does not fit'): LanguageModel.from_checkpoint(bad)
    fails(capsys, ['predict', '--model', ckpts/'lm', 'some text'], 'this is a lm checkpoint, a classifier checkpoint is needed')

def test_checkpoint_of_other_vocab_size(capsys, tmp_path, ckpts):
    # weights of the GRU LM (a smaller vocab) next to the LSTM LM's checkpoint.json: the checksum says they do not belong together
    mixed = copy(ckpts/'lm', tmp_path/'mixed'); shutil.copy(ckpts/'gru'/'model.safetensors', mixed/'model.safetensors')
    fails(capsys, ['generate', '--model', mixed, 'The'], 'checksum mismatch', 'belongs to another checkpoint')
    # same, with the checksum removed: the shapes say so
    m = json.loads((mixed/'checkpoint.json').read_text()); del m['weights_sha256']; m['arch'] = 'gru'; (mixed/'checkpoint.json').write_text(json.dumps(m))
    with pytest.raises(CheckpointError, match=r"vocab=(\d+)\) \(its weights have (?!\1\b)\d+ embedding rows\) does not fit"): LanguageModel.from_checkpoint(mixed)
    # a vocabulary list that does not match vocab_sz
    short = copy(ckpts/'lm', tmp_path/'short')
    m = json.loads((short/'checkpoint.json').read_text()); m['vocab'] = m['vocab'][:50]; (short/'checkpoint.json').write_text(json.dumps(m))
    fails(capsys, ['finetune', '--lm', short, '--target', tmp_path, '--out', tmp_path/'o'], 'the vocabulary has 50 tokens but vocab_sz is', out=tmp_path/'o')
    sd, meta = load_checkpoint(ckpts/'lm')
    with pytest.raises(CheckpointError, match='vocab_sz'):
        load_weights(language_model('lstm', 16, meta['config']), sd, meta, dict(arch='lstm', vocab_sz=16))

def test_truncated_checkpoint(capsys, tmp_path, corpora, ckpts):
    t = copy(ckpts/'lm', tmp_path/'t'); w = t/'model.safetensors'; w.write_bytes(w.read_bytes()[:500])
    fails(capsys, ['generate', '--model', t, 'The film'], str(w), 'checksum mismatch')
    m = json.loads((t/'checkpoint.json').read_text()); del m['weights_sha256']; (t/'checkpoint.json').write_text(json.dumps(m))
    fails(capsys, ['finetune', '--lm', t, '--target', corpora/'target', '--out', tmp_path/'o'], 'truncated or corrupted', out=tmp_path/'o')
    j = copy(ckpts/'clf', tmp_path/'j'); (j/'checkpoint.json').write_text((j/'checkpoint.json').read_text()[:300])
    fails(capsys, ['predict', '--model', j, 'a film'], 'checkpoint.json: unreadable', 're-run the stage')
    with pytest.raises(CheckpointError, match='unreadable'): TextClassifier.from_checkpoint(j)

def test_corrupted_checkpoint(capsys, tmp_path, ckpts):
    c = copy(ckpts/'clf', tmp_path/'c'); w = c/'model.safetensors'
    b = bytearray(w.read_bytes()); b[len(b) // 2: len(b) // 2 + 64] = bytes(64); w.write_bytes(bytes(b))   # same size, zeros in the data
    fails(capsys, ['predict', '--model', c, 'a film'], 'checksum mismatch')
    with pytest.raises(CheckpointError, match='checksum mismatch'): TextClassifier.from_checkpoint(c)
    g = copy(ckpts/'lm', tmp_path/'g'); (g/'model.safetensors').write_bytes(np.random.default_rng(0).bytes(4000))
    m = json.loads((g/'checkpoint.json').read_text()); del m['weights_sha256']; (g/'checkpoint.json').write_text(json.dumps(m))
    fails(capsys, ['generate', '--model', g, 'The'], 'truncated or corrupted')
    fails(capsys, ['generate', '--model', tmp_path, 'The'], 'not a checkpoint folder')

# --- names ------------------------------------------------------------------------------------------

def test_unknown_names(capsys, tmp_path):
    o = tmp_path/'o'
    fails(capsys, ['pretrain', '--corpus', 'wikitext-99', '--preset', 'tiny', '--out', o], 'not a known corpus (wikitext-103, imdb, trec)', out=o)
    fails(capsys, ['pretrain', '--preset', 'huge', '--out', o], "invalid choice: 'huge'", 'tiny', out=o)
    fails(capsys, ['classify', '--lm', 'none', '--arch', 'rnn', '--out', o], "invalid choice: 'rnn'", out=o)
    fails(capsys, ['classify', '--lm', 'none', '--schedule', 'thaw', '--out', o], "invalid choice: 'thaw'", out=o)
    fails(capsys, ['classify', '--lm', 'none', '--schedule', 'last', '--out', o], "schedule 'last' needs a language model", out=o)
    fails(capsys, ['classify', '--lm', 'none', '--max-len', 0, '--out', o], '--max-len', '0 is too small: give at least 2', out=o)
    fails(capsys, ['classify', '--lm', 'none', '--max-len', 'long', '--out', o], "'long' is not a whole number", out=o)
    with pytest.raises(ConfigError, match='tiny, demo, cpu, paper'): pretrain('x', o, preset='huge')
    with pytest.raises(ConfigError, match='lstm, gru'): pretrain('x', o, arch='rnn', preset='tiny')
    with pytest.raises(DataError, match='not a known corpus'): load_corpus('imdbb')
    assert not o.exists()

def test_offline_hub_message(capsys, tmp_path):
    fails(capsys, ['classify', '--lm', 'none', '--target', 'trec', '--data-dir', tmp_path, '--out', tmp_path/'o'], 'offline', '--data-dir', out=tmp_path/'o')

def test_console_script_exit_status(tmp_path):
    "The installed `rnn-transfer` script itself: exit 2, one line, no traceback."
    r = cli('pretrain', '--corpus', tmp_path/'nope.csv', '--preset', 'tiny', '--out', tmp_path/'o', check=False)
    assert r.returncode == 2 and r.stderr.strip().splitlines()[-1].startswith('rnn-transfer: error:') and 'Traceback' not in r.stderr
    r = cli('pretrain', '--preset', 'huge', check=False)
    assert r.returncode == 2 and 'invalid choice' in r.stderr
    assert not (tmp_path/'o').exists()
