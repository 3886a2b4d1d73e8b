import XCTest
@testable import DSLanguage

/// String built-ins, `format` specs (expected texts from Python 3's `format`), clocks.
final class CoreStringsTests: CoreTestCase {
    func testCaseSplitJoin() {
        XCTAssertEqual(r("upper", s("ddim β")), "\"DDIM Β\"")
        XCTAssertEqual(r("lower", s("DDIM")), "\"ddim\"")
        XCTAssertEqual(r("split", s("a,b,,c"), s(",")), "[\"a\", \"b\", \"\", \"c\"]")
        XCTAssertEqual(r("split", s("  a \t b\nc  ")), "[\"a\", \"b\", \"c\"]")
        XCTAssertEqual(r("split", s("")), "[]")
        XCTAssertEqual(r("split", s(""), s(",")), "[\"\"]")
        XCTAssertEqual(r("split", s("a::b"), s("::")), "[\"a\", \"b\"]")
        XCTAssertEqual(r("split", s("a"), s("")), "error: bad argument #2 to 'split' (empty separator)")
        XCTAssertEqual(r("join", list(n(1), s("x"), .bool(true)), s(", ")), "\"1, x, true\"")
        XCTAssertEqual(r("join", list()), "\"\"")
        XCTAssertEqual(r("join", s("abc"), s("-")), "\"a-b-c\"")
    }

    func testSearchAndReplace() {
        XCTAssertEqual(r("replace", s("a-b-c"), s("-"), s("+")), "\"a+b+c\"")
        XCTAssertEqual(r("replace", s("aaa"), s("aa"), s("b")), "\"ba\"")
        XCTAssertEqual(r("replace", s("abc"), s(""), s("x")), "error: bad argument #2 to 'replace' (empty string)")
        XCTAssertEqual(r("starts_with", s("unet.conv"), s("unet.")), "true")
        XCTAssertEqual(r("starts_with", s("u"), s("unet.")), "false")
        XCTAssertEqual(r("ends_with", s("w.safetensors"), s(".safetensors")), "true")
        XCTAssertEqual(r("ends_with", s("w.npy"), s(".safetensors")), "false")
        XCTAssertEqual(r("find", s("hello"), s("l")), "2")
        XCTAssertEqual(r("find", s("ᾱβγ"), s("γ")), "2")
        XCTAssertEqual(r("find", s("hello"), s("z")), "-1")
        XCTAssertEqual(r("find", s("hi"), s("")), "0")
        XCTAssertEqual(r("contains", s("ab"), s("abc")), "false")
    }

    func testStripOrdChr() {
        XCTAssertEqual(r("strip", s("  hi \n")), "\"hi\"")
        XCTAssertEqual(r("lstrip", s("  hi ")), "\"hi \"")
        XCTAssertEqual(r("rstrip", s("  hi ")), "\"  hi\"")
        XCTAssertEqual(r("strip", s("xxhixy"), s("xy")), "\"hi\"")
        XCTAssertEqual(r("strip", s("   ")), "\"\"")
        XCTAssertEqual(r("ord", s("A")), "65")
        XCTAssertEqual(r("ord", s("AB")), "error: bad argument #1 to 'ord' (string of one code point expected, got 2)")
        XCTAssertEqual(r("chr", n(945)), "\"α\"")
        XCTAssertEqual(r("chr", n(0xD800)), "error: bad argument #1 to 'chr' (55296 is not a valid code point)")
        XCTAssertEqual(r("chr", n(-1)), "error: bad argument #1 to 'chr' (-1 is not a valid code point)")
    }

    func testPositionsCountCharactersAsLenDoes() {
        // "e" + combining acute accent is one character (as `len` and `s[i]` count), two code points.
        let accented = "e\u{301}x"
        XCTAssertEqual(r("list", s(accented)), "[\"e\u{301}\", \"x\"]")
        XCTAssertEqual(r("reverse", s(accented)), "\"xe\u{301}\"")
        XCTAssertEqual(r("slice", s(accented), n(0), n(1)), "\"e\u{301}\"")
        XCTAssertEqual(r("find", s(accented), s("x")), "1")
        XCTAssertEqual(r("ord", s("e\u{301}")), "error: bad argument #1 to 'ord' (string of one code point expected, got 2)")
    }

    func testFormatMatchesPython() {
        // python3 -c "print([format(3.14159,'.2f'), format(12345.678,'.3e'), format(0.0001234,'g'), ...])"
        // (the subset that string interpolation's formatter shares, so either may serve format())
        let cases: [(Value, String, String)] = [
            (n(3.14159), ".2f", "3.14"), (n(12345.678), ".3e", "1.235e+04"), (n(0.0001234), "g", "0.0001234"),
            (n(1234567.891), ",.2f", "1,234,567.89"), (n(-3.14159), "08.3f", "-003.142"), (n(0.25), ".1%", "25.0%"),
            (n(42), ">8", "      42"), (s("ab"), "<5", "ab   "), (s("ab"), "^6", "  ab  "), (s("ab"), "*^7", "**ab***"),
            (n(3.5), "+.1f", "+3.5"), (n(.nan), ".2f", "nan"), (n(-.infinity), "f", "-inf"), (n(-0.0), ".1f", "-0.0"),
(s("abc"), ".2", "ab"), (n(12.5), "10.3g", "      12.5"), (n(1e-5), ".2g", "1e-05"),
            (n(123.456), ".2", "1.2e+02"), (n(1.5), "E", "1.500000E+00"), (n(-12), "=+8", "-     12"), (n(7), " d", " 7"),
            (n(3), "d", "3"), (n(0.5), "", "0.5"), (n(1024), "", "1024"), (.bool(true), ">6", "  true"),
        ]
        for (value, spec, want) in cases {
            XCTAssertEqual(r("format", value, s(spec)), "\"\(want)\"", "format(\(coreShow(value)), \"\(spec)\")")
        }
        XCTAssertEqual(r("format", n(1), s(".2q")), "error: invalid format spec \".2q\"")
        XCTAssertEqual(r("format", n(1), s(".")), "error: invalid format spec \".\"")
        // Refused (the wording is the formatter's; the interpolation formatter may serve format() too).
        XCTAssertTrue(r("format", n(1), s("99999999999999999999")).hasPrefix("error: "))
        XCTAssertTrue(r("format", s("x"), s(".2f")).hasPrefix("error: format"))
        XCTAssertEqual(r("format", n(1e300), s(".400f")).count, 702 + 2)  // python: len(format(1e300, ".400f")) == 702, plus quotes
    }

    func testClocks() {
        let t = num("time")
        XCTAssertGreaterThan(t, 1.7e9)  // after 2023
        XCTAssertNotEqual(t, t.rounded(), "time() has a fraction (fails once in ~1e9 runs)")
        let a = num("clock"), b = num("clock")
        XCTAssertLessThanOrEqual(a, b)
        XCTAssertEqual(r("sleep", n(0)), "nil")
        XCTAssertEqual(r("sleep", n(-1)), "error: bad argument #1 to 'sleep' (non-negative number expected, got -1)")
        XCTAssertEqual(r("getenv", s("DSCRIPT_SURELY_UNSET_VARIABLE")), "nil")
    }
}
