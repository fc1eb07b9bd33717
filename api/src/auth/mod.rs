//! Who is calling, and what they may do.

pub mod cache;
pub mod changes;
pub mod keys;
pub mod role;

pub use role::{Permission, Principal, Role};
