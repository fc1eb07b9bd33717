//! Who is calling, and what they may do.

pub mod keys;
pub mod role;

pub use role::{Permission, Principal, Role};
