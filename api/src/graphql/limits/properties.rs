//! Properties of the limits over generated documents: no input makes the checks or the parser
//! behind them panic or overflow a small stack, and nesting past the limit is always refused.

use async_graphql::Variables;
use proptest::prelude::*;

use super::{after_parse, before_parse, MAX_NESTING};
use crate::graphql::timestamp::{earliest, end, Timestamp};

/// Runs `f` on a thread with a stack far smaller than the server's, so that an unbounded
/// recursion shows up as a failure here rather than in production.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(f)
        .expect("thread")
        .join()
        .expect("no panic and no overflow");
}

/// A document of GraphQL-ish tokens: brackets, strings, escapes, comments and names.
fn documentish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("{".to_string()),
        Just("}".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just("\"".to_string()),
        Just("\"\"\"".to_string()),
        Just("\\".to_string()),
        Just("#".to_string()),
        Just("\n".to_string()),
        Just("...".to_string()),
        Just("fragment F on QueryRoot ".to_string()),
        Just("order(id: ".to_string()),
        "[a-z]{1,6}".prop_map(|s| s),
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(token, 0..200).prop_map(|t| t.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_text_is_checked_and_parsed_without_panicking(text in documentish()) {
        on_small_stack(move || {
            if before_parse(&text, &Variables::default()).is_ok() {
                if let Ok(document) = async_graphql::parser::parse_query(&text) {
                    let _ = after_parse(&document);
                }
            }
        });
    }

    #[test]
    fn nesting_past_the_limit_is_always_refused(depth in (MAX_NESTING + 1)..5_000usize) {
        let query = format!("{{ order(id: {}1{}) {{ id }} }}", "[".repeat(depth), "]".repeat(depth));
        let refused = before_parse(&query, &Variables::default()).is_err();
        prop_assert!(refused, "{depth} levels accepted");
    }

    #[test]
    fn nesting_within_the_limit_is_accepted(depth in 0..(MAX_NESTING - 2)) {
        let query = format!("{{ order(id: {}1{}) {{ id }} }}", "[".repeat(depth), "]".repeat(depth));
        let accepted = before_parse(&query, &Variables::default()).is_ok();
        prop_assert!(accepted, "{depth} levels refused");
    }

    #[test]
    fn deep_variables_are_refused_before_anything_recurses(depth in (MAX_NESTING + 1)..3_000usize) {
        let json = format!("{{\"v\": {}1{}}}", "[".repeat(depth), "]".repeat(depth));
        // serde_json refuses past 128 levels itself; what it accepts must meet our bound.
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(&json) {
            let variables = Variables::from_json(value);
            let refused = before_parse("query($v: [Int]) { __typename }", &variables).is_err();
            prop_assert!(refused, "variables {depth} levels deep were accepted");
        }
    }

    #[test]
    fn timestamps_are_accepted_exactly_in_range_and_round_trip(secs in -10_000_000_000i64..300_000_000_000i64) {
        let Some(at) = chrono::DateTime::from_timestamp(secs, 0) else { return Ok(()) };
        let text = at.to_rfc3339();
        match Timestamp::parse(&text) {
            Ok(parsed) => {
                prop_assert!(at >= earliest() && at < end(), "{text} accepted");
                prop_assert_eq!(parsed.utc(), at);
                prop_assert_eq!(Timestamp::parse(&parsed.to_rfc3339()).map(Timestamp::utc).ok(), Some(at));
            }
            Err(_) => prop_assert!(at < earliest() || at >= end(), "{text} refused"),
        }
    }

    #[test]
    fn garbage_timestamps_never_panic(text in ".{0,40}") {
        let _ = Timestamp::parse(&text);
    }
}
