"Sequence labelling end to end on made-up sentences (never CoNLL-2003 text): train, predict, and bad input."
import json, random
import pytest
from conftest import cli

NAMES, PLACES = ['Anna', 'Bob', 'Carla', 'Dmitri'], ['Rome', 'Paris', 'Oslo', 'Lima']

def conll_file(path, n=200, seed=0, scheme='iob2'):
    "A made-up NER file in CoNLL columns (word, POS, entity tag)."
    rng, lines = random.Random(seed), []
    for _ in range(n):
        words = [rng.choice(NAMES), rng.choice(['saw', 'left', 'visited']), rng.choice(PLACES), 'with', rng.choice(NAMES), '.']
        tags = ['B-PER', 'O', 'B-LOC', 'O', 'B-PER', 'O'] if scheme == 'iob2' else ['I-PER', 'O', 'I-LOC', 'O', 'I-PER', 'O']
        lines += [f"{w} NNP {t}" for w, t in zip(words, tags)] + ['']
    path.write_text('\n'.join(lines))
    return path

@pytest.fixture(scope='module')
def tagger(tmp_path_factory):
    d = tmp_path_factory.mktemp('tag')
    cli('tag', '--lm', 'default', '--target', conll_file(d/'ner.txt', scheme='iob1'), '--scheme', 'iob1', '--preset', 'tiny',
        '--head-epochs', 2, '--epochs', 1, '--out', d/'out', '--quiet')
    return d

def test_tag_cli_trains_beside_the_crf(tagger):
    m = json.loads((tagger/'out'/'metrics.json').read_text())
    assert m['valid']['entities']['all']['f1'] > 0.9 and m['baseline']['valid']['entities']['all']['f1'] > 0.9
    assert m['tags'] == ['O', 'B-LOC', 'B-PER'] and [s['stage'] for s in m['stages']] == ['head (encoders frozen)', 'all (discriminative rates)']

def test_tag_cli_predicts(tagger):
    r = cli('tag', '--model', tagger/'out', 'Carla visited Oslo .', 'Bob left Rome')
    rows = [json.loads(l) for l in r.stdout.strip().splitlines()]
    assert rows[0]['tags'] == ['B-PER', 'O', 'B-LOC', 'O'] and rows[1]['entities'][1] == dict(type='LOC', start=2, end=3, text='Rome')
    (tagger/'s.txt').write_text('Anna saw Lima .\n\nDmitri left Paris\n')
    out = cli('tag', '--model', tagger/'out', '--file', tagger/'s.txt', '--conll').stdout
    assert out.split('\n\n')[0].splitlines() == ['Anna\tB-PER', 'saw\tO', 'Lima\tB-LOC', '.\tO']

def test_python_api_and_long_sentences(tagger):
    from rnn_transfer.tag import TokenTagger, tag_items
    from rnn_transfer.core import DataError
    tt = TokenTagger.from_checkpoint(tagger/'out')
    assert tt.predict([['Anna', 'left', 'Oslo']])[0]['tags'] == ['B-PER', 'O', 'B-LOC']
    with pytest.raises(DataError, match='over the limit'): tt.predict([' '.join(['Anna'] * 500)])

def bad(tmp_path, *args):
    r = cli('tag', '--lm', 'default', '--preset', 'tiny', '--out', tmp_path/'out', *args, check=False)
    assert r.returncode == 2 and 'Traceback' not in r.stderr, r.stderr
    assert not (tmp_path/'out').exists()   # nothing half-written
    return r.stderr.strip().splitlines()[-1]

def test_bad_input(tmp_path):
    f = conll_file(tmp_path/'ner.txt', 20)
    f2 = tmp_path/'cols.txt'; f2.write_text(f.read_text().replace('Anna NNP B-PER', 'Anna B-PER', 1))
    assert 'line' in bad(tmp_path, '--target', f2) and '2 columns' in bad(tmp_path, '--target', f2)
    assert 'no tag column 5' in bad(tmp_path, '--target', f, '--column', 5)
    (tmp_path/'empty.txt').write_text('\n\n')
    assert 'empty' in bad(tmp_path, '--target', tmp_path/'empty.txt')
    (tmp_path/'latin.txt').write_bytes('Zürich NNP B-LOC\n'.encode('latin-1'))
    assert 'not UTF-8' in bad(tmp_path, '--target', tmp_path/'latin.txt')
    (tmp_path/'one.txt').write_text('a X O\nb X O\n\nc X O\n')
    assert 'one tag only' in bad(tmp_path, '--target', tmp_path/'one.txt')
    assert 'not a checkpoint folder' in bad(tmp_path, '--target', f, '--lm', tmp_path)
    assert 'nothing to tag' in cli('tag', '--model', tmp_path, check=False).stderr

def test_repairs_are_counted(tmp_path):
    from rnn_transfer.tag import tag_splits
    f = conll_file(tmp_path/'ner.txt', 20, scheme='iob1')   # read as IOB2: each I- that begins an entity is repaired
    s = tag_splits(str(f))
    assert all(t[0] == 'B-PER' for t in s['train'].tags)
