"""Faults of the grader or the course, never of the submission: they stop a grading instead of scoring it."""


class GraderFault(Exception):
    """The grading cannot be trusted (a broken hidden suite, a missing reference answer, a sandbox that did
    not start, ...). ``autograder grade`` exits non-zero with this message and gives no score."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
