"""Task 2: make_windows and sample_batch."""
import pytest
import torch

from conftest import as_tensor, expect_raises, worker_import


@pytest.mark.points(2)
def test_make_windows_matches_reference(submission, corpus, ref):
    for ids, seq_len in ((torch.arange(1000) * 3, 16), (corpus.val_ids[:5000], 128)):
        x, y = submission.make_windows(ids, seq_len)
        want_x, want_y = ref.make_windows(ids, seq_len)
        x, y = as_tensor(x, "x"), as_tensor(y, "y")
        assert tuple(x.shape) == tuple(want_x.shape) and tuple(y.shape) == tuple(want_y.shape), (
            f"make_windows of {len(ids)} ids with T={seq_len} should give (M, T) = {tuple(want_x.shape)} "
            f"(M = (len - 1) // T); got x {tuple(x.shape)}, y {tuple(y.shape)}")
        assert torch.equal(x, want_x), f"x[m] should be ids[m*T:(m+1)*T] (T={seq_len})"
        assert torch.equal(y, want_y), f"y[m] should be ids[m*T+1:(m+1)*T+1], x shifted by one (T={seq_len})"


@pytest.mark.points(1)
def test_make_windows_boundaries(submission):
    cases = [(25, 4, 6), (24, 4, 5), (5, 4, 1), (4, 4, 0), (0, 4, 0)]  # (len, T, expected M)
    for n, seq_len, m in cases:
        x, y = submission.make_windows(torch.arange(n), seq_len)
        x, y = as_tensor(x, "x"), as_tensor(y, "y")
        assert tuple(x.shape) == (m, seq_len) and tuple(y.shape) == (m, seq_len), (
            f"{n} ids with T={seq_len} hold (n - 1) // T = {m} windows (the last target needs one id after the "
            f"input), so x and y should have shape {(m, seq_len)}; got {tuple(x.shape)} and {tuple(y.shape)}")
        if m:
            assert int(y[-1, -1]) == m * seq_len, f"the last target of {n} ids, T={seq_len}, is id {m * seq_len}"


@pytest.mark.points(2)
def test_sample_batch_rows_are_shifted_slices(submission):
    ids = torch.arange(1000, 1300)  # distinct values: a row's first value tells its start
    gen = worker_import(submission, "torch").Generator().manual_seed(5)
    x, y = submission.sample_batch(ids, 24, 64, gen)
    x, y = as_tensor(x, "x"), as_tensor(y, "y")
    assert tuple(x.shape) == (64, 24) and tuple(y.shape) == (64, 24), (
        f"sample_batch(ids, seq_len=24, batch_size=64) should return x, y of shape (64, 24); got "
        f"{tuple(x.shape)}, {tuple(y.shape)}")
    assert x.dtype == torch.int64 and y.dtype == torch.int64, f"x and y should be int64; got {x.dtype}, {y.dtype}"
    assert torch.equal(x[:, 1:], x[:, :-1] + 1), "every row of x must be a contiguous slice ids[s:s+T]"
    assert torch.equal(y, x + 1), "y must be x shifted by one position in the text: y[b] = ids[s+1:s+T+1]"
    assert int(x.min()) >= 1000 and int(y.max()) <= 1299, "windows must lie inside ids"


@pytest.mark.points(1)
def test_sample_batch_reaches_every_valid_start(submission):
    n, seq_len = 20, 6  # valid starts: 0 .. n - seq_len - 1 = 13
    gen = worker_import(submission, "torch").Generator().manual_seed(0)
    x, _ = submission.sample_batch(torch.arange(n), seq_len, 2000, gen)
    starts = set(as_tensor(x, "x")[:, 0].tolist())
    want = set(range(n - seq_len))
    assert starts == want, (
        f"with {n} ids and T={seq_len} the starts 0..{n - seq_len - 1} are all valid (the last target is id "
        f"{n - 1}); 2000 draws produced {sorted(starts)}: missing {sorted(want - starts)}, invalid "
        f"{sorted(starts - want)}. torch.randint's upper bound is exclusive.")


@pytest.mark.points(1)
def test_sample_batch_uses_the_generator(submission):
    torch_w = worker_import(submission, "torch")
    ids = torch.arange(500)
    a, _ = submission.sample_batch(ids, 10, 8, torch_w.Generator().manual_seed(123))
    b, _ = submission.sample_batch(ids, 10, 8, torch_w.Generator().manual_seed(123))
    c, _ = submission.sample_batch(ids, 10, 8, torch_w.Generator().manual_seed(124))
    assert torch.equal(a, b), "two generators seeded alike must give the same batch: pass generator= to torch.randint"
    assert not torch.equal(a, c), "generators with different seeds gave the same batch: is the generator ignored?"


@pytest.mark.points(1)
def test_sample_batch_rejects_too_short_ids(submission):
    expect_raises("ValueError", submission.sample_batch, torch.arange(8), 8, 4)
