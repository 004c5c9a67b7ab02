import Foundation

/// What the machine has to give: sizes taken from arguments and file headers are checked against
/// it before they are allocated, so that an impossible size is a clear error and not an abort.
public enum MemoryBudget {
    /// `MemAvailable` of /proc/meminfo (memory that can be allocated without swapping), or nil
    /// where it cannot be read.
    public static var availableBytes: Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let parts = line.split(separator: " ")
            if parts.count >= 2, let kb = Int(parts[1]) { return kb * 1024 }
        }
        return nil
    }

    /// This process's peak resident set so far (Linux `VmHWM`), in bytes; 0 where it cannot be read.
    public static var peakResidentBytes: Int { statusBytes("VmHWM:") }
    /// This process's resident set now (Linux `VmRSS`), in bytes; 0 where it cannot be read.
    public static var residentBytes: Int { statusBytes("VmRSS:") }

    /// A field of `/proc/self/status` given in kB, in bytes (0 when it cannot be read).
    static func statusBytes(_ field: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix(field) {
            return (line.split(separator: " ").compactMap { Int($0) }.first ?? 0) * 1024
        }
        return 0
    }

    /// `bytes` for people: "40.1 GB", "512 MB".
    public static func describe(_ bytes: Double) -> String {
        bytes >= 1e9 ? String(format: "%.1f GB", bytes / 1e9) : String(format: "%.0f MB", max(bytes / 1e6, 1))
    }
}
