import ArgumentParser
import Foundation
import RebootCore

/// `--config`, and loading what it names.
struct ConfigOptions: ParsableArguments {
    @Option(help: "rebootd's configuration file (for the spool and the journal).")
    var config = RebootdConfig.defaultPath

    func load() throws -> RebootdConfig {
        do { return try ConfigLoader.load(path: config, readURLFiles: false) } catch {
            throw ValidationError("\(error)")
        }
    }

    func journal() throws -> Journal {
        let c = try load()
        guard FileManager.default.fileExists(atPath: c.journal) else {
            throw ValidationError("no journal at \(c.journal) yet: has rebootd started with this config?")
        }
        do { return try Journal(readOnlyPath: c.journal) } catch {
            throw ValidationError("cannot open the journal \(c.journal): \(error)")
        }
    }
}

/// Prints JSON with sorted keys, the stable form scripts parse.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
