"""Task 7: greedy_decode, translate, beam_search; task 8: exact_match.

The decoders run on the notebook's MarkovModel (a locked setup cell, taken from the release), whose
next-token log-probabilities are a known table, so the expected outputs come from reference.py on the
suite's own tables and never depend on the student's model.
"""
import math

import pytest
import torch

from autograder.testing import student_raises
from conftest import BOS, EOS, PAD, markov_table


def src_rows(firsts: list[int], width: int = 5) -> torch.Tensor:
    """Sources whose first token selects the table row; some padded."""
    rows = []
    for n, k in enumerate(firsts):
        length = 2 + n % (width - 1)
        rows.append([k] + [4] * (length - 2) + [EOS] + [PAD] * (width - length))
    return torch.tensor(rows)


@pytest.mark.points(2)
def test_greedy_decode_takes_the_argmax_until_eos(submission, ref):
    """Greedy decoding appends the most probable next token until EOS or max_len, example by example."""
    gen = torch.Generator().manual_seed(61)
    K, T, V = 6, 8, 9
    table = markov_table(gen, K, T, V)
    table[5, :, :, EOS] = -30.0  # row 5 never ends: max_len decides
    table = torch.log_softmax(table, dim=-1)
    firsts = [0, 1, 2, 3, 4, 5, 2]
    model = submission.MarkovModel(table)
    for max_len in (1, 3, 8):
        want = ref.markov_greedy(table, firsts, max_len)
        got = submission.greedy_decode(model, src_rows(firsts), max_len)
        assert isinstance(got, list) and len(got) == len(firsts), "greedy_decode should return one id list per example"
        got = [[int(i) for i in row] for row in got]
        for n, (g, w) in enumerate(zip(got, want)):
            assert g == w, (
                f"max_len={max_len}, example {n}: greedy should give {w}, got {g}. Take the argmax of the LAST "
                "position's logits each step, leave out BOS and EOS, stop an example at its EOS (at most max_len "
                "tokens, EOS counted)")


@pytest.mark.points(1)
def test_translate_decodes_the_greedy_ids(submission, ref):
    """translate encodes the texts, decodes them greedily in batches and turns the ids back into text."""
    gen = torch.Generator().manual_seed(62)
    itos, stoi = ref.build_vocab(["abcde"])
    V = len(itos)
    table = markov_table(gen, V, 6, V, sharp=4.0)
    texts = ["a", "bcd", "e", "cab", "dd", "b"]
    firsts = [stoi[t[0]] for t in texts]
    want = [ref.decode(ids, itos) for ids in ref.markov_greedy(table, firsts, 5)]
    got = submission.translate(submission.MarkovModel(table), texts, stoi, itos, max_len=5, batch_size=4)
    assert list(got) == want, f"translate should return the decoded greedy outputs {want}; got {list(got)}"


@pytest.mark.points(1)
def test_beam_size_one_equals_greedy(submission, ref):
    """Beam search with a beam of one is greedy search, with the output's total log-probability."""
    gen = torch.Generator().manual_seed(63)
    table = markov_table(gen, 4, 7, 8, sharp=2.0)
    model = submission.MarkovModel(table)
    for first in range(4):
        (want,) = ref.markov_greedy(table, [first], 7)
        out = submission.beam_search(model, src_rows([first]), 1, 7)
        assert isinstance(out, tuple) and len(out) == 2, "beam_search should return (ids, log_prob)"
        ids, lp = [int(i) for i in out[0]], float(out[1])
        assert ids == want, f"source row {first}: beam_size=1 should give greedy's output {want}; got {ids}"
        want_lp = ref.markov_decode(table, first, want + ([EOS] if len(want) < 7 else []))
        assert abs(lp - want_lp) <= 1e-4, (
            f"source row {first}: the log-probability of {want} (EOS included) is {want_lp:.5f}; got {lp:.5f}: sum "
            "log_softmax of the chosen tokens")


def trap_table() -> torch.Tensor:
    """Two source rows where greedy is fooled: row 0 at the first token, row 1 at the second."""
    probs = torch.full((2, 4, 8, 8), 1e-4)
    probs[..., PAD] = probs[..., BOS] = 1e-9
    # row 0: 'a'(4) 0.55 or 'b'(5) 0.45; after 'a' the best continuation is 0.3; after 'b' EOS 0.95
    probs[0, 0, BOS, 4], probs[0, 0, BOS, 5] = 0.55, 0.45
    probs[0, 1, 4, [EOS, 4, 5, 6]] = torch.tensor([0.3, 0.26, 0.24, 0.2])
    probs[0, 1, 5, EOS] = 0.95
    # row 1: 'c'(6) 0.9, then 'a' 0.5 or 'b' 0.45; after 'c a' the best is EOS at 0.24, after 'c b' EOS 0.9
    probs[1, 0, BOS, 6] = 0.9
    probs[1, 1, 6, 4], probs[1, 1, 6, 5] = 0.5, 0.45
    probs[1, 2, 4, [EOS, 4, 5, 6, 7]] = torch.tensor([0.24, 0.2, 0.19, 0.19, 0.18])
    probs[1, 2, 5, EOS] = 0.9
    probs[:, 3, :, EOS] = 1.0
    return torch.log(probs / probs.sum(-1, keepdim=True))


@pytest.mark.points(2)
def test_beam_search_finds_the_more_probable_output(submission, ref):
    """A wider beam keeps a less likely first choice alive and finds an output with a higher total log-probability."""
    table = trap_table()
    model = submission.MarkovModel(table)
    for first, greedy_out, beam_out in ((0, [4], [5]), (1, [6, 4], [6, 5])):
        assert ref.markov_greedy(table, [first], 6) == [greedy_out]  # the trap is set (a course check)
        out = submission.beam_search(model, src_rows([first]), 3, 6)
        ids, lp = [int(i) for i in out[0]], float(out[1])
        want_lp = ref.markov_decode(table, first, beam_out + [EOS])
        greedy_lp = ref.markov_decode(table, first, greedy_out + [EOS])
        assert ids == beam_out, (
            f"source row {first}: beam search with 3 beams should find {beam_out} (log-prob {want_lp:.3f}), more "
            f"probable than greedy's {greedy_out} ({greedy_lp:.3f}); got {ids}. Keep the beam_size best of all "
            "extensions by TOTAL log-probability, set finished (EOS) hypotheses aside, return the best")
        assert abs(lp - want_lp) <= 1e-4, f"the returned log-probability of {beam_out} should be {want_lp:.5f}; got {lp:.5f}"


@pytest.mark.points(1)
def test_exact_match_counts_whole_strings(submission):
    """Exact match is the fraction of outputs identical to their target, character for character."""
    got = submission.exact_match(["2014-03-03", "1999-01-02", "2000-01-01", "1950-1-01"],
                                 ["2014-03-03", "1999-02-01", "2000-01-01", "1950-01-01"])
    assert math.isclose(float(got), 0.5), f"2 of 4 strings match exactly: 0.5; got {got}"
    with student_raises("ValueError"):
        submission.exact_match(["a"], ["a", "b"])
    with student_raises("ValueError"):
        submission.exact_match([], [])
