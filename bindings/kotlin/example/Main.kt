// A mobile-admin-style flow with the Kotlin binding: load the policy, decide
// locally what the signed-in user may do on a few screens (to hide buttons),
// and mint a delegated token with a subset of scopes for a companion service.
import dev.permiso.*
import java.io.File

fun main() {
    val root = File(System.getProperty("permiso.root") ?: ".")
    val policy = Policy.fromYaml(File(root, "examples/policy.yaml").readText())
    println("policy ${policy.hash()}")

    // The signed-in user, as the server described her at login.
    val alice = policy.identity(
        IdentityRecord(
            principal = PrincipalRecord(
                id = "user:alice",
                tenant = "project:p1",
                roles = listOf("viewer"),
                grants = listOf(Grant(resource = "deployment:web", level = "write")),
            ),
            credential = CredentialInfo(kind = "session", session = "s-alice-phone"),
        ),
    )
    val screens = listOf(
        Triple("Deployments / web: Deploy button", "deployments:write", "deployment:web"),
        Triple("Deployments / api: Deploy button", "deployments:write", "deployment:api"),
        Triple("Deployments / web: Delete button", "deployments:delete", "deployment:web"),
        Triple("Audit log tab", "audit:read", null),
        Triple("API keys screen", "apikeys:manage", null),
    )
    for ((screen, action, resource) in screens) {
        val shown = policy.isAllowed(alice, action, resource)
        println("  ${if (shown) "show" else "hide"}  $screen")
    }
    val why = policy.authorize(alice, "apikeys:manage")
    println("  why is the API keys screen hidden? ${why.code()}: ${why.message()}")

    // A delegated token for the companion watch app: read-only, 5 minutes.
    val tokens = Policy.fromJson(File(root, "tests/vectors/tokens.json").readText().let {
        com.fasterxml.jackson.databind.ObjectMapper().readTree(it).get("policy").toString()
    })
    val key = SigningKey.fromPem("EdDSA", File(root, "tools/vectors/keys/ed25519.pem").readText(), "ed")
    val session = tokens.issueSession("session", "alice", key, roles = listOf("viewer"), session = "s-alice-phone")
    val me = tokens.verifyJwt(session).identity()
    val watch = tokens.delegate("session", me, key, actor = "watch-app", scopes = listOf("deployments:read"))
    val info = tokens.verifyJwt(watch).info()
    println("delegated token for ${info.principal}, acted on by ${info.actorChain}, scopes ${info.scopes}")
    try {
        tokens.delegate("session", me, key, actor = "watch-app", scopes = listOf("deployments:delete"))
    } catch (e: PermisoException.Refused) {
        println("asking for more than Alice holds: ${e.code}")
    }
}
