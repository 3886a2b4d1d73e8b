import DSEngine
import DSLanguage

/// The per-interpreter random generator behind `randn`, `rand`, `randint`, layer initialisation
/// and `seed(n)`; seeded from `--seed` on first use.
final class RandomState {
    let generator: RandomGenerator

    init(seed: UInt64) { generator = RandomGenerator(seed: seed) }

    /// The interpreter's generator, made from `context.settings.seed` on first use.
    static func of(_ context: CallContext) -> RandomGenerator {
        context.state(RandomState.self) { RandomState(seed: context.settings.seed) }.generator
    }
}
