/// Binds every name before the program runs: locals to frame slots, captured variables to boxes
/// reached through upvalues (as in Lua), everything else to globals. Undefined names, misplaced
/// `break`/`continue`/`return` and duplicate declarations are reported here, with locations.
struct Resolver {
    final class FunctionScope {
        let parent: FunctionScope?
        let function: FunctionDecl?
        var blocks: [[String: Declaration]] = [[:]]
        /// Slot 0 holds the running function itself.
        var slotCount = 1
        var upvalues: [FunctionDecl.UpvalueSource] = []
        var loopDepth = 0

        init(parent: FunctionScope?, function: FunctionDecl?) {
            self.parent = parent
            self.function = function
        }

        func lookup(_ name: String, includingOutermost: Bool) -> Declaration? {
            for (i, block) in blocks.enumerated().reversed() {
                if i == 0 && !includingOutermost { break }
                if let d = block[name] { return d }
            }
            return nil
        }

        func upvalueIndex(_ source: FunctionDecl.UpvalueSource) -> Int {
            for (i, existing) in upvalues.enumerated() {
                switch (existing, source) {
                case (.local(let a), .local(let b)) where a === b: return i
                case (.upvalue(let a), .upvalue(let b)) where a == b: return i
                default: continue
                }
            }
            upvalues.append(source)
            return upvalues.count - 1
        }
    }

    var diagnostics: [Diagnostic] = []
    /// Whether a name is a global already (defined earlier, a built-in, or declared in this program).
    let isGlobal: (String) -> Bool
    /// True in the REPL: a second `let` of a global replaces it.
    let interactive: Bool
    var scope: FunctionScope
    var programGlobals: Set<String> = []
    var depth = 0
    /// The globals defined before this program, for "did you mean" (read only when a name is undefined).
    var knownGlobals: () -> [String] = { [] }

    init(interactive: Bool, isGlobal: @escaping (String) -> Bool) {
        self.interactive = interactive
        self.isGlobal = isGlobal
        self.scope = FunctionScope(parent: nil, function: nil)
    }

    /// Resolves a program; returns the slot count of its top-level frame.
    mutating func resolveProgram(_ statements: [Stmt]) -> Int {
        var declared: Set<String> = []
        var imported: Set<String> = []
        for s in statements {
            let decl: Declaration
            switch s.kind {
            case .declare(let d, _), .function(let d, _): decl = d
            case .importModule(_, let d):
                // Importing a module twice is allowed (it runs once).
                decl = d
                if imported.contains(d.name) { continue }
                imported.insert(d.name)
            default: continue
            }
            if declared.contains(decl.name) && !interactive {
                error("'\(decl.name)' is already declared", decl.span)
            }
            declared.insert(decl.name)
            decl.storage = .global
        }
        programGlobals = declared
        resolve(statements)
        return scope.slotCount
    }

    mutating func error(_ message: String, _ span: SourceSpan) {
        if diagnostics.count < Parser.maxDiagnostics { diagnostics.append(Diagnostic(message, span: span)) }
    }

    // MARK: Declarations

    var atTopLevel: Bool { scope.parent == nil && scope.blocks.count == 1 }

    mutating func declare(_ decl: Declaration) {
        if atTopLevel {
            decl.storage = .global
            return
        }
        if scope.blocks[scope.blocks.count - 1][decl.name] != nil {
            error("'\(decl.name)' is already declared in this scope", decl.span)
        }
        decl.storage = .local(slot: scope.slotCount)
        scope.slotCount += 1
        scope.blocks[scope.blocks.count - 1][decl.name] = decl
    }

    mutating func resolve(_ reference: NameReference, _ span: SourceSpan) {
        if let d = scope.lookup(reference.name, includingOutermost: scope.parent != nil) {
            reference.resolution = .local(d)
        } else if let index = upvalue(reference.name, in: scope) {
            reference.resolution = .upvalue(index: index)
        } else if programGlobals.contains(reference.name) || isGlobal(reference.name) {
            reference.resolution = .global
        } else if interactive && scope.parent != nil {
            // In the REPL a function may use a global defined later.
            reference.resolution = .global
        } else {
            error("undefined name '\(reference.name)'" + Suggestions.note(for: reference.name, .name, candidates: visibleNames()), span)
            reference.resolution = .global
        }
    }

    /// Every name a reference here could mean: locals of the enclosing functions and globals.
    func visibleNames() -> [String] {
        var names = Array(programGlobals) + knownGlobals()
        var function: FunctionScope? = scope
        while let f = function {
            for block in f.blocks { names += block.keys }
            function = f.parent
        }
        return names
    }

    /// Finds `name` in the functions around `function`, marking it captured on the way.
    func upvalue(_ name: String, in function: FunctionScope) -> Int? {
        guard let parent = function.parent else { return nil }
        if let d = parent.lookup(name, includingOutermost: parent.parent != nil) {
            d.captured = true
            return function.upvalueIndex(.local(d))
        }
        if let outer = upvalue(name, in: parent) {
            return function.upvalueIndex(.upvalue(index: outer))
        }
        return nil
    }

    mutating func block(_ statements: [Stmt]) {
        scope.blocks.append([:])
        resolve(statements)
        scope.blocks.removeLast()
    }

    mutating func resolve(_ statements: [Stmt]) {
        for s in statements { resolve(s) }
    }

    // MARK: Statements

    mutating func resolve(_ s: Stmt) {
        switch s.kind {
        case .expression(let e):
            resolve(e)
        case .declare(let d, let value):
            if let value { resolve(value) }
            declare(d)
        case .assign(let target, _, let value):
            resolve(value)
            let before = diagnostics.count
            resolve(target)
            // `x = 1` for a new name: say how to declare it (Python users type this first).
            if diagnostics.count == before + 1, case .name(let reference) = target.kind {
                diagnostics[before].notes.append(Diagnostic.Note("declare a new variable with 'let \(reference.name) = ...'"))
            }
        case .function(let d, let f):
            declare(d)
            function(f)
        case .conditional(let branches, let otherwise):
            for (condition, body) in branches {
                resolve(condition)
                block(body)
            }
            if let otherwise { block(otherwise) }
        case .whileLoop(let condition, let body):
            resolve(condition)
            scope.loopDepth += 1
            block(body)
            scope.loopDepth -= 1
        case .forLoop(let d, let sequence, let body):
            resolve(sequence)
            scope.blocks.append([:])
            declare(d)
            scope.loopDepth += 1
            block(body)
            scope.loopDepth -= 1
            scope.blocks.removeLast()
        case .breakLoop, .continueLoop:
            if scope.loopDepth == 0 {
                error("'\(s.kindWord)' outside a loop", s.span)
            }
        case .returnValue(let value):
            if scope.parent == nil { error("'return' outside a function", s.span) }
            if let value { resolve(value) }
        case .importModule(_, let d):
            declare(d)
        case .tryCatch(let body, let d, let handler):
            block(body)
            scope.blocks.append([:])
            if let d { declare(d) }
            block(handler)
            scope.blocks.removeLast()
        case .block(let body):
            block(body)
        }
    }

    mutating func function(_ f: FunctionDecl) {
        let inner = FunctionScope(parent: scope, function: f)
        let outer = scope
        scope = inner
        for p in f.parameters { declare(p) }
        for d in f.defaults { if let d { resolve(d) } }
        block(f.body)
        f.slotCount = inner.slotCount
        f.upvalues = inner.upvalues
        scope = outer
    }

    // MARK: Expressions

    mutating func resolve(_ e: Expr) {
        switch e.kind {
        case .number, .string, .bool, .null:
            break
        case .interpolation(let parts):
            for case .expression(let inner, _) in parts { resolve(inner) }
        case .name(let reference):
            resolve(reference, e.span)
        case .list(let items):
            for item in items { resolve(item) }
        case .dict(let entries):
            for (k, v) in entries {
                resolve(k)
                resolve(v)
            }
        case .negate(let x), .not(let x), .member(let x, _):
            resolve(x)
        case .binary(_, let a, let b), .and(let a, let b), .or(let a, let b), .range(let a, let b, _):
            resolve(a)
            resolve(b)
        case .call(let callee, let arguments):
            resolve(callee)
            for a in arguments { resolve(a.value) }
        case .index(let target, let components):
            resolve(target)
            for c in components {
                switch c {
                case .value(let v): resolve(v)
                case .slice(let a, let b, let c):
                    if let a { resolve(a) }
                    if let b { resolve(b) }
                    if let c { resolve(c) }
                }
            }
        case .function(let f):
            function(f)
        }
    }
}

extension Stmt {
    var kindWord: String {
        switch kind {
        case .breakLoop: return "break"
        case .continueLoop: return "continue"
        default: return "statement"
        }
    }
}
