import XCTest
@testable import StackSift

final class StaleConnectionsTests: XCTestCase {
    func testValidationFailures() throws {
        var b = StateBuilder()
        b.pattern("hikari.validation-failed", 6, text: ["maxLifetimeHint": [". Possibly consider using a shorter maxLifetime value.": 6]])
        let f = try XCTUnwrap(StaleConnections.evaluate(b.input))
        XCTAssertEqual(f.id, "stale-connections")
        XCTAssertEqual(f.severity, .warning)
        XCTAssertEqual(f.confidence.level, .medium)
        XCTAssertTrue(f.explanation.contains("shorter maxLifetime 6 times"), f.explanation)
        XCTAssertFalse(f.toConfirm.isEmpty)
    }

    func testTheServerSayingSoIsHighConfidence() throws {
        var b = StateBuilder()
        b.pattern("mysql.wait-timeout-exceeded", 2, fields: ["lastPacketMs": 29_000_000])
        b.pattern("jdbc.connection-closed", 3)
        let f = try XCTUnwrap(StaleConnections.evaluate(b.input))
        XCTAssertEqual(f.confidence.level, .high)
        XCTAssertTrue(f.toConfirm.isEmpty)
    }

    func testTwoAreNotEnough() {
        var b = StateBuilder()
        b.pattern("jdbc.connection-closed", 2)
        XCTAssertNil(StaleConnections.evaluate(b.input))
    }

    /// Seed 002: the maxLifetime hint was the first wrong guess; the pools were the cause.
    func testSilentWhenPoolsPerRequestExplainIt() {
        var b = StateBuilder()
        b.pattern("hikari.validation-failed", 5)
        b.pattern("hikari.pool-start", 120, every: 4, text: ["stage": ["Starting...": 60, "Start completed.": 60]])
        XCTAssertNil(StaleConnections.evaluate(b.input))
    }

    /// Seed 004: the closed connections were closed by abandoned removal.
    func testSilentWhenAbandonedRemovalExplainsIt() {
        var b = StateBuilder()
        b.pattern("jdbc.connection-closed", 20)
        b.leakSite("v1:site", 5, frames: ["com.acme.Dao.slow"])
        b.signature("v1:timeout", 5, rootCause: "java.net.SocketTimeoutException", frames: ["com.acme.Dao.slow"], patterns: ["jdbc.socket-read-timeout"])
        XCTAssertNil(StaleConnections.evaluate(b.input))
    }
}
