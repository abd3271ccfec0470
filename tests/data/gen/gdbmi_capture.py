#!/usr/bin/env python3
"""gdbmi_capture.py OUTDIR - real gdb/MI output from the fixture nginx under
valgrind, and the timings the debugger view is designed on.

Starts build/nginx/objs/nginx under valgrind memcheck (the argv of
src/nginx/target/target_prepare.c), drives `gdb -nx -q --interpreter=mi3`
attached through `target remote | vgdb`, and writes:
  OUTDIR/session.mi      gdb's stdout of the main session, byte for byte
  OUTDIR/session.in      the commands written to gdb
  OUTDIR/leak_full.mi    `monitor leak_check full reachable any` via gdb
  OUTDIR/measure.txt     the measurements (a)-(e) of issue 14's gdbmi part
Loopback only; the port is picked by the kernel."""
import os, re, select, signal, socket, subprocess, sys, tempfile, threading, time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
NGINX = os.path.join(REPO, "build/nginx/objs/nginx")
MOD = os.path.join(REPO, "tests/fixture/ngx_http_leaky_module/ngx_http_leaky_module.c")
out_dir = sys.argv[1]
os.makedirs(out_dir, exist_ok=True)
meas = []
WARM = int(os.environ.get("WARM", "0"))	# requests to /leak/alloc before gdb comes
VGDB_MODE = os.environ.get("VGDB_MODE", "yes")

def note(s):
    s = "[vgdb=%s warm=%d] %s" % (VGDB_MODE, WARM, s)
    print(s, flush=True)
    meas.append(s)

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p

def leak_line():
    for i, l in enumerate(open(MOD), 1):
        if "/* LEAK: leak_alloc */" in l:
            return i
    raise SystemExit("no leak_alloc line")

class Nginx:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="gdbmi-cap.")
        os.makedirs(self.dir + "/logs")
        self.port = free_port()
        conf = open(os.path.join(REPO, "tests/fixture/nginx.conf.in")).read()
        conf = conf.replace("@PORT@", str(self.port)).replace("@PREFIX@", self.dir)
        conf = conf.replace("@HTML@", os.path.join(REPO, "tests/fixture/html"))
        open(self.dir + "/nginx.conf", "w").write(conf)
        self.prefix = self.dir + "/vgdb"
        argv = ["valgrind", "--tool=memcheck", "--vgdb=" + VGDB_MODE, "--vgdb-prefix=" + self.prefix,
                "--xml=yes", "--xml-file=" + self.dir + "/vg.%p.xml", "--num-callers=30",
                "--keep-stacktraces=alloc-and-free", "--fullpath-after=", "--error-limit=no",
                NGINX, "-p", self.dir + "/", "-c", self.dir + "/nginx.conf",
                "-g", "daemon off; master_process off;"]
        self.p = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                  stderr=open(self.dir + "/valgrind.err", "w"))
        t0 = time.time()
        while time.time() - t0 < 60:
            if self.get("/status", 2)[0] == 0:
                return
            time.sleep(0.2)
        raise SystemExit("nginx did not come up")

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def get(self, path, tmo=10):
        r = subprocess.run(["curl", "-s", "-m", str(tmo), "-o", "/dev/null", "-w", "%{http_code}",
                            self.url(path)], capture_output=True, text=True)
        return r.returncode, r.stdout

    def stop(self):
        self.p.send_signal(signal.SIGQUIT)
        try:
            self.p.wait(30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        subprocess.run(["rm", "-rf", self.dir])

class Gdb:
    def __init__(self, tag):
        self.t0 = time.time()
        self.p = subprocess.Popen(["gdb", "-nx", "-q", "--interpreter=mi3", NGINX],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, start_new_session=True)
        self.raw = bytearray()
        self.inp = bytearray()
        self.lines = []
        self.pos = 0
        self.buf = b""
        self.token = 0
        self.tag = tag
        self.mark = 0

    def pump(self, deadline):
        fd = self.p.stdout.fileno()
        r, _, _ = select.select([fd], [], [], max(0, deadline - time.time()))
        if not r:
            return False
        data = os.read(fd, 1 << 20)
        if not data:
            raise EOFError("gdb closed stdout")
        self.raw += data
        self.buf += data
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            self.lines.append((time.time(), line.decode("latin-1")))
        return True

    def wait(self, pred, tmo=60, start=None):
        # from start (default: where the last wait ended): a *stopped may
        # come before or after the ^result of the command that caused it
        deadline = time.time() + tmo
        i = self.pos if start is None else start
        while True:
            while i < len(self.lines):
                ts, l = self.lines[i]
                i += 1
                if pred(l):
                    self.pos = max(self.pos, i)
                    return ts, l
            if time.time() > deadline or not self.pump(deadline) and time.time() > deadline:
                raise TimeoutError("%s: timeout waiting" % self.tag)

    def send(self, cmd):
        self.token += 1
        self.mark = len(self.lines)
        data = ("%d%s\n" % (self.token, cmd)).encode()
        self.inp += data
        self.p.stdin.write(data)
        self.p.stdin.flush()
        return self.token, time.time()

    def cmd(self, cmd, tmo=60):
        tok, ts = self.send(cmd)
        te, line = self.wait(lambda l: re.match(r"%d\^" % tok, l), tmo, self.mark)
        return te - ts, line

    def stopped(self, tmo=60):
        # the first *stopped since the last command was written
        return self.wait(lambda l: l.startswith("*stopped"), tmo, self.mark)

    def save(self, name):
        open(os.path.join(out_dir, name + ".mi"), "wb").write(bytes(self.raw))
        open(os.path.join(out_dir, name + ".in"), "wb").write(bytes(self.inp))

def procs_of(pattern):
    r = subprocess.run(["pgrep", "-af", pattern], capture_output=True, text=True)
    return [l for l in r.stdout.splitlines() if "pgrep" not in l and "gdbmi_capture" not in l]

def attach(g, ng):
    pid = ng.p.pid
    return g.cmd("-target-select remote | vgdb --vgdb-prefix=%s --pid=%d" % (ng.prefix, pid))

def vgdb_full(ng, when):
    t = time.time()
    r = subprocess.run(["vgdb", "--vgdb-prefix=" + ng.prefix, "--pid=%d" % ng.p.pid,
                        "leak_check full reachable any"], capture_output=True, text=True)
    note("(e) leak_check full reachable any via vgdb %s: %.0f ms, %d bytes out, %d bytes err, rc %d" %
         (when, (time.time() - t) * 1000, len(r.stdout), len(r.stderr), r.returncode))
    return r

def main_session(ng):
    line = leak_line()
    for i in range(WARM):
        ng.get("/leak/alloc")
    if os.environ.get("VGDB_FIRST"):
        vgdb_full(ng, "before gdb")
    g = Gdb("session")
    ts, _ = g.wait(lambda l: l.startswith("(gdb)"))
    note("(d) gdb read nginx's symbols (first prompt) in %.0f ms" % ((ts - g.t0) * 1000))
    g.cmd("-gdb-set mi-async on")
    dt, res = attach(g, ng)
    note("(d) first attach (-target-select remote | vgdb): %.0f ms -> %s" % (dt * 1000, res[:60]))
    g.cmd("-break-insert ngx_http_leaky_module.c:%d" % line)
    g.cmd("-exec-continue")
    box = {}
    th = threading.Thread(target=lambda: box.setdefault("r", ng.get("/leak/alloc", 60)))
    th.start()
    try:
        g.stopped()
    except TimeoutError:
        th.join(60)
        g.save("failed")
        raise SystemExit("no breakpoint hit; curl: %s" % (box.get("r"),))
    tok, ts = g.send("-exec-next")
    try:
        te, _ = g.stopped(int(os.environ.get("NEXT_WAIT", "300")))
    except TimeoutError:
        g.save("session")
        th.join(60)
        note("-exec-next over ngx_alloc after %d warm requests: no *stopped in %s s; the held "
             "request got %s" % (WARM, os.environ.get("NEXT_WAIT", "300"), box.get("r")))
        raise SystemExit(1)
    note("-exec-next over ngx_alloc: *stopped after %.0f ms" % ((te - ts) * 1000))
    g.cmd("-stack-list-frames")
    g.cmd("-stack-list-variables --simple-values")
    g.cmd("-data-evaluate-expression p")
    g.cmd('-interpreter-exec console "monitor leak_check summary"')
    g.cmd("-exec-finish")
    g.stopped()
    g.cmd("-exec-continue")
    th.join(60)
    note("curl of the held request: %s" % (box.get("r"),))
    # (a) interrupt while nginx idles in epoll_wait
    for i in range(3):
        time.sleep(1)
        tok, ts = g.send("-exec-interrupt")
        te, _ = g.stopped(30)
        note("(a) -exec-interrupt while idle -> *stopped in %.0f ms" % ((te - ts) * 1000))
        g.cmd("-exec-continue")
    g.cmd("-exec-interrupt")
    g.stopped()
    # (e) leak_check full through gdb while stopped
    t = time.time()
    g.pos = len(g.lines)
    start = len(g.lines)
    dt, _ = g.cmd('-interpreter-exec console "monitor leak_check full reachable any"', 120)
    recs = [l for _, l in g.lines[start:]]
    open(os.path.join(out_dir, "leak_full.mi"), "w", encoding="latin-1").write("\n".join(recs) + "\n")
    note("(e) leak_check full reachable any via gdb: %.0f ms, %d records, %d bytes of MI" %
         (dt * 1000, len(recs), sum(len(r) + 1 for r in recs)))
    text_gdb = "".join(decode_c(l[1:]) for l in recs if l.startswith("@"))
    dt, res = g.cmd("-target-detach")
    t = time.time()
    dt2, res2 = attach(g, ng)
    note("(c) re-attach after -target-detach in the same gdb: %.0f ms -> %s" % (dt2 * 1000, res2[:60]))
    g.cmd("-exec-continue")
    dt, res = g.cmd("-target-detach")
    note("(c) -target-detach while nginx runs: %s" % res[:90])
    g.cmd("-exec-interrupt")
    g.stopped()
    dt, res = g.cmd("-target-detach")
    note("(c) -target-detach once stopped: %.0f ms -> %s" % (dt * 1000, res[:60]))
    g.send("-gdb-exit")
    g.p.wait(30)
    while True:
        try:
            if not g.pump(time.time() + 1):
                break
        except EOFError:
            break
    g.save("session")
    r = vgdb_full(ng, "after gdb detached")
    note("(e) same text: %s (gdb %d bytes, vgdb %d bytes)" % (
        norm(text_gdb) == norm(r.stdout), len(text_gdb), len(r.stdout)))
    if norm(text_gdb) != norm(r.stdout):
        open(os.path.join(out_dir, "leak_full.vgdb.txt"), "w").write(r.stdout)
        open(os.path.join(out_dir, "leak_full.gdb.txt"), "w").write(text_gdb)

def norm(s):
    # the loss-record "(+N)" deltas differ between two consecutive checks
    return re.sub(r"\([+-]\d[\d,]*\)", "", s)

def decode_c(s):
    assert s[0] == '"' and s[-1] == '"', s[:20]
    return bytes(s[1:-1], "latin-1").decode("unicode_escape")

def kill_session(ng):
    g = Gdb("kill")
    g.wait(lambda l: l.startswith("(gdb)"))
    attach(g, ng)
    g.cmd("-break-insert ngx_http_leaky_module.c:%d" % leak_line())
    g.cmd("-exec-continue")
    box = {}
    th = threading.Thread(target=lambda: box.setdefault("r", ng.get("/leak/alloc", 30)))
    th.start()
    g.stopped()
    note("(b) at the breakpoint; gdb pid %d; processes: %s" % (g.p.pid, procs_of("vgdb")))
    t = time.time()
    os.kill(g.p.pid, signal.SIGKILL)
    g.p.wait()
    th.join(40)
    note("(b) SIGKILL of gdb alone: held request answered %s after %.0f ms" % (box.get("r"), (time.time() - t) * 1000))
    time.sleep(1)
    note("(b) vgdb/sh left 1 s later: %s" % procs_of("vgdb --vgdb-prefix=" + ng.prefix))
    r = ng.get("/leak/alloc", 10)
    note("(b) next request: %s" % (r,))
    for p in procs_of("vgdb --vgdb-prefix=" + ng.prefix):
        os.kill(int(p.split()[0]), signal.SIGKILL)

ng = Nginx()
try:
    main_session(ng)
    kill_session(ng)
finally:
    ng.stop()
open(os.path.join(out_dir, "measure.txt"), "w").write("\n".join(meas) + "\n")
