//! Databases for tests: a fresh SQLite file, or a fresh PostgreSQL database on the server
//! named by `WAYBILL_TEST_DATABASE_URL` (or `DATABASE_URL`). Shared by the black-box tests and
//! the binary's own tests; it has no test-only dependencies, so it ships in the library.

use std::io::Write;
use std::path::PathBuf;

use crate::db::Db;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server tests may create databases on, if any.
pub fn postgres_url() -> Option<String> {
    std::env::var("WAYBILL_TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .ok()
        .filter(|u| u.starts_with("postgres"))
}

/// Tells the person running the tests, unmissably, that a PostgreSQL test did not run.
pub fn skip_loudly(test: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "\n!!!! SKIPPED {test} on PostgreSQL: set WAYBILL_TEST_DATABASE_URL=postgres://… to run it !!!!"
    );
}

/// A database of its own for one test.
pub struct TestDb {
    pub db: Db,
    pub backend: Backend,
    pg_admin_url: Option<String>,
    pg_name: Option<String>,
    dir: Option<PathBuf>,
}

impl TestDb {
    /// `None` (after a loud message) when the backend is PostgreSQL and none is configured.
    pub async fn create(backend: Backend, test: &str) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir()
                    .join(format!("waybill-test-{}", uuid::Uuid::new_v4().simple()));
                let db = Db::connect(None, &dir).await.expect("open SQLite");
                db.migrate().await.expect("migrate SQLite");
                Some(TestDb {
                    db,
                    backend,
                    pg_admin_url: None,
                    pg_name: None,
                    dir: Some(dir),
                })
            }
            Backend::Postgres => {
                let Some(url) = postgres_url() else {
                    skip_loudly(test);
                    return None;
                };
                let name = format!("wbt_{}", uuid::Uuid::new_v4().simple());
                let admin = sqlx::PgPool::connect(&url)
                    .await
                    .expect("connect to PostgreSQL");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&admin)
                    .await
                    .expect("create test database");
                admin.close().await;
                let db_url = replace_database(&url, &name);
                let db = Db::connect_postgres(&db_url, 24)
                    .await
                    .expect("connect to test database");
                db.migrate().await.expect("migrate PostgreSQL");
                Some(TestDb {
                    db,
                    backend,
                    pg_admin_url: Some(url),
                    pg_name: Some(name),
                    dir: None,
                })
            }
        }
    }

    /// The URL a child process can use to reach this database.
    pub fn url(&self) -> Option<String> {
        match (&self.pg_admin_url, &self.pg_name) {
            (Some(u), Some(n)) => Some(replace_database(u, n)),
            _ => None,
        }
    }

    pub fn data_dir(&self) -> Option<&PathBuf> {
        self.dir.as_ref()
    }

    /// Drops the database (PostgreSQL) or its directory (SQLite).
    pub async fn cleanup(self) {
        match self.db {
            Db::Postgres(pool) => pool.close().await,
            Db::Sqlite { write, read } => {
                write.close().await;
                read.close().await;
            }
        }
        if let (Some(url), Some(name)) = (self.pg_admin_url, self.pg_name) {
            if let Ok(admin) = sqlx::PgPool::connect(&url).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&admin)
                    .await;
            }
        }
        if let Some(dir) = self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}
