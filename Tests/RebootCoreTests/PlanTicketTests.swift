import Foundation
import XCTest

@testable import RebootCore

/// The plan's `ticket` (SPEC §2): optional, up to 128 printable characters, refused with a
/// problem naming `ticket` otherwise, in YAML and JSON alike (the daemon and `rebootctl
/// validate` share the parser).
final class PlanTicketTests: XCTestCase {
    func parse(_ ticketLine: String, format: PlanParser.Format = .yaml) throws(ValidationError) -> Plan {
        let text =
            format == .yaml
            ? "instances: [i-a1]\nbatchSize: 1\n\(ticketLine)\n"
            : #"{"instances": ["i-a1"], "batchSize": 1, "ticket": \#(ticketLine)}"#
        return try PlanParser().parse(text, fileName: "p.\(format.rawValue)", format: format)
    }

    func problems(_ ticketLine: String, format: PlanParser.Format = .yaml) -> [ValidationProblem] {
        do {
            _ = try parse(ticketLine, format: format)
            return []
        } catch {
            return error.problems
        }
    }

    func testATicketIsKeptAsWritten() throws {
        XCTAssertEqual(try parse("ticket: CHG-20261128-042").ticket, "CHG-20261128-042")
        XCTAssertEqual(try parse(#"ticket: "CHG 42: kernel \"fix\" — 变更""#).ticket, #"CHG 42: kernel "fix" — 变更"#)
        XCTAssertEqual(try parse(#""JIRA-7""#, format: .json).ticket, "JIRA-7")
        XCTAssertEqual(try parse("ticket: 12345").ticket, "12345", "a number is its text")
        XCTAssertNil(try parse("").ticket, "optional")
        let longest = String(repeating: "é", count: PlanParser.maxTicketLength)
        XCTAssertEqual(try parse("ticket: \(longest)").ticket, longest)
    }

    func testATicketTooLongIsRefusedByName() {
        let found = problems("ticket: " + String(repeating: "x", count: 129))
        XCTAssertEqual(found.map(\.path), ["ticket"])
        XCTAssertTrue(found.first?.message.contains("129 characters") == true, "\(found)")
        XCTAssertTrue(found.first?.message.contains("at most 128") == true, "\(found)")
        XCTAssertEqual(found.first?.line, 3)
    }

    func testControlAndInvisibleCharactersAreRefusedByName() {
        for (line, shown) in [
            (#"ticket: "CHG\t42""#, "U+0009"),
            (#"ticket: "CHG\n42""#, "U+000A"),
            (#"ticket: "CHG\e[2J""#, "U+001B"),
            (#"ticket: "CHG\u0085""#, "U+0085"),
            (#"ticket: "CHG\u202E24""#, "U+202E"),
            (#"ticket: "CHG\u2028""#, "U+2028"),
            (#"ticket: "CHG\u200B""#, "U+200B"),
            (#"ticket: "\uE000""#, "U+E000"),
        ] {
            let found = problems(line)
            XCTAssertEqual(found.map(\.path), ["ticket"], line)
            XCTAssertTrue(found.first?.message.contains(shown) == true, "\(line): \(found)")
            XCTAssertTrue(found.first?.message.contains("printable") == true, "\(line): \(found)")
        }
        XCTAssertEqual(problems(#""a\u0007b""#, format: .json).map(\.path), ["ticket"])
    }

    func testAnEmptyOrNonTextTicketIsRefusedByName() {
        for line in [#"ticket: """#, #"ticket: "   ""#, "ticket: [CHG-1]", "ticket: {id: 1}", "ticket:", "ticket: null"] {
            XCTAssertEqual(problems(line).map(\.path), ["ticket"], line)
        }
        XCTAssertEqual(problems("null", format: .json).map(\.path), ["ticket"])
    }

    /// Every other problem is still listed beside the ticket's.
    func testATicketProblemIsListedWithTheOthers() {
        do {
            _ = try PlanParser().parse("instances: [bad]\nbatchSize: 0\nticket: \"a\\tb\"\n", fileName: "p.yaml", format: .yaml)
            XCTFail("accepted")
        } catch {
            XCTAssertEqual(Set(error.problems.map(\.path)), ["instances[0]", "batchSize", "ticket"])
        }
    }

    /// A plan journaled before tickets existed decodes with no ticket; one with a ticket keeps it.
    func testTheTicketTravelsInTheJournaledParameters() throws {
        var plan = try parse("ticket: CHG-9")
        let data = try JSONEncoder().encode(plan)
        XCTAssertEqual(try JSONDecoder().decode(Plan.self, from: data).ticket, "CHG-9")
        plan.ticket = nil
        let old = try JSONEncoder().encode(plan)
        XCTAssertFalse(String(decoding: old, as: UTF8.self).contains("ticket"))
        XCTAssertNil(try JSONDecoder().decode(Plan.self, from: old).ticket)
    }
}
