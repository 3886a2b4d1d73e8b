/// The call machinery: dscript functions get a frame on the value stack; built-ins get checked
/// `Arguments`; callable native objects get `call`. Errors leaving a dscript function gain a
/// traceback line for it.
extension Runtime {
    static let tracebackLimit = 20

    /// Makes room for a callee's frame on the value stack (all slots nil), after checking the
    /// call depth, the machine stack and Ctrl-C.
    @inline(__always)
    func pushFrame(_ proto: FunctionProto, span: SourceSpan?) throws -> Frame {
        let count = proto.slotCount
        let base = stackTop
        if depth >= Runtime.maxDepth || base + count > stackEnd || interruptFlag.pointee != 0
            || StackGuard.currentAddress() < machineStackLimit {
            try checkCallLimits()
            throw ScriptError("stack overflow (too many nested calls)", span: span)
        }
        base.initialize(repeating: .null, count: count)
        stackTop = base + count
        depth += 1
        return base
    }

    @inline(__always)
    func popFrame(_ base: Frame, _ count: Int) {
        // Numbers, booleans and nil need no release: skip the generic destroy for them.
        var p = base
        let end = base + count
        while p < end {
            switch p.pointee {
            case .null, .bool, .number: break
            default: p.deinitialize(count: 1)
            }
            p += 1
        }
        stackTop = base
        depth -= 1
    }

    /// Runs a function whose frame is filled in; errors gain a traceback line.
    @inline(__always)
    func runFrame(_ f: FunctionObject, _ proto: FunctionProto, _ base: Frame, span: SourceSpan?) throws -> Value {
        if proto.needsSelf { base[0] = .function(f) }
        return try runBody(proto, base, span: span)
    }

    /// Runs a function whose frame is filled in (slot 0 included when it needs it).
    @inline(__always)
    func runBody(_ proto: FunctionProto, _ base: Frame, span: SourceSpan?) throws -> Value {
        do {
            if proto.hasCapturedParameters {
                for s in proto.capturedParameterSlots { base[s] = .native(Box(base[s])) }
            }
            if try proto.body.exec(base) == .returned {
                let v = returnSlot.move()
                returnSlot.initialize(to: .null)
                return v
            }
            return .null
        } catch let error as ScriptError {
            throw traced(error, function: proto.name, span: span)
        }
    }

    /// Positional arguments that match the parameters exactly.
    func callDirect(_ f: FunctionObject, _ proto: FunctionProto, _ caller: Frame, _ arguments: [NodeRef],
                    span: SourceSpan) throws -> Value {
        var values: [Value] = []
        values.reserveCapacity(arguments.count)
        for a in arguments { values.append(try a.node.eval(caller)) }
        let base = try pushFrame(proto, span: span)
        defer { popFrame(base, proto.slotCount) }
        for (i, v) in values.enumerated() { base[1 + i] = v }
        return try runFrame(f, proto, base, span: span)
    }

    /// Adds the call's location to an error leaving a dscript function.
    func traced(_ error: ScriptError, function: String, span: SourceSpan?) -> ScriptError {
        guard error.kind == .runtime else { return error }
        var e = error
        if e.span == nil { e.span = span }
        if let site = span ?? nativeCallSpan {
            // Keep the innermost frames and the outermost ones; count the rest.
            if e.traceback.count >= Runtime.tracebackLimit {
                e.traceback.remove(at: Runtime.tracebackLimit / 2)
                e.omittedFrames += 1
            }
            e.traceback.append(TraceFrame(function: function, span: site))
        }
        return e
    }

    /// Calls any callable value.
    func callValue(_ callee: Value, positional: [Value], keywords: [(name: String, value: Value)],
                   span: SourceSpan?) throws -> Value {
        switch callee {
        case .function(let f):
            return try invoke(f, positional, keywords, span: span)
        case .builtin(let b):
            return try callBuiltin(b, positional, keywords, span: span)
        case .native(let object):
            let arguments = Arguments(positional, keywords: keywords, functionName: object.typeName)
            let result = try enteringInterruptible(at: span) { try object.call(arguments, context: self) }
            guard let result else {
                throw ScriptError("cannot call a value of type \(object.typeName)" + Suggestions.calledProperty(span), span: span)
            }
            return result
        default:
            throw ScriptError("cannot call a value of type \(callee.typeName)" + Suggestions.calledProperty(span), span: span)
        }
    }

    /// A dscript function with any arguments: keywords, defaults and checks.
    func invoke(_ f: FunctionObject, _ positional: [Value], _ keywords: [(name: String, value: Value)],
                span: SourceSpan?) throws -> Value {
        guard let proto = f.proto else { throw ScriptError("function '\(f.name)' has no body", span: span) }
        let n = proto.parameterCount
        if positional.count > n {
            throw ScriptError("too many arguments to '\(f.name)' (expected \(arity(proto)), got \(positional.count))", span: span)
        }
        let base = try pushFrame(proto, span: span)
        defer { popFrame(base, proto.slotCount) }
        if proto.needsSelf { base[0] = .function(f) }
        var provided = [Bool](repeating: false, count: n)
        for (i, v) in positional.enumerated() {
            base[1 + i] = v
            provided[i] = true
        }
        for (name, v) in keywords {
            guard let i = proto.parameterNames.firstIndex(of: name) else {
                throw ScriptError("unknown keyword argument '\(name)' to '\(f.name)'"
                                  + Suggestions.note(for: name, .keyword, candidates: proto.parameterNames), span: span)
            }
            if provided[i] { throw ScriptError("argument '\(name)' to '\(f.name)' given twice", span: span) }
            base[1 + i] = v
            provided[i] = true
        }
        for i in 0..<n where !provided[i] {
            guard let d = proto.defaults[i] else {
                throw ScriptError("missing argument '\(proto.parameterNames[i])' to '\(f.name)' (expected \(arity(proto)), got \(positional.count))", span: span)
            }
            base[1 + i] = try d.eval(base)
        }
        return try runFrame(f, proto, base, span: span)
    }

    func arity(_ proto: FunctionProto) -> String {
        let required = proto.defaults.prefix { $0 == nil }.count
        let n = proto.parameterCount
        if required == n { return "\(n) argument\(n == 1 ? "" : "s")" }
        return "\(required) to \(n) arguments"
    }

    /// A built-in: counts and keyword names are checked against its signature first.
    func callBuiltin(_ function: BuiltinFunction, _ positional: [Value], _ keywords: [(name: String, value: Value)],
                     span: SourceSpan?) throws -> Value {
        let b = function.builtin
        let name = b.shortName
        if !b.isVariadic && positional.count > b.parameterNames.count {
            let n = b.parameterNames.count
            throw ScriptError("too many arguments to '\(name)' (expected at most \(n), got \(positional.count))", span: span)
        }
        for (key, _) in keywords {
            if !b.acceptsAnyKeyword && (!b.parameterNames.contains(key) || key == b.variadicName) {
                let parameters = b.parameterNames.filter { $0 != b.variadicName }
                throw ScriptError("unknown keyword argument '\(key)' to '\(name)'"
                                  + Suggestions.note(for: key, .keyword, candidates: parameters), span: span)
            }
            if let i = b.parameters.index(of: key), let position = b.parameters.positions[i], position < positional.count {
                throw ScriptError("argument '\(key)' to '\(name)' given twice", span: span)
            }
        }
        let arguments = Arguments(
            positional, keywords: keywords, receiver: function.receiver, functionName: name, parameters: b.parameters)
        let saved = nativeCallSpan
        if let span { nativeCallSpan = span }
        defer { nativeCallSpan = saved }
        // Engine, file and diffusion errors, and any other error of native code, become located script errors.
        return try enteringInterruptible(at: span ?? saved, in: name) { try b.body(arguments, self) }
    }
}
