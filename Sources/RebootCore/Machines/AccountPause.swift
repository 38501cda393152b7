import BCC
import Foundation

/// SPEC §4.5: the API refused the account (bad signature, unknown access key, access denied),
/// not one instance. Every plan is paused, plans that become active later too, until an
/// operator resumes them; while a plan is paused so, none of its instances times out and
/// nothing fails. Logged once at critical level when it happens, not once per call.
struct AccountPause {
    let code: String
    let message: String
    /// Monotonic instant it began.
    let since: Date
}
