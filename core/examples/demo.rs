//! The README demo: load the example policy, issue a project key, verify it
//! and print a few decisions with their codes and audit records.
//!
//! `cargo run -p permiso --example demo [path/to/policy.yaml]`

use permiso::{Check, Decision, IdentityRecord, NewKey, Policy, PrincipalRecord, VerifyKeyOptions};

fn show(title: &str, d: &Decision<'_>) {
    println!("  {title}");
    println!(
        "    -> {} ({}, HTTP {}): {}",
        if d.allowed() { "ALLOW" } else { "DENY" },
        d.code(),
        d.status(),
        d.message()
    );
    println!("    audit {}", d.audit_json());
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/policy.yaml").to_owned());
    let text = std::fs::read_to_string(&path)?;
    let policy = Policy::from_yaml(&text)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    println!("policy {path}\n  hash {}", policy.hash());

    // 1. A project key: acts as itself, may only run endpoints.
    let options = NewKey {
        scopes: Some(vec!["endpoints:run".into()]),
        label: Some("ci runner".into()),
        expires_at: Some(now + 90 * 86_400),
        ..NewKey::default()
    };
    let generated = policy.generate_key("project_key", "project:p1", &options, now)?;
    println!("\ngenerated a project key (shown once): {}", generated.key.expose());
    println!(
        "  record stored by the host: {}",
        serde_json::to_string(&generated.record)?
    );

    let verified = policy.verify_key(
        generated.key.expose(),
        generated.record.clone(),
        &VerifyKeyOptions::at(now),
    )?;
    println!("  verified: acts as `{}`", verified.principal_id());
    let project = PrincipalRecord {
        id: "project:p1".into(),
        tenant: Some("project:p1".into()),
        ..PrincipalRecord::default()
    };
    let key_identity = policy.key_identity(&verified, Some(&project))?;

    println!("\ndecisions for the project key:");
    show(
        "run endpoint `nightly` in project p1",
        &policy.authorize(
            &key_identity,
            Check::new("endpoints:run")
                .on("endpoint:nightly")
                .in_tenant("project:p1"),
            now,
        ),
    );
    show(
        "configure endpoint `nightly` (never for project keys)",
        &policy.authorize(
            &key_identity,
            Check::new("endpoints:configure")
                .on("endpoint:nightly")
                .in_tenant("project:p1"),
            now,
        ),
    );
    show(
        "run an endpoint of project p2",
        &policy.authorize(
            &key_identity,
            Check::new("endpoints:run")
                .on("endpoint:nightly")
                .in_tenant("project:p2"),
            now,
        ),
    );
    let mistyped = format!("{}x", &generated.key.expose()[..generated.key.expose().len() - 1]);
    match policy.verify_key(&mistyped, generated.record.clone(), &VerifyKeyOptions::at(now)) {
        Ok(_) => println!("  a mistyped key verified?!"),
        Err(e) => println!("  a mistyped key: {} ({})", e, e.code()),
    }

    // 2. A user with a role and a per-resource grant.
    let alice = policy.identity(IdentityRecord {
        principal: serde_json::from_str(
            r#"{"id": "user:alice", "roles": ["viewer"], "grants": [{"resource": "deployment:web", "level": "write"}]}"#,
        )?,
        credential: None,
    })?;
    println!("\ndecisions for user:alice (viewer, write on deployment:web):");
    show(
        "write deployment:web",
        &policy.authorize(&alice, Check::new("deployments:write").on("deployment:web"), now),
    );
    show(
        "write deployment:api",
        &policy.authorize(&alice, Check::new("deployments:write").on("deployment:api"), now),
    );
    show(
        "delete something undeclared",
        &policy.authorize(&alice, Check::new("deployments:launch"), now),
    );
    Ok(())
}
