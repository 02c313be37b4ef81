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
        self.fill_with(|name| crate::path::decode_param(params.get(name).unwrap_or_default()))
    }

    /// Fills the template with the text `value` gives for each parameter;
    /// `None` when it gives none for one.
    pub(crate) fn fill_with<'v>(
        &self,
        mut value: impl FnMut(&str) -> Option<std::borrow::Cow<'v, str>>,
    ) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Lit(s) => out.push_str(s),
                Part::Param(n) => out.push_str(&value(n)?),
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
        } else if let Some(c) = segment.bytes().find(|b| !crate::path::is_literal_char(*b)) {
            // Requests that percent-encode such characters never match, so a
            // route holding one unencoded could never be reached.
            return Err(format!(
                "segment `{segment}` holds `{}`; route literals are letters, digits and `-._~!$&'()*+,=:@`",
                char::from(c).escape_default()
            ));
        }
    }
    Ok((names, catch_all))
}

/// A compiled route.
#[derive(Debug, Clone)]
pub(crate) struct Route {
    pub(crate) label: Box<str>,
    /// The method as written (`GET`, or `*`).
    method: Box<str>,
    /// The path template's parameter names.
    pub(crate) params: Vec<Box<str>>,
    pub(crate) permission: PermId,
    pub(crate) resource: Option<Template>,
    pub(crate) tenant: Option<Template>,
    /// Indexes of accepted credential kinds; `None` accepts all.
    pub(crate) kinds: Option<Vec<usize>>,
    specificity: (bool, usize),
}

/// Route tables by method, plus the `*` table.
#[derive(Debug, Default)]
struct Tables {
    by_method: Vec<(Box<str>, matchit::Router<usize>)>,
    any: matchit::Router<usize>,
}

impl Tables {
    fn insert(&mut self, method: &str, path: &str, index: usize) -> Result<(), matchit::InsertError> {
        if method == "*" {
            return self.any.insert(path, index);
        }
        let pos = match self.by_method.iter().position(|(m, _)| &**m == method) {
            Some(pos) => pos,
            None => {
                self.by_method.push((method.into(), matchit::Router::new()));
                self.by_method.len() - 1
            }
        };
        match self.by_method.get_mut(pos) {
            Some((_, table)) => table.insert(path, index),
            None => Ok(()),
        }
    }

    /// The most specific route for `method` and `path`: a method-specific
    /// route and a `*` route compete on specificity (no catch-all first,
    /// then more literal characters); on a tie the method-specific route wins.
    fn find<'r, 'p>(
        &'r self,
        routes: &'r [Route],
        method: &str,
        path: &'p str,
    ) -> Option<(usize, matchit::Params<'r, 'p>)> {
        let specific = self
            .by_method
            .iter()
            .find(|(m, _)| m.eq_ignore_ascii_case(method))
            .and_then(|(_, r)| r.at(path).ok());
        let any = self.any.at(path).ok();
        let pick = match (specific, any) {
            (Some(s), Some(a)) => {
                let (rs, ra) = (routes.get(*s.value)?, routes.get(*a.value)?);
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
        Some((*pick.value, pick.params))
    }
}

/// All routes of a policy.
#[derive(Debug, Default)]
pub(crate) struct Router {
    tables: Tables,
    /// The same routes with their literals in lowercase, to find paths a
    /// case-insensitive router would send elsewhere.
    folded: Tables,
    /// Route indexes by path template, for routes named by their template.
    by_path: rustc_hash::FxHashMap<Box<str>, Vec<usize>>,
    pub(crate) routes: Vec<Route>,
}

/// A path template with its literal segments in ASCII lowercase.
fn fold_template(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            if seg.starts_with('{') {
                seg.to_owned()
            } else {
                seg.to_ascii_lowercase()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
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
            if let Err(err) = router.tables.insert(method, &doc.path, index) {
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
            // Routes that differ only in case keep the first in the folded
            // table; the ambiguity check then compares specificity only.
            let _ = router.folded.insert(method, &fold_template(&doc.path), index);
            router.by_path.entry(doc.path.as_str().into()).or_default().push(index);
            let catch_all = doc.path.contains("{*");
            let literal = doc.path.split('/').filter(|s| !s.starts_with('{')).map(str::len).sum();
            router.routes.push(Route {
                label: format!("{method} {}", doc.path).into(),
                method: method.into(),
                params: params.iter().map(|p| p.as_str().into()).collect(),
                permission,
                resource,
                tenant,
                kinds,
                specificity: (!catch_all, literal),
            });
        }
        router
    }

    /// The most specific route for `method` and `path` (see [`Tables::find`]).
    /// A path that a case-insensitive router would send to a more literal
    /// route (`/SECRETS` to `/secrets` rather than `/{name}`) matches nothing.
    pub(crate) fn find<'r, 'p>(&'r self, method: &str, path: &'p str) -> Option<(&'r Route, matchit::Params<'r, 'p>)> {
        let (index, params) = self.tables.find(&self.routes, method, path)?;
        let route = self.routes.get(index)?;
        if path.bytes().any(|b| b.is_ascii_uppercase()) {
            let folded = path.to_ascii_lowercase();
            if let Some((other, _)) = self.folded.find(&self.routes, method, &folded) {
                if self
                    .routes
                    .get(other)
                    .is_some_and(|o| o.specificity > route.specificity)
                {
                    return None;
                }
            }
        }
        Some((route, params))
    }

    /// The route the application's framework matched, by method and path
    /// template exactly as the policy writes them; a `*` route serves any
    /// method that has no route of its own for the template, and `HEAD`
    /// without a route of its own is the `GET` route (frameworks answer
    /// `HEAD` with the `GET` handler).
    /// The methods of the routes with this path template, as written, in
    /// declaration order.
    pub(crate) fn methods<'r>(&'r self, template: &str) -> impl Iterator<Item = &'r str> + 'r {
        self.by_path
            .get(template)
            .into_iter()
            .flatten()
            .filter_map(|i| self.routes.get(*i))
            .map(|r| &*r.method)
    }

    pub(crate) fn by_template(&self, method: &str, template: &str) -> Option<&Route> {
        let candidates = self.by_path.get(template)?;
        let named = |m: &str| {
            candidates
                .iter()
                .filter_map(|i| self.routes.get(*i))
                .find(|r| r.method.eq_ignore_ascii_case(m))
        };
        named(method)
            .or_else(|| named("*"))
            .or_else(|| method.eq_ignore_ascii_case("HEAD").then(|| named("GET")).flatten())
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
