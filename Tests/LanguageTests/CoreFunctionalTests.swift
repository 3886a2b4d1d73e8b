import XCTest
@testable import DSLanguage

/// Higher-order core built-ins (callbacks are built-ins here: dscript closures need the interpreter).
final class CoreFunctionalTests: CoreTestCase {
    let square = Value.builtin(BuiltinFunction(Builtin("square(x)", "") { args, _ in
        .number(try args.number(0) * args.number(0))
    }))
    let isEven = Value.builtin(BuiltinFunction(Builtin("even(x)", "") { args, _ in
        .bool(try args.number(0).truncatingRemainder(dividingBy: 2) == 0)
    }))
    let first = Value.builtin(BuiltinFunction(Builtin("first(x)", "") { args, _ in
        try args.list(0).items[0]
    }))

    func testMapFilterReduce() {
        XCTAssertEqual(r("map", square, nums(1, 2, 3)), "[1, 4, 9]")
        XCTAssertEqual(r("map", nums(1, 2, 3), square), "[1, 4, 9]")
        XCTAssertEqual(r("map", fnValue("sqrt"), .range(RangeObject(start: 0, end: 3))), "[0, 1, 1.4142135623730951]")
        XCTAssertEqual(r("filter", isEven, .range(RangeObject(start: 0, end: 6))), "[0, 2, 4]")
        XCTAssertEqual(r("map", n(1), n(2)), "error: bad argument #1 to 'map' (function expected, got number)")
        let times = lambda { args in
            guard case .number(let a) = args[0], case .number(let b) = args[1] else { return .null }
            return .number(a * b)
        }
        XCTAssertEqual(r("reduce", times, nums(1, 2, 3, 4)), "24")
        XCTAssertEqual(r("reduce", times, list(), n(7)), "7")
        XCTAssertEqual(r("reduce", times, list()), "error: reduce() of an empty list with no initial value")
        // An error inside the callback reaches the caller unchanged.
        XCTAssertEqual(r("map", square, list(s("x"))), "error: bad argument #1 to 'square' (number expected, got string)")
    }

    func testSum() {
        XCTAssertEqual(r("sum", nums(1, 2, 3)), "6")
        XCTAssertEqual(r("sum", list()), "0")
        XCTAssertEqual(r("sum", nums(1, 2), n(10)), "13")
        // python3.12 -c "print(sum([0.1]*10), sum([1e100, 1.0, -1e100]))" -> 1.0 1.0
        XCTAssertEqual(num("sum", .list(ListObject(Array(repeating: n(0.1), count: 10)))), 1.0)
        XCTAssertEqual(num("sum", nums(1e100, 1, -1e100)), 1.0)
        XCTAssertEqual(num("sum", nums(1, .infinity)), .infinity)
        XCTAssertTrue(num("sum", nums(.infinity, -.infinity)).isNaN)
        XCTAssertEqual(r("sum", list(s("a"))), "error: 'sum' cannot add number and string")
        XCTAssertEqual(r("sum", n(3)), "error: bad argument #1 to 'sum' (list expected, got number)")
    }

    func testAnyAll() {
        XCTAssertEqual(r("any", list(.bool(false), .null, n(0))), "true")
        XCTAssertEqual(r("any", list(.bool(false), .null)), "false")
        XCTAssertEqual(r("any", list()), "false")
        XCTAssertEqual(r("all", list()), "true")
        XCTAssertEqual(r("all", nums(2, 4), isEven), "true")
        XCTAssertEqual(r("all", nums(2, 3), isEven), "false")
        XCTAssertEqual(r("any", nums(1, 3), isEven), "false")
    }

    func testSortIsStableAndReversesLikePython() {
        XCTAssertEqual(r("sort", nums(3, 1, 2)), "[1, 2, 3]")
        let xs = nums(3, 1, 2)
        _ = r("sort", xs)
        XCTAssertEqual(coreShow(xs), "[3, 1, 2]", "sort returns a new list")
        XCTAssertEqual(r("sort", list(s("b"), s("B"), s("a"), s("α"))), "[\"B\", \"a\", \"b\", \"α\"]")
        let pairs = list(list(n(1), s("a")), list(n(0), s("b")), list(n(1), s("c")), list(n(0), s("d")))
        // python3 -c "p=[(1,'a'),(0,'b'),(1,'c'),(0,'d')]; print(sorted(p,key=lambda q:q[0]), sorted(p,key=lambda q:q[0],reverse=True))"
        XCTAssertEqual(r("sort", pairs, keywords: [("key", first)]), "[[0, \"b\"], [0, \"d\"], [1, \"a\"], [1, \"c\"]]")
        XCTAssertEqual(r("sort", pairs, keywords: [("key", first), ("reverse", .bool(true))]),
                       "[[1, \"a\"], [1, \"c\"], [0, \"b\"], [0, \"d\"]]")
        XCTAssertEqual(r("sort", pairs), "[[0, \"b\"], [0, \"d\"], [1, \"a\"], [1, \"c\"]]")
        XCTAssertEqual(r("sort", list(n(1), s("a"))), "error: 'sort' cannot compare string with number")
        XCTAssertEqual(r("sort", nums(3, 1), keywords: [("reverse", n(1))]),
                       "error: bad argument 'reverse' to 'sort' (boolean expected, got number)")
        // nan makes the order inconsistent; the sort must still finish and keep every element.
        let withNaN = r("sort", nums(3, .nan, 1, .nan, 2, 0))
        XCTAssertEqual(withNaN.split(separator: ",").count, 6)
        // Long inputs exercise every merge width.
        var values: [Value] = []
        var state: UInt64 = 42
        for _ in 0..<1000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            values.append(n(Double(state >> 40)))
        }
        let context = CoreFakeContext()
        guard let sort = CoreLibrary.all.first(where: { $0.name == "sort" }),
              case .list(let sorted)? = try? sort.call(Arguments([.list(ListObject(values))], functionName: "sort"), context)
        else { return XCTFail("sort") }
        let got = sorted.items.compactMap { v -> Double? in if case .number(let x) = v { return x } else { return nil } }
        let want = values.compactMap { v -> Double? in if case .number(let x) = v { return x } else { return nil } }.sorted()
        XCTAssertEqual(got, want)
    }
}
