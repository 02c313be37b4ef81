// Replays every conformance vector through the Kotlin binding on the JVM,
// then API and error tests. Prints "kotlin: N passed, N failed".
import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.ObjectMapper
import dev.permiso.*
import java.io.File
import kotlin.system.exitProcess

val mapper = ObjectMapper()
var passed = 0
var failed = 0

fun check(name: String, body: () -> Unit) {
    try {
        body()
        passed++
    } catch (e: Throwable) {
        failed++
        println("FAIL $name: ${e.message}")
    }
}

fun fail(message: String): Nothing = throw AssertionError(message)

fun json(node: JsonNode?): String = mapper.writeValueAsString(node)

val setKeys = setOf("scopes", "missing", "roles")

fun matches(expect: JsonNode, actual: JsonNode?, path: String) {
    when {
        expect.isObject -> {
            if (actual == null || !actual.isObject) fail("$path: expected an object, got $actual")
            for ((key, value) in expect.fields()) {
                if (!actual.has(key)) fail("$path.$key is missing from $actual")
                val a = actual.get(key)
                if (key in setKeys && value.isArray && a.isArray) {
                    if (value.map { json(it) }.sorted() != a.map { json(it) }.sorted()) fail("$path.$key: expected the set $value, got $a")
                } else {
                    matches(value, a, "$path.$key")
                }
            }
        }
        expect.isArray -> {
            if (actual == null || !actual.isArray || actual.size() != expect.size()) fail("$path: expected $expect, got $actual")
            expect.forEachIndexed { i, e -> matches(e, actual.get(i), "$path[$i]") }
        }
        expect.isNumber -> if (actual == null || !actual.isNumber || actual.asDouble() != expect.asDouble()) fail("$path: expected $expect, got $actual")
        else -> if (expect != actual) fail("$path: expected $expect, got $actual")
    }
}

fun str(node: JsonNode?): String? = if (node == null || node.isNull) null else node.asText()

fun strings(node: JsonNode?): List<String> = node?.map { it.asText() } ?: emptyList()

fun decisionMap(d: Decision): Map<String, Any?> = mapOf(
    "allowed" to d.allowed, "ok" to d.allowed, "code" to d.code, "status" to d.status.toInt(), "message" to d.message,
    "principal" to d.principal, "action" to d.action, "resource" to d.resource, "tenant" to d.tenant, "route" to d.route,
    "missing" to d.missing, "credential" to mapOf("kind" to d.audit.actor.kind, "id" to d.audit.actor.keyId),
    "audit" to mapper.readTree(d.auditJson),
)

fun refused(e: PermisoException.Refused): Map<String, Any?> =
    mapOf("ok" to false, "allowed" to false, "code" to e.code, "message" to e.reason, "detail" to e.detail, "path" to e.path)

fun hostData(c: JsonNode, pepper: String?, now: Long?) = HostData(
    keys = keyRecordsFromJson(json(c.get("keys") ?: mapper.createArrayNode())),
    principals = principalRecordsFromJson(json(c.get("principals") ?: mapper.createArrayNode())),
    revokedKeys = strings(c.get("revoked_keys")), revokedSessions = strings(c.get("revoked_sessions")),
    pepper = pepper?.let { Pepper(it) }, now = now,
)

fun recordMap(r: KeyRecord): Map<String, Any?> = mapOf(
    "id" to r.id, "kind" to r.kind, "hash" to r.hash, "mask" to r.mask, "owner" to r.owner, "tenant" to r.tenant,
    "scopes" to r.scopes, "label" to r.label, "created_at" to r.createdAt, "expires_at" to r.expiresAt,
    "revoked_at" to r.revokedAt, "last_used_at" to r.lastUsedAt, "rolled_from" to r.rolledFrom,
)

fun tokenMap(it: TokenInfo): Map<String, Any?> = mapOf("ok" to true, "code" to "allowed", "principal" to it.principal,
    "kind" to it.kind, "algorithm" to it.algorithm, "scopes" to it.scopes, "roles" to it.roles, "tenant" to it.tenant,
    "service_account" to it.serviceAccount, "actor_chain" to it.actorChain, "expires_at" to it.expiresAt,
    "key_id" to it.keyId, "credential" to mapOf("kind" to it.credential.kind, "id" to it.credential.id, "session" to it.credential.session))

// The delegate op: resolve the delegating identity, sign with the case's HMAC
// key, then verify what was issued at `then`.
fun delegateCase(p: Policy, now: Long?, c: JsonNode): Map<String, Any?> {
    val from = c.get("from")
    val principals = principalRecordsFromJson(json(c.get("principals") ?: mapper.createArrayNode()))
    val identity = when {
        from.has("identity") -> p.identity(identityRecordFromJson(json(from.get("identity"))))
        from.has("token") -> {
            val t = p.verifyJwt(from.get("token").asText(), now = now)
            p.tokenIdentity(from.get("token").asText(), principals.firstOrNull { it.id == t.principal }, now = now)
        }
        else -> {
            val record = keyRecordsFromJson("[" + json(from.get("record")) + "]").first()
            p.keyIdentity(from.get("key").asText(), record, principals.firstOrNull { it.id == record.owner }, now = now)
        }
    }
    val s = c.get("signing")
    val key = SigningKey.hmac(s.get("alg").asText(), java.util.Base64.getUrlDecoder().decode(s.get("secret").asText()), str(s.get("kid")))
    val token = p.delegate(c.get("kind").asText(), identity, key, c.get("actor").asText(), strings(c.get("scopes")),
        str(c.get("audience")), c.get("lifetime")?.asLong() ?: 0L, now)
    val then = c.get("then")
    val verified = try {
        tokenMap(p.verifyJwt(token, strings(then?.get("revoked_sessions")), null, then?.get("now")?.asLong() ?: now, strings(then?.get("revoked_keys"))))
    } catch (e: PermisoException.Refused) { refused(e) }
    val exp = verified["expires_at"] as Long?
    return mapOf("ok" to true, "code" to "allowed", "lifetime" to exp?.let { it - (now ?: 0L) }, "verified" to verified)
}

fun run(policy: Policy?, now: Long?, c: JsonNode): Map<String, Any?> {
    val p by lazy { policy ?: fail("the case needs a policy") }
    val pepper = str(c.get("pepper"))
    return try {
        when (c.get("op").asText()) {
            "load_policy" -> mapOf("ok" to true, "hash" to Policy.fromJson(json(c.get("policy"))).hash())
            "parse_key" -> p.parseKey(c.get("key").asText()).let { mapOf("ok" to true, "kind" to it.kind, "id" to it.id, "mask" to it.mask, "prefix" to it.prefix) }
            "hash_key" -> mapOf("ok" to true, "hash" to hashKey(c.get("key").asText(), pepper))
            "verify_key" -> {
                val record = keyRecordsFromJson("[" + json(c.get("record")) + "]").first()
                val v = p.verifyKey(c.get("key").asText(), record, pepper, strings(c.get("revoked_keys")), now)
                mapOf("ok" to true, "principal" to v.principal, "kind" to v.kind, "id" to v.id, "mask" to v.mask, "scopes" to v.scopes, "credential" to mapOf("kind" to v.kind, "id" to v.id))
            }
            "verify_jwt" -> tokenMap(p.verifyJwt(c.get("token").asText(), strings(c.get("revoked_sessions")), str(c.get("kind")), now))
            "authorize" -> {
                val identity = p.identity(identityRecordFromJson(json(c.get("identity"))))
                decisionMap(p.authorize(identity, c.get("action").asText(), str(c.get("resource")), str(c.get("tenant")), now))
            }
            "authorize_request" -> {
                val r = c.get("request")
                val headers = mutableListOf<Header>()
                r.get("headers")?.fields()?.forEach { (name, value) ->
                    if (value.isArray) value.forEach { headers.add(Header(name, it.asText())) } else headers.add(Header(name, value.asText()))
                }
                decisionMap(p.authorizeRequest(HttpRequest(r.get("method").asText(), r.get("path").asText(), headers), hostData(c, pepper, now)))
            }
            "authorize_route" -> {
                val r = c.get("route")
                val params = mutableListOf<Header>()
                r.get("params")?.fields()?.forEach { (name, value) -> params.add(Header(name, value.asText())) }
                val headers = mutableListOf<Header>()
                c.get("headers")?.fields()?.forEach { (name, value) ->
                    if (value.isArray) value.forEach { headers.add(Header(name, it.asText())) } else headers.add(Header(name, value.asText()))
                }
                decisionMap(p.authorizeRoute(RouteRequest(r.get("method").asText(), r.get("template").asText(), params, headers), hostData(c, pepper, now)))
            }
            "rotate_key" -> {
                val record = keyRecordsFromJson("[" + json(c.get("record")) + "]").first()
                val scopes = c.get("scopes")?.let { if (it.isNull) null else strings(it) }
                val r = p.rotateKey(record, grace = c.get("grace")?.asLong() ?: 0L, scopes = scopes,
                    expiresAt = c.get("expires_at")?.asLong(), pepper = pepper?.let { Pepper(it) },
                    revokedKeys = strings(c.get("revoked_keys")), now = now)
                mapOf("ok" to true, "code" to "allowed", "new" to recordMap(r.newKey.record()), "old" to recordMap(r.old))
            }
            "delegate" -> delegateCase(p, now, c)
            else -> fail("unsupported op ${c.get("op")}")
        }
    } catch (e: PermisoException.Refused) {
        refused(e)
    }
}

fun replayVectors(root: File) {
    val dir = File(System.getenv("PERMISO_VECTORS") ?: File(root, "tests/vectors").path)
    val files = dir.listFiles { f -> f.name.endsWith(".json") }?.sortedBy { it.name } ?: emptyList()
    if (files.isEmpty()) fail("no vector files in $dir")
    for (file in files) {
        val doc = mapper.readTree(file)
        val policy = doc.get("policy")?.let { try { Policy.fromJson(json(it)) } catch (e: PermisoException) { null } }
        val cases = doc.get("cases") ?: fail("${file.name} has no cases")
        cases.forEachIndexed { i, c ->
            check("${file.name}::$i::${c.get("name").asText()}") {
                val casePolicy = if (c.get("op").asText() != "load_policy" && c.has("policy")) Policy.fromJson(json(c.get("policy"))) else policy
                val now = (c.get("now") ?: doc.get("now"))?.asLong()
                matches(c.get("expect"), mapper.valueToTree(run(casePolicy, now, c)), "expect")
            }
        }
    }
}

fun apiTests(root: File) {
    val policy = Policy.fromYaml(File(root, "examples/policy.yaml").readText())
    val alice = policy.identity(IdentityRecord(PrincipalRecord(id = "user:alice", roles = listOf("viewer"), grants = listOf(Grant("deployment:web", "write")))))
    check("authorize and isAllowed") {
        val d = policy.authorize(alice, "deployments:write", "deployment:api")
        if (d.allowed || d.code != "missing_permission" || d.status.toInt() != 403 || d.missing != listOf("deployments:write")) fail("$d")
        if (!policy.isAllowed(alice, "deployments:write", "deployment:web")) fail("grant ignored")
        if (mapper.readTree(d.auditJson).get("actor").get("principal").asText() != "user:alice") fail(d.auditJson)
    }
    check("keys round-trip") {
        val generated = policy.generateKey("project_key", "project:p1", scopes = listOf("endpoints:run"))
        if (generated.record().hash != hashKey(generated.key())) fail("hash")
        if (policy.verifyKey(generated.key(), generated.record()).principal != "key:${generated.record().id}") fail("principal")
    }
    check("secrets never appear in string forms") {
        val generated = policy.generateKey("personal_key", "user:alice")
        if (generated.toString().contains(generated.key())) fail("GeneratedKey prints its key")
        val secret = "pepper-that-must-not-print"
        val host = HostData(pepper = Pepper(secret))
        if (host.toString().contains(secret)) fail("HostData prints its pepper: $host")
    }
    check("errors carry their code and the instance keeps working") {
        val cases = listOf<Pair<String, () -> Unit>>(
            "invalid_policy" to { Policy.fromYaml("version: 2") },
            "bad_checksum" to { policy.parseKey(policy.generateKey("personal_key", "user:a").key().dropLast(1) + "!") },
            "malformed_token" to { policy.verifyJwt("a.b") },
            "invalid_principal" to { policy.identity(IdentityRecord(PrincipalRecord(id = "alice"))) },
            "unknown_credential_kind" to { policy.generateKey("session", "user:a") },
            "invalid_principal" to { identityRecordFromJson("{\"principal\": 5}") },
        )
        for ((code, call) in cases) {
            try {
                call()
                fail("no error for $code")
            } catch (e: PermisoException.Refused) {
                if (e.code != code && !(code == "bad_checksum" && e.code == "malformed_key")) fail("expected $code, got ${e.code}")
            }
            if (!policy.isAllowed(alice, "deployments:read")) fail("the instance stopped working after $code")
        }
        try { Policy.fromYaml("version: 1\nroles:\n  a: {inherits: [b]}\n") ; fail("no error") } catch (e: PermisoException.Refused) {
            if (e.detail != "unknown_role" || e.path != "roles.a.inherits[0]") fail("${e.detail} ${e.path}")
        }
    }
    check("YAML aliases count towards the nesting limit") {
        val doc = StringBuilder("a0: &a0 " + "[".repeat(10) + "x" + "]".repeat(10) + "\n")
        for (i in 1 until 20) doc.append("a$i: &a$i " + "[".repeat(10) + "*a${i - 1}" + "]".repeat(10) + "\n")
        try { Policy.fromYaml(doc.toString()); fail("accepted") }
        catch (e: PermisoException.Refused) { if (e.code != "invalid_policy" || !e.reason.contains("through an alias")) fail("${e.code}: ${e.reason}") }
    }
    check("a string never stands for a list in a record") {
        try { keyRecordsFromJson("[{\"id\":\"x\",\"kind\":\"k\",\"hash\":\"h\",\"mask\":\"m\",\"owner\":\"user:a\",\"scopes\":\"a:*\",\"created_at\":1}]"); fail("accepted") }
        catch (e: PermisoException.Refused) { if (e.code != "invalid_key_record") fail(e.code) }
    }
    check("delegation mints at most what is held") {
        val tokens = mapper.readTree(File(root, "tests/vectors/tokens.json"))
        val tp = Policy.fromJson(json(tokens.get("policy")))
        val key = SigningKey.fromPem("EdDSA", File(root, "tools/vectors/keys/ed25519.pem").readText(), "ed")
        val session = tp.issueSession("session", "alice", key, roles = listOf("viewer"))
        val identity = tp.tokenIdentity(session)
        val delegated = tp.delegate("session", identity, key, "mobile-app", listOf("deployments:read"))
        if (tp.verifyJwt(delegated).actorChain != listOf("mobile-app")) fail("chain")
        // A fetched set holds public keys only, a secret set secrets only.
        val jwks = tokens.get("policy").get("credentials").get("session").get("jwks")
        try { tp.setJwks("session", json(jwks)); fail("an oct key in a public set") }
        catch (e: PermisoException.Refused) { if (e.detail != "invalid_jwk") fail("${e.detail}") }
        try { tp.setSecrets("session", "{\"keys\": []}") } catch (e: PermisoException.Refused) { fail(e.reason) }
        try { tp.delegate("session", identity, key, "mobile-app", listOf("deployments:write")); fail("escalated") }
        catch (e: PermisoException.Refused) { if (e.code != "scope_escalation") fail(e.code) }
    }
}

fun main() {
    val root = File(System.getProperty("permiso.root") ?: ".").canonicalFile
    replayVectors(root)
    apiTests(root)
    println("kotlin: $passed passed, $failed failed")
    if (failed > 0) exitProcess(1)
}
