import Foundation

/// The opcodes, one case each (names as in CPython's `pickletools`). Callables are only ever the
/// allowed globals, applied by `call`; INST, OBJ, EXT and out-of-band buffers are refused.
extension WeightsPickle {
    mutating func step(_ op: UInt8) throws {
        switch op {
        case 0x80: _ = try byte()                                           // PROTO
        case 0x95: _ = try take(8)                                          // FRAME
        case 0x28: marks.append(stack.count)                                // MARK
        case 0x30: _ = try pop()                                            // POP
        case 0x31: _ = try popMark()                                        // POP_MARK
        case 0x32: push(try top())                                          // DUP
        case 0x4E: push(.none)                                              // NONE
        case 0x88: push(.bool(true))                                        // NEWTRUE
        case 0x89: push(.bool(false))                                       // NEWFALSE
        case 0x4A: push(.int(try WeightsPickle.signedInteger(take(4))))     // BININT
        case 0x4B: push(.int(Int(try uint(1))))                             // BININT1
        case 0x4D: push(.int(Int(try uint(2))))                             // BININT2
        case 0x8A: push(WeightsPickle.long(try take(length(1))))             // LONG1
        case 0x8B: push(WeightsPickle.long(try take(length(4))))             // LONG4
        case 0x49: push(try textInteger(line()))                            // INT
        case 0x4C:                                                          // LONG
            var text = try line()
            if text.hasSuffix("L") { text.removeLast() }
            if let i = Int(text) {
                push(.int(i))
            } else if text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }), let x = Double(text) {
                push(.float(x))   // beyond 64 bits, as `long` reads them
            } else {
                throw FormatError("pickle: bad integer '\(text.prefix(40))'")
            }
        case 0x47: push(.float(Double(bitPattern: try uint(8).byteSwapped)))   // BINFLOAT (big-endian)
        case 0x46:                                                          // FLOAT
            let text = try line()
            guard let x = Double(text) else { throw FormatError("pickle: bad float '\(text.prefix(40))'") }
            push(.float(x))
        case 0x58: push(.string(try utf8(take(length(4)))))                 // BINUNICODE
        case 0x8C: push(.string(try utf8(take(length(1)))))                 // SHORT_BINUNICODE
        case 0x8D: push(.string(try utf8(take(length(8)))))                 // BINUNICODE8
        case 0x54: push(.string(try latin1(take(length(4)))))               // BINSTRING
        case 0x55: push(.string(try latin1(take(length(1)))))               // SHORT_BINSTRING
        case 0x42: push(.bytes(Array(try take(length(4)))))                 // BINBYTES
        case 0x43: push(.bytes(Array(try take(length(1)))))                 // SHORT_BINBYTES
        case 0x8E, 0x96: push(.bytes(Array(try take(length(8)))))          // BINBYTES8, BYTEARRAY8
        case 0x56: push(.string(try line()))                                // UNICODE (raw-unicode-escape; plain text read as is)
        case 0x53: push(.string(try quoted(line())))                        // STRING
        case 0x5D: push(.list(Box()))                                       // EMPTY_LIST
        case 0x6C: push(.list(Box(try popMark())))                          // LIST
        case 0x61:                                                          // APPEND
            let item = try pop()
            try list(try top()).items.append(item)
        case 0x65:                                                          // APPENDS
            let items = try popMark()
            try list(try top()).items.append(contentsOf: items)
        case 0x29: push(.tuple([]))                                         // EMPTY_TUPLE
        case 0x74: push(.tuple(try popMark()))                              // TUPLE
        case 0x85: push(.tuple([try pop()]))                                // TUPLE1
        case 0x86: let b = try pop(), a = try pop(); push(.tuple([a, b]))   // TUPLE2
        case 0x87: let c = try pop(), b = try pop(), a = try pop(); push(.tuple([a, b, c]))   // TUPLE3
        case 0x7D: push(.dict(DictBox()))                                   // EMPTY_DICT
        case 0x64: push(.dict(try pairs(popMark())))                        // DICT
        case 0x73:                                                          // SETITEM
            let value = try pop(), key = try pop()
            try dict(try top()).set(key, value)
        case 0x75:                                                          // SETITEMS
            let items = try popMark()
            let target = try dict(try top())
            for (key, value) in try pairs(items).items { target.set(key, value) }
        case 0x8F: push(.set(Box()))                                        // EMPTY_SET
        case 0x90:                                                          // ADDITEMS
            let items = try popMark()
            guard case .set(let box) = try top() else { throw FormatError("pickle: ADDITEMS on a non-set") }
            box.items.append(contentsOf: items)
        case 0x91: push(.set(Box(try popMark())))                           // FROZENSET
        case 0x63:                                                          // GLOBAL
            let module = try line(), name = try line()
            push(try global(module, name))
        case 0x93:                                                          // STACK_GLOBAL
            let name = try pop(), module = try pop()
            guard case .string(let m) = module, case .string(let n) = name else {
                throw FormatError("pickle: STACK_GLOBAL needs two strings")
            }
            push(try global(m, n))
        case 0x52:                                                          // REDUCE
            let args = try pop(), callable = try pop()
            guard case .tuple(let values) = args else { throw FormatError("pickle: REDUCE arguments are not a tuple") }
            push(try call(callable, values))
        case 0x81:                                                          // NEWOBJ
            let args = try pop(), cls = try pop()
            guard case .tuple(let values) = args else { throw FormatError("pickle: NEWOBJ arguments are not a tuple") }
            push(try call(cls, values))
        case 0x62:                                                          // BUILD
            let state = try pop()
            try build(try top(), state)
        case 0x51: push(try persistentLoad(try pop()))                      // BINPERSID
        case 0x50: push(try persistentLoad(.string(try line())))            // PERSID
        case 0x70: memo[try memoIndex(line())] = try top()                  // PUT
        case 0x71: memo[Int(try uint(1))] = try top()                       // BINPUT
        case 0x72: memo[Int(try uint(4))] = try top()                       // LONG_BINPUT
        case 0x94: memo[memo.count] = try top()                             // MEMOIZE
        case 0x67: push(try recall(memoIndex(line())))                      // GET
        case 0x68: push(try recall(Int(try uint(1))))                       // BINGET
        case 0x6A: push(try recall(Int(try uint(4))))                       // LONG_BINGET
        case 0x69: throw FormatError("pickle: INST (instantiating a class by name) is refused")
        case 0x6F: throw FormatError("pickle: OBJ (instantiating a class) is refused")
        case 0x92: throw FormatError("pickle: NEWOBJ_EX is refused")
        case 0x82, 0x83, 0x84: throw FormatError("pickle: the extension registry (EXT1/2/4) is refused")
        case 0x97, 0x98: throw FormatError("pickle: out-of-band buffers are refused")
        default: throw FormatError("pickle: unknown opcode 0x\(String(op, radix: 16)) at offset \(position - 1)")
        }
    }

    // MARK: Helpers

    func list(_ o: Object) throws -> Box {
        guard case .list(let box) = o else { throw FormatError("pickle: APPEND to a non-list") }
        return box
    }

    func dict(_ o: Object) throws -> DictBox {
        guard case .dict(let box) = o else { throw FormatError("pickle: SETITEM on a non-dict") }
        return box
    }

    func pairs(_ items: [Object]) throws -> DictBox {
        guard items.count % 2 == 0 else { throw FormatError("pickle: an odd number of dict items") }
        let box = DictBox()
        for i in stride(from: 0, to: items.count, by: 2) { box.set(items[i], items[i + 1]) }
        return box
    }

    func recall(_ index: Int) throws -> Object {
        guard let o = memo[index] else { throw FormatError("pickle: memo entry \(index) was never stored") }
        return o
    }

    func memoIndex(_ text: String) throws -> Int {
        guard let i = Int(text), i >= 0 else { throw FormatError("pickle: bad memo index '\(text.prefix(40))'") }
        return i
    }

    func textInteger(_ text: String) throws -> Object {
        switch text {
        case "00": return .bool(false)
        case "01": return .bool(true)
        default:
            guard let i = Int(text) else { throw FormatError("pickle: bad integer '\(text.prefix(40))'") }
            return .int(i)
        }
    }

    func utf8(_ bytes: UnsafeRawBufferPointer) throws -> String {
        guard let s = String(bytes: bytes, encoding: .utf8) else { throw FormatError("pickle: a string is not UTF-8") }
        return s
    }

    func latin1(_ bytes: UnsafeRawBufferPointer) throws -> String {
        String(bytes.map { Character(Unicode.Scalar($0)) })
    }

    func quoted(_ text: String) throws -> String {
        guard text.count >= 2, let q = text.first, q == "'" || q == "\"", text.last == q else {
            throw FormatError("pickle: bad quoted string")
        }
        return String(text.dropFirst().dropLast())
    }

    /// An allowed global, or a refusal naming it (as `torch.load(weights_only=True)` does).
    func global(_ module: String, _ name: String) throws -> Object {
        let full = "\(module).\(name)"
        if let kind = WeightsPickle.unreadTensors[full] {
            throw FormatError("pickle: '\(full)' builds \(kind), which dscript does not read (it reads float, integer and bool tensors)")
        }
        guard WeightsPickle.allowed.contains(full) else {
            throw FormatError("pickle: refused global '\(full)' (weights-only reading allows tensors, OrderedDict and "
                              + "plain data; the file holds other Python objects, which would have to run code to load)")
        }
        return .global(full)
    }

    /// BUILD: the state of an `OrderedDict` (its `_metadata`) or a tensor is dropped; nothing else may
    /// receive state.
    func build(_ target: Object, _ state: Object) throws {
        switch target {
        case .dict, .tensor: return
        default: throw FormatError("pickle: BUILD on an object that takes no state")
        }
    }
}
