//! Service agents and the pure rule that picks a case's first owner.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::case::values::CaseType;
use crate::customer::Tier;
use crate::ids::id_rule;

validated_string! {
    /// A service agent (or escalation desk) in the contact-centre system.
    pub struct AgentId(field = "agent_id", rule = id_rule);
}

/// What the assignment rule needs to know about an available agent. The
/// API passes only agents who can take cases right now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentProfile {
    pub id: AgentId,
    /// Case types the agent is trained for.
    pub skills: BTreeSet<CaseType>,
    /// Tiers the agent is a dedicated agent for; empty for generalists.
    pub tiers_served: BTreeSet<Tier>,
    pub open_cases: u32,
}

/// Picks the agent who will own a new case (首问负责制: the first agent
/// reached owns it until it closes). Preference, most important first:
///
/// 1. for Gold and Black customers, an agent dedicated to that tier;
/// 2. an agent skilled in the case type;
/// 3. the fewest open cases;
/// 4. the smallest id, so the same inputs always pick the same agent.
///
/// Preferences rank rather than filter: a case must always get an owner,
/// so an unskilled agent is still better than none. `None` only when no
/// agent is available.
pub fn assign(tier: Tier, case_type: CaseType, agents: &[AgentProfile]) -> Option<AgentId> {
    let rank = |agent: &AgentProfile| {
        let dedicated = tier.has_dedicated_agent() && agent.tiers_served.contains(&tier);
        let skilled = agent.skills.contains(&case_type);
        // `false < true`, so negate to put the preferred agents first.
        (!dedicated, !skilled, agent.open_cases)
    };
    agents
        .iter()
        .min_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.id.cmp(&b.id)))
        .map(|agent| agent.id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(id: &str, skills: &[CaseType], tiers: &[Tier], open_cases: u32) -> AgentProfile {
        AgentProfile {
            id: AgentId::parse(id).expect("valid agent id"),
            skills: skills.iter().copied().collect(),
            tiers_served: tiers.iter().copied().collect(),
            open_cases,
        }
    }

    fn id(value: &str) -> Option<AgentId> {
        AgentId::parse(value).ok()
    }

    #[test]
    fn no_agents_means_no_owner() {
        assert_eq!(assign(Tier::Silver, CaseType::Inquiry, &[]), None);
    }

    #[test]
    fn dedicated_agent_wins_for_top_tiers_even_when_busier() {
        let agents = [
            agent("a-free", &[CaseType::Complaint], &[], 0),
            agent("z-black", &[], &[Tier::Black], 9),
        ];
        assert_eq!(
            assign(Tier::Black, CaseType::Complaint, &agents),
            id("z-black")
        );
    }

    #[test]
    fn dedication_to_another_tier_does_not_count() {
        let agents = [
            agent("a-gold", &[], &[Tier::Gold], 0),
            agent("b-skilled", &[CaseType::Complaint], &[], 3),
        ];
        assert_eq!(
            assign(Tier::Black, CaseType::Complaint, &agents),
            id("b-skilled")
        );
    }

    #[test]
    fn silver_customers_have_no_dedicated_agent() {
        let agents = [
            agent("a-silver-desk", &[], &[Tier::Silver], 0),
            agent("b-skilled", &[CaseType::AfterSales], &[], 5),
        ];
        assert_eq!(
            assign(Tier::Silver, CaseType::AfterSales, &agents),
            id("b-skilled")
        );
    }

    #[test]
    fn among_skilled_agents_the_least_loaded_wins() {
        let agents = [
            agent("a", &[CaseType::Inquiry], &[], 4),
            agent("b", &[CaseType::Inquiry], &[], 2),
            agent("c", &[CaseType::Complaint], &[], 0),
        ];
        assert_eq!(assign(Tier::Gold, CaseType::Inquiry, &agents), id("b"));
    }

    #[test]
    fn ties_break_by_id_whatever_the_input_order() {
        let agents = [
            agent("m", &[CaseType::Inquiry], &[], 1),
            agent("k", &[CaseType::Inquiry], &[], 1),
        ];
        assert_eq!(assign(Tier::Silver, CaseType::Inquiry, &agents), id("k"));
        let reversed = [agents[1].clone(), agents[0].clone()];
        assert_eq!(assign(Tier::Silver, CaseType::Inquiry, &reversed), id("k"));
    }

    #[test]
    fn unskilled_agent_is_the_fallback() {
        let agents = [agent("only", &[CaseType::Complaint], &[], 7)];
        assert_eq!(assign(Tier::Silver, CaseType::Inquiry, &agents), id("only"));
    }
}
