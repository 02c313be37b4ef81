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

/** A classification as every runtime writes it (`type` names the credential's case). */
fun classificationMap(found: Classification): Map<String, Any?> = mapOf(
    "route" to found.route?.let {
        mapOf("route" to it.route, "permission" to it.permission, "resource" to it.resource, "tenant" to it.tenant)
    },
    "credential" to when (val c = found.credential) {
        is CredentialRef.None -> mapOf("type" to "none")
        is CredentialRef.Unrecognized -> mapOf("type" to "unrecognized", "reason" to c.reason)
        is CredentialRef.ApiKey -> mapOf("type" to "api_key", "kind" to c.kind, "id" to c.id)
        is CredentialRef.Token -> mapOf("type" to "token", "kind" to c.kind, "principal" to c.principal, "session" to c.session)
    },
)

fun decisionMap(d: Decision): Map<String, Any?> = mapper.readValue(d.toJson(), Map::class.java) as Map<String, Any?>

fun refused(e: PermisoException.Refused): Map<String, Any?> =
    mapOf("ok" to false, "allowed" to false, "code" to e.code, "message" to e.reason, "detail" to e.detail, "path" to e.path)

fun pairs(node: JsonNode?): List<Header> {
    val out = mutableListOf<Header>()
    node?.fields()?.forEach { (name, value) ->
        if (value.isArray) value.forEach { out.add(Header(name, it.asText())) } else out.add(Header(name, value.asText()))
    }
    return out
}

fun hostData(c: JsonNode, pepper: String?, now: Long?) = HostData(
    keys = keyRecordsFromJson(json(c.get("keys") ?: mapper.createArrayNode())),
    principals = principalRecordsFromJson(json(c.get("principals") ?: mapper.createArrayNode())),
    resources = resourceRecordsFromJson(json(c.get("resources") ?: mapper.createArrayNode())),
    revokedKeys = strings(c.get("revoked_keys")), revokedSessions = strings(c.get("revoked_sessions")),
    pepper = pepper?.let { Pepper(it) }, now = now,
)

fun recordMap(r: KeyRecord): Map<String, Any?> = mapOf(
    "id" to r.id, "kind" to r.kind, "hash" to r.hash, "mask" to r.mask, "owner" to r.owner, "tenant" to r.tenant,
    "scopes" to r.scopes, "label" to r.label, "created_at" to r.createdAt, "expires_at" to r.expiresAt,
    "revoked_at" to r.revokedAt, "last_used_at" to r.lastUsedAt, "rolled_from" to r.rolledFrom,
)

fun tokenMap(it: TokenInfo): Map<String, Any?> = mapOf("ok" to it.ok, "code" to it.code, "principal" to it.principal,
    "kind" to it.kind, "algorithm" to it.algorithm, "scopes" to it.scopes, "roles" to it.roles, "tenant" to it.tenant,
    "service_account" to it.serviceAccount, "actor_chain" to it.actorChain, "expires_at" to it.expiresAt,
    "key_id" to it.keyId, "credential" to mapOf("kind" to it.credential.kind, "id" to it.credential.id, "session" to it.credential.session))

fun keyMap(it: KeyInfo): Map<String, Any?> = mapOf("ok" to it.ok, "code" to it.code, "principal" to it.principal,
    "kind" to it.kind, "id" to it.id, "mask" to it.mask, "scopes" to it.scopes,
    "credential" to mapOf("kind" to it.credential.kind, "id" to it.credential.id))

// The delegate op: resolve the delegating identity, sign with the case's HMAC
// key, then verify what was issued at `then`.
fun delegateCase(p: Policy, now: Long?, c: JsonNode): Map<String, Any?> {
    val from = c.get("from")
    val principals = principalRecordsFromJson(json(c.get("principals") ?: mapper.createArrayNode()))
    val identity = when {
        from.has("identity") -> p.identity(identityRecordFromJson(json(from.get("identity"))))
        from.has("token") -> {
            val t = p.verifyJwt(from.get("token").asText(), now = now)
            t.identity(principals.firstOrNull { it.id == t.info().principal })
        }
        else -> {
            val record = keyRecordsFromJson("[" + json(from.get("record")) + "]").first()
            p.verifyKey(from.get("key").asText(), record, now = now).identity(principals.firstOrNull { it.id == record.owner })
        }
    }
    val s = c.get("signing")
    val key = SigningKey.hmac(s.get("alg").asText(), java.util.Base64.getUrlDecoder().decode(s.get("secret").asText()), str(s.get("kid")))
    val token = p.delegate(c.get("kind").asText(), identity, key, c.get("actor").asText(), strings(c.get("scopes")),
        str(c.get("audience")), c.get("lifetime")?.asLong(), now)
    val then = c.get("then")
    val verified = try {
        tokenMap(p.verifyJwt(token, strings(then?.get("revoked_sessions")), strings(then?.get("revoked_keys")), null, then?.get("now")?.asLong() ?: now).info())
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
            "parse_key" -> p.parseKey(c.get("key").asText()).let { mapOf("ok" to it.ok, "kind" to it.kind, "id" to it.id, "mask" to it.mask, "prefix" to it.prefix) }
            "hash_key" -> mapOf("ok" to true, "hash" to hashKey(c.get("key").asText(), pepper?.let { Pepper(it) }))
            "verify_key" -> {
                val record = keyRecordsFromJson("[" + json(c.get("record")) + "]").first()
                keyMap(p.verifyKey(c.get("key").asText(), record, pepper?.let { Pepper(it) }, strings(c.get("revoked_keys")), now).info())
            }
            "verify_jwt" -> tokenMap(p.verifyJwt(c.get("token").asText(), strings(c.get("revoked_sessions")), kind = str(c.get("kind")), now = now).info())
            "authorize" -> {
                val identity = p.identity(identityRecordFromJson(json(c.get("identity"))))
                val attributes = c.get("attributes")?.let {
                    resourceRecordsFromJson("[{\"id\": \"r:1\", \"attributes\": " + json(it) + "}]").first().attributes
                }
                decisionMap(p.authorize(identity, c.get("action").asText(), str(c.get("resource")), str(c.get("tenant")), now, attributes))
            }
            "authzen" -> {
                val host = hostData(c, null, now)
                val api = c.get("api").asText()
                val first = p.authzen(api, json(c.get("request")), host)
                val then = c.get("then")
                if (then == null) mapper.readValue(first, Map::class.java) as Map<String, Any?>
                else {
                    val request = then.get("request").deepCopy<com.fasterxml.jackson.databind.node.ObjectNode>()
                    (request.get("page") as? com.fasterxml.jackson.databind.node.ObjectNode)
                        ?.set<JsonNode>("token", mapper.readTree(first).path("page").path("next_token"))
                    @Suppress("UNCHECKED_CAST")
                    mapper.readValue(p.authzen(str(then.get("api")) ?: api, json(request), host), Map::class.java) as Map<String, Any?>
                }
            }
            "classify" -> {
                val r = c.get("request")
                classificationMap(p.classify(HttpRequest(r.get("method").asText(), r.get("path").asText(), pairs(r.get("headers")))))
            }
            "authorize_request" -> {
                val r = c.get("request")
                decisionMap(p.authorizeRequest(HttpRequest(r.get("method").asText(), r.get("path").asText(), pairs(r.get("headers"))), hostData(c, pepper, now)))
            }
            "authorize_route" -> {
                val r = c.get("route")
                val route = RouteRequest(r.get("method").asText(), r.get("template").asText(), pairs(r.get("params")), pairs(c.get("headers")))
                decisionMap(p.authorizeRoute(route, hostData(c, pepper, now)))
            }
            "rotate_key" -> {
                val record = keyRecordsFromJson("[" + json(c.get("record")) + "]").first()
                val scopes = c.get("scopes")?.let { if (it.isNull) null else strings(it) }
                val r = p.rotateKey(record, grace = c.get("grace")?.asLong(), scopes = scopes,
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
        if (d.allowed() || d.code() != "missing_permission" || d.status().toInt() != 403 || d.missing() != listOf("deployments:write")) fail(d.toJson())
        if (!policy.isAllowed(alice, "deployments:write", "deployment:web")) fail("grant ignored")
        if (mapper.readTree(d.auditJson()).get("actor").get("principal").asText() != "user:alice") fail(d.auditJson())
    }
    check("an ownership rule reads the resource's attributes") {
        val rules = Policy.fromYaml("""
            version: 1
            permissions: [record:edit]
            rules:
              - permissions: [record:edit]
                when: { resource.owner: principal.id, resource.tags: { in: principal.teams } }
        """.trimIndent())
        val bob = rules.identity(IdentityRecord(PrincipalRecord(id = "user:bob",
            attributes = mapOf("teams" to AttributeValue.Values(listOf(AttributeValue.Text("x")))))))
        val owned = mapOf("owner" to AttributeValue.Text("bob"), "tags" to AttributeValue.Text("x"))
        if (!rules.authorize(bob, "record:edit", "record:1", attributes = owned).allowed()) fail("the owner was refused")
        if (rules.isAllowed(bob, "record:edit", "record:1", attributes = owned + ("owner" to AttributeValue.Text("eve")))) fail("another's record was allowed")
        if (rules.isAllowed(bob, "record:edit", "record:1")) fail("allowed without attributes")
    }
    check("keys round-trip") {
        val generated = policy.generateKey("project_key", "project:p1", scopes = listOf("endpoints:run"))
        if (generated.record().hash != hashKey(generated.key())) fail("hash")
        if (policy.verifyKey(generated.key(), generated.record()).info().principal != "key:${generated.record().id}") fail("principal")
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
        val identity = tp.verifyJwt(session).identity()
        val delegated = tp.delegate("session", identity, key, "mobile-app", listOf("deployments:read"))
        if (tp.verifyJwt(delegated).info().actorChain != listOf("mobile-app")) fail("chain")
        // The platform may check the signature itself: begin, verdict, complete.
        val pending = tp.beginJwt(delegated)
        if (pending.algorithm() != "EdDSA" || pending.publicJwk() == null) fail("pending ${pending.algorithm()}")
        try { tp.completeJwt(pending, false); fail("a false verdict was accepted") }
        catch (e: PermisoException.Refused) { if (e.code != "bad_signature") fail(e.code) }
        // Defaults live in the core: a session without a lifetime lives 900 s.
        val info = tp.verifyJwt(tp.issueSession("session", "bob", key, now = 1_767_225_600L), now = 1_767_225_600L).info()
        if (info.expiresAt != 1_767_225_600L + 900L) fail("session lifetime ${info.expiresAt}")
        // A fetched set holds public keys only, a secret set secrets only.
        val jwks = tokens.get("policy").get("credentials").get("session").get("jwks")
        try { tp.setJwks("session", json(jwks)); fail("an oct key in a public set") }
        catch (e: PermisoException.Refused) { if (e.detail != "invalid_jwk") fail("${e.detail}") }
        try { tp.setSecrets("session", "{\"keys\": []}") } catch (e: PermisoException.Refused) { fail(e.reason) }
        try { tp.delegate("session", identity, key, "mobile-app", listOf("deployments:write")); fail("escalated") }
        catch (e: PermisoException.Refused) { if (e.code != "scope_escalation") fail(e.code) }
    }
    check("a verified token's claims are every claim of its payload") {
        val tokens = mapper.readTree(File(root, "tests/vectors/tokens.json"))
        val tp = Policy.fromJson(json(tokens.get("policy")))
        for (name in listOf("claims the rules do not read may hold any JSON", "a repeated claim: the last one counts")) {
            val token = tokens.get("cases").first { it.get("name").asText() == name }.get("token").asText()
            val payload = String(java.util.Base64.getUrlDecoder().decode(token.split(".")[1]))
            val claims = mapper.readTree(tp.verifyJwt(token, now = tokens.get("now").asLong()).claimsJson())
            if (claims != mapper.readTree(payload)) fail("$name: $claims")
            if (claims.get("sub").asText() != "alice") fail("$name: sub ${claims.get("sub")}")
        }
    }
    check("a cached signature still meets every other rule") {
        val tokens = mapper.readTree(File(root, "tests/vectors/tokens.json"))
        val tp = Policy.fromJson(json(tokens.get("policy")))
        val key = SigningKey.fromPem("ES256", File(root, "tools/vectors/keys/ec256.pem").readText(), "ec256")
        val now = 1_767_225_600L
        val token = tp.issueSession("session", "alice", key, session = "s1", now = now)
        tp.cacheTokens(4)
        tp.verifyJwt(token, now = now)
        if (tp.cachedTokens() != 1L) fail("cached ${tp.cachedTokens()}")
        if (tp.beginJwt(token).publicJwk() != null) fail("a cached signature was handed to the platform")
        try { tp.verifyJwt(token, now = now + 100_000L); fail("expired token accepted") }
        catch (e: PermisoException.Refused) { if (e.code != "expired") fail(e.code) }
        try { tp.verifyJwt(token, revokedSessions = listOf("s1"), now = now); fail("revoked session accepted") }
        catch (e: PermisoException.Refused) { if (e.code != "session_revoked") fail(e.code) }
        try { tp.cacheTokens(-1); fail("a negative capacity") }
        catch (e: PermisoException.Refused) { if (e.code != "invalid_argument") fail(e.code) }
    }
    check("a request or route whose signature the platform checks") {
        val tokens = mapper.readTree(File(root, "tests/vectors/tokens.json"))
        val doc = mapper.readTree(json(tokens.get("policy"))) as com.fasterxml.jackson.databind.node.ObjectNode
        doc.set<JsonNode>("routes", mapper.readTree(
            """[{"method": "GET", "path": "/api/deployments/{deployment}", "permission": "deployments:read", "resource": "deployment:{deployment}"}]"""))
        val tp = Policy.fromJson(json(doc))
        val key = SigningKey.fromPem("ES256", File(root, "tools/vectors/keys/ec256.pem").readText(), "ec256")
        val now = 1_767_225_600L
        val token = tp.issueSession("session", "alice", key, roles = listOf("viewer"), session = "s1", now = now)
        val headers = listOf(Header("authorization", "Bearer $token"))
        val request = HttpRequest("GET", "/api/deployments/web", headers)
        val route = RouteRequest("GET", "/api/deployments/{deployment}", listOf(Header("deployment", "web")), headers)
        if (tp.beginRequest(HttpRequest("GET", "/", listOf())) != null) fail("a request without a token staged one")
        val pending = tp.beginRequest(request) ?: fail("the ES256 token was not staged")
        if (pending.algorithm() != "ES256" || pending.publicJwk() == null) fail("staged ${pending.algorithm()}")
        // RFC 7638 thumbprint of tools/vectors/keys/ec256.pem's public key (computed apart with hashlib).
        if (pending.keyThumbprint() != "TY7H_8Q-nyfkDB3Sq15btCfyaA01-pLftaQoRVcRgd4") fail("thumbprint ${pending.keyThumbprint()}")
        val decide = listOf<(Boolean?, HostData) -> Decision>(
            { verdict, host -> tp.completeRequest(request, host, pending, verdict) },
            { verdict, host -> tp.completeRoute(route, host, pending, verdict) },
        )
        for (d in decide) {
            val allowed = d(true, HostData(now = now))
            if (!allowed.allowed() || !allowed.toJson().contains("\"deployment:web\"")) fail("not allowed: ${allowed.toJson()}")
            if (!d(null, HostData(now = now)).allowed()) fail("the core's own check refused it")
            if (d(false, HostData(now = now)).code() != "bad_signature") fail("a bad verdict was accepted")
            if (d(true, HostData(now = now, revokedSessions = listOf("s1"))).code() != "session_revoked") fail("revoked")
            if (d(true, HostData(now = now + 100_000L)).code() != "expired") fail("expired token accepted")
        }
        val nowhere = RouteRequest("GET", "/api/nowhere", listOf(), headers)
        if (tp.completeRoute(nowhere, HostData(now = now), pending, true).code() != "no_route") fail("no route")
    }
}

// Every operation of the core's list is exposed by this package, under
// Kotlin's spelling (snake_case to camelCase).
fun parityTests() {
    check("the package exposes every operation of the core") {
        val names = mutableSetOf<String>()
        listOf(Policy::class.java, Policy.Companion::class.java, Class.forName("dev.permiso.PermisoKt"))
            .forEach { cls -> cls.methods.forEach { names.add(it.name) } }
        val camel = { s: String -> s.split("_").mapIndexed { i, w -> if (i == 0) w else w.replaceFirstChar { it.uppercase() } }.joinToString("") }
        val missing = operations().map(camel).filter { it !in names }
        if (operations().size < 20) fail("the core lists only ${operations().size} operations")
        if (missing.isNotEmpty()) fail("missing: $missing")
    }
    check("JwksRefresh schedules fetches") {
        val refresh = JwksRefresh(300, 30)
        if (!refresh.due(100)) fail("a first fetch is due")
        refresh.succeeded(100)
        if (refresh.due(399) || !refresh.due(400)) fail("max-age")
        if (refresh.onUnknownKid(110) || !refresh.onUnknownKid(130)) fail("cooldown")
        try { refresh.due(1_767_225_600_000L); fail("milliseconds accepted") }
        catch (e: PermisoException.Refused) { if (e.code != "invalid_argument") fail(e.code) }
    }
    check("classify names what to fetch") {
        val policy = Policy.fromYaml(File(System.getProperty("permiso.root") ?: ".", "examples/policy.yaml").readText())
        val c = policy.classify(HttpRequest("GET", "/api/deployments/web", listOf()))
        if (c.route?.permission == null || c.credential != CredentialRef.None) fail("$c")
    }
}

// The AuthZEN interop files (Todo, API gateway), one check per decision.
fun interopTests(root: File) {
    val dir = File(root, "examples/authzen")
    for ((scenario, decisions) in listOf("todo" to "todo-decisions-1_0-02.json", "gateway" to "gateway-decisions.json")) {
        val policy = Policy.fromYaml(File(dir, "$scenario-policy.yaml").readText())
        val host = HostData(principals = principalRecordsFromJson(json(mapper.readTree(File(dir, "$scenario-host.json")).get("principals"))))
        // The published files when PERMISO_AUTHZEN names their directory.
        val file = mapper.readTree(File(System.getenv("PERMISO_AUTHZEN") ?: File(dir, "interop").path, decisions))
        file.get("evaluation")?.forEachIndexed { i, e ->
            check("$scenario evaluation[$i]") {
                val got = mapper.readTree(policy.accessEvaluation(json(e.get("request")), host)).get("decision").asBoolean()
                if (got != e.get("expected").asBoolean()) fail("expected ${e.get("expected")}, got $got")
            }
        }
        file.get("evaluations")?.forEachIndexed { i, e ->
            check("$scenario evaluations[$i]") {
                val got = mapper.readTree(policy.accessEvaluations(json(e.get("request")), host)).get("evaluations")
                    .map { mapOf("decision" to it.get("decision").asBoolean()) }
                val want = e.get("expected").map { mapOf("decision" to it.get("decision").asBoolean()) }
                if (got != want) fail("expected $want, got $got")
            }
        }
    }
}

fun main() {
    val root = File(System.getProperty("permiso.root") ?: ".").canonicalFile
    replayVectors(root)
    interopTests(root)
    apiTests(root)
    parityTests()
    println("kotlin: $passed passed, $failed failed")
    if (failed > 0) exitProcess(1)
}
