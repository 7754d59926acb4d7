"""Library glue for 13_tool_agent's hidden suite: a scripted model and trusted stand-ins, defined in the worker."""
import pytest

from autograder.testing import worker_function

SCRIPTED_SOURCE = '''
def scripted_llm(replies):
    """A fake model: returns the replies in order (the last one forever) and records every prompt it saw."""
    prompts = []

    def llm(prompt, *args, **kwargs):
        prompts.append(prompt)
        if len(prompts) > 40:
            raise RuntimeError("the model was called more than 40 times: the loop has no step limit")
        return replies[min(len(prompts), len(replies)) - 1]

    llm.prompts = prompts
    return llm
'''

# Trusted stand-ins (the sandboxed worker runs them on the suite's own inputs and on the model's output).
GLUE_SOURCE = '''
import json as _json
import math as _math
import re as _re


def glue_calculator(expression):
    if not _re.fullmatch(r"[0-9+\\-*/(). ]{1,80}", expression):
        raise ValueError("glue calculator: only digits and + - * / ( )")
    return float(eval(expression, {"__builtins__": {}}, {}))


def glue_parse(text):
    found = _re.search(r"^Call:(.*)$", text, flags=_re.M)
    if found is None:
        return None
    try:
        obj = _json.loads(found.group(1))
    except ValueError:
        return {"error": "bad json"}
    if type(obj) is not dict or type(obj.get("name")) is not str or type(obj.get("arguments")) is not dict:
        return {"error": "bad call"}
    return dict(name=obj["name"], arguments=obj["arguments"])


def glue_answer(text):
    found = _re.search(r"^Answer:(.*)$", text, flags=_re.M)
    return None if found is None else found.group(1).strip()


def glue_call_tool(name, arguments):
    if name != "calculator":
        return "Error: unknown tool"
    try:
        value = glue_calculator(**arguments)
    except Exception as exc:
        return "Error: " + str(exc)
    return str(int(value)) if value == int(value) else repr(value)
'''


@pytest.fixture
def scripted(submission):
    return worker_function(submission, SCRIPTED_SOURCE, "scripted_llm")


@pytest.fixture
def glue(submission):
    names = ["glue_calculator", "glue_parse", "glue_answer", "glue_call_tool"]
    return {name: worker_function(submission, GLUE_SOURCE, name) for name in names}
