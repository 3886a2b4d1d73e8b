#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A queue between two threads: `put` from one, `take` (waiting) or `takeAll` from the other.
final class Mailbox<Item> {
    private var items: [Item] = []
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func put(_ item: Item) {
        pthread_mutex_lock(mutex)
        items.append(item)
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    /// The oldest item, waiting for one.
    func take() -> Item {
        pthread_mutex_lock(mutex)
        while items.isEmpty { pthread_cond_wait(condition, mutex) }
        let item = items.removeFirst()
        pthread_mutex_unlock(mutex)
        return item
    }

    /// Every item waiting now, oldest first.
    func takeAll() -> [Item] {
        pthread_mutex_lock(mutex)
        let all = items
        items.removeAll()
        pthread_mutex_unlock(mutex)
        return all
    }
}

/// Starts `body` on a new thread that never receives SIGINT (Ctrl-C and Jupyter's interrupt go to
/// the thread running code). Returns the thread to join, or nil when none could be made.
func startThread(_ body: @escaping () -> Void) -> pthread_t? {
    final class Box { let body: () -> Void; init(_ body: @escaping () -> Void) { self.body = body } }
    var blocked = sigset_t(), previous = sigset_t()
    sigemptyset(&blocked)
    sigaddset(&blocked, SIGINT)
    pthread_sigmask(SIG_BLOCK, &blocked, &previous)  // the new thread inherits the mask
    defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    #if os(Linux)
    var thread = pthread_t()
    #else
    var thread: pthread_t? = nil
    #endif
    let status = pthread_create(&thread, nil, { raw in
        #if os(Linux)
        let box = Unmanaged<AnyObject>.fromOpaque(raw!).takeRetainedValue()
        #else
        let box = Unmanaged<AnyObject>.fromOpaque(raw).takeRetainedValue()
        #endif
        (box as? Box)?.body()
        return nil
    }, context)
    guard status == 0 else {
        Unmanaged<AnyObject>.fromOpaque(context).release()
        return nil
    }
    #if os(Linux)
    return thread
    #else
    return thread
    #endif
}
