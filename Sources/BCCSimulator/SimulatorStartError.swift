import BCC
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The simulator could not bind its address.
public struct SimulatorStartError: Error, CustomStringConvertible {
    public let host: String
    public let port: Int
    public var description: String { "bcc-sim could not listen on \(host):\(port)" }
}
