import ArgumentParser
import Foundation

/// Refuses, before any work is done, an output that would overwrite an input or another output of
/// the same command: same path after resolving links, or the same file (device and inode) under
/// another name. `reckit train als r.data --out r.data` would otherwise replace the ratings with a
/// model and exit 0.
enum OutputGuard {
    /// `inputs`: files the command reads; `outputs`: (flag, path) of what it writes. Nil paths and
    /// `-` (standard output) are skipped. A file output whose folder does not exist is refused too
    /// (before a long fit, not after it); `folders` names the flags whose outputs are folders the
    /// command creates.
    static func check(inputs: [String?], outputs: [(flag: String, path: String?)], folders: Set<String> = []) throws {
        let ins = inputs.compactMap { $0 }.filter { $0 != "-" }
        let outs = outputs.compactMap { o in o.path.map { (o.flag, $0) } }.filter { $0.1 != "-" }
        for (k, (flag, path)) in outs.enumerated() {
            if let input = ins.first(where: { same($0, path) }) {
                throw ValidationError("\(flag) \(path) is the input \(input); it would be overwritten — write the output to another file")
            }
            if let (other, _) = outs[..<k].first(where: { same($0.1, path) }) {
                throw ValidationError("\(other) and \(flag) both name \(path); give each output its own file")
            }
            if !folders.contains(flag) {
                let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
                var isFolder: ObjCBool = false
                guard FileManager.default.fileExists(atPath: parent, isDirectory: &isFolder), isFolder.boolValue else {
                    throw ValidationError("\(flag) \(path): the folder \(parent) does not exist; create it first")
                }
            }
        }
    }

    /// Whether two paths name one file: equal when resolved, or equal device and inode.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = URL(fileURLWithPath: a).resolvingSymlinksInPath().standardizedFileURL.path
        let y = URL(fileURLWithPath: b).resolvingSymlinksInPath().standardizedFileURL.path
        if x == y { return true }
        var sa = stat(), sb = stat()
        guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }
}
