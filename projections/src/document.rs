//! Read models kept as one JSON document per key, with a few typed columns beside it for
//! filtering and sorting.
//!
//! The fold from events to a document is plain Rust ([`DocumentProjection::apply`]), so the
//! same code serves incremental runs, rebuilds and verification. The table DDL is generated
//! from the projection and a table name, which is what lets a rebuild fill a scratch copy
//! while the live table keeps serving reads.

use std::collections::HashMap;

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use sqlx::types::Json;
use sqlx::Row;

use crate::db::{Backend, DbError, Tx};
use crate::log::StoredEvent;
use crate::projection::{Projection, ProjectionError};
use crate::with_tx;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    Text,
    BigInt,
}

/// A typed column stored beside the document.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub name: &'static str,
    pub kind: ColumnType,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ColumnValue {
    Text(Option<String>),
    BigInt(Option<i64>),
}

/// A projection that folds events into documents.
pub trait DocumentProjection: Send + Sync + 'static {
    type Doc: Serialize + DeserializeOwned + Send + Sync;

    /// Stable name: the checkpoint key and the CLI name.
    const NAME: &'static str;
    /// The live table.
    const TABLE: &'static str;
    const COLUMNS: &'static [Column];
    /// Secondary indexes, each a list of columns (`-` prefix = descending).
    const INDEXES: &'static [&'static [&'static str]];

    /// The documents an event changes; empty when the projection ignores it.
    fn keys(&self, event: &StoredEvent) -> Vec<String>;

    /// Folds one event into the document for `key`; `None` deletes it.
    fn apply(
        &self,
        key: &str,
        doc: Option<Self::Doc>,
        event: &StoredEvent,
    ) -> Result<Option<Self::Doc>, ProjectionError>;

    /// Values for [`Self::COLUMNS`], in order.
    fn column_values(&self, doc: &Self::Doc) -> Vec<ColumnValue>;
}

/// Adapts a [`DocumentProjection`] to the runner's [`Projection`].
pub struct Documents<P>(pub P);

fn sql_type(kind: ColumnType) -> &'static str {
    match kind {
        ColumnType::Text => "TEXT",
        ColumnType::BigInt => "BIGINT",
    }
}

fn json_type(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => "JSONB",
        Backend::Sqlite => "TEXT",
    }
}

/// DDL for one copy of a document table. Index names carry a random suffix because a rebuilt
/// table is renamed into place and keeps its index names: the next rebuild must not collide.
pub fn table_ddl(
    backend: Backend,
    table: &str,
    columns: &[Column],
    indexes: &[&[&str]],
) -> Vec<String> {
    let mut cols = String::new();
    for c in columns {
        cols.push_str(&format!(", {} {}", c.name, sql_type(c.kind)));
    }
    let mut ddl = vec![format!(
        "CREATE TABLE {table} (id TEXT PRIMARY KEY, last_position BIGINT NOT NULL, doc {} NOT NULL{cols})",
        json_type(backend)
    )];
    let nonce = &uuid::Uuid::new_v4().simple().to_string()[..8];
    for (i, index) in indexes.iter().enumerate() {
        let cols: Vec<String> = index
            .iter()
            .map(|c| match c.strip_prefix('-') {
                Some(name) => format!("{name} DESC"),
                None => (*c).to_string(),
            })
            .collect();
        ddl.push(format!(
            "CREATE INDEX {table}_ix{i}_{nonce} ON {table} ({})",
            cols.join(", ")
        ));
    }
    ddl
}

#[async_trait]
impl<P: DocumentProjection> Projection for Documents<P> {
    fn name(&self) -> &'static str {
        P::NAME
    }

    fn table(&self) -> &'static str {
        P::TABLE
    }

    async fn create_bare_table(&self, tx: &mut Tx, table: &str) -> Result<(), ProjectionError> {
        let ddl = table_ddl(tx.backend(), table, P::COLUMNS, &[]);
        execute_all(tx, &ddl).await
    }

    async fn create_indexes(&self, tx: &mut Tx, table: &str) -> Result<(), ProjectionError> {
        let ddl = table_ddl(tx.backend(), table, P::COLUMNS, P::INDEXES);
        execute_all(tx, &ddl[1..]).await
    }

    async fn apply_batch(
        &self,
        tx: &mut Tx,
        table: &str,
        events: &[StoredEvent],
    ) -> Result<usize, ProjectionError> {
        let touched: Vec<(usize, Vec<String>)> = events
            .iter()
            .enumerate()
            .map(|(i, e)| (i, self.0.keys(e)))
            .filter(|(_, keys)| !keys.is_empty())
            .collect();
        if touched.is_empty() {
            return Ok(0);
        }
        let mut wanted: Vec<String> = touched.iter().flat_map(|(_, k)| k.clone()).collect();
        wanted.sort();
        wanted.dedup();
        let mut docs: HashMap<String, Option<P::Doc>> = load_docs::<P>(tx, table, &wanted).await?;
        let mut last_position: HashMap<String, i64> = HashMap::new();
        let mut applied = 0;
        for (i, keys) in touched {
            let event = &events[i];
            for key in keys {
                let current = docs.remove(&key).flatten();
                let next = self.0.apply(&key, current, event)?;
                docs.insert(key.clone(), next);
                last_position.insert(key, event.position);
            }
            applied += 1;
        }
        write_docs(&self.0, tx, table, docs, &last_position).await?;
        Ok(applied)
    }

    async fn documents(
        &self,
        tx: &mut Tx,
        table: &str,
    ) -> Result<Vec<(String, Value)>, ProjectionError> {
        let sql = format!("SELECT id, doc FROM {table} ORDER BY id");
        let rows: Vec<(String, Json<Value>)> = with_tx!(tx, conn =>
            sqlx::query_as(&sql).fetch_all(&mut **conn).await.map_err(DbError::from)?);
        Ok(rows.into_iter().map(|(id, doc)| (id, doc.0)).collect())
    }
}

async fn execute_all(tx: &mut Tx, statements: &[String]) -> Result<(), ProjectionError> {
    for statement in statements {
        with_tx!(tx, conn => { sqlx::query(statement).execute(&mut **conn).await.map_err(DbError::from)?; });
    }
    Ok(())
}

async fn load_docs<P: DocumentProjection>(
    tx: &mut Tx,
    table: &str,
    keys: &[String],
) -> Result<HashMap<String, Option<P::Doc>>, ProjectionError> {
    let mut found: HashMap<String, Option<P::Doc>> =
        keys.iter().map(|k| (k.clone(), None)).collect();
    // Chunked so the bind count stays well under every backend's limit.
    for chunk in keys.chunks(500) {
        let params: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, doc FROM {table} WHERE id IN ({})",
            params.join(", ")
        );
        let rows = with_tx!(tx, conn => {
            let mut q = sqlx::query(&sql);
            for k in chunk {
                q = q.bind(k);
            }
            q.fetch_all(&mut **conn)
                .await
                .map_err(DbError::from)?
                .into_iter()
                .map(|row| -> Result<(String, Json<Value>), sqlx::Error> {
                    Ok((row.try_get(0)?, row.try_get(1)?))
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(DbError::from)?
        });
        for (id, Json(value)) in rows {
            let doc: P::Doc = serde_json::from_value(value)
                .map_err(|e| ProjectionError::Corrupt(format!("{table}/{id}: {e}")))?;
            found.insert(id, Some(doc));
        }
    }
    Ok(found)
}

async fn write_docs<P: DocumentProjection>(
    projection: &P,
    tx: &mut Tx,
    table: &str,
    docs: HashMap<String, Option<P::Doc>>,
    last_position: &HashMap<String, i64>,
) -> Result<(), ProjectionError> {
    let mut upserts: Vec<(String, i64, P::Doc, Vec<ColumnValue>)> = Vec::new();
    let mut deletes: Vec<String> = Vec::new();
    for (key, doc) in docs {
        let Some(&position) = last_position.get(&key) else {
            continue; // loaded but not changed
        };
        match doc {
            Some(doc) => {
                let columns = projection.column_values(&doc);
                upserts.push((key, position, doc, columns));
            }
            None => deletes.push(key),
        }
    }
    // Deterministic statement order keeps row-lock order stable across replicas.
    upserts.sort_by(|a, b| a.0.cmp(&b.0));
    let per_row = 3 + P::COLUMNS.len();
    let rows_per_statement = (900 / per_row).max(1);
    let col_names: Vec<&str> = P::COLUMNS.iter().map(|c| c.name).collect();
    for chunk in upserts.chunks(rows_per_statement) {
        let mut values = Vec::with_capacity(chunk.len());
        for r in 0..chunk.len() {
            let base = r * per_row;
            let params: Vec<String> = (1..=per_row).map(|i| format!("${}", base + i)).collect();
            values.push(format!("({})", params.join(", ")));
        }
        let mut set = vec![
            "last_position = excluded.last_position".to_string(),
            "doc = excluded.doc".to_string(),
        ];
        set.extend(col_names.iter().map(|c| format!("{c} = excluded.{c}")));
        let extra = if col_names.is_empty() {
            String::new()
        } else {
            format!(", {}", col_names.join(", "))
        };
        let sql = format!(
            "INSERT INTO {table} (id, last_position, doc{extra}) VALUES {} ON CONFLICT (id) DO UPDATE SET {}",
            values.join(", "),
            set.join(", ")
        );
        with_tx!(tx, conn => {
            let mut q = sqlx::query(&sql);
            for (key, position, doc, columns) in chunk {
                q = q.bind(key).bind(*position).bind(Json(doc));
                for c in columns {
                    q = match c {
                        ColumnValue::Text(v) => q.bind(v.clone()),
                        ColumnValue::BigInt(v) => q.bind(*v),
                    };
                }
            }
            q.execute(&mut **conn).await.map_err(DbError::from)?;
        });
    }
    for key in deletes {
        let sql = format!("DELETE FROM {table} WHERE id = $1");
        with_tx!(tx, conn => { sqlx::query(&sql).bind(&key).execute(&mut **conn).await.map_err(DbError::from)?; });
    }
    Ok(())
}
