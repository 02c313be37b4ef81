//! Fixtures shared by the benchmarks.
//!
//! One description of permissions, roles, per-resource access levels and
//! principals (a [`World`]) is translated for each engine:
//!
//! - **permiso**: the policy document itself, principals as host records;
//! - **Cedar**: one `permit` per role (`principal in Role::"…"`, role
//!   inheritance as entity parents), one `permit` per access level
//!   (`principal in resource["<level>"]`, where each resource names a grant
//!   entity per level and a higher level's entity is a child of the lower
//!   one, so levels are cumulative as in permiso);
//! - **casbin**: the RBAC model with `g` for role membership and inheritance
//!   and one `p` line per (role, permission) on any object, and per
//!   (principal, resource, permission) for grants.
//!
//! Wildcard patterns (`*`, `deployments:*`) are expanded for the peers, which
//! have no such notion. Every benchmark first checks that the three engines
//! decide alike on every input it times ([`Engines::assert_equivalent`]).
//!
//! Setup code: a broken fixture fails loudly, hence the `expect`s.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::HashMap;
use std::fmt::Write as _;
use std::str::FromStr;

use casbin::{CoreApi, MgmtApi};
use serde::Serialize;
use serde_json::{json, Value};

/// The clock of every benchmark (2026-01-01T00:00:00Z).
pub const NOW: i64 = 1_767_225_600;

/// A file of the repository, by its path from the repository root.
pub fn repo_file(path: &str) -> Vec<u8> {
    let full = format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// The policy of the README and demo, `examples/policy.yaml`.
pub fn example_policy() -> permiso::Policy {
    let text = String::from_utf8(repo_file("examples/policy.yaml")).expect("UTF-8");
    permiso::Policy::from_yaml(&text).expect("the example policy compiles")
}

/// A quick run: under `cargo test --benches` (criterion's test mode, each
/// benchmark once) or with `PERMISO_BENCH_QUICK` set (the smoke run of the
/// tests). Quick runs use the small sizes and criterion's command-line
/// timings instead of the groups' own.
pub fn quick() -> bool {
    std::env::var_os("PERMISO_BENCH_QUICK").is_some() || !std::env::args().any(|a| a == "--bench")
}

#[derive(Debug, Clone, Serialize)]
pub struct Role {
    pub name: String,
    /// Permission patterns: `res:act`, `res:*` or `*`.
    pub permissions: Vec<String>,
    pub inherits: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Level {
    pub name: String,
    /// Patterns this level adds to the levels below it.
    pub permissions: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Principal {
    pub id: String,
    pub roles: Vec<String>,
    /// `(resource, level)`.
    pub grants: Vec<(String, String)>,
}

/// One authorization question: may `principal` perform `permission` on
/// `resource`?
#[derive(Debug, Clone, Serialize)]
pub struct Input {
    pub principal: String,
    pub permission: String,
    pub resource: String,
}

/// Roles, access levels and principals, described once for all engines.
#[derive(Debug, Clone, Serialize)]
pub struct World {
    pub permissions: Vec<String>,
    pub roles: Vec<Role>,
    /// The resource type whose access levels are `levels` (low to high).
    pub resource_type: String,
    pub levels: Vec<Level>,
    pub principals: Vec<Principal>,
    /// Every resource named by the inputs.
    pub resources: Vec<String>,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

impl World {
    /// The roles and access levels of `examples/policy.yaml`, and principals
    /// covering each way to be allowed or denied.
    pub fn example() -> World {
        let policy = example_policy();
        let role = |name: &str, permissions: &[&str], inherits: &[&str]| Role {
            name: name.into(),
            permissions: strings(permissions),
            inherits: strings(inherits),
        };
        let principal = |id: &str, roles: &[&str], grants: &[(&str, &str)]| Principal {
            id: id.into(),
            roles: strings(roles),
            grants: grants.iter().map(|(r, l)| ((*r).into(), (*l).into())).collect(),
        };
        World {
            permissions: policy.permissions().map(str::to_owned).collect(),
            roles: vec![
                role("viewer", &["deployments:read", "audit:read"], &[]),
                role(
                    "operator",
                    &["deployments:write", "endpoints:run", "flags:evaluate"],
                    &["viewer"],
                ),
                role("admin", &["*"], &[]),
            ],
            resource_type: "deployment".into(),
            levels: vec![
                Level {
                    name: "read".into(),
                    permissions: strings(&["deployments:read"]),
                },
                Level {
                    name: "write".into(),
                    permissions: strings(&["deployments:write"]),
                },
                Level {
                    name: "admin".into(),
                    permissions: strings(&["deployments:*"]),
                },
            ],
            principals: vec![
                principal("user:viewer", &["viewer"], &[]),
                principal("user:operator", &["operator"], &[("deployment:web", "admin")]),
                principal("user:admin", &["admin"], &[]),
                principal("user:granted", &[], &[("deployment:api", "write")]),
                principal("user:nobody", &[], &[]),
            ],
            resources: strings(&["deployment:web", "deployment:api", "deployment:db", "endpoint:nightly"]),
        }
    }

    /// `n` permissions and `n` roles. Role `j` holds three permissions and
    /// inherits role `j / 10` (a tree at most five deep at 10,000). One
    /// principal holds three roles spread over the tree.
    pub fn scaled(n: usize) -> World {
        assert!(n >= 10);
        let permissions: Vec<String> = (0..n).map(|i| format!("res{}:act{}", i / 10, i % 10)).collect();
        let roles = (0..n)
            .map(|j| Role {
                name: format!("role{j}"),
                permissions: vec![
                    permissions[j].clone(),
                    permissions[(7 * j + 3) % n].clone(),
                    permissions[(13 * j + 5) % n].clone(),
                ],
                inherits: if j == 0 {
                    vec![]
                } else {
                    vec![format!("role{}", j / 10)]
                },
            })
            .collect();
        World {
            permissions,
            roles,
            resource_type: "doc".into(),
            levels: vec![Level {
                name: "read".into(),
                permissions: vec!["res0:act0".into()],
            }],
            principals: vec![Principal {
                id: "user:p".into(),
                roles: vec![
                    format!("role{}", n - 1),
                    format!("role{}", n / 2),
                    format!("role{}", n / 3),
                ],
                grants: vec![],
            }],
            resources: vec!["doc:any".into()],
        }
    }

    /// The example's permissions and access levels, no roles, and one
    /// principal holding `write` on `grants` deployments.
    pub fn with_grants(grants: usize) -> World {
        let example = World::example();
        let resources: Vec<String> = (0..grants).map(|i| format!("deployment:d{i}")).collect();
        World {
            roles: vec![],
            principals: vec![Principal {
                id: "user:g".into(),
                roles: vec![],
                grants: resources.iter().map(|r| (r.clone(), "write".to_owned())).collect(),
            }],
            resources: resources.into_iter().chain(["deployment:other".to_owned()]).collect(),
            ..example
        }
    }

    /// Concrete permissions matched by a pattern.
    pub fn expand(&self, pattern: &str) -> Vec<&str> {
        let matches = |p: &str| match pattern.strip_suffix(":*") {
            _ if pattern == "*" => true,
            Some(resource) => p.split_once(':').is_some_and(|(r, _)| r == resource),
            None => p == pattern,
        };
        self.permissions
            .iter()
            .map(String::as_str)
            .filter(|p| matches(p))
            .collect()
    }

    fn expand_all<'a>(&'a self, patterns: &[String]) -> Vec<&'a str> {
        let mut out: Vec<&str> = patterns.iter().flat_map(|p| self.expand(p)).collect();
        out.dedup();
        out
    }

    /// The permiso policy document.
    pub fn permiso_document(&self) -> Value {
        let roles: serde_json::Map<String, Value> = self
            .roles
            .iter()
            .map(|r| {
                (
                    r.name.clone(),
                    json!({"permissions": r.permissions, "inherits": r.inherits}),
                )
            })
            .collect();
        let levels: serde_json::Map<String, Value> = self
            .levels
            .iter()
            .map(|l| (l.name.clone(), json!(l.permissions)))
            .collect();
        json!({
            "version": 1,
            "permissions": self.permissions,
            "roles": roles,
            "access_levels": { self.resource_type.clone(): levels },
        })
    }

    /// The permiso host record of a principal.
    pub fn permiso_record(principal: &Principal) -> permiso::IdentityRecord {
        permiso::IdentityRecord {
            principal: permiso::PrincipalRecord {
                id: principal.id.clone(),
                roles: principal.roles.clone(),
                grants: principal
                    .grants
                    .iter()
                    .map(|(resource, level)| permiso::Grant {
                        resource: resource.clone(),
                        level: level.clone(),
                    })
                    .collect(),
                ..Default::default()
            },
            credential: None,
        }
    }

    /// The Cedar policy set.
    pub fn cedar_policies(&self) -> String {
        let actions = |perms: &[&str]| {
            perms
                .iter()
                .map(|p| format!("Action::{p:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut out = String::new();
        for role in &self.roles {
            let perms = self.expand_all(&role.permissions);
            if perms.len() == self.permissions.len() {
                let _ = writeln!(out, "permit(principal in Role::{:?}, action, resource);", role.name);
            } else if !perms.is_empty() {
                let _ = writeln!(
                    out,
                    "permit(principal in Role::{:?}, action in [{}], resource);",
                    role.name,
                    actions(&perms)
                );
            }
        }
        for level in &self.levels {
            let _ = writeln!(
                out,
                "permit(principal, action in [{}], resource is {}) when {{ principal in resource[{:?}] }};",
                actions(&self.expand_all(&level.permissions)),
                self.resource_type,
                level.name
            );
        }
        out
    }

    /// A resource's Cedar uid (`deployment:web` is `deployment::"web"`).
    fn cedar_resource(resource: &str) -> Value {
        let (kind, id) = resource.split_once(':').expect("resources are type:id");
        json!({"type": kind, "id": id})
    }

    fn cedar_grant(resource: &str, level: &str) -> Value {
        json!({"type": "Grant", "id": format!("{resource}#{level}")})
    }

    /// The Cedar entities (JSON format): roles, principals, per-level grant
    /// entities and resources.
    pub fn cedar_entities(&self) -> Value {
        let mut entities = Vec::new();
        for role in &self.roles {
            let parents: Vec<Value> = role.inherits.iter().map(|p| json!({"type": "Role", "id": p})).collect();
            entities.push(json!({"uid": {"type": "Role", "id": role.name}, "attrs": {}, "parents": parents}));
        }
        for principal in &self.principals {
            let parents: Vec<Value> = principal
                .roles
                .iter()
                .map(|r| json!({"type": "Role", "id": r}))
                .chain(principal.grants.iter().map(|(r, l)| World::cedar_grant(r, l)))
                .collect();
            entities.push(json!({"uid": {"type": "Principal", "id": principal.id}, "attrs": {}, "parents": parents}));
        }
        for resource in &self.resources {
            let uid = World::cedar_resource(resource);
            if uid["type"] != self.resource_type.as_str() {
                entities.push(json!({"uid": uid, "attrs": {}, "parents": []}));
                continue;
            }
            let mut attrs = serde_json::Map::new();
            for (i, level) in self.levels.iter().enumerate() {
                let grant = World::cedar_grant(resource, &level.name);
                attrs.insert(level.name.clone(), json!({"__entity": grant}));
                // A higher level's grant entity is a member of the lower one.
                let parents: Vec<Value> = i
                    .checked_sub(1)
                    .map(|below| World::cedar_grant(resource, &self.levels[below].name))
                    .into_iter()
                    .collect();
                entities.push(json!({"uid": grant, "attrs": {}, "parents": parents}));
            }
            entities.push(json!({"uid": uid, "attrs": attrs, "parents": []}));
        }
        Value::Array(entities)
    }

    /// The casbin model (RBAC; `*` as the object of role permissions).
    pub const CASBIN_MODEL: &'static str = "\
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub) && (p.obj == \"*\" || r.obj == p.obj) && r.act == p.act
";

    /// casbin `p` rules and `g` rules.
    pub fn casbin_rules(&self) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
        let mut p = Vec::new();
        let mut g = Vec::new();
        for role in &self.roles {
            for perm in self.expand_all(&role.permissions) {
                p.push(vec![role.name.clone(), "*".into(), perm.into()]);
            }
            for parent in &role.inherits {
                g.push(vec![role.name.clone(), parent.clone()]);
            }
        }
        for principal in &self.principals {
            for role in &principal.roles {
                g.push(vec![principal.id.clone(), role.clone()]);
            }
            for (resource, level) in &principal.grants {
                // Levels are cumulative: a grant carries every level up to its own.
                let upto = self
                    .levels
                    .iter()
                    .position(|l| &l.name == level)
                    .expect("a declared level");
                for l in &self.levels[..=upto] {
                    for perm in self.expand_all(&l.permissions) {
                        p.push(vec![principal.id.clone(), resource.clone(), perm.into()]);
                    }
                }
            }
        }
        (p, g)
    }

    /// Every principal × permission × resource.
    pub fn all_inputs(&self) -> Vec<Input> {
        let mut out = Vec::new();
        for principal in &self.principals {
            for permission in &self.permissions {
                for resource in &self.resources {
                    out.push(Input {
                        principal: principal.id.clone(),
                        permission: permission.clone(),
                        resource: resource.clone(),
                    });
                }
            }
        }
        out
    }
}

/// permiso on a world: the compiled policy and an identity per principal.
#[derive(Debug)]
pub struct Permiso {
    pub policy: permiso::Policy,
    identities: HashMap<String, permiso::Identity>,
}

impl Permiso {
    pub fn new(policy: permiso::Policy, world: &World) -> Permiso {
        let identities = world
            .principals
            .iter()
            .map(|p| {
                let identity = policy.identity(World::permiso_record(p)).expect("a valid principal");
                (p.id.clone(), identity)
            })
            .collect();
        Permiso { policy, identities }
    }

    pub fn from_world(world: &World) -> Permiso {
        let policy = permiso::Policy::from_value(&world.permiso_document()).expect("the world compiles");
        Permiso::new(policy, world)
    }

    pub fn identity(&self, principal: &str) -> &permiso::Identity {
        &self.identities[principal]
    }

    /// `authorize`: the full decision (audit record included).
    pub fn authorize(&self, input: &Input) -> bool {
        let check = permiso::Check::new(&input.permission).on(&input.resource);
        self.policy
            .authorize(self.identity(&input.principal), check, NOW)
            .allowed()
    }
}

/// Cedar on a world: policy set, entities, authorizer.
#[derive(Debug)]
pub struct Cedar {
    pub policies: cedar_policy::PolicySet,
    pub entities: cedar_policy::Entities,
    pub authorizer: cedar_policy::Authorizer,
}

/// A Cedar request's parts, parsed once (as a host keeps its uids).
#[derive(Debug, Clone)]
pub struct CedarInput {
    principal: cedar_policy::EntityUid,
    action: cedar_policy::EntityUid,
    resource: cedar_policy::EntityUid,
}

impl Cedar {
    pub fn new(world: &World) -> Cedar {
        let policies = cedar_policy::PolicySet::from_str(&world.cedar_policies()).expect("the Cedar policies parse");
        let entities =
            cedar_policy::Entities::from_json_value(world.cedar_entities(), None).expect("the Cedar entities load");
        Cedar {
            policies,
            entities,
            authorizer: cedar_policy::Authorizer::new(),
        }
    }

    pub fn input(input: &Input) -> CedarInput {
        let uid = |kind: &str, id: &str| {
            cedar_policy::EntityUid::from_type_name_and_id(
                cedar_policy::EntityTypeName::from_str(kind).expect("a type name"),
                cedar_policy::EntityId::new(id),
            )
        };
        let (kind, id) = input.resource.split_once(':').expect("type:id");
        CedarInput {
            principal: uid("Principal", &input.principal),
            action: uid("Action", &input.permission),
            resource: uid(kind, id),
        }
    }

    /// `is_authorized`, building the request from parsed uids.
    pub fn is_authorized(&self, input: &CedarInput) -> bool {
        let request = cedar_policy::Request::new(
            input.principal.clone(),
            input.action.clone(),
            input.resource.clone(),
            cedar_policy::Context::empty(),
            None,
        )
        .expect("a request without a schema");
        let response = self.authorizer.is_authorized(&request, &self.policies, &self.entities);
        response.decision() == cedar_policy::Decision::Allow
    }
}

/// casbin-rs on a world.
pub struct Casbin {
    pub enforcer: casbin::Enforcer,
}

impl std::fmt::Debug for Casbin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Casbin")
    }
}

impl Casbin {
    pub fn new(world: &World) -> Casbin {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a tokio runtime");
        let enforcer = runtime.block_on(async {
            let model = casbin::DefaultModel::from_str(World::CASBIN_MODEL)
                .await
                .expect("the casbin model parses");
            let mut enforcer = casbin::Enforcer::new(model, casbin::MemoryAdapter::default())
                .await
                .expect("a casbin enforcer");
            let (p, g) = world.casbin_rules();
            if !p.is_empty() {
                enforcer.add_policies(p).await.expect("casbin p rules");
            }
            if !g.is_empty() {
                enforcer.add_grouping_policies(g).await.expect("casbin g rules");
            }
            enforcer
        });
        Casbin { enforcer }
    }

    pub fn enforce(&self, input: &Input) -> bool {
        self.enforcer
            .enforce((
                input.principal.as_str(),
                input.resource.as_str(),
                input.permission.as_str(),
            ))
            .expect("casbin enforces")
    }
}

/// Times each engine on `inputs` under `<group>/<engine>/<parameter>`, one
/// check per iteration, cycling through the inputs. With `records`, also
/// `permiso_with_identity`: the principal's record resolved on every check.
pub fn bench_engines(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    engines: &Engines,
    inputs: &[Input],
    parameter: impl std::fmt::Display,
    records: Option<&[permiso::IdentityRecord]>,
) {
    use criterion::BenchmarkId;
    use std::hint::black_box;
    let n = inputs.len();
    let cycle = move |i: &mut usize| {
        *i = (*i + 1) % n;
        *i
    };
    g.bench_function(BenchmarkId::new("permiso", &parameter), |b| {
        let mut i = 0;
        b.iter(|| engines.permiso.authorize(black_box(&inputs[cycle(&mut i)])))
    });
    if let Some(records) = records {
        let policy = &engines.permiso.policy;
        g.bench_function(BenchmarkId::new("permiso_with_identity", &parameter), |b| {
            let mut i = 0;
            b.iter(|| {
                let input = &inputs[cycle(&mut i)];
                let record = records.iter().find(|r| r.principal.id == input.principal).unwrap();
                let identity = policy.identity(black_box(record.clone())).unwrap();
                let check = permiso::Check::new(&input.permission).on(&input.resource);
                policy.authorize(&identity, check, NOW).allowed()
            })
        });
    }
    let cedar_inputs: Vec<_> = inputs.iter().map(Cedar::input).collect();
    g.bench_function(BenchmarkId::new("cedar", &parameter), |b| {
        let mut i = 0;
        b.iter(|| engines.cedar.is_authorized(black_box(&cedar_inputs[cycle(&mut i)])))
    });
    g.bench_function(BenchmarkId::new("casbin", &parameter), |b| {
        let mut i = 0;
        b.iter(|| engines.casbin.enforce(black_box(&inputs[cycle(&mut i)])))
    });
}

/// The three engines on one world.
#[derive(Debug)]
pub struct Engines {
    pub permiso: Permiso,
    pub cedar: Cedar,
    pub casbin: Casbin,
}

impl Engines {
    pub fn new(permiso: Permiso, world: &World) -> Engines {
        Engines {
            permiso,
            cedar: Cedar::new(world),
            casbin: Casbin::new(world),
        }
    }

    /// Panics unless permiso, Cedar and casbin decide every input alike;
    /// returns how many were allowed.
    pub fn assert_equivalent(&self, inputs: &[Input]) -> usize {
        let mut allowed = 0;
        for input in inputs {
            let ours = self.permiso.authorize(input);
            let cedar = self.cedar.is_authorized(&Cedar::input(input));
            let casbin = self.casbin.enforce(input);
            assert_eq!(ours, cedar, "permiso and Cedar disagree on {input:?}");
            assert_eq!(ours, casbin, "permiso and casbin disagree on {input:?}");
            allowed += usize::from(ours);
        }
        allowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_world_decides_alike_in_all_three_engines() {
        let world = World::example();
        let engines = Engines::new(Permiso::new(example_policy(), &world), &world);
        let inputs = world.all_inputs();
        let allowed = engines.assert_equivalent(&inputs);
        // Both outcomes are exercised, not a table of denials.
        assert!(
            allowed > 20 && allowed < inputs.len() - 20,
            "{allowed} of {}",
            inputs.len()
        );
    }

    #[test]
    fn the_example_world_is_the_example_policy() {
        // The world's own document decides like examples/policy.yaml.
        let world = World::example();
        let shipped = Permiso::new(example_policy(), &world);
        let derived = Permiso::from_world(&world);
        for input in world.all_inputs() {
            assert_eq!(shipped.authorize(&input), derived.authorize(&input), "{input:?}");
        }
    }

    #[test]
    fn scaled_and_granted_worlds_decide_alike() {
        for world in [World::scaled(100), World::with_grants(50)] {
            let engines = Engines::new(Permiso::from_world(&world), &world);
            let allowed = engines.assert_equivalent(&world.all_inputs());
            assert!(allowed > 0);
        }
    }
}
