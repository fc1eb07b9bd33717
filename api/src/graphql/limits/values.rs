//! Checks on input values once they are parsed: the nesting of JSON variables (the query text
//! is bounded by the pre-scan, variables arrive as JSON beside it) and NUL bytes in any string,
//! which PostgreSQL cannot store in text and SQLite would store and hand back.

use async_graphql::parser::types::{
    Directive, ExecutableDocument, Selection, SelectionSet, VariableDefinition,
};
use async_graphql::parser::Positioned;
use async_graphql::{Name, Variables};
use async_graphql_value::{ConstValue, Value};

use super::LimitError;

/// Every variable's nesting within `max_nesting`, no NUL in any string or object key. The walk
/// keeps its own stack so no value, however deep, recurses.
pub fn check_variables(variables: &Variables, max_nesting: usize) -> Result<(), LimitError> {
    let mut stack: Vec<(&ConstValue, usize)> = Vec::new();
    for (name, value) in variables.iter() {
        check_str(name)?;
        stack.push((value, 1));
    }
    while let Some((value, depth)) = stack.pop() {
        if depth > max_nesting {
            return Err(LimitError::NestingTooDeep { max: max_nesting });
        }
        match value {
            ConstValue::String(s) => check_str(s)?,
            ConstValue::Enum(name) => check_str(name)?,
            ConstValue::List(items) => stack.extend(items.iter().map(|v| (v, depth + 1))),
            ConstValue::Object(fields) => {
                for (key, v) in fields {
                    check_str(key)?;
                    stack.push((v, depth + 1));
                }
            }
            ConstValue::Null
            | ConstValue::Number(_)
            | ConstValue::Boolean(_)
            | ConstValue::Binary(_) => {}
        }
    }
    Ok(())
}

/// No NUL in any literal of the document: arguments, directive arguments, variable defaults.
/// (`"\u0000"` passes the text scan as six harmless characters and becomes NUL when parsed.)
/// Recursion here follows the document's nesting, which the pre-scan has already bounded.
pub fn check_document_literals(document: &ExecutableDocument) -> Result<(), LimitError> {
    for (_, operation) in document.operations.iter() {
        let operation = &operation.node;
        for definition in &operation.variable_definitions {
            check_variable_definition(&definition.node)?;
        }
        check_directives(&operation.directives)?;
        check_selection_set(&operation.selection_set.node)?;
    }
    for fragment in document.fragments.values() {
        check_directives(&fragment.node.directives)?;
        check_selection_set(&fragment.node.selection_set.node)?;
    }
    Ok(())
}

fn check_variable_definition(definition: &VariableDefinition) -> Result<(), LimitError> {
    check_directives(&definition.directives)?;
    if let Some(default) = &definition.default_value {
        check_value(&default.node.clone().into_value())?;
    }
    Ok(())
}

fn check_selection_set(set: &SelectionSet) -> Result<(), LimitError> {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => {
                let field = &field.node;
                check_arguments(&field.arguments)?;
                check_directives(&field.directives)?;
                check_selection_set(&field.selection_set.node)?;
            }
            Selection::FragmentSpread(spread) => check_directives(&spread.node.directives)?,
            Selection::InlineFragment(inline) => {
                check_directives(&inline.node.directives)?;
                check_selection_set(&inline.node.selection_set.node)?;
            }
        }
    }
    Ok(())
}

fn check_directives(directives: &[Positioned<Directive>]) -> Result<(), LimitError> {
    directives
        .iter()
        .try_for_each(|d| check_arguments(&d.node.arguments))
}

fn check_arguments(arguments: &[(Positioned<Name>, Positioned<Value>)]) -> Result<(), LimitError> {
    arguments.iter().try_for_each(|(_, v)| check_value(&v.node))
}

fn check_value(value: &Value) -> Result<(), LimitError> {
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::String(s) => check_str(s)?,
            Value::List(items) => stack.extend(items.iter()),
            Value::Object(fields) => {
                for (key, v) in fields {
                    check_str(key)?;
                    stack.push(v);
                }
            }
            Value::Variable(_)
            | Value::Null
            | Value::Number(_)
            | Value::Boolean(_)
            | Value::Binary(_)
            | Value::Enum(_) => {}
        }
    }
    Ok(())
}

fn check_str(s: &str) -> Result<(), LimitError> {
    if s.contains('\0') {
        return Err(LimitError::NulByte);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variables(json: serde_json::Value) -> Variables {
        Variables::from_json(json)
    }

    #[test]
    fn bounds_the_nesting_of_variables() {
        let mut deep = serde_json::json!(1);
        for _ in 0..10 {
            deep = serde_json::json!([deep]);
        }
        assert!(check_variables(&variables(serde_json::json!({"v": deep.clone()})), 11).is_ok());
        assert_eq!(
            check_variables(&variables(serde_json::json!({"v": deep})), 10),
            Err(LimitError::NestingTooDeep { max: 10 })
        );
    }

    #[test]
    fn refuses_nul_in_variable_strings_and_keys() {
        for v in [
            serde_json::json!({"v": "a\u{0}b"}),
            serde_json::json!({"v": {"k\u{0}": 1}}),
            serde_json::json!({"v": [{"k": ["\u{0}"]}]}),
        ] {
            assert_eq!(check_variables(&variables(v), 64), Err(LimitError::NulByte));
        }
        assert!(check_variables(&variables(serde_json::json!({"v": "fine"})), 64).is_ok());
    }

    #[test]
    fn refuses_escaped_nul_in_literals() {
        let refused = [
            r#"{ order(id: "a\u0000") { id } }"#,
            r#"query($x: String = "\u0000") { order(id: $x) { id } }"#,
            r#"{ orders(filter: {status: ["\u0000"]}) { id } }"#,
            r#"{ ... on Query @include(if: true) { order(id: "\u0000") { id } } }"#,
        ];
        for text in refused {
            let document = async_graphql::parser::parse_query(text).unwrap();
            assert_eq!(
                check_document_literals(&document),
                Err(LimitError::NulByte),
                "{text}"
            );
        }
        let fine = async_graphql::parser::parse_query(r#"{ order(id: "a") { id } }"#).unwrap();
        assert!(check_document_literals(&fine).is_ok());
    }
}
