import Foundation

/// Drives `describeMany`: one chunk of at most 100 ids after another, each followed through its
/// `nextMarker` pages, gathering every instance, failing on the first error.
///
/// SPEC §4.2: every page after a chunk's first is a call of its own and waits for
/// `nextPage` (the scheduler's rate limiter) before it is sent; a listing longer than
/// `maxPages` pages, or whose `nextMarker` repeats, is a failed call (`ListingNeverEnds`), never
/// an endless loop.
final class ListCollector: @unchecked Sendable {
    /// More pages than this in one listing fail it.
    static let maxPages = 200

    private let client: BCCClient
    private var chunks: [[String]]
    private var chunkIndex = 0
    private var marker: String?
    private var markersSeen: Set<String> = []
    private var pages = 0
    private var gathered: [Instance] = []
    private let nextPage: @Sendable (@escaping @Sendable () -> Void) -> Void
    private let completion: @Sendable (Result<[Instance], BCCError>) -> Void

    init(
        client: BCCClient, chunks: [[String]],
        nextPage: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void = { $0() },
        completion: @escaping @Sendable (Result<[Instance], BCCError>) -> Void
    ) {
        self.client = client
        self.chunks = chunks
        self.nextPage = nextPage
        self.completion = completion
    }

    /// Requests the next page; called serially, one page at a time.
    func next() {
        guard chunkIndex < chunks.count else {
            completion(.success(gathered))
            return
        }
        pages += 1
        let ids = chunks[chunkIndex]
        client.listPage(instanceIds: ids, marker: marker, maxKeys: BCCClient.maxIdsPerCall) { result in
            switch result {
            case .failure(let error):
                self.completion(.failure(error))
            case .success(let page):
                self.gathered.append(contentsOf: page.instances)
                guard page.isTruncated, let next = page.nextMarker, !next.isEmpty else {
                    self.marker = nil
                    self.markersSeen.removeAll()
                    self.chunkIndex += 1
                    return self.continueListing()
                }
                if self.markersSeen.contains(next) {
                    return self.completion(
                        .failure(.listingNeverEnds("the API's nextMarker \(SafeMarker.text(next)) repeated after \(self.pages) pages")))
                }
                if self.pages >= Self.maxPages {
                    return self.completion(.failure(.listingNeverEnds("more than \(Self.maxPages) pages")))
                }
                self.markersSeen.insert(next)
                self.marker = next
                self.nextPage { self.next() }
            }
        }
    }

    /// A new chunk's first page is a call of its own too.
    private func continueListing() {
        guard chunkIndex < chunks.count else { return completion(.success(gathered)) }
        nextPage { self.next() }
    }
}

/// A marker as it may appear in an error: printable and short.
enum SafeMarker {
    static func text(_ marker: String) -> String {
        let printable = marker.unicodeScalars.map { $0.value >= 0x20 && $0.value < 0x7F ? String($0) : "?" }.joined()
        return "\"" + (printable.count > 40 ? printable.prefix(40) + "…" : printable) + "\""
    }
}
