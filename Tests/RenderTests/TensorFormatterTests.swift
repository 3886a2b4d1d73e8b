import XCTest
@testable import DSRender

/// Tensor printing. The expected texts are PyTorch 2.x's output for the same values
/// (`/work/venv-ref/bin/python -c "import torch; print(torch.tensor(...))"`), plus dscript's
/// suffix: `shape=[...]` for tensors of 2+ dimensions, summarised or empty ones.
final class TensorFormatterTests: XCTestCase {
    func show(_ shape: [Int], _ scalars: [Float], grad: Bool = false) -> String {
        TensorFormatter.describe(shape: shape, scalars: scalars, requiresGrad: grad)
    }

    func testIntegralMatrix() {
        // torch.tensor([[1., 2], [3, 4]])
        XCTAssertEqual(show([2, 2], [1, 2, 3, 4]), "tensor([[1., 2.],\n        [3., 4.]], shape=[2, 2])")
    }

    func testScientificWhenRangeIsWide() {
        // torch.tensor([1.5, -2, 3e-5])
        XCTAssertEqual(show([3], [1.5, -2, 3e-5]), "tensor([ 1.5000e+00, -2.0000e+00,  3.0000e-05])")
        // torch.tensor([0.1, 123456.])
        XCTAssertEqual(show([2], [0.1, 123456]), "tensor([1.0000e-01, 1.2346e+05])")
    }

    func testScalarAndEmpty() {
        XCTAssertEqual(show([], [3.5]), "tensor(3.5000)")
        XCTAssertEqual(show([0], []), "tensor([], shape=[0])")
        XCTAssertEqual(show([0, 3], []), "tensor([], shape=[0, 3])")
    }

    func testNonFiniteAndSignedZero() {
        XCTAssertEqual(show([3], [.nan, 1, .infinity]), "tensor([nan, 1., inf])")
        XCTAssertEqual(show([2], [-0.0, 0.0]), "tensor([-0., 0.])")
    }

    func testThreeDimensionsSeparateBlocksWithBlankLine() {
        // torch.arange(24.).reshape(2, 3, 4)
        let expected = """
            tensor([[[ 0.,  1.,  2.,  3.],
                     [ 4.,  5.,  6.,  7.],
                     [ 8.,  9., 10., 11.]],

                    [[12., 13., 14., 15.],
                     [16., 17., 18., 19.],
                     [20., 21., 22., 23.]]], shape=[2, 3, 4])
            """
        XCTAssertEqual(show([2, 3, 4], (0..<24).map(Float.init)), expected)
    }

    func testSummarisedVectorWraps() {
        // torch.arange(2000.)
        let expected = """
            tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,
                    1.9990e+03], shape=[2000])
            """
        XCTAssertEqual(show([2000], (0..<2000).map(Float.init)), expected)
    }

    func testSummarisedMatrix() {
        // torch.arange(5000.).reshape(50, 100): first and last three rows around "...".
        let text = show([50, 100], (0..<5000).map(Float.init))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 13)
        XCTAssertEqual(lines[0], "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 9.7000e+01, 9.8000e+01,")
        XCTAssertEqual(lines[6], "        ...,")
        XCTAssertEqual(lines[12], "         4.9990e+03]], shape=[50, 100])")
    }

    func testRandomValuesWrapAtEightyColumns() {
        // First line of torch.randn(30) printing: 8 values of width 7 per line.
        let values: [Float] = [0.0260, -1.4865, 1.0519, -0.7328, -0.7792, -0.3733, 0.2777, 0.1956, -0.8452, 0.6899]
        let text = show([10], values)
        XCTAssertEqual(text, "tensor([ 0.0260, -1.4865,  1.0519, -0.7328, -0.7792, -0.3733,  0.2777,  0.1956,\n        -0.8452,  0.6899])")
    }

    func testRequiresGradSuffix() {
        XCTAssertEqual(show([2], [1, 2], grad: true), "tensor([1., 2.], requires_grad=true)")
    }
}
