"""Task 2: word_alignment (tokens, word ids from character offsets, whitespace words)."""
import pytest

from autograder.testing import worker_import
from conftest import MODEL_DIR

TEXTS = [
    "Zoë's unbelievably patient dog waited outside the bakery.",
    "  Tokenizers   split words-with-hyphens, don't they?",
    "The keys to the cabinet are on the table.",
    "naïve café owners (in 2024) said: «ça va»!",
]


def worker_tokenizer(submission):
    return worker_import(submission, "transformers").AutoTokenizer.from_pretrained(MODEL_DIR)


@pytest.mark.points(3)
def test_word_alignment_uses_offsets_and_whitespace_words(submission, ref):
    """Each word piece belongs to the whitespace-separated word that contains its first character (offsets)."""
    tok = worker_tokenizer(submission)
    for text in TEXTS:
        want_tokens, want_ids, want_words = ref.word_alignment(text)
        out = submission.word_alignment(tok, text)
        assert isinstance(out, tuple) and len(out) == 3, "word_alignment should return (tokens, word_ids, words)"
        tokens, ids, words = list(out[0]), [int(i) for i in out[1]], list(out[2])
        assert tokens == want_tokens, (
            f"tokens of {text!r}: expected {want_tokens}, got {tokens}; convert the input ids with special tokens")
        assert words == want_words, (
            f"words of {text!r}: expected {want_words}, got {words}; words are the runs of non-whitespace characters "
            "as written in the text (re.finditer(r'\\S+', text))")
        assert ids == want_ids, (
            f"word_ids of {text!r}: expected {want_ids}, got {ids}; a token belongs to the whitespace word whose span "
            "contains its start offset (not encoding.word_ids(), which splits off punctuation)")


@pytest.mark.points(2)
def test_word_alignment_marks_special_tokens(submission, ref):
    """[CLS] and [SEP] belong to no word (word id -1); sub-tokens of one word share its id."""
    tok = worker_tokenizer(submission)
    text = "antidisestablishmentarianism puzzles tokenizers"
    want_tokens, want_ids, want_words = ref.word_alignment(text)
    out = submission.word_alignment(tok, text)
    tokens, ids = list(out[0]), [int(i) for i in out[1]]
    assert tokens[0] == "[CLS]" and tokens[-1] == "[SEP]", (
        f"tokens should start with [CLS] and end with [SEP], got {tokens[:1]} ... {tokens[-1:]}")
    assert ids[0] == -1 and ids[-1] == -1, f"special tokens should get word id -1, got {ids[0]} and {ids[-1]}"
    assert ids == want_ids, f"word_ids: expected {want_ids}, got {ids}: all pieces of one word share its index"
