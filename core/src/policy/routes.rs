//! Routes: method + path template -> permission, resource and tenant.

use super::doc::RouteDoc;
use super::error::{Issues, PolicyDetail};
use crate::permset::PermId;

/// The methods a route may name, besides `*`.
const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Lit(Box<str>),
    Param(Box<str>),
}

/// A `resource` or `tenant` template such as `deployment:{deployment}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    parts: Vec<Part>,
}

impl Template {
    fn parse(text: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let (lit, after) = rest.split_at(open);
            if lit.contains('}') {
                return Err(format!("unbalanced `}}` in `{text}`"));
            }
            if !lit.is_empty() {
                parts.push(Part::Lit(lit.into()));
            }
            let after = after.get(1..).unwrap_or_default();
            let Some(close) = after.find('}') else {
                return Err(format!("unclosed `{{` in `{text}`"));
            };
            let (name, tail) = after.split_at(close);
            if !is_param_name(name) {
                return Err(format!("`{{{name}}}` is not a valid parameter in `{text}`"));
            }
            parts.push(Part::Param(name.into()));
            rest = tail.get(1..).unwrap_or_default();
        }
        if rest.contains('}') {
            return Err(format!("unbalanced `}}` in `{text}`"));
        }
        if !rest.is_empty() {
            parts.push(Part::Lit(rest.into()));
        }
        Ok(Template { parts })
    }

    fn params(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Param(n) => Some(&**n),
            Part::Lit(_) => None,
        })
    }

    /// Fills the template from matched path parameters, percent-decoded;
    /// `None` when a parameter does not decode to text.
    pub(crate) fn fill(&self, params: &matchit::Params<'_, '_>) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Lit(s) => out.push_str(s),
                Part::Param(n) => out.push_str(&crate::request::decode_param(params.get(&**n).unwrap_or_default())?),
            }
        }
        Some(out)
    }
}

fn is_param_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Parameter names of a path template (`{name}` and `{*name}`).
fn path_params(path: &str) -> Result<(Vec<String>, bool), String> {
    let mut names = Vec::new();
    let mut catch_all = false;
    for (i, segment) in path.split('/').enumerate().skip(1) {
        if catch_all {
            return Err("a catch-all `{*name}` must be the last segment".into());
        }
        if let Some(inner) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            let (name, all) = match inner.strip_prefix('*') {
                Some(n) => (n, true),
                None => (inner, false),
            };
            if !is_param_name(name) {
                return Err(format!("`{segment}` is not a valid parameter"));
            }
            if names.iter().any(|n| n == name) {
                return Err(format!("parameter `{name}` appears twice"));
            }
            names.push(name.to_owned());
            catch_all = all;
        } else if segment.contains(['{', '}']) {
            return Err(format!("segment `{segment}` mixes text and a parameter"));
        } else if i > 0 && (segment == "." || segment == "..") {
            return Err(format!("segment `{segment}` is not allowed"));
        }
    }
    Ok((names, catch_all))
}

/// A compiled route.
#[derive(Debug, Clone)]
pub(crate) struct Route {
    pub(crate) label: Box<str>,
    pub(crate) permission: PermId,
    pub(crate) resource: Option<Template>,
    pub(crate) tenant: Option<Template>,
    /// Indexes of accepted credential kinds; `None` accepts all.
    pub(crate) kinds: Option<Vec<usize>>,
    specificity: (bool, usize),
}

/// All routes of a policy.
#[derive(Debug, Default)]
pub(crate) struct Router {
    by_method: Vec<(Box<str>, matchit::Router<usize>)>,
    any: matchit::Router<usize>,
    pub(crate) routes: Vec<Route>,
}

/// How a route document refers to the rest of the policy.
pub(crate) trait RouteContext {
    fn permission(&self, name: &str) -> Option<PermId>;
    fn kind(&self, name: &str) -> Option<usize>;
}

impl Router {
    pub(crate) fn compile(docs: &[RouteDoc], cx: &dyn RouteContext, issues: &mut Issues) -> Router {
        let mut router = Router::default();
        for (i, doc) in docs.iter().enumerate() {
            let at = format!("routes[{i}]");
            let before = issues.0.len();
            let method = doc.method.as_str();
            if method != "*" && !METHODS.contains(&method) {
                issues.push(
                    PolicyDetail::InvalidRoute,
                    format!("{at}.method"),
                    format!("`{method}` is not an HTTP method (use uppercase, or `*`)"),
                );
            }
            let params = if !doc.path.starts_with('/') {
                issues.push(
                    PolicyDetail::InvalidRoute,
                    format!("{at}.path"),
                    format!("path `{}` must start with `/`", doc.path),
                );
                Vec::new()
            } else {
                match path_params(&doc.path) {
                    Ok((names, _)) => names,
                    Err(msg) => {
                        issues.push(PolicyDetail::InvalidRoute, format!("{at}.path"), msg);
                        Vec::new()
                    }
                }
            };
            let permission = if !super::pattern::is_permission(&doc.permission) {
                issues.push(
                    PolicyDetail::InvalidPermission,
                    format!("{at}.permission"),
                    format!("`{}` is not a concrete `resource:action` permission", doc.permission),
                );
                None
            } else {
                let p = cx.permission(&doc.permission);
                if p.is_none() {
                    issues.push(
                        PolicyDetail::UnknownPermission,
                        format!("{at}.permission"),
                        format!("`{}` is not a declared permission", doc.permission),
                    );
                }
                p
            };
            let mut template = |text: &Option<String>, field: &str| -> Option<Template> {
                let text = text.as_deref()?;
                match Template::parse(text) {
                    Ok(t) => {
                        if let Some(p) = t.params().find(|p| !params.iter().any(|n| n == p)) {
                            issues.push(
                                PolicyDetail::InvalidRoute,
                                format!("{at}.{field}"),
                                format!("`{{{p}}}` is not a parameter of path `{}`", doc.path),
                            );
                        }
                        Some(t)
                    }
                    Err(msg) => {
                        issues.push(PolicyDetail::InvalidRoute, format!("{at}.{field}"), msg);
                        None
                    }
                }
            };
            let resource = template(&doc.resource, "resource");
            let tenant = template(&doc.tenant, "tenant");
            let kinds = doc.credentials.as_ref().map(|names| {
                names
                    .iter()
                    .enumerate()
                    .filter_map(|(j, name)| {
                        let k = cx.kind(name);
                        if k.is_none() {
                            issues.push(
                                PolicyDetail::UnknownCredentialKind,
                                format!("{at}.credentials[{j}]"),
                                format!("`{name}` is not a credential kind of this policy"),
                            );
                        }
                        k
                    })
                    .collect::<Vec<_>>()
            });
            if issues.0.len() > before {
                continue;
            }
            let Some(permission) = permission else { continue };
            let index = router.routes.len();
            let table = if method == "*" {
                &mut router.any
            } else {
                match router.by_method.iter().position(|(m, _)| &**m == method) {
                    Some(pos) => match router.by_method.get_mut(pos) {
                        Some((_, r)) => r,
                        None => continue,
                    },
                    None => {
                        router.by_method.push((method.into(), matchit::Router::new()));
                        match router.by_method.last_mut() {
                            Some((_, r)) => r,
                            None => continue,
                        }
                    }
                }
            };
            if let Err(err) = table.insert(doc.path.as_str(), index) {
                let (detail, msg) = match err {
                    matchit::InsertError::Conflict { with } => (
                        PolicyDetail::RouteConflict,
                        format!("`{method} {}` conflicts with the route `{with}`", doc.path),
                    ),
                    other => (PolicyDetail::InvalidRoute, format!("path `{}`: {other}", doc.path)),
                };
                issues.push(detail, format!("{at}.path"), msg);
                continue;
            }
            let catch_all = doc.path.contains("{*");
            let literal = doc.path.split('/').filter(|s| !s.starts_with('{')).map(str::len).sum();
            router.routes.push(Route {
                label: format!("{method} {}", doc.path).into(),
                permission,
                resource,
                tenant,
                kinds,
                specificity: (!catch_all, literal),
            });
        }
        router
    }

    /// The most specific route for `method` and `path`: a method-specific
    /// route and a `*` route compete on specificity (no catch-all first, then
    /// more literal characters); on a tie the method-specific route wins.
    pub(crate) fn find<'r, 'p>(&'r self, method: &str, path: &'p str) -> Option<(&'r Route, matchit::Params<'r, 'p>)> {
        let specific = self
            .by_method
            .iter()
            .find(|(m, _)| m.eq_ignore_ascii_case(method))
            .and_then(|(_, r)| r.at(path).ok());
        let any = self.any.at(path).ok();
        let pick = match (specific, any) {
            (Some(s), Some(a)) => {
                let (rs, ra) = (self.routes.get(*s.value)?, self.routes.get(*a.value)?);
                if ra.specificity > rs.specificity {
                    a
                } else {
                    s
                }
            }
            (Some(s), None) => s,
            (None, Some(a)) => a,
            (None, None) => return None,
        };
        Some((self.routes.get(*pick.value)?, pick.params))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        let t = Template::parse("deployment:{deployment}").unwrap();
        assert_eq!(t.params().collect::<Vec<_>>(), vec!["deployment"]);
        assert!(Template::parse("a:{b").is_err());
        assert!(Template::parse("a:}b").is_err());
        assert!(Template::parse("a:{1b}").is_err());
        assert_eq!(
            path_params("/a/{x}/b/{*rest}").unwrap(),
            (vec!["x".to_owned(), "rest".to_owned()], true)
        );
        assert!(path_params("/a/{*rest}/b").is_err());
        assert!(path_params("/a/x{y}").is_err());
        assert!(path_params("/a/{x}/{x}").is_err());
        assert!(path_params("/a/../b").is_err());
    }
}
