import Foundation
import XCTest
@testable import StackSift

/// Several programs' lines interleaved in one stream, each under a prefix that names its source
/// (`kubectl logs -l app=x --prefix`, `docker compose logs`, syslog from several hosts): each
/// source's lines make its own events, so one pod's header never ends another pod's trace.
final class InterleavedSourcesTests: XCTestCase {
    /// Pod A: a Spring Boot error with its trace, the next record, and an NPE.
    let podA = springBootErrorThenOK + [
        "2023-10-10 16:00:03.500 ERROR 1234 --- [nio-8080-exec-3] c.a.web.OrderController : failed again",
        "java.lang.NullPointerException: null",
        "\tat com.acme.web.OrderController.show(OrderController.java:77)",
    ]

    /// Pod B: Logback lines and a Druid timeout with its trace, at the same seconds as pod A.
    let podB = [
        "2023-10-10 16:00:01.200 [http-nio-8080-exec-9] WARN  c.a.o.PayService - slow call 1200ms",
        "2023-10-10 16:00:01.300 [http-nio-8080-exec-7] ERROR c.a.o.PayService - pay failed",
        "com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 5000, active 30, maxActive 30, creating 0",
        "\tat com.alibaba.druid.pool.DruidDataSource.getConnectionInternal(DruidDataSource.java:1512)",
        "\tat com.acme.order.PayService.pay(PayService.java:88)",
        "\tat com.acme.order.PayController.pay(PayController.java:31)",
        "2023-10-10 16:00:02.400 [main] INFO  c.a.o.Health - up",
    ]

    /// The two pods' lines in runs of 1 to 3, the prefix of each source before each line.
    func interleave(_ prefixA: String, _ prefixB: String, seed: UInt64 = 7) -> [String] {
        var rng = SplitMix64(seed: seed)
        var a = podA[...], b = podB[...]
        var out: [String] = []
        while !a.isEmpty || !b.isEmpty {
            for _ in 0...rng.below(3) where !a.isEmpty { out.append(prefixA + a.removeFirst()) }
            for _ in 0...rng.below(3) where !b.isEmpty { out.append(prefixB + b.removeFirst()) }
        }
        return out
    }

    /// Events of a stream, in the order they were completed, with every chunking agreeing.
    func events(_ lines: [String], file: StaticString = #filePath, line: UInt = #line) -> ChainResult {
        let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        return ChunkingVerifier.verify(bytes, randomSplits: 30, file: file, line: line) { runChain($0) }
    }

    /// Events as a set: the order across sources depends on when each source's next header came.
    func sorted(_ r: ChainResult) -> [String] {
        r.events.map { "\($0.time.map(String.init) ?? "-") \($0.lineCount) \($0.text)" }.sorted()
    }

    func testEachPodsTraceStaysWholeUnderEveryInterleavingPrefix() {
        let alone = (sorted(events(podA)) + sorted(events(podB))).sorted()
        XCTAssertEqual(alone.count, 6)
        let cases: [(String, String, String, ContainerUnwrapper.Mode)] = [
            ("kubectl --prefix", "[pod/order-7d9f8c6b5-q8mzn/app] ", "[pod/order-7d9f8c6b5-x2kqp/app] ", .kubectl),
            ("kubectl --prefix --timestamps", "[pod/order-7d9f8c6b5-q8mzn/app] 2023-10-10T08:00:01.123456789Z ",
             "[pod/order-7d9f8c6b5-x2kqp/app] 2023-10-10T08:00:01.223456789Z ", .kubectl),
            ("two containers of one pod", "[pod/order-7d9f8c6b5-q8mzn/app] ", "[pod/order-7d9f8c6b5-q8mzn/sidecar] ", .kubectl),
            ("docker compose v2", "order-1  | ", "pay-1    | ", .compose),
            ("docker-compose v1", "shop_order_1  | ", "shop_pay_1     | ", .compose),
            ("syslog, two hosts", "Oct 10 16:00:01 web-1 java[1234]: ", "Oct 10 16:00:01 web-2 java[1234]: ", .prefixed),
            ("Heroku, two dynos", "2023-10-10T08:00:01.123456+00:00 app[web.1]: ", "2023-10-10T08:00:01.123456+00:00 app[web.2]: ", .prefixed),
        ]
        for (label, a, b, mode) in cases {
            for seed: UInt64 in [7, 8, 9] {
                let mixed = interleave(a, b, seed: seed)
                XCTAssertNotEqual(mixed.prefix(podA.count).map { $0.hasPrefix(a) }, Array(repeating: true, count: podA.count),
                                  "\(label): the sources must really interleave")
                let r = events(mixed)
                XCTAssertEqual(r.mode, mode, label)
                XCTAssertEqual(sorted(r), alone, "\(label), seed \(seed)")
            }
        }
    }

    func testTheSameSourceNameIsTheSameSource() {
        // pod A's lines under one name, then a record from another pod, then A's trace goes on
        let a = "[pod/order-a/app] ", b = "[pod/order-b/app] "
        let lines = [a + podA[0], a + podA[1], b + podB[0], a + podA[2], a + podA[3], b + podB[6], a + podA[7]]
        let r = events(lines)
        let trace = r.events.first { $0.text.hasPrefix("2023-10-10 16:00:01.123 ERROR") }
        XCTAssertEqual(trace?.lineCount, 4)
        XCTAssertEqual(r.events.count, 4)
    }

    /// rsyslog forwards a multi-line message with one header: the trace's lines that follow
    /// name no source and stay with the line before.
    func testLinesWithoutTheSourcePrefixStayWithTheLineBefore() {
        let a = "Oct 10 16:00:01 web-1 java[1234]: ", b = "Oct 10 16:00:01 web-2 java[1234]: "
        let lines = [a + podA[0]] + podA[1...6] + [b + podB[0], b + podB[1]] + podB[2...5] + [a + podA[7], b + podB[6]]
        let r = events(lines)
        XCTAssertEqual(r.mode, .prefixed)
        XCTAssertEqual(sorted(r), (sorted(events(Array(podA[0...7]))) + sorted(events(podB))).sorted())
    }

    func testSourcesAreNumberedInOrderOfAppearance() {
        let table = SourceTable()
        func id(_ k: String) -> Int { Array(k.utf8).withUnsafeBufferPointer { table.id($0.baseAddress!, $0.count) } }
        // more sources than the few found without a key, met again out of order
        let names = (0..<40).map { "[pod/orders-\($0)/app]" }
        XCTAssertEqual(names.map(id), Array(1...40))
        XCTAssertEqual(names.reversed().map(id), Array((1...40).reversed()))
        XCTAssertEqual(id("[pod/orders-3/app]"), 4)
        XCTAssertEqual(table.name(4), "pod/orders-3/app")
        XCTAssertEqual(id("web-1 java[1234]:"), 41)
        XCTAssertEqual(table.name(41), "web-1 java[1234]")
        XCTAssertNil(table.name(0))
        XCTAssertNil(table.name(42))
    }

    func testKubectlPrefixShape() {
        func payload(_ s: String) -> Int? {
            let b = Array(s.utf8)
            return b.withUnsafeBufferPointer { LinePrefix.kubectl($0.baseAddress!, $0.count) }
        }
        XCTAssertEqual(payload("[pod/order-7d9f8c6b5-q8mzn/app] x"), 32)
        XCTAssertEqual(payload("[pod/web.v2-0/side-car] "), 24)
        XCTAssertEqual(payload("[pod/a/b]"), 9)
        for bad in ["[pod/a] x", "[pod//b] x", "[pod/a/] x", "[pod/a/b/c] x", "[pod/A/b] x", "[pod/a b/c] x",
                    "[pod/a/b]x", "[deploy/a/b] x", "pod/a/b] x"] {
            XCTAssertNil(payload(bad), bad)
        }
    }

    func testOrdinaryLogsAreNotTakenForInterleavedSources() {
        let ordinary = [
            "2023-10-10 16:00:01.123 INFO [main] c.a.Report - name | count | total",
            "main  | not a header after the bar",
            "[pod/a] starting",
            "| a | b |",
        ]
        for l in ordinary {
            let b = Array(l.utf8)
            b.withUnsafeBufferPointer { XCTAssertNil(ContainerUnwrapper.sourcePrefix($0), l) }
        }
        XCTAssertEqual(runChain(ordinary.joined(separator: "\n") + "\n").mode, ContainerUnwrapper.Mode.none)
    }

    /// The whole pipeline: one interleaved stream and the pods' own files give the same
    /// signatures, with the same counts and times, and the same pattern tallies.
    func testAnInterleavedStreamIsAnalysedAsThePodsFilesAre() throws {
        let dir = try TempDir()
        let a = try dir.write("a.log", Array((podA.joined(separator: "\n") + "\n").utf8))
        let b = try dir.write("b.log", Array((podB.joined(separator: "\n") + "\n").utf8))
        let mixed = interleave("[pod/order-a/app] ", "[pod/order-b/app] ")
        let m = try dir.write("pods.log", Array((mixed.joined(separator: "\n") + "\n").utf8))
        let analysis = Analysis(options: utcOptions(), catalog: builtinCatalogForTests)
        let separate = analysis.run([InputSource(path: a), InputSource(path: b)])
        let together = Analysis(options: utcOptions(), catalog: builtinCatalogForTests).run([InputSource(path: m)])
        func key(_ r: AnalysisResult) -> [String] {
            r.state.signatures.values.map { "\($0.key.id) \($0.count) \($0.firstSeen ?? -1) \($0.lastSeen ?? -1)" }.sorted()
        }
        XCTAssertEqual(key(together), key(separate))
        XCTAssertEqual(key(together).count, 3, "the Hikari chain, the NPE and the Druid timeout")
        XCTAssertEqual(together.events, separate.events)
        XCTAssertEqual(together.files.first?.container, "kubectl")
        // each pod is a source of the stream, as each file is of the separate run
        func sources(_ r: AnalysisResult, _ name: (String) -> String) -> [String] {
            r.state.signatures.values.map { s in "\(s.key.id) " + s.sources.map { "\(name($0.key))×\($0.value)" }.sorted().joined(separator: ",") }.sorted()
        }
        XCTAssertEqual(sources(together) { $0 == m + " [pod/order-a/app]" ? "A" : $0 == m + " [pod/order-b/app]" ? "B" : $0 },
                       sources(separate) { $0 == a ? "A" : $0 == b ? "B" : $0 })
    }
}
