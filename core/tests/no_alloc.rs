//! Proves the allow path of `authorize` does not allocate, through roles,
//! grants and rules alike.
#![allow(unsafe_code, clippy::unwrap_used)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use permiso::{Check, IdentityRecord, Policy, ResourceRecord};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator, only counting calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn the_allow_path_does_not_allocate_and_the_deny_path_is_counted() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/policy.yaml")).unwrap();
    let policy = Policy::from_yaml(&text).unwrap();
    let identity = policy
        .identity(
            serde_json::from_str::<IdentityRecord>(
                r#"{"principal": {"id": "user:1", "tenant": "project:p1", "roles": ["viewer"],
                    "grants": [{"resource": "deployment:web", "level": "write"}]},
                    "credential": {"kind": "session", "session": "s1", "scopes": ["deployments:*"]}}"#,
            )
            .unwrap(),
        )
        .unwrap();
    let checks = [
        Check::new("deployments:read")
            .on("deployment:web")
            .in_tenant("project:p1"),
        Check::new("deployments:write")
            .on("deployment:web")
            .in_tenant("project:p1"),
        Check::new("deployments:read"),
    ];
    // A viewer of team `payments`, allowed `deployments:write` on a record
    // only by the example's team rule (two conditions).
    let member = policy
        .identity(
            serde_json::from_str::<IdentityRecord>(
                r#"{"principal": {"id": "user:2", "roles": ["viewer"], "attributes": {"teams": ["payments"]}}}"#,
            )
            .unwrap(),
        )
        .unwrap();
    let ledger: ResourceRecord = serde_json::from_str(
        r#"{"id": "deployment:ledger", "attributes": {"owner": "carol", "team": "payments", "frozen": false}}"#,
    )
    .unwrap();
    let by_rule = Check::new("deployments:write").on_record(&ledger);
    // Warm up once-initialised state (the decision id seed).
    assert!(policy.authorize(&identity, checks[0], 0).allowed());
    assert!(policy.authorize(&member, by_rule, 0).allowed());

    let before = ALLOCATIONS.load(Ordering::SeqCst);
    let mut allowed = 0;
    for _ in 0..1000 {
        for check in checks {
            allowed += usize::from(policy.authorize(&identity, check, 1).allowed());
        }
        allowed += usize::from(policy.authorize(&member, by_rule, 1).allowed());
    }
    let during = ALLOCATIONS.load(Ordering::SeqCst) - before;
    assert_eq!(allowed, 4000);
    assert_eq!(during, 0, "authorize allocated {during} times on the allow path");

    // The counter works: a denial builds a message, which allocates.
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    let denied = policy.authorize(&identity, Check::new("deployments:write").on("deployment:api"), 1);
    assert!(!denied.allowed());
    assert!(ALLOCATIONS.load(Ordering::SeqCst) > before);
}
