/// The body of `PUT /v2/instance/batchAction?reboot`.
public struct BatchRebootResult: Codable, Sendable, Equatable {
    public var requestId: String?
    public var failedInstanceIdList: [String]

    public init(requestId: String?, failedInstanceIdList: [String]) {
        self.requestId = requestId
        self.failedInstanceIdList = failedInstanceIdList
    }
}
