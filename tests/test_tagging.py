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
    (tmp_path/'long.txt').write_text(f.read_text() + '\n'.join(['Anna NNP B-PER'] * 500) + '\n')
    assert 'over the limit' in bad(tmp_path, '--target', tmp_path/'long.txt', '--valid-pct', 0.5)
    assert 'nothing to tag' in cli('tag', '--model', tmp_path, check=False).stderr

def test_repairs_are_counted(tmp_path):
    from rnn_transfer.tag_data import tag_splits
    f = conll_file(tmp_path/'ner.txt', 20, scheme='iob1')   # read as IOB2: each I- that begins an entity is repaired
    s = tag_splits(str(f))
    assert all(t[0] == 'B-PER' for t in s['train'].tags)

UPOS = dict(saw='VERB', left='VERB', visited='VERB', **{'with': 'ADP', '.': 'PUNCT'})

def conllu_file(path, n=200, seed=0):
    "A made-up CoNLL-U file (UPOS in column 4), the same sentence shapes as `conll_file`."
    rng, out = random.Random(seed), []
    for i in range(n):
        words = [rng.choice(NAMES), rng.choice(['saw', 'left', 'visited']), rng.choice(PLACES), 'with', rng.choice(NAMES), '.']
        out += [f'# sent_id = s{i}'] + [f"{j}\t{w}\t{w}\t{UPOS.get(w, 'PROPN')}\t_\t_\t0\tdep\t_\t_" for j, w in enumerate(words, 1)] + ['']
    path.write_text('\n'.join(out) + '\n')
    return path

def test_tagging_experiment(tmp_path):
    "`rnn-transfer experiment tagging --quick` on made-up stand-ins for UD EWT and CoNLL-2003: four taggers, the CRF beside."
    d = tmp_path/'data'
    (d/'ud_ewt').mkdir(parents=True), (d/'conll2003').mkdir()
    for split, n, seed in (('train', 240, 0), ('dev', 40, 1), ('test', 40, 2)):
        conllu_file(d/'ud_ewt'/f'en_ewt-ud-{split}.conllu', n, seed)
        conll_file(d/'conll2003'/f"{'valid' if split == 'dev' else split}.txt", n, seed)
    cli('experiment', 'tagging', '--quick', '--data-dir', d, '--out', tmp_path/'exp', '--quiet')
    res = json.loads((tmp_path/'exp'/'tagging'/'results.json').read_text())
    rows = {r['key']: r for r in res['rows']}
    assert list(rows) == [f'{t}-{m}' for t in ('ud-ewt', 'conll2003') for m in ('pretrained', 'untrained', 'finetuned')]
    assert [rows[k]['train_n'] for k in rows] == [200] * 6   # quick: a random 200 of the 240 training sentences
    assert rows['ud-ewt-pretrained']['measure'] == 'token accuracy' and rows['conll2003-untrained']['measure'] == 'entity F1'
    assert rows['conll2003-pretrained']['baseline_test_error'] < 0.1 and rows['ud-ewt-untrained']['baseline_test_error'] is None
    assert rows['ud-ewt-pretrained']['test_error'] < 0.1 and all(0 <= r['test_error'] <= 1 for r in rows.values())
    assert (tmp_path/'exp'/'tagging'/'plot.png').read_bytes()[:4] == b'\x89PNG'
    assert (tmp_path/'exp'/'lms'/'conll2003-text-tiny'/'checkpoint.json').exists()   # the LM fine-tuned on the sentences
    assert rows['conll2003-finetuned']['test_error'] < 0.2 and rows['conll2003-finetuned']['baseline_test_error'] is None
