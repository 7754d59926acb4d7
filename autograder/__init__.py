"""LLM Roadmap Classroom's grading engine.

The pipeline, one module per step:
    notebook   read a submission and build the program the worker runs (setup + answer cells)
    codec      the allow-listed wire format between the worker and the trusted side
    worker     the process that runs student code and answers calls
    sandbox    how the worker is started: limits, scrubbed environment, namespaces, unprivileged user
    client     the trusted side's proxy to the worker (what hidden tests call `submission`)
    plugin     the pytest plugin that runs hidden suites and records per-test results
    grading    one grading run: prepare, run the suite in a trusted subprocess, collect the result
    reports    table, JSON, GitHub Classroom, Gradescope and Markdown reports
    release    nbgrader source -> student release (template repository)
    validate   reference 100 %, stub 0, deterministic, within budget
"""

__version__ = "0.1.0"
