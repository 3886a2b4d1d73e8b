import XCTest
@testable import DSLanguage

final class LexerTests: XCTestCase {
    func tokens(_ text: String) -> [Token] {
        var lexer = Lexer(source: Source(name: "t", text: text))
        var out: [Token] = []
        while true {
            let t = lexer.next()
            out.append(t)
            if t.kind == .eof { return out }
        }
    }

    func kinds(_ text: String) -> [TokenKind] { tokens(text).map(\.kind) }

    func testOperatorsAndKeywords() {
        XCTAssertEqual(kinds("let x = a ** 2 @ b"), [.kwLet, .identifier, .equal, .identifier, .starStar, .number, .at, .identifier, .eof])
        XCTAssertEqual(kinds("0..<n 1...3 += -= *= /= == != <= >= =>"),
                       [.number, .dotDotLess, .identifier, .number, .dotDotDot, .number, .plusEqual, .minusEqual,
                        .starEqual, .slashEqual, .equalEqual, .bangEqual, .lessEqual, .greaterEqual, .arrow, .eof])
        XCTAssertEqual(kinds("and or not import try catch"), [.kwAnd, .kwOr, .kwNot, .kwImport, .kwTry, .kwCatch, .eof])
    }

    func testNumbers() {
        let values = tokens("12 1.5 1e-4 1_000 2.5E+3").filter { $0.kind == .number }.map(\.number)
        XCTAssertEqual(values, [12, 1.5, 1e-4, 1000, 2500])
        XCTAssertEqual(tokens("12abc")[0].kind, .error)
    }

    func testNewlinesCollapseAndCommentsVanish() {
        XCTAssertEqual(kinds("a # comment\n\n  # more\nb"), [.identifier, .newline, .identifier, .eof])
        XCTAssertEqual(kinds("#!/usr/bin/env dscript\nprint"), [.newline, .identifier, .eof])
    }

    func testSpansCountCharactersNotBytes() {
        let t = tokens("let ᾱ = 1\n  β̃")
        XCTAssertEqual(t[1].text, "ᾱ")
        XCTAssertEqual(t[2].kind, .equal)
        XCTAssertEqual(t[2].column, 7)
        let beta = t.first { $0.text == "β̃" }
        XCTAssertEqual(beta?.line, 2)
        XCTAssertEqual(beta?.column, 3)
    }

    func testStringEscapesAndInterpolation() {
        let t = tokens(#""a\tb\{\}" "x {i + 1} y {loss:.4f}""#)
        guard case .text(let plain) = t[0].parts[0] else { return XCTFail("text expected") }
        XCTAssertEqual(plain, "a\tb{}")
        let parts = t[1].parts
        XCTAssertEqual(parts.count, 4)
        guard case .expression(_, _, _, let column, let format) = parts[3] else { return XCTFail("expression expected") }
        XCTAssertEqual(format, ".4f")
        XCTAssertEqual(column, 26)
    }

    func testInterpolationMayContainStringsAndBrackets() {
        let t = tokens(#""{d["k"]} {f({a: 1})} {xs[1:2]}""#)
        XCTAssertEqual(t[0].kind, .string)
        let formats = t[0].parts.compactMap { part -> String?? in
            if case .expression(_, _, _, _, let format) = part { return format }
            return nil
        }
        XCTAssertEqual(formats.count, 3)
        XCTAssertTrue(formats.allSatisfy { $0 == nil })
    }

    func testBadInput() {
        XCTAssertEqual(tokens(#""open"#)[0].text, "unterminated string")
        XCTAssertEqual(tokens("a $ b")[1].text, "unexpected character '$'")
        XCTAssertEqual(tokens(#""\q""#)[0].text, #"unknown escape sequence '\q'"#)
        // Invalid UTF-8 arrives as U+FFFD (the shell decodes with replacement) and is a stray character.
        let text = String(decoding: [0x61, 0x20, 0xFF, 0x20, 0x62], as: UTF8.self)
        XCTAssertEqual(tokens(text)[1].kind, .error)
    }
}
