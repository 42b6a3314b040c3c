"""`rnn-transfer COMMAND --help` is generated from the stage functions' signatures and docments.

For every command: each parameter's docment (`fastcore.docments.docments`) is the help of its option, every parameter
but the Python-only ones has an option, the options that are not parameters keep their help in one table, and the
older option names still parse to the parameters."""
import argparse, inspect, re
import pytest
from fastcore.docments import docments
from rnn_transfer import cli
from rnn_transfer.cli import COMMANDS, OVERRIDES, CLI_OPTS, main, build_parser
from rnn_transfer.lm import pretrain, finetune
from rnn_transfer.classify import train_classifier
from rnn_transfer.generate import LanguageModel
from rnn_transfer.experiments import run_experiment, across_seeds
from rnn_transfer.tag import train_tagger, tag_sentences

PYTHON_ONLY = {'self', 'cbs', 'extra_meta', 'command'}   # objects, or what the command line fills in itself
STAGES = {   # command -> the functions whose parameters it takes
    'pretrain': [pretrain], 'finetune': [finetune], 'classify': [train_classifier], 'predict': [cli.predict],
    'generate': [LanguageModel.generate, LanguageModel.from_checkpoint], 'demo': [cli.demo],
    'tag': [train_tagger, tag_sentences],
    'experiment': [run_experiment], 'compare-seeds': [across_seeds]}
COVERED = {('generate', LanguageModel.predict_next): {'prompt': 'prompt', 'k': 'next'}}   # parameter -> dest

def help_text(capsys, monkeypatch, cmd):
    "What `rnn-transfer CMD --help` prints, at an ordinary terminal width (so argparse wraps lines)."
    monkeypatch.setenv('COLUMNS', '80')
    with pytest.raises(SystemExit) as e: main([cmd, '--help'])
    assert e.value.code == 0
    return capsys.readouterr().out

def entries(text:str) -> dict[str, str]:
    "Each option's or argument's entry in `--help` output, keyed by its first option string (or its name)."
    out, key = {}, None
    for line in text.splitlines():
        m = re.match(r'  (\S+)', line)   # an entry starts two spaces in; its continuation lines further in
        if m:
            key = m.group(1).rstrip(',')
            out[key] = line
        elif key and line.startswith('    '): out[key] += ' ' + line
        else: key = None
    return out

def norm(s:str) -> str:
    "Whitespace collapsed, and none after a hyphen (argparse wraps lines, also at hyphens)."
    return re.sub(r'-\s+', '-', ' '.join(s.split()))

def key(n:str, cmd:str) -> str:
    "The help entry of parameter `n` of command `cmd`."
    return n.upper() if n in COMMANDS[cmd].get('pos', ()) else '--' + n.replace('_', '-')

def subparser(cmd:str) -> argparse.ArgumentParser:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices[cmd]

def exposed(fn) -> list[str]:
    "The parameters of `fn` that need an option, read from its signature (not from the code under test)."
    var = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return [n for n, p in inspect.signature(fn).parameters.items() if n not in PYTHON_ONLY and p.kind not in var]

def test_commands_take_the_stage_functions():
    assert list(COMMANDS) == list(STAGES)
    for cmd, spec in COMMANDS.items(): assert [cli._fn(f) for f in spec['fns']] == STAGES[cmd], cmd
    assert set(cli.SKIP) == PYTHON_ONLY

@pytest.mark.parametrize('cmd', list(STAGES))
def test_help_is_the_docments(capsys, monkeypatch, cmd):
    text = help_text(capsys, monkeypatch, cmd)
    es, checked = entries(text), 0
    for fn in STAGES[cmd]:
        assert norm(inspect.getdoc(fn)) in norm(text) or cmd == 'generate'   # the description: the docstring
        for n, doc in docments(fn).items():
            if n not in exposed(fn) or not doc: continue
            k = next(e for e in es if e.startswith('{')) if n == 'name' else key(n, cmd)   # it shows its choices
            assert k in es, (cmd, n, list(es))
            assert norm(doc) in norm(es[k]), (cmd, n, doc, es[k])
            checked += 1
    assert checked >= 3, cmd

@pytest.mark.parametrize('cmd', list(STAGES))
def test_every_parameter_has_an_option(cmd):
    dests = {a.dest for a in subparser(cmd)._actions}
    for fn in STAGES[cmd]:
        missing = [n for n in exposed(fn) if n not in dests]
        assert not missing, f"{cmd}: {fn.__qualname__} parameters without an option: {missing}"
    for (c, fn), dest in COVERED.items():
        if c == cmd:
            assert set(inspect.signature(fn).parameters) - {'self'} == set(dest) and set(dest.values()) <= dests

@pytest.mark.parametrize('cmd', list(STAGES))
def test_every_parameter_has_a_docment(cmd):
    "Every parameter has a docment (a wrapped signature may lose one: fastcore reads the name's line, or above it)."
    missing = [f"{fn.__qualname__}.{n}" for fn in STAGES[cmd] for n in exposed(fn) if not docments(fn).get(n)]
    assert not missing, f"{cmd}: no docment, so no --help text, for {missing}"

def test_options_that_are_not_parameters(capsys, monkeypatch):
    "Each preset override or command-line option has its help, from its table, in every command that has it."
    for cmd, spec in COMMANDS.items():
        es = entries(help_text(capsys, monkeypatch, cmd))
        for o in spec.get('extra', ()):
            h = (OVERRIDES.get(o) or CLI_OPTS[o])['help']
            assert norm(h) in norm(es['--' + o.replace('_', '-')]), (cmd, o)

@pytest.mark.parametrize('args,want', [
    (['pretrain', '--max-train-docs', '9', '--sample-docs', '4', '--model', '8,16,2', '--backwards'],
     dict(max_train_docs=9, lm_sample_docs=4, model=dict(emb_sz=8, n_hid=16, n_layers=2), backwards=True)),
    (['finetune', '--max-train-docs', '5', '--keep-vocab', '--resume'],
     dict(finetune_docs=5, keep_vocab=True, resume=True)),
    (['finetune', '--keep-vocab', '30000', '--no-backwards'], dict(keep_vocab=30000, backwards=False)),
    (['classify', '--epochs', '3', '--pool-layers', 'top', '--no-discr', '--no-stlr', '--no-baseline', '--restart'],
     dict(lm='default', final_epochs=3, clas_pool='top', discr=False, stlr=False, baseline=False, resume=False)),
    (['classify', '--max-len', '600', '--lr-find'], dict(max_len=600, lr_find=True, backwards=None, discr=True)),
    (['predict', '--model', 'a', '--model', 'b', 'one', 'two', '--bs', '8'],
     dict(model=['a', 'b'], texts=['one', 'two'], bs=8)),
    (['generate', '--model', 'm', 'The film', '--next', '5'], dict(path='m', prompt='The film', next=5, n_words=30)),
    (['demo', '--lm', 'none'], dict(lm='none', out='rnn_transfer_demo', preset='demo')),
    (['tag', '--target', 'f.conll', '--scheme', 'iob1', '--no-pretrained', '--layers', 'top', '--epochs', '0'],
     dict(lm='default', target='f.conll', scheme='iob1', pretrained=False, layers='top', epochs=0, model=None)),
    (['tag', '--model', 'm', 'Anna left .', 'Bob', '--conll'], dict(model='m', sentences=['Anna left .', 'Bob'], conll=True)),
    (['experiment', 'trec6', '--quick', '--only', 'a*', '--only', 'b'],
     dict(name='trec6', scale='quick', only=['a*', 'b'])),
    (['experiment', 'imdb', '--preset', 'paper'], dict(scale='paper', lm='default')),
    (['compare-seeds', 'trec6', 'r1', 'r2', '--write', 'w'], dict(roots=['r1', 'r2'], out='w', scale='cpu')),
])
def test_documented_command_lines(args, want):
    a = vars(build_parser().parse_args(args))
    assert {k: a[k] for k in want} == want

@pytest.mark.parametrize('args,needle', [
    (['classify', '--resume', '--restart'], 'not allowed with'),
    (['experiment', 'trec6', '--quick', '--scale', 'paper'], 'not allowed with'),
    (['pretrain', '--model', '8,16'], 'give three integers'),
    (['generate', 'The'], 'the following arguments are required: --path/--model'),
])
def test_bad_command_lines(capsys, args, needle):
    with pytest.raises(SystemExit) as e: build_parser().parse_args(args)
    assert e.value.code == 2 and needle in capsys.readouterr().err
