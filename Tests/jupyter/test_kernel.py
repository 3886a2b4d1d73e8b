"""The Jupyter kernel, driven by Jupyter's own clients: nbclient executes notebooks and
jupyter_client sends the requests a front end sends (completion, Shift-Tab help, interrupts).

Run by scripts/test-jupyter, which makes the virtual environment, installs the kernelspec with
`dscript --install-kernel --prefix` and points JUPYTER_PATH at it. Each test_* function is a test;
the run ends with the line 'N passed, N failed'."""
import base64
import html.parser
import os
import pathlib
import re
import subprocess
import sys
import time
import traceback

import jupyter_client
import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[2]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run_cells(*sources, allow_errors=False, timeout=60):
    """Executes a notebook of code cells with the dscript kernel; returns its cells."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    NotebookClient(nb, kernel_name="dscript", timeout=timeout, allow_errors=allow_errors).execute()
    return nb.cells


def text_of(cell, output_type=None):
    """The text outputs of a cell (streams, results, plain text of displays), joined."""
    parts = []
    for out in cell.outputs:
        if output_type and out.output_type != output_type:
            continue
        if out.output_type == "stream":
            parts.append(out.text)
        elif "data" in out:
            parts.append(out.data.get("text/plain", ""))
    return "".join(parts)


def test_variables_live_across_cells_and_the_last_value_is_the_result():
    cells = run_cells("let x = 20", "print(x + 1)\nx * 2", "fn f(n) => n + x", "f(1)")
    assert cells[0].outputs == [], cells[0].outputs
    assert text_of(cells[1], "stream") == "21\n"
    result = [o for o in cells[1].outputs if o.output_type == "execute_result"]
    assert len(result) == 1 and result[0].data["text/plain"] == "40" and result[0].execution_count == 2
    assert text_of(cells[3], "execute_result") == "21"


def terminal(code):
    """What the terminal prints for `code`: the kernelspec's own dscript, run with -e and no colour."""
    argv = jupyter_client.kernelspec.KernelSpecManager().get_kernel_spec("dscript").argv
    env = dict(os.environ, NO_COLOR="1")
    run = subprocess.run([argv[0], "-e", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert run.returncode == 0, run.stderr
    return run.stdout


class Tables(html.parser.HTMLParser):
    """The rows of the HTML tables in a fragment: (tag, style, text) per cell; and the <pre> text."""

    def __init__(self, fragment):
        super().__init__(convert_charrefs=True)
        self.rows, self.pre, self.cell, self.in_pre = [], [], None, False
        self.feed(fragment)

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = [tag, dict(attrs).get("style", ""), ""]
        elif tag == "pre":
            self.in_pre = True
            self.pre.append("")
        elif tag in ("script", "style", "iframe", "img"):
            raise AssertionError(f"unexpected <{tag}> in a table's HTML")

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.rows[-1].append(tuple(self.cell))
            self.cell = None
        elif tag == "pre":
            self.in_pre = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[2] += data
        elif self.in_pre:
            self.pre[-1] += data

    def texts(self):
        return [[text for _, _, text in row] for row in self.rows]


def columns(line):
    """A terminal table line's cells (they are two or more spaces apart)."""
    return re.split(r"\s{2,}", line.strip())


def displays(cell):
    return [o for o in cell.outputs if o.output_type == "display_data"]


def test_tensors_come_back_as_text_and_html():
    cells = run_cells("seed(0)\ntensor([[1, 2], [3, 4.5]])", "seed(3)\nrandn([3, 4])",
                      "tensor([1.5, 0/0, -(0/0), 1/0, -1/0])", "zeros([2, 0])")
    (result,) = [o for o in cells[1].outputs if o.output_type == "execute_result"]
    plain = result.data["text/plain"]
    assert plain + "\n" == terminal("seed(3)\nprint(randn([3, 4]))"), "text/plain is what the terminal prints"
    table = Tables(result.data["text/html"])
    assert "shape [3, 4] · float32" in result.data["text/html"], result.data["text/html"]
    numbers = re.findall(r"-?\d+\.\d+", plain)
    assert table.texts()[0] == ["", "0", "1", "2", "3"], table.texts()
    assert [row[0] for row in table.texts()[1:]] == ["0", "1", "2"]
    assert [c for row in table.texts()[1:] for c in row[1:]] == numbers, (table.texts(), plain)
    assert all("right" in style for row in table.rows for tag, style, _ in row if tag == "td")
    (vector,) = [o for o in cells[2].outputs if o.output_type == "execute_result"]
    assert vector.data["text/plain"] == "tensor([1.5000,    nan,    nan,    inf,   -inf])", vector.data
    assert Tables(vector.data["text/html"]).pre == ["[1.5000,    nan,    nan,    inf,   -inf]"], vector.data["text/html"]
    (empty,) = [o for o in cells[3].outputs if o.output_type == "execute_result"]
    assert Tables(empty.data["text/html"]).texts() == [[""], ["0"], ["1"]], empty.data["text/html"]
    assert "tensor([[1" in text_of(cells[0], "execute_result"), text_of(cells[0])


def test_tables_come_back_as_html_beside_the_terminal_text():
    setup = ('seed(1)\nlet a = {"enc": {"w": randn([2, 3]), "b": tensor([0/0, 1, 1/0])}, "<b>&\\"q\\"": randn([2])}\n'
             'let b = {"enc": {"w": randn([2, 3]), "b": zeros([2])}, "extra": zeros([1])}\nlet s = schedule("cosine")')
    codes = ["stats(a)", "diff(a, b)", "table(s, every: 250)", "lessons()", "explain(s, 500)"]
    cells = run_cells(setup, *codes)
    for code, cell in zip(codes, cells[1:]):
        (shown,) = displays(cell)
        assert [o.output_type for o in cell.outputs] == ["display_data"], (code, cell.outputs)
        assert shown.data["text/plain"] == terminal(setup + "\n" + code), f"{code}: text/plain is what the terminal prints"
        assert shown.data["text/html"].lstrip().startswith(("<table", "<div")), shown.data["text/html"][:80]

    def check_table(cell, header, text_rows, notes):
        shown = displays(cell)[0]
        table = Tables(shown.data["text/html"])
        assert [tag for tag, _, _ in table.rows[0]] == ["th"] * len(header) and table.texts()[0] == header, table.rows[0]
        assert table.texts()[1:] == text_rows + [[n] for n in notes], (table.texts(), shown.data["text/plain"])
        return table

    # stats: the same cells as the terminal's columns; names escaped; NaN/Inf counted, numbers right-aligned.
    plain = displays(cells[1])[0].data["text/plain"].splitlines()
    table = check_table(cells[1], columns(plain[0]), [columns(line) for line in plain[1:-1]], [plain[-1]])
    assert table.texts()[3][0] == '<b>&"q"' and table.texts()[2][-1] == "2", table.texts()
    assert '&lt;b&gt;&amp;&quot;q&quot;' in displays(cells[1])[0].data["text/html"]
    assert [style for _, style, _ in table.rows[1]] == ["text-align:left"] * 3 + ["text-align:right"] * 6, table.rows[1]
    # diff: rows, then what is on one side only and the summary.
    plain = displays(cells[2])[0].data["text/plain"].splitlines()
    table = check_table(cells[2], ["name", "shape", "max |a-b|", "relative"], [columns(line) for line in plain[1:3]], plain[3:])
    assert table.texts()[2][1] == "[3] vs [2]" and plain[3] == 'only in a: <b>&"q"', plain
    # table(s): t, then the quantities of the schedule.
    plain = displays(cells[3])[0].data["text/plain"].splitlines()
    check_table(cells[3], columns(plain[0]), [columns(line) for line in plain[1:]], [])
    assert Tables(displays(cells[3])[0].data["text/html"]).texts()[-1][0] == "999"
    # lessons(): the terminal shows no header; the HTML has one.
    plain = displays(cells[4])[0].data["text/plain"].splitlines()
    check_table(cells[4], ["lesson", "title"], [columns(line) for line in plain], [])
    # explain: a table of the quantities, then the updates as preformatted text.
    shown = displays(cells[5])[0].data
    quantities = Tables(shown["text/html"])
    rows = [[part.strip() for part in line.rsplit(" = ", 1)] for line in shown["text/plain"].splitlines()[1:11]]
    assert quantities.texts() == [["quantity", "value"]] + rows, (quantities.texts(), rows)
    assert "DDIM step t → t' = 499" in quantities.pre[0] and "schedule cosine, T = 1000, t = 500" in shown["text/html"]


def test_checks_in_a_row_share_one_table():
    code = 'check("near", 1.0005, 1, tol: 0.01)\ncheck("a < b", 1 < 2, true)\nprint("between")\ncheck("again", tensor([1, 2]), tensor([1, 2]))'
    cells = run_cells(code, 'check("x & y", false, true)', allow_errors=True)
    outputs = [o for o in cells[0].outputs if o.output_type != "execute_result"]  # check's value, true
    assert [o.output_type for o in outputs] == ["display_data", "stream", "display_data"], outputs
    first, second = outputs[0].data, outputs[2].data
    terminal_lines = terminal(code).splitlines(keepends=True)
    assert first["text/plain"] == "".join(terminal_lines[:2]) and outputs[1].text == "between\n", first
    assert second["text/plain"] == terminal_lines[3], second
    assert Tables(first["text/html"]).texts() == [
        ["", "check", "got", "want", "|diff|", "tol"], ["PASS", "near", "1.0005", "1", "0.0005", "0.01"],
        ["PASS", "a < b", "true", "true", "", ""]], first["text/html"]
    assert Tables(second["text/html"]).texts()[1] == ["PASS", "again", "[1, 2]", "[1, 2]", "0", "1e-06"]
    failed = cells[1].outputs
    assert [o.output_type for o in failed] == ["display_data", "error"], failed
    assert Tables(failed[0].data["text/html"]).texts()[1] == ["FAIL", "x & y", "false", "true", "", ""]
    assert "x &amp; y" in failed[0].data["text/html"]


def test_show_sends_a_png_and_charts_send_svg():
    cells = run_cells("show(zeros([2, 1, 8, 8]) + 0.5, nrow: 2)", "plot([1, 4, 9], title: \"squares\")",
                      "scatter(randn([50, 2]))", "hist(randn([500]))", "plot(schedule(\"cosine\"))")
    (picture,) = [o for o in cells[0].outputs if o.output_type == "display_data"]
    png = base64.b64decode(picture.data["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    # Two 8×8 images 2 pixels apart (18×8), enlarged 8 times (the most) towards 256 pixels wide.
    assert (width, height) == (144, 64), (width, height)
    schedule_charts = [o for o in cells[4].outputs if o.output_type == "display_data"]
    assert len(schedule_charts) == 2 and "log SNR" in schedule_charts[1].data["image/svg+xml"], cells[4].outputs
    for cell in cells[1:4]:
        (chart,) = [o for o in cell.outputs if o.output_type == "display_data"]
        assert chart.data["image/svg+xml"].startswith("<svg"), chart.data.keys()
        assert chart.data["text/plain"].strip(), "charts keep their text form"
    assert "squares" in cells[1].outputs[0].data["image/svg+xml"]


def test_progress_bars_update_in_place():
    cells = run_cells("for i in progress(40) { sleep(0.01) }")
    displays = [o for o in cells[0].outputs if o.output_type == "display_data"]
    assert len(displays) == 1, cells[0].outputs  # every update replaced the first display
    assert "40/40" in displays[0].data["text/plain"], displays[0].data


def test_errors_are_error_outputs_with_location_and_traceback():
    cells = run_cells("fn inner(v) {\n    return v + nil\n}\nfn outer() => inner(1)", "outer()", "print(\"after\")",
                      allow_errors=True)
    (error,) = [o for o in cells[1].outputs if o.output_type == "error"]
    lines = [ANSI.sub("", line) for line in error.traceback]
    assert error.ename == "Error" and "nil" in error.evalue, error
    assert lines[0].startswith("<cell 1>:2:12: error:"), lines
    assert "  at inner (<cell 1>:4:15)" in lines and any(line.startswith("  at outer") for line in lines), lines
    assert text_of(cells[2]) == "after\n"  # the kernel goes on
    (syntax,) = [o for o in run_cells("let = 1", allow_errors=True)[0].outputs if o.output_type == "error"]
    assert syntax.ename == "SyntaxError", syntax


def test_repl_commands_work_in_cells():
    cells = run_cells("let w = 3\n:time w * 2\nprint(\"done\")", ":help abs", ":vars", ":nonsense")
    text = text_of(cells[0])
    assert text.startswith("6\ntime: ") and text.endswith("done\n"), text
    assert "absolute value" in text_of(cells[1])
    assert re.search(r"^w\s+number\s+3$", text_of(cells[2]), re.M), text_of(cells[2])
    assert "unknown command" in text_of(cells[3])


def test_an_error_inside_a_command_is_an_error_output_and_stops_the_cell():
    cells = run_cells(":time 1 + nil\nprint(\"after\")", "print(\"next cell\")", allow_errors=True)
    errors = [o for o in cells[0].outputs if o.output_type == "error"]
    assert len(errors) == 1 and "nil" in errors[0].evalue, cells[0].outputs
    assert "after" not in text_of(cells[0]) and "time:" not in text_of(cells[0]), cells[0].outputs
    assert text_of(cells[1]) == "next cell\n"
    with Kernel() as k:
        reply, _ = k.execute(":time 1 + nil")
        assert reply["status"] == "error", reply


def test_exit_in_a_cell_stops_the_cell_and_keeps_the_kernel():
    # As IPython's sys.exit(n): a notebook runs on (nbclient raised DeadKernelError when the kernel left).
    cells = run_cells("let kept = 5\nprint(\"bye\")\nexit(3)\nprint(\"not\")", "exit(0)\nprint(\"not either\")", "kept + 1",
                      allow_errors=True)
    (error,) = [o for o in cells[0].outputs if o.output_type == "error"]
    assert error.ename == "Exit" and error.evalue == "exit(3)", error
    assert text_of(cells[0], "stream") == "bye\n", cells[0].outputs
    assert cells[1].outputs == [], cells[1].outputs
    assert text_of(cells[2], "execute_result") == "6"


def test_lesson_notebooks_are_current_and_run():
    check = subprocess.run([sys.executable, str(ROOT / "scripts" / "make-lesson-notebooks"), "--check"],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    paths = sorted((ROOT / "docs" / "notebooks").glob("*.ipynb"))
    assert len(paths) >= 8, paths
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, kernel_name="dscript", timeout=120).execute()
        checks = "".join(text_of(cell) for cell in nb.cells if cell.cell_type == "code")
        assert "PASS" in checks and "FAIL" not in checks, (path.name, checks[:400])


class Kernel:
    """A kernel and a blocking client, for the requests nbclient does not send."""

    def __enter__(self):
        self.manager, self.client = jupyter_client.manager.start_new_kernel(kernel_name="dscript")
        return self

    def __exit__(self, *exc):
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=False)

    def execute(self, code, interrupt=None):
        msg_id = self.client.execute(code)
        if interrupt:
            time.sleep(0.5)
            interrupt()
        reply = self.client.get_shell_msg(timeout=30)
        assert reply["parent_header"]["msg_id"] == msg_id
        outputs = []
        while True:
            msg = self.client.get_iopub_msg(timeout=30)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return reply["content"], outputs
            outputs.append(msg)


def test_complete_inspect_and_is_complete():
    with Kernel() as k:
        k.execute("let sched = schedule(\"linear\", steps: 10)")
        c = k.client.complete("sched.alpha_b", 13, reply=True)["content"]
        assert c["matches"] == ["sched.alpha_bar", "sched.alpha_bar_prev"] and c["cursor_start"] == 0, c
        c = k.client.complete("x = ᾱ + pri", 11, reply=True)["content"]  # the cursor counts code points
        assert "print" in c["matches"] and c["cursor_start"] == 8, c
        c = k.client.complete(":ti", 3, reply=True)["content"]
        assert c["matches"] == ["time"] and c["cursor_start"] == 1, c
        i = k.client.inspect("abs(", 2, reply=True)["content"]
        assert i["found"] and "absolute value" in i["data"]["text/plain"], i
        i = k.client.inspect(":time", 3, reply=True)["content"]  # the command, not the time() function
        assert i["found"] and i["data"]["text/plain"].startswith(":time EXPR"), i
        i = k.client.inspect("no_such_thing", 3, reply=True)["content"]
        assert not i["found"], i
        for code, status in [("fn f(x) {", "incomplete"), ("1 + 1", "complete")]:
            k.client.is_complete(code)
            assert k.client.get_shell_msg(timeout=10)["content"]["status"] == status, code
        info = k.client.kernel_info(reply=True)["content"]
        assert info["language_info"]["name"] == "dscript" and info["protocol_version"] == "5.3", info


def test_interrupt_stops_the_cell_and_keeps_the_state():
    with Kernel() as k:
        k.execute("let n = 0")
        for interrupt in (k.manager.interrupt_kernel,  # SIGINT, as the kernelspec asks
                          lambda: k.client.control_channel.send(k.client.session.msg("interrupt_request", {}))):
            reply, outputs = k.execute("while true { n += 1 }", interrupt=interrupt)
            assert reply["status"] == "error" and reply["ename"] == "Interrupted", reply
            assert any(m["msg_type"] == "error" for m in outputs)
            reply, outputs = k.execute("n > 0")
            assert reply["status"] == "ok"
            assert [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"] == ["true"]
        assert k.manager.is_alive()


def test_a_wrongly_signed_message_is_ignored():
    with Kernel() as k:
        session = k.client.session
        key = session.key
        session.key = b"not the key"
        session.auth = None
        import hmac, hashlib
        session.auth = hmac.HMAC(session.key, digestmod=hashlib.sha256)
        k.client.execute("print(\"should not run\")")
        time.sleep(0.5)
        session.key = key
        session.auth = hmac.HMAC(key, digestmod=hashlib.sha256)
        reply, outputs = k.execute("print(\"runs\")")
        texts = [m["content"].get("text") for m in outputs if m["msg_type"] == "stream"]
        assert texts == ["runs\n"], texts


def main():
    tests = [(name, f) for name, f in globals().items() if name.startswith("test_") and callable(f)]
    only = sys.argv[1:]
    passed = failed = 0
    for name, test in tests:
        if only and not any(o in name for o in only):
            continue
        start = time.monotonic()
        try:
            test()
            passed += 1
            print(f"ok      {name} ({time.monotonic() - start:.1f} s)")
        except Exception:
            failed += 1
            print(f"FAILED  {name}\n{traceback.format_exc()}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
