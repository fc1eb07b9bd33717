//! The size of a document once every fragment spread is replaced by its fragment, computed
//! without expanding anything. Validation walks the expanded tree, so 24 fragments that each
//! spread the next twice (1.7 KB of text) cost it 2²⁴ fields of CPU; here each fragment's size
//! is computed once from the sizes of the fragments it spreads, in time linear in the document.

use std::collections::HashMap;

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::Name;

use super::LimitError;

/// What the expanded document would hold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Expanded {
    pub fields: u64,
    pub aliases: u64,
}

impl Expanded {
    fn add_times(&mut self, other: Expanded, times: u64) {
        self.fields = self
            .fields
            .saturating_add(other.fields.saturating_mul(times));
        self.aliases = self
            .aliases
            .saturating_add(other.aliases.saturating_mul(times));
    }
}

/// One selection set's own fields and aliases, and how often it spreads each fragment.
#[derive(Default)]
struct Summary<'d> {
    own: Expanded,
    spreads: HashMap<&'d Name, u64>,
}

fn summarise<'d>(set: &'d SelectionSet, summary: &mut Summary<'d>) {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => {
                summary.own.fields += 1;
                if field.node.alias.is_some() {
                    summary.own.aliases += 1;
                }
                summarise(&field.node.selection_set.node, summary);
            }
            Selection::FragmentSpread(spread) => {
                *summary
                    .spreads
                    .entry(&spread.node.fragment_name.node)
                    .or_default() += 1;
            }
            Selection::InlineFragment(inline) => {
                summarise(&inline.node.selection_set.node, summary)
            }
        }
    }
}

/// The expanded size of all the document's operations together (validation checks them all),
/// or the first limit it breaks. Fragment cycles are refused here rather than left to the
/// validator, which would have to walk them to find them.
pub fn expanded_size(document: &ExecutableDocument) -> Result<Expanded, LimitError> {
    let summaries: HashMap<&Name, Summary> = document
        .fragments
        .iter()
        .map(|(name, fragment)| {
            let mut summary = Summary::default();
            summarise(&fragment.node.selection_set.node, &mut summary);
            (name, summary)
        })
        .collect();

    // Kahn's algorithm over "spreads" edges, leaves first: a fragment's size is known once the
    // sizes of every fragment it spreads are. Spreads of undefined fragments count nothing (the
    // validator reports them); whatever is left unresolved sits on a cycle.
    let mut waiting: HashMap<&Name, usize> = HashMap::new();
    let mut spread_by: HashMap<&Name, Vec<&Name>> = HashMap::new();
    for (name, summary) in &summaries {
        let known: Vec<&Name> = summary
            .spreads
            .keys()
            .copied()
            .filter(|target| summaries.contains_key(target))
            .collect();
        waiting.insert(name, known.len());
        for target in known {
            spread_by.entry(target).or_default().push(name);
        }
    }
    let mut ready: Vec<&Name> = waiting
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(name, _)| *name)
        .collect();
    let mut sizes: HashMap<&Name, Expanded> = HashMap::with_capacity(summaries.len());
    while let Some(name) = ready.pop() {
        let summary = &summaries[name];
        let mut size = summary.own;
        for (target, times) in &summary.spreads {
            if let Some(target_size) = sizes.get(target) {
                size.add_times(*target_size, *times);
            }
        }
        sizes.insert(name, size);
        for dependent in spread_by.get(name).into_iter().flatten() {
            let left = waiting
                .get_mut(dependent)
                .expect("every fragment is counted");
            *left -= 1;
            if *left == 0 {
                ready.push(dependent);
            }
        }
    }
    if sizes.len() < summaries.len() {
        return Err(LimitError::FragmentCycle);
    }

    let mut total = Expanded::default();
    for (_, operation) in document.operations.iter() {
        let mut summary = Summary::default();
        summarise(&operation.node.selection_set.node, &mut summary);
        total.add_times(summary.own, 1);
        for (target, times) in &summary.spreads {
            if let Some(size) = sizes.get(target) {
                total.add_times(*size, *times);
            }
        }
    }
    Ok(total)
}

/// Refuses a document whose expansion exceeds either cap.
pub fn check_expansion(
    document: &ExecutableDocument,
    max_fields: u64,
    max_aliases: u64,
) -> Result<Expanded, LimitError> {
    let size = expanded_size(document)?;
    if size.fields > max_fields {
        return Err(LimitError::TooManyFields { max: max_fields });
    }
    if size.aliases > max_aliases {
        return Err(LimitError::TooManyAliases { max: max_aliases });
    }
    Ok(size)
}

/// The fragment bomb from issue 9: `levels` fragments, each spreading the next twice.
#[cfg(test)]
pub fn fragment_bomb(levels: usize) -> String {
    let mut text = String::from("query { ...F0 }\n");
    for level in 0..levels {
        text.push_str(&format!(
            "fragment F{level} on QueryRoot {{ ...F{next} ...F{next} }}\n",
            next = level + 1
        ));
    }
    text.push_str(&format!(
        "fragment F{levels} on QueryRoot {{ __typename }}\n"
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(text: &str) -> Result<Expanded, LimitError> {
        expanded_size(&async_graphql::parser::parse_query(text).unwrap())
    }

    #[test]
    fn counts_fields_and_aliases_through_spreads() {
        let text = "query { a { b c: d } ...F ...F } \
                    fragment F on Query { x: e ...G ... on Query { f } } \
                    fragment G on Query { g h }";
        // own: a, b, c:d = 3 fields, 1 alias; F = x:e, f + G (2) = 4 fields, 1 alias; twice.
        assert_eq!(
            size(text),
            Ok(Expanded {
                fields: 3 + 2 * 4,
                aliases: 1 + 2
            })
        );
    }

    #[test]
    fn the_bomb_is_measured_not_expanded() {
        let size = size(&fragment_bomb(24)).unwrap();
        assert_eq!(size.fields, 1 << 24);
        // 64 levels would overflow a u64 many times over: the count saturates.
        assert_eq!(self::size(&fragment_bomb(70)).unwrap().fields, u64::MAX);
    }

    #[test]
    fn cycles_are_refused() {
        assert_eq!(
            size("query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }"),
            Err(LimitError::FragmentCycle)
        );
        assert_eq!(
            size("query { a } fragment A on Query { a ...A }"),
            Err(LimitError::FragmentCycle)
        );
    }

    #[test]
    fn undefined_fragments_are_left_to_validation() {
        assert_eq!(size("query { a ...Missing }").unwrap().fields, 1);
    }

    #[test]
    fn caps_fields_and_aliases() {
        let doc = async_graphql::parser::parse_query(fragment_bomb(24)).unwrap();
        assert_eq!(
            check_expansion(&doc, 10_000, 100),
            Err(LimitError::TooManyFields { max: 10_000 })
        );
        let aliases = format!(
            "{{ {} }}",
            (0..20)
                .map(|i| format!("a{i}: x"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        let doc = async_graphql::parser::parse_query(&aliases).unwrap();
        assert_eq!(
            check_expansion(&doc, 10_000, 10),
            Err(LimitError::TooManyAliases { max: 10 })
        );
    }
}
