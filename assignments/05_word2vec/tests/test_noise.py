"""Tasks 7-8: noise_distribution and sample_negatives."""
import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose
from scipy import stats


@pytest.mark.points(2)
def test_noise_distribution_values(submission, rng, ref):
    counts = np.concatenate([[4000, 1700, 900], rng.integers(5, 400, size=80)]).astype(np.int64)
    got = np.asarray(submission.noise_distribution(counts, 0.75), dtype=np.float64)
    want = ref.noise_distribution(counts, 0.75)
    assert got.shape == want.shape, f"expected shape {want.shape}, got {got.shape}"
    assert_allclose(got, want, rtol=1e-10, err_msg="P_n(w) must be counts**0.75 / sum(counts**0.75) (rtol 1e-10)")
    default = np.asarray(submission.noise_distribution(counts), dtype=np.float64)
    assert_allclose(default, want, rtol=1e-10, err_msg="the default power must be 0.75")


@pytest.mark.points(1)
def test_noise_distribution_powers(submission):
    counts = np.array([30, 10, 5, 5])
    uniform = np.asarray(submission.noise_distribution(counts, 0.0), dtype=np.float64)
    assert_allclose(uniform, [0.25] * 4, rtol=1e-12, err_msg="power 0 must give the uniform distribution")
    unigram = np.asarray(submission.noise_distribution(counts, 1.0), dtype=np.float64)
    assert_allclose(unigram, counts / 50, rtol=1e-12, err_msg="power 1 must give the unigram distribution counts / total")


@pytest.mark.points(1)
def test_sample_negatives_shape_and_type(submission):
    noise = torch.tensor([0.1, 0.2, 0.3, 0.4], dtype=torch.float64)
    neg = submission.sample_negatives(noise, 7, 3)
    assert isinstance(neg, torch.Tensor), f"expected a torch tensor, got {type(neg).__name__}"
    assert neg.dtype == torch.long, f"expected dtype torch.long (ids for nn.Embedding), got {neg.dtype}"
    assert tuple(neg.shape) == (7, 3), f"expected shape (num, k) = (7, 3), got {tuple(neg.shape)}"
    assert int(neg.min()) >= 0 and int(neg.max()) <= 3, "ids must lie in 0..V-1"


@pytest.mark.points(2)
def test_sample_negatives_distribution(submission, rng):
    p = rng.dirichlet(np.ones(40))
    p[17] = 0.0
    p = p / p.sum()
    num, k = 5000, 20
    neg = submission.sample_negatives(torch.tensor(p, dtype=torch.float64), num, k)
    neg = np.asarray(neg).reshape(-1)
    assert len(neg) == num * k, f"expected {num * k} draws, got {len(neg)}"
    observed = np.bincount(neg, minlength=40)
    assert observed[17] == 0, "a word with noise probability 0 was drawn"
    mask = p > 0
    chi2, pvalue = stats.chisquare(observed[mask], p[mask] * num * k)
    # a correct sampler fails this with probability 1e-4; draws without replacement within a row fail it
    assert pvalue > 1e-4, (
        f"the {num * k} draws do not follow the noise distribution (chi-square p = {pvalue:.1e}). Draw every entry "
        "independently with replacement: torch.multinomial(noise, num * k, replacement=True)")
