import Foundation

#if FUZZING
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzPlanLoading(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
        PlanLoadingFuzz.run(bytes.map { Data(bytes: $0, count: count) } ?? Data())
        return 0
    }

    /// libFuzzer's entry for a program with its own `main` (SwiftPM names the executable's entry).
    // swift-format-ignore: AlwaysUseLowerCamelCase
    // The C symbol's own name.
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
