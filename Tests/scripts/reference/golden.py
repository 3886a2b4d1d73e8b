"""Helpers that write dscript golden scripts whose `# expect:` lines come from PyTorch.

Each golden file is described in Python as pairs: a dscript statement and the PyTorch expression
that computes the same thing. The `# expect:` lines are PyTorch's values printed the way dscript
prints them (tensors as torch prints them, plus dscript's `shape=[...]` suffix for tensors with
2+ dimensions, summarised or empty ones; `requires_grad=true` for tensors recording gradients).

Run: /work/venv-ref/bin/python Tests/scripts/reference/make_goldens.py
"""
import math
import os

import numpy as np
import torch

torch.set_printoptions(precision=4, threshold=1000, edgeitems=3, linewidth=80, sci_mode=None)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
F = "torch.nn.functional"  # reference expressions spell it f"{F}.relu(v)"


def fmt_number(x):
    """dscript's number format: integral without fraction, else the shortest round-trip form."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == int(x) and abs(x) < 1e16:
        return str(int(x))
    return repr(x)


def f32(x):
    """A float32 result as dscript reports it (`x.item()`): the shortest float32 decimal."""
    return float(str(np.float32(x)))


def fmt_tensor(t):
    t = t.detach().float()
    body = str(t)
    if body.endswith(")"):
        body = body[:-1]
    cut = body.find(", size=(")
    if cut >= 0:
        body = body[:cut]
    suffix = ""
    summarised = t.numel() > 1000
    if t.dim() >= 2 or summarised or (t.numel() == 0 and t.dim() > 0):
        suffix += ", shape=[" + ", ".join(str(d) for d in t.shape) + "]"
    return body + suffix


def fmt(value):
    if isinstance(value, torch.Tensor):
        text = fmt_tensor(value)
        if value.requires_grad:
            text += ", requires_grad=true"
        return text + ")"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, np.floating)):
        return fmt_number(value)
    if isinstance(value, (list, tuple, torch.Size)):
        return "[" + ", ".join('"' + v + '"' if isinstance(v, str) else fmt(v) for v in value) + "]"
    if value is None:
        return "nil"
    return str(value)


class Golden:
    """One golden script under Tests/scripts/<path>, described as a table of rows.

    A row is a tuple `(dscript, python, ...)`: a statement (usually a `print(...)`) whose output is
    the values of the Python expressions, space-separated. `code`, `literal`, `comment` and `error`
    below make the other kinds of row. The rows run in order at `write()`, so Python state set by a
    `code` row is there for the rows after it.
    """

    def __init__(self, path, title, reference, rows):
        self.path, self.title, self.reference, self.rows = path, title, reference, rows

    def write(self):
        self.lines = [
            f"# {self.title}",
            f"# Expected values generated from PyTorch {torch.__version__} by",
            f"# `/work/venv-ref/bin/python Tests/scripts/reference/make_goldens.py` ({self.reference}).",
        ]
        self.env = {"torch": torch, "np": np, "math": math, "f32": f32}
        for row in self.rows:
            if callable(row):
                row(self)
            else:
                self.show(*row)
        full = os.path.join(ROOT, self.path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write("\n".join(self.lines) + "\n")

    def show(self, dscript, *expressions):
        """`print(...)` in dscript; its output is the Python expressions, space-separated."""
        values = [eval(e, self.env) for e in expressions]
        self.expect(dscript, " ".join(fmt(v) for v in values).split("\n"))

    def expect(self, dscript, out):
        """The statement, then its output lines as `# expect:` (on the same line when there is one)."""
        if len(out) == 1:
            self.lines.append(f"{dscript}  # expect: {out[0]}")
        else:
            self.lines.append(dscript)
            self.lines.extend(f"# expect: {line}" for line in out)


def code(dscript, python=None):
    """A row: a statement with no output (none when ""); `python` mirrors it in the reference."""
    def run(g):
        if dscript:
            g.lines.append(dscript)
        if python:
            exec(python, g.env)
    return run


def literal(dscript, *expected):
    """A row: a statement whose output lines are written out literally (no numeric reference needed)."""
    return lambda g: g.expect(dscript, list(expected))


def comment(text):
    """A row: a `#` comment line in the golden script."""
    return lambda g: g.lines.append(f"# {text}")


def error(dscript, column, message):
    """A row: the script must stop with an error at `column` of this statement's line."""
    def run(g):
        g.lines.append(f"# expect error: {len(g.lines) + 2}:{column} {message}")
        g.lines.append(dscript)
    return run


def error_goldens(folder, reference, cases):
    """One golden `<folder>/error_<name>.dscript` per case `(name, script, column, message)`: the
    script's lines before the last run quietly, the last one must stop with `message` at `column`."""
    goldens = []
    for name, script, column, message in cases:
        *before, last = script.split("\n")
        rows = [code(line) for line in before] + [error(last, column, message)]
        goldens.append(Golden(f"{folder}/error_{name}.dscript", f"Error: {name.replace('_', ' ')}", reference, rows))
    return goldens
