"""A seeded slice of the fuzz harness (benchmarks/fuzz.py runs 100,000 inputs): every generated
bundle, run directory, answers file, e-mail, os-release, version, schedule and redaction input
ends in a result or one of the errors the CLI turns into a clean message, and fast."""
import importlib.util
import os

import pytest

SEED = 20261129
INPUTS = 2000


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    os.environ["ACME_WIZARD_FUZZ_DIR"] = str(tmp_path_factory.mktemp("fuzz"))
    path = os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks", "fuzz.py")
    spec = importlib.util.spec_from_file_location("acme_wizard_fuzz", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, module.Corpus()


def test_a_seeded_slice_of_generated_inputs_finds_nothing(harness):
    fuzz, corpus = harness
    outcomes = {"ok": 0, "expected": 0}
    for index in range(INPUTS):
        stage, case = fuzz.make_case(SEED, index, corpus)
        outcome, key, seconds = fuzz.run_case(stage, case, corpus)
        assert outcome != "finding", (index, stage, key)
        assert seconds < fuzz.SLOW, (index, stage, seconds)
        outcomes[outcome] += 1
    assert outcomes["ok"] > INPUTS // 2, outcomes           # most inputs go all the way through
