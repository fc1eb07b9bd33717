//! Access to per-request and per-process data from resolvers.

use std::sync::Arc;

use async_graphql::Context;

use crate::auth::{Permission, Principal};
use crate::commands::context::RequestContext;
use crate::error::{AppError, ErrorCode};
use crate::services::Services;

pub fn services<'a>(ctx: &Context<'a>) -> Result<&'a Arc<Services>, AppError> {
    ctx.data::<Arc<Services>>()
        .map_err(|_| AppError::new(ErrorCode::Internal, "services missing from the schema"))
}

pub fn request<'a>(ctx: &Context<'a>) -> Result<&'a RequestContext, AppError> {
    ctx.data::<RequestContext>()
        .map_err(|_| AppError::new(ErrorCode::Unauthenticated, "no authenticated caller"))
}

/// The caller, after checking they hold `permission`.
pub fn authorize<'a>(ctx: &Context<'a>, permission: Permission) -> Result<&'a Principal, AppError> {
    let request = request(ctx)?;
    request.principal.require(permission)?;
    Ok(&request.principal)
}

/// Relay page size: default 20, at most 100.
pub fn page_size(first: Option<i32>) -> Result<i64, AppError> {
    match first {
        None => Ok(20),
        Some(n) if (1..=100).contains(&n) => Ok(i64::from(n)),
        Some(n) => Err(AppError::invalid_input(
            "first",
            format!("first must be between 1 and 100, got {n}"),
        )),
    }
}

/// Query cost of a connection: each requested row costs what its selection costs.
pub fn page_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let rows = first.map_or(20, |n| n.clamp(1, 100)) as usize;
    rows.saturating_mul(child_complexity).saturating_add(1)
}
