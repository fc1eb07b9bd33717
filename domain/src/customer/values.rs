//! Small coded values of the customer relationship: channels, tiers, survey
//! contexts. Their codes are stored in events, so they never change.

coded_enum! {
    /// A way Waybill and a customer reach each other: preferred contact
    /// channel, interaction channel and case intake channel alike.
    pub enum ContactChannel(field = "contact_channel") {
        OnlineChat => "online_chat",
        Phone => "phone",
        Email => "email",
        Sms => "sms",
        WechatOfficialAccount => "wechat_official_account",
        Weibo => "weibo",
        Douyin => "douyin",
        AppPush => "app_push",
        Store => "store",
        LiveStream => "live_stream",
    }
}

coded_enum! {
    /// A channel marketing messages may be sent on; each needs its own
    /// consent, independently of the others.
    pub enum MarketingChannel(field = "marketing_channel") {
        Sms => "sms",
        Email => "email",
        Wechat => "wechat",
        AppPush => "app_push",
        Phone => "phone",
    }
}

coded_enum! {
    /// Membership tier. Declaration order is rank order, so `Ord` compares
    /// tiers (`Silver < Gold < Black`).
    pub enum Tier(field = "tier") {
        Silver => "silver",
        Gold => "gold",
        Black => "black",
    }
}

impl Tier {
    /// Top tiers get a dedicated agent and priority shipping.
    pub const fn has_dedicated_agent(self) -> bool {
        matches!(self, Self::Gold | Self::Black)
    }
}

coded_enum! {
    /// What an NPS answer was asked about.
    pub enum NpsContext(field = "nps_context") {
        Delivery => "delivery",
        Case => "case",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        let contact: Vec<_> = ContactChannel::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(
            contact,
            [
                "online_chat",
                "phone",
                "email",
                "sms",
                "wechat_official_account",
                "weibo",
                "douyin",
                "app_push",
                "store",
                "live_stream"
            ]
        );
        let marketing: Vec<_> = MarketingChannel::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(marketing, ["sms", "email", "wechat", "app_push", "phone"]);
        let tiers: Vec<_> = Tier::ALL.iter().map(|t| t.code()).collect();
        assert_eq!(tiers, ["silver", "gold", "black"]);
        assert_eq!("case".parse(), Ok(NpsContext::Case));
    }

    #[test]
    fn tiers_are_ranked_in_declaration_order() {
        assert!(Tier::Silver < Tier::Gold && Tier::Gold < Tier::Black);
        assert!(!Tier::Silver.has_dedicated_agent());
        assert!(Tier::Gold.has_dedicated_agent() && Tier::Black.has_dedicated_agent());
    }
}
