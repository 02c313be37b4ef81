//! `permiso`: the command-line tool. It parses arguments, reads files and
//! prints; every rule lives in the `permiso` crate.
//!
//! Exit codes: 0 allowed / ok, 1 denied / invalid, 2 usage error.
//! Secrets never travel in arguments: plaintext keys are read from stdin
//! (`-`) or given positionally, peppers and HMAC secrets come from
//! environment variables named by `--pepper-env` / `--secret-env`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use clap::{Args, Parser, Subcommand};
use permiso::wire;
use permiso::{
    Format, HostData, KeyRecord, Outcome, Pepper, Policy, PrincipalRecord, Request, ResourceRecord, RouteRequest,
    SigningKey,
};
use permiso_conformance as conformance;
use serde::Deserialize;
use serde_json::{json, Value};

/// Writes a line to stdout. When the reader has gone away (`permiso keygen |
/// head -n 1`), the tool ends at once, quietly and successfully: what it
/// still had to say is not wanted. Any other write error ends it with 1.
fn emit(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.write_all(b"\n")) {
        std::process::exit(if e.kind() == std::io::ErrorKind::BrokenPipe {
            0
        } else {
            1
        });
    }
}

/// `println!` through [`emit`].
macro_rules! outln {
    ($($arg:tt)*) => { emit(format_args!($($arg)*)) };
}

/// `eprintln!` that never panics: a closed stderr loses the message only.
macro_rules! errln {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

#[derive(Parser)]
#[command(name = "permiso", version, about = "Keys, tokens, policies and request checks", long_about = None)]
struct Cli {
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate an API key: prints the key once and its record.
    Keygen(KeygenArgs),
    /// Print the stored hash of a key.
    Hash(HashArgs),
    /// Verify a key against its record.
    VerifyKey(VerifyKeyArgs),
    /// Validate a policy file: ok, or each error with its path.
    Validate(ValidateArgs),
    /// Decide a request: the decision as JSON.
    Check(RequestArgs),
    /// Decide a request and show every step of the evaluation.
    Explain(RequestArgs),
    /// Issue, delegate and verify tokens.
    #[command(subcommand)]
    Jwt(JwtCommand),
    /// Replay a directory of conformance vectors.
    Vectors(VectorsArgs),
    /// Answer an AuthZEN request (`permiso authzen evaluation REQUEST.json`),
    /// or replay an AuthZEN interop decision file (`permiso authzen replay FILE`).
    Authzen(AuthzenArgs),
    /// Run the AuthZEN decision point over HTTP
    /// (`permiso serve -p POLICY --data DATA --caller-kind KIND`).
    Serve(ServeArgs),
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    policy: PolicyArg,
    /// Host data: a .json/.yaml/.toml file, or an SQLite database
    /// (`sqlite:FILE`, or a .db/.sqlite/.sqlite3 file).
    #[arg(long)]
    data: String,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: std::net::SocketAddr,
    /// The credential kind callers authenticate with; repeatable.
    #[arg(long = "caller-kind", value_name = "KIND")]
    caller_kinds: Vec<String>,
    /// Answer without caller credentials (loopback addresses only).
    #[arg(long)]
    open: bool,
    /// Public keys of a jwt kind, from a JWK Set file; repeatable.
    #[arg(long, value_name = "KIND=FILE")]
    jwks: Vec<String>,
    /// The environment variable holding the pepper of `hmac-sha256:` key hashes.
    #[arg(long)]
    pepper_env: Option<String>,
    /// The base URL the metadata advertises (default: http://LISTEN).
    #[arg(long)]
    public_url: Option<String>,
    /// The largest request body, in bytes.
    #[arg(long, default_value_t = 1_048_576)]
    max_body: usize,
    /// Seconds a request may take, body included.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
    /// Seconds between checks of the policy and data for changes (0: only on SIGHUP).
    #[arg(long, default_value_t = 1.0)]
    reload_interval: f64,
    /// Seconds requests in flight may take to finish after SIGTERM.
    #[arg(long, default_value_t = 10)]
    shutdown_grace: u64,
}

#[derive(Args)]
struct AuthzenArgs {
    /// `evaluation`, `evaluations`, `search/subject`, `search/resource`,
    /// `search/action`, or `replay`.
    api: String,
    /// The request (JSON), or with `replay` the decision file; `-` reads stdin.
    file: PathBuf,
    #[command(flatten)]
    policy: PolicyArg,
    /// Host data files (JSON: `principals`, `resources`); repeatable.
    #[arg(long)]
    host_data: Vec<PathBuf>,
    /// With `replay`: the search API the file's `search` entries are for.
    #[arg(long = "api")]
    search_api: Option<String>,
    #[command(flatten)]
    time: TimeArg,
}

#[derive(Args)]
struct PolicyArg {
    /// The policy file (.json, .yaml/.yml or .toml).
    #[arg(long, short = 'p')]
    policy: PathBuf,
}

#[derive(Args)]
struct TimeArg {
    /// The current time, unix seconds (default: the system clock).
    #[arg(long)]
    now: Option<i64>,
}

/// The system clock, unix seconds.
fn clock() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

impl TimeArg {
    fn get(&self) -> i64 {
        self.now.unwrap_or_else(clock)
    }
}

#[derive(Args)]
struct KeygenArgs {
    #[command(flatten)]
    policy: PolicyArg,
    /// The credential kind (an `api_key` kind of the policy).
    #[arg(long)]
    kind: String,
    /// The owner, a typed principal id such as `user:alice`.
    #[arg(long)]
    owner: String,
    /// Scopes, comma-separated.
    #[arg(long, value_delimiter = ',')]
    scopes: Option<Vec<String>>,
    /// Lifetime in seconds.
    #[arg(long)]
    expires_in: Option<i64>,
    /// A label.
    #[arg(long)]
    label: Option<String>,
    /// Environment variable holding the pepper.
    #[arg(long)]
    pepper_env: Option<String>,
    /// Also write the record (never the key) to this file.
    #[arg(long)]
    record_out: Option<PathBuf>,
    #[command(flatten)]
    time: TimeArg,
}

#[derive(Args)]
struct HashArgs {
    /// The key, or `-` to read it from stdin.
    #[arg(default_value = "-")]
    key: String,
    /// Environment variable holding the pepper.
    #[arg(long)]
    pepper_env: Option<String>,
}

#[derive(Args)]
struct VerifyKeyArgs {
    #[command(flatten)]
    policy: PolicyArg,
    /// The key record (JSON).
    #[arg(long)]
    record: PathBuf,
    /// The key, or `-` to read it from stdin.
    #[arg(default_value = "-")]
    key: String,
    /// Environment variable holding the pepper.
    #[arg(long)]
    pepper_env: Option<String>,
    /// An owner principal record (JSON), to show the identity.
    #[arg(long)]
    owner: Option<PathBuf>,
    #[command(flatten)]
    time: TimeArg,
}

#[derive(Args)]
struct ValidateArgs {
    /// The policy file.
    policy: PathBuf,
}

#[derive(Args)]
struct RequestArgs {
    #[command(flatten)]
    policy: PolicyArg,
    /// The HTTP method.
    #[arg(long, short = 'X', default_value = "GET")]
    method: String,
    /// The request path (with an optional query); with `--route`, the route
    /// template the application's router matched.
    path: String,
    /// Authorize PATH as a matched route template (route identity) instead of
    /// matching a path; its decoded parameters come from `--param`.
    #[arg(long)]
    route: bool,
    /// A decoded route parameter, `name=value`; repeatable (with `--route`).
    #[arg(long = "param", requires = "route")]
    params: Vec<String>,
    /// A header, `Name: value`; repeatable.
    #[arg(long = "header", short = 'H')]
    headers: Vec<String>,
    /// Host data files (JSON: keys, principals, revoked_keys, revoked_sessions); repeatable.
    #[arg(long)]
    host_data: Vec<PathBuf>,
    /// Key record files (JSON) to add to the host data; repeatable.
    #[arg(long)]
    key_record: Vec<PathBuf>,
    /// Environment variable holding the pepper.
    #[arg(long)]
    pepper_env: Option<String>,
    #[command(flatten)]
    time: TimeArg,
}

#[derive(Subcommand)]
enum JwtCommand {
    /// Sign a session token.
    Issue(JwtIssueArgs),
    /// Sign a delegated token for the subject of an existing token.
    Delegate(JwtDelegateArgs),
    /// Verify a token.
    Verify(JwtVerifyArgs),
}

#[derive(Args)]
struct SignerArgs {
    /// The jwt credential kind.
    #[arg(long, default_value = "session")]
    kind: String,
    /// The algorithm (HS256 ... EdDSA).
    #[arg(long)]
    alg: String,
    /// A PEM private key file (RSA, ECDSA, EdDSA).
    #[arg(long)]
    key: Option<PathBuf>,
    /// Environment variable holding an HMAC secret, base64url (as a JWK `k`).
    #[arg(long)]
    secret_env: Option<String>,
    /// The `kid` to write in the header.
    #[arg(long)]
    kid: Option<String>,
}

#[derive(Args)]
struct JwtIssueArgs {
    #[command(flatten)]
    policy: PolicyArg,
    #[command(flatten)]
    signer: SignerArgs,
    /// The subject (`sub`).
    #[arg(long)]
    sub: String,
    /// Scopes, comma-separated.
    #[arg(long, value_delimiter = ',')]
    scopes: Option<Vec<String>>,
    /// Roles, comma-separated.
    #[arg(long, value_delimiter = ',')]
    roles: Vec<String>,
    /// Tenant.
    #[arg(long)]
    tenant: Option<String>,
    /// Session id (`sid`); random when absent.
    #[arg(long)]
    session: Option<String>,
    /// `client_id`, for a service account's client_credentials token.
    #[arg(long)]
    client_id: Option<String>,
    /// Lifetime in seconds.
    /// Seconds (900 when absent), capped by the kind's `max_lifetime`.
    #[arg(long)]
    lifetime: Option<i64>,
    #[command(flatten)]
    time: TimeArg,
}

#[derive(Args)]
struct JwtDelegateArgs {
    #[command(flatten)]
    policy: PolicyArg,
    #[command(flatten)]
    signer: SignerArgs,
    /// The delegating identity's token.
    #[arg(long)]
    token: String,
    /// The acting client (`act.sub`).
    #[arg(long)]
    actor: String,
    /// Requested scopes, comma-separated.
    #[arg(long, value_delimiter = ',')]
    scopes: Vec<String>,
    /// Audience (default: the kind's).
    #[arg(long)]
    audience: Option<String>,
    /// Lifetime in seconds.
    /// Seconds (300 when absent), capped by the kind and the token's own expiry.
    #[arg(long)]
    lifetime: Option<i64>,
    /// Host data with the subject's principal record.
    #[arg(long)]
    host_data: Vec<PathBuf>,
    #[command(flatten)]
    time: TimeArg,
}

#[derive(Args)]
struct JwtVerifyArgs {
    #[command(flatten)]
    policy: PolicyArg,
    /// The token, or `-` to read it from stdin.
    #[arg(default_value = "-")]
    token: String,
    /// A revoked session id; repeatable.
    #[arg(long)]
    revoked_session: Vec<String>,
    /// Verify against this jwt kind only.
    #[arg(long)]
    kind: Option<String>,
    #[command(flatten)]
    time: TimeArg,
}

#[derive(Args)]
struct VectorsArgs {
    /// The directory of vector files (default: `PERMISO_VECTORS`, else `tests/vectors`).
    dir: Option<PathBuf>,
}

/// What went wrong, and so the exit code.
enum Failure {
    /// 1: denied, invalid or refused.
    Denied,
    /// 2: a usage error (bad arguments, unreadable files).
    Usage(String),
}

type Run = Result<(), Failure>;

fn usage(msg: impl Into<String>) -> Failure {
    Failure::Usage(msg.into())
}

fn read_file(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| usage(format!("cannot read `{}`: {e}", path.display())))
}

fn read_secret_arg(value: &str) -> Result<String, Failure> {
    if value != "-" {
        return Ok(value.to_owned());
    }
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| usage(format!("cannot read stdin: {e}")))?;
    Ok(text.trim_end_matches(['\n', '\r']).to_owned())
}

fn env_secret(name: &Option<String>) -> Result<Option<String>, Failure> {
    match name {
        None => Ok(None),
        Some(var) => std::env::var(var)
            .map(Some)
            .map_err(|_| usage(format!("environment variable `{var}` is not set"))),
    }
}

fn pepper(name: &Option<String>) -> Result<Option<Pepper>, Failure> {
    Ok(env_secret(name)?.map(|p| Pepper::from(p.as_str())))
}

/// Prints a refusal: the error record as JSON, or a line per problem.
fn fail(json: bool, e: wire::Error) -> Failure {
    if json {
        let mut out = serde_json::to_value(&e).unwrap_or(Value::Null);
        if let Value::Object(map) = &mut out {
            map.insert("ok".into(), Value::Bool(false));
        }
        outln!("{out}");
    } else if e.issues.is_empty() {
        errln!("refused: {} [{}]", e.message, e.code);
    } else {
        errln!(
            "invalid policy ({} problem{}):",
            e.issues.len(),
            if e.issues.len() == 1 { "" } else { "s" }
        );
        for i in &e.issues {
            let at = if i.path.is_empty() {
                "(document)"
            } else {
                i.path.as_str()
            };
            errln!("  {at}: {} [{}]", i.message, i.detail);
        }
    }
    Failure::Denied
}

/// A result record as JSON with `ok: true`.
fn ok_json<T: serde::Serialize>(value: &T) -> Value {
    let mut out = serde_json::to_value(value).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut out {
        map.insert("ok".into(), Value::Bool(true));
    }
    out
}

fn load_policy(json: bool, path: &Path) -> Result<Policy, Failure> {
    let text = read_file(path)?;
    let format = Format::from_path(&path.to_string_lossy())
        .ok_or_else(|| usage(format!("`{}`: use a .json, .yaml, .yml or .toml file", path.display())))?;
    wire::compile(&text, format).map_err(|e| fail(json, e))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct HostFile {
    #[serde(default)]
    keys: Vec<KeyRecord>,
    #[serde(default)]
    principals: Vec<PrincipalRecord>,
    #[serde(default)]
    resources: Vec<ResourceRecord>,
    #[serde(default)]
    revoked_keys: Vec<String>,
    #[serde(default)]
    revoked_sessions: Vec<String>,
}

fn load_host(files: &[PathBuf], records: &[PathBuf]) -> Result<HostFile, Failure> {
    let mut host = HostFile::default();
    for path in files {
        let part: HostFile =
            serde_json::from_str(&read_file(path)?).map_err(|e| usage(format!("`{}`: {e}", path.display())))?;
        host.keys.extend(part.keys);
        host.principals.extend(part.principals);
        host.resources.extend(part.resources);
        host.revoked_keys.extend(part.revoked_keys);
        host.revoked_sessions.extend(part.revoked_sessions);
    }
    for path in records {
        let record: KeyRecord =
            serde_json::from_str(&read_file(path)?).map_err(|e| usage(format!("`{}`: {e}", path.display())))?;
        host.keys.push(record);
    }
    Ok(host)
}

fn keygen(json: bool, a: &KeygenArgs) -> Run {
    let policy = load_policy(json, &a.policy.policy)?;
    let pepper = pepper(&a.pepper_env)?;
    let now = a.time.get();
    let options = wire::NewKeyOptions {
        scopes: a.scopes.clone(),
        label: a.label.clone(),
        expires_at: a.expires_in.map(|s| now.saturating_add(s)),
        pepper,
        now: Some(now),
    };
    let generated = wire::generate_key(&policy, &a.kind, &a.owner, &options, clock).map_err(|e| fail(json, e))?;
    if let Some(path) = &a.record_out {
        let text = serde_json::to_string_pretty(&generated.record).map_err(|e| usage(e.to_string()))?;
        std::fs::write(path, text).map_err(|e| usage(format!("cannot write `{}`: {e}", path.display())))?;
    }
    if json {
        outln!("{}", ok_json(&generated));
    } else {
        outln!("{}", generated.key.expose());
        errln!("(shown once: store only the record)");
        outln!(
            "{}",
            serde_json::to_string_pretty(&generated.record).unwrap_or_default()
        );
    }
    Ok(())
}

fn hash(json: bool, a: &HashArgs) -> Run {
    let key = read_secret_arg(&a.key)?;
    let pepper = pepper(&a.pepper_env)?;
    let hash = wire::hash_key(&key, pepper.as_ref()).map_err(|e| fail(json, e))?;
    if json {
        outln!("{}", json!({"ok": true, "hash": hash}));
    } else {
        outln!("{hash}");
    }
    Ok(())
}

fn verify_key(json: bool, a: &VerifyKeyArgs) -> Run {
    let policy = load_policy(json, &a.policy.policy)?;
    let record: KeyRecord =
        serde_json::from_str(&read_file(&a.record)?).map_err(|e| usage(format!("`{}`: {e}", a.record.display())))?;
    let key = read_secret_arg(&a.key)?;
    let pepper = pepper(&a.pepper_env)?;
    let options = wire::KeyOptions {
        pepper,
        revoked_keys: Vec::new(),
        now: Some(a.time.get()),
    };
    let verified = wire::verify_key(&policy, &key, record, &options, clock).map_err(|e| fail(json, e))?;
    let principal = verified.principal_id();
    if let Some(path) = &a.owner {
        let owner: PrincipalRecord =
            serde_json::from_str(&read_file(path)?).map_err(|e| usage(format!("`{}`: {e}", path.display())))?;
        policy
            .key_identity(&verified, Some(&owner))
            .map_err(|e| fail(json, e.into()))?;
    }
    if json {
        outln!("{}", ok_json(&wire::key_info(&verified)));
    } else {
        outln!("ok: {} key {} acts as {principal}", verified.kind, verified.mask);
    }
    Ok(())
}

fn validate(json: bool, a: &ValidateArgs) -> Run {
    let policy = load_policy(json, &a.policy)?;
    if json {
        outln!(
            "{}",
            json!({"ok": true, "hash": policy.hash().to_string(), "permissions": policy.permissions().count(),
                   "credential_kinds": policy.credential_kinds().collect::<Vec<_>>()})
        );
    } else {
        outln!(
            "ok: {} permissions, credential kinds: {} (hash {})",
            policy.permissions().count(),
            policy.credential_kinds().collect::<Vec<_>>().join(", "),
            policy.hash()
        );
    }
    Ok(())
}

fn request_parts(a: &RequestArgs) -> Result<Vec<(String, String)>, Failure> {
    a.headers
        .iter()
        .map(|h| {
            h.split_once(':')
                .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
                .ok_or_else(|| usage(format!("header `{h}` is not `Name: value`")))
        })
        .collect()
}

fn check(json: bool, a: &RequestArgs, explain: bool) -> Run {
    let policy = load_policy(json, &a.policy.policy)?;
    let headers = request_parts(a)?;
    let borrowed: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let host = load_host(&a.host_data, &a.key_record)?;
    let pepper = pepper(&a.pepper_env)?;
    let data = HostData {
        keys: &host.keys,
        principals: &host.principals,
        resources: &host.resources,
        revoked_keys: &host.revoked_keys,
        revoked_sessions: &host.revoked_sessions,
        pepper: pepper.as_ref(),
        now: a.time.get(),
    };
    let params = a
        .params
        .iter()
        .map(|p| {
            p.split_once('=')
                .ok_or_else(|| Failure::Usage(format!("--param `{p}` is not `name=value`")))
        })
        .collect::<Result<Vec<(&str, &str)>, Failure>>()?;
    let outcome = if a.route {
        policy.explain_route(
            &RouteRequest {
                method: &a.method,
                template: &a.path,
                params: &params,
                headers: &borrowed,
            },
            &data,
        )
    } else {
        let request = Request {
            method: &a.method,
            path: &a.path,
            headers: &borrowed,
        };
        policy.explain_request(&request, &data)
    };
    let d = &outcome.decision;
    let mut result = serde_json::to_value(wire::DecisionInfo::from(d)).unwrap_or(Value::Null);
    if explain {
        let mut steps = vec![
            json!({"step": "route", "outcome": if outcome.route.is_some() { "passed" } else { "failed" },
                   "detail": outcome.route.as_ref().map(|r| r.route)}),
            json!({"step": "credential", "detail": outcome.credential}),
        ];
        if let Some(ev) = &outcome.evaluation {
            steps.push(json!({"step": "authentication", "outcome": "passed"}));
            for (n, what, code, o) in ev.rows() {
                steps.push(json!({"step": n, "check": what, "outcome": o, "code_on_failure": code.as_str()}));
            }
            for rule in &outcome.rules {
                steps.push(json!({"step": "rule", "rule": rule.rule, "allowed": rule.allowed, "failed": rule.failed}));
            }
        }
        if let Some(map) = result.as_object_mut() {
            map.insert("steps".into(), Value::Array(steps));
        }
    }
    if json {
        outln!("{result}");
    } else {
        let verdict = if d.allowed() { "ALLOW" } else { "DENY" };
        outln!(
            "{verdict} {} {}: {} (HTTP {}) {}",
            a.method,
            a.path,
            d.code(),
            d.status(),
            d.message()
        );
        if explain {
            outln!("  route:      {}", outcome.route.as_ref().map_or("(none)", |r| r.route));
            outln!(
                "  credential: {}",
                serde_json::to_string(&outcome.credential).unwrap_or_default()
            );
            match &outcome.evaluation {
                None => outln!("  stopped before the evaluation table: {}", d.code()),
                Some(ev) => {
                    outln!("  authenticated as {}", d.actor().principal().unwrap_or("?"));
                    for (n, what, code, o) in ev.rows() {
                        let mark = match o {
                            Outcome::Passed => "pass",
                            Outcome::Failed => "FAIL",
                            Outcome::NotApplicable => " n/a",
                        };
                        outln!("  {n}. [{mark}] {what} (else {code})");
                    }
                    for rule in &outcome.rules {
                        match &rule.failed {
                            None => outln!("     rules[{}] allows", rule.rule),
                            Some(entry) => outln!("     rules[{}] does not apply: `{entry}` fails", rule.rule),
                        }
                    }
                }
            }
        }
        outln!("  audit {}", d.audit_json());
    }
    if d.allowed() {
        Ok(())
    } else {
        Err(Failure::Denied)
    }
}

fn signing_key(s: &SignerArgs) -> Result<SigningKey, Failure> {
    let key = match (&s.key, &s.secret_env) {
        (Some(path), None) => {
            let pem = std::fs::read(path).map_err(|e| usage(format!("cannot read `{}`: {e}", path.display())))?;
            SigningKey::from_pem(&s.alg, &pem)
        }
        (None, Some(_)) => {
            let encoded = env_secret(&s.secret_env)?.unwrap_or_default();
            let secret = URL_SAFE_NO_PAD
                .decode(encoded.trim())
                .map_err(|_| usage("the HMAC secret is not base64url"))?;
            SigningKey::hmac(&s.alg, &secret)
        }
        _ => return Err(usage("give exactly one of --key (PEM) or --secret-env (HMAC)")),
    }
    .map_err(|e| usage(e.to_string()))?;
    Ok(match &s.kid {
        Some(kid) => key.with_kid(kid.clone()),
        None => key,
    })
}

fn print_token(json: bool, token: &str) {
    if json {
        outln!("{}", json!({"ok": true, "token": token}));
    } else {
        outln!("{token}");
    }
}

fn jwt_issue(json: bool, a: &JwtIssueArgs) -> Run {
    let policy = load_policy(json, &a.policy.policy)?;
    let key = signing_key(&a.signer)?;
    let request = wire::SessionOptions {
        subject: a.sub.clone(),
        session: a.session.clone(),
        scopes: a.scopes.clone(),
        roles: a.roles.clone(),
        tenant: a.tenant.clone(),
        client_id: a.client_id.clone(),
        lifetime: a.lifetime,
        now: Some(a.time.get()),
    };
    let token = wire::issue_session(&policy, &a.signer.kind, &request, &key, clock).map_err(|e| fail(json, e))?;
    print_token(json, &token);
    Ok(())
}

fn jwt_delegate(json: bool, a: &JwtDelegateArgs) -> Run {
    let policy = load_policy(json, &a.policy.policy)?;
    let key = signing_key(&a.signer)?;
    let now = a.time.get();
    let host = load_host(&a.host_data, &[])?;
    let options = wire::TokenOptions {
        revoked_sessions: host.revoked_sessions.clone(),
        revoked_keys: host.revoked_keys.clone(),
        kind: None,
        now: Some(now),
    };
    let verified = wire::verify_jwt(&policy, &a.token, &options, clock).map_err(|e| fail(json, e))?;
    let principal = host.principals.iter().find(|p| p.id == verified.principal.id);
    let identity = policy
        .token_identity(&verified, principal)
        .map_err(|e| fail(json, e.into()))?;
    let request = wire::DelegationOptions {
        actor: a.actor.clone(),
        scopes: a.scopes.clone(),
        audience: a.audience.clone(),
        lifetime: a.lifetime,
        now: Some(now),
    };
    let token = wire::delegate(&policy, &a.signer.kind, &identity, &request, &key, clock).map_err(|e| fail(json, e))?;
    print_token(json, &token);
    Ok(())
}

fn jwt_verify(json: bool, a: &JwtVerifyArgs) -> Run {
    let policy = load_policy(json, &a.policy.policy)?;
    let token = read_secret_arg(&a.token)?;
    let options = wire::TokenOptions {
        revoked_sessions: a.revoked_session.clone(),
        revoked_keys: Vec::new(),
        kind: a.kind.clone(),
        now: Some(a.time.get()),
    };
    let verified = wire::verify_jwt(&policy, &token, &options, clock).map_err(|e| fail(json, e))?;
    if json {
        outln!("{}", ok_json(&wire::TokenInfo::from(&verified)));
    } else {
        outln!(
            "ok: {} token ({}) for {}{}",
            verified.kind,
            verified.algorithm,
            verified.principal.id,
            if verified.credential.actor_chain.is_empty() {
                String::new()
            } else {
                format!(", acted on by {}", verified.credential.actor_chain.join(" <- "))
            }
        );
    }
    Ok(())
}

fn authzen(json: bool, a: &AuthzenArgs) -> Run {
    let policy = load_policy(json, &a.policy.policy)?;
    let files = load_host(&a.host_data, &[])?;
    let host = wire::HostRecords {
        principals: files.principals,
        resources: files.resources,
        now: Some(a.time.get()),
        ..Default::default()
    };
    let text = if a.file.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| usage(format!("cannot read stdin: {e}")))?;
        text
    } else {
        read_file(&a.file)?
    };
    if a.api == "replay" {
        let report = conformance::replay_interop(&policy, &host, &text, a.search_api.as_deref());
        for case in &report.cases {
            if let Some(why) = &case.failure {
                errln!("FAIL {} :: {}: {why}", a.file.display(), case.name);
            }
        }
        if json {
            outln!("{}", json!({"passed": report.passed(), "failed": report.failed()}));
        } else {
            outln!("{} passed, {} failed", report.passed(), report.failed());
        }
        return if report.failed() == 0 {
            Ok(())
        } else {
            Err(Failure::Denied)
        };
    }
    let request: Value =
        serde_json::from_str(&text).map_err(|e| usage(format!("`{}` is not JSON: {e}", a.file.display())))?;
    let response = wire::authzen(&policy, &a.api, &request, &host, clock).map_err(|e| fail(json, e))?;
    outln!("{}", serde_json::to_string(&response).unwrap_or_default());
    Ok(())
}

fn serve(a: &ServeArgs) -> Run {
    let mut jwks = Vec::new();
    for entry in &a.jwks {
        let (kind, file) = entry
            .split_once('=')
            .ok_or_else(|| usage(format!("--jwks `{entry}`: write KIND=FILE")))?;
        jwks.push((kind.to_owned(), PathBuf::from(file)));
    }
    let interval = a.reload_interval;
    if !(interval.is_finite() && (0.0..=86_400.0).contains(&interval)) {
        return Err(usage("--reload-interval: seconds from 0 to 86400"));
    }
    let config = permiso_server::Config {
        sources: permiso_server::Sources {
            policy: a.policy.policy.clone(),
            data: permiso_server::DataSource::parse(&a.data),
            jwks,
            caller_kinds: a.caller_kinds.clone(),
            pepper: env_secret(&a.pepper_env)?,
        },
        listen: a.listen,
        open: a.open,
        public_url: a.public_url.clone(),
        max_body: a.max_body,
        timeout: std::time::Duration::from_secs(a.timeout),
        reload_interval: (interval > 0.0).then(|| std::time::Duration::from_secs_f64(interval)),
        shutdown_grace: std::time::Duration::from_secs(a.shutdown_grace),
    };
    permiso_server::run(config).map_err(|message| {
        errln!("permiso serve: {message}");
        Failure::Denied
    })
}

fn vectors(json: bool, a: &VectorsArgs) -> Run {
    let dir = a
        .dir
        .clone()
        .or_else(|| std::env::var_os("PERMISO_VECTORS").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("tests/vectors"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| usage(format!("cannot read `{}`: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(usage(format!("no vector files in `{}`", dir.display())));
    }
    let (mut passed, mut failed) = (0, 0);
    let mut report = Vec::new();
    for file in &files {
        let r = conformance::run_file(&read_file(file)?);
        passed += r.passed();
        failed += r.failed();
        for case in &r.cases {
            if let Some(why) = &case.failure {
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if !json {
                    errln!("FAIL {name} :: {}: {why}", case.name);
                }
                report.push(json!({"file": name, "case": case.name, "failure": why}));
            }
        }
    }
    if json {
        outln!("{}", json!({"passed": passed, "failed": failed, "failures": report}));
    } else {
        outln!("{passed} passed, {failed} failed");
    }
    if failed == 0 {
        Ok(())
    } else {
        Err(Failure::Denied)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    let result = match &cli.command {
        Command::Keygen(a) => keygen(json, a),
        Command::Hash(a) => hash(json, a),
        Command::VerifyKey(a) => verify_key(json, a),
        Command::Validate(a) => validate(json, a),
        Command::Check(a) => check(json, a, false),
        Command::Explain(a) => check(json, a, true),
        Command::Jwt(JwtCommand::Issue(a)) => jwt_issue(json, a),
        Command::Jwt(JwtCommand::Delegate(a)) => jwt_delegate(json, a),
        Command::Jwt(JwtCommand::Verify(a)) => jwt_verify(json, a),
        Command::Vectors(a) => vectors(json, a),
        Command::Authzen(a) => authzen(json, a),
        Command::Serve(a) => serve(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Denied) => ExitCode::from(1),
        Err(Failure::Usage(msg)) => {
            if json {
                outln!("{}", json!({"ok": false, "code": "usage", "message": msg}));
            } else {
                errln!("permiso: {msg}");
            }
            ExitCode::from(2)
        }
    }
}
