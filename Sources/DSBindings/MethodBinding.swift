import DSLanguage

/// How native objects find and bind their methods (`x.sum` is `tensor.sum` bound to `x`).
extension Builtin {
    /// Methods by short name (`sum` for `tensor.sum`); of two with one name, the first counts.
    static func byShortName(_ methods: [Builtin]) -> [String: Builtin] {
        Dictionary(methods.map { ($0.shortName, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// This method with `object` as its receiver, as a callable value.
    func bound(to object: NativeObject) -> Value {
        .builtin(BuiltinFunction(self, receiver: .native(object)))
    }
}
