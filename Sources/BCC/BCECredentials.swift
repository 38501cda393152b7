/// The access key pair that signs every BCC request. Its textual forms never show the secret.
public struct BCECredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let accessKeyId: String
    public let secretAccessKey: String

    public init(accessKeyId: String, secretAccessKey: String) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
    }

    public var description: String { "BCECredentials(accessKeyId: \(accessKeyId), secretAccessKey: <redacted>)" }
    public var debugDescription: String { description }
}
