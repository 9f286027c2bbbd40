"""LaTeX math in titles to Typst math for cv.pdf: what Typst then typesets, and nothing unsafe."""

from __future__ import annotations

import pytest
import typst

from generator.typst_math import to_text, to_typst


def typeset(math: str) -> bytes:
    return typst.compile(b'#eval(sys.inputs.m, mode: "math")', sys_inputs={"m": math}, ignore_system_fonts=True)


@pytest.mark.parametrize(
    "latex, typst_math",
    [
        (r"\mathcal{O}(n)", "cal(O)(n)"),
        (r"O(n \log n)", "O(n log n)"),
        (r"\alpha^2_i + \beta", "α^(2)_(i) + β"),
        (r"\frac{1}{\sqrt{d}}", "frac(1, sqrt(d))"),
        (r"x \leq y \in \mathbb{R}^{n \times m}", "x ≤ y ∈ bb(R)^(n × m)"),
        (r"\text{softmax}(QK^T)", 'upright("softmax")(Q K^(T))'),
        (r"a/b", r"a\/b"),
    ],
)
def test_common_title_math_translates_and_typesets(latex, typst_math):
    assert to_typst(latex) == typst_math
    assert typeset(typst_math).startswith(b"%PDF")


@pytest.mark.parametrize("hostile", ['#read("/etc/passwd")', '"; #panic() "', r"\text{#panic()}", "$ x $"])
def test_code_in_a_formula_stays_symbols(hostile):
    math = to_typst(hostile)
    assert math is None or typeset(math).startswith(b"%PDF")  # no panic, no file read


def test_unknown_commands_give_up_and_fall_back_to_unicode_text():
    assert to_typst(r"\unknowncommand{x}") is None
    assert to_text(r"\alpha + \beta").replace(" ", "") == "α+β"
