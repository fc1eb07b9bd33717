//! Coded values of a service case. Codes are stored in events; never change them.

coded_enum! {
    /// What the customer came about; drives skills routing and SLA targets.
    pub enum CaseType(field = "case_type") {
        Complaint => "complaint",
        Inquiry => "inquiry",
        AfterSales => "after_sales",
    }
}

coded_enum! {
    /// Declaration order is urgency order, so `Ord` compares priorities.
    pub enum Priority(field = "priority") {
        Low => "low",
        Normal => "normal",
        High => "high",
        Urgent => "urgent",
    }
}

coded_enum! {
    /// Where a case is in its lifecycle. `closed` is final; a resolved case
    /// may be reopened.
    pub enum CaseStatus(field = "case_status") {
        Open => "open",
        WaitingOnCustomer => "waiting_on_customer",
        Resolved => "resolved",
        Closed => "closed",
    }
}

impl CaseStatus {
    /// An agent is (or should be) working on the case.
    pub const fn is_active(self) -> bool {
        matches!(self, Self::Open | Self::WaitingOnCustomer)
    }

    /// Surveys are only meaningful once the customer has an outcome.
    pub const fn has_outcome(self) -> bool {
        matches!(self, Self::Resolved | Self::Closed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        let types: Vec<_> = CaseType::ALL.iter().map(|t| t.code()).collect();
        assert_eq!(types, ["complaint", "inquiry", "after_sales"]);
        let priorities: Vec<_> = Priority::ALL.iter().map(|p| p.code()).collect();
        assert_eq!(priorities, ["low", "normal", "high", "urgent"]);
        let statuses: Vec<_> = CaseStatus::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(
            statuses,
            ["open", "waiting_on_customer", "resolved", "closed"]
        );
        assert!(Priority::Urgent > Priority::High);
    }
}
