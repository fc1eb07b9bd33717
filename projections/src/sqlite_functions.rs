//! SQL functions Waybill adds to every SQLite connection it opens.
//!
//! SQLite has no cryptographic hash built in, and the per-stream hash chain is computed by a
//! trigger at write time (migrations/sqlite/0003_hash_chain.sql), so the trigger needs one.

use std::ffi::{c_char, c_int};
use std::ptr;

use libsqlite3_sys as ffi;
use sha2::{Digest, Sha256};
use sqlx::SqliteConnection;

/// `waybill_sha256(text, …)`: hex SHA-256 of the UTF-8 concatenation of its arguments
/// (NULL arguments contribute nothing).
unsafe extern "C" fn sha256_hex(
    ctx: *mut ffi::sqlite3_context,
    argc: c_int,
    argv: *mut *mut ffi::sqlite3_value,
) {
    let mut hasher = Sha256::new();
    for i in 0..usize::try_from(argc).unwrap_or(0) {
        // SAFETY: SQLite passes `argc` valid value pointers; text pointers stay valid until the
        // next call on the same value, and `sqlite3_value_bytes` is called after
        // `sqlite3_value_text` as the SQLite documentation requires.
        unsafe {
            let value = *argv.add(i);
            let text = ffi::sqlite3_value_text(value);
            let len = ffi::sqlite3_value_bytes(value);
            if !text.is_null() && len > 0 {
                hasher.update(std::slice::from_raw_parts(text, len as usize));
            }
        }
    }
    let hex = hex::encode(hasher.finalize());
    // SAFETY: SQLITE_TRANSIENT makes SQLite copy the buffer before `hex` is dropped.
    unsafe {
        ffi::sqlite3_result_text(
            ctx,
            hex.as_ptr() as *const c_char,
            hex.len() as c_int,
            ffi::SQLITE_TRANSIENT(),
        );
    }
}

/// Registers Waybill's functions on one connection.
pub async fn register(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    // SAFETY: the handle is locked for the duration of the call (no other thread uses it),
    // the name is a NUL-terminated literal, and the function has no user data to free.
    let rc = unsafe {
        ffi::sqlite3_create_function_v2(
            handle.as_raw_handle().as_ptr(),
            c"waybill_sha256".as_ptr(),
            -1,
            ffi::SQLITE_UTF8 | ffi::SQLITE_DETERMINISTIC,
            ptr::null_mut(),
            Some(sha256_hex),
            None,
            None,
            None,
        )
    };
    if rc != ffi::SQLITE_OK {
        return Err(sqlx::Error::Protocol(format!(
            "registering waybill_sha256 failed with SQLite code {rc}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use sqlx::Connection;

    #[tokio::test]
    async fn sha256_matches_the_reference_digest() {
        let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .unwrap();
        super::register(&mut conn).await.unwrap();
        let (abc, split): (String, String) =
            sqlx::query_as("SELECT waybill_sha256('abc'), waybill_sha256('a', 'bc')")
                .fetch_one(&mut conn)
                .await
                .unwrap();
        let expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(abc, expected);
        assert_eq!(split, expected);
    }
}
