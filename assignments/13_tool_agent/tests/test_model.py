import re

import pytest

from autograder.testing import replaced

PROBLEMS = [
    ("A pack has 24 pencils. How many pencils are in 15 packs?", 360),
    ("Anna saves 45 dollars a week. How much does she save in 12 weeks?", 540),
    ("A train travels 320 km in 4 hours. What is its speed in km per hour?", 80),
    ("There are 1200 apples shared equally among 30 baskets. How many apples per basket?", 40),
    ("A shirt costs 18 dollars. How much do 9 shirts cost?", 162),
    ("A farmer has 356 sheep and buys 148 more. How many sheep does he have?", 504),
    ("A library had 930 books and lent out 287. How many books remain?", 643),
    ("A room is 14 meters long and 9 meters wide. What is its area in square meters?", 126),
    ("Each bus carries 52 people. How many people do 13 buses carry?", 676),
    ("A tank holds 1500 liters and 625 liters are used. How many liters are left?", 875),
]


def first_number(text):
    found = re.findall(r"-?\d+(?:\.\d+)?", text or "")
    return float(found[0]) if found else None


@pytest.mark.points(1)
def test_few_shot_prompt_has_valid_examples(submission, glue):
    """The few-shot prompt shows worked Call/Result/Answer examples and ends with the new question."""
    prompt = submission.build_prompt("How much is 3 times 4?")
    assert prompt.endswith("\n\nQuestion: How much is 3 times 4?\n"), \
        "end with a blank line, then 'Question: <question>' and a newline"
    calls = [line for line in prompt.splitlines() if line.startswith("Call:")]
    assert len(calls) >= 2, "show at least two worked examples with a Call line"
    for line in calls:
        parsed = glue["glue_parse"](line)
        assert parsed and "error" not in parsed, f"the example {line!r} is not a valid JSON call"
    assert prompt.count("Result:") >= 2 and prompt.count("Answer:") >= 2, "each example has a Result and an Answer"


@pytest.mark.points(1)
def test_llm_complete_stops_at_result(submission):
    """Greedy generation returns only the new text and stops where the program must write the Result."""
    prompt = submission.build_prompt("A box holds 6 pens. How many pens are in 8 boxes?")
    out = submission.llm_complete(prompt)
    assert isinstance(out, str) and not out.startswith("You can") and "Question:" not in out, \
        "return only the newly generated text (slice off the prompt's tokens)"
    assert "Result:" not in out or out.rstrip().endswith("Result:"), \
        "stop at 'Result:' or a blank line (stop_strings with tokenizer=TOKENIZER)"
    assert out == submission.llm_complete(prompt), "greedy generation repeats exactly (do_sample=False)"


@pytest.mark.points(4)
@pytest.mark.timeout(400)
def test_smollm2_solves_word_problems_with_the_calculator(submission, glue):
    """With few-shot tool-call prompting, SmolLM2 solves at least 8 of 10 word problems through the calculator."""
    correct, used_tool = 0, 0
    with replaced(submission, calculator=glue["glue_calculator"], parse_tool_call=glue["glue_parse"],
                  extract_final_answer=glue["glue_answer"], call_tool=glue["glue_call_tool"]):
        for question, expected in PROBLEMS:
            run = submission.run_agent(submission.llm_complete, question)
            used_tool += "\nResult: " in run["transcript"][len(submission.build_prompt(question)):]
            value = first_number(run["answer"])
            correct += value is not None and abs(value - expected) < 1e-6
    assert used_tool >= 8, f"the model called the calculator on only {used_tool}/10 problems: " \
                           "show it worked examples of the Call format (few-shot)"
    assert correct >= 8, f"only {correct}/10 problems solved (at least 8 expected): check the few-shot examples " \
                         "and that llm_complete is greedy and returns only the new text"
