"""Calibrate 12_rag_pdf's gates with the reference (one thread, greedy: a run repeats exactly).

    python assignments/12_rag_pdf/calibrate.py DATA_DIR [CHUNK_SIZE OVERLAP [K1,K2,...]]

DATA_DIR holds course_handbook.pdf and questions.json (``make_data.py DEST`` writes DEST/data). Prints the chunk
count, recall@k and MRR of the 20 questions, and, when K values are given, SmolLM2's replies with the top-K chunks
and how many contain an accepted answer at max_new_tokens 16..MNT (env MNT, default 32: greedy, so a shorter run's
reply is a prefix of the longer one's). The prompt is the reference's ``build_prompt``.
"""
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "autograder" / "release_modules"))

import torch  # noqa: E402

torch.set_num_threads(1)
import reference as R  # noqa: E402

data = Path(sys.argv[1])
pdf = str(data / "course_handbook.pdf")
qs = json.loads((data / "questions.json").read_text(encoding="utf-8"))
cs, co = (int(sys.argv[2]), int(sys.argv[3])) if len(sys.argv) > 3 else (R.CHUNK_SIZE, R.CHUNK_OVERLAP)
R.CHUNK_SIZE, R.CHUNK_OVERLAP = cs, co
R.split_texts.__defaults__ = (cs, co)
t = time.time()
print("chunks", len(R.split_texts(R.load_pages(pdf))), f"({cs}/{co})")
R._store(pdf)
hits = [R.retrieve(pdf, q["question"], 10) for q in qs]
print("store + retrieval", round(time.time() - t, 1), "s")
ranked, rel = [R.ranked_pages(h) for h in hits], [[q["page"]] for q in qs]
for k in (1, 2, 3, 5):
    print(f"recall@{k}", R.recall_at_k(ranked, rel, k))
print("mrr", R.mean_reciprocal_rank(ranked, rel))
for q, h in zip(qs, hits):
    if q["evidence"].lower() not in h[0]["text"].lower():
        print("  evidence phrase not in the top-1 chunk:", q["id"])
if len(sys.argv) > 4:
    from course_models import load_smollm2

    tok, model = load_smollm2()
    mnt = int(os.environ.get("MNT", 32))
    for K in map(int, sys.argv[4].split(",")):
        t, ok, ntok = time.time(), {n: 0 for n in range(16, mnt + 1, 4)}, 0
        for q, h in zip(qs, hits):
            enc = tok.apply_chat_template(R.build_prompt(q["question"], h[:K]), add_generation_prompt=True,
                                          return_tensors="pt", return_dict=True)
            with torch.no_grad():
                out = model.generate(**enc, max_new_tokens=mnt, do_sample=False)
            new = out[0, enc["input_ids"].shape[1]:]
            for n in ok:
                reply = tok.decode(new[:n], skip_special_tokens=True).strip().lower()
                ok[n] += any(a.lower() in reply for a in q["answers"])
            reply = tok.decode(new, skip_special_tokens=True).strip()
            good = any(a.lower() in reply.lower() for a in q["answers"])
            ntok += enc["input_ids"].shape[1]
            print(f"  K={K} {q['id']:2d} {'OK ' if good else 'BAD'} {q['question']} -> {reply!r}")
        print(f"K={K}: correct by max_new_tokens {ok}; {time.time() - t:.1f} s; prompt tokens avg {ntok / len(qs):.0f}")
