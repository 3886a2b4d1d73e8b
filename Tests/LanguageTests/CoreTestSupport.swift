import XCTest
@testable import DSLanguage

/// A minimal `CallContext` for calling built-in bodies directly: it calls built-ins (dscript
/// functions need the interpreter) and describes values the way `print` does.
final class CoreFakeContext: CallContext {
    var settings = RuntimeSettings()
    var output = ""

    func call(_ callee: Value, _ arguments: Arguments) throws -> Value {
        switch callee {
        case .builtin(let f):
            var a = arguments
            a.receiver = f.receiver
            a.functionName = f.builtin.shortName
            return try f.builtin.call(a, self)
        case .native(let object):
            if let r = try object.call(arguments, context: self) { return r }
        default: break
        }
        throw ScriptError("\(callee.typeName) is not callable")
    }

    func write(_ text: String) { output += text }
    func writeError(_ text: String) {}
    func checkInterrupt() throws {}
    func describe(_ value: Value, repr: Bool) -> String { coreShow(value, repr: repr) }
    func state<T: AnyObject>(_ type: T.Type, make: () -> T) -> T { make() }
}

/// `print`-like text of a value, enough to compare results in tests.
func coreShow(_ value: Value, repr: Bool = true) -> String {
    switch value {
    case .null: return "nil"
    case .bool(let b): return b ? "true" : "false"
    case .number(let x): return formatNumber(x)
    case .string(let s): return repr ? "\"\(s)\"" : s
    case .list(let l): return "[" + l.items.map { coreShow($0) }.joined(separator: ", ") + "]"
    case .dict(let d): return "{" + d.entries.map { "\"\($0.key)\": \(coreShow($0.value))" }.joined(separator: ", ") + "}"
    case .range(let r): return "range(\(formatNumber(r.start)), \(formatNumber(r.end)), \(formatNumber(r.step)))"
    case .function: return "<function>"
    case .builtin(let b): return "<builtin \(b.name)>"
    case .native(let o): return o.describe(repr: repr)
    }
}

/// A stand-in for a tensor: a vector with a few methods and `+`, to check forwarding.
final class CoreFakeVector: NativeObject {
    let values: [Double]
    init(_ values: [Double]) { self.values = values }
    var typeName: String { "vector" }

    func member(_ name: String, context: CallContext) throws -> Value? {
        let elementwise: [String: (Double) -> Double] = ["sqrt": { $0.squareRoot() }, "abs": { Swift.abs($0) }, "floor": { $0.rounded(.down) }]
        if let f = elementwise[name] {
            return .builtin(BuiltinFunction(Builtin("vector.\(name)()", "") { args, _ in
                let me = try args.receiver(as: CoreFakeVector.self)
                return .native(CoreFakeVector(me.values.map(f)))
            }, receiver: .native(self)))
        }
        if name == "clamp" || name == "sum" || name == "max" {
            // Records its arguments so the test can see what was forwarded.
            return .builtin(BuiltinFunction(Builtin("vector.\(name)(...rest)", "") { args, _ in
                .string("\(name)(" + args.positional.map { coreShow($0) }.joined(separator: ", ") + ")")
            }, receiver: .native(self)))
        }
        return nil
    }

    func binary(_ op: BinaryOperator, _ other: Value, reversed: Bool, context: CallContext) throws -> Value? {
        guard op == .add else { return nil }
        switch other {
        case .number(let x): return .native(CoreFakeVector(values.map { $0 + x }))
        case .native(let o as CoreFakeVector): return .native(CoreFakeVector(zip(values, o.values).map { $0 + $1 }))
        default: return nil
        }
    }

    func describe(repr: Bool) -> String { "vector(" + values.map(formatNumber).joined(separator: ", ") + ")" }
}

/// Base class of the core-library tests: calls built-ins by name, builds values tersely.
class CoreTestCase: XCTestCase {
    /// Calls the core built-in `name`; its result as `coreShow` prints it, or `error: MESSAGE`.
    func r(_ name: String, _ positional: Value..., keywords: [(name: String, value: Value)] = []) -> String {
        run(name, positional, keywords: keywords)
    }

    func run(_ name: String, _ positional: [Value], keywords: [(name: String, value: Value)] = [],
             context: CoreFakeContext = CoreFakeContext()) -> String {
        guard let builtin = CoreLibrary.all.first(where: { $0.name == name }) else { return "no built-in \(name)" }
        do {
            return coreShow(try builtin.call(Arguments(positional, keywords: keywords, functionName: name), context))
        } catch let e as ScriptError {
            return "error: " + e.message
        } catch {
            return "error: \(error)"
        }
    }

    /// The number a built-in returns (nan when it returns something else or throws).
    func num(_ name: String, _ positional: Value...) -> Double {
        guard let builtin = CoreLibrary.all.first(where: { $0.name == name }),
              case .number(let x)? = try? builtin.call(Arguments(positional, functionName: name), CoreFakeContext())
        else { return .nan }
        return x
    }

    /// Shorthands for building values in tests.
    func n(_ x: Double) -> Value { .number(x) }
    func s(_ text: String) -> Value { .string(text) }
    func list(_ items: Value...) -> Value { .list(ListObject(items)) }
    func nums(_ xs: Double...) -> Value { .list(ListObject(xs.map { .number($0) })) }
    func fnValue(_ name: String) -> Value {
        .builtin(BuiltinFunction(CoreLibrary.all.first { $0.name == name } ?? Builtin("missing()", "") { _, _ in .null }))
    }
    func lambda(_ body: @escaping ([Value]) throws -> Value) -> Value {
        .builtin(BuiltinFunction(Builtin("lambda(...xs)", "") { args, _ in try body(args.positional) }))
    }
}
