/// Host names that look like IPv4 addresses but are not: `999.1.1.1`, `1.2.3.256`.
///
/// Four dot-separated decimal numbers are an IPv4 address or nothing: a host name's last
/// label is never all digits (RFC 1123, 3696), and resolvers and libraries disagree on what
/// to make of such a string (an error, a DNS lookup, a number wrapped modulo 256). Every
/// address setting (listen addresses, `kubernetes.apiServer`, Kafka brokers) refuses one
/// with an octet above 255, positioned like any other config error.
enum DottedQuad {
    /// The first octet above 255 when `host` is four dot-separated decimal numbers; nil when
    /// `host` is a valid IPv4 address or not four numbers at all.
    static func octetAbove255(in host: Substring) -> Substring? {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } })
        else { return nil }
        // A number too long for Int is above 255 as well.
        return parts.first { Int($0).map { $0 > 255 } ?? true }
    }

    /// The problem with `host`, if it is such a dotted quad.
    static func problem(host: Substring) -> ConfigProblem? {
        self.octetAbove255(in: host).map { .invalidIPv4(String(host), octet: String($0)) }
    }

    /// The JSON Schema regex (no anchors) of four dot-separated decimal numbers, one of them
    /// above 255: the same rule as ``octetAbove255(in:)``, for negative lookaheads.
    static let schemaPattern: String = {
        let number = "[0-9]+"
        let above255 = "0*(?:[1-9][0-9]{3,}|[3-9][0-9]{2}|2[6-9][0-9]|25[6-9])"
        let alternatives = (0..<4).map { position in
            (0..<4).map { $0 == position ? above255 : number }.joined(separator: "\\.")
        }
        return "(?:" + alternatives.joined(separator: "|") + ")"
    }()
}
