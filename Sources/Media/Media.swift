// Media: RTP/RTCP, G.711, RFC 4733 DTMF, WAV, jitter buffer (pure parts; sockets come later).
