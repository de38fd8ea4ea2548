//! The SQLite database: one file in the data directory, opened durably.
//!
//! Writes go through a pool of exactly one connection, so that writers queue in
//! the application (fairly, without SQLite's sleep-and-retry busy loop) while any
//! number of readers proceed in parallel thanks to the WAL journal.

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::Path;
use std::time::Duration;

/// Readers this many at once; SQLite readers do not block each other in WAL mode.
const READ_CONNECTIONS: u32 = 8;

/// The two pools over the one database file.
#[derive(Clone, Debug)]
pub struct Db {
    /// Read-only connections for queries.
    pub reader: SqlitePool,
    /// The single connection every write transaction goes through.
    pub writer: SqlitePool,
}

impl Db {
    /// Opens (creating if needed) the database at `path` and applies the migrations.
    pub async fn open(path: &Path) -> Result<Db, sqlx::Error> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit is on disk before we tell anyone their ticket exists.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));

        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            // A connection to a local file does not go stale; sqlx's check on
            // every acquire is a round trip to the connection's thread and back,
            // as much again as the query itself (issue 20).
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("../migrations").run(&writer).await?;

        let reader = SqlitePoolOptions::new()
            .max_connections(READ_CONNECTIONS)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.read_only(true))
            .await?;
        Ok(Db { reader, writer })
    }

    /// Checks that both pools answer; used by `/healthz`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        sqlx::query("SELECT 1").execute(&self.writer).await?;
        Ok(())
    }
}

/// A fresh database file of its own for a unit test, removed (with its journal)
/// when dropped.
#[cfg(test)]
pub(crate) struct TempDb(pub std::path::PathBuf);

#[cfg(test)]
impl TempDb {
    pub(crate) fn new(name: &str) -> TempDb {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        TempDb(
            std::env::temp_dir().join(format!("portal-{name}-{}-{nanos}.db", std::process::id())),
        )
    }
}

#[cfg(test)]
impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A service "mail" with its category "Sending", for a unit test: their ids.
#[cfg(test)]
pub(crate) async fn mail_sending(conn: &mut sqlx::SqliteConnection) -> (i64, i64) {
    let service: i64 = sqlx::query_scalar(
        "INSERT INTO services (slug, name) VALUES ('mail', 'Mail') RETURNING id",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    let category: i64 = sqlx::query_scalar(
        "INSERT INTO categories (service_id, name) VALUES (?, 'Sending') RETURNING id",
    )
    .bind(service)
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    (service, category)
}

/// An account for a unit test (its password hash matches nothing).
#[cfg(test)]
pub(crate) async fn test_user(
    conn: &mut sqlx::SqliteConnection,
    email: &str,
    name: &str,
    role: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> crate::domain::UserId {
    sqlx::query_scalar(
        "INSERT INTO users (email, name, role, password_hash, created_at, updated_at)
         VALUES (?, ?, ?, 'x', ?, ?) RETURNING id",
    )
    .bind(email)
    .bind(name)
    .bind(role)
    .bind(now)
    .bind(now)
    .fetch_one(conn)
    .await
    .unwrap()
}
