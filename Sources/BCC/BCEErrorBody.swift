/// BCE's JSON error body.
public struct BCEErrorBody: Codable, Sendable {
    public var requestId: String?
    public var code: String?
    public var message: String?

    public init(requestId: String?, code: String?, message: String?) {
        self.requestId = requestId
        self.code = code
        self.message = message
    }
}
