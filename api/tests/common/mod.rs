//! What the binary's own tests share: the `waybill` executable and the flags that point it at
//! a test store.

use std::process::Command;

use waybill_projections::testing::TestDb;

pub fn waybill() -> Command {
    Command::new(env!("CARGO_BIN_EXE_waybill"))
}

/// `--database-url` for a PostgreSQL store, `--data-dir` for an embedded one.
pub fn store_args(db: &TestDb) -> Vec<String> {
    match db.url() {
        Some(url) => vec!["--database-url".into(), url],
        None => vec![
            "--data-dir".into(),
            db.data_dir().unwrap().display().to_string(),
        ],
    }
}
