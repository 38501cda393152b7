/// The version of rebootd, rebootctl and bcc-sim: the one place it is written (`--version`
/// prints it; the package takes it from here).
public enum RebootdVersion {
    public static let string = "0.9.0"
}
