import Foundation

/// Timing for benchmarks: wall-clock medians over repeated runs after a warm-up.
public enum Stopwatch {
    /// Seconds since an arbitrary start, monotonic.
    @inline(__always)
    public static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// Runs `body` `warmup` times untimed, then `samples` times timed; returns the sorted times in seconds.
    public static func measure(warmup: Int, samples: Int, _ body: () throws -> Void) rethrows -> [Double] {
        for _ in 0..<warmup { try body() }
        var times: [Double] = []
        times.reserveCapacity(samples)
        for _ in 0..<samples {
            let start = now()
            try body()
            times.append(now() - start)
        }
        return times.sorted()
    }

    public static func median(_ sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// Peak resident memory of this process in bytes (getrusage; Linux reports KiB).
    public static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Int(usage.ru_maxrss) * 1024
    }
}
