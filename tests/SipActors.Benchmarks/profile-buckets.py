#!/usr/bin/env python3
# Buckets a `perf script -F comm,tid,ip,sym,dso` dump of the actors benchmark (profile-actors.sh):
# each sample goes to the first bucket matched from its leaf frame up, so the shares add to 100%.
import sys, re, collections
rules = [
 ("JIT (tiered compilation)", lambda f,c: 'libclrjit' in f or c.startswith('.NET Tiered')),
 ("GC (background GC thread)", lambda f,c: c.startswith('.NET BGC')),
 ("kernel: UDP send", lambda f,c: re.search(r'sendmsg|sendto', f)),
 ("kernel: UDP receive", lambda f,c: re.search(r'recvmsg|recvfrom', f)),
 ("kernel: page faults (fresh heap pages)", lambda f,c: re.search(r'exc_page_fault|clear_page', f)),
 ("kernel: scheduling, futex, yield (thread wake-ups)", lambda f,c: re.search(r'sched_yield|futex|__schedule|finish_task_switch|epoll', f)),
 ("digest (MD5/SHA, response)", lambda f,c: re.search(r'libcrypto|Digest|Cryptography', f)),
 ("SIP parsing", lambda f,c: re.search(r'SipParser|SipMessageParser|Parse|SipHeaderCollection|HeaderReader', f)),
 ("REGISTER building and serializing", lambda f,c: re.search(r'BuildRegister|SipSerializer|Serialize|SipNameAddress|CallId', f)),
 ("transactions and timers", lambda f,c: re.search(r'Sip\.Transactions|SipTimer', f)),
 ("events (EventStream publish)", lambda f,c: re.search(r'EventStream|EventBus|Publish', f)),
 ("account logic (ConnectionActor, decider, slices, supervisor)", lambda f,c: re.search(r'SipActors\.Connections|SipActors\.Dispatch', f)),
 ("registration client / user agent", lambda f,c: re.search(r'SipActors\.Sip\.(Registration|UserAgents)', f)),
 ("UDP transport (receive loop, send path)", lambda f,c: re.search(r'Sip\.Transports|System\.Net\.Sockets', f)),
 ("Akka: actor creation (ActorOf, mailbox lookup, children)", lambda f,c: re.search(r'ActorOf|MakeChild|Mailboxes|ChildrenContainer|Props::', f)),
 ("Akka: mailbox, dispatch, tell", lambda f,c: re.search(r'\[Akka\]', f)),
 ("thread pool (dispatch, waits)", lambda f,c: re.search(r'ThreadPool|LowLevelLifoSemaphore|WorkStealing', f)),
]
samples=[]; cur=None
for line in open(sys.argv[1], errors='replace'):
    if not line.strip():
        if cur: samples.append(cur); cur=None
        continue
    if not line.startswith('\t'):
        cur=(line.rsplit(' ',2)[0].strip() if False else re.sub(r'\s+\d+\s*$','',line.rstrip()), [])
    else:
        cur[1].append(line.strip())
if cur: samples.append(cur)
part=collections.Counter(); incl=collections.Counter()
for comm, frames in samples:
    got=None
    for f in frames:
        for name, m in rules:
            if m(f, comm): got=name; break
        if got: break
    part[got or "other (runtime helpers, unresolved)"]+=1
    seen=set()
    for f in frames:
        for name, m in rules:
            if name not in seen and m(f, comm): seen.add(name)
    for k in ['UdpTransport::ReceiveLoop','Mailbox::Run','SipTransactionLayer::OnMessage','ConnectionActor::Receive','ActorCell::Invoke']:
        if any(k in f for f in frames): incl[k]+=1
    for t in ['QuickJitted','InstrumentedTier','OptimizedTier1','[Optimized]']:
        if frames and any(t in f for f in frames[:1]): incl['leaf '+t]+=1
n=len(samples)
print(f"{n} samples")
for k,v in part.most_common(): print(f"{100*v/n:5.1f}%  {k}")
print("inclusive:")
for k,v in incl.most_common(): print(f"{100*v/n:5.1f}%  {k}")
