/// The core built-ins of SPEC §3 that are not part of the language's essentials
/// (math, collections, higher-order functions, time, help). CONTRACT: `CoreLibrary.all`.
public enum CoreLibrary {
    public static var all: [Builtin] { [] }
}
