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
