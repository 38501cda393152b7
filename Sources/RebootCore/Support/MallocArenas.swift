#if canImport(Glibc)
    import Glibc
#endif

/// glibc's malloc arenas: by default each thread that meets contention gets an arena of its
/// own, and each arena keeps its own high-water mark. rebootd parses a plan on the spool's
/// thread and runs it on the scheduler's, so with several arenas the memory one freed is not
/// reused by the other (issue 10: a 100,000-instance plan peaked 12 MiB higher).
public enum MallocArenas {
    /// glibc's `M_ARENA_MAX` (malloc.h, which the Glibc module does not export).
    static let arenaMaxOption: Int32 = -8

    /// Limits the arenas to `count`. Call it first in `main`, before threads allocate. Each
    /// thread's cache still serves small allocations without the arena's lock. True when glibc
    /// took the setting; false elsewhere (nothing changes).
    @discardableResult
    public static func limit(to count: Int32) -> Bool {
        #if canImport(Glibc)
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
            return unsafeBitCast(symbol, to: Mallopt.self)(arenaMaxOption, count) == 1
        #else
            return false
        #endif
    }
}
