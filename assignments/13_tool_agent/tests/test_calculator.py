import math

import pytest

from autograder.testing import student_raises

ARITHMETIC = ["12 * (3 + 4)", "2 ** 10 - 1", "-7 // 2", "7 % 3", "1 / 8", "+5 - -3", "3.5 * 2", "(1 + 2) * (3 + 4) / 7",
              "2 ** -2", "10 - 2 - 3"]
HOSTILE = ["__import__('os').system('true')", "().__class__.__base__", "x + 1", "open('/etc/passwd')",
           "[i for i in range(10)]", "(lambda: 1)()", "sqrt.__doc__", "'a' * 3", "True + 1", "sqrt(x=4)", "eval('1')"]


@pytest.mark.points(3)
def test_calculator_computes_arithmetic(submission):
    """The calculator gets ordinary arithmetic right, with Python's precedence and operators."""
    for expression in ARITHMETIC:
        value = submission.calculator(expression)
        expected = float(eval(expression))  # trusted constants of the suite itself
        assert isinstance(value, float), f"calculator({expression!r}) should return a float"
        assert math.isclose(value, expected, rel_tol=1e-12), \
            f"calculator({expression!r}) is wrong: check the operator table and unary minus"


@pytest.mark.points(1)
def test_calculator_allows_the_named_functions(submission):
    """The calculator evaluates the allowed functions (sqrt, factorial, log, abs...)."""
    cases = {"sqrt(16) + 2": 6.0, "factorial(5)": 120.0, "abs(-3) * 2": 6.0, "log(exp(2))": 2.0, "round(2.6)": 3.0}
    for expression, expected in cases.items():
        assert math.isclose(submission.calculator(expression), expected, rel_tol=1e-12), \
            f"calculator({expression!r}) is wrong: the allowed functions are called with their arguments"


@pytest.mark.points(3)
@pytest.mark.timeout(10)
def test_calculator_refuses_code(submission):
    """Anything that is not arithmetic (names, attributes, other calls, comprehensions, strings) is refused."""
    for hostile in HOSTILE:
        with student_raises("ValueError", message=f"calculator must refuse {hostile!r} with a ValueError "
                                                  "(walk an allow-list of AST nodes; never eval)"):
            submission.calculator(hostile)


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_calculator_refuses_huge_numbers_quickly(submission):
    """Huge powers and factorials are refused before computing them, so the tool cannot be made to hang."""
    for huge in ["9**9**9", "2 ** 100000", "factorial(100000)", "10 ** (10 ** 10)"]:
        with student_raises("ValueError", message=f"calculator must refuse {huge!r} quickly: check the exponent "
                                                  "(and factorial's argument) against the limit before computing"):
            submission.calculator(huge)


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_calculator_refuses_long_and_broken_inputs(submission):
    """Over-long inputs, syntax errors, non-strings and division by zero all become a clear ValueError."""
    for bad in ["1+" * 5000 + "1", "(" * 1000 + "1" + ")" * 1000, "2 +", "1 / 0", 42]:
        with student_raises("ValueError", message=f"calculator must refuse {str(bad)[:20]!r}... with a ValueError "
                                                  "(length checked before parsing, errors converted)"):
            submission.calculator(bad)
