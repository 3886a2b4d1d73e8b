import DSEngine
import DSLanguage
import XCTest
@testable import DSBindings

/// A `CallContext` without an interpreter, so the binding tables can be tested directly.
final class BindingTestContext: CallContext {
    var output = ""
    var settings = RuntimeSettings()
    private var states: [ObjectIdentifier: AnyObject] = [:]

    func call(_ callee: Value, _ arguments: Arguments) throws -> Value {
        switch callee {
        case .builtin(let function):
            var a = arguments
            a.receiver = function.receiver
            a.functionName = function.builtin.shortName
            return try function.builtin.call(a, self)
        case .native(let object):
            guard let result = try object.call(arguments, context: self) else {
                throw ScriptError("\(object.typeName) is not callable")
            }
            return result
        default:
            throw ScriptError("\(callee.typeName) is not callable here")
        }
    }

    func write(_ text: String) { output += text }
    func writeError(_ text: String) {}
    func checkInterrupt() throws {}
    func describe(_ value: Value, repr: Bool) -> String {
        switch value {
        case .native(let object): return object.describe(repr: repr)
        case .number(let x): return formatNumber(x)
        default: return "\(value)"
        }
    }
    func state<T: AnyObject>(_ type: T.Type, make: () -> T) -> T {
        if let existing = states[ObjectIdentifier(type)] as? T { return existing }
        let made = make()
        states[ObjectIdentifier(type)] = made
        return made
    }

    /// Calls the global built-in `name` as a script would.
    func global(_ name: String, _ positional: [Value], _ keywords: [(name: String, value: Value)] = []) throws -> Value {
        for domain in Bindings.domains {
            if let b = domain.functions.first(where: { $0.name == name }) {
                do {
                    return try b.call(Arguments(positional, keywords: keywords, functionName: name), self)
                } catch {
                    throw ScriptError.translating(error, at: nil, in: name)  // as the runtime does
                }
            }
        }
        throw ScriptError("no built-in \(name)")
    }

    /// Calls `receiver.name(...)`.
    func method(_ receiver: Value, _ name: String, _ positional: [Value] = [], _ keywords: [(name: String, value: Value)] = []) throws -> Value {
        guard case .native(let object) = receiver, let member = try object.member(name, context: self) else {
            throw ScriptError("no member \(name)")
        }
        return try call(member, Arguments(positional, keywords: keywords))
    }
}

/// `[1, 2]` as a dscript list.
func list(_ numbers: [Double]) -> Value { .list(ListObject(numbers.map { .number($0) })) }
func nested(_ rows: [[Double]]) -> Value { .list(ListObject(rows.map { list($0) })) }

extension Value {
    var tensorValue: Tensor? {
        if case .native(let object as TensorObject) = self { return object.tensor }
        return nil
    }
}

/// Asserts that `body` throws a `ScriptError` whose message contains `fragment`.
func XCTAssertScriptError(_ fragment: String, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Any) {
    do {
        _ = try body()
        XCTFail("expected an error containing \"\(fragment)\"", file: file, line: line)
    } catch {
        // What a script sees: the runtime's one translation of native errors.
        guard let error = ScriptError.translating(error, at: nil) as? ScriptError else {
            return XCTFail("unexpected error \(error)", file: file, line: line)
        }
        XCTAssertTrue(error.message.contains(fragment), "message: \(error.message)", file: file, line: line)
    }
}
