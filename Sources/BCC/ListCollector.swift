import Foundation

/// Drives `describeMany` and `listInstances(matching:)`: one listing after another (a chunk of at
/// most 100 ids, or a selector's filters), each followed through its `nextMarker` pages,
/// gathering every instance `keep` accepts, in the API's order, failing on the first error.
///
/// SPEC §4.2: every page after the first is a call of its own and waits for
/// `nextPage` (the scheduler's rate limiter) before it is sent; a listing longer than
/// `maxPages` pages, or whose `nextMarker` repeats, is a failed call (`ListingNeverEnds`), never
/// an endless loop.
final class ListCollector: @unchecked Sendable {
    /// More pages than this in one listing fail it.
    static let maxPages = 200

    private let client: BCCClient
    private let listings: [ListQuery]
    private var listingIndex = 0
    private var marker: String?
    private var markersSeen: Set<String> = []
    private var pages = 0
    private var gathered: [Instance] = []
    private let keep: @Sendable (Instance) -> Bool
    private let nextPage: @Sendable (@escaping @Sendable () -> Void) -> Void
    private let completion: @Sendable (Result<[Instance], BCCError>) -> Void

    init(
        client: BCCClient, listings: [ListQuery], keep: @escaping @Sendable (Instance) -> Bool = { _ in true },
        nextPage: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void = { $0() },
        completion: @escaping @Sendable (Result<[Instance], BCCError>) -> Void
    ) {
        self.client = client
        self.listings = listings
        self.keep = keep
        self.nextPage = nextPage
        self.completion = completion
    }

    /// Requests the next page; called serially, one page at a time.
    func next() {
        guard listingIndex < listings.count else {
            completion(.success(gathered))
            return
        }
        pages += 1
        let listing = listings[listingIndex]
        client.listPage(filters: listing.filters, marker: marker, maxKeys: listing.maxKeys) { result in
            switch result {
            case .failure(let error):
                self.completion(.failure(error))
            case .success(let page):
                self.gathered.append(contentsOf: page.instances.filter(self.keep))
                guard page.isTruncated, let next = page.nextMarker, !next.isEmpty else {
                    self.marker = nil
                    self.markersSeen.removeAll()
                    self.listingIndex += 1
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

    /// A new listing's first page is a call of its own too.
    private func continueListing() {
        guard listingIndex < listings.count else { return completion(.success(gathered)) }
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
