/// "Did you mean ...?" suggestions for misspelled names.
public enum Suggestion {
    /// The candidate closest to `word`: one spelled the same apart from case, `-` and `_`
    /// (`drain_delay` for `drainDelay`), else one within two edits; nil when none is close.
    public static func closest(to word: String, among candidates: [String]) -> String? {
        let normalized = Self.normalize(word)
        if let match = candidates.first(where: { Self.normalize($0) == normalized }) {
            return match
        }
        let scored = candidates.map { (candidate: $0, distance: Self.editDistance(normalized, Self.normalize($0))) }
        guard let best = scored.min(by: { $0.distance < $1.distance }), best.distance <= 2,
            best.distance < max(word.count, 2)
        else { return nil }
        return best.candidate
    }

    private static func normalize(_ word: String) -> [Character] {
        word.lowercased().filter { $0 != "_" && $0 != "-" }.map { $0 }
    }

    /// Levenshtein distance between two words.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty else { return b.count }
        var previous = Array(0...b.count)
        for (i, left) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, right) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (left == right ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
