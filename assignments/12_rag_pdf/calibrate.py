import json, sys, time, os
sys.path.insert(0, "/work/wt-12/assignments/12_rag_pdf"); sys.path.insert(0, "/work/wt-12/autograder/release_modules")
import torch; torch.set_num_threads(1)
import reference as R
P = "/tmp/r12/a/data/course_handbook.pdf"
qs = json.load(open("/tmp/r12/a/data/questions.json"))
cs, co = int(sys.argv[1]), int(sys.argv[2])
R.CHUNK_SIZE, R.CHUNK_OVERLAP = cs, co
R.split_texts.__defaults__ = (cs, co)
t = time.time(); ch = R.split_texts(R.load_pages(P)); print("chunks", len(ch), time.time() - t)
t = time.time(); R.embed([c["text"] for c in ch]); print("embed", time.time() - t)
R._store(P)
t = time.time(); hits = [R.retrieve(P, q["question"], 10) for q in qs]; print("retrieve", time.time() - t)
ranked = [R.ranked_pages(h) for h in hits]; rel = [[q["page"]] for q in qs]
for k in (1, 2, 3, 5): print("recall@", k, R.recall_at_k(ranked, rel, k))
print("mrr", R.mean_reciprocal_rank(ranked, rel))
for q, h in zip(qs, hits):
    if not any(q["evidence"].lower() in x["text"].lower() for x in h[:3]): print("  evidence not in top3 chunks:", q["id"])
if len(sys.argv) > 3:
    from course_models import load_smollm2
    tok, model = load_smollm2()
    V = os.environ.get("V", "a")
    def build(question, hs):
        ctx = "\n\n".join(f"[page {x['page'] + 1}] {x['text']}" for x in hs)
        if V == "a":
            return R.build_prompt(question, hs)
        if V == "b":
            return [{"role": "system", "content": "Answer the question with the context below. Cite the page number.\n\nContext:\n" + ctx},
                    {"role": "user", "content": question}]
        if V == "c":
            return [{"role": "user", "content": f"{ctx}\n\nUsing the text above, answer this question: {question}"}]
        if V == "d":
            return [{"role": "system", "content": "Answer the question with a short phrase copied from the context, then cite the page like (page 3).\n\nContext:\n" + ctx},
                    {"role": "user", "content": question}]
    for K in map(int, sys.argv[3].split(",")):
        t = time.time(); ok = 0; ntok = 0
        for q, h in zip(qs, hits):
            msgs = build(q["question"], h[:K])
            enc = tok.apply_chat_template(msgs, add_generation_prompt=True, return_tensors="pt", return_dict=True)
            with torch.no_grad(): out = model.generate(**enc, max_new_tokens=int(os.environ.get("MNT", 24)), do_sample=False)
            rep = tok.decode(out[0, enc["input_ids"].shape[1]:], skip_special_tokens=True).strip()
            good = any(a.lower() in rep.lower() for a in q["answers"]); ok += good; ntok += enc["input_ids"].shape[1]
            print(f"  {K} {q['id']:2d} {'OK ' if good else 'BAD'} {rep[:100]!r}")
        print("K", K, "correct", ok, "time", time.time() - t, "prompt tokens avg", ntok / 20)
