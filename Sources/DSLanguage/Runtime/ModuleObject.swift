#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A module made by `import "name"`: its members are the module's top-level names.
final class ModuleObject: NativeObject {
    let name: String
    let path: String
    let table: GlobalTable

    init(name: String, path: String, table: GlobalTable) {
        self.name = name
        self.path = path
        self.table = table
    }

    var typeName: String { "module" }

    func member(_ name: String, context: CallContext) throws -> Value? {
        guard let g = table.variables[name], g.defined else { return nil }
        return g.value
    }

    func setMember(_ name: String, _ value: Value, context: CallContext) throws {
        table.define(name, value)
    }

    var memberNames: [String] { table.order.filter { table.variables[$0]?.defined == true } }

    func describe(repr: Bool) -> String { "<module \(name)>" }
}

extension Runtime {
    /// Runs `name.dscript` once per interpreter (cached by path) and returns its module.
    func importModule(_ name: String, span: SourceSpan) throws -> ModuleObject {
        let file = name.hasSuffix(".dscript") ? name : name + ".dscript"
        var folders: [String] = []
        let importer = span.source.name
        if importer.contains("/") {
            folders.append(String(importer[..<(importer.lastIndex(of: "/") ?? importer.startIndex)]))
        } else {
            folders.append(".")  // a script in this folder, and the REPL, -e, standard input and notebook cells
        }
        folders += importPaths
        if !folders.contains(".") { folders.append(".") }
        var found: String?
        for folder in folders {
            let candidate = file.hasPrefix("/") ? file : (folder.isEmpty ? file : folder + "/" + file)
            if access(candidate, R_OK) == 0 {
                found = canonicalPath(candidate)
                break
            }
        }
        guard let path = found else {
            throw ScriptError("module '\(name)' not found (looked in \(folders.map { "'\($0)'" }.joined(separator: ", ")))", span: span)
        }
        if let cached = modules[path] { return cached }
        if importing.contains(path) {
            let chain = (importing.drop { $0 != path } + [path]).map(baseName).joined(separator: " -> ")
            throw ScriptError("import cycle: \(chain)", span: span)
        }
        guard let text = readTextFile(path) else {
            throw ScriptError("cannot read module '\(name)' at \(path)", span: span)
        }
        importing.append(path)
        defer { importing.removeLast() }
        let source = Source(name: path, text: text)
        let table = GlobalTable(parent: builtins)
        let module = ModuleObject(name: baseName(path), path: path, table: table)
        _ = try execute(source, globals: table, interactive: false)
        modules[path] = module
        return module
    }
}

func baseName(_ path: String) -> String {
    var base = path.split(separator: "/").last.map(String.init) ?? path
    if base.hasSuffix(".dscript") { base.removeLast(8) }
    return base
}

func canonicalPath(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
}

/// The whole file as text (invalid UTF-8 is replaced), or nil when it cannot be read.
public func readTextFile(_ path: String) -> String? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, 1 << 16, file) }
        if n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
        if n < 1 << 16 { break }
    }
    if ferror(file) != 0 { return nil }
    return String(decoding: bytes, as: UTF8.self)
}
