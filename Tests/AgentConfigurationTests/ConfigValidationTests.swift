import Testing

@testable import AgentConfiguration

@Suite("config validation: every problem kind, positioned")
struct ConfigValidationTests {
    @Test func emptyFile() {
        #expect(diagnostics("") == ["1:1: the config file is empty (write {} to run on the defaults)"])
        #expect(diagnostics("# only a comment\n\n") == diagnostics(""))
        #expect(diagnostics("---\n") == diagnostics(""))
    }

    @Test func syntaxErrorUsesLibyamlPosition() {
        #expect(
            diagnostics("health:\n  port: 1\n port: 2\n")
                == ["3:2: invalid YAML: did not find expected key (while parsing a block mapping at 1:1)"])
    }

    @Test func unknownKeySuggestsTheClosestName() {
        #expect(diagnostics("helth: {}\n") == ["1:1: unknown key \"helth\" (did you mean \"health\"?)"])
        #expect(
            diagnostics("lifecycle:\n  DrainDelay: 1s\n")
                == ["2:3: unknown key \"DrainDelay\" in \"lifecycle\" (did you mean \"drainDelay\"?)"])
        #expect(diagnostics("server:\n  tls: true\n") == ["2:3: unknown key \"tls\" in \"server\""])
    }

    @Test func wrongTypes() {
        #expect(diagnostics("health:\n  port: eighty\n") == ["2:9: expected a port number, found a string"])
        #expect(diagnostics("server: 8080\n") == ["1:9: expected a mapping, found an integer"])
        #expect(diagnostics("plugins: x.so\n") == ["1:10: expected a list, found a string"])
        #expect(diagnostics("kubernetes:\n  events: 1\n") == ["2:11: expected true or false, found an integer"])
        #expect(
            diagnostics("service:\n  name: true\n")
                == ["2:9: expected a non-empty string, found a boolean (quote it to use it as text: \"true\")"])
    }

    @Test func outOfRangePorts() {
        #expect(diagnostics("health:\n  port: 65536\n") == ["2:9: port 65536 is out of range (0-65535)"])
        #expect(diagnostics("server:\n    port: -80\n") == ["2:11: port -80 is out of range (0-65535)"])
    }

    @Test func badDurations() {
        #expect(
            diagnostics("lifecycle:\n  drainDelay: 5x\n")
                == ["2:15: invalid duration \"5x\": unknown unit \"x\" (use ms, s, m or h)"])
        #expect(
            diagnostics("lifecycle:\n  shutdownTimeout: -1s\n")
                == ["2:20: invalid duration \"-1s\": durations cannot be negative"])
        #expect(
            diagnostics("lifecycle:\n  drainDelay: 10\n")
                == ["2:15: expected a duration such as \"5s\", found an integer"])
    }

    @Test func duplicateKeyPointsAtTheSecondAndNamesTheFirst() {
        #expect(
            diagnostics("server:\n  port: 1\n  port: 2\n")
                == ["3:3: duplicate key \"port\" (first defined at 2:3)"])
    }

    @Test func choices() {
        #expect(
            diagnostics("logging:\n  format: txt\n")
                == ["2:11: invalid value \"txt\" (expected one of: json, text) (did you mean \"text\"?)"])
        #expect(
            diagnostics("kubernetes:\n  enabled: on\n")
                == ["2:12: invalid value \"on\" (expected one of: auto, true, false)"])
    }

    @Test func textForms() {
        #expect(
            diagnostics("kubernetes:\n  apiServer: http://x\n")
                == ["2:14: expected an https:// URL, found \"http://x\""])
        #expect(
            diagnostics("kubernetes:\n  serviceAccountDir: sa\n")
                == ["2:22: expected an absolute path, found \"sa\""])
        #expect(
            diagnostics("health:\n  address: \"a b\"\n")
                == ["2:12: expected an IP address or host name, found \"a b\""])
    }

    @Test func dottedQuadsWithAnOctetAbove255AreNeitherAddressesNorNames() throws {
        #expect(
            diagnostics("health:\n  address: 999.1.1.1\nserver:\n  address: \"1.2.3.256\"\n")
                == [
                    "2:12: invalid IPv4 address \"999.1.1.1\": 999 is above 255",
                    "4:12: invalid IPv4 address \"1.2.3.256\": 256 is above 255",
                ])
        #expect(
            diagnostics("kubernetes:\n  apiServer: https://user@10.96.0.1000:6443/\n")
                == ["2:14: invalid IPv4 address \"10.96.0.1000\": 1000 is above 255"])
        // Valid addresses, names with a numeric label, and other numbers of parts stay accepted.
        for address in [
            "255.255.255.255", "0.0.0.0", "10.0.0.1", "1.2.3", "1.2.3.4.5", "256.example", "::ffff:1.2.3.4",
        ] {
            #expect(diagnostics("health:\n  address: \"\(address)\"\n") == [], "\(address)")
        }
        #expect(DottedQuad.octetAbove255(in: "1.2.3.99999999999999999999999") == "99999999999999999999999")
        #expect(DottedQuad.octetAbove255(in: "0256.0.0.1") == "0256")
        #expect(DottedQuad.octetAbove255(in: "0255.0.0.1") == nil)
        #expect(
            try config("kubernetes:\n  apiServer: https://10.96.0.1:443\n").kubernetes.apiServer
                == "https://10.96.0.1:443")
    }

    @Test func kafkaBrokersWithAnOctetAbove255AreRefused() {
        #expect(
            diagnostics("kafka:\n  brokers: [\"1.2.3.4:9092\", 300.1.1.1:9092]\n  topic: t\n", kafka: true)
                == ["2:29: invalid IPv4 address \"300.1.1.1\": 300 is above 255"])
    }

    /// The schema's regexes say what the decoder says (`scripts/check-schema-agreement` runs
    /// them through a JSON Schema validator on the corpus; this is the same rule, here).
    @Test func theSchemaPatternMatchesExactlyTheBadDottedQuads() throws {
        let pattern = try Regex("^" + DottedQuad.schemaPattern + "$")
        for host in [
            "999.1.1.1", "1.2.3.256", "1.260.3.4", "1.2.300.4", "0256.0.0.1", "1.2.3.1000",
            "1.2.3.99999999999999999999",
        ] {
            #expect(host.wholeMatch(of: pattern) != nil, "\(host)")
            #expect(DottedQuad.octetAbove255(in: Substring(host)) != nil, "\(host)")
        }
        for host in ["255.255.255.255", "0.0.0.0", "0255.1.1.1", "1.2.3", "1.2.3.4.5", "a.1.1.1", "1.2.3.25"] {
            #expect(host.wholeMatch(of: pattern) == nil, "\(host)")
            #expect(DottedQuad.octetAbove255(in: Substring(host)) == nil, "\(host)")
        }
    }

    @Test func pluginsAreAnErrorInABuildThatCannotLoadThem() throws {
        let yaml = Array("service:\n  name: web\nplugins:\n  - /opt/plugins/libecho.so\n".utf8)
        do {
            _ = try ConfigLoader.decode(yaml, file: "static.yaml", features: .init(canLoadPlugins: false, kafka: false))
            Issue.record("expected an error")
        } catch {
            #expect(
                error.description
                    == "static.yaml:4:3: error: plugins cannot be loaded by the static build (a statically linked executable "
                    + "cannot load shared libraries; use the closure image variant)")
        }
        #expect(
            try ConfigLoader.decode(yaml, file: "dynamic.yaml", features: .init(canLoadPlugins: true, kafka: false))
                .config.plugins == ["/opt/plugins/libecho.so"])
        // No plugins is fine in every build.
        #expect(
            try ConfigLoader.decode(
                Array("plugins: []\n".utf8), file: "s.yaml", features: .init(canLoadPlugins: false, kafka: false)
            ).config.plugins == [])
        #expect(try config("plugins: [/opt/plugins/libecho.so]\n").plugins == ["/opt/plugins/libecho.so"])
    }

    @Test func portConflictNeedsOverlappingAddresses() throws {
        #expect(
            diagnostics("server:\n  port: 7979\n")
                == ["2:9: port 7979 is already used by health.port"])
        let separate = try config(
            "health: {address: 127.0.0.1, port: 9000}\nserver: {address: 127.0.0.2, port: 9000}\n")
        #expect(separate.server.listener.port == 9000)
        #expect(try config("health: {port: 0}\nserver: {port: 0}\n").health.listener.port == 0)
    }

    @Test func kafkaSectionIsOffUntilTheFileHasIt() throws {
        #expect(try config("{}\n", kafka: true).kafka == nil)
        #expect(try config("kafka: null\n", kafka: true).kafka == nil)
        let kafka = try #require(try config("kafka: {brokers: [\"[::1]:9092\"], topic: t}\n", kafka: true).kafka)
        #expect(kafka == KafkaConfig(brokers: ["[::1]:9092"], topic: "t"))
        #expect(kafka.publish == KafkaConfig.Publish(events: true, accessLog: false, plugins: false))
        #expect(
            diagnostics("kafka: {}\n", kafka: true)
                == ["1:8: missing key \"brokers\" in \"kafka\"", "1:8: missing key \"topic\" in \"kafka\""])
    }

    @Test func kafkaNeedsTheKafkaBuild() {
        #expect(diagnostics("kafka: {}\n") == ["1:1: \"kafka\" needs a build with Kafka support; this build has none"])
    }

    @Test func everyProblemIsReportedInFileOrder() {
        let found = diagnostics(
            """
            logging:
              level: loud
            health:
              port: 99999
            bogus: 1
            """)
        #expect(found.map { $0.prefix(3) } == ["2:1", "4:9", "5:1"].map { $0.prefix(3) })
        #expect(found.count == 3)
    }

    @Test func diagnosticsPrintLikeACompiler() {
        do {
            _ = try ConfigLoader.decode(
                Array("health: 1\n".utf8), file: "conf/uservice.yaml",
                features: .init(canLoadPlugins: true, kafka: false))
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "conf/uservice.yaml:1:9: error: expected a mapping, found an integer")
        }
    }
}
