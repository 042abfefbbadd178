#!/usr/bin/env python3
"""Signalling for Benchmarks/media.sh: sets up N calls through the server (no authentication:
the caller is a trusted trunk source, the callee a trunk), each with an SDP offer and answer
pointing at rtpload's sockets, runs rtpload for the measurement, samples the server's CPU time,
then hangs every call up. Prints one line of key=value results.

The server anchors the media (config media.anchor = always), so every call's SDP comes back
rewritten to the server's relay ports; those go into rtpload's table."""
import argparse, os, random, re, select, socket, subprocess, sys, time

p = argparse.ArgumentParser()
p.add_argument("--server", required=True)           # HOST:PORT
p.add_argument("--uac-host", default="127.0.0.2")
p.add_argument("--uas-host", default="127.0.0.1")
p.add_argument("--uas-port", type=int, required=True)
p.add_argument("--calls", type=int, required=True)
p.add_argument("--seconds", type=float, default=20)
p.add_argument("--server-pid", type=int, required=True)
p.add_argument("--rtpload", required=True)
p.add_argument("--work", required=True)
p.add_argument("--rtp-base", type=int, default=40000)
p.add_argument("--number", default="5551234")
a = p.parse_args()
shost, sport = a.server.rsplit(":", 1)
server = (shost, int(sport))

uac = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); uac.bind((a.uac_host, 0))
uas = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); uas.bind((a.uas_host, a.uas_port))
for s in (uac, uas): s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
uac_port = uac.getsockname()[1]

def sdp(host, port):
    return ("v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %d RTP/AVP 0 101\r\n"
            "a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n") % (host, host, port)

def media_port(body):
    m = re.search(r"m=audio (\d+)", body); return int(m.group(1)) if m else None

def header(msg, name):
    m = re.search(r"^%s:\s*(.*?)\r$" % name, msg, re.M | re.I); return m.group(1) if m else ""

def message(start, headers, body=""):
    return (start + "\r\n" + "".join("%s: %s\r\n" % h for h in headers) + "Content-Length: %d\r\n\r\n" % len(body) + body).encode()

calls = []       # dicts: call_id, from_tag, to (with tag), contact, caller_port, callee_port, a_port, b_port
pending_uas = {} # callee-side Call-ID -> caller index (by order)
def handle_uas(data, addr):
    text = data.decode(errors="replace")
    first = text.split("\r\n", 1)[0]
    if first.startswith("INVITE "):
        body = text.split("\r\n\r\n", 1)[1] if "\r\n\r\n" in text else ""
        cid = header(text, "Call-ID")
        i = pending_uas.setdefault(cid, len(pending_uas))
        call = calls[i]
        call["b_port"] = media_port(body)
        call["uas_call_id"] = cid
        vias = re.findall(r"^(Via:.*?)\r$", text, re.M)
        hs = [tuple(v.split(": ", 1)) for v in vias]
        hs += [("From", header(text, "From")), ("To", header(text, "To") + ";tag=uas%d" % i), ("Call-ID", cid),
               ("CSeq", header(text, "CSeq")), ("Contact", "<sip:uas@%s:%d>" % (a.uas_host, a.uas_port)), ("Content-Type", "application/sdp")]
        uas.sendto(message("SIP/2.0 200 OK", hs, sdp(a.uas_host, call["callee_port"])), addr)
    elif first.startswith("BYE "):
        vias = re.findall(r"^(Via:.*?)\r$", text, re.M)
        hs = [tuple(v.split(": ", 1)) for v in vias] + [("From", header(text, "From")), ("To", header(text, "To")), ("Call-ID", header(text, "Call-ID")), ("CSeq", header(text, "CSeq"))]
        uas.sendto(message("SIP/2.0 200 OK", hs), addr)

def pump(timeout):
    r, _, _ = select.select([uac, uas], [], [], timeout)
    out = []
    for s in r:
        data, addr = s.recvfrom(65535)
        if s is uas: handle_uas(data, addr)
        else: out.append(data.decode(errors="replace"))
    return out

# ---- set up the calls, 20 at a time ----
for i in range(a.calls):
    calls.append({"call_id": "bench%d-%d@%s" % (i, random.randrange(1 << 30), a.uac_host), "from_tag": "uac%d" % i,
                  "caller_port": a.rtp_base + 4 * i, "callee_port": a.rtp_base + 4 * i + 2, "answered": False})
def invite(i):
    c = calls[i]
    hs = [("Via", "SIP/2.0/UDP %s:%d;branch=z9hG4bK-%s-1;rport" % (a.uac_host, uac_port, c["from_tag"])), ("Max-Forwards", "70"),
          ("From", "<sip:bench@%s>;tag=%s" % (a.uac_host, c["from_tag"])), ("To", "<sip:%s@%s>" % (a.number, shost)),
          ("Call-ID", c["call_id"]), ("CSeq", "1 INVITE"), ("Contact", "<sip:bench@%s:%d>" % (a.uac_host, uac_port)), ("Content-Type", "application/sdp")]
    uac.sendto(message("INVITE sip:%s@%s:%d SIP/2.0" % (a.number, shost, server[1]), hs, sdp(a.uac_host, c["caller_port"])), server)
by_id = {c["call_id"]: i for i, c in enumerate(calls)}
deadline = time.time() + 60
next_call = 0
while time.time() < deadline and not all(c["answered"] for c in calls):
    while next_call < a.calls and next_call - sum(c["answered"] for c in calls) < 20:
        invite(next_call); next_call += 1
    for text in pump(0.05):
        if not text.startswith("SIP/2.0 200") or "INVITE" not in header(text, "CSeq"): continue
        i = by_id.get(header(text, "Call-ID"))
        if i is None: continue
        c = calls[i]
        c["to"] = header(text, "To"); c["contact"] = re.search(r"<(sip:[^>]*)>", header(text, "Contact")).group(1)
        c["a_port"] = media_port(text.split("\r\n\r\n", 1)[1])
        hs = [("Via", "SIP/2.0/UDP %s:%d;branch=z9hG4bK-%s-ack;rport" % (a.uac_host, uac_port, c["from_tag"])), ("Max-Forwards", "70"),
              ("From", "<sip:bench@%s>;tag=%s" % (a.uac_host, c["from_tag"])), ("To", c["to"]), ("Call-ID", c["call_id"]), ("CSeq", "1 ACK")]
        uac.sendto(message("ACK %s SIP/2.0" % c["contact"], hs), server)
        c["answered"] = True
answered = [c for c in calls if c["answered"] and c.get("b_port") and c.get("a_port")]
if len(answered) < a.calls:
    print("setup_failed answered=%d of %d" % (len(answered), a.calls)); sys.exit(1)

table = os.path.join(a.work, "calls-%d.txt" % a.calls)
with open(table, "w") as f:
    for c in answered:
        f.write("%s %d %d %s %d %d\n" % (a.uac_host, c["caller_port"], c["a_port"], a.uas_host, c["callee_port"], c["b_port"]))

def cpu_ticks(pid):
    total = 0
    for task in os.listdir("/proc/%d/task" % pid):
        fields = open("/proc/%d/task/%s/stat" % (pid, task)).read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total
def rss_kb(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"): return int(line.split()[1])
    return 0

# Keep answering the server's retransmissions while rtpload runs.
t0, c0 = time.time(), cpu_ticks(a.server_pid)
load = subprocess.Popen([a.rtpload, table, str(a.seconds), shost], stdout=subprocess.PIPE, text=True)
while load.poll() is None: pump(0.1)
t1, c1 = time.time(), cpu_ticks(a.server_pid)
result = load.stdout.read().strip()
rss = rss_kb(a.server_pid)
cpu = 100.0 * (c1 - c0) / os.sysconf("SC_CLK_TCK") / (t1 - t0)

# ---- hang up ----
for c in answered:
    hs = [("Via", "SIP/2.0/UDP %s:%d;branch=z9hG4bK-%s-bye;rport" % (a.uac_host, uac_port, c["from_tag"])), ("Max-Forwards", "70"),
          ("From", "<sip:bench@%s>;tag=%s" % (a.uac_host, c["from_tag"])), ("To", c["to"]), ("Call-ID", c["call_id"]), ("CSeq", "2 BYE")]
    uac.sendto(message("BYE %s SIP/2.0" % c["contact"], hs), server)
end = time.time() + 5
while time.time() < end: pump(0.1)
print("%s server_cpu_pct=%.1f server_rss_mb=%.1f" % (result, cpu, rss / 1024))
