import XCTest
@testable import DSLanguage

/// Parses and prints expressions as S-expressions, so precedence is visible.
func sexpr(_ e: Expr) -> String {
    switch e.kind {
    case .number(let x): return formatNumber(x)
    case .string(let s): return "\"\(s)\""
    case .interpolation: return "interp"
    case .bool(let b): return b ? "true" : "false"
    case .null: return "nil"
    case .name(let r): return r.name
    case .list(let items): return "[" + items.map(sexpr).joined(separator: " ") + "]"
    case .dict(let entries): return "{" + entries.map { sexpr($0.key) + ":" + sexpr($0.value) }.joined(separator: " ") + "}"
    case .negate(let x): return "(neg \(sexpr(x)))"
    case .not(let x): return "(not \(sexpr(x)))"
    case .binary(let op, let a, let b): return "(\(op.rawValue) \(sexpr(a)) \(sexpr(b)))"
    case .and(let a, let b): return "(and \(sexpr(a)) \(sexpr(b)))"
    case .or(let a, let b): return "(or \(sexpr(a)) \(sexpr(b)))"
    case .range(let a, let b, let inclusive): return "(\(inclusive ? "..." : "..<") \(sexpr(a)) \(sexpr(b)))"
    case .call(let f, let args):
        return "(call \(sexpr(f))" + args.map { " " + ($0.name.map { "\($0):" } ?? "") + sexpr($0.value) }.joined() + ")"
    case .index(let t, let parts):
        let shown = parts.map { p -> String in
            switch p {
            case .value(let v): return sexpr(v)
            case .slice(let a, let b, let c): return [a, b, c].map { $0.map(sexpr) ?? "_" }.joined(separator: ":")
            }
        }
        return "(index \(sexpr(t)) \(shown.joined(separator: " ")))"
    case .member(let t, let name): return "(. \(sexpr(t)) \(name))"
    case .function(let f): return "(fn \(f.parameters.map(\.name).joined(separator: " ")))"
    }
}

final class ParserTests: XCTestCase {
    func parse(_ text: String) -> (statements: [Stmt], diagnostics: [Diagnostic]) {
        var parser = Parser(source: Source(name: "t", text: text))
        let statements = parser.parseProgram()
        return (statements, parser.diagnostics)
    }

    func expression(_ text: String) -> String {
        let (statements, diagnostics) = parse(text)
        XCTAssertEqual(diagnostics.map(\.message), [], text)
        guard let first = statements.first, case .expression(let e) = first.kind else { return "<not an expression>" }
        return sexpr(e)
    }

    /// Expressions and the s-expression each parses to.
    static let expressions: [(text: String, sexpr: String)] = [
        // precedence, as the spec orders it
        ("1 + 2 * 3", "(+ 1 (* 2 3))"),
        ("2 ** 3 ** 2", "(** 2 (** 3 2))"),
        ("-x ** 2", "(neg (** x 2))"),
        ("a or b and not c == d", "(or a (and b (not (== c d))))"),
        ("0..<n + 1 == r", "(== (..< 0 (+ n 1)) r)"),
        ("a @ b * c % d", "(% (* (@ a b) c) d)"),
        ("x.f(1)[0]", "(index (call (. x f) 1) 0)"),
        ("10 - 2 - 3", "(- (- 10 2) 3)"),
        // calls, indices and literals
        ("f(x, steps: 50)", "(call f x steps:50)"),
        ("x[1, 2]", "(index x 1 2)"),
        ("x[:, 0]", "(index x _:_:_ 0)"),
        ("x[1:3]", "(index x 1:3:_)"),
        ("x[::2]", "(index x _:_:2)"),
        ("({\"a\": 1, b: 2})", "{\"a\":1 \"b\":2}"),
        ("fn(x) => x * 2", "(fn x)"),
        ("[1,\n 2,\n]", "[1 2]"),
    ]

    func testExpressionsParseByPrecedence() {
        for (text, sexpr) in Self.expressions { XCTAssertEqual(expression(text), sexpr, text) }
    }

    func testStatements() {
        let (statements, diagnostics) = parse("""
            let x = 1
            x += 2; x = 3
            xs[0] = 5
            m.requires_grad = true
            fn f(a, b = 2) { return a + b }
            if a { } else if b { } else { }
            while c { break }
            for v in xs { continue }
            import "lib"
            try { } catch e { }
            """)
        XCTAssertEqual(diagnostics.map(\.message), [])
        XCTAssertEqual(statements.count, 11)
    }

    func testRecoveryReportsEveryError() {
        let (_, diagnostics) = parse("""
            let a = (1 +
            let b = 2
            let c = ]
            print("ok")
            let d = 3 +* 4
            """)
        XCTAssertEqual(diagnostics.count, 3, diagnostics.map(\.message).joined(separator: "\n"))
        XCTAssertEqual(diagnostics[0].span?.line, 2)
        XCTAssertEqual(diagnostics[0].message, "expected an expression but found 'let'")
        XCTAssertEqual(diagnostics[1].span?.line, 3)
        XCTAssertEqual(diagnostics[2].span?.line, 5)
    }

    func testAssignmentTargetsAreChecked() {
        let (_, diagnostics) = parse("1 + 2 = 3")
        XCTAssertEqual(diagnostics.first?.message, "cannot assign to this expression")
    }

    func testDeepNestingIsAnErrorNotACrash() {
        let (_, diagnostics) = parse(String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000))
        XCTAssertEqual(diagnostics.first?.message, "code nested too deeply")
        let chain = "let x = " + Array(repeating: "1", count: 50_000).joined(separator: " + ")
        XCTAssertEqual(parse(chain).diagnostics.first?.message, "expression too deeply nested")
    }
}
