import Foundation

/// A throwaway CA and a server certificate signed by it, made with openssl, for the tests of
/// TLS to bcc-sim, a proxy and PostgreSQL.
public enum TestCertificates {
    /// Why the certificates could not be made.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Makes `ca.pem`, `server.pem` and `server.key` in `dir`; the server's certificate names
    /// `subjectAltName` (`IP:127.0.0.1`, `DNS:localhost`, …).
    public static func make(in dir: URL, subjectAltName: String = "IP:127.0.0.1") throws -> (ca: String, cert: String, key: String) {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") else {
            throw Failure(description: "openssl is not installed: run `make bootstrap-test`")
        }
        let script = """
            set -e
            cd '\(dir.path)'
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem -days 2 -subj '/CN=rebootd test CA' 2>/dev/null
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr -subj '/CN=127.0.0.1' 2>/dev/null
            printf 'subjectAltName=\(subjectAltName)\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > ext.cnf
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile ext.cnf 2>/dev/null
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw Failure(description: "openssl could not make the test certificates (exit \(p.terminationStatus))")
        }
        return (dir.path + "/ca.pem", dir.path + "/server.pem", dir.path + "/server.key")
    }
}
