"End to end on tiny synthetic data: the three stages, prediction and generation, through the Python API and the CLI, both architectures."
import json
import numpy as np, pytest
from rnn_transfer.data import synthetic_corpus
from conftest import cli
from rnn_transfer.lm import pretrain, finetune
from rnn_transfer.classify import train_classifier
from rnn_transfer.classifier import TextClassifier
from rnn_transfer.generate import LanguageModel

POS = 'The film was wonderful and I loved it. The story felt brilliant as I hoped. The cast was superb and it made my day.'
NEG = 'The film was awful and I hated it. The story felt boring as I feared. The cast was terrible and I left early.'

@pytest.mark.parametrize('arch', ['lstm', 'gru'])
def test_api_pipeline(corpora, tmp_path, arch):
    m1 = pretrain(corpora/'general', tmp_path/'pre', preset='tiny', arch=arch, seed=0)
    assert m1['history'][-1]['valid_loss'] < m1['history'][0]['valid_loss'] + 0.05
    m2 = finetune(tmp_path/'pre', corpora/'target', tmp_path/'ft', seed=0)
    assert m2['perplexity'] < m2['perplexity_before'] / 2            # fine-tuning adapts the LM to the target
    m3 = train_classifier(tmp_path/'ft', corpora/'target', tmp_path/'clas', seed=0)
    assert [s['stage'] for s in m3['stages']] == ['freeze_to(-1)', 'freeze_to(-2)', 'freeze_to(-3)', 'all']
    assert m3['test_error'] < 0.25 and m3['predicted_classes'] == 2, m3
    for sub in ('pre', 'ft', 'clas'):
        assert {'checkpoint.json', 'model.safetensors', 'metrics.json'} <= {p.name for p in (tmp_path/sub).iterdir()}
    meta = json.loads((tmp_path/'clas'/'checkpoint.json').read_text())
    assert meta['arch'] == arch and meta['classes'] == ['neg', 'pos'] and meta['provenance']['seed'] == 0
    clf = TextClassifier.from_checkpoint(tmp_path/'clas')
    new_docs = synthetic_corpus(40, seed=9)
    assert (clf.predict(list(new_docs.text)).label == new_docs.label).mean() >= 0.75
    lm = LanguageModel.from_checkpoint(tmp_path/'ft')
    assert len(lm.generate('The film', 12, seed=0).split()) >= 8
    assert lm.predict_next('The film', 3)[0][0] in ('was', 'seemed', 'felt', 'looked', 'became')

def test_freeze_groups(corpora, tmp_path):
    "freeze_to(-2) trains the head and the last RNN layer only."
    from rnn_transfer.models import text_classifier, classifier_splitter
    from fastai.learner import Learner
    from fastai.data.core import DataLoaders
    from fastai.losses import CrossEntropyLossFlat
    model = text_classifier('gru', 50, 2, dict(emb_sz=8, n_hid=16, n_layers=3))
    learn = Learner(DataLoaders([], []), model, loss_func=CrossEntropyLossFlat(), splitter=classifier_splitter)
    learn.create_opt(); learn.freeze_to(-2)
    trainable = {n.split('.')[3] if n.startswith('0.module.rnns') else n.split('.')[0] for n, p in model.named_parameters() if p.requires_grad and 'bn' not in n}
    assert trainable == {'2', '1'}, trainable    # rnns.2 (last layer) and the head (model[1])

def test_seed_reproducible(corpora, tmp_path):
    a = pretrain(corpora/'general', tmp_path/'a', preset='tiny', seed=7)
    b = pretrain(corpora/'general', tmp_path/'b', preset='tiny', seed=7)
    c = pretrain(corpora/'general', tmp_path/'c', preset='tiny', seed=8)
    assert a['valid_loss'] == b['valid_loss'] and a['valid_loss'] != c['valid_loss']

def test_cli_pipeline(corpora, tmp_path):
    cli('pretrain', '--corpus', corpora/'general', '--preset', 'tiny', '--arch', 'gru', '--out', tmp_path/'pre', '--seed', 1)
    cli('finetune', '--lm', tmp_path/'pre', '--target', corpora/'target', '--out', tmp_path/'ft')
    r = cli('classify', '--lm', tmp_path/'ft', '--target', corpora/'target', '--out', tmp_path/'clas')
    assert 'test error' in r.stdout
    m = json.loads((tmp_path/'clas'/'metrics.json').read_text())
    assert m['test_error'] < 0.3
    new_docs = synthetic_corpus(40, seed=9)
    (tmp_path/'docs.txt').write_text('\n'.join(new_docs.text))
    r = cli('predict', '--model', tmp_path/'clas', POS, '--file', tmp_path/'docs.txt')
    preds = [json.loads(l) for l in r.stdout.strip().splitlines()]
    assert len(preds) == 41 and all(abs(sum(p['probabilities'].values()) - 1) < 1e-3 for p in preds)
    assert np.mean([p['label'] == l for p, l in zip(preds[1:], new_docs.label)]) >= 0.7
    r = cli('generate', '--model', tmp_path/'ft', 'The film', '--n-words', 10, '--seed', 3)
    assert r.stdout.startswith('The film') and len(r.stdout.split()) >= 8
    r = cli('generate', '--model', tmp_path/'ft', 'The film', '--next', 3)
    assert len(r.stdout.strip().splitlines()) == 3

def test_classify_from_scratch_cli(corpora, tmp_path):
    r = cli('classify', '--lm', 'none', '--preset', 'tiny', '--target', corpora/'target', '--out', tmp_path/'clas', '--epochs', 6, '--max-len', 150)
    assert json.loads((tmp_path/'clas'/'checkpoint.json').read_text())['max_len'] == 150   # the preset's 200, overridden
    m = json.loads((tmp_path/'clas'/'metrics.json').read_text())
    assert m['from_scratch'] is True and [s['stage'] for s in m['stages']] == ['all (from scratch)'] and m['stages'][0]['epochs'] == 9
    assert m['test_error'] < 0.3, m

def test_cli_help():
    r = cli('--help')
    for c in ('pretrain', 'finetune', 'classify', 'predict', 'generate', 'demo', 'experiment'): assert c in r.stdout
    assert '--n-words' in cli('generate', '--help').stdout

def test_cli_backwards_ensemble(corpora, tmp_path):
    "A backward LM and classifier through the CLI, then predict with the forward + backward ensemble; a forward LM with --backwards is refused."
    for tag, flag in (('fwd', []), ('bwd', ['--backwards'])):
        cli('pretrain', '--corpus', corpora/'general', '--preset', 'tiny', '--out', tmp_path/f'pre-{tag}', '--seed', 1, *flag)
        cli('finetune', '--lm', tmp_path/f'pre-{tag}', '--target', corpora/'target', '--out', tmp_path/f'ft-{tag}')
        cli('classify', '--lm', tmp_path/f'ft-{tag}', '--target', corpora/'target', '--out', tmp_path/f'clas-{tag}', *flag)
    assert json.loads((tmp_path/'clas-bwd'/'checkpoint.json').read_text())['backwards'] is True
    r = cli('classify', '--lm', tmp_path/'ft-fwd', '--target', corpora/'target', '--out', tmp_path/'x', '--backwards', check=False)
    assert r.returncode == 2 and 'is a forward language model' in r.stderr and 'Traceback' not in r.stderr and not (tmp_path/'x').exists()
    one = [json.loads(l) for l in cli('predict', '--model', tmp_path/'clas-bwd', POS, NEG).stdout.splitlines()]
    both = [json.loads(l) for l in cli('predict', '--model', tmp_path/'clas-fwd', '--model', tmp_path/'clas-bwd', POS, NEG).stdout.splitlines()]
    assert [p['label'] for p in both] == ['pos', 'neg'] and [p['label'] for p in one] == ['pos', 'neg']
    fwd = [json.loads(l) for l in cli('predict', '--model', tmp_path/'clas-fwd', POS, NEG).stdout.splitlines()]
    for b, o, f in zip(both, one, fwd):   # the ensemble's probabilities are the members' mean (printed to 4 decimals)
        assert all(abs(b['probabilities'][c] - (o['probabilities'][c] + f['probabilities'][c]) / 2) <= 1.5e-4 for c in ('pos', 'neg')), (b, o, f)
    r = cli('generate', '--model', tmp_path/'ft-bwd', 'and I loved it.', '--n-words', 8, '--seed', 0)
    assert r.stdout.strip().endswith('and i loved it.')   # fastai's rules lower-case a lone 'I'

def test_cli_both(corpora, tmp_path):
    """--both: a pair folder fine-tuned and classified as a pair (the ensemble's errors in OUT/metrics.json, predict on
    OUT averages both); --no-both takes its forward member; --both on a single LM exits 2 with nothing written."""
    for d, flag in (('fwd', []), ('bwd', ['--backwards'])):
        cli('pretrain', '--corpus', corpora/'general', '--preset', 'tiny', '--out', tmp_path/'pre'/d, '--seed', 1, *flag)
    cli('finetune', '--lm', tmp_path/'pre', '--target', corpora/'target', '--out', tmp_path/'ft', '--both')
    assert json.loads((tmp_path/'ft'/'bwd'/'checkpoint.json').read_text())['backwards'] is True
    out = cli('classify', '--lm', tmp_path/'ft', '--target', corpora/'target', '--out', tmp_path/'clas').stdout
    m = json.loads((tmp_path/'clas'/'metrics.json').read_text())
    assert m['kind'] == 'pair' and set(m['members']) == {'fwd', 'bwd'} and 'forward + backward' in out and 'baseline' in m
    rows = [json.loads(l) for l in cli('predict', '--model', tmp_path/'clas', POS, NEG).stdout.splitlines()]
    assert [r['label'] for r in rows] == ['pos', 'neg']
    cli('classify', '--lm', tmp_path/'ft', '--target', corpora/'target', '--out', tmp_path/'one', '--no-both')
    assert not json.loads((tmp_path/'one'/'checkpoint.json').read_text())['backwards']
    r = cli('classify', '--lm', tmp_path/'ft'/'fwd', '--target', corpora/'target', '--out', tmp_path/'x', '--both', check=False)
    assert r.returncode == 2 and 'is a single LM' in r.stderr and 'Traceback' not in r.stderr and not (tmp_path/'x').exists()

def test_cli_two_level_softmax_and_time_budget(corpora, tmp_path):
    "pretrain --cutoffs trains a two-level softmax, --train-minutes stops on time; fine-tuning, classifying and generating read it."
    cli('pretrain', '--corpus', corpora/'general', '--preset', 'tiny', '--cutoffs', '20,100', '--train-minutes', 0.05,
        '--epochs', 200, '--out', tmp_path/'pre', '--quiet')
    meta = json.loads((tmp_path/'pre'/'checkpoint.json').read_text())
    m = json.loads((tmp_path/'pre'/'metrics.json').read_text())
    assert meta['config']['cutoffs'] == [20, 100] and 1 <= len(m['history']) < 200, (meta['config'], len(m['history']))
    cli('finetune', '--lm', tmp_path/'pre', '--target', corpora/'target', '--out', tmp_path/'ft')
    m2 = json.loads((tmp_path/'ft'/'metrics.json').read_text())
    assert m2['perplexity'] < m2['perplexity_before']
    cli('classify', '--lm', tmp_path/'ft', '--target', corpora/'target', '--out', tmp_path/'clas')
    assert json.loads((tmp_path/'clas'/'metrics.json').read_text())['test_error'] < 0.3
    r = cli('generate', '--model', tmp_path/'ft', 'The film', '--n-words', 10, '--seed', 3)
    assert r.stdout.startswith('The film') and len(r.stdout.split()) >= 8
    bad = cli('pretrain', '--corpus', corpora/'general', '--cutoffs', '100,20', check=False)
    assert bad.returncode == 2 and 'increasing' in bad.stderr and 'Traceback' not in bad.stderr
