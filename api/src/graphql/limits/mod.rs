//! Limits on what one GraphQL document may cost, checked before anything recurses over it or
//! expands it: the nesting of the query text and of the variables, NUL bytes in any string,
//! and the size of the document once its fragments are expanded. One schema extension applies
//! them to every document, over HTTP and over the subscription websocket alike.

pub mod expansion;
pub mod prescan;
pub mod values;

#[cfg(test)]
mod properties;

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, ServerError, ServerResult, ValidationResult, Variables};

use crate::error::AppError;
use crate::graphql::error::server_error;

/// `[`/`{` levels in the query text, and levels in a JSON variable. The schema's own shapes
/// need a dozen (selection depth is limited to `MAX_DEPTH` anyway); the request stack is sized
/// for far more (see `main.rs`).
pub const MAX_NESTING: usize = 32;
/// The stack of the threads that serve requests (`main.rs`). Parsing and validating a
/// document at [`MAX_NESTING`] takes well under a tenth of it even in a debug build (see the
/// test `the_deepest_accepted_document_fits_a_small_stack`).
pub const REQUEST_STACK_BYTES: usize = 8 * 1024 * 1024;
/// Fields in the document once every fragment spread is expanded, all operations together.
pub const MAX_EXPANDED_FIELDS: u64 = 5_000;
/// Aliased fields, counted the same way: aliases are how one request asks for the same
/// expensive field many times over.
pub const MAX_ALIASES: u64 = 200;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    #[error("input nested more than {max} levels deep")]
    NestingTooDeep { max: usize },
    #[error("NUL bytes are not allowed in strings")]
    NulByte,
    #[error("fragments spread each other in a cycle")]
    FragmentCycle,
    #[error("the document expands to more than {max} fields")]
    TooManyFields { max: u64 },
    #[error("the document has more than {max} aliased fields")]
    TooManyAliases { max: u64 },
    #[error("the query costs {cost}, over the limit of {max} (each field costs 1; a list costs its `first` times its fields)")]
    TooComplex { cost: usize, max: usize },
    #[error("the query selects {depth} levels deep, over the limit of {max}")]
    TooDeep { depth: usize, max: usize },
}

impl LimitError {
    /// The stable `reason` beside `INVALID_INPUT`.
    pub fn reason(&self) -> &'static str {
        match self {
            LimitError::NestingTooDeep { .. } => "nesting_too_deep",
            LimitError::NulByte => "nul_byte",
            LimitError::FragmentCycle => "fragment_cycle",
            LimitError::TooManyFields { .. } => "too_many_fields",
            LimitError::TooManyAliases { .. } => "too_many_aliases",
            LimitError::TooComplex { .. } => "too_complex",
            LimitError::TooDeep { .. } => "too_deep",
        }
    }
}

impl From<LimitError> for AppError {
    fn from(e: LimitError) -> AppError {
        let reason = e.reason();
        AppError::invalid_input("query", e).with_reason(reason)
    }
}

impl From<LimitError> for ServerError {
    fn from(e: LimitError) -> ServerError {
        server_error(e.into())
    }
}

/// The checks on the raw text and the variables, before the parser recurses over them.
pub fn before_parse(query: &str, variables: &Variables) -> Result<(), LimitError> {
    prescan::check_query_text(query, MAX_NESTING)?;
    values::check_variables(variables, MAX_NESTING)
}

/// Nesting of selections; the schema's own shapes need far fewer.
pub const MAX_DEPTH: usize = 12;
/// Each field costs 1, connections cost `first` × their children.
pub const MAX_COMPLEXITY: usize = 2_000;

/// The checks on what validation measured. async-graphql's own limits would refuse with "Query
/// is too complex." and no figures; the caller needs the cost and the limit to fix the query.
pub fn after_validation(result: &ValidationResult) -> Result<(), LimitError> {
    if result.depth > MAX_DEPTH {
        return Err(LimitError::TooDeep {
            depth: result.depth,
            max: MAX_DEPTH,
        });
    }
    if result.complexity > MAX_COMPLEXITY {
        return Err(LimitError::TooComplex {
            cost: result.complexity,
            max: MAX_COMPLEXITY,
        });
    }
    Ok(())
}

/// The checks on the parsed document, before validation expands its fragments.
pub fn after_parse(document: &ExecutableDocument) -> Result<(), LimitError> {
    values::check_document_literals(document)?;
    expansion::check_expansion(document, MAX_EXPANDED_FIELDS, MAX_ALIASES)?;
    Ok(())
}

/// The schema extension that runs [`before_parse`] and [`after_parse`] around async-graphql's parser.
pub struct DocumentLimits;

impl ExtensionFactory for DocumentLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(DocumentLimitsExtension)
    }
}

struct DocumentLimitsExtension;

// The hook is `prepare_request`, not `parse_query`: async-graphql's own parse step already
// walks every fragment spread (its recursion-depth check), so the document is parsed here,
// checked, and handed on parsed; async-graphql then skips its parse.
#[async_trait::async_trait]
impl Extension for DocumentLimitsExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        before_parse(&request.query, &request.variables)?;
        let document = request.parsed_query().map_err(|e| {
            let mut coded = server_error(AppError::invalid_input("query", e.message.clone()));
            coded.locations = e.locations;
            coded
        })?;
        after_parse(document)?;
        next.run(ctx, request).await
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        after_validation(&result).map_err(|e| vec![e.into()])?;
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use serde_json::json;

    use super::expansion::fragment_bomb;
    use super::*;
    use crate::graphql::{build_schema, build_schema_without_limits, WaybillSchema};

    fn nested_list(depth: usize) -> String {
        format!("{}\"x\"{}", "[".repeat(depth), "]".repeat(depth))
    }

    fn nested_json(depth: usize) -> serde_json::Value {
        (1..depth).fold(json!("x"), |v, _| json!([v]))
    }

    fn first_error(response: &async_graphql::Response) -> (String, Option<String>) {
        let ext = response.errors[0].extensions.as_ref().expect("extensions");
        let get = |k: &str| {
            ext.get(k).map(|v| match v {
                async_graphql::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
        };
        (get("code").expect("code"), get("reason"))
    }

    /// Runs a request to completion on a thread with a given stack; a stack overflow would
    /// abort the whole test binary, which fails the run.
    fn execute_on_stack(
        schema: WaybillSchema,
        request: Request,
        stack: usize,
    ) -> async_graphql::Response {
        std::thread::Builder::new()
            .stack_size(stack)
            .spawn(move || futures::executor::block_on(schema.execute(request)))
            .expect("thread")
            .join()
            .expect("no panic")
    }

    #[test]
    fn the_deepest_accepted_document_fits_a_small_stack() {
        let stack = REQUEST_STACK_BYTES / 10;
        // Two levels of the budget go to the selection set's own braces.
        let literal = format!("{{ order(id: {}) {{ id }} }}", nested_list(MAX_NESTING - 2));
        let variables = Request::new("query($v: String!) { order(id: $v) { id } }")
            .variables(Variables::from_json(json!({"v": nested_json(MAX_NESTING)})));
        let selection = format!("{}{}", "{ a ".repeat(MAX_NESTING), "}".repeat(MAX_NESTING));
        for request in [Request::new(literal), variables, Request::new(selection)] {
            let response = execute_on_stack(build_schema(None), request, stack);
            // Each is refused by validation (wrong types, unknown fields), after recursing
            // all the way down; none by the limits.
            assert!(!response.errors.is_empty());
            let reason = response.errors[0]
                .extensions
                .as_ref()
                .and_then(|e| e.get("reason").cloned());
            assert_eq!(reason, None, "{:?}", response.errors);
        }
    }

    #[test]
    fn deeper_input_is_refused_before_anything_recurses() {
        // On main, 2,000 levels overflowed even an 8 MiB stack; here it is refused on a small one.
        let literal = format!("{{ order(id: {}) {{ id }} }}", nested_list(2_000));
        let response = execute_on_stack(build_schema(None), Request::new(literal), 256 * 1024);
        assert_eq!(
            first_error(&response),
            ("INVALID_INPUT".into(), Some("nesting_too_deep".into()))
        );
        let variables = Request::new("query($v: String!) { order(id: $v) { id } }").variables(
            Variables::from_json(json!({"v": nested_json(MAX_NESTING + 1)})),
        );
        let response = execute_on_stack(build_schema(None), variables, 256 * 1024);
        assert_eq!(
            first_error(&response),
            ("INVALID_INPUT".into(), Some("nesting_too_deep".into()))
        );
    }

    #[test]
    fn the_fragment_bomb_is_refused_at_once() {
        let started = Instant::now();
        let response = futures::executor::block_on(build_schema(None).execute(fragment_bomb(24)));
        assert_eq!(
            first_error(&response),
            ("INVALID_INPUT".into(), Some("too_many_fields".into()))
        );
        assert!(
            started.elapsed().as_millis() < 500,
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn nul_is_refused_in_literals_and_variables() {
        let schema = build_schema(None);
        let literal = Request::new(r#"{ order(id: "a\u0000b") { id } }"#);
        let variables = Request::new("query($v: String!) { order(id: $v) { id } }")
            .variables(Variables::from_json(json!({"v": "a\u{0}b"})));
        for request in [literal, variables] {
            let response = futures::executor::block_on(schema.execute(request));
            assert_eq!(
                first_error(&response),
                ("INVALID_INPUT".into(), Some("nul_byte".into()))
            );
        }
    }

    /// The fragment bomb before and after the limits, in this build's profile:
    /// `cargo test -p waybill --lib fragment_bomb_timing -- --ignored --nocapture`
    /// (`WAYBILL_BOMB_LEVELS`, default 24, sets the number of fragments).
    #[test]
    #[ignore = "a measurement, not a check: run by hand"]
    fn fragment_bomb_timing() {
        let levels = std::env::var("WAYBILL_BOMB_LEVELS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(24);
        let bomb = fragment_bomb(levels);
        for (name, schema) in [
            ("with limits", build_schema(None)),
            ("without limits", build_schema_without_limits()),
        ] {
            let started = Instant::now();
            let response = futures::executor::block_on(schema.execute(bomb.as_str()));
            println!(
                "{levels} fragments ({} bytes), {name}: {:?} -> {}",
                bomb.len(),
                started.elapsed(),
                response.errors[0].message
            );
        }
    }
}
