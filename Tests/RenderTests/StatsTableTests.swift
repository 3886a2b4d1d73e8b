import XCTest
import DSRender

/// The `stats` table as text, pinned.
final class StatsTableTests: XCTestCase {
    func testTableRendererSnapshot() {
        let rows = [
            StatsRow(name: "w", shape: [2, 2], dtype: "F16", values: [1, -1, 2, -2]),
            StatsRow(name: "bias", shape: [1], dtype: "F32", values: [.nan]),
        ]
        XCTAssertEqual(StatsTable.render(rows), """
            name  shape   dtype  mean    std  min  max   norm  nan/inf
            w     [2, 2]  F16       0  1.826   -2    2  3.162        0
            bias  [1]     F32       -      -    -    -      0        1
            total: 2 tensors, 5 parameters, 1 NaN/Inf values

            """)
    }
}
