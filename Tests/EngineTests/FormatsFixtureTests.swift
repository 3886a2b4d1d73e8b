import XCTest
@testable import DSEngine

/// Files written by Python's reference writers, read by dscript and compared bit for bit with the
/// float32 values numpy / torch produce (expected.json).
final class FormatsFixtureTests: XCTestCase {
    /// Bit-exact equality, except that NaN payloads (which numpy and torch choose differently) only need to be NaN.
    func assertSameBits(_ got: [Float], _ want: [UInt32], _ label: String, line: UInt = #line) {
        XCTAssertEqual(got.count, want.count, label, line: line)
        for (g, w) in zip(got, want) where !(g.isNaN && Float(bitPattern: w).isNaN) {
            XCTAssertEqual(g.bitPattern, w, "\(label): \(g) vs \(Float(bitPattern: w))", line: line)
        }
    }

    func testFixturesArePresent() {
        XCTAssertFalse(FormatsFixtures.expected.isEmpty, "run scripts/make-format-fixtures.py")
    }

    func checkSafetensors(_ file: String) throws {
        let read = try Safetensors.read(path: FormatsFixtures.path(file))
        let want = FormatsFixtures.tensors(file)
        XCTAssertEqual(read.tensors.count, want.count, file)
        for w in want {
            guard let got = read.tensors.first(where: { $0.name == w.name }) else {
                XCTFail("\(file): \(w.name) missing"); continue
            }
            XCTAssertEqual(got.dtype, w.dtype, "\(file)/\(w.name)")
            XCTAssertEqual(got.tensor.shape, w.shape, "\(file)/\(w.name)")
            assertSameBits(got.tensor.scalars, w.bits, "\(file)/\(w.name)")
        }
        XCTAssertEqual(read.metadata, FormatsFixtures.metadata(file), file)
    }

    func testSafetensorsEveryDtype() throws {
        try checkSafetensors("all_dtypes.safetensors")
        let read = try Safetensors.read(path: FormatsFixtures.path("all_dtypes.safetensors"))
        // Header order is kept (the reference writer's: descending alignment, then name).
        XCTAssertEqual(read.tensors.map(\.name).prefix(4), ["i64", "f64", "f32", "i32"])
        XCTAssertEqual(read["rank0"]?.shape, [])
        XCTAssertEqual(read["zero"]?.shape, [2, 0])
    }

    func testReaderConvertsOnRequest() throws {
        let path = FormatsFixtures.path("all_dtypes.safetensors")
        let reader = try SafetensorsReader(path: path)
        let whole = try Safetensors.read(path: path)
        XCTAssertEqual(reader.tensorInfos.map(\.name), whole.tensors.map(\.name))
        XCTAssertEqual(reader.tensorInfos.map(\.dtype), whole.tensors.map(\.dtype))
        for info in reader.tensorInfos {
            let t = try reader.tensor(info.name)
            XCTAssertEqual(t.shape, info.shape)
            XCTAssertEqual(t.scalars.map(\.bitPattern), whole[info.name]?.scalars.map(\.bitPattern))
        }
        XCTAssertEqual(formatErrorMessage { try reader.tensor("nope") }, "\(path): no tensor named \"nope\"")
        let meta = try SafetensorsReader(path: FormatsFixtures.path("f32_meta.safetensors"))
        XCTAssertEqual(meta.metadata, FormatsFixtures.metadata("f32_meta.safetensors"))
        XCTAssertEqual(meta.metadataOrder.sorted(), ["format", "note"])  // the reference writes them in HashMap order
        XCTAssertTrue(formatErrorMessage { try SafetensorsReader(path: FormatsFixtures.path("f4.npy")) }
            .hasSuffix("f4.npy: header too large: header length field says 379676406402707 bytes, the limit is 100000000"))
    }

    func testSafetensorsMetadataRankZeroZeroSize() throws {
        try checkSafetensors("f32_meta.safetensors")
        let read = try Safetensors.read(path: FormatsFixtures.path("f32_meta.safetensors"))
        XCTAssertEqual(read.metadata["note"], "dscript fixture α")
        XCTAssertEqual(read["scalar"]?.scalars, [2.5])
    }

    func testNpyEveryVariant() throws {
        let files = ["f4.npy", "f8.npy", "f2.npy", "i8.npy", "i4.npy", "u1.npy", "b1.npy", "rank0.npy", "empty.npy",
                     "big_endian.npy", "fortran.npy", "v2.npy", "v3.npy"]
        for file in files {
            let got = try Npy.read(path: FormatsFixtures.path(file))
            guard let want = FormatsFixtures.tensors(file).first else { XCTFail("\(file) not in expected.json"); continue }
            XCTAssertEqual(got.descr, want.dtype, file)
            XCTAssertEqual(got.tensor.shape, want.shape, file)
            assertSameBits(got.tensor.scalars, want.bits, file)
        }
        // Fortran order is transposed into row-major: element [1, 2, 3] of arange(24).reshape(2, 3, 4) is 23.
        let fortran = try Npy.read(path: FormatsFixtures.path("fortran.npy")).tensor
        XCTAssertEqual(fortran.scalars, (0..<24).map(Float.init))
    }

    func testNarrowingMatchesNumpyAndTorch() {
        let inputs = FormatsFixtures.numbers("narrowing", "inputs").map { Float(bitPattern: UInt32($0)) }
        let f16 = FormatsFixtures.numbers("narrowing", "f16")
        let bf16 = FormatsFixtures.numbers("narrowing", "bf16")
        XCTAssertGreaterThan(inputs.count, 500)
        for (k, x) in inputs.enumerated() {
            // NaNs too, bit for bit: dscript's files are byte-identical to the reference writers'.
            XCTAssertEqual(Int(HalfPrecision.half(from: x)), f16[k], "f16 of \(x) (bits \(String(x.bitPattern, radix: 16)))")
            XCTAssertEqual(Int(HalfPrecision.bfloat16(from: x)), bf16[k], "bf16 of \(x) (bits \(String(x.bitPattern, radix: 16)))")
        }
    }

    func testHalfWideningIsExactForEveryPattern() {
        // Every non-NaN half value survives float32 and back unchanged.
        for bits in 0...UInt16.max {
            let x = HalfPrecision.float(fromHalf: bits)
            if x.isNaN { continue }
            XCTAssertEqual(HalfPrecision.half(from: x), bits)
        }
        XCTAssertEqual(HalfPrecision.float(fromHalf: 0x3C00), 1)
        XCTAssertEqual(HalfPrecision.float(fromHalf: 0x0001), 0x1p-24)
        XCTAssertEqual(HalfPrecision.float(fromHalf: 0x7BFF), 65504)
    }
}
