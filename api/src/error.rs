//! The one application error type. Every failure a client can see carries a stable code; the
//! mapping to GraphQL happens once, in `graphql::error`.

use std::fmt;
use waybill_domain::ValidationError;

/// Stable, documented error codes (`extensions.code` in GraphQL responses).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    Unauthenticated,
    Forbidden,
    NotFound,
    InvalidInput,
    InvalidState,
    /// Retryable: a concurrent write or a stale `expectedVersion`.
    Conflict,
    /// Retryable (HTTP 429, `Retry-After`): the key or the client address sent more requests
    /// than its rate limit allows.
    RateLimited,
    /// The request body or websocket message is larger than the server accepts (HTTP 413).
    PayloadTooLarge,
    /// Retryable (HTTP 503): the request ran longer than the server allows. A mutation may
    /// still have been written; retry with the same idempotency key.
    Timeout,
    /// A bug or an outage; the message never leaks internals.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::InvalidInput => "INVALID_INPUT",
            ErrorCode::InvalidState => "INVALID_STATE",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::Internal => "INTERNAL",
        }
    }

    pub fn retryable(self) -> bool {
        matches!(
            self,
            ErrorCode::Conflict | ErrorCode::RateLimited | ErrorCode::Timeout
        )
    }
}

#[derive(Debug)]
pub struct AppError {
    pub code: ErrorCode,
    /// Safe to show to the client.
    pub message: String,
    /// The input field at fault, when there is one.
    pub field: Option<String>,
    /// A finer, stable reason within the code (e.g. `overcapture`), when the domain gave one.
    pub reason: Option<&'static str>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> AppError {
        AppError {
            code,
            message: message.into(),
            field: None,
            reason: None,
        }
    }

    pub fn with_reason(mut self, reason: &'static str) -> AppError {
        self.reason = Some(reason);
        self
    }

    /// A refused input, named as the caller named it. A domain `ValidationError` names the
    /// field the domain's way (`staff`, `tracking_number`); its rule is restated under the
    /// caller's name (`driver`, `trackingNumber`), so a client never has to map one to the
    /// other. Checked here, once, rather than at each of the call sites.
    pub fn invalid_input(
        field: impl Into<String>,
        message: impl fmt::Display + 'static,
    ) -> AppError {
        let field = field.into();
        let message = match (&message as &dyn std::any::Any).downcast_ref::<ValidationError>() {
            Some(rule) => format!("{field} {}", rule.rule()),
            None => message.to_string(),
        };
        AppError {
            code: ErrorCode::InvalidInput,
            message,
            field: Some(field),
            reason: None,
        }
    }

    pub fn not_found(message: impl Into<String>) -> AppError {
        AppError::new(ErrorCode::NotFound, message)
    }

    pub fn conflict(message: impl Into<String>) -> AppError {
        AppError::new(ErrorCode::Conflict, message)
    }

    pub fn forbidden(message: impl Into<String>) -> AppError {
        AppError::new(ErrorCode::Forbidden, message)
    }

    /// Logs the full cause chain and returns an error that tells the client nothing internal.
    pub fn internal(context: &str, cause: &(dyn std::error::Error + 'static)) -> AppError {
        let mut chain = cause.to_string();
        let mut source = cause.source();
        while let Some(s) = source {
            chain.push_str(": ");
            chain.push_str(&s.to_string());
            source = s.source();
        }
        tracing::error!(context, error = %chain, "internal error");
        AppError::new(
            ErrorCode::Internal,
            format!("internal error while {context}"),
        )
    }
}

// Deliberately no `Display`/`Error` impl: async-graphql converts every `Display` type into a
// code-less error, and each AppError must go through `graphql::error` to keep its code.

impl From<waybill_projections::DbError> for AppError {
    fn from(e: waybill_projections::DbError) -> Self {
        AppError::internal("talking to the database", &e)
    }
}

/// An import refused for what the file or the target holds is the operator's to fix and says
/// why; only an unavailable database is internal.
impl From<waybill_projections::audit::ImportError> for AppError {
    fn from(e: waybill_projections::audit::ImportError) -> Self {
        match e {
            waybill_projections::audit::ImportError::Db(db) => db.into(),
            refused @ waybill_projections::audit::ImportError::NotEmpty(_) => {
                AppError::new(ErrorCode::InvalidState, refused.to_string())
            }
            refused => AppError::new(ErrorCode::InvalidInput, refused.to_string()),
        }
    }
}

impl From<waybill_projections::ProjectionError> for AppError {
    fn from(e: waybill_projections::ProjectionError) -> Self {
        match e {
            waybill_projections::ProjectionError::Unknown(name) => {
                AppError::not_found(format!("no projection named {name:?}"))
            }
            e @ waybill_projections::ProjectionError::NotRebuildable(_) => {
                AppError::new(ErrorCode::InvalidState, e.to_string())
            }
            other => AppError::internal("reading a projection", &other),
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::internal("talking to the database", &e)
    }
}
