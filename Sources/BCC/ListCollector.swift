import Foundation

/// Drives `describeMany`: one chunk of at most 100 ids after another, each followed through its
/// `nextMarker` pages, gathering every instance, failing on the first error.
final class ListCollector: @unchecked Sendable {
    private let client: BCCClient
    private var chunks: [[String]]
    private var chunkIndex = 0
    private var marker: String?
    private var gathered: [Instance] = []
    private let completion: @Sendable (Result<[Instance], BCCError>) -> Void

    init(client: BCCClient, chunks: [[String]], completion: @escaping @Sendable (Result<[Instance], BCCError>) -> Void) {
        self.client = client
        self.chunks = chunks
        self.completion = completion
    }

    /// Requests the next page; called serially, one page at a time.
    func next() {
        guard chunkIndex < chunks.count else {
            completion(.success(gathered))
            return
        }
        let ids = chunks[chunkIndex]
        client.listPage(instanceIds: ids, marker: marker, maxKeys: BCCClient.maxIdsPerCall) { result in
            switch result {
            case .failure(let error):
                self.completion(.failure(error))
            case .success(let page):
                self.gathered.append(contentsOf: page.instances)
                if page.isTruncated, let next = page.nextMarker, !next.isEmpty, next != self.marker {
                    self.marker = next
                } else {
                    self.marker = nil
                    self.chunkIndex += 1
                }
                self.next()
            }
        }
    }
}
