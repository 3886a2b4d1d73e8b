import XCTest
@testable import DSLanguage

/// Core built-ins called directly with a fake context. Expected values are Python 3.12's
/// (`round`, `sum`, `sorted`, slicing), which these functions follow.
final class CoreLibraryTests: CoreTestCase {
    func testTableIsWellFormed() {
        var seen = Set<String>()
        for b in CoreLibrary.all {
            XCTAssertTrue(seen.insert(b.name).inserted, "duplicate built-in \(b.name)")
            XCTAssertFalse(b.summary.isEmpty, b.name)
            XCTAssertFalse(b.example.isEmpty, b.name)
        }
        for name in ["range", "min", "max", "abs", "sqrt", "exp", "log", "sin", "cos", "floor", "ceil", "round",
                     "clamp", "keys", "values", "has", "push", "pop", "sort", "map", "filter", "sum", "time"] {
            XCTAssertTrue(seen.contains(name), "core built-in \(name) missing")
        }
        XCTAssertEqual(CoreLibrary.constants.map(\.0), ["pi", "inf", "nan"])
    }

    func testElementaryFunctions() {
        XCTAssertEqual(r("abs", n(-2)), "2")
        XCTAssertEqual(num("sqrt", n(2)), 2.0.squareRoot())
        XCTAssertTrue(num("sqrt", n(-1)).isNaN)
        XCTAssertTrue(num("log", n(-1)).isNaN)
        XCTAssertEqual(num("log", n(0)), -.infinity)
        XCTAssertEqual(r("log", n(8), n(2)), "3")
        XCTAssertEqual(r("log", n(8), keywords: [("base", n(2))]), "3")
        XCTAssertEqual(r("log2", n(1024)), "10")
        XCTAssertEqual(r("log10", n(1000)), "3")
        XCTAssertEqual(r("exp", n(0)), "1")
        XCTAssertEqual(r("floor", n(-1.5)), "-2")
        XCTAssertEqual(r("ceil", n(1.2)), "2")
        XCTAssertEqual(r("sign", n(-3)), "-1")
        XCTAssertEqual(r("sign", n(0)), "0")
        XCTAssertEqual(r("sign", n(.nan)), "nan")
        XCTAssertEqual(r("pow", n(2), n(10)), "1024")
        XCTAssertEqual(num("atan2", n(1), n(1)), Double.pi / 4)
        XCTAssertEqual(r("abs", .bool(true)), "1")
    }

    func testArgumentErrorsReadAlike() {
        XCTAssertEqual(r("sqrt", s("a")), "error: bad argument #1 to 'sqrt' (number expected, got string)")
        XCTAssertEqual(r("sqrt"), "error: bad argument 'x' to 'sqrt' (value expected)")
        XCTAssertEqual(r("pow", n(2), s("x")), "error: bad argument #2 to 'pow' (number expected, got string)")
        XCTAssertEqual(r("round", n(1), n(1.5)), "error: bad argument #2 to 'round' (integer expected, got 1.5)")
        XCTAssertEqual(r("clamp", n(0.5), n(1), n(0)), "error: bad argument #2 to 'clamp' (lo 1 is greater than hi 0)")
    }

    func testRoundTiesToEvenLikePython() {
        // python3 -c "print(round(2.5), round(3.5), round(-0.5), round(2.675, 2), round(0.125, 2), round(1250, -2), round(1.0000001, 3))"
        // -> 2 4 0 2.67 0.12 1200 1.0
        XCTAssertEqual(r("round", n(2.5)), "2")
        XCTAssertEqual(r("round", n(3.5)), "4")
        XCTAssertEqual(num("round", n(-0.5)), 0)
        XCTAssertEqual(num("round", n(2.675), n(2)), 2.67)
        XCTAssertEqual(num("round", n(0.125), n(2)), 0.12)
        XCTAssertEqual(num("round", n(1250), n(-2)), 1200)
        XCTAssertEqual(num("round", n(1.0000001), n(3)), 1.0)
        XCTAssertEqual(num("round", n(0.1), n(40)), 0.1)
        XCTAssertEqual(num("round", n(5), n(-400)), 0)
        XCTAssertEqual(r("round", n(.infinity), n(2)), "inf")
    }

    func testClamp() {
        XCTAssertEqual(r("clamp", n(1.7), n(0), n(1)), "1")
        XCTAssertEqual(r("clamp", n(-1), n(0), n(1)), "0")
        XCTAssertEqual(r("clamp", n(5), .null, n(3)), "3")
        XCTAssertEqual(r("clamp", n(5), n(7)), "7")
        XCTAssertEqual(r("clamp", n(.nan), n(0), n(1)), "nan")
    }

    func testMinMax() {
        XCTAssertEqual(r("min", n(3), n(1), n(2)), "1")
        XCTAssertEqual(r("max", nums(3, 1, 2)), "3")
        XCTAssertEqual(r("max", n(5)), "5")
        XCTAssertEqual(r("min", s("b"), s("a"), s("c")), "\"a\"")
        XCTAssertEqual(r("max", .range(RangeObject(start: 0, end: 10))), "9")
        XCTAssertEqual(r("max", list()), "error: max() of an empty list")
        XCTAssertEqual(r("min", n(1), s("a")), "error: 'min' cannot compare string with number")
        XCTAssertEqual(r("max", n(1), n(.nan), n(3)), "nan")
        XCTAssertEqual(r("max", list(s("aa"), s("b"), s("ccc")), keywords: [("key", lambda { args in
            if case .string(let t) = args.first { return .number(Double(t.count)) }
            return .null
        })]), "\"ccc\"")
        // The first of equal maxima wins, as in Python.
        XCTAssertEqual(r("max", list(list(n(1), s("first")), list(n(1), s("second"))), keywords: [("key", lambda { args in
            if case .list(let l) = args.first { return l.items[0] }
            return .null
        })]), "[1, \"first\"]")
    }

    func testNativeObjectsGetTheirOwnMethods() {
        let v = Value.native(CoreFakeVector([4, 9]))
        XCTAssertEqual(r("sqrt", v), "vector(2, 3)")
        XCTAssertEqual(r("abs", .native(CoreFakeVector([-1, 2]))), "vector(1, 2)")
        XCTAssertEqual(r("clamp", v, n(0), n(5)), "\"clamp(0, 5)\"")
        XCTAssertEqual(r("max", v), "\"max()\"")
        XCTAssertEqual(r("max", n(0), v), "\"max(0)\"")
        XCTAssertEqual(r("sum", v, keywords: [("axis", n(0))]), "\"sum()\"")
        XCTAssertEqual(r("sum", nums(1, 2), keywords: [("axis", n(0))]), "error: bad argument 'axis' to 'sum' (only a tensor takes 'axis')")
        XCTAssertEqual(r("max", nums(1, 2), keywords: [("keepdim", .bool(true))]),
                       "error: bad argument 'keepdim' to 'max' (only a tensor takes 'keepdim')")
        XCTAssertEqual(r("exp", v), "error: bad argument #1 to 'exp' (number expected, got vector)")
        // sum of a list of natives goes through their `+`.
        XCTAssertEqual(r("sum", list(v, .native(CoreFakeVector([1, 1])))), "vector(5, 10)")
    }

    func testConversions() {
        XCTAssertEqual(r("num", s("2.5")), "2.5")
        XCTAssertEqual(r("num", s(" 1e-4 ")), "0.0001")
        XCTAssertEqual(r("num", s("1_000")), "1000")
        XCTAssertEqual(r("num", s("-inf")), "-inf")
        XCTAssertEqual(r("num", s("NaN")), "nan")
        XCTAssertEqual(r("num", s(".5")), "0.5")
        XCTAssertEqual(r("num", s("5.")), "5")
        XCTAssertEqual(r("num", .bool(true)), "1")
        for bad in ["abc", "", ".", "1e", "1__0", "_1", "0x10", "1.2.3", "--1", "1e+", "e5", "nan(1)"] {
            XCTAssertEqual(r("num", s(bad)), "error: could not convert string to number: \"\(bad)\"", bad)
        }
        XCTAssertEqual(r("num", list()), "error: bad argument #1 to 'num' (number or string expected, got list)")
        XCTAssertEqual(r("int", n(-2.7)), "-2")
        XCTAssertEqual(r("int", s("12")), "12")
        XCTAssertEqual(r("int", n(.nan)), "error: bad argument #1 to 'int' (cannot convert nan to an integer)")
    }

    func testRange() {
        XCTAssertEqual(r("list", .range(RangeObject(start: 0, end: 3))), "[0, 1, 2]")
        XCTAssertEqual(r("range", n(5)), "range(0, 5, 1)")
        XCTAssertEqual(r("range", n(1), n(10), n(3)), "range(1, 10, 3)")
        let context = CoreFakeContext()
        guard let range = CoreLibrary.all.first(where: { $0.name == "range" }),
              case .range(let down)? = try? range.call(Arguments([n(10), n(0), n(-3)], functionName: "range"), context)
        else { return XCTFail("range(10, 0, -3)") }
        XCTAssertEqual((0..<down.count).map { down.element($0) }, [10, 7, 4, 1])
        XCTAssertEqual(r("range", n(0), n(10), n(0)), "error: bad argument #3 to 'range' (step must not be zero)")
        XCTAssertEqual(r("range", n(.nan)), "error: range() arguments must be finite numbers")
        XCTAssertEqual(r("range", s("3")), "error: bad argument #1 to 'range' (number expected, got string)")
        // More than any memory budget: refused before anything is allocated.
        XCTAssertTrue(r("list", .range(RangeObject(start: 0, end: 1e15)))
            .hasPrefix("error: a list of 1000000000000000 elements would take 21828 TiB, more than the whole memory budget of"))
        // sum walks a range lazily: no list of a billion elements is made.
        XCTAssertEqual(r("sum", .range(RangeObject(start: 1, end: 101))), "5050")
    }

    func testDictsAndMembership() {
        let d = Value.dict(DictObject(["a": n(1), "b": n(2)]))
        XCTAssertEqual(r("keys", d), "[\"a\", \"b\"]")
        XCTAssertEqual(r("values", d), "[1, 2]")
        XCTAssertEqual(r("has", d, s("a")), "true")
        XCTAssertEqual(r("has", d, s("z")), "false")
        XCTAssertEqual(r("has", nums(1, 2, 3), n(2)), "true")
        XCTAssertEqual(r("has", list(nums(1, 2)), nums(1, 2)), "true")
        XCTAssertEqual(r("contains", s("diffusion"), s("fus")), "true")
        XCTAssertEqual(r("contains", s("diffusion"), s("xyz")), "false")
        XCTAssertEqual(r("has", .range(RangeObject(start: 0, end: 10, step: 2)), n(4)), "true")
        XCTAssertEqual(r("has", .range(RangeObject(start: 0, end: 10, step: 2)), n(5)), "false")
        XCTAssertEqual(r("has", .range(RangeObject(start: 0, end: 10, step: 2)), n(10)), "false")
        XCTAssertEqual(r("keys", nums(1)), "error: bad argument #1 to 'keys' (dict expected, got list)")
        XCTAssertEqual(r("has", n(1), n(1)), "error: bad argument #1 to 'has' (dict, list or string expected, got number)")
    }

    func testListMutation() {
        let xs = ListObject([n(1), n(2), n(3)])
        let v = Value.list(xs)
        XCTAssertEqual(r("push", v, n(4), n(5)), "nil")
        XCTAssertEqual(coreShow(v), "[1, 2, 3, 4, 5]")
        XCTAssertEqual(r("pop", v), "5")
        XCTAssertEqual(r("pop", v, n(0)), "1")
        XCTAssertEqual(r("pop", v, n(-1)), "4")
        XCTAssertEqual(r("pop", v, n(7)), "error: bad argument #2 to 'pop' (index 7 out of range for a list of 2)")
        XCTAssertEqual(r("insert", v, n(0), s("a")), "nil")
        XCTAssertEqual(r("insert", v, n(100), s("z")), "nil")
        XCTAssertEqual(r("insert", v, n(-1), s("y")), "nil")
        XCTAssertEqual(coreShow(v), "[\"a\", 2, 3, \"y\", \"z\"]")
        XCTAssertEqual(r("remove", v, n(3)), "nil")
        XCTAssertEqual(r("remove", v, n(3)), "error: remove: 3 is not in the list")
        XCTAssertEqual(coreShow(v), "[\"a\", 2, \"y\", \"z\"]")
        XCTAssertEqual(r("pop", list()), "error: pop from empty list")
        let d = Value.dict(DictObject(["a": n(1)]))
        XCTAssertEqual(r("pop", d, s("a")), "1")
        XCTAssertEqual(r("pop", d, s("a")), "error: pop: key \"a\" not found")
        XCTAssertEqual(r("pop", d, s("a"), n(0)), "0")
        XCTAssertEqual(r("push", n(1), n(2)), "error: bad argument #1 to 'push' (list expected, got number)")
    }

    func testNewListsFromOldOnes() {
        let xs = nums(1, 2, 3, 4, 5)
        XCTAssertEqual(r("reverse", xs), "[5, 4, 3, 2, 1]")
        XCTAssertEqual(coreShow(xs), "[1, 2, 3, 4, 5]")
        XCTAssertEqual(r("reverse", s("ᾱβγ")), "\"γβᾱ\"")
        // python3 -c "x=[1,2,3,4,5]; print(x[1:-1], x[::-2], x[-100:2], x[3:1], x[4:1:-1], 'ᾱβγδ'[1:3])"
        XCTAssertEqual(r("slice", xs, n(1), n(-1)), "[2, 3, 4]")
        XCTAssertEqual(r("slice", xs, .null, .null, n(-2)), "[5, 3, 1]")
        XCTAssertEqual(r("slice", xs, n(-100), n(2)), "[1, 2]")
        XCTAssertEqual(r("slice", xs, n(3), n(1)), "[]")
        XCTAssertEqual(r("slice", xs, n(4), n(1), n(-1)), "[5, 4, 3]")
        XCTAssertEqual(r("slice", s("ᾱβγδ"), n(1), n(3)), "\"βγ\"")
        XCTAssertEqual(r("slice", xs, n(0), n(2), n(0)), "error: bad argument #4 to 'slice' (step must not be zero)")
        XCTAssertEqual(r("slice", xs, n(1e15), n(-1e15), n(-9e15)), "[5]")
        XCTAssertEqual(r("enumerate", list(s("a"), s("b")), n(1)), "[[1, \"a\"], [2, \"b\"]]")
        XCTAssertEqual(r("zip", nums(1, 2, 3), list(s("a"), s("b"))), "[[1, \"a\"], [2, \"b\"]]")
        XCTAssertEqual(r("zip"), "[]")
        XCTAssertEqual(r("list", s("ab")), "[\"a\", \"b\"]")
        XCTAssertEqual(r("list", .dict(DictObject(["k": n(1)]))), "[\"k\"]")
        XCTAssertEqual(r("list"), "[]")
    }
}
