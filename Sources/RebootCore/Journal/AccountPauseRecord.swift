/// The account pause as journaled (SPEC §4.5): the API's error code and message, and when it
/// began (journal time).
public struct AccountPauseRecord: Sendable, Equatable {
    public var code: String
    public var message: String
    public var since: String

    public init(code: String, message: String, since: String) {
        self.code = code
        self.message = message
        self.since = since
    }
}
