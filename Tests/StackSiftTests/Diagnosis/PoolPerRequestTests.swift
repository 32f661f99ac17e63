import XCTest
@testable import StackSift

final class PoolPerRequestTests: XCTestCase {
    /// `pools` HikariCP pools started one every `every` minutes, `closed` of them shut down.
    func pools(_ pools: Int, every: Int64 = 5, closed: Int = 0, sources: [String] = ["worker/app.log"]) -> StateBuilder {
        var b = StateBuilder()
        b.pattern("hikari.pool-start", 2 * pools, every: every / 2 == 0 ? 1 : every / 2, sources: sources,
                  ranges: ["poolNumber": 1...Int64(pools)], text: ["stage": ["Starting...": pools, "Start completed.": pools]])
        if closed > 0 {
            b.pattern("hikari.pool-shutdown", 2 * closed, start: 3, text: ["stage": ["Shutdown initiated...": closed, "Shutdown completed.": closed]])
        }
        return b
    }

    func testPoolsClimbingWithoutShutdowns() throws {
        let f = try XCTUnwrap(PoolPerRequest.evaluate(pools(140, every: 4).input))
        XCTAssertEqual(f.id, "pool-per-request")
        XCTAssertEqual(f.confidence.level, .high)
        XCTAssertEqual(f.severity, .warning, "nothing failed yet")
        assertValue(f, "pools started", "140")
        assertValue(f, "pools shut down", "0")
        assertValue(f, "highest pool number", "140")
        assertValue(f, "pools started per hour", "15")   // 140 pools in 9 h 18 min
        XCTAssertTrue(f.toConfirm.contains { $0.contains("jstack") }, "no thread dump: ask for one")
    }

    func testRefusalsMakeItCritical() throws {
        var b = pools(60)
        b.pattern("mysql.too-many-connections", 4, start: 300)
        b.pattern("hikari.pool-init-failed", 4, start: 300)
        let f = try XCTUnwrap(PoolPerRequest.evaluate(b.input))
        XCTAssertEqual(f.severity, .critical)
        XCTAssertTrue(f.evidence.contains { $0.pattern == "hikari.pool-init-failed" })
    }

    func testAThreadDumpAloneIsMediumConfidence() throws {
        var b = StateBuilder()
        let names = Dictionary(uniqueKeysWithValues: (1...36).map { ("HikariPool-\($0)", 2) })
        b.pattern("threads.hikari-pool-thread", 72, text: ["pool": names])
        let f = try XCTUnwrap(PoolPerRequest.evaluate(b.input))
        XCTAssertEqual(f.confidence.level, .medium)
        assertValue(f, "pools with threads", "36")
    }

    func testMaxLifetimeWarningsAreCalledARedHerring() throws {
        var b = pools(50)
        b.pattern("hikari.validation-failed", 5, text: ["maxLifetimeHint": [". Possibly consider using a shorter maxLifetime value.": 5]])
        let f = try XCTUnwrap(PoolPerRequest.evaluate(b.input))
        XCTAssertTrue(f.explanation.contains("changing maxLifetime will not stop"), f.explanation)
    }

    func testManyPoolsAtStartupAreConfiguration() {
        var b = StateBuilder()
        b.pattern("hikari.pool-start", 24, every: 0, text: ["stage": ["Starting...": 12, "Start completed.": 12]])
        XCTAssertNil(PoolPerRequest.evaluate(b.input), "twelve tenants configured at startup")
    }

    func testPoolsThatAreClosedAreNotLeaked() {
        XCTAssertNil(PoolPerRequest.evaluate(pools(30, closed: 28).input))
    }

    func testAFewPoolsAreNormal() {
        XCTAssertNil(PoolPerRequest.evaluate(pools(3).input))
    }
}
