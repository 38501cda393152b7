import Foundation

/// Renders a `PlanNotification` as the body a target's format expects.
public enum NotificationFormat {
    public static func body(_ n: PlanNotification, format: NotifyTarget.Format) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let line = "rebootd@\(n.host): \(n.summary) (\(n.countsLine))"
        let data: Data?
        switch format {
        case .json:
            data = try? encoder.encode(n)
        case .slack:
            // Slack reads `<…>` as links and mentions (`<!channel>`): a reason quoting a
            // command's output or an API message must not ping anyone.
            data = try? encoder.encode(["text": slackEscaped(line)])
        case .dingtalk:
            struct Markdown: Encodable {
                let title: String
                let text: String
            }
            struct Body: Encodable {
                let msgtype = "markdown"
                let markdown: Markdown
            }
            let text = "#### rebootd: \(n.event.rawValue)\n\n\(n.summary)\n\n- \(n.countsLine)\n- \(n.time)\n- host: \(n.host)"
            data = try? encoder.encode(Body(markdown: Markdown(title: "rebootd \(n.event.rawValue) \(n.planName)", text: text)))
        case .feishu:
            struct Content: Encodable { let text: String }
            struct Body: Encodable {
                let msgType = "text"
                let content: Content
                enum CodingKeys: String, CodingKey {
                    case msgType = "msg_type"
                    case content
                }
            }
            data = try? encoder.encode(Body(content: Content(text: line)))
        }
        return data ?? Data("{}".utf8)
    }

    /// Slack's three control characters, escaped as its API asks.
    static func slackEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
