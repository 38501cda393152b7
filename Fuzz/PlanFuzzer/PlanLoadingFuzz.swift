import Foundation
import RebootCore

/// The libFuzzer target over plan loading (issue 8, SPEC §2): every input goes through
/// `PlanFile.load` as YAML and as JSON, exactly as the spool and `rebootctl validate` load a
/// file. A crash, a trap, an input slower than libFuzzer's `-timeout`, or a broken promise
/// below stops the run and leaves the input as `crash-…`/`timeout-…` for the regression corpus
/// (`Tests/RebootCoreTests/Fixtures/fuzz-regressions/`, replayed by `FuzzRegressionTests`).
///
enum PlanLoadingFuzz {
    static let parser = PlanParser()

    static func run(_ data: Data) {
        for name in ["fuzz.yaml", "fuzz.json"] {
            do {
                let file = try PlanFile.load(data: data, path: name, owner: FileOwner(uid: 0), parser: parser)
                // An accepted plan is a plan the scheduler can run.
                let plan = file.plan
                precondition(!plan.instances.isEmpty && plan.instances.count <= Plan.maxInstances)
                precondition(Set(plan.instances).count == plan.instances.count, "repeated instance accepted")
                precondition(plan.pauseBetweenBatches >= 0 && plan.rebootTimeout > 0)
                let sizes = plan.layout.sizes
                precondition(!sizes.isEmpty && sizes.allSatisfy { $0 >= 1 } && sizes.reduce(0, +) == plan.instances.count)
            } catch {
                // A rejection names at least one problem, and its text renders.
                precondition(!error.problems.isEmpty, "a rejection without a problem")
                _ = error.description
            }
        }
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPlanLoading(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    PlanLoadingFuzz.run(bytes.map { Data(bytes: $0, count: count) } ?? Data())
    return 0
}

/// libFuzzer's entry for a program with its own `main` (SwiftPM names the executable's entry).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt
#endif

/// `make fuzz` builds this with `-sanitize=fuzzer -D FUZZING`: libFuzzer drives the target with
/// its own flags. The ordinary build replays saved inputs: `PlanFuzzer FILE…`.
@main
enum PlanFuzzerMain {
    static func main() {
        #if FUZZING
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzPlanLoading))
        #else
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
                exit(66)
            }
            let start = DispatchTime.now().uptimeNanoseconds
            PlanLoadingFuzz.run(data)
            print(String(format: "ok %.1f ms %@", Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6, path))
        }
        #endif
    }
}
