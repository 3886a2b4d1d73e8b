import DSDiffusion
import DSEngine
import Foundation
import XCTest

/// Loads the JSON golden files in `Tests/Fixtures/diffusion/` (made by `scripts/make-diffusion-goldens.py`).
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/diffusion")

    /// The top-level object of a fixture file.
    static func load(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw DiffusionTestError("\(name) is not a JSON object")
        }
        return object
    }

    /// A fresh copy of the fixture folder `source` in the temporary directory, for a test that edits it
    /// (the caller removes it).
    static func copy(_ source: URL, label: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dscript-\(label)-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: source, to: dir)
        return dir
    }

    /// The `entries` array of a fixture file.
    static func entries(_ name: String) throws -> [[String: Any]] {
        guard let entries = try load(name)["entries"] as? [[String: Any]] else {
            throw DiffusionTestError("\(name) has no entries")
        }
        return entries
    }
}

/// Hands out a fixture entry's `noises` in order from `first` (entry 0 is the initial noise where the
/// sampler starts from the fixture's x_T) and fails when the sampler asks for more than diffusers drew
/// or, given `shape`, for another shape.
final class FixtureNoise {
    let lists: [[NSNumber]], shape: [Int]?, what: String
    private(set) var next: Int

    init(_ entry: [String: Any], from first: Int = 0, shape: [Int]? = nil, what: String) throws {
        guard let lists = entry["noises"] as? [[NSNumber]] else { throw DiffusionTestError("\(what): no noises") }
        self.lists = lists
        self.shape = shape
        self.what = what
        next = first
    }

    /// Noise `i` of the fixture as a tensor of `shape`.
    func tensor(_ i: Int, shape: [Int]) -> Tensor { Tensor(shape: shape, scalars: lists[i].map(\.floatValue)) }

    var source: NoiseSource {
        { requested in
            if let shape = self.shape { XCTAssertEqual(requested, shape, self.what) }
            guard self.next < self.lists.count else { throw DiffusionTestError("\(self.what): drew more noise than diffusers") }
            defer { self.next += 1 }
            return self.tensor(self.next, shape: self.shape ?? requested)
        }
    }

    /// The noises the sampler has not drawn (0 when it drew each exactly once).
    var undrawn: Int { lists.count - next }
}

struct DiffusionTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Dictionary where Key == String, Value == Any {
    func doubles(_ key: String) throws -> [Double] {
        guard let values = self[key] as? [Any] else { throw DiffusionTestError("missing array '\(key)'") }
        return try values.map {
            guard let n = $0 as? NSNumber else { throw DiffusionTestError("'\(key)' holds a non-number") }
            return n.doubleValue
        }
    }
    func ints(_ key: String) throws -> [Int] { try doubles(key).map { Int($0) } }
    func double(_ key: String) throws -> Double {
        guard let n = self[key] as? NSNumber else { throw DiffusionTestError("missing number '\(key)'") }
        return n.doubleValue
    }
    func int(_ key: String) throws -> Int { Int(try double(key)) }
    func string(_ key: String) throws -> String {
        guard let s = self[key] as? String else { throw DiffusionTestError("missing string '\(key)'") }
        return s
    }
    func bool(_ key: String) throws -> Bool {
        guard let b = self[key] as? Bool else { throw DiffusionTestError("missing bool '\(key)'") }
        return b
    }
    func tensor(_ key: String, shape: [Int]) throws -> Tensor {
        let values = try doubles(key).map { Float($0) }
        guard values.count == shape.reduce(1, *) else { throw DiffusionTestError("'\(key)' does not fit \(shape)") }
        return Tensor(shape: shape, scalars: values)
    }
}

/// Asserts |got − want| ≤ abs + rel·|want| elementwise, reporting the worst element.
func assertClose(_ got: [Double], _ want: [Double], rel: Double, abs: Double = 0, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    guard got.count == want.count else {
        XCTFail("\(what): \(got.count) values, expected \(want.count)", file: file, line: line)
        return
    }
    for i in got.indices {
        let tolerance = abs + rel * Swift.abs(want[i])
        if !(Swift.abs(got[i] - want[i]) <= tolerance) && !(got[i] == want[i]) {
            XCTFail("\(what)[\(i)]: got \(got[i]), expected \(want[i]) (tolerance \(tolerance))", file: file, line: line)
            return
        }
    }
}

func assertClose(_ got: Tensor, _ want: [Double], rel: Double, abs: Double = 0, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    assertClose(got.scalars.map(Double.init), want, rel: rel, abs: abs, what, file: file, line: line)
}
