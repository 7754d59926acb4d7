import json

import pytest

from autograder.testing import replaced

CALL = 'Call: {"name": "calculator", "arguments": {"expression": "6 * 7"}}'


@pytest.mark.points(2)
def test_tool_schemas_are_json_schema(submission):
    """Each tool is described by a name, a description and a JSON Schema object of its parameters."""
    schemas = submission.tool_schemas()
    json.dumps(schemas)
    assert [s.get("name") for s in schemas] == ["calculator", "search"], "two schemas: calculator, then search"
    for s in schemas:
        assert isinstance(s.get("description"), str) and s["description"], f"{s['name']} needs a description"
        p = s.get("parameters", {})
        assert p.get("type") == "object" and p.get("additionalProperties") is False, \
            f"{s['name']}: parameters is an object schema with additionalProperties False"
        for prop in p.get("properties", {}).values():
            assert "type" in prop and "description" in prop, f"{s['name']}: each parameter has a type and description"
    calc, srch = schemas[0]["parameters"], schemas[1]["parameters"]
    assert calc["required"] == ["expression"] and calc["properties"]["expression"]["type"] == "string", \
        "calculator takes one required string, expression"
    assert srch["required"] == ["query"] and srch["properties"]["k"]["type"] == "integer", \
        "search requires a string query; k is an optional integer"


@pytest.mark.points(1)
def test_parse_reads_a_well_formed_call(submission):
    """A well-formed Call line is parsed into its tool name and arguments."""
    text = "Sure.\n" + CALL + "\nResult: 42"
    assert submission.parse_tool_call(text) == {"name": "calculator", "arguments": {"expression": "6 * 7"}}, \
        "parse the JSON after 'Call:' into {'name': ..., 'arguments': ...}"
    assert submission.parse_tool_call("Answer: 42") is None, "no Call line means no tool call: return None"


@pytest.mark.points(2)
def test_parse_reports_malformed_calls_instead_of_crashing(submission):
    """Malformed tool calls (bad JSON, missing name, non-object arguments) become an error, never a crash."""
    for bad in ['Call: {"name": "calculator", "arguments": {"expression": "6 *',
                'Call: {"arguments": {"expression": "1"}}', 'Call: {"name": "calculator", "arguments": "1+1"}',
                "Call: [1, 2]", "Call: "]:
        out = submission.parse_tool_call(bad)
        assert isinstance(out, dict) and set(out) == {"error"} and isinstance(out["error"], str), \
            f"parse_tool_call({bad!r}) should return {{'error': message}} (catch json errors, check the keys)"


@pytest.mark.points(1)
def test_final_answer_is_extracted(submission):
    """The final answer is only the text after 'Answer:', not the model's whole output."""
    assert submission.extract_final_answer("Answer: 84\n\nQuestion: more?") == "84", \
        "return the stripped rest of the Answer: line only"
    assert submission.extract_final_answer("I think it is 84") is None, "no Answer: line means None"


@pytest.mark.points(2)
def test_call_tool_turns_errors_into_observations(submission, glue):
    """A failing tool call returns 'Error: ...' as its observation instead of raising."""
    with replaced(submission, calculator=glue["glue_calculator"]):
        assert submission.call_tool("calculator", {"expression": "6 * 7"}) == "42", \
            "a calculator result is formatted with format_number"
        for name, args in [("calculator", {"expression": "os"}), ("calculator", {"expr": "1"}), ("weather", {})]:
            out = submission.call_tool(name, args)
            assert isinstance(out, str) and out.startswith("Error: "), \
                f"call_tool({name!r}, {args}) should return 'Error: ...' (catch the tool's exceptions)"


@pytest.mark.points(1)
def test_call_tool_runs_search(submission):
    """The search tool's results reach the model as JSON text."""
    out = submission.call_tool("search", {"query": "Moon distance", "k": 1})
    assert json.loads(out) == submission.search("Moon distance", k=1), "search's observation is json.dumps(results)"


def glue_parts(glue):
    return dict(parse_tool_call=glue["glue_parse"], extract_final_answer=glue["glue_answer"],
                call_tool=glue["glue_call_tool"])


@pytest.mark.points(2)
def test_agent_loop_calls_the_tool_then_answers(submission, scripted, glue):
    """The loop runs the tool, appends its Result to the transcript, and stops at the final answer."""
    llm = scripted([CALL + "\nResult: 999", "Answer: 42\nQuestion: ignored"])
    with replaced(submission, **glue_parts(glue)):
        run = submission.run_agent(llm, "What is 6 times 7?")
        first = submission.build_prompt("What is 6 times 7?")
    prompts = llm.prompts
    assert run["answer"] == "42" and run["steps"] == 2, "two model calls: a tool call, then the answer"
    assert len(prompts) == 2 and prompts[0] == first, "the first prompt is build_prompt(question)"
    assert prompts[1] == first + CALL + "\nResult: 42\n", \
        "the second prompt adds the model's text up to 'Result:', then 'Result: <observation>' (not its own result)"
    assert run["transcript"] == prompts[1] + "Answer: 42\nQuestion: ignored", \
        "the final transcript is the last prompt plus the model's last output"


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_agent_loop_stops_at_the_step_limit(submission, scripted, glue):
    """A model that never stops calling tools is cut off after max_steps calls, with no answer."""
    llm = scripted([CALL])
    with replaced(submission, **glue_parts(glue)):
        run = submission.run_agent(llm, "loop?", max_steps=3)
    assert len(llm.prompts) == 3, "the model must be called exactly max_steps times"
    assert run["answer"] is None and run["steps"] == 3, "no final answer after the step limit: answer None"


@pytest.mark.points(1)
def test_agent_loop_feeds_malformed_calls_back(submission, scripted, glue):
    """A malformed call becomes an 'Error:' observation, and the model gets another turn."""
    llm = scripted(['Call: {"name": "calculator", "argum', "Answer: 3"])
    with replaced(submission, **glue_parts(glue)):
        run = submission.run_agent(llm, "1 + 2?")
    assert run["answer"] == "3", "after the error the model answers"
    assert llm.prompts[1].endswith("\nResult: Error: bad json\n"), \
        "the malformed call's error message is fed back as 'Result: Error: <message>'"
