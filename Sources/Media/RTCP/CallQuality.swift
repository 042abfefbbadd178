/// A mean opinion score estimated from network figures with a simplified ITU-T G.107 E-model.
///
/// - Mouth-to-ear delay d (ms) = round trip / 2 + 2 × jitter (a jitter buffer twice the jitter)
///   + `codecDelay` (20 ms: one G.711 packet).
/// - Delay impairment Id = 0.024 d + 0.11 (d − 177.3) H(d − 177.3), the linearisation of G.107's
///   Id by Cole and Rosenbluth ("Voice over IP performance monitoring", ACM CCR 2001).
/// - Equipment impairment with loss (G.107 §3.5, eq. 3-29): Ie,eff = Ie + (95 − Ie) · Ppl /
///   (Ppl + Bpl), with Ppl the loss in percent; for G.711 Ie = 0 and Bpl = 25.1 with packet loss
///   concealment, 4.3 without (G.113 Appendix I).
/// - R = 93.2 − Id − Ie,eff (93.2 is G.107's default R with no impairments).
/// - MOS (G.107 Annex B): 1 for R < 0, 4.5 for R > 100, else 1 + 0.035 R + 7·10⁻⁶ R (R − 60)(100 − R).
public struct CallQuality: Sendable, Equatable {
    public var lossFraction: Double
    public var jitter: Duration
    public var roundTrip: Duration
    public var equipmentImpairment: Double
    public var packetLossRobustness: Double
    public var codecDelay: Duration

    public init(
        lossFraction: Double, jitter: Duration, roundTrip: Duration, equipmentImpairment: Double = 0,
        packetLossRobustness: Double = 25.1, codecDelay: Duration = .milliseconds(20)
    ) {
        self.lossFraction = lossFraction
        self.jitter = jitter
        self.roundTrip = roundTrip
        self.equipmentImpairment = equipmentImpairment
        self.packetLossRobustness = packetLossRobustness
        self.codecDelay = codecDelay
    }

    /// One-way mouth-to-ear delay in milliseconds, as estimated above.
    public var delayMilliseconds: Double {
        (roundTrip / 2 + jitter * 2 + codecDelay) / .milliseconds(1)
    }

    /// The transmission rating factor R.
    public var rFactor: Double {
        let d = delayMilliseconds
        let delayImpairment = 0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0)
        let lossPercent = min(max(lossFraction, 0), 1) * 100
        let ie = equipmentImpairment
        let equipment = ie + (95 - ie) * lossPercent / (lossPercent + packetLossRobustness)
        return 93.2 - delayImpairment - equipment
    }

    /// The estimated MOS, 1 ... 4.5.
    public var mos: Double {
        let r = rFactor
        if r < 0 { return 1 }
        if r > 100 { return 4.5 }
        return 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r)
    }
}
