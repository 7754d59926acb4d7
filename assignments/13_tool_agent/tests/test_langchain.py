import pytest

from autograder.testing import replaced, worker_function

# Library glue run in the worker: scripts a ScriptedChatModel, runs the student's LangChain agent, and reports the
# conversation as plain data (message types, contents, tool calls) and how often the model was called.
LC_SOURCE = '''
def lc_scripted_run(ScriptedChatModel, build_lc_agent, run_lc_agent, forever, max_steps):
    from langchain_core.messages import AIMessage

    calls = [0]

    def tool_call(expression, number):
        return AIMessage(content="", tool_calls=[{"name": "calculator", "args": {"expression": expression},
                                                  "id": "call_%d" % number}])

    def replies():
        calls[0] += 1
        yield tool_call("6 * 7", 1)
        while forever:
            calls[0] += 1
            if calls[0] > 40:
                raise RuntimeError("the model was called more than 40 times")
            yield tool_call("6 * 7", calls[0])
        calls[0] += 1
        yield AIMessage(content="Answer: 42\\nanything after the answer line")

    model = ScriptedChatModel(messages=replies())
    try:
        run = run_lc_agent(build_lc_agent(model, max_steps=max_steps), "What is 6 times 7?")
    except Exception as exc:
        return {"error": type(exc).__name__ + ": " + str(exc)[:200], "model_calls": calls[0]}
    summary = []
    for m in run["messages"]:
        summary.append({"type": type(m).__name__, "content": m.content,
                        "tool_calls": [(c["name"], c["args"], c["id"]) for c in (getattr(m, "tool_calls", None) or [])],
                        "tool_call_id": getattr(m, "tool_call_id", None)})
    return {"answer": run["answer"], "messages": summary, "model_calls": calls[0]}
'''


def scripted_run(submission, glue, forever, max_steps=4):
    runner = worker_function(submission, LC_SOURCE, "lc_scripted_run")
    with replaced(submission, call_tool=glue["glue_call_tool"], extract_final_answer=glue["glue_answer"]):
        return runner(submission.ScriptedChatModel, submission.build_lc_agent, submission.run_lc_agent, forever,
                      max_steps)


@pytest.mark.points(1)
def test_langchain_tools_wrap_the_tools(submission, glue):
    """@tool turns the calculator and search into LangChain tools with the right names, arguments and output."""
    calc, srch = submission.calculator_tool, submission.search_tool
    assert calc.name == "calculator" and srch.name == "search", "name the tools with @tool(\"calculator\"), @tool(\"search\")"
    assert set(calc.args) == {"expression"} and set(srch.args) == {"query", "k"}, \
        "the arguments come from the signatures: calculator_tool(expression: str), search_tool(query: str, k: int = 3)"
    assert calc.description and srch.description, "each tool needs a docstring: it is the description the model reads"
    with replaced(submission, call_tool=glue["glue_call_tool"]):
        assert calc.invoke({"expression": "6 * 7"}) == "42", "calculator_tool returns call_tool's observation text"
        assert calc.invoke({"expression": "os"}).startswith("Error: "), \
            "a refused expression comes back as call_tool's 'Error: ...' text, not an exception"


@pytest.mark.points(2)
@pytest.mark.timeout(60)
def test_langchain_agent_message_sequence(submission, glue):
    """create_agent runs the tool call: Human, AI with tool_calls, ToolMessage with the result, final AI answer."""
    run = scripted_run(submission, glue, forever=False)
    assert "error" not in run, f"the agent raised {run.get('error')}: build it with create_agent and invoke it " \
                               "with {'messages': [HumanMessage(question)]}"
    types = [m["type"] for m in run["messages"]]
    assert types == ["HumanMessage", "AIMessage", "ToolMessage", "AIMessage"], \
        f"the conversation should be Human, AI (tool call), Tool, AI (answer); got {types}"
    human, call, result, final = run["messages"]
    assert human["content"] == "What is 6 times 7?", "the first message is HumanMessage(question)"
    assert call["tool_calls"] == [("calculator", {"expression": "6 * 7"}, "call_1")], "the model's tool call is kept"
    assert result["content"] == "42" and result["tool_call_id"] == "call_1", \
        "the ToolMessage holds the calculator tool's observation for call_1 (pass the tools to create_agent)"
    assert run["model_calls"] == 2, "the model is called twice: the tool call, then the answer"
    assert run["answer"] == "42", "answer is extract_final_answer of the last AIMessage's content"


@pytest.mark.points(2)
@pytest.mark.timeout(60)
def test_langchain_agent_stops_at_the_step_limit(submission, glue):
    """A chat model that never stops calling tools is cut off after max_steps model calls, with no answer."""
    run = scripted_run(submission, glue, forever=True, max_steps=3)
    assert "error" not in run, f"the agent raised {run.get('error')} after {run['model_calls']} model calls: " \
                               "add ModelCallLimitMiddleware(run_limit=max_steps, exit_behavior='end')"
    assert run["model_calls"] == 3, f"the model was called {run['model_calls']} times instead of max_steps = 3"
    assert run["answer"] is None, "no final answer after the step limit: answer None"
