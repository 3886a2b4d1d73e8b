/// The syntax tree. Nodes are classes so the resolver can annotate names with their slots.

/// A declared variable: `let x`, a parameter, a `for` variable, a `catch` variable, `fn f`.
final class Declaration {
    let name: String
    let span: SourceSpan
    /// Where the variable lives; filled in by the resolver.
    var storage: Storage = .unresolved
    /// True when a closure captures it (it then lives in a box).
    var captured = false

    enum Storage {
        case unresolved
        case local(slot: Int)
        case global
    }

    init(name: String, span: SourceSpan) {
        self.name = name
        self.span = span
    }
}

/// A use of a name in an expression or as an assignment target.
final class NameReference {
    let name: String
    var resolution: Resolution = .unresolved

    enum Resolution {
        case unresolved
        case local(Declaration)
        case upvalue(index: Int)
        case global
    }

    init(name: String) { self.name = name }
}

/// `fn name(params) { body }` or `fn(params) => expr`.
final class FunctionDecl {
    let name: String
    let parameters: [Declaration]
    let defaults: [Expr?]
    let body: [Stmt]
    let span: SourceSpan
    /// Filled in by the resolver.
    var slotCount = 0
    var upvalues: [UpvalueSource] = []

    enum UpvalueSource {
        case local(Declaration)
        case upvalue(index: Int)
    }

    init(name: String, parameters: [Declaration], defaults: [Expr?], body: [Stmt], span: SourceSpan) {
        self.name = name
        self.parameters = parameters
        self.defaults = defaults
        self.body = body
        self.span = span
    }
}

enum BinaryOp: String {
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%", pow = "**", matmul = "@"
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
}

struct CallArgument {
    var name: String?
    var value: Expr
    var span: SourceSpan
}

enum IndexArgument {
    case value(Expr)
    case slice(start: Expr?, stop: Expr?, step: Expr?)
}

enum InterpolationPart {
    case text(String)
    case expression(Expr, format: String?)
}

final class Expr {
    let kind: Kind
    let span: SourceSpan
    /// Nesting depth, to refuse absurdly deep expressions before they exhaust the stack.
    let depth: Int

    indirect enum Kind {
        case number(Double)
        case string(String)
        case interpolation([InterpolationPart])
        case bool(Bool)
        case null
        case name(NameReference)
        case list([Expr])
        case dict([(key: Expr, value: Expr)])
        case negate(Expr)
        case not(Expr)
        case binary(BinaryOp, Expr, Expr)
        case and(Expr, Expr)
        case or(Expr, Expr)
        case range(Expr, Expr, inclusive: Bool)
        case call(Expr, [CallArgument])
        case index(Expr, [IndexArgument])
        case member(Expr, String)
        case function(FunctionDecl)
    }

    init(_ kind: Kind, _ span: SourceSpan, depth: Int = 1) {
        self.kind = kind
        self.span = span
        self.depth = depth
    }
}

final class Stmt {
    let kind: Kind
    let span: SourceSpan

    enum Kind {
        case expression(Expr)
        case declare(Declaration, Expr?)
        case assign(target: Expr, op: BinaryOp?, value: Expr)
        case function(Declaration, FunctionDecl)
        case conditional([(condition: Expr, body: [Stmt])], otherwise: [Stmt]?)
        case whileLoop(Expr, [Stmt])
        case forLoop(Declaration, Expr, [Stmt])
        case breakLoop
        case continueLoop
        case returnValue(Expr?)
        case importModule(String, Declaration)
        case tryCatch([Stmt], Declaration?, [Stmt])
        case block([Stmt])
    }

    init(_ kind: Kind, _ span: SourceSpan) {
        self.kind = kind
        self.span = span
    }
}
