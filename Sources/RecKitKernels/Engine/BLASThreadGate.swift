import CReckitShim
import Foundation

/// Every OpenBLAS call runs inside this gate, which sets OpenBLAS's thread count for it.
///
/// OpenBLAS has one thread count for the whole process, and its results depend on it: for some
/// shapes its threaded GEMM rounds differently from the single-threaded one (measured with
/// Debian's 0.3.21: 64×500×60 and 1000×1000×64 sgemm differ in the last bits between 1 and 2
/// threads). Setting the count before a call is therefore not enough when several threads call
/// RecKit at once — another could change it in between, and a model fitted alongside another would
/// not come out the same twice. The gate makes "set the count, call" one step: calls that want the
/// count in force run side by side (the workers of a parallel loop, each at 1 thread); a call that
/// wants another count waits until they are done, and new calls wait behind it, so neither starves.
///
/// A thread that is already inside the gate passes straight through: its nested calls run at the
/// count in force (they cannot change it while the outer call holds it). So a worker of a parallel
/// loop can enter once for a run of small single-threaded calls
/// (``BackendKernels/withSingleThreadedCalls(_:)``) instead of taking the gate's lock twice per
/// call — for the Bayesian MF sampler's four calls per row that lock was the bottleneck at two
/// threads. Nesting also cannot deadlock behind a waiting call.
final class BLASThreadGate: @unchecked Sendable {
    private let condition = NSCondition()
    /// The count OpenBLAS is set to, the calls running under it, and the calls waiting for another.
    private var count = 0, running = 0, waiting = 0
    /// Per thread: ``insideMark`` while the thread is inside the gate, else nil.
    private let inside: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "RecKit: no thread-specific key for the BLAS gate")
        return key
    }()

    private static var insideMark: UnsafeRawPointer? { UnsafeRawPointer(bitPattern: 1) }

    static let shared = BLASThreadGate()

    func run<R>(threads: Int, _ body: () throws -> R) rethrows -> R {
        if pthread_getspecific(inside) != nil { return try body() }
        let n = Swift.max(1, threads)
        condition.lock()
        if !(running == 0 || (count == n && waiting == 0)) {
            waiting += 1
            while !(running == 0 || count == n) { condition.wait() }
            waiting -= 1
        }
        if count != n {
            reckit_blas_set_threads(Int32(n))
            count = n
        }
        running += 1
        condition.unlock()
        pthread_setspecific(inside, Self.insideMark)
        defer {
            pthread_setspecific(inside, nil)
            condition.lock()
            running -= 1
            if running == 0 { condition.broadcast() }
            condition.unlock()
        }
        return try body()
    }
}
