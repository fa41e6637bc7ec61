extension Duration {
    /// The duration in whole milliseconds, truncated.
    package var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = self.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// The duration in milliseconds to the microsecond (`13.604`), for logs.
    package var fractionalMilliseconds: Double {
        Double(self.wholeNanoseconds / 1000) / 1000
    }

    /// The duration in whole nanoseconds, truncated.
    package var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = self.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
