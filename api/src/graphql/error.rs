//! The single place where application errors become GraphQL errors.

use async_graphql::ErrorExtensions;

use crate::error::{AppError, ErrorCode};

impl From<AppError> for async_graphql::Error {
    fn from(e: AppError) -> Self {
        let code = e.code;
        let field = e.field.clone();
        let reason = e.reason;
        async_graphql::Error::new(e.message).extend_with(|_, ext| {
            ext.set("code", code.as_str());
            ext.set("retryable", code.retryable());
            if let Some(field) = &field {
                ext.set("field", field.as_str());
            }
            if let Some(reason) = reason {
                ext.set("reason", reason);
            }
        })
    }
}

pub type GqlResult<T> = Result<T, async_graphql::Error>;

/// Errors raised by async-graphql itself (parse, validation, limits) carry no code; give them
/// INVALID_INPUT so every error a client sees has one.
pub fn ensure_codes(mut response: async_graphql::Response) -> async_graphql::Response {
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|ext| ext.get("code").is_some());
        if !has_code {
            let ext = error.extensions.get_or_insert_with(Default::default);
            ext.set("code", ErrorCode::InvalidInput.as_str());
            ext.set("retryable", false);
        }
    }
    response
}

/// An application error as async-graphql's `ServerError`, for the places that answer with a
/// whole response rather than a resolver result (request limits, refusals at the edge, a
/// subscription ended by revocation).
pub fn server_error(e: AppError) -> async_graphql::ServerError {
    let error = async_graphql::Error::from(e);
    let mut server = async_graphql::ServerError::new(error.message, None);
    server.extensions = error.extensions;
    server
}
