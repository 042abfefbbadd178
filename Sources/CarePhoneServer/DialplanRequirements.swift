import Calls
import Dialplan

/// What a plan must have to route every call the server can receive: the context each
/// organisation's phones start in, and each trunk's `inbound_context`. A plan without them
/// compiles, but would answer every such call 404, so the server refuses it like a broken one
/// (an empty or half-saved file must never break routing).
public enum DialplanRequirements {
    public static func problems(_ plan: Dialplan, organisationDomains: [String], trunks: [Trunk]) -> [String] {
        var problems: [String] = []
        let contexts = Set(plan.contextNames)
        var needed: [(String, String)] = []
        for domain in organisationDomains {
            needed.append((plan.entryContext(forOrganisation: domain), "where the phones of \(domain) start"))
        }
        if organisationDomains.isEmpty {
            needed.append(("internal", "where phones start"))
        }
        for trunk in trunks where !trunk.inboundSources.isEmpty || trunk.register {
            needed.append((trunk.inboundContext, "where calls in from trunk \(trunk.name) start (its inbound_context)"))
        }
        var seen = Set<String>()
        for (context, why) in needed where !contexts.contains(context) && seen.insert(context + why).inserted {
            problems.append("the plan has no context `\(context)`, \(why)")
        }
        return problems
    }
}
