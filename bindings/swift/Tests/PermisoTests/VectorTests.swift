// Replays every conformance vector through the Swift binding (the same
// corpus every runtime replays). Needs a Swift toolchain: `swift test`.
import Foundation
import XCTest
@testable import Permiso

final class VectorTests: XCTestCase {
    func vectorDirectory() -> URL {
        if let dir = ProcessInfo.processInfo.environment["PERMISO_VECTORS"] { return URL(fileURLWithPath: dir) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../../tests/vectors").standardizedFileURL
    }

    func json(_ value: Any?) -> String {
        guard let value = value, !(value is NSNull),
              let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed]) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    func matches(_ expect: Any?, _ actual: Any?, _ path: String) -> String? {
        if let e = expect as? [String: Any] {
            guard let a = actual as? [String: Any] else { return "\(path): expected an object" }
            for (key, value) in e {
                guard let av = a[key] else { return "\(path).\(key) is missing" }
                if ["scopes", "missing", "roles"].contains(key), let ev = value as? [Any], let aa = av as? [Any] {
                    if ev.map(json).sorted() != aa.map(json).sorted() { return "\(path).\(key): set differs" }
                } else if let m = matches(value, av, "\(path).\(key)") { return m }
            }
            return nil
        }
        if let e = expect as? [Any] {
            guard let a = actual as? [Any], a.count == e.count else { return "\(path): array differs" }
            for (i, pair) in zip(e, a).enumerated() { if let m = matches(pair.0, pair.1, "\(path)[\(i)]") { return m } }
            return nil
        }
        return json(expect) == json(actual) ? nil : "\(path): expected \(json(expect)), got \(json(actual))"
    }

    func decisionObject(_ d: Decision) -> [String: Any] {
        // The decision's own JSON: the record every runtime shows.
        return (try? JSONSerialization.jsonObject(with: Data(d.toJson().utf8))) as? [String: Any] ?? [:]
    }

    func tokenObject(_ t: TokenInfo) -> [String: Any] {
        return ["ok": t.ok, "code": t.code, "principal": t.principal, "kind": t.kind, "algorithm": t.algorithm,
                "scopes": t.scopes as Any, "roles": t.roles, "tenant": t.tenant as Any, "service_account": t.serviceAccount,
                "actor_chain": t.actorChain, "expires_at": t.expiresAt as Any, "key_id": t.keyId as Any,
                "credential": ["kind": t.credential.kind, "id": t.credential.id as Any, "session": t.credential.session as Any]]
    }

    func recordObject(_ r: KeyRecord) -> [String: Any] {
        return ["id": r.id, "kind": r.kind, "hash": r.hash, "mask": r.mask, "owner": r.owner, "tenant": r.tenant as Any,
                "scopes": r.scopes as Any, "label": r.label as Any, "created_at": r.createdAt, "expires_at": r.expiresAt as Any,
                "revoked_at": r.revokedAt as Any, "last_used_at": r.lastUsedAt as Any, "rolled_from": r.rolledFrom as Any]
    }

    func headerList(_ value: Any?) -> [Header] {
        var headers: [Header] = []
        for (name, value) in value as? [String: Any] ?? [:] {
            for v in (value as? [String]) ?? [value as! String] { headers.append(Header(name: name, value: v)) }
        }
        return headers
    }

    func hostData(_ c: [String: Any], _ pepper: String?, _ now: Int64?) throws -> HostData {
        return HostData(keys: try keyRecordsFromJson(json: json(c["keys"] ?? [])),
                        principals: try principalRecordsFromJson(json: json(c["principals"] ?? [])),
                        revokedKeys: c["revoked_keys"] as? [String] ?? [],
                        revokedSessions: c["revoked_sessions"] as? [String] ?? [],
                        pepper: pepper.map { Pepper(value: $0) }, now: now)
    }

    // The delegate op: resolve the delegating identity, sign with the case's
    // HMAC key, then verify what was issued at `then`.
    func delegateCase(_ p: Policy, _ now: Int64?, _ c: [String: Any]) throws -> [String: Any] {
        let from = c["from"] as! [String: Any]
        let principals = try principalRecordsFromJson(json: json(c["principals"] ?? []))
        let identity: Identity
        if let record = from["identity"] {
            identity = try p.identity(record: identityRecordFromJson(json: json(record)))
        } else if let token = from["token"] as? String {
            let t = try p.verifyJwt(token: token, now: now)
            identity = try t.identity(principal: principals.first { $0.id == t.info().principal })
        } else {
            let record = try keyRecordsFromJson(json: "[\(json(from["record"]))]")[0]
            identity = try p.verifyKey(key: from["key"] as! String, record: record, now: now)
                .identity(owner: principals.first { $0.id == record.owner })
        }
        let signing = c["signing"] as! [String: Any]
        var secret = (signing["secret"] as! String).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while secret.count % 4 != 0 { secret += "=" }
        let key = try SigningKey.hmac(algorithm: signing["alg"] as! String, secret: Data(base64Encoded: secret)!,
                                      kid: signing["kid"] as? String)
        let token = try p.delegate(kind: c["kind"] as! String, identity: identity, key: key, actor: c["actor"] as! String,
                                   scopes: c["scopes"] as? [String] ?? [], audience: c["audience"] as? String,
                                   lifetime: c["lifetime"] as? Int64, now: now)
        let then = c["then"] as? [String: Any] ?? [:]
        var verified: [String: Any]
        do {
            verified = tokenObject(try p.verifyJwt(token: token, revokedSessions: then["revoked_sessions"] as? [String] ?? [],
                                                   revokedKeys: then["revoked_keys"] as? [String] ?? [],
                                                   now: (then["now"] as? Int64) ?? now).info())
        } catch let PermisoException.Refused(code, reason, _, _) {
            verified = ["ok": false, "code": code, "message": reason]
        }
        let lifetime: Any = (verified["expires_at"] as? Int64).map { $0 - (now ?? 0) } ?? NSNull()
        return ["ok": true, "code": "allowed", "lifetime": lifetime, "verified": verified]
    }

    func run(_ policy: Policy?, _ now: Int64?, _ c: [String: Any]) throws -> [String: Any] {
        let pepper = c["pepper"] as? String
        do {
            switch c["op"] as? String {
            case "load_policy":
                return ["ok": true, "hash": try Policy.fromJson(text: json(c["policy"])).hash()]
            case "parse_key":
                let k = try policy!.parseKey(key: c["key"] as! String)
                return ["ok": true, "kind": k.kind, "id": k.id, "mask": k.mask, "prefix": k.prefix]
            case "hash_key":
                return ["ok": true, "hash": try hashKey(key: c["key"] as! String, pepper: pepper.map { Pepper(value: $0) })]
            case "verify_key":
                let record = try keyRecordsFromJson(json: "[\(json(c["record"]))]")[0]
                let v = try policy!.verifyKey(key: c["key"] as! String, record: record, pepper: pepper.map { Pepper(value: $0) },
                                              revokedKeys: c["revoked_keys"] as? [String] ?? [], now: now).info()
                return ["ok": v.ok, "code": v.code, "principal": v.principal, "kind": v.kind, "id": v.id, "mask": v.mask,
                        "scopes": v.scopes as Any, "credential": ["kind": v.credential.kind, "id": v.credential.id]]
            case "verify_jwt":
                return tokenObject(try policy!.verifyJwt(token: c["token"] as! String,
                                                         revokedSessions: c["revoked_sessions"] as? [String] ?? [],
                                                         kind: c["kind"] as? String, now: now).info())
            case "authorize":
                let identity = try policy!.identity(record: identityRecordFromJson(json: json(c["identity"])))
                return decisionObject(try policy!.authorize(identity: identity, action: c["action"] as! String,
                                                            resource: c["resource"] as? String, tenant: c["tenant"] as? String, now: now))
            case "authorize_request":
                let r = c["request"] as! [String: Any]
                return decisionObject(try policy!.authorizeRequest(
                    request: HttpRequest(method: r["method"] as! String, path: r["path"] as! String, headers: headerList(r["headers"])),
                    host: try hostData(c, pepper, now)))
            case "authorize_route":
                let r = c["route"] as! [String: Any]
                let params = (r["params"] as? [String: String] ?? [:]).map { Header(name: $0.key, value: $0.value) }
                return decisionObject(try policy!.authorizeRoute(
                    request: RouteRequest(method: r["method"] as! String, template: r["template"] as! String,
                                          params: params, headers: headerList(c["headers"])),
                    host: try hostData(c, pepper, now)))
            case "rotate_key":
                let record = try keyRecordsFromJson(json: "[\(json(c["record"]))]")[0]
                let r = try policy!.rotateKey(record: record, grace: c["grace"] as? Int64, scopes: c["scopes"] as? [String],
                                              expiresAt: c["expires_at"] as? Int64, pepper: pepper.map { Pepper(value: $0) },
                                              revokedKeys: c["revoked_keys"] as? [String] ?? [], now: now)
                return ["ok": true, "code": "allowed", "new": recordObject(r.newKey.record()), "old": recordObject(r.old)]
            case "delegate":
                return try delegateCase(policy!, now, c)
            default:
                XCTFail("unsupported op")
                return [:]
            }
        } catch let PermisoException.Refused(code, reason, detail, path) {
            return ["ok": false, "allowed": false, "code": code, "message": reason, "detail": detail as Any, "path": path as Any]
        }
    }

    func testEveryVector() throws {
        let files = try FileManager.default.contentsOfDirectory(at: vectorDirectory(), includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }.sorted { $0.path < $1.path }
        XCTAssertFalse(files.isEmpty)
        var passed = 0
        for file in files {
            let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
            let policy = doc["policy"].flatMap { try? Policy.fromJson(text: json($0)) }
            for c in doc["cases"] as! [[String: Any]] {
                let casePolicy = (c["op"] as? String != "load_policy" && c["policy"] != nil)
                    ? try Policy.fromJson(text: json(c["policy"])) : policy
                let now = (c["now"] ?? doc["now"]) as? Int64
                if let failure = matches(c["expect"], try run(casePolicy, now, c), "expect") {
                    XCTFail("\(file.lastPathComponent) :: \(c["name"] ?? ""): \(failure)")
                } else {
                    passed += 1
                }
            }
        }
        print("swift: \(passed) vectors passed")
    }
}
