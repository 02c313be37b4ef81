//! The snapshot a server answers from: a compiled policy and its host data,
//! loaded together, replaced together.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use permiso::wire::{self, HostRecords};
use permiso::{Code, Format, Policy};
use serde_json::{Map, Value};

/// Where host data comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataSource {
    /// A JSON, YAML or TOML document of host records.
    File(PathBuf),
    /// An SQLite database of the documented schema (`schema.sql`).
    Sqlite(PathBuf),
}

impl DataSource {
    /// `sqlite:PATH`, a `.db`/`.sqlite`/`.sqlite3` file, or a document.
    pub fn parse(text: &str) -> DataSource {
        if let Some(path) = text.strip_prefix("sqlite:") {
            return DataSource::Sqlite(PathBuf::from(path));
        }
        let path = PathBuf::from(text);
        match path.extension().and_then(|e| e.to_str()) {
            Some("db" | "sqlite" | "sqlite3") => DataSource::Sqlite(path),
            _ => DataSource::File(path),
        }
    }

    /// The files whose change means the data changed (SQLite in WAL mode
    /// commits into `-wal` first).
    fn watched(&self) -> Vec<PathBuf> {
        match self {
            DataSource::File(path) => vec![path.clone()],
            DataSource::Sqlite(path) => {
                let mut wal = path.clone().into_os_string();
                wal.push("-wal");
                vec![path.clone(), PathBuf::from(wal)]
            }
        }
    }
}

/// What a snapshot is built from.
#[derive(Debug, Clone)]
pub struct Sources {
    /// The policy document.
    pub policy: PathBuf,
    /// The host data.
    pub data: DataSource,
    /// Public keys of jwt kinds: `(kind, JWK Set file)`.
    pub jwks: Vec<(String, PathBuf)>,
    /// Credential kinds that callers authenticate with.
    pub caller_kinds: Vec<String>,
    /// The pepper for `hmac-sha256:` key hashes.
    pub pepper: Option<String>,
}

/// A policy and its host data, as one value.
#[derive(Debug)]
pub struct Snapshot {
    /// The compiled policy.
    pub policy: Policy,
    /// The host records; `now` is always the clock.
    pub host: HostRecords,
    /// How many snapshots this process has loaded, this one included.
    pub generation: u64,
}

/// Why a snapshot could not be loaded: the core's error, or a file that
/// could not be read.
#[derive(Debug)]
pub struct LoadError {
    /// Which source.
    pub source: String,
    /// The error, as every binding reports it.
    pub error: wire::Error,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} ({})",
            self.source,
            self.error.message,
            self.error.code.as_str()
        )
    }
}

fn at(source: &Path) -> impl Fn(wire::Error) -> LoadError + '_ {
    move |error| LoadError {
        source: source.display().to_string(),
        error,
    }
}

fn read_text(path: &Path) -> Result<String, LoadError> {
    std::fs::read_to_string(path).map_err(|e| LoadError {
        source: path.display().to_string(),
        error: wire::Error::argument("file", format_args!("cannot be read: {e}")),
    })
}

fn format_of(path: &Path) -> Result<Format, LoadError> {
    Format::from_path(&path.to_string_lossy()).ok_or_else(|| LoadError {
        source: path.display().to_string(),
        error: wire::Error::argument("file", "is not .json, .yaml, .yml or .toml"),
    })
}

impl Sources {
    /// Loads and validates everything; nothing is kept from a failed load.
    pub fn load(&self, generation: u64) -> Result<Snapshot, LoadError> {
        let policy_text = read_text(&self.policy)?;
        let policy = wire::compile(&policy_text, format_of(&self.policy)?).map_err(at(&self.policy))?;
        for (kind, path) in &self.jwks {
            let text = read_text(path)?;
            let jwks: Value = serde_json::from_str(&text).map_err(|e| LoadError {
                source: path.display().to_string(),
                error: wire::Error::argument("JWK Set", format_args!("is not JSON: {e}")),
            })?;
            wire::set_jwks(&policy, kind, &jwks).map_err(at(path))?;
        }
        let known: Vec<&str> = policy.credential_kinds().collect();
        for kind in &self.caller_kinds {
            if !known.contains(&kind.as_str()) {
                return Err(LoadError {
                    source: self.policy.display().to_string(),
                    error: wire::Error::new(
                        Code::UnknownCredentialKind,
                        wire::Family::Argument,
                        format!("callers authenticate with `{kind}` credentials, which the policy does not declare"),
                    ),
                });
            }
        }
        let mut host = match &self.data {
            DataSource::File(path) => wire::host_records(&read_text(path)?, format_of(path)?).map_err(at(path))?,
            DataSource::Sqlite(path) => read_sqlite(path).map_err(at(path))?,
        };
        let source = match &self.data {
            DataSource::File(path) | DataSource::Sqlite(path) => path,
        };
        if host.now.is_some() || host.pepper.is_some() {
            return Err(at(source)(wire::Error::argument(
                "host data",
                "holds `now` or `pepper`: a server reads the clock, and the pepper from the environment",
            )));
        }
        host.pepper = self.pepper.as_deref().map(permiso::Pepper::from);
        // Every principal record must be one the policy accepts (a record
        // that would fail every decision about it is a bad deployment).
        for (i, record) in host.principals.iter().enumerate() {
            wire::identity(
                &policy,
                permiso::IdentityRecord {
                    principal: record.clone(),
                    credential: None,
                },
            )
            .map_err(|e| {
                at(source)(wire::Error::new(
                    e.code,
                    e.family,
                    format!("`principals[{i}]`: {}", e.message),
                ))
            })?;
        }
        Ok(Snapshot {
            policy,
            host,
            generation,
        })
    }

    /// A stamp of every watched file: when it differs, a reload is due.
    pub fn stamp(&self) -> Vec<Option<(SystemTime, u64)>> {
        let mut files = vec![self.policy.clone()];
        files.extend(self.data.watched());
        files.extend(self.jwks.iter().map(|(_, p)| p.clone()));
        files
            .iter()
            .map(|p| {
                std::fs::metadata(p)
                    .ok()
                    .and_then(|m| Some((m.modified().ok()?, m.len())))
            })
            .collect()
    }
}

/// Fields whose SQLite column holds JSON text.
const JSON_COLUMNS: &[&str] = &["roles", "allow", "deny", "grants", "attributes", "scopes"];

/// Reads every table of the schema into one JSON document of host data,
/// then through the same reader as a file (so errors name the record).
fn read_sqlite(path: &Path) -> Result<HostRecords, wire::Error> {
    let db_error = |e: rusqlite::Error| wire::Error::argument("SQLite database", e);
    let connection = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(db_error)?;
    let mut document = Map::new();
    for table in ["principals", "resources", "keys", "revoked_keys", "revoked_sessions"] {
        let exists: bool = connection
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [table],
                |row| row.get::<_, i64>(0),
            )
            .map_err(db_error)?
            > 0;
        if !exists {
            continue;
        }
        // The table name is one of the constants above, never input.
        let mut statement = connection
            .prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))
            .map_err(db_error)?;
        let columns: Vec<String> = statement.column_names().iter().map(|c| (*c).to_owned()).collect();
        let mut rows = statement.query([]).map_err(db_error)?;
        let mut records = Vec::new();
        let mut index = 0usize;
        while let Some(row) = rows.next().map_err(db_error)? {
            let mut record = Map::new();
            for (i, column) in columns.iter().enumerate() {
                let value = match row.get_ref(i).map_err(db_error)? {
                    rusqlite::types::ValueRef::Null => continue,
                    rusqlite::types::ValueRef::Integer(n) => Value::from(n),
                    rusqlite::types::ValueRef::Real(f) => Value::from(f),
                    rusqlite::types::ValueRef::Text(t) => {
                        let text = String::from_utf8_lossy(t);
                        if JSON_COLUMNS.contains(&column.as_str()) {
                            serde_json::from_str(&text).map_err(|e| {
                                wire::Error::argument(
                                    &format!("{table}[{index}].{column}"),
                                    format_args!("is not JSON: {e}"),
                                )
                            })?
                        } else {
                            Value::String(text.into_owned())
                        }
                    }
                    rusqlite::types::ValueRef::Blob(_) => {
                        return Err(wire::Error::argument(
                            &format!("{table}[{index}].{column}"),
                            "is a blob; use text",
                        ))
                    }
                };
                record.insert(column.clone(), value);
            }
            records.push(if table.starts_with("revoked_") {
                record.remove("id").unwrap_or(Value::Null)
            } else {
                Value::Object(record)
            });
            index += 1;
        }
        document.insert(table.to_owned(), Value::Array(records));
    }
    wire::read(Value::Object(document), Code::InvalidArgument, "host data")
}
