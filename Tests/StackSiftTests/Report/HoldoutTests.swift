import Foundation
import XCTest
@testable import StackSift

/// The "done when": hold-out logs for the five seeds, written independently of the
/// samples (Tests/Fixtures/holdout/, see its README), give the right findings and no others.
final class HoldoutTests: XCTestCase {
    static let holdout = repoRoot.appendingPathComponent("Tests/Fixtures/holdout")

    func report(_ name: String, zone: TimeZone = utc) throws -> Report {
        try scenarioReport(Self.holdout.appendingPathComponent(name), base: Self.holdout, zone: zone)
    }

    func testAllFiveAreHere() {
        XCTAssertEqual(scenarios(in: Self.holdout).map(\.lastPathComponent),
                       ["000-pool-per-task", "001-druid-leak-below-pool", "002-datasource-per-tenant",
                        "003-unreturned-connections", "004-abandoned-removal"])
    }

    func test000PoolPerTask() throws {
        let r = try report("000-pool-per-task")
        XCTAssertEqual(ids(r.findings), ["pool-per-request", "db-connection-limit"])
        let f = r.findings[0]
        assertValue(f, "pools started", "99")          // 58 on runner a + 41 on runner b
        assertValue(f, "pools shut down", "0")
        assertValue(f, "pools with threads", "55")     // the jstack of runner a
        XCTAssertEqual(f.evidence.first { $0.pattern == "hikari.pool-start" }?.sources?.count, 4, "both runners, rotated and current files")
        XCTAssertEqual(r.findings[1].evidence.first?.count, 6)
    }

    func test001DruidLeakBelowPool() throws {
        let r = try report("001-druid-leak-below-pool")
        XCTAssertEqual(ids(r.findings), ["leak-below-pool", "db-connection-limit"])
        let f = r.findings[0]
        assertValue(f, "maxActive", "50")
        assertValue(f, "active", "0…2")
        XCTAssertTrue(f.explanation.contains("Druid 1.2.5 (from the jar names in the traces) predates 1.2.20"), f.explanation)
        XCTAssertTrue(f.explanation.contains("books balance"), f.explanation)
        XCTAssertEqual(r.findings[1].evidence.first?.pattern, "mysql.too-many-connections")
        XCTAssertEqual(r.findings[1].evidence.first?.sources?.count, 2, "both hosts")
    }

    /// The syslog-forwarded pod logs local (UTC+8) times without a zone: read with its zone.
    func test002DatasourcePerTenant() throws {
        let r = try report("002-datasource-per-tenant", zone: TimeZone(identifier: "Asia/Shanghai")!)
        XCTAssertEqual(ids(r.findings), ["pool-per-request"], "no stale-connections (maxLifetime hint) and no pool-exhausted")
        let f = r.findings[0]
        assertValue(f, "pools started", "83")          // 47 + 36
        assertValue(f, "pools shut down", "2")
        XCTAssertEqual(f.severity, .error)
        XCTAssertTrue(f.explanation.contains("changing maxLifetime will not stop"), f.explanation)
        let w = try XCTUnwrap(r.timeline.window)
        XCTAssertEqual(TimeFormat(utc).iso(w.start).prefix(13), "2024-03-05T13", "both pods' timeouts fall in 13:40-15:00 UTC")
        XCTAssertEqual(TimeFormat(utc).iso(w.end).prefix(13), "2024-03-05T14")
    }

    func test003UnreturnedConnections() throws {
        let r = try report("003-unreturned-connections")
        XCTAssertEqual(ids(r.findings), ["app-leak"])
        let f = r.findings[0]
        XCTAssertEqual(f.confidence.level, .high)
        let sites = f.evidence.filter { $0.label.hasPrefix("leak site ") }
        XCTAssertEqual(sites.map(\.label), ["leak site com.shoply.crm.repo.CustomerRepo.search",
                                            "leak site com.shoply.crm.export.ExportService.dumpCsv",
                                            "leak site com.shoply.crm.repo.NoteRepo.recent"])
        XCTAssertEqual(sites.map(\.count), [15, 6, 2])
        XCTAssertEqual(r.result.state.patterns["dbcp.pool-exhausted"]?.count, 11)
    }

    func test004AbandonedRemoval() throws {
        let r = try report("004-abandoned-removal")
        XCTAssertEqual(ids(r.findings), ["abandoned-removal-active"], "a lone Hikari timeout is no pool-exhausted")
        let f = r.findings[0]
        XCTAssertEqual(f.severity, .error, "the database never refused here")
        XCTAssertEqual(f.confidence.level, .high)
        XCTAssertEqual(f.evidence.filter { $0.label.hasPrefix("reclaimed") }.map(\.label),
                       ["reclaimed while running SQL: com.wmsx.inbound.dao.ReceiptDao.aggregateByDock",
                        "reclaimed while running SQL: com.wmsx.inbound.dao.PutawayDao.listPending"])
        XCTAssertEqual(f.evidence.filter { $0.label.hasPrefix("reclaimed") }.map(\.count), [12, 5])
        XCTAssertEqual(r.result.state.patterns["sql.slow-query"]?.count, 17)
    }
}
