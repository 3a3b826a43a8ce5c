//! What the PostgreSQL tests share: the database from
//! `PROTON_CANCEL_TEST_POSTGRES`, a loud skip without it, and a schema of
//! the test's own.

use std::io::Write as _;

/// The database the PostgreSQL tests use; without one, says that `test` is
/// skipped and why, on the process's standard error (past the harness's
/// capture, so every run shows it), and returns `None`.
pub fn url_or_skip(test: &str) -> Option<String> {
    let url = std::env::var("PROTON_CANCEL_TEST_POSTGRES").ok();
    if url.is_none() {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {test}: PROTON_CANCEL_TEST_POSTGRES is not set \
             (.ci/run sets it to the machine's PostgreSQL)"
        );
    }
    url
}

/// `url` with `schema` as its search path.
pub fn in_schema(url: &str, schema: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-c%20search_path%3D{schema}")
}

/// A fresh schema on the database at `url`, dropped by [`Schema::drop`].
pub struct Schema {
    /// Its name.
    pub name: String,
    admin: sqlx::PgPool,
}

impl Schema {
    /// Creates schema `name` (dropping one a killed run left behind).
    pub async fn create(url: &str, name: String) -> Self {
        let admin = sqlx::PgPool::connect(url)
            .await
            .unwrap_or_else(|e| panic!("PROTON_CANCEL_TEST_POSTGRES={url} cannot be reached: {e}"));
        sqlx::query(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
            .execute(&admin)
            .await
            .unwrap();
        sqlx::query(&format!("CREATE SCHEMA {name}"))
            .execute(&admin)
            .await
            .unwrap();
        Self { name, admin }
    }

    /// `url` (this database, or a relay to it) inside this schema.
    pub fn scoped(&self, url: &str) -> String {
        in_schema(url, &self.name)
    }

    /// Drops the schema and everything in it.
    pub async fn drop(self) {
        sqlx::query(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name))
            .execute(&self.admin)
            .await
            .unwrap();
        self.admin.close().await;
    }
}
