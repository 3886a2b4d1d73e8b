#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Frees nested values one at a time instead of recursively.
///
/// Releasing a list that holds a list that holds a list ... would otherwise run one nested
/// `deinit` per level, and a structure a few million levels deep (`for i in range(4e6) { a = [a] }`)
/// overflows even the interpreter's large stack. Containers hand their children to this per-thread
/// queue when they die; the outermost release drains it in a loop, so the depth stays constant.
final class ValueTeardown {
    private var pending: [Value] = []
    private var draining = false

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { raw in
            #if canImport(Glibc)
            guard let raw else { return }
            #endif
            Unmanaged<ValueTeardown>.fromOpaque(raw).release()
        }
        return key
    }()

    /// This thread's queue.
    private static var current: ValueTeardown {
        if let raw = pthread_getspecific(key) {
            return Unmanaged<ValueTeardown>.fromOpaque(raw).takeUnretainedValue()
        }
        let queue = ValueTeardown()
        pthread_setspecific(key, Unmanaged.passRetained(queue).toOpaque())
        return queue
    }

    /// True for values whose release may run further releases (containers and closures).
    @inline(__always)
    static func mayNest(_ value: Value) -> Bool {
        switch value {
        case .list, .dict, .function, .native: return true
        default: return false
        }
    }

    /// Takes `children` (leaving it empty) and releases them without recursion; call from `deinit`.
    static func release(_ children: inout [Value]) {
        guard children.contains(where: mayNest) else { return }
        let queue = current
        if queue.draining {  // an outer release is draining the queue: it will free them
            queue.pending.append(contentsOf: children)
            children.removeAll()
            return
        }
        queue.draining = true
        children.removeAll()  // each child that dies now queues its own children instead of recursing
        while let value = queue.pending.popLast() {
            _ = value  // released here; its own children join `pending`
        }
        queue.draining = false
    }
}
