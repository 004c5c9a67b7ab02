/// Writes the recommendation answer as JSON by hand: the hot path of the server, where
/// `JSONEncoder` cost more than the lookup it reports. Same keys and values as the `Codable`
/// encoding with snake_case keys (`ServingTests.handWrittenJSONEqualsTheEncoder` checks it).
public enum JSONWriter {
    /// `s` as a JSON string literal (RFC 8259 escapes).
    static func string(_ s: String, into out: inout [UInt8]) {
        out.append(34)
        for b in s.utf8 {
            switch b {
            case 34: out += [92, 34]
            case 92: out += [92, 92]
            case 0..<32:
                let hex = Array("0123456789abcdef".utf8)
                out += [92, 117, 48, 48, hex[Int(b >> 4)], hex[Int(b & 15)]]
            default: out.append(b)
            }
        }
        out.append(34)
    }

    /// A finite number in its shortest form (Swift's description), as JSONEncoder writes it.
    static func number<F: BinaryFloatingPoint & LosslessStringConvertible>(_ x: F, into out: inout [UInt8]) {
        if x.isFinite { out += Array(x.description.utf8) } else { string(x.isNaN ? "nan" : x > 0 ? "inf" : "-inf", into: &out) }
    }

    /// The answer as UTF-8 JSON.
    public static func encode(_ r: RecommendResponse) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(96 + r.items.count * 80)
        out += Array("{\"items\":[".utf8)
        for (k, item) in r.items.enumerated() {
            if k > 0 { out.append(44) }
            out += Array("{\"item\":".utf8)
            string(item.item, into: &out)
            out += Array(",\"position\":\(item.position),\"propensity\":".utf8)
            number(item.propensity, into: &out)
            out += Array(",\"score\":".utf8)
            number(item.score, into: &out)
            out.append(125)
        }
        out += Array("],\"model_version\":".utf8)
        string(r.modelVersion, into: &out)
        out += Array(",\"online\":\(r.online),\"policy\":".utf8)
        string(r.policy, into: &out)
        out += Array(",\"propensity_method\":".utf8)
        string(r.propensityMethod, into: &out)
        out += Array(",\"request_id\":".utf8)
        string(r.requestId, into: &out)
        if let user = r.user {
            out += Array(",\"user\":".utf8)
            string(user, into: &out)
        }
        out.append(125)
        return out
    }
}
