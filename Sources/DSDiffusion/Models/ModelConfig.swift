import Foundation
import DSEngine

/// One value of a model configuration, as in diffusers' `config.json`.
public indirect enum ConfigValue: Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case list([ConfigValue])

    /// The value as JSON text (numbers integral when they are, as Python writes ints).
    public var json: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let x):
            if x.rounded() == x, Swift.abs(x) < 1e15 { return String(Int(x)) }
            if x.isNaN { return "NaN" }
            return x.isFinite ? "\(x)" : x > 0 ? "Infinity" : "-Infinity"   // as Python's json.dumps
        case .string(let s): return ConfigValue.quote(s)
        case .list(let items): return "[" + items.map(\.json).joined(separator: ", ") + "]"
        }
    }

    static func quote(_ s: String) -> String { jsonQuoted(s) }

    /// A short description for error messages.
    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .list: return "a list"
        }
    }
}

/// A model configuration: diffusers' key names with their values, in diffusers' order, built from
/// the model's defaults overridden by what the user gave. Reading a key checks its type and names
/// the key in the error (`unet: config key 'layers_per_block' must be an integer, got a string`).
public struct ModelConfig: Equatable {
    /// The model's name for messages (`unet`, `autoencoder_kl`).
    public let owner: String
    public private(set) var entries: [(key: String, value: ConfigValue)]

    public static func == (a: ModelConfig, b: ModelConfig) -> Bool {
        a.owner == b.owner && a.entries.map(\.key) == b.entries.map(\.key) && a.entries.map(\.value) == b.entries.map(\.value)
    }

    /// `defaults` overridden by `given`; keys outside `defaults` are an error unless they start with
    /// `_` (`_class_name`, `_diffusers_version`, `_name_or_path`), which are dropped.
    public init(owner: String, defaults: [(String, ConfigValue)], given: [(String, ConfigValue)]) throws {
        self.owner = owner
        entries = defaults.map { (key: $0.0, value: $0.1) }
        var unknown: [String] = []
        for (key, value) in given where !key.hasPrefix("_") {
            if let i = entries.firstIndex(where: { $0.key == key }) { entries[i].value = value } else { unknown.append(key) }
        }
        guard unknown.isEmpty else {
            throw DiffusionError("\(owner): unknown config key\(unknown.count > 1 ? "s" : "") "
                + unknown.map { "'\($0)'" }.joined(separator: ", ")
                + " (known keys: " + defaults.map(\.0).joined(separator: ", ") + ")")
        }
    }

    public subscript(key: String) -> ConfigValue { entries.first { $0.key == key }?.value ?? .null }

    func fail(_ key: String, _ what: String) -> DiffusionError {
        DiffusionError("\(owner): config key '\(key)' \(what)")
    }

    /// Runs `body`; a `DiffusionError` it throws is reported under `key` (`config key 'beta_end' (…)`).
    func naming<T>(_ key: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as DiffusionError { throw fail(key, "(\(error.message))") }
    }

    /// A whole number (JSON ints, or floats that are whole).
    public func int(_ key: String, min: Int = 0) throws -> Int {
        guard case .number(let x) = self[key], x.rounded() == x, Swift.abs(x) < 1e9 else {
            throw fail(key, "must be an integer, got \(self[key].kind)")
        }
        guard Int(x) >= min else { throw fail(key, "must be at least \(min), got \(Int(x))") }
        return Int(x)
    }

    public func optionalInt(_ key: String, min: Int = 1) throws -> Int? {
        if self[key] == .null { return nil }
        return try int(key, min: min)
    }

    public func number(_ key: String) throws -> Double {
        guard case .number(let x) = self[key], x.isFinite else { throw fail(key, "must be a number, got \(self[key].kind)") }
        return x
    }

    public func bool(_ key: String) throws -> Bool {
        guard case .bool(let b) = self[key] else { throw fail(key, "must be true or false, got \(self[key].kind)") }
        return b
    }

    public func optionalString(_ key: String) throws -> String? {
        switch self[key] {
        case .null: return nil
        case .string(let s): return s
        default: throw fail(key, "must be a string or nil, got \(self[key].kind)")
        }
    }

    /// A string from `allowed` (the message lists them).
    public func choice(_ key: String, _ allowed: [String]) throws -> String {
        guard case .string(let s) = self[key] else { throw fail(key, "must be a string, got \(self[key].kind)") }
        guard allowed.contains(s) else {
            throw fail(key, "is '\(s)'; supported: " + allowed.map { "'\($0)'" }.joined(separator: ", "))
        }
        return s
    }

    public func list(_ key: String) throws -> [ConfigValue] {
        guard case .list(let items) = self[key], !items.isEmpty else {
            throw fail(key, "must be a non-empty list, got \(self[key] == .list([]) ? "an empty list" : self[key].kind)")
        }
        return items
    }

    public func intList(_ key: String) throws -> [Int] {
        try list(key).map {
            guard case .number(let x) = $0, x.rounded() == x, x >= 1, x < 1e6 else {
                throw fail(key, "must be a list of positive integers")
            }
            return Int(x)
        }
    }

    public func stringList(_ key: String) throws -> [String] {
        try list(key).map {
            guard case .string(let s) = $0 else { throw fail(key, "must be a list of strings") }
            return s
        }
    }

    /// Throws unless `key` still has the value only supported here (`time_embedding_type` "positional").
    func requireDefault(_ key: String, _ value: ConfigValue, _ note: String) throws {
        guard self[key] == value else { throw fail(key, "is \(self[key].json); only \(value.json) is supported (\(note))") }
    }

    /// `config.json` text: `_class_name`, `_diffusers_version`, then every key, sorted as diffusers writes.
    public func json(className: String, version: String = Pretrained.diffusersVersion) -> String {
        var items = [("_class_name", ConfigValue.string(className)), ("_diffusers_version", .string(version))]
        items += entries.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return "{\n" + items.map { "  \(ConfigValue.quote($0.0)): \($0.1.json)" }.joined(separator: ",\n") + "\n}\n"
    }

    /// Parses `config.json` text into (key, value) pairs; nested objects are refused. Python's NaN,
    /// Infinity and -Infinity (json.dumps writes them: DPMSolverMultistepScheduler's lambda_min_clipped)
    /// are numbers.
    public static func parseJSON(_ data: Data, source: String) throws -> [(String, ConfigValue)] {
        guard data.count < 1 << 20 else { throw DiffusionError("\(source): config is larger than 1 MiB") }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: markingPythonConstants(data)) } catch {
            // Foundation refuses more than 512 levels of arrays and objects as "not in the correct format".
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? ""
            if detail.hasPrefix("Too many nested") {
                throw DiffusionError("\(source): arrays and objects nested too deeply (more than 512 levels)")
            }
            throw DiffusionError("\(source): not valid JSON")
        }
        guard let dict = object as? [String: Any] else { throw DiffusionError("\(source): expected a JSON object") }
        return try dict.sorted { $0.key < $1.key }.map { key, value in (key, try convert(value, key: key, source: source)) }
    }

    /// Python's constants outside strings, and the strings that stand for them until `convert` reads
    /// them (a control character cannot appear unescaped in a JSON string, so no real string is one).
    static let pythonConstants: [(literal: String, marker: String, value: Double)] = [
        ("-Infinity", "\u{1}-Infinity", -.infinity), ("Infinity", "\u{1}Infinity", .infinity), ("NaN", "\u{1}NaN", .nan),
    ]

    /// `data` with each of Python's constants outside strings replaced by its marker string.
    static func markingPythonConstants(_ data: Data) -> Data {
        let bytes = [UInt8](data)
        guard bytes.contains(UInt8(ascii: "N")) || bytes.contains(UInt8(ascii: "I")) else { return data }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0, inString = false
        scan: while i < bytes.count {
            let b = bytes[i]
            if inString {
                if b == UInt8(ascii: "\\"), i + 1 < bytes.count {
                    out += [b, bytes[i + 1]]
                    i += 2
                    continue
                }
                if b == UInt8(ascii: "\"") { inString = false }
            } else if b == UInt8(ascii: "\"") {
                inString = true
            } else {
                for constant in pythonConstants where bytes[i...].starts(with: constant.literal.utf8) {
                    out += Array(jsonQuoted(constant.marker).utf8)
                    i += constant.literal.utf8.count
                    continue scan
                }
            }
            out.append(b)
            i += 1
        }
        return Data(out)
    }

    static func convert(_ value: Any, key: String, source: String, depth: Int = 0) throws -> ConfigValue {
        switch value {
        case is NSNull: return .null
        case let s as String:
            if s.hasPrefix("\u{1}"), let constant = pythonConstants.first(where: { $0.marker == s }) { return .number(constant.value) }
            return .string(s)
        case let n as NSNumber:
            // JSON booleans come back as NSNumbers of Objective-C type "c" (char) on every platform.
            if String(cString: n.objCType) == "c" { return .bool(n.boolValue) }
            return .number(n.doubleValue)
        case let a as [Any] where depth < 4:
            return .list(try a.map { try convert($0, key: key, source: source, depth: depth + 1) })
        default:
            throw DiffusionError("\(source): config key '\(key)' has an unsupported value")
        }
    }
}
