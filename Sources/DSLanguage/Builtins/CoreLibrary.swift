/// The core built-ins of SPEC §3 that are not part of the language's essentials
/// (math, collections, higher-order functions, strings, time). CONTRACT: `CoreLibrary.all`.
///
/// Each domain keeps its own table: `CoreMath`, `CoreCollections`, `CoreFunctional`, `CoreStrings`,
/// `CoreSystem`. Math functions given a native object call its method of the same name.
public enum CoreLibrary {
    public static var all: [Builtin] {
        CoreMath.table + CoreCollections.table + CoreFunctional.table + CoreStrings.table + CoreSystem.table
    }

    /// Global values the interpreter defines at start-up (`Interpreter.define(name, value)`).
    public static let constants: [(String, Value)] = [
        ("pi", .number(Double.pi)),
        ("inf", .number(Double.infinity)),
        ("nan", .number(Double.nan)),
    ]
}
