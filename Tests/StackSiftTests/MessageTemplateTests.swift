import XCTest
@testable import StackSift

final class MessageTemplateTests: XCTestCase {
    private func t(_ s: String) -> String { MessageTemplate.template(s) }

    private func check(_ cases: [(String, String)], file: StaticString = #filePath, line: UInt = #line) {
        for (input, expected) in cases {
            XCTAssertEqual(t(input), expected, "input: \(input)", file: file, line: line)
        }
    }

    func testDruidTimeoutsWithDifferentNumbersShareOneTemplate() {
        XCTAssertEqual(t("wait millis 5000, active 0"), "wait millis <NUM>, active <NUM>")
        XCTAssertEqual(t("wait millis 5000, active 0"), t("wait millis 60010, active 12"))
        XCTAssertEqual(
            t("wait millis 5000, active 0, maxActive 30, creating 0, createErrorCount 13047"),
            "wait millis <NUM>, active <NUM>, maxActive <NUM>, creating <NUM>, createErrorCount <NUM>")
    }

    func testNumbers() {
        check([
            ("took 12 and -1", "took <NUM> and -<NUM>"),
            ("received 1,001 rows", "received <NUM> rows"),
            ("ratio 3.14 ok", "ratio <NUM> ok"),
            ("driver 5.1.49 loaded", "driver <NUM> loaded"),
            ("50% done", "<NUM>% done"),
            ("(total=10, active=10, idle=0, waiting=3)", "(total=<NUM>, active=<NUM>, idle=<NUM>, waiting=<NUM>)"),
            ("none available[size:10; busy:10; idle:0; lastwait:5000].",
             "none available[size:<NUM>; busy:<NUM>; idle:<NUM>; lastwait:<NUM>]."),
            ("等待5000毫秒", "等待<NUM>毫秒"),
        ])
    }

    func testDigitsInsideIdentifiers() {
        // Glued to letters or `_`: part of the name, kept.
        check([
            ("charset utf8mb4 via log4j on x86_64 with Base64", "charset utf8mb4 via log4j on x86_64 with Base64"),
            ("SQLState HY000 and 08S01", "SQLState HY000 and 08S01"),
            ("the 2nd try", "the 2nd try"),
            ("hash SHA256 on Win32, encoding GBK", "hash SHA256 on Win32, encoding GBK"),
        ])
        // …but four or more digits in a row make it a value: order numbers, user and request
        // ids, versioned names.
        check([
            ("order ORD20231010001 not found", "order <ID> not found"),
            ("user12345 has no wallet; 2023Q4 report", "<ID> has no wallet; <ID> report"),
            ("订单ORD20231010001不存在", "订单<ID>不存在"),
            ("Migration V20231010__add_index failed", "Migration <ID> failed"),
            ("errorCode E10001: stock locked", "errorCode E10001: stock locked"),
        ])
        XCTAssertEqual(t("order ORD20231010001 not found"), t("order ORD20231010777 not found"))
        XCTAssertNotEqual(t("errorCode E10001"), t("errorCode E10002"))
        // After `-`: a counter, masked — except capitals-dash-digits error codes.
        check([
            ("HikariPool-3 - Starting...", "HikariPool-<NUM> - Starting..."),
            ("thread pool-1-thread-3 and Druid-ConnectionPool-Create-1234",
             "thread pool-<NUM>-thread-<NUM> and Druid-ConnectionPool-Create-<NUM>"),
            ("ORA-00020: maximum number of processes (150) exceeded",
             "ORA-00020: maximum number of processes (<NUM>) exceeded"),
            ("ORA-12519, TNS:no appropriate service handler found", "ORA-12519, TNS:no appropriate service handler found"),
        ])
    }

    func testErrorCodesAfterKeywordsAreKept() {
        check([
            ("create connection SQLException, url: jdbc:mysql://10.0.0.1:3306/db?useSSL=false, errorCode 1040, state 08004",
             "create connection SQLException, url: <URL>, errorCode 1040, state 08004"),
            ("Error Code: 1045", "Error Code: 1045"),
            ("SQLState: 53300 errorCode=0", "SQLState: 53300 errorCode=0"),
            ("HTTP status 503", "HTTP status 503"),
        ])
        XCTAssertNotEqual(t("errorCode 1040, state 08004"), t("errorCode 1045, state 28000"))
        // …but a number after any other word is a value.
        XCTAssertEqual(t("retry 3"), "retry <NUM>")
    }

    func testISODurations() {
        check([
            ("Timeout PT30S exceeded", "Timeout <DUR> exceeded"),
            ("retry in PT0.5S, window PT1H30M, keep P1D or P1DT2H.", "retry in <DUR>, window <DUR>, keep <DUR> or <DUR>."),
            // not durations: a word that only starts like one
            ("PTR record, PT, P, PTS, PTO30, PT30X", "PTR record, PT, P, PTS, PTO30, PT30X"),
        ])
    }

    func testDurations() {
        check([
            ("request timed out after 30000ms.", "request timed out after <DUR>."),
            ("timeout 5s", "timeout <DUR>"),
            ("delta=1m2s345ms", "delta=<DUR>"),
            ("took 1.5 s", "took <DUR>"),
            ("waited 5000 ms, giving up", "waited <DUR>, giving up"),
            ("The last packet successfully received from the server was 1,001 milliseconds ago.",
             "The last packet successfully received from the server was <DUR> ago."),
            ("Unable to fetch a connection in 10 seconds, none available", "Unable to fetch a connection in <DUR>, none available"),
            ("wait millis 5000, active", "wait millis <NUM>, active"),
            // HikariCP prints microseconds with the micro sign; some fonts/encoders give Greek mu
            ("(housekeeper delta=47s466ms577\u{00B5}s431ns).", "(housekeeper delta=<DUR>)."),
            ("(housekeeper delta=35m51s954ms609\u{03BC}s).", "(housekeeper delta=<DUR>)."),
            ("took 577\u{00B5}s", "took <DUR>"),
            ("577\u{00B5}sec", "<NUM>\u{00B5}sec"),
            ("5\u{00B5}m", "<NUM>\u{00B5}m"),
        ])
    }

    func testHexAndAddresses() {
        check([
            ("flags 0x1f set", "flags <HEX> set"),
            ("conn com.mysql.cj.jdbc.ConnectionImpl@1a2b3c wrapped by HikariProxyConnection@58d2f9ab",
             "conn com.mysql.cj.jdbc.ConnectionImpl@<HEX> wrapped by HikariProxyConnection@<HEX>"),
            ("trace 1a2b3c4d5e6f7a8b", "trace <HEX>"),
            ("class Foo$$EnhancerBySpringCGLIB$$1a2b3c4d", "class Foo$$EnhancerBySpringCGLIB$$<HEX>"),
            ("at 0000000800c4b440", "at <HEX>"),
            ("word deadbeef stays", "word deadbeef stays"),
            ("annotation @Transactional stays", "annotation @Transactional stays"),
        ])
    }

    func testUUIDsIPsHostsURLsEmailsPaths() {
        check([
            ("order 123e4567-e89b-12d3-a456-426614174000 failed", "order <UUID> failed"),
            ("from 10.0.0.12 to 192.168.1.1:3306", "from <IP> to <HOSTPORT>"),
            ("socket /10.0.0.1:3306 closed", "socket /<HOSTPORT> closed"),
            ("connect db-master.acme.internal:5432 and localhost:3306", "connect <HOSTPORT> and <HOSTPORT>"),
            ("peer fe80::1 and [2001:db8::8a2e:370:7334]:5432", "peer <IP> and [<IP>]:<NUM>"),
            ("at OrderService.java:42 stays a location", "at OrderService.java:<NUM> stays a location"),
            ("see http://example.com/a?b=1 now", "see <URL> now"),
            ("url jdbc:oracle:thin:@db1:1521:ORCL", "url <URL>"),
            ("mail ops@acme.com please", "mail <EMAIL> please"),
            ("file /var/log/app-1.log missing", "file <PATH> missing"),
            ("file=/var/log/app.log", "file=<PATH>"),
            ("dir C:\\logs\\app and ./conf/x.yml and ~/x/y", "dir <PATH> and <PATH> and <PATH>"),
            ("root /tmp stays", "root /tmp stays"),
        ])
    }

    func testDatesAndTimes() {
        check([
            ("DBCP object created 2023-10-10 16:30:38 by the following code was never closed:",
             "DBCP object created <TS> by the following code was never closed:"),
            ("at 2023-10-10T16:30:38.123+08:00 and 2023-10-10T08:30:38Z", "at <TS> and <TS>"),
            ("day 2023-10-10, time 16:30:38,123", "day <DATE>, time <TS>"),
            ("on 2023/10/10", "on <DATE>"),
            ("Pooled object created 2023-10-10 16:30:38 +0800 by the following code has not been returned to the pool:",
             "Pooled object created <TS> by the following code has not been returned to the pool:"),
            ("at 2023-10-10 16:30:38 -05:00.", "at <TS>."),
        ])
    }

    func testQuotedStrings() {
        check([
            // a key's, constraint's or column's name is kept: two violated keys are two faults;
            // a table's is not (sharded tables, `orders_202310`, would split by month)
            ("Table 'shop.orders' doesn't exist", "Table <STR> doesn't exist"),
            ("Unknown column 'x' in 'field list'", "Unknown column 'x' in 'field list'"),
            ("Data source rejected establishment of connection, message from server: \"Too many connections\"",
             "Data source rejected establishment of connection, message from server: \"Too many connections\""),
            ("Cannot invoke \"String.length()\" because \"<local1>\" is null",
             "Cannot invoke <STR> because <STR> is null"),
            ("Duplicate entry '42-abc' for key 'PRIMARY'", "Duplicate entry <STR> for key 'PRIMARY'"),
            ("Duplicate entry '628632979' for key 'orders.uk_order_no'", "Duplicate entry <STR> for key 'orders.uk_order_no'"),
            ("ERROR: duplicate key value violates unique constraint \"orders_pkey\"",
             "ERROR: duplicate key value violates unique constraint \"orders_pkey\""),
            ("ERROR: null value in column \"customer_id\" of relation \"orders\" violates not-null constraint",
             "ERROR: null value in column \"customer_id\" of relation <STR> violates not-null constraint"),
            ("column `id` is ambiguous", "column `id` is ambiguous"),
            ("entry 'x' for monkey 'y'", "entry <STR> for monkey <STR>"),
            // full-width quotes hold values
            ("用户“张三”余额不足", "用户<STR>余额不足"),
            ("商品「iPhone 15」已下架", "商品<STR>已下架"),
            ("用户“未闭合", "用户“未闭合"),
            ("{\"a\":1,\"b\":\"x y 2\"}", "{<STR>:<NUM>,<STR>:<STR>}"),
            ("it's fine, isn't it", "it's fine, isn't it"),
            ("unbalanced ' quote 7", "unbalanced ' quote <NUM>"),
        ])
        XCTAssertEqual(t("Table 'a.b' doesn't exist"), t("Table 'c.d' doesn't exist"))
        XCTAssertEqual(t("Duplicate entry '1' for key 'uk_a'"), t("Duplicate entry '2' for key 'uk_a'"))
        XCTAssertEqual(t("用户“张三”余额不足"), t("用户“李四”余额不足"))
        XCTAssertNotEqual(t("Table 'a.b' doesn't exist"), t("Unknown column 'x' in 'field list'"))
        XCTAssertNotEqual(
            t("message from server: \"Too many connections\""),
            t("message from server: \"Host is blocked because of many connection errors\""))
    }

    func testHikariAndPostgresMessages() {
        XCTAssertEqual(
            t("HikariPool-1 - Connection is not available, request timed out after 30005ms (total=10, active=10, idle=0, waiting=3)"),
            "HikariPool-<NUM> - Connection is not available, request timed out after <DUR> (total=<NUM>, active=<NUM>, idle=<NUM>, waiting=<NUM>)")
        XCTAssertEqual(
            t("FATAL: remaining connection slots are reserved for non-replication superuser connections"),
            "FATAL: remaining connection slots are reserved for non-replication superuser connections")
        XCTAssertEqual(t("FATAL: too many connections for role \"app_rw\""), "FATAL: too many connections for role <STR>")
    }

    func testWhitespaceIsCollapsed() {
        XCTAssertEqual(t("  a\t\tb \n\n c  "), "a b c")
        XCTAssertEqual(t(""), "")
        XCTAssertEqual(t("   "), "")
    }

    func testOddInputDoesNotCrash() {
        let odd = [
            "'", "\"", "`", "''", "@", "@1", "0x", "1.", "-", "/", "//", "::", ":1", "a:", "1e", "\\\\",
            "2023-10-10T", "16:30:", "10.0.0", "1.2.3.4.5", String(repeating: "a.", count: 5000) + ":1",
            String(repeating: "9", count: 10000), String(repeating: "'x ", count: 2000),
            "\u{0}\u{1}\u{FFFD}é", "a@b", "x@y.z1",
        ]
        for s in odd { _ = t(s) }
        XCTAssertEqual(t("1.2.3.4.5"), "<NUM>")
    }

    func testLargeInputIsTemplatedWhole() {
        // Many quotes, colons, at-signs and dotted words: every look-ahead is bounded, and
        // every repeat of the chunk comes out the same.
        let chunk = "user 'a.b' at db.acme.com:5432 ops@acme.com 0x1f 10.0.0.1 \"x y\" a.b.c.d.e.f:g "
        let big = String(repeating: chunk, count: 20_000)   // ~1.4 MB
        let out = t(big)
        let one = t(chunk)
        XCTAssertEqual(out, Array(repeating: one, count: 20_000).joined(separator: " "))
        XCTAssertTrue(out.hasPrefix("user <STR> at <HOSTPORT> <EMAIL> <HEX> <IP> \"x y\" a.b.c.d.e.f:g user"), String(out.prefix(120)))
    }

    func testTemplateIsIdempotent() {
        let inputs = [
            "wait millis 5000, active 0, maxActive 30",
            "HikariPool-1 - Connection is not available, request timed out after 30005ms.",
            "Table 'shop.orders' doesn't exist",
            "create connection SQLException, url: jdbc:mysql://h:3306/db, errorCode 1040, state 08004",
            "order ORD20231010001 for user12345",
        ]
        for s in inputs { XCTAssertEqual(t(t(s)), t(s), s) }
    }
}
