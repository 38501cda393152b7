/// async/await forms of the client's calls, for tests and tools.
extension BCCClient {
    public func reboot(_ id: String, forceStop: Bool) async throws(BCCError) -> String? {
        try await bridge { self.reboot(id, forceStop: forceStop, completion: $0) }
    }

    public func describe(_ id: String) async throws(BCCError) -> Instance {
        try await bridge { self.describe(id, completion: $0) }
    }

    public func describeMany(_ ids: [String]) async throws(BCCError) -> [Instance] {
        try await bridge { self.describeMany(ids, completion: $0) }
    }

    public func listInstances(matching selector: InstanceSelector) async throws(BCCError) -> [Instance] {
        try await bridge { self.listInstances(matching: selector, completion: $0) }
    }

    public func listPage(instanceIds: [String]?, marker: String?, maxKeys: Int) async throws(BCCError) -> InstanceListPage {
        try await bridge { self.listPage(instanceIds: instanceIds, marker: marker, maxKeys: maxKeys, completion: $0) }
    }

    public func batchReboot(_ ids: [String], forceStop: Bool) async throws(BCCError) -> BatchRebootResult {
        try await bridge { self.batchReboot(ids, forceStop: forceStop, completion: $0) }
    }

    private func bridge<T: Sendable>(
        _ start: (@escaping @Sendable (Result<T, BCCError>) -> Void) -> Void
    ) async throws(BCCError) -> T {
        let result: Result<T, BCCError> = await withCheckedContinuation { continuation in
            start { continuation.resume(returning: $0) }
        }
        return try result.get()
    }
}
