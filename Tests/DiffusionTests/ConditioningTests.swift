import DSDiffusion
import DSEngine
import XCTest

/// The class-conditional pieces: the MLP's label embedding, label dropout and the labelled data sets.
final class ConditioningTests: XCTestCase {
    func testConditionalMLPConcatenatesTheLabelEmbeddingRow() throws {
        let g = RandomGenerator(seed: 5)
        let net = try MLPDenoiser(dim: 2, hidden: 8, layers: 1, timeDim: 4, numClasses: 3, generator: g)
        XCTAssertEqual(net.stateDict().map(\.0), ["net.0.weight", "net.0.bias", "net.2.weight", "net.2.bias",
                                                   "label_embedding.weight"])
        XCTAssertEqual(net.nullLabel, 3)
        let x = Tensor(shape: [2, 2], scalars: [0.5, -1, 2, 0.25])
        let t = Tensor(shape: [2], scalars: [10, 700])
        let got = try net.forward(x, t: t, classLabels: [2, 0])
        // by hand: [x, sinusoid(t), E[y]] → linear → SiLU → linear
        let params = Dictionary(uniqueKeysWithValues: net.stateDict())
        let table = try XCTUnwrap(params["label_embedding.weight"])
        let rows = try table.gather(Tensor(shape: [2], scalars: [2, 0]))
        let input = try Tensor.cat([x, try timestepEmbedding(t, dim: 4, flipSinToCos: true, freqShift: 0), rows], axis: 1)
        let hidden = try Tensor.linear(input, weight: params["net.0.weight"]!, bias: params["net.0.bias"]).silu()
        let want = try Tensor.linear(hidden, weight: params["net.2.weight"]!, bias: params["net.2.bias"])
        XCTAssertEqual(got.scalars, want.scalars)
        // no labels means the null label
        XCTAssertEqual(try net.forward(x, t: t).scalars, try net.forward(x, t: t, classLabels: [3, 3]).scalars)
        XCTAssertThrowsError(try net.forward(x, t: t, classLabels: [4, 0]))
        let plain = try MLPDenoiser(dim: 2, hidden: 8, layers: 1, timeDim: 4, generator: g)
        XCTAssertThrowsError(try plain.forward(x, t: t, classLabels: [0, 0]))
    }

    func testLabelDropoutReplacesLabelsWithTheGivenProbability() throws {
        let g = RandomGenerator(seed: 11)
        let dropout = try LabelDropout(probability: 0.1, nullLabel: 7)
        let dropped = dropout.apply([Int](repeating: 2, count: 50_000), generator: g)
        let fraction = Double(dropped.filter { $0 == 7 }.count) / 50_000
        XCTAssertEqual(fraction, 0.1, accuracy: 0.005)
        XCTAssertEqual(Set(dropped), [2, 7])
        XCTAssertEqual(try LabelDropout(probability: 0, nullLabel: 7).apply([1, 2], generator: g), [1, 2])
        XCTAssertEqual(try LabelDropout(probability: 1, nullLabel: 7).apply([1, 2], generator: g), [7, 7])
        XCTAssertThrowsError(try LabelDropout(probability: -0.1, nullLabel: 0))
    }

    func testLabelledDataSetsDrawTheSamePointsAsTheUnlabelledOnes() throws {
        for name in ["moons", "gaussians8"] {
            let a = RandomGenerator(seed: 3), b = RandomGenerator(seed: 3)
            let plain = try Datasets2D.make(name, n: 500, random: DataRandom(uniform: { a.uniform($0) }, normal: { a.normal($0) }))
            let make = try XCTUnwrap(Datasets2D.labelled[name])
            let (points, labels) = try make(500, DataRandom(uniform: { b.uniform($0) }, normal: { b.normal($0) }))
            XCTAssertEqual(points.scalars, plain.scalars, name)
            XCTAssertEqual(Set(labels.scalars), name == "moons" ? [0, 1] : Set((0..<8).map(Float.init)), name)
        }
    }
}
