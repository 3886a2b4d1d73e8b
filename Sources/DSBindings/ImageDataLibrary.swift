import DSEngine
import DSLanguage

/// Image data sets made in code and mini-batches (docs/builtins.md § Files, pictures and data): `shapes`,
/// `glyphs`, `batches`. Randomness comes from the interpreter's generator (`seed(n)`, `--seed`).
enum ImageDataLibrary {
    static let table: [Builtin] = [
        Builtin("shapes(n, size = 16, labels = false)",
                "n images [n, 1, size, size] in [-1, 1] of a circle, square or triangle with random position, size, rotation and intensity; labels: true returns {images, labels} (0 circle, 1 square, 2 triangle)",
                example: "show(shapes(16, size: 16))") { a, c in
            try ImageDataLibrary.dataset(a, c, ImageDatasets.shapes)
        },
        Builtin("glyphs(n, size = 16, labels = false)",
                "n digit-like images [n, 1, size, size] in [-1, 1] drawn from a 5×7 bitmap font of 0–9 with random shift, scale, slant and stroke width; labels: true returns {images, labels}",
                example: "show(glyphs(32, size: 16))") { a, c in
            try ImageDataLibrary.dataset(a, c, ImageDatasets.glyphs)
        },
        Builtin("batches(data, size = 64, shuffle = true, drop_last = false)",
                "splits a tensor (or a list of tensors with the same first dimension) into mini-batches along the first axis; a list of batches",
                example: "for x in batches(data, size: 128) { ... }") { a, c in
            let source = try a.value("data")
            let tensors: [Tensor]
            let asList: Bool
            if case .list = source {
                tensors = try a.tensorList("data")
                asList = true
            } else {
                tensors = [try a.tensor("data")]
                asList = false
            }
            guard let first = tensors.first, first.rank >= 1 else { throw a.error("data", "a tensor with at least one dimension expected") }
            let n = first.shape[0]
            for (i, t) in tensors.enumerated() where t.rank < 1 || t.shape[0] != n {
                throw a.error("data", "tensor \(i + 1) has \(t.rank < 1 ? 0 : t.shape[0]) rows, the first has \(n)")
            }
            let size = try a.int("size")
            guard size > 0 else { throw a.error("size", "positive batch size expected, got \(size)") }
            var order = Array(0..<n)
            if try a.bool("shuffle") {
                let keys = RandomState.of(c).uniform(n)
                order.sort { keys[$0] < keys[$1] || (keys[$0] == keys[$1] && $0 < $1) }
            }
            let dropLast = try a.bool("drop_last")
            var out: [Value] = []
            var start = 0
            while start < n {
                let end = Swift.min(n, start + size)
                if dropLast && end - start < size { break }
                let index = Tensor(shape: [end - start], scalars: order[start..<end].map(Float.init))
                let parts = try tensors.map { Value.tensor(try $0.detach().gather(index)) }
                out.append(asList ? .list(ListObject(parts)) : parts[0])
                start = end
            }
            return .list(ListObject(out))
        },
    ]

    /// Runs a data set maker with `n`, `size:` and the interpreter's generator.
    static func dataset(
        _ a: Arguments, _ c: CallContext,
        _ make: (Int, Int, RandomGenerator) throws -> (images: Tensor, labels: Tensor)
    ) throws -> Value {
        let n = try a.int("n")
        let size = try a.int("size")
        let (images, labels) = try make(n, size, RandomState.of(c))
        guard try a.bool("labels") else { return .tensor(images) }
        return .dict(DictObject(["images": .tensor(images), "labels": .tensor(labels)]))
    }
}
