"""Task 1: build_vocab, encode, decode, pad_batch."""
import pytest
import torch

from conftest import BOS, EOS, PAD, SPECIALS, UNK


@pytest.mark.points(2)
def test_build_vocab_puts_specials_first_then_sorted_characters(submission, ref):
    """The vocabulary is the four special tokens, then every distinct character sorted by code point."""
    texts = ["lundi 3 mars 2014", "Montag, 3. März 2014", "2014-03-03", ""]
    itos, stoi = submission.build_vocab(texts)
    want_itos, want_stoi = ref.build_vocab(texts)
    assert list(itos[:4]) == SPECIALS, f"itos should start with {SPECIALS} (ids 0-3); got {list(itos[:4])}"
    assert list(itos) == want_itos, (
        f"after the specials, itos should list each distinct character of all texts once, sorted by code point "
        f"(sorted(set(''.join(texts)))); got {list(itos)[4:]!r}")
    assert dict(stoi) == want_stoi, "stoi should map every entry of itos (specials included) to its index"
    empty_itos, empty_stoi = submission.build_vocab([])
    assert list(empty_itos) == SPECIALS and dict(empty_stoi) == {t: i for i, t in enumerate(SPECIALS)}, (
        "build_vocab([]) should give just the four special tokens")


@pytest.mark.points(1)
def test_encode_maps_unknown_characters_and_appends_eos(submission, ref):
    """Encoding writes one id per character, UNK for an unseen character, and ends with EOS."""
    _, stoi = ref.build_vocab(["3 mars 2014", "May 5"])
    for text in ["3 mars", "May 2014", "Mai 2014", "", "ü"]:
        got = submission.encode(text, stoi)
        want = ref.encode(text, stoi)
        assert [int(i) for i in got] == want, (
            f"encode({text!r}) should be {want} (one id per character, {UNK} for unknown characters, then EOS={EOS}); "
            f"got {list(got)}")


@pytest.mark.points(1)
def test_decode_stops_at_eos_and_skips_padding(submission, ref):
    """Decoding skips PAD and BOS, writes UNK as <unk> and stops at the first EOS."""
    itos, stoi = ref.build_vocab(["2014-03-03"])
    cases = [[BOS, stoi["2"], stoi["0"], EOS, stoi["1"]], [stoi["1"], PAD, stoi["-"], UNK], [EOS, stoi["3"]], []]
    for ids in cases:
        want = ref.decode(ids, itos)
        got = submission.decode(ids, itos)
        assert got == want, f"decode({ids}) should be {want!r} (skip PAD/BOS, stop at the first EOS); got {got!r}"
    got = submission.decode(torch.tensor([stoi["0"], stoi["3"], EOS, PAD]), itos)
    assert got == "03", f"decode should also accept a 1-D tensor of ids; got {got!r}"


@pytest.mark.points(1)
def test_pad_batch_right_pads_with_pad(submission, ref):
    """A batch of id lists becomes one int64 tensor, right-padded to the longest list."""
    seqs = [[5, 6, 7, EOS], [8, EOS], [9, 10, EOS]]
    got = submission.pad_batch(seqs)
    assert isinstance(got, torch.Tensor) and got.dtype == torch.int64, "pad_batch should return an int64 tensor"
    assert got.tolist() == ref.pad_batch(seqs).tolist(), (
        f"pad_batch should right-pad with PAD ({PAD}) to the longest sequence; got {got.tolist()}")
    other = submission.pad_batch([[4], [4, 4, 4]], pad_id=9)
    assert other.tolist() == [[4, 9, 9], [4, 4, 4]], "pad_batch should pad with its pad_id argument"
