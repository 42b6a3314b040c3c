"The notebooks are the source: they run (nbdev-test), and nbdev-export of them gives exactly the package that is checked in."
import shutil, subprocess
from conftest import ROOT, script

def test_notebooks_run():
    r = subprocess.run([script('nbdev-test'), '--n-workers', '1'], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]

HAND_WRITTEN = ('__init__.py', '__main__.py')   # the only modules not generated from nbs/

def test_export_in_sync(tmp_path):
    for f in ('pyproject.toml', 'settings.ini'): shutil.copy(ROOT/f, tmp_path/f)
    shutil.copytree(ROOT/'nbs', tmp_path/'nbs')
    (tmp_path/'rnn_transfer').mkdir()
    for f in HAND_WRITTEN: shutil.copy(ROOT/'rnn_transfer'/f, tmp_path/'rnn_transfer')
    r = subprocess.run([script('nbdev-export')], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    made = sorted(p.name for p in (tmp_path/'rnn_transfer').glob('*.py'))
    have = sorted(p.name for p in (ROOT/'rnn_transfer').glob('*.py'))
    assert made == have
    stale = [n for n in made if (tmp_path/'rnn_transfer'/n).read_text() != (ROOT/'rnn_transfer'/n).read_text()]
    assert not stale, f"package out of sync with nbs/ (run nbdev-export): {stale}"

def test_readme_generated_from_index():
    import subprocess, sys
    r = subprocess.run([sys.executable, str(ROOT/'tools'/'make_readme.py'), '--check'], cwd=ROOT)
    assert r.returncode == 0, "README.md is out of date: run python tools/make_readme.py"
