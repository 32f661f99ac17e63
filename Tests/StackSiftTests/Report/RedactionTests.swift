import Foundation
import XCTest
@testable import StackSift

final class RedactionTests: XCTestCase {
    /// (input, expected): each secret masked, the key and structure kept.
    static let cases: [(String, String)] = [
        ("url=jdbc:postgresql://h:5432/db?user=app&password=Ord3r#2023, initialSize=2",
         "url=jdbc:postgresql://h:5432/db?user=app&password=***, initialSize=2"),
        ("jdbc:mysql://root:Sup3rS3cret@db:3306/shop", "jdbc:mysql://root:***@db:3306/shop"),
        ("https://deploy:tok3n@git.example.com/repo.git", "https://deploy:***@git.example.com/repo.git"),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig next", "Authorization: Bearer *** next"),
        ("authorization=Basic dXNlcjpwYXNz", "authorization=Basic ***"),
        ("Proxy-Authorization: Digest abc123", "Proxy-Authorization: Digest ***"),
        (#"{"apiKey": "k-123", "client_secret":"a/b==", "name":"ok"}"#, #"{"apiKey": "***", "client_secret":"***", "name":"ok"}"#),
        ("db.password: hunter2", "db.password: ***"),
        ("PWD=abc;user=x", "PWD=***;user=x"),
        ("access_token=xyz&x=1", "access_token=***&x=1"),
        ("x-api-key: 0123456789abcdef", "x-api-key: ***"),
        ("'secret' => 'shh'", "'secret' => '***'"),
        ("key AKIAIOSFODNN7EXAMPLE used", "key *** used"),
        ("aws_secret_access_key=wJalrXUtnFEMI/K7MDENG", "aws_secret_access_key=***"),
    ]

    /// Text that looks close but carries no secret stays as it is.
    static let untouched = [
        "passwordExpired: true is not a value",
        "token expired for session 42",
        "http://host:8080/path@v2",
        "wait millis 5000, active 0, maxActive 30",
        "tokenizer failed",
        "AKIAshort",
        "Connection is not available, request timed out after 30000ms",
    ]

    func testCases() {
        let r = Redactor()
        for (input, expected) in Self.cases {
            XCTAssertEqual(r(input), expected, input)
            XCTAssertEqual(r(r(input)), expected, "idempotent: \(input)")
        }
        for s in Self.untouched { XCTAssertEqual(r(s), s) }
    }

    /// The needle gate sends every case to the rule that masks it, in any letter case, and keeps
    /// the regexes off text that cannot match (most of a stack trace).
    func testRulesRunOnlyWhereTheirNeedlesAre() {
        for (input, _) in Self.cases {
            XCTAssertNotEqual(Redactor.candidateRules(input), 0, input)
            XCTAssertNotEqual(Redactor.candidateRules(input.uppercased()), 0, input)
        }
        XCTAssertEqual(Redactor.candidateRules("\tat com.acme.OrderService.place(OrderService.java:42)"), 0)
        XCTAssertEqual(Redactor.candidateRules("x"), 0)
        let userinfo = 1 << Redactor.rules.firstIndex { $0.name == "userinfo" }!
        XCTAssertEqual(Int(Redactor.candidateRules("jdbc:mysql://db:3306/shop")), userinfo)
        XCTAssertEqual(Redactor().redact("JDBC:MYSQL://ROOT:SECRET@DB/X"), "JDBC:MYSQL://ROOT:***@DB/X")
    }

    func testOffLeavesEverything() {
        let r = Redactor(enabled: false)
        for (input, _) in Self.cases { XCTAssertEqual(r(input), input) }
    }

    func testNonASCIIAroundSecrets() {
        XCTAssertEqual(Redactor()("数据源 password=密码123 已就绪"), "数据源 password=*** 已就绪")
    }

    /// The fixture through the whole pipeline: no secret in any report, unless --no-redact.
    func testNoSecretReachesAReport() throws {
        let fixture = repoRoot.appendingPathComponent("Tests/Fixtures/redaction/secrets.log").path
        let secrets = ["Ord3r#2023", "Sup3rS3cret", "eyJhbGciOiJIUzI1NiJ9", "k-123456789", "abc/def==", "AKIAIOSFODNN7EXAMPLE",
                       "wJalrXUtnFEMI", "Sh0pPass!"]
        let result = try analyze([fixture])
        var options = ReportOptions()
        options.timeZone = TimeZone(identifier: "UTC")!
        let catalog = try PatternCatalog.standard()
        for redact in [true, false] {
            options.redact = redact
            let report = Report(result: result, catalog: catalog, options: options)
            for (name, text) in [("markdown", MarkdownReport(report).render()), ("json", JSONReport(report).render()), ("text", TextReport(report).render())] where redact {
                for s in secrets where text.contains(s) { XCTFail("\(name) shows \(s)") }
            }
            let md = MarkdownReport(report).render()
            XCTAssertEqual(md.contains("Sh0pPass!"), !redact, "--no-redact shows the exemplar as logged")
        }
    }
}
