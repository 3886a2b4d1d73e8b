/// Running a whole source: parse (all syntax errors), resolve, compile, then execute the
/// top-level code in a frame of its own.
extension Runtime {
    /// Runs `source` with `table` as its globals; in interactive mode returns the value of a final
    /// expression statement.
    func execute(_ source: Source, globals table: GlobalTable, interactive: Bool) throws -> Value? {
        var parser = Parser(source: source)
        let program = parser.parseProgram()
        if !parser.diagnostics.isEmpty { throw SyntaxErrors(parser.diagnostics) }

        var resolver = Resolver(interactive: interactive) { name in table.lookup(name) != nil }
        resolver.knownGlobals = { table.definedNames }
        let slotCount = resolver.resolveProgram(program)
        if !resolver.diagnostics.isEmpty { throw SyntaxErrors(resolver.diagnostics) }

        let compiler = Compiler(runtime: self, globals: table)
        var statements = program
        var finalExpression: Node?
        if interactive, let last = statements.last, case .expression(let e) = last.kind {
            statements.removeLast()
            finalExpression = compiler.expression(e)
        }
        let body = compiler.block(statements)

        let base = stackTop
        guard base + slotCount <= stackEnd else { throw ScriptError("stack overflow (too many nested calls)") }
        base.initialize(repeating: .null, count: slotCount)
        stackTop = base + slotCount
        defer {
            base.deinitialize(count: slotCount)
            stackTop = base
        }
        _ = try body.exec(base)
        return try finalExpression?.eval(base)
    }
}
