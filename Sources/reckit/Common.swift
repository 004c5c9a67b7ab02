import ArgumentParser
import RecKit

/// Parses a comma-separated list such as `1,2` or `blas,swift`.
func parseList<T>(_ text: String, what: String, _ parse: (String) -> T?) throws -> [T] {
    let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard !items.isEmpty else { throw ValidationError("--\(what) needs at least one value") }
    return try items.map { item in
        guard let v = parse(item) else { throw ValidationError("--\(what): '\(item)' is not valid") }
        return v
    }
}

func parseThreads(_ text: String) throws -> [Int] {
    try parseList(text, what: "threads") { Int($0).flatMap { $0 >= 1 ? $0 : nil } }
}

func parseBackends(_ text: String) throws -> [Backend] {
    try parseList(text, what: "backend") { try? Backend(parsing: $0) }
}

/// Thread counts 1, 2, … up to the cores (the default of every benchmark).
var defaultThreadList: [Int] {
    let cores = Engine.availableCores
    var list = [1]
    var t = 2
    while t < cores { list.append(t); t *= 2 }
    if cores > 1 { list.append(cores) }
    return list
}


