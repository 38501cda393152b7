import Foundation
import Logging
import XCTest

@testable import RebootCore

/// Output hygiene: control characters escaped in log lines and human output.
final class SafeTextTests: XCTestCase {
    func testControlCharactersAreEscapedOnce() {
        XCTAssertEqual(SafeText.escaped("web.yaml"), "web.yaml")
        XCTAssertEqual(SafeText.escaped("a\nb"), "a\\nb")
        XCTAssertEqual(SafeText.escaped("x\u{1B}[2J\r\t\u{7F}\u{0}\u{85}\u{2028}é"), "x\\x1b[2J\\r\\t\\x7f\\x00\\x85\\u{2028}é")
        let evil = "evil\n<3>forged\u{1B}]0;title\u{7}"
        let once = SafeText.escaped(evil)
        XCTAssertEqual(SafeText.escaped(once), once, "escaping is idempotent")
        XCTAssertFalse(once.unicodeScalars.contains(where: SafeText.needsEscape))
    }

    func testLogLinesStayOneLineWithoutEscapes() {
        final class Lines: @unchecked Sendable { var all: [String] = [] }
        let lines = Lines()
        for journald in [true, false] {
            var handler = JournaldLogHandler(label: "t", journald: journald) { lines.all.append($0) }
            handler.logLevel = .debug
            let logger = Logger(label: "t") { _ in handler }
            logger.warning("cannot move bad\nname.yaml", metadata: ["file": "a\n<2>forged \u{1B}[31mred.yaml", "first": "x\u{9B}y"])
        }
        XCTAssertEqual(lines.all.count, 2)
        for line in lines.all {
            XCTAssertEqual(line.filter { $0 == "\n" }.count, 1, line)
            XCTAssertTrue(line.hasSuffix("\n"))
            XCTAssertFalse(line.dropLast().unicodeScalars.contains(where: SafeText.needsEscape), line)
            XCTAssertTrue(line.contains("a\\n<2>forged \\x1b[31mred.yaml"), line)
            XCTAssertTrue(line.contains("bad\\nname.yaml"), line)
        }
    }

    func testProblemsPrintEscaped() {
        let problem = ValidationProblem(path: "ke\u{1B}y", line: 1, column: 2, message: "\"a\nb\" is not an instance id")
        XCTAssertEqual(problem.description, "ke\\x1by (line 1, column 2): \"a\\nb\" is not an instance id")
        XCTAssertFalse(ValidationError(file: "f\n.yaml", problems: [problem]).description.contains("f\n"))
    }
}
