import Foundation

/// A notification target from the config (SPEC §4.15, §6 `notify`): where plan events are
/// POSTed, in which format, and which events it wants.
public struct NotifyTarget: Sendable, Equatable {
    /// The body's shape.
    public enum Format: String, Sendable, Equatable, CaseIterable {
        /// rebootd's own documented schema (`PlanNotification`, `version` 1).
        case json
        /// Slack incoming webhook: `{"text": …}`.
        case slack
        /// DingTalk robot: `{"msgtype": "markdown", …}`.
        case dingtalk
        /// Feishu (Lark) bot: `{"msg_type": "text", …}`.
        case feishu
    }

    /// The target's URL. It may carry a token: it is never logged, journaled or used as a label.
    public var url: URL
    public var format: Format
    /// The events it wants (`PlanNotification.Event` raw values, plus `account-paused`); nil: all.
    public var events: Set<String>?
    /// The metrics label: the configured `name`, or the target's index in `notify`.
    public var label: String

    public init(url: URL, format: Format, events: Set<String>? = nil, label: String) {
        self.url = url
        self.format = format
        self.events = events
        self.label = label
    }

    /// Whether this target wants `notification`. `account-paused` selects the pauses an
    /// account error caused (SPEC §6's example names it); `plan-paused` selects every pause.
    public func wants(_ notification: PlanNotification) -> Bool {
        guard let events else { return true }
        if events.contains(notification.event.rawValue) { return true }
        return notification.event == .planPaused && notification.cause == .account && events.contains("account-paused")
    }

    /// The event names a target may list.
    public static let eventNames = PlanNotification.Event.allCases.map(\.rawValue) + ["account-paused"]
}
