/// The core built-ins, one domain per `:help` group. CONTRACT: `CoreLibrary.domains`.
///
/// Each domain keeps its own tables: `CoreEssentials` and `CoreSystem` (Core), `CoreMath`,
/// `CoreStrings`, `CoreCollections` and `CoreFunctional` (Collections). Math functions given a
/// native object call its method of the same name.
public enum CoreLibrary {
    public static let domains: [BuiltinDomain] = [
        BuiltinDomain("Core", functions: CoreEssentials.table + CoreSystem.table),
        BuiltinDomain("Math", functions: CoreMath.table),
        BuiltinDomain("Strings", functions: CoreStrings.table),
        BuiltinDomain("Collections", functions: CoreCollections.table + CoreFunctional.table),
    ]

    /// Every core function, in the order of `domains`.
    public static var all: [Builtin] { domains.flatMap(\.functions) }

    /// Global values the interpreter defines at start-up (`Interpreter.define(name, value)`).
    public static let constants: [(String, Value)] = [
        ("pi", .number(Double.pi)),
        ("inf", .number(Double.infinity)),
        ("nan", .number(Double.nan)),
    ]
}
